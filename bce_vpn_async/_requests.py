"""A call's arguments checked against its operation and laid out as an ``httpx.Request``.

``lay_out`` runs the table's checks (every need, then every rule unless ``validate`` is
off) and turns the arguments into the path, the query's encoded ``name=value`` pairs and
the JSON body. Nothing is sent until every check has passed. ``RequestBuilder`` makes the
request with httpx's own constructor; its query is written in the signer's canonical
form (sorted pairs, valueless flags as ``bind=``), so what is signed is exactly what is
sent.

The query and the body are UTF-8, and Python text can hold what UTF-8 cannot write: a
lone surrogate (``"\\ud800"``, left by a bad decode or ``surrogateescape``). Whatever
``validate`` says, such text is refused here, naming the argument that holds it as the
other checks do (``description``, ``tags[0].tag_value``); the search for it runs only when
encoding fails, so a call whose text encodes pays nothing for it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs
import httpx

from . import _rules as rules
from ._errors import BcePaginationError, BceValidationError
from ._operations import MARKER, Operation, Param
from ._signing import uri_encode

__all__ = [
    "API_PREFIX",
    "JSON_CONTENT_TYPE",
    "UNENCODABLE",
    "RequestBuilder",
    "lay_out",
    "marker_pair",
    "query_pair",
]

API_PREFIX: Final = "/v1"
JSON_CONTENT_TYPE: Final = "application/json;charset=utf-8"
UNENCODABLE: Final = "must be text that UTF-8 can carry (no lone surrogates)"


def lay_out(
    operation: Operation[Any], arguments: Mapping[str, Any], *, validate: bool
) -> tuple[str, list[str], bytes]:
    """``arguments`` (the method's ``locals()``) checked against ``operation`` and laid out
    on the wire: the path, the query's encoded pairs (flag and ``clientToken`` included)
    and the JSON body's bytes (empty for none).

    Raises:
        BceValidationError: an argument the request cannot be built from (always
            checked), or one a documented rule refuses (checked when ``validate``).
    """
    given = [(param, arguments[param.name]) for param in operation.params]
    for param, value in given:
        if value is None:
            if param.required:
                raise BceValidationError(param.name, "is required")
        elif param.need is not None:
            param.need(param.name, value)
    for combined in operation.needs:
        combined(arguments)
    query: list[tuple[str, str]] = []
    if operation.flag is not None:
        query.append((operation.flag, ""))
    # A write always carries a token (a fresh one unless given), a read only when given;
    # it is fixed here, once, so every retry of a write sends the same one.
    token = arguments["client_token"] if operation.takes_token else None
    if operation.write or token is not None:
        query.append(
            ("clientToken", str(uuid.uuid4()) if token is None else rules.client_token(token))
        )
    if validate:
        for param, value in given:
            if value is not None and param.rule is not None:
                param.rule(param.name, value)
        for combined in operation.rules:
            combined(arguments)
    ids: dict[str, str] = {}
    body: dict[str, Any] | None = None
    for param, value in given:
        if param.where == "body":
            if body is None:
                body = {}
            if value is not None:
                encoded = value if param.encode is None else param.encode(value)
                if encoded is not None:
                    body[param.wire] = encoded
        elif value is None:
            continue
        elif param.where == "path":
            ids[param.wire] = value
        else:
            query.append((param.wire, value))
    try:
        pairs = [query_pair(name, value) for name, value in query]
        content = b"" if body is None else _json_bytes(body)
    except UnicodeEncodeError:
        # Raised outside the handler: the encoder's error holds the whole body, a
        # pre-shared key or password included, and must not ride along as its context.
        pairs = None
    if pairs is None:
        raise _unencodable(given)
    return operation.path.format_map(ids), pairs, content


class RequestBuilder:
    """The requests of one client to one endpoint: what every call shares (the URL's
    prefix and the headers, ``Host`` included) is laid out once.

    A request's query is written in the signer's canonical form (sorted pairs, valueless
    flags as ``bind=``), so what is signed is exactly what is sent; ``Content-Length`` is
    always sent, as the official SDK does (left unset, aiohttp adds ``Content-Length: 0``
    to a DELETE after it was signed, and the signature breaks).

    Args:
        base_url: The endpoint, ``scheme://host[:port]``.
        headers: The headers every request carries (content type, user agent, extras).
    """

    def __init__(self, base_url: str, headers: Mapping[str, str]) -> None:
        self._prefix = base_url + API_PREFIX
        # Host first, where httpx's own constructor puts it.
        host = httpx.URL(base_url).netloc.decode("ascii")
        self._headers = httpx.Headers({"Host": host, **headers})

    def build(self, method: str, path: str, query: Sequence[str], content: bytes) -> httpx.Request:
        """The request of one call, its body already read (``request.content`` works).

        Args:
            method: The HTTP method.
            path: The path below the API's prefix (``/vpn/vpn-...``).
            query: The query's encoded ``name=value`` pairs, in any order.
            content: The body's bytes (empty for none).

        Returns:
            The request, unsigned.
        """
        url = self._prefix + path
        if query:
            url += "?" + "&".join(sorted(query))
        # Built from a stream, httpx adds no header of its own: the shared ones are
        # copied as they are, not normalised again for every call.
        request = httpx.Request(
            method, url, headers=self._headers, stream=httpx.ByteStream(content)
        )
        request.headers["Content-Length"] = str(len(content))
        request.read()
        return request


def query_pair(name: str, value: str) -> str:
    """``name=value`` as the query carries it (and the signer signs it).

    Raises:
        UnicodeEncodeError: text that UTF-8 cannot carry.
    """
    return f"{uri_encode(name)}={uri_encode(value)}"


def marker_pair(marker: str) -> str:
    """The next page's ``marker=`` pair, for a marker the service gave.

    Raises:
        BcePaginationError: a marker that cannot be sent back (not UTF-8 text).
    """
    try:
        return query_pair(MARKER, marker)
    except UnicodeEncodeError:
        pass
    raise BcePaginationError(
        "the service gave a next page marker that cannot be sent back (not UTF-8 text)"
    )


def _json_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _unencodable(given: Iterable[tuple[Param, Any]]) -> BceValidationError:
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
