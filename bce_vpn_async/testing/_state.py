"""The emulator's records, its status machine and the JSON the service answers with.

Records are mutable (the backend edits them in place); a gateway's status is never
stored but computed from timestamps on each read, so nothing runs in the background and a
``FakeClock`` moves every gateway forward at once.

Status machine (spec section 5 leaves it to us):

- ``building`` from creation until ``build_seconds`` have passed;
- ``configuring`` for ``configure_seconds`` after a bind, an unbind, or a tunnel or
  SSL-VPN service change;
- ``expired`` once a prepaid term has run out (until renewed);
- otherwise settled: ``unconfigured`` until its first configuration (an EIP bound, at
  creation or later, or a tunnel or SSL-VPN service created), ``active`` from then on.

No source ties ``active`` to an EIP: the seed guide's ``get_vpn`` example is ``"status":
"active", "eip": ""`` with no tunnel and no SSL-VPN service, so a gateway stays active once
configured, whatever is later removed. The guide says a new gateway becomes
``unconfigured`` and "only then" may be configured; binding, tunnels and the SSL-VPN
service are its configuration (spec 5, 0a).
"""

from __future__ import annotations

import time
from typing import Any

from attrs import define, field

__all__ = [
    "Gateway",
    "ServiceError",
    "SslServer",
    "SslUser",
    "Tunnel",
    "gateway_view",
    "set_given",
    "ssl_server_view",
    "tunnel_view",
    "user_view",
    "wire_time",
]

Json = dict[str, Any]


class ServiceError(Exception):
    """An answer the service gives as a BCE error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")

    @classmethod
    def bad_request(cls, message: str) -> ServiceError:
        return cls(400, "BadRequest", message)

    @classmethod
    def inappropriate_json(cls, message: str) -> ServiceError:
        return cls(400, "InappropriateJSON", message)

    @classmethod
    def not_found(cls, what: str, ident: str) -> ServiceError:
        return cls(404, "NoSuchObject", f"The {what} {ident} does not exist.")

    @classmethod
    def denied(cls, message: str) -> ServiceError:
        return cls(409, "OperationDenied", message)


def set_given(record: object, **changes: object) -> None:
    """Set each field of ``record`` named in ``changes`` whose value was given (not None):
    an update changes what it names and keeps the rest."""
    for name, value in changes.items():
        if value is not None:
            setattr(record, name, value)


def wire_time(epoch: float) -> str:
    """Every time the service answers: ``"2021-04-25 17:22:34"``, as the seed ``get_vpn`` and
    ``list_vpns`` examples, D:Xk2ydminh and D:Bk2ynne1n show it. No source names the zone;
    the emulator writes UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


@define
class SslUser:
    user_id: str
    user_name: str
    password: str = field(repr=False)
    description: str = ""
    client_name: str | None = None


@define
class SslServer:
    server_id: str
    name: str
    interface_type: str
    local_subnets: list[str]
    remote_subnet: str
    client_dns: str = ""
    users: dict[str, SslUser] = field(factory=dict)


@define
class Tunnel:
    vpn_conn_id: str
    vpn_id: str
    name: str
    secret_key: str = field(repr=False)
    local_subnets: list[str] = field(factory=list)
    remote_subnets: list[str] = field(factory=list)
    remote_ip: str | None = None
    cgw_id: str | None = None
    description: str = ""
    ike: Json = field(factory=dict)
    ipsec: Json = field(factory=dict)
    created_at: float = 0.0


@define
class Gateway:
    vpn_id: str
    access_key_id: str
    vpc_id: str
    name: str
    vpn_type: str
    payment_timing: str
    created_at: float
    ready_at: float
    description: str = ""
    subnet_id: str | None = None
    eip: str = ""
    billing_method: str | None = None
    expires_at: float | None = None
    max_connection: int | None = None
    tags: list[Json] = field(factory=list)
    delete_protect: bool = False
    resource_group_id: str | None = None
    busy_until: float = 0.0
    configured: bool = False
    tunnels: dict[str, Tunnel] = field(factory=dict)
    ssl_server: SslServer | None = None

    def status(self, now: float) -> str:
        if now < self.ready_at:
            return "building"
        if now < self.busy_until:
            return "configuring"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active" if self.configured else "unconfigured"


def _lifetime(seconds: int) -> str:
    # Lifetimes go out as strings with a unit, as the seed guide shows them ("28800s");
    # GO decodes them into string fields, so the service cannot be sending numbers.
    return f"{seconds}s"


def tunnel_view(tunnel: Tunnel, gateway: Gateway) -> Json:
    ike = dict(tunnel.ike)
    if "ikeLifeTime" in ike:
        ike["ikeLifeTime"] = _lifetime(ike["ikeLifeTime"])
    ipsec = dict(tunnel.ipsec)
    if "ipsecLifetime" in ipsec:
        ipsec["ipsecLifetime"] = _lifetime(ipsec["ipsecLifetime"])
    return {
        "vpnId": tunnel.vpn_id,
        "vpnConnId": tunnel.vpn_conn_id,
        "vpnConnName": tunnel.name,
        "localIp": gateway.eip or None,
        "secretKey": tunnel.secret_key,
        "localSubnets": list(tunnel.local_subnets),
        "remoteIp": tunnel.remote_ip,
        "cgwId": tunnel.cgw_id,
        "remoteSubnets": list(tunnel.remote_subnets),
        "description": tunnel.description,
        "status": "active",
        # No healthStatus: the emulator has no peer to reach, and no value it could answer
        # would be a fact (spec 11).
        "createdTime": wire_time(tunnel.created_at),
        "ikeConfig": ike,
        "ipsecConfig": ipsec,
    }


def ssl_server_view(server: SslServer, gateway: Gateway) -> Json:
    return {
        "vpnId": gateway.vpn_id,
        "sslVpnServerId": server.server_id,
        "sslVpnServerName": server.name,
        "interfaceType": server.interface_type,
        "status": "active",
        "localSubnets": list(server.local_subnets),
        "remoteSubnet": server.remote_subnet,
        "clientDns": server.client_dns,
        "maxConnection": gateway.max_connection,
    }


def user_view(user: SslUser) -> Json:
    view: Json = {
        "userId": user.user_id,
        "userName": user.user_name,
        "description": user.description,
    }
    if user.client_name is not None:
        view["clientName"] = user.client_name
    return view


def gateway_view(gateway: Gateway, now: float) -> Json:
    tunnels = [tunnel_view(gateway.tunnels[key], gateway) for key in sorted(gateway.tunnels)]
    server = gateway.ssl_server
    return {
        "vpnId": gateway.vpn_id,
        "vpnName": gateway.name,
        "vpcId": gateway.vpc_id,
        "subnetId": gateway.subnet_id,
        "description": gateway.description,
        "type": gateway.vpn_type,
        "status": gateway.status(now),
        "eip": gateway.eip,
        "paymentTiming": gateway.payment_timing,
        # No bandwidthInMbps: it is the bound EIP's, which the emulator does not know.
        "createTime": wire_time(gateway.created_at),
        # null for a postpaid gateway, as the seed examples show.
        "expiredTime": None if gateway.expires_at is None else wire_time(gateway.expires_at),
        "vpnConnNum": len(tunnels),
        "vpnConns": tunnels,
        "maxConnection": gateway.max_connection,
        "sslVpnServer": None if server is None else ssl_server_view(server, gateway),
        "tags": [dict(tag) for tag in gateway.tags],
        "deleteProtect": gateway.delete_protect,
    }
