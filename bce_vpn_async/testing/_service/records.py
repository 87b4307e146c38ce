"""The emulator's records of gateways, tunnels, SSL-VPN services and users, and the
gateway's status machine.

Records are mutable (the handlers edit them in place). A gateway's status is never stored
but computed from timestamps on each read, so nothing runs in the background and a
``FakeClock`` moves every gateway forward at once:

- ``building`` from creation until ``build_seconds`` have passed;
- ``configuring`` for ``configure_seconds`` after a bind, an unbind, or a tunnel or
  SSL-VPN service change;
- ``expired`` once a prepaid term has run out (until renewed);
- otherwise settled: ``unconfigured`` until its first configuration (an EIP bound, at
  creation or later, or a tunnel or SSL-VPN service created), ``active`` from then on,
  whatever is later removed.

No source ties ``active`` to an EIP, and the seed guide's new gateway becomes
``unconfigured`` before it may be configured: ``docs/service/disagreements.md#status-and-eip``.
"""

from __future__ import annotations

from typing import Any

from attrs import define, field

__all__ = ["Gateway", "Json", "SslServer", "SslUser", "Tunnel", "set_given"]

Json = dict[str, Any]


def set_given(record: object, **changes: object) -> None:
    """Set each field of ``record`` named in ``changes`` whose value was given (not None):
    an update changes what it names and keeps the rest."""
    for name, value in changes.items():
        if value is not None:
            setattr(record, name, value)


@define
class SslUser:
    """An SSL-VPN user; its password is kept (for no read: none answers it) out of reprs."""

    user_id: str
    user_name: str
    password: str = field(repr=False)
    description: str = ""
    client_name: str | None = None


@define
class SslServer:
    """A gateway's SSL-VPN service and its users, by id."""

    server_id: str
    name: str
    interface_type: str
    local_subnets: list[str]
    remote_subnet: str
    client_dns: str = ""
    users: dict[str, SslUser] = field(factory=dict)


@define
class Tunnel:
    """An IPSec tunnel; ``ike`` and ``ipsec`` hold the settings given, by their wire names."""

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
    """A VPN gateway of one account, with its tunnels and its SSL-VPN service."""

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
        """The status at ``now``, computed from the gateway's timestamps."""
        if now < self.ready_at:
            return "building"
        if now < self.busy_until:
            return "configuring"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active" if self.configured else "unconfigured"
