"""SSL-VPN operations: the service of an SSL gateway, and its users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import validation
from ._core import ClientCore
from .converter import unstructure
from .errors import BceValidationError
from .models import (
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    OperationResult,
    SslVpnServer,
    SslVpnUser,
    SslVpnUserPage,
    SslVpnUserSpec,
)
from .pagination import AsyncPaginator

__all__ = ["SslOperations"]

MAX_USERS_PER_BATCH = 1000


class SslOperations(ClientCore):
    async def create_vpn_sslservice(
        self,
        vpn_id: str,
        *,
        sslservice_name: str,
        local_routes: Sequence[str],
        address_pool: str,
        interface_type: str = "tap",
        client_dns: str | None = None,
        client_token: str | None = None,
    ) -> CreateSslVpnServerResult:
        """Create the SSL-VPN service of an SSL gateway (one per gateway).

        ``local_routes`` are the subnets clients reach, ``address_pool`` the CIDR their
        addresses come from. ``interface_type`` defaults to ``tap`` as the API documents
        (the official SDK silently sends ``tun``) and cannot change later.
        """
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        if self._validate:
            validation.resource_name("sslservice_name", sslservice_name)
            validation.cidr_list("local_routes", local_routes)
            validation.cidr("address_pool", address_pool)
            validation.choice("interface_type", interface_type, validation.INTERFACE_TYPES)
            if client_dns is not None:
                validation.ip_address("client_dns", client_dns)
        body: dict[str, Any] = {
            "sslVpnServerName": sslservice_name,
            "localSubnets": list(local_routes),
            "remoteSubnet": address_pool,
            "interfaceType": interface_type,
        }
        if client_dns is not None:
            body["clientDns"] = client_dns
        return await self._call(
            "create_vpn_sslservice",
            "POST",
            f"/vpn/{vpn_id}/sslVpnServer",
            CreateSslVpnServerResult,
            query=[("clientToken", token)],
            body=body,
        )

    async def get_vpn_sslservice(
        self, vpn_id: str, *, client_token: str | None = None
    ) -> SslVpnServer:
        """The gateway's SSL-VPN service."""
        self._check_id("vpn_id", vpn_id)
        query = [] if client_token is None else [("clientToken", self._token(client_token))]
        return await self._call(
            "get_vpn_sslservice", "GET", f"/vpn/{vpn_id}/sslVpnServer", SslVpnServer, query=query
        )

    async def update_vpn_sslservice(
        self,
        vpn_id: str,
        sslservice_id: str,
        *,
        sslservice_name: str | None = None,
        local_routes: Sequence[str] | None = None,
        address_pool: str | None = None,
        client_dns: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Change the SSL-VPN service; connected clients are disconnected.
        Its interface type cannot change."""
        self._check_id("vpn_id", vpn_id)
        self._check_id("sslservice_id", sslservice_id)
        token = self._token(client_token)
        if self._validate:
            if sslservice_name is not None:
                validation.resource_name("sslservice_name", sslservice_name)
            if local_routes is not None:
                validation.cidr_list("local_routes", local_routes)
            if address_pool is not None:
                validation.cidr("address_pool", address_pool)
            if client_dns is not None:
                validation.ip_address("client_dns", client_dns)
        fields = (
            ("sslVpnServerName", sslservice_name),
            ("localSubnets", None if local_routes is None else list(local_routes)),
            ("remoteSubnet", address_pool),
            ("clientDns", client_dns),
        )
        body = {key: value for key, value in fields if value is not None}
        if not body:
            raise BceValidationError("sslservice_name", "give at least one field to change")
        return await self._call(
            "update_vpn_sslservice",
            "PUT",
            f"/vpn/{vpn_id}/sslVpnServer/{sslservice_id}",
            OperationResult,
            query=[("clientToken", token)],
            body=body,
        )

    async def delete_vpn_sslservice(
        self, vpn_id: str, sslservice_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete the SSL-VPN service; its users must be deleted first."""
        self._check_id("vpn_id", vpn_id)
        self._check_id("sslservice_id", sslservice_id)
        token = self._token(client_token)
        return await self._call(
            "delete_vpn_sslservice",
            "DELETE",
            f"/vpn/{vpn_id}/sslVpnServer/{sslservice_id}",
            OperationResult,
            query=[("clientToken", token)],
        )

    async def create_vpn_sslusers(
        self,
        vpn_id: str,
        *,
        sslusers: Sequence[SslVpnUserSpec],
        client_token: str | None = None,
    ) -> CreateSslVpnUsersResult:
        """Create SSL-VPN users in one batch; returns their ids in the order given."""
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        if not isinstance(sslusers, Sequence) or isinstance(sslusers, str) or not sslusers:
            raise BceValidationError("sslusers", "must be a non-empty sequence of SslVpnUserSpec")
        if len(sslusers) > MAX_USERS_PER_BATCH:
            raise BceValidationError("sslusers", f"at most {MAX_USERS_PER_BATCH} users per call")
        users = []
        for index, user in enumerate(sslusers):
            if not isinstance(user, SslVpnUserSpec):
                raise BceValidationError(f"sslusers[{index}]", "must be an SslVpnUserSpec")
            if self._validate:
                validation.resource_name(f"sslusers[{index}].user_name", user.user_name)
                validation.ssl_password(f"sslusers[{index}].password", user.password)
                if user.description is not None:
                    validation.description(f"sslusers[{index}].description", user.description)
                if user.client_name is not None:
                    validation.description(f"sslusers[{index}].client_name", user.client_name)
            users.append(unstructure(user))
        return await self._call(
            "create_vpn_sslusers",
            "POST",
            f"/vpn/{vpn_id}/sslVpnUser",
            CreateSslVpnUsersResult,
            query=[("clientToken", token)],
            body={"sslVpnUsers": users},
        )

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
        self._check_id("vpn_id", vpn_id)
        query = []
        if user_name is not None:
            if self._validate:
                validation.resource_name("user_name", user_name)
            query.append(("userName", user_name))
        return self._paginate(
            "get_vpn_ssl_user",
            f"/vpn/{vpn_id}/sslVpnUser",
            SslVpnUserPage,
            _users_of,
            query,
            marker=marker,
            max_keys=max_keys,
            max_items=max_items,
        )

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
        self._check_id("vpn_id", vpn_id)
        self._check_id("ssluser_id", ssluser_id)
        token = self._token(client_token)
        fields = (("password", password), ("description", description), ("clientName", client_name))
        body = {key: value for key, value in fields if value is not None}
        if not body:
            raise BceValidationError("password", "give password, description or client_name")
        if self._validate:
            if password is not None:
                validation.ssl_password("password", password)
            if description is not None:
                validation.description("description", description)
            if client_name is not None:
                validation.description("client_name", client_name)
        return await self._call(
            "update_vpn_ssl_user",
            "PUT",
            f"/vpn/{vpn_id}/sslVpnUser/{ssluser_id}",
            OperationResult,
            query=[("clientToken", token)],
            body=body,
        )

    async def delete_vpn_ssl_user(
        self, vpn_id: str, ssluser_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete a user; an open session is not cut, the next login fails."""
        self._check_id("vpn_id", vpn_id)
        self._check_id("ssluser_id", ssluser_id)
        token = self._token(client_token)
        return await self._call(
            "delete_vpn_ssl_user",
            "DELETE",
            f"/vpn/{vpn_id}/sslVpnUser/{ssluser_id}",
            OperationResult,
            query=[("clientToken", token)],
        )


def _users_of(page: SslVpnUserPage) -> Sequence[SslVpnUser]:
    return page.ssl_vpn_users
