"""What the wire can carry: the query's encoded pairs, and the one check behind them.

A request's query and JSON body are UTF-8. Python text can hold what UTF-8 cannot write:
a lone surrogate (``"\\ud800"``, left by a bad decode or ``surrogateescape``). The client
encodes a call's query and body in one place (``ClientCore._request_parts``), whatever
``validate`` says, and when that fails ``unencodable`` finds the argument that holds such
text and names it as the other checks do (``description``, ``tags[0].tag_value``), before
anything is sent. The search runs only on failure: a call whose text encodes pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import BcePaginationError, BceValidationError
from ._operations import MARKER
from ._signing import uri_encode

if TYPE_CHECKING:
    from ._operations import Param

__all__ = ["UNENCODABLE", "marker_pair", "query_pair", "unencodable"]

UNENCODABLE = "must be text that UTF-8 can carry (no lone surrogates)"


def query_pair(name: str, value: str) -> str:
    """``name=value`` as the query carries it (and the signer signs it); raises
    ``UnicodeEncodeError`` for text UTF-8 cannot carry."""
    return f"{uri_encode(name)}={uri_encode(value)}"


def marker_pair(marker: str) -> str:
    """The next page's ``marker=`` pair, for a marker the service gave."""
    try:
        return query_pair(MARKER, marker)
    except UnicodeEncodeError:
        pass
    raise BcePaginationError(
        "the service gave a next page marker that cannot be sent back (not UTF-8 text)"
    )


def unencodable(given: Iterable[tuple[Param, Any]]) -> BceValidationError:
    """The error for a call one of whose arguments (``(param, value)`` pairs) holds text
    that UTF-8 cannot carry, naming it by its Python path."""
    for param, value in given:
        path = _find(param.name, value)
        if path is not None:
            return BceValidationError(path, UNENCODABLE)
    return BceValidationError("arguments", UNENCODABLE)  # pragma: no cover - always found


def _find(path: str, value: object) -> str | None:
    """The path, under ``path``, of the first text in ``value`` UTF-8 cannot carry."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    kind: Any = type(value)
    if attrs.has(kind):
        for field in attrs.fields(kind):
            found = _find(f"{path}.{field.name}", getattr(value, field.name))
            if found is not None:
                return found
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _find(f"{path}[{key!r}]", key) or _find(f"{path}[{key!r}]", item)
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            found = _find(f"{path}[{index}]", item)
            if found is not None:
                return found
    return None
