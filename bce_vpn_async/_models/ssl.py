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


@frozen(kw_only=True)
class SslVpnServer:
    """The SSL-VPN service of a gateway (``get_vpn_sslservice``, or nested in a ``Vpn``)."""

    ssl_vpn_server_id: str
    vpn_id: str | None = None
    ssl_vpn_server_name: str | None = None
    interface_type: str | None = None
    status: str | None = None
    local_subnets: tuple[str, ...] = ()
    remote_subnet: str | None = None
    client_dns: str | None = None
    max_connection: int | None = None
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)


@frozen(kw_only=True)
class SslVpnUser:
    """An SSL-VPN user as listed by the service (the password is never returned)."""

    user_id: str
    user_name: str | None = None
    description: str | None = None
    client_name: str | None = None


@frozen
class SslVpnUserSpec:
    """A user to create with ``create_vpn_sslusers``. ``client_name`` is the API's newer
    optional label for the user's client."""

    user_name: str
    password: str = field(repr=False)
    description: str | None = None
    client_name: str | None = None


@frozen(kw_only=True)
class SslVpnUserPage(PageFields):
    """One page of ``get_vpn_ssl_user``."""

    ssl_vpn_users: tuple[SslVpnUser, ...] = ()

    @property
    def items(self) -> tuple[SslVpnUser, ...]:
        """The page's users under the name every page shares."""
        return self.ssl_vpn_users


@frozen(kw_only=True)
class CreateSslVpnServerResult:
    """The new SSL-VPN service's id (``create_vpn_sslservice``)."""

    ssl_vpn_server_id: str
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)


@frozen(kw_only=True)
class CreateSslVpnUsersResult:
    """The ids of the new users, in the order they were given."""

    ssl_vpn_user_ids: tuple[str, ...]
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
