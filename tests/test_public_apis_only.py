"""The package uses only the public APIs of its dependencies (httpx, aiohttp, attrs, cattrs,
uvicorn, h11): a private name of theirs can change in any release.

The package's source is walked as syntax. A private module of a dependency is never
imported, and a private attribute (``_name``, not a dunder) is only read or written where
the package itself defines that name: on its own classes, modules and objects. Any other
private attribute belongs to someone else's object, and fails the test, but for the one
exception named in ``ALLOWED`` with the reason it stays.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.same_in_dev_mode(
    "it reads the package's syntax trees: no event loop, no resources"
)

PACKAGE = Path(__file__).resolve().parent.parent / "bce_vpn_async"
DEPENDENCIES = frozenset({"httpx", "aiohttp", "attr", "attrs", "cattrs", "uvicorn", "h11"})

# The one private attribute of a dependency the package uses, where, and why.
ALLOWED = {
    # httpx.AsyncClient._transport_for_url, in _transport._own_transport: the mount the
    # SDK's own client sends through without AsyncClient.send's auth, redirect, hook and
    # cookie layers (BENCHMARKS.md gives their cost); it is the hook
    # respx.mock(using="httpx") patches, so respx intercepts the SDK's default client.
    "_transport_for_url": "_transport.py",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_names(tree: ast.AST) -> Iterator[str]:
    """Every name a module defines: functions, classes, assignment targets (attributes
    set on ``self`` or ``cls`` included), annotated fields, arguments and import aliases."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Name):
                        yield part.id
                    elif (
                        isinstance(part, ast.Attribute)
                        and isinstance(part.value, ast.Name)
                        and part.value.id in {"self", "cls"}
                    ):
                        # Set on its own instance: the package's name. Set on anything
                        # else (``response._content = ...``), it defines nothing.
                        yield part.attr
        elif isinstance(node, ast.alias):
            yield (node.asname or node.name).split(".")[0]
        elif isinstance(node, ast.arg):
            # attrs makes an __init__ argument of a private field without its underscore;
            # an argument named with one is the package's own, too.
            yield node.arg


def violations(sources: dict[str, str]) -> list[str]:
    """What in ``sources`` (file name -> Python source) reaches into a dependency's
    private names, as ``file:line: what``."""
    trees = {name: ast.parse(text, filename=name) for name, text in sources.items()}
    own = {name for tree in trees.values() for name in _defined_names(tree)}
    found = []
    for file, tree in trees.items():
        modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    root, *rest = alias.name.split(".")
                    if root in DEPENDENCIES:
                        modules.add(alias.asname or root)
                        if any(_private(part) for part in rest):
                            found.append(f"{file}:{node.lineno}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                root, *rest = node.module.split(".")
                if root in DEPENDENCIES:
                    privates = [part for part in rest if _private(part)]
                    privates += [a.name for a in node.names if _private(a.name)]
                    if privates:
                        found.append(f"{file}:{node.lineno}: from {node.module} import")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not _private(node.attr):
                continue
            on_module = isinstance(node.value, ast.Name) and node.value.id in modules
            if not on_module and node.attr in own:
                continue
            if ALLOWED.get(node.attr) == Path(file).name:
                continue
            found.append(f"{file}:{node.lineno}: .{node.attr}")
    return found


def test_the_package_uses_no_private_name_of_a_dependency() -> None:
    sources = {
        str(path.relative_to(PACKAGE.parent)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    assert violations(sources) == []


def test_the_allowed_exception_is_still_used_where_it_is_named() -> None:
    # An exception that is no longer needed goes from ALLOWED too.
    for name, file in ALLOWED.items():
        assert f".{name}(" in (PACKAGE / file).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "source",
    [
        "def f(response):\n    response._content = b''\n",
        "def f(request):\n    return request.url._uri_reference\n",
        "import httpx\nURL = httpx._urls.URL\n",
        "from httpx._models import Response\n",
        "from cattrs import _compat\n",
        "def f(client):\n    return client._transport_for_url(None)\n",
    ],
)
def test_a_private_name_of_someone_elses_object_is_found(source: str) -> None:
    assert violations({"bce_vpn_async/example.py": source}) != []


def test_the_packages_own_private_names_pass() -> None:
    source = (
        "class Engine:\n"
        "    def __init__(self):\n"
        "        self._state = 1\n"
        "    def _open(self):\n"
        "        return self._state\n"
        "def f(engine):\n"
        "    engine._open()\n"
        "    return engine.__class__\n"
    )
    assert violations({"bce_vpn_async/example.py": source}) == []
