"""attrs validators for the configuration values: ``ClientConfig``, ``RetryPolicy``,
``RetryBudget`` and ``RateLimit``.

Each names its field first and says the rule: a ``TypeError`` for a value of the wrong
type (a bool is not a number here, though Python says it is an int), a ``ValueError``
for one out of range (NaN and infinity included).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from typing import Any

from attrs import Attribute

__all__ = [
    "boolean",
    "clock",
    "fraction",
    "header_text",
    "instance_or_none",
    "integer",
    "number",
    "one_of",
]

Validator = Callable[[Any, "Attribute[Any]", Any], None]


def _type_name(value: object) -> str:
    return type(value).__name__


def integer(minimum: int, *, optional: bool = False) -> Validator:
    """An int (not a bool) of at least ``minimum``; or None if ``optional``."""
    kind = "an int or None" if optional else "an int"

    def check(_: object, attribute: Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{attribute.name} must be {kind}, not {_type_name(value)}")
        if value < minimum:
            raise ValueError(f"{attribute.name} must be >= {minimum}")

    return check


def number(*, positive: bool, optional: bool = False) -> Validator:
    """A finite int or float (not a bool): > 0 if ``positive``, else >= 0; or None if
    ``optional``."""
    rule = "> 0" if positive else ">= 0"
    kind = "a number or None" if optional else "a number"

    def check(_: object, attribute: Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be {kind}, not {_type_name(value)}")
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            raise ValueError(f"{attribute.name} must be a finite number {rule}")

    return check


def fraction(_: object, attribute: Attribute[Any], value: object) -> None:
    """A number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, not {_type_name(value)}")
    if not 0 < value < 1:
        raise ValueError(f"{attribute.name} must be between 0 and 1 (exclusive)")


def boolean(_: object, attribute: Attribute[Any], value: object) -> None:
    """True or False, nothing that merely has a truth value."""
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be True or False, not {_type_name(value)}")


def instance_or_none(kind: type) -> Validator:
    """An instance of ``kind``, or None (which turns the feature off)."""

    def check(_: object, attribute: Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, kind):
            raise TypeError(
                f"{attribute.name} must be a {kind.__name__} or None, not {_type_name(value)}"
            )

    return check


def one_of(*choices: str) -> Validator:
    """One of ``choices``, compared exactly."""

    def check(_: object, attribute: Attribute[Any], value: object) -> None:
        if value not in choices:
            listed = ", ".join(repr(choice) for choice in choices)
            raise ValueError(f"{attribute.name} must be one of {listed}")

    return check


def header_text(_: object, attribute: Attribute[Any], value: object) -> None:
    """A non-empty str that can travel as a header value: ASCII (httpx writes header
    values so), no control characters."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, not {_type_name(value)}")
    if not value or value != value.strip():
        raise ValueError(f"{attribute.name} must be non-empty, without surrounding white space")
    if not value.isascii() or any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError(
            f"{attribute.name} must be ASCII text without control characters (CR, LF...)"
        )


def clock(_: object, attribute: Attribute[Any], value: object) -> None:
    """An object with the Clock methods: time(), monotonic(), async sleep(seconds) and
    timeout(seconds) (what bounds an awaitable on that clock)."""
    methods = ("time", "monotonic", "sleep", "timeout")
    if not all(callable(getattr(value, name, None)) for name in methods):
        raise TypeError(
            f"{attribute.name} must be a Clock (time(), monotonic(), async sleep() and "
            f"timeout()), not {_type_name(value)}"
        )
