"""The JSON the service answers for each record: the gateway, tunnel, SSL-VPN service and
user views every read (and ``VpnEmulator.state``) is built from."""

from __future__ import annotations

import time

from .records import Gateway, Json, SslServer, SslUser, Tunnel

__all__ = ["gateway_view", "ssl_server_view", "tunnel_view", "user_view", "wire_time"]


def wire_time(epoch: float) -> str:
    """Every time the service answers, as ``"2021-04-25 17:22:34"`` in UTC: the form of the
    seed examples and the reference (``docs/service/disagreements.md#gateway-times``); no
    source names the zone."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def _lifetime(seconds: int) -> str:
    # Strings with a unit, as the seed guide shows them ("28800s"); the Go SDK decodes them
    # into string fields, so the service does not send numbers
    # (docs/service/disagreements.md#reading).
    return f"{seconds}s"


def tunnel_view(tunnel: Tunnel, gateway: Gateway) -> Json:
    """A tunnel as ``get_vpn_conn`` lists it (its gateway gives ``localIp``)."""
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
        # would be a fact (docs/service/disagreements.md#unsourced-values).
        "createdTime": wire_time(tunnel.created_at),
        "ikeConfig": ike,
        "ipsecConfig": ipsec,
    }


def ssl_server_view(server: SslServer, gateway: Gateway) -> Json:
    """An SSL-VPN service as ``get_vpn_sslservice`` answers it."""
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
    """An SSL-VPN user as ``get_vpn_ssl_user`` lists it: never its password."""
    view: Json = {
        "userId": user.user_id,
        "userName": user.user_name,
        "description": user.description,
    }
    if user.client_name is not None:
        view["clientName"] = user.client_name
    return view


def gateway_view(gateway: Gateway, now: float) -> Json:
    """A gateway as ``get_vpn`` answers it, with its status at ``now``."""
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
        # No bandwidthInMbps: it is the bound EIP's, which the emulator does not know
        # (docs/service/disagreements.md#unsourced-values).
        "createTime": wire_time(gateway.created_at),
        # null for a postpaid gateway (docs/service/disagreements.md#gateway-times).
        "expiredTime": None if gateway.expires_at is None else wire_time(gateway.expires_at),
        "vpnConnNum": len(tunnels),
        "vpnConns": tunnels,
        "maxConnection": gateway.max_connection,
        "sslVpnServer": None if server is None else ssl_server_view(server, gateway),
        "tags": [dict(tag) for tag in gateway.tags],
        "deleteProtect": gateway.delete_protect,
    }
