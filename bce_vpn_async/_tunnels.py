"""IPSec tunnel operations: create, list (per gateway), update (whole), delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import validation
from ._core import ClientCore
from .converter import unstructure
from .errors import BceValidationError
from .models import CreateVpnConnResult, IkeConfig, IpsecConfig, OperationResult, VpnConnList

__all__ = ["TunnelOperations"]


def _check_ike(ike: IkeConfig) -> None:
    validation.choice("ike_config.ike_version", ike.ike_version, validation.IKE_VERSIONS)
    validation.choice("ike_config.ike_mode", ike.ike_mode, validation.IKE_MODES)
    validation.choice("ike_config.ike_enc_alg", ike.ike_enc_alg, validation.ENC_ALGS)
    validation.choice("ike_config.ike_pfs", ike.ike_pfs, validation.PFS_GROUPS)
    if ike.ike_auth_alg is not None:
        validation.choice("ike_config.ike_auth_alg", ike.ike_auth_alg, validation.AUTH_ALGS)


def _check_ipsec(ipsec: IpsecConfig) -> None:
    validation.choice("ipsec_config.ipsec_enc_alg", ipsec.ipsec_enc_alg, validation.ENC_ALGS)
    validation.choice("ipsec_config.ipsec_auth_alg", ipsec.ipsec_auth_alg, validation.AUTH_ALGS)
    if ipsec.ipsec_pfs is not None:
        validation.choice("ipsec_config.ipsec_pfs", ipsec.ipsec_pfs, validation.PFS_GROUPS)


def _check_lifetimes(ike: IkeConfig, ipsec: IpsecConfig) -> None:
    ike_lifetime = ipsec_lifetime = None
    if ike.ike_lifetime is not None:
        ike_lifetime = validation.lifetime("ike_config.ike_lifetime", ike.ike_lifetime)
    if ipsec.ipsec_lifetime is not None:
        ipsec_lifetime = validation.lifetime("ipsec_config.ipsec_lifetime", ipsec.ipsec_lifetime)
    validation.lifetimes(ike_lifetime, ipsec_lifetime)


def tunnel_body(
    *,
    validate: bool,
    secret_key: str,
    local_subnets: Sequence[str],
    remote_subnets: Sequence[str],
    vpn_conn_name: str,
    ike_config: IkeConfig,
    ipsec_config: IpsecConfig,
    remote_ip: str | None,
    cgw_id: str | None,
    description: str | None,
) -> dict[str, Any]:
    """The wire body of a tunnel, shared by create and update (camelCase throughout: the
    official SDK's update sends snake_case IKE/IPSec keys the service does not read)."""
    if not isinstance(ike_config, IkeConfig):
        raise BceValidationError("ike_config", "must be an IkeConfig")
    if not isinstance(ipsec_config, IpsecConfig):
        raise BceValidationError("ipsec_config", "must be an IpsecConfig")
    if remote_ip is None and cgw_id is None:
        raise BceValidationError("remote_ip", "give remote_ip or cgw_id (the peer gateway)")
    if cgw_id is not None:
        validation.resource_id("cgw_id", cgw_id)
    if validate:
        validation.secret_key("secret_key", secret_key)
        validation.cidr_list("local_subnets", local_subnets)
        validation.cidr_list("remote_subnets", remote_subnets)
        validation.resource_name("vpn_conn_name", vpn_conn_name)
        _check_ike(ike_config)
        _check_ipsec(ipsec_config)
        _check_lifetimes(ike_config, ipsec_config)
        if remote_ip is not None:
            validation.ip_address("remote_ip", remote_ip)
        if description is not None:
            validation.description("description", description)
    body: dict[str, Any] = {
        "secretKey": secret_key,
        "localSubnets": list(local_subnets),
        "remoteSubnets": list(remote_subnets),
        "vpnConnName": vpn_conn_name,
        "ikeConfig": unstructure(ike_config),
        "ipsecConfig": unstructure(ipsec_config),
    }
    if remote_ip is not None:
        body["remoteIp"] = remote_ip
    if cgw_id is not None:
        body["cgwId"] = cgw_id
    if description is not None:
        body["description"] = description
    return body


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
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        body = tunnel_body(
            validate=self._validate,
            secret_key=secret_key,
            local_subnets=local_subnets,
            remote_subnets=remote_subnets,
            vpn_conn_name=vpn_conn_name,
            ike_config=ike_config,
            ipsec_config=ipsec_config,
            remote_ip=remote_ip,
            cgw_id=cgw_id,
            description=description,
        )
        return await self._call(
            "create_vpn_conn",
            "POST",
            f"/vpn/{vpn_id}/vpnconn",
            CreateVpnConnResult,
            query=[("clientToken", token)],
            body=body,
        )

    async def get_vpn_conn(self, vpn_id: str, *, client_token: str | None = None) -> VpnConnList:
        """Every tunnel of a gateway (``GET /v1/vpn/vpnconn/{vpnId}``; not paginated).
        Each ``VpnConn`` holds the pre-shared key, which its repr hides."""
        self._check_id("vpn_id", vpn_id)
        query = [] if client_token is None else [("clientToken", self._token(client_token))]
        return await self._call(
            "get_vpn_conn", "GET", f"/vpn/vpnconn/{vpn_id}", VpnConnList, query=query
        )

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
        self._check_id("vpn_conn_id", vpn_conn_id)
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        body = tunnel_body(
            validate=self._validate,
            secret_key=secret_key,
            local_subnets=local_subnets,
            remote_subnets=remote_subnets,
            vpn_conn_name=vpn_conn_name,
            ike_config=ike_config,
            ipsec_config=ipsec_config,
            remote_ip=remote_ip,
            cgw_id=cgw_id,
            description=description,
        )
        return await self._call(
            "update_vpn_conn",
            "PUT",
            f"/vpn/vpnconn/{vpn_conn_id}",
            OperationResult,
            query=[("clientToken", token)],
            body={"vpnId": vpn_id, **body},
        )

    async def delete_vpn_conn(
        self, vpn_conn_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete a tunnel."""
        self._check_id("vpn_conn_id", vpn_conn_id)
        token = self._token(client_token)
        return await self._call(
            "delete_vpn_conn",
            "DELETE",
            f"/vpn/vpnconn/{vpn_conn_id}",
            OperationResult,
            query=[("clientToken", token)],
        )
