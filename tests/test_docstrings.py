"""Every public name documents itself for the API reference, in Google style.

The reference (`docs/reference/`) is generated from the docstrings of the names the three
public modules export. So each of those names says what it is; each public function and
method names every argument under `Args:` and says what it gives back under `Returns:` (or
`Yields:`); and each field of an attrs class, each constant and each type alias carries the
string right below its assignment that the reference (and an editor's hover) shows as its
description. No reST: the handler renders Markdown, so a `::` block or a `:class:`
role would show up as it is written.
"""

from __future__ import annotations

import ast
import enum
import inspect
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

import bce_vpn_async
import bce_vpn_async.otel
import bce_vpn_async.testing

pytestmark = pytest.mark.same_in_dev_mode(
    "it reads docstrings and signatures: no event loop, no resources"
)

PACKAGE = Path(bce_vpn_async.__file__).parent
MODULES = (bce_vpn_async, bce_vpn_async.testing, bce_vpn_async.otel)
REST = re.compile(r"::\s*$|:(?:class|func|meth|attr|data|exc|mod|obj):`", re.MULTILINE)
SECTION = re.compile(r"^(?P<name>[A-Z][a-z]+):\s*$", re.MULTILINE)


def _sections(doc: str) -> dict[str, str]:
    """A Google-style docstring's sections by title (`Args`, `Returns`...), each its text."""
    found = list(SECTION.finditer(doc))
    return {
        match["name"]: doc[match.end() : found[i + 1].start() if i + 1 < len(found) else None]
        for i, match in enumerate(found)
    }


def _entries(section: str) -> set[str]:
    """The names a section lists, one per entry (`name: text` or `name (type): text`)."""
    return set(re.findall(r"^\s{4}\**(\w+)(?: \([^)]*\))?:", section, re.MULTILINE))


def _described(body: list[ast.stmt]) -> set[str]:
    """The names assigned in `body` that a string right below describes."""
    names = set()
    for statement, after in itertools.pairwise(body):
        described = (
            isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        )
        if not described:
            continue
        if isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
    return names


def _described_fields(cls: type) -> set[str]:
    """The fields of an attrs class with a string below them, in its class or its bases'."""
    names = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("bce_vpn_async"):
            source = inspect.getsource(klass)
            names |= _described(
                ast.parse(inspect.cleandoc(source) if source[0] == " " else source).body[0].body
            )
    return names


def _documented_constants() -> set[str]:
    """Module-level names of the package followed by a string: their reference text."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        names |= _described(ast.parse(path.read_text(encoding="utf-8")).body)
    return names


def _exports() -> Iterator[tuple[str, object]]:
    seen: set[int] = set()
    for module in MODULES:
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                if id(value) in seen:
                    continue
                seen.add(id(value))
            yield f"{module.__name__}.{name}", value


def _own_members(cls: type) -> Iterator[tuple[str, Callable[..., object]]]:
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if inspect.isfunction(value):
            yield name, value


def _function_problems(where: str, function: Callable[..., object]) -> list[str]:
    doc = inspect.getdoc(function) or ""
    if not doc:
        return [f"{where}: no docstring"]
    problems = []
    sections = _sections(doc)
    signature = inspect.signature(function)
    wanted = [
        name
        for name, parameter in signature.parameters.items()
        if name not in ("self", "cls")
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    missing = set(wanted) - _entries(sections.get("Args", ""))
    if missing:
        problems.append(f"{where}: Args does not describe {sorted(missing)}")
    gives = function.__annotations__.get("return", "None")
    if gives not in ("None", None) and not {"Returns", "Yields"} & set(sections):
        problems.append(f"{where}: no Returns")
    return problems


def _class_problems(where: str, cls: type) -> list[str]:
    doc = cls.__doc__ or ""
    if not doc.strip():
        return [f"{where}: no docstring"]
    problems = []
    if attrs.has(cls):
        fields = {f.name for f in attrs.fields(cls) if not f.name.startswith("_") and f.init}
        missing = fields - _described_fields(cls)
        if missing:
            problems.append(f"{where}: no string below the fields {sorted(missing)}")
    if issubclass(cls, enum.Enum):
        return problems
    for name, method in _own_members(cls):
        problems += _function_problems(f"{where}.{name}", method)
    for name, value in vars(cls).items():
        if isinstance(value, property) and not name.startswith("_") and not value.__doc__:
            problems.append(f"{where}.{name}: no docstring")
    return problems


def _problems() -> list[str]:
    problems = []
    constants = _documented_constants()
    for where, value in _exports():
        if inspect.isclass(value):
            problems += _class_problems(where, value)
        elif inspect.isfunction(value):
            problems += _function_problems(where, value)
        elif where.rpartition(".")[2] not in constants:
            problems.append(f"{where}: no string below its assignment")
    return problems


def test_every_public_name_documents_itself_in_google_style() -> None:
    assert _problems() == []


def _documented() -> Iterator[tuple[str, object]]:
    for where, value in _exports():
        if inspect.isclass(value) or inspect.isfunction(value):
            yield where, value
        if inspect.isclass(value):
            for name, member in vars(value).items():
                if not name.startswith("_") and (
                    inspect.isfunction(member) or isinstance(member, property)
                ):
                    yield f"{where}.{name}", member


def test_no_docstring_uses_rest_markup() -> None:
    found = [where for where, value in _documented() if REST.search(inspect.getdoc(value) or "")]
    assert found == []
