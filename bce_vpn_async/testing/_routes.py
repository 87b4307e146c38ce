"""The wire's map: (method, path, action flag) to an operation and its handler.

Routes come from the SDK's own table of operations (``bce_vpn_async._operations``), so
the emulator answers exactly the paths, methods and flags the client sends, under the
client's method names (faults and the request log speak the same language). The
gateway's PUT is four operations told apart by a valueless query flag (``?bind`` or
``?bind=``). Only the state rules are the emulator's own: one handler per operation,
named after it, in ``_gateways``, ``_tunnels`` or ``_ssl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from bce_vpn_async._operations import OPERATIONS, Operation

from . import _gateways, _ssl, _tunnels
from ._backend import Handler
from ._state import ServiceError

__all__ = ["OPERATION_NAMES", "READ_OPERATIONS", "Match", "Route", "match"]


@frozen
class Route:
    method: str
    pattern: tuple[str, ...]
    operation: Operation[Any]
    handler: Handler
    flag: str | None = None


@frozen
class Match:
    operation: Operation[Any]
    """The table's: handlers read their parameters by it (``Call.operation``)."""
    handler: Handler
    path_ids: Mapping[str, str]


def _handler(name: str) -> Handler:
    modules = (_gateways, _tunnels, _ssl)
    found = [getattr(module, name) for module in modules if hasattr(module, name)]
    if len(found) != 1:
        raise RuntimeError(f"the emulator needs one handler for {name}, found {len(found)}")
    handler: Handler = found[0]
    return handler


def _route_order(route: Route) -> tuple[bool, ...]:
    # Literal segments before placeholders: /vpn/vpnconn/{id} is a tunnel path, not the
    # gateway "vpnconn".
    return tuple(part.startswith("{") for part in route.pattern)


ROUTES = tuple(
    sorted(
        (
            Route(
                operation.method,
                tuple(operation.path.strip("/").split("/")),
                operation,
                _handler(operation.name),
                operation.flag,
            )
            for operation in OPERATIONS
        ),
        key=_route_order,
    )
)

OPERATION_NAMES = frozenset(operation.name for operation in OPERATIONS)
# Reads never replay a clientToken (the official SDK sends one on some GETs anyway).
READ_OPERATIONS = frozenset(operation.name for operation in OPERATIONS if not operation.write)


def _bind(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    ids = {}
    for part, segment in zip(pattern, segments, strict=True):
        if part.startswith("{"):
            if not segment:
                return None
            ids[part[1:-1]] = segment
        elif part != segment:
            return None
    return ids


def match(method: str, path: str, query: Mapping[str, str]) -> Match:
    """The operation a request names, or the ``ServiceError`` the service would answer."""
    segments = path.split("/")[1:] if path.startswith("/") else []
    if not segments or segments[0] != "v1":
        if (
            segments
            and len(segments[0]) > 1
            and segments[0][0] == "v"
            and segments[0][1:].isdigit()
        ):
            raise ServiceError(404, "InvalidVersion", "The API version is not supported.")
        raise ServiceError(400, "InvalidURI", "The request path names no VPN operation.")
    methods_seen = False
    flag_missing = False
    for route in ROUTES:
        ids = _bind(route.pattern, segments[1:])
        if ids is None:
            continue
        if route.method != method:
            methods_seen = True
            continue
        if route.flag is not None and route.flag not in query:
            flag_missing = True
            continue
        return Match(route.operation, route.handler, ids)
    if flag_missing:
        raise ServiceError.bad_request(
            "PUT on a VPN gateway needs one of ?modifyAttribute, ?bind, ?unbind, ?purchaseReserved"
        )
    if methods_seen:
        raise ServiceError(405, "MethodNotAllowed", f"{method} is not allowed on this path.")
    raise ServiceError(400, "InvalidURI", "The request path names no VPN operation.")
