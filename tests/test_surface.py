"""The public surface: which modules are public, what they export, and that it is documented.

Only the front doors are public (``bce_vpn_async``, ``bce_vpn_async.testing`` and its pytest
plugin, ``bce_vpn_async.otel``); every other module is private (``_name``), so nothing inside
is a promise to users.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import bce_vpn_async

PUBLIC_MODULES = (
    "bce_vpn_async",
    "bce_vpn_async.otel",
    "bce_vpn_async.testing",
    "bce_vpn_async.testing.pytest_plugin",
)


def _all_modules() -> list[str]:
    names = ["bce_vpn_async"]
    for info in pkgutil.walk_packages(bce_vpn_async.__path__, "bce_vpn_async."):
        names.append(info.name)
    return names


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split(".")[1:])


def test_every_module_but_the_front_doors_is_private() -> None:
    public = {name for name in _all_modules() if _public(name) and not name.endswith("__main__")}
    assert public == set(PUBLIC_MODULES)


def _exported(module: ModuleType) -> set[str]:
    """The public names a module defines or imports, less the modules it holds."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }


@pytest.mark.parametrize("name", [m for m in PUBLIC_MODULES if m.count(".") < 2])
def test_a_public_module_exports_exactly_its_all(name: str) -> None:
    module = importlib.import_module(name)
    assert set(module.__all__) - {"__version__"} == _exported(module)


def _documented(obj: object) -> bool:
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return bool(doc and doc.strip())


def _undocumented(name: str, obj: object) -> list[str]:
    missing = [] if _documented(obj) else [name]
    if isinstance(obj, type):
        for klass in obj.__mro__:
            if not klass.__module__.startswith("bce_vpn_async"):
                continue
            for attribute, value in vars(klass).items():
                if attribute.startswith("_"):
                    continue
                function = value.fget if isinstance(value, property) else value
                function = getattr(function, "__func__", function)
                if inspect.isfunction(function) and not _documented(function):
                    missing.append(f"{name}.{attribute}")
    return missing


@pytest.mark.parametrize("name", [m for m in PUBLIC_MODULES if m.count(".") < 2])
def test_every_public_class_and_function_is_documented(name: str) -> None:
    module = importlib.import_module(name)
    missing = []
    for exported in module.__all__:
        obj = getattr(module, exported)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            missing += _undocumented(f"{name}.{exported}", obj)
    assert not missing
