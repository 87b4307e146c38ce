"""IPSec tunnel operations: create, list (per gateway), update (whole), delete."""

from __future__ import annotations

from collections.abc import Sequence

from . import _operations as ops
from ._core import ClientCore
from ._models import CreateVpnConnResult, IkeConfig, IpsecConfig, OperationResult, VpnConnList

__all__ = ["TunnelOperations"]


class TunnelOperations(ClientCore):
    async def create_vpn_conn(
        self,
        vpn_id: str,
        *,
        secret_key: str,
        local_subnets: Sequence[str],
        remote_subnets: Sequence[str],
        vpn_conn_name: str,
        ike_config: IkeConfig,
        ipsec_config: IpsecConfig,
        remote_ip: str | None = None,
        cgw_id: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> CreateVpnConnResult:
        """Create a policy-based IPSec tunnel on a gateway. The peer is ``remote_ip`` (the
        seed API) or ``cgw_id`` (a customer gateway, the current API)."""
        return await self._invoke(ops.CREATE_VPN_CONN, locals())

    async def get_vpn_conn(self, vpn_id: str, *, client_token: str | None = None) -> VpnConnList:
        """Every tunnel of a gateway (``GET /v1/vpn/vpnconn/{vpnId}``; not paginated).
        Each ``VpnConn`` holds the pre-shared key, which its repr hides."""
        return await self._invoke(ops.GET_VPN_CONN, locals())

    async def update_vpn_conn(
        self,
        vpn_conn_id: str,
        *,
        vpn_id: str,
        secret_key: str,
        local_subnets: Sequence[str],
        remote_subnets: Sequence[str],
        vpn_conn_name: str,
        ike_config: IkeConfig,
        ipsec_config: IpsecConfig,
        remote_ip: str | None = None,
        cgw_id: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Replace a tunnel's whole configuration: every field is sent, as the API requires."""
        return await self._invoke(ops.UPDATE_VPN_CONN, locals())

    async def delete_vpn_conn(
        self, vpn_conn_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete a tunnel."""
        return await self._invoke(ops.DELETE_VPN_CONN, locals())
