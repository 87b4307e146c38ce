"""Strict JSON for everything the emulator reads from a client or writes back.

The emulator is a server other programs depend on, so what it reads is bounded and what it
writes is JSON that every parser takes (RFC 8259):

- ``loads`` takes UTF-8 JSON and refuses what a service could not store and answer as
  received: text that is not UTF-8, nesting deeper than ``MAX_DEPTH``, the non-standard
  constants ``NaN``, ``Infinity`` and ``-Infinity``, a number too large for a double
  (``1e999``, or an integer past 1.8e308, which Go's and JavaScript's readers cannot hold),
  and strings (keys included) holding a lone surrogate escape such as ``"\\ud800"``, which
  no Unicode encoding can carry. A duplicate key keeps its last value, as most JSON readers
  do.
- ``dumps`` writes compact UTF-8 JSON with sorted keys, refusing ``NaN`` and infinities
  rather than writing tokens other parsers reject.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Final

__all__ = ["MAX_DEPTH", "JsonRefused", "dumps", "loads"]

MAX_DEPTH: Final = 64
"""The deepest nesting of arrays and objects a request body may have (the API's own bodies
nest four deep)."""


class JsonRefused(ValueError):
    """A body ``loads`` will not read: ``code`` is the BCE error code to answer
    (``MalformedJSON`` or ``InvalidHTTPRequest``), ``message`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _no_constant(name: str) -> Any:
    raise JsonRefused("MalformedJSON", f"{name} is not a JSON value.")


_OUT_OF_RANGE = "A number in the request body is out of range."
# The largest integer a double holds; past it Go's float64 and JavaScript's Number overflow.
_LARGEST_INTEGER = int(sys.float_info.max)
# More digits than the largest integer has, whatever they are: refused before Python
# spends time converting them (it refuses past 4300 digits anyway).
_MOST_DIGITS = len(str(_LARGEST_INTEGER))


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused("MalformedJSON", _OUT_OF_RANGE)
    return value


def _bounded(text: str) -> int:
    value = int(text) if len(text.lstrip("-")) <= _MOST_DIGITS else None
    if value is None or abs(value) > _LARGEST_INTEGER:
        raise JsonRefused("MalformedJSON", _OUT_OF_RANGE)
    return value


def _depth_within(text: str, limit: int) -> bool:
    """Whether no array or object in ``text`` nests deeper than ``limit`` (brackets inside
    strings do not count). Linear, and checked before ``json`` recurses into the text."""
    if text.count("[") + text.count("{") <= limit:
        return True
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _encodable(value: object) -> bool:
    """Whether every string in ``value`` (parsed JSON, keys included) is valid Unicode."""
    if isinstance(value, str):
        return value.isascii() or _utf8(value)
    if isinstance(value, dict):
        return all(_encodable(key) and _encodable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_encodable(item) for item in value)
    return True


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def loads(body: bytes) -> object:
    """The JSON value of ``body``; ``JsonRefused`` with the BCE code to answer otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRefused("InvalidHTTPRequest", "The request body is not UTF-8 text.") from None
    if not _depth_within(text, MAX_DEPTH):
        raise JsonRefused(
            "MalformedJSON", f"The request body nests deeper than {MAX_DEPTH} levels."
        )
    try:
        value = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite, parse_int=_bounded
        )
    except JsonRefused:
        raise
    except (ValueError, RecursionError):
        # RecursionError cannot happen within MAX_DEPTH; it is caught in case the
        # interpreter's limit is set lower than that.
        raise JsonRefused("MalformedJSON", "The request body is not valid JSON.") from None
    # Only a \u escape can make a lone surrogate: UTF-8 text cannot hold one.
    if "\\u" in text and not _encodable(value):
        raise JsonRefused(
            "MalformedJSON", "A string in the request body holds a lone surrogate escape."
        )
    return value


def dumps(value: object) -> bytes:
    """``value`` as compact UTF-8 JSON with sorted keys (``ValueError`` for NaN or an
    infinity, ``UnicodeEncodeError`` for a lone surrogate: neither can be stored)."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), sort_keys=True
    ).encode("utf-8")
