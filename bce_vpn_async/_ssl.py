"""SSL-VPN operations: the service of an SSL gateway, and its users."""

from __future__ import annotations

from collections.abc import Sequence

from . import _operations as ops
from ._core import ClientCore
from ._models import (
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    OperationResult,
    SslVpnServer,
    SslVpnUser,
    SslVpnUserPage,
    SslVpnUserSpec,
)
from ._pagination import AsyncPaginator
from ._rules import InterfaceType

__all__ = ["SslOperations"]


class SslOperations(ClientCore):
    async def create_vpn_sslservice(
        self,
        vpn_id: str,
        *,
        sslservice_name: str,
        local_routes: Sequence[str],
        address_pool: str,
        interface_type: InterfaceType = "tap",
        client_dns: str | None = None,
        client_token: str | None = None,
    ) -> CreateSslVpnServerResult:
        """Create the SSL-VPN service of an SSL gateway (one per gateway).

        ``local_routes`` are the subnets clients reach, ``address_pool`` the CIDR their
        addresses come from. ``interface_type`` defaults to ``tap`` as the API documents
        (the official SDK silently sends ``tun``) and cannot change later.
        """
        return await self._invoke(ops.CREATE_VPN_SSLSERVICE, locals())

    async def get_vpn_sslservice(
        self, vpn_id: str, *, client_token: str | None = None
    ) -> SslVpnServer:
        """The gateway's SSL-VPN service."""
        return await self._invoke(ops.GET_VPN_SSLSERVICE, locals())

    async def update_vpn_sslservice(
        self,
        vpn_id: str,
        sslservice_id: str,
        *,
        sslservice_name: str,
        local_routes: Sequence[str],
        address_pool: str,
        client_dns: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Set the SSL-VPN service's name, routes and address pool (all three required, as
        the API documents) and, optionally, its client DNS; connected clients are
        disconnected. Its interface type cannot change."""
        return await self._invoke(ops.UPDATE_VPN_SSLSERVICE, locals())

    async def delete_vpn_sslservice(
        self, vpn_id: str, sslservice_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete the SSL-VPN service; its users must be deleted first."""
        return await self._invoke(ops.DELETE_VPN_SSLSERVICE, locals())

    async def create_vpn_sslusers(
        self,
        vpn_id: str,
        *,
        sslusers: Sequence[SslVpnUserSpec],
        client_token: str | None = None,
    ) -> CreateSslVpnUsersResult:
        """Create SSL-VPN users in one batch; returns their ids in the order given."""
        return await self._invoke(ops.CREATE_VPN_SSLUSERS, locals())

    def get_vpn_ssl_user(
        self,
        vpn_id: str,
        *,
        user_name: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[SslVpnUserPage, SslVpnUser]:
        """The SSL-VPN users of a gateway, optionally filtered by ``user_name``:
        ``await`` it for one page, ``async for`` it for every user, or walk ``.pages()``."""
        return self._paginate(ops.GET_VPN_SSL_USER, locals())

    async def update_vpn_ssl_user(
        self,
        vpn_id: str,
        ssluser_id: str,
        *,
        password: str | None = None,
        description: str | None = None,
        client_name: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Change a user's password, description or client name; the user name cannot
        change."""
        return await self._invoke(ops.UPDATE_VPN_SSL_USER, locals())

    async def delete_vpn_ssl_user(
        self, vpn_id: str, ssluser_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete a user; an open session is not cut, the next login fails."""
        return await self._invoke(ops.DELETE_VPN_SSL_USER, locals())
