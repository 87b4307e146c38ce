"""The leaf checks of the converter: one small hook per field kind (string, integer,
lifetime, boolean, list, nested model), each a closure over its field's wire name, so an
error knows where it happened without any bookkeeping on the success path.

They raise ``Invalid`` with a path that grows as it travels up to ``converter.structure``,
which turns it into ``MalformedResponse``. A message names the JSON kind received, never
the value.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from types import NoneType
from typing import Any, Final

from ._rules import lifetime_seconds, whole_number

__all__ = [
    "NOTHING",
    "Hook",
    "Invalid",
    "bool_hook",
    "enum_hook",
    "got",
    "int_hook",
    "is_blank",
    "keep",
    "model_hook",
    "str_hook",
    "string_item",
    "to_int",
    "tuple_hook",
]

Hook = Callable[[Any, Any], Any]


class Invalid(Exception):
    """Raised inside the hooks; the path grows as it travels up to ``structure``."""

    def __init__(self, path: list[str | int], reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(reason)


_JSON_KIND: Final = dict(
    zip(
        (dict, list, str, int, float, bool, NoneType),
        ["object", "list", "string", "integer", "number", "boolean", "null"],
        strict=True,
    )
)
_INTEGER = re.compile(r"\s*[+-]?[0-9]{1,19}\s*", re.ASCII)
NOTHING: Final[Any] = object()  # "no default": a null is an error


def got(value: object) -> str:
    return f" (got {_JSON_KIND.get(type(value), 'another type')})"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value)


def str_hook(wire: str, optional: bool) -> Hook:
    def structure_str(value: Any, _: Any) -> Any:
        if isinstance(value, str) or (value is None and optional):
            return value
        raise Invalid([wire], "expected a string" + got(value))

    return structure_str


def to_int(value: Any) -> int | None:
    """The integer a value stands for, or None if it stands for none."""
    return whole_number(value, _INTEGER)


def enum_hook(wire: str, optional: bool, kind: type[enum.StrEnum]) -> Hook:
    """A string read as ``kind``'s member when it names one, kept as the string when not
    (a status the SDK does not know yet)."""
    members = {member.value: member for member in kind}

    def structure_enum(value: Any, _: Any) -> Any:
        if isinstance(value, str):
            return members.get(value, value)
        if value is None and optional:
            return None
        raise Invalid([wire], "expected a string" + got(value))

    return structure_enum


def int_hook(wire: str, absent: Any, lifetime: bool) -> Hook:
    expected = (
        'expected a lifetime in seconds (28800, "28800" or "28800s")'
        if lifetime
        else "expected an integer"
    )

    def structure_int(value: Any, _: Any) -> Any:
        if value.__class__ is int:
            return value
        if absent is not NOTHING and is_blank(value):
            return absent
        number = lifetime_seconds(value) if lifetime else to_int(value)
        if number is None:
            raise Invalid([wire], expected + got(value))
        return number

    return structure_int


_BOOL_WORDS: Final[Mapping[str, bool]] = {"true": True, "false": False}


def bool_hook(wire: str, absent: Any) -> Hook:
    def structure_bool(value: Any, _: Any) -> Any:
        if value is True or value is False:
            return value
        if absent is not NOTHING and is_blank(value):
            return absent
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.strip().lower()]
        raise Invalid([wire], "expected a boolean" + got(value))

    return structure_bool


def tuple_hook(wire: str, absent: Any, item_hook: Hook) -> Hook:
    def structure_items(value: Any, _: Any) -> Any:
        if value.__class__ is list or value.__class__ is tuple:
            done: list[Any] = []
            append = done.append
            try:
                for item in value:
                    append(item_hook(item, None))
            except Invalid as error:
                # len(done) is the index of the item that failed.
                error.path[:0] = [wire, len(done)]
                raise
            return tuple(done)
        if is_blank(value):
            return () if absent is NOTHING else absent
        raise Invalid([wire], "expected a list" + got(value))

    return structure_items


def string_item(value: Any, _: Any) -> Any:
    if isinstance(value, str):
        return value
    raise Invalid([], "expected a string" + got(value))


def model_hook(wire: str, absent: Any, inner: Hook) -> Hook:
    def structure_model(value: Any, _: Any) -> Any:
        # An empty object reads as absent too: a gateway without one answers
        # "sslVpnServer": {} as readily as null (docs/service/disagreements.md#reading).
        if absent is not NOTHING and (is_blank(value) or (isinstance(value, dict) and not value)):
            return absent
        try:
            return inner(value, None)
        except Invalid as error:
            error.path.insert(0, wire)
            raise

    return structure_model


def keep(value: Any, _: Any) -> Any:
    return value
