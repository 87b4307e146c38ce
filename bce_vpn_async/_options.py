"""The options of ``AsyncVpnClient.with_options``: ``OMITTED`` for an option left as it
is, and the checks on the extra headers a copy sends on every request."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from typing import Final

from ._errors import BceValidationError

__all__ = [
    "OMITTED",
    "RESERVED_HEADERS",
    "Omitted",
    "extra_headers",
    "merged_headers",
]


class Omitted(enum.Enum):
    """The type of ``OMITTED``: an option left as it is (``None`` means something)."""

    OMITTED = "OMITTED"

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Final = Omitted.OMITTED

# Headers the SDK writes itself: a copy of the caller's would be dropped, duplicated or
# would break the signature or the body's framing.
RESERVED_HEADERS: Final = frozenset(
    {
        "authorization",
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "x-bce-date",
        "x-bce-security-token",
    }
)

# RFC 9110's token: what a header name may be made of.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def extra_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` checked for use on every request: names are tokens the SDK does not
    own, values are strings without control characters (CR and LF would split the
    header) outside ASCII. Errors name the header, never its value (it may be a secret)."""
    if not isinstance(headers, Mapping):
        raise TypeError(f"headers must be a mapping of str to str, not {type(headers).__name__}")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("headers must map str names to str values")
        if not _TOKEN.fullmatch(name):
            # Not echoed: a malformed name may be a whole "Name: value" line.
            raise BceValidationError("headers", "a header name must be a non-empty HTTP token")
        if name.lower() in RESERVED_HEADERS:
            raise BceValidationError(
                f"headers[{name!r}]", "is written by the SDK and cannot be set"
            )
        if not value.isascii() or any(unicodedata.category(c) == "Cc" for c in value):
            # ASCII because httpx encodes header values so (anything else fails at send).
            raise BceValidationError(
                f"headers[{name!r}]",
                "the value must be ASCII text without control characters (CR, LF...)",
            )
        checked[name] = value
    return checked


def merged_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``base`` with ``extra`` on top, names compared without regard to case."""
    replaced = {name.lower() for name in extra}
    merged = {name: value for name, value in base.items() if name.lower() not in replaced}
    merged.update(extra)
    return merged
