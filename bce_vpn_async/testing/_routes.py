"""The wire's map: (method, path, action flag) to an operation (spec section 2).

Operation names are the SDK's method names, so faults and the request log speak the
same language as the client. The gateway's PUT is four operations told apart by a
valueless query flag (``?bind`` or ``?bind=``).
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from . import _ssl, _tunnels
from ._backend import Backend, Operation
from ._state import ServiceError

__all__ = ["OPERATION_NAMES", "READ_OPERATIONS", "Match", "Route", "match"]


@frozen
class Route:
    method: str
    pattern: tuple[str, ...]
    operation: str
    handler: Operation
    flag: str | None = None


@frozen
class Match:
    operation: str
    handler: Operation
    path_ids: Mapping[str, str]


_VPN = ("vpn", "{vpnId}")

ROUTES = (
    Route("POST", ("vpn",), "create_vpn", Backend.create_vpn),
    Route("GET", ("vpn",), "list_vpns", Backend.list_vpns),
    # Literal segments first: /vpn/vpnconn/{id} is a tunnel path, not gateway "vpnconn".
    Route("GET", ("vpn", "vpnconn", "{vpnId}"), "get_vpn_conn", _tunnels.get_vpn_conn),
    Route("PUT", ("vpn", "vpnconn", "{vpnConnId}"), "update_vpn_conn", _tunnels.update_vpn_conn),
    Route("DELETE", ("vpn", "vpnconn", "{vpnConnId}"), "delete_vpn_conn", _tunnels.delete_vpn_conn),
    Route("GET", _VPN, "get_vpn", Backend.get_vpn),
    Route("DELETE", _VPN, "delete_vpn", Backend.delete_vpn),
    Route("PUT", _VPN, "update_vpn", Backend.update_vpn, "modifyAttribute"),
    Route("PUT", _VPN, "bind_eip", Backend.bind_eip, "bind"),
    Route("PUT", _VPN, "unbind_eip", Backend.unbind_eip, "unbind"),
    Route("PUT", _VPN, "renew_vpn", Backend.renew_vpn, "purchaseReserved"),
    Route("POST", (*_VPN, "vpnconn"), "create_vpn_conn", _tunnels.create_vpn_conn),
    Route("POST", (*_VPN, "sslVpnServer"), "create_vpn_sslservice", _ssl.create_vpn_sslservice),
    Route("GET", (*_VPN, "sslVpnServer"), "get_vpn_sslservice", _ssl.get_vpn_sslservice),
    Route(
        "PUT",
        (*_VPN, "sslVpnServer", "{sslVpnServerId}"),
        "update_vpn_sslservice",
        _ssl.update_vpn_sslservice,
    ),
    Route(
        "DELETE",
        (*_VPN, "sslVpnServer", "{sslVpnServerId}"),
        "delete_vpn_sslservice",
        _ssl.delete_vpn_sslservice,
    ),
    Route("POST", (*_VPN, "sslVpnUser"), "create_vpn_sslusers", _ssl.create_vpn_sslusers),
    Route("GET", (*_VPN, "sslVpnUser"), "get_vpn_ssl_user", _ssl.get_vpn_ssl_user),
    Route(
        "PUT", (*_VPN, "sslVpnUser", "{userId}"), "update_vpn_ssl_user", _ssl.update_vpn_ssl_user
    ),
    Route(
        "DELETE",
        (*_VPN, "sslVpnUser", "{userId}"),
        "delete_vpn_ssl_user",
        _ssl.delete_vpn_ssl_user,
    ),
    Route(
        "PUT",
        (*_VPN, "deleteProtect"),
        "update_vpn_delete_protect",
        Backend.update_vpn_delete_protect,
    ),
)

OPERATION_NAMES = frozenset(route.operation for route in ROUTES)
# Reads never replay a clientToken (the official SDK sends one on some GETs anyway).
READ_OPERATIONS = frozenset(route.operation for route in ROUTES if route.method == "GET")


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
