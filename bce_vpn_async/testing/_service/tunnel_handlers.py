"""The state rules of IPSec tunnels (``docs/service/api-facts.md#create-tunnel``): only on
IPSec gateways, each change reconfigures the gateway."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from attrs import evolve

from bce_vpn_async import _rules as validation
from bce_vpn_async._converter import wire_name
from bce_vpn_async._models import IkeConfig, IpsecConfig

from .backend import Backend, Call
from .errors import ServiceError
from .inputs import Body, apply_rule, lenient_lifetime
from .records import Gateway, Json, Tunnel
from .views import tunnel_view

__all__ = ["create_vpn_conn", "delete_vpn_conn", "get_vpn_conn", "update_vpn_conn"]


def _cidrs(body: Body, field: str) -> list[str]:
    value = body.texts(field, required=True)
    return apply_rule(validation.cidr_list, body.name(field), value)


def _lifetime(
    backend: Backend, body: Body, field: str, in_range: Callable[[str, object], int]
) -> int | None:
    value = body.number_or_text(field)
    if value is None:
        return None
    if backend.strict_validation:
        return apply_rule(in_range, body.name(field), value)
    return lenient_lifetime(body.name(field), value)


def _configs(backend: Backend, body: Body) -> tuple[Json, Json]:
    ike = body.need_child("ike_config", IkeConfig)
    ipsec = body.need_child("ipsec_config", IpsecConfig)
    ike_config: dict[str, Any] = {
        "ike_version": ike.need_choice("ike_version", validation.IKE_VERSIONS),
        "ike_mode": ike.need_choice("ike_mode", validation.IKE_MODES),
        "ike_enc_alg": ike.need_choice("ike_enc_alg", validation.ENC_ALGS),
        "ike_auth_alg": ike.choice("ike_auth_alg", validation.AUTH_ALGS),
        "ike_pfs": ike.need_choice("ike_pfs", validation.PFS_GROUPS),
        "ike_lifetime": _lifetime(backend, ike, "ike_lifetime", validation.ike_lifetime),
    }
    ipsec_config: dict[str, Any] = {
        "ipsec_enc_alg": ipsec.need_choice("ipsec_enc_alg", validation.ENC_ALGS),
        "ipsec_auth_alg": ipsec.need_choice("ipsec_auth_alg", validation.AUTH_ALGS),
        "ipsec_pfs": ipsec.choice("ipsec_pfs", validation.IPSEC_PFS_GROUPS),
        "ipsec_lifetime": _lifetime(backend, ipsec, "ipsec_lifetime", validation.ipsec_lifetime),
    }
    # An optional setting left out is answered as left out: the service's defaults are in
    # no source, so the emulator claims none (docs/service/disagreements.md#unsourced-values).
    # No rule ties the two lifetimes (docs/service/disagreements.md#lifetimes).
    return _given(IkeConfig, ike_config), _given(IpsecConfig, ipsec_config)


def _given(model: type, config: Json) -> Json:
    # Stored as the wire spells it (the views answer it as stored).
    return {wire_name(model, key): value for key, value in config.items() if value is not None}


def _read_tunnel(backend: Backend, body: Body) -> dict[str, Any]:
    """A whole tunnel's settings from ``body``, as ``Tunnel`` fields: create and update both
    replace all."""
    secret = body.need("secret_key", validation.secret_key)
    local = _cidrs(body, "local_subnets")
    remote = _cidrs(body, "remote_subnets")
    # The current API names the peer by customer-gateway id, the seed page by address.
    remote_ip = body.rule("remote_ip", validation.ip_address)
    cgw_id = body.rule("cgw_id", validation.resource_id)
    if remote_ip is None and cgw_id is None:
        peer = f"{body.name('cgw_id')} or {body.name('remote_ip')}"
        raise ServiceError.inappropriate_json(f"{peer} is required")
    name = body.need("vpn_conn_name", validation.resource_name)
    description = body.rule("description", validation.description) or ""
    ike, ipsec = _configs(backend, body)
    return {
        "secret_key": secret,
        "local_subnets": local,
        "remote_subnets": remote,
        "remote_ip": remote_ip,
        "cgw_id": cgw_id,
        "name": name,
        "description": description,
        "ike": ike,
        "ipsec": ipsec,
    }


def _ipsec_gateway(backend: Backend, call: Call) -> Gateway:
    gateway = backend.gateway(call)
    if gateway.vpn_type != "IPSec":
        raise ServiceError.denied(f"The VPN gateway {gateway.vpn_id} is not an IPSec gateway.")
    return gateway


def _tunnel(backend: Backend, call: Call) -> tuple[Gateway, Tunnel]:
    vpn_conn_id = call.path_id("vpn_conn_id")
    vpn_id = backend.tunnel_gateways.get(vpn_conn_id)
    gateway = backend.gateways.get(vpn_id) if vpn_id else None
    if gateway is None or gateway.access_key_id != call.access_key_id:
        raise ServiceError.not_found("VPN tunnel", vpn_conn_id)
    return gateway, gateway.tunnels[vpn_conn_id]


def create_vpn_conn(backend: Backend, call: Call) -> Json:
    gateway = _ipsec_gateway(backend, call)
    body = call.fields()
    settings = _read_tunnel(backend, body)
    backend.require_idle(gateway)
    tunnel = Tunnel(
        vpn_conn_id=backend.new_id("vpnconn-"),
        vpn_id=gateway.vpn_id,
        created_at=backend.now(),
        **settings,
    )
    gateway.tunnels[tunnel.vpn_conn_id] = tunnel
    backend.tunnel_gateways[tunnel.vpn_conn_id] = gateway.vpn_id
    backend.start_configuring(gateway)
    return {"vpnConnId": tunnel.vpn_conn_id}


def get_vpn_conn(backend: Backend, call: Call) -> Json:
    gateway = backend.gateway(call)
    return {
        "vpnConns": [tunnel_view(gateway.tunnels[key], gateway) for key in sorted(gateway.tunnels)]
    }


def update_vpn_conn(backend: Backend, call: Call) -> None:
    gateway, tunnel = _tunnel(backend, call)
    body = call.fields()
    # The update body names the gateway too (docs/service/api-facts.md#update-tunnel); a
    # tunnel is not found under another gateway.
    vpn_id = body.need("vpn_id", validation.resource_id)
    if vpn_id != gateway.vpn_id:
        raise ServiceError.not_found("VPN tunnel", tunnel.vpn_conn_id)
    replacement = evolve(tunnel, **_read_tunnel(backend, body))
    backend.require_idle(gateway)
    gateway.tunnels[tunnel.vpn_conn_id] = replacement
    backend.start_configuring(gateway)


def delete_vpn_conn(backend: Backend, call: Call) -> None:
    gateway, tunnel = _tunnel(backend, call)
    backend.require_idle(gateway)
    del gateway.tunnels[tunnel.vpn_conn_id]
    del backend.tunnel_gateways[tunnel.vpn_conn_id]
    backend.start_configuring(gateway)
