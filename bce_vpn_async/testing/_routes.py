"""The wire's map: (method, path, action flag) to an operation and its handler.

Routes come from the SDK's own table of operations (``bce_vpn_async._operations``), so
the emulator answers exactly the paths, methods and flags the client sends, under the
client's method names (faults and the request log speak the same language). The
gateway's PUT is four operations told apart by a valueless query flag (``?bind`` or
``?bind=``). Only the state rules are the emulator's own: one handler per operation,
named after it (``_service.handler_for``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from bce_vpn_async._operations import OPERATIONS, Operation

from ._service import Handler, ServiceError, handler_for

__all__ = ["OPERATION_NAMES", "Match", "Route", "match", "single_values"]


@frozen
class Route:
    """One operation's place on the wire: method, path pattern, action flag."""

    method: str
    pattern: tuple[str, ...]
    operation: Operation[Any]
    handler: Handler
    flag: str | None = None


@frozen
class Match:
    """The operation a request names, its handler and the ids its path holds."""

    operation: Operation[Any]
    """The table's: handlers read their parameters by it (``Call.operation``)."""
    handler: Handler
    path_ids: Mapping[str, str]


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
                handler_for(operation.name),
                operation.flag,
            )
            for operation in OPERATIONS
        ),
        key=_route_order,
    )
)

OPERATION_NAMES: frozenset[str] = frozenset(operation.name for operation in OPERATIONS)
"""The 21 operations' names, as the SDK's methods (``"create_vpn"``): what a fault rule's
``op`` and a logged request's ``operation`` take."""


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


def single_values(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The query as a mapping; a key given twice is ``BadRequest``: no API parameter is a
    list, and which of two values a server reads differs from one framework to the next."""
    query: dict[str, str] = {}
    for key, value in pairs:
        if key in query:
            raise ServiceError.bad_request(f"The query parameter {key} is given more than once.")
        query[key] = value
    return query


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
    bound = [
        (route, ids) for route in ROUTES if (ids := _bind(route.pattern, segments[1:])) is not None
    ]
    if not bound:
        raise ServiceError(400, "InvalidURI", "The request path names no VPN operation.")
    routes = [(route, ids) for route, ids in bound if route.method == method]
    if not routes:
        # No source lists a method error (docs/service/api-facts.md#errors): an illegal
        # request is BadRequest.
        raise ServiceError.bad_request(f"{method} is not allowed on this path.")
    # Literal segments first: GET /vpn/vpnconn/x lists the tunnels of x.
    route, ids = routes[0]
    if route.flag is not None:
        # The gateway's PUT: one route per action flag. None of them, or two
        # (?bind&unbind), names no one operation.
        actions = [action for action, _ in routes if action.pattern == route.pattern]
        named = [action for action in actions if action.flag in query]
        if len(named) != 1:
            flags = ", ".join(f"?{action.flag}" for action in actions)
            raise ServiceError.bad_request(f"{method} on this path takes exactly one of {flags}.")
        route = named[0]
    return Match(route.operation, route.handler, ids)
