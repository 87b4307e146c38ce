"""SSL-VPN: the one server of an SSL gateway, and its users."""

# No `from __future__ import annotations`: the converter reads these annotations as
# types, and strings would be compiled one by one inside the first call (~5 ms).
from attrs import field, frozen

from bce_vpn_async._models.common import EMPTY_METADATA, PageFields, ResponseMetadata

__all__ = [
    "CreateSslVpnServerResult",
    "CreateSslVpnUsersResult",
    "SslVpnServer",
    "SslVpnUser",
    "SslVpnUserPage",
    "SslVpnUserSpec",
]


# Fields: docs/service/api-facts.md#ssl-vpn-server and docs/service/api-facts.md#ssl-vpn-users.
@frozen(kw_only=True)
class SslVpnServer:
    """The SSL-VPN service of a gateway (``get_vpn_sslservice``, or nested in a ``Vpn``).

    A field the response leaves out is None (an empty tuple for a list).
    """

    ssl_vpn_server_id: str
    """The service's id (``sslVpnServerId``), such as ``sslvpn-5b2hq4nm40tt``.

    The ``sslservice_id`` of the client's methods.
    """
    vpn_id: str | None = None
    """The id of its gateway (``vpnId``)."""
    ssl_vpn_server_name: str | None = None
    """Its name (``sslVpnServerName``, the methods' ``sslservice_name``).

    1 to 65 letters, digits and ``-_/.``, starting with a letter.
    """
    interface_type: str | None = None
    """``tap`` or ``tun`` (``interfaceType``); fixed when the service is created."""
    status: str | None = None
    """Its status, as the service sends it.

    The reference documents the field, not its values.
    """
    local_subnets: tuple[str, ...] = ()
    """The subnets its clients reach, in CIDR form (``localSubnets``).

    The ``local_routes`` of the client's methods.
    """
    remote_subnet: str | None = None
    """The CIDR its clients' addresses come from (``remoteSubnet``).

    The ``address_pool`` of the client's methods.
    """
    client_dns: str | None = None
    """The DNS address given to clients (``clientDns``); None when none was set."""
    max_connection: int | None = None
    """The most client connections (``maxConnection``)."""
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange of ``get_vpn_sslservice``; none when nested in a ``Vpn``."""


@frozen(kw_only=True)
class SslVpnUser:
    """An SSL-VPN user as listed by the service (the password is never returned)."""

    user_id: str
    """The user's id (``userId``), such as ``vpn-ssl-user-xynkefqf3n5x``.

    The ``ssluser_id`` of the client's methods.
    """
    user_name: str | None = None
    """The login name (``userName``); it cannot change."""
    description: str | None = None
    """The user's description."""
    client_name: str | None = None
    """The label of the user's client (``clientName``); None when not answered.

    A field of the 2025 reference.
    """


@frozen
class SslVpnUserSpec:
    """A user to create with ``create_vpn_sslusers``.

    The password is kept out of the repr; the service never returns it.
    """

    user_name: str
    """The login name (``userName``); it cannot change later.

    1 to 65 letters, digits and ``-_/.``, starting with a letter.
    """
    password: str = field(repr=False)
    """The password; never in the repr.

    8 to 17 ASCII letters, digits and symbols, at least one of each, the symbols only from
    ``!@#$%^*(_`` (no ``)``).
    """
    description: str | None = None
    """The user's description; None sends none.

    Up to 200 characters, with no line breaks or control characters.
    """
    client_name: str | None = None
    """The API's newer optional label for the user's client (``clientName``).

    Under the same rule as ``description``; None sends none.
    """


@frozen(kw_only=True)
class SslVpnUserPage(PageFields):
    """One page of ``get_vpn_ssl_user``."""

    ssl_vpn_users: tuple[SslVpnUser, ...] = ()
    """The page's users (``sslVpnUsers``), in the service's order."""

    @property
    def items(self) -> tuple[SslVpnUser, ...]:
        """The page's users under the name every page shares."""
        return self.ssl_vpn_users


@frozen(kw_only=True)
class CreateSslVpnServerResult:
    """The new SSL-VPN service's id (``create_vpn_sslservice``)."""

    ssl_vpn_server_id: str
    """The new service's id (``sslVpnServerId``)."""
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange of ``create_vpn_sslservice``."""


@frozen(kw_only=True)
class CreateSslVpnUsersResult:
    """The ids of the new users, in the order they were given."""

    ssl_vpn_user_ids: tuple[str, ...]
    """The new users' ids (``sslVpnUserIds``), in the order of ``sslusers``."""
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange of ``create_vpn_sslusers``."""
