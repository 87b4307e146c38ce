"""``VpnEmulator.state``: the SDK's own models, equal to what the client reads."""

from __future__ import annotations

import pytest
from secrets_registry import EMULATOR_PSK, EMULATOR_SSL_PASSWORD
from seed_examples import IKE, IPSEC

from bce_vpn_async import (
    AsyncVpnClient,
    Billing,
    SslVpnServer,
    SslVpnUser,
    SslVpnUserSpec,
    Vpn,
    VpnConn,
)
from bce_vpn_async.testing import VpnEmulator

POSTPAID = Billing(payment_timing="Postpaid")


async def _ipsec(client: AsyncVpnClient) -> tuple[str, str]:
    vpn_id = (await client.create_vpn("vpc-1", vpn_name="gw1", billing=POSTPAID)).vpn_id
    await client.wait_until_status(vpn_id, "unconfigured")
    conn = await client.create_vpn_conn(
        vpn_id,
        secret_key=EMULATOR_PSK,
        local_subnets=["192.168.0.0/20"],
        remote_subnets=["10.10.0.0/16"],
        remote_ip="203.0.113.7",
        vpn_conn_name="office",
        ike_config=IKE,
        ipsec_config=IPSEC,
    )
    return vpn_id, conn.vpn_conn_id


async def _ssl(client: AsyncVpnClient) -> tuple[str, str, str]:
    created = await client.create_vpn("vpc-1", vpn_name="ssl1", billing=POSTPAID, vpn_type="SSL")
    vpn_id = created.vpn_id
    await client.wait_until_status(vpn_id, "unconfigured")
    server = await client.create_vpn_sslservice(
        vpn_id, sslservice_name="srv", local_routes=["192.168.0.0/24"], address_pool="172.16.0.0/16"
    )
    # The service makes the gateway active (a configured gateway stays so).
    await client.wait_until_status(vpn_id, "active")
    users = await client.create_vpn_sslusers(
        vpn_id, sslusers=[SslVpnUserSpec("alice", EMULATOR_SSL_PASSWORD)]
    )
    return vpn_id, server.ssl_vpn_server_id, users.ssl_vpn_user_ids[0]


async def test_gateways_and_tunnels_are_the_models_the_client_reads(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    vpn_id, conn_id = await _ipsec(vpn_client)
    state = vpn_emulator.state
    gateway = state.gateways[vpn_id]
    assert isinstance(gateway, Vpn)
    assert gateway == await vpn_client.get_vpn(vpn_id)
    assert (gateway.vpn_name, gateway.vpn_type, gateway.vpc_id) == ("gw1", "IPSec", "vpc-1")
    tunnel = state.tunnels[conn_id]
    assert isinstance(tunnel, VpnConn)
    assert (await vpn_client.get_vpn_conn(vpn_id)).vpn_conns == (tunnel,)
    assert (tunnel.vpn_id, tunnel.remote_ip, tunnel.ike_config) == (vpn_id, "203.0.113.7", IKE)


async def test_ssl_services_and_users_are_the_models_the_client_reads(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    vpn_id, server_id, user_id = await _ssl(vpn_client)
    state = vpn_emulator.state
    server = state.ssl_servers[server_id]
    assert isinstance(server, SslVpnServer)
    assert server == await vpn_client.get_vpn_sslservice(vpn_id)
    user = state.ssl_users[user_id]
    assert isinstance(user, SslVpnUser)
    assert [u async for u in vpn_client.get_vpn_ssl_user(vpn_id)] == [user]
    assert user.user_name == "alice"


async def test_no_repr_of_the_state_shows_a_key_or_a_password(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    await _ipsec(vpn_client)
    await _ssl(vpn_client)
    state = vpn_emulator.state
    shown = repr([state.gateways, state.tunnels, state.ssl_servers, state.ssl_users])
    assert "vpn_conn_id" in shown
    assert "alice" in shown
    assert EMULATOR_PSK not in shown
    assert EMULATOR_SSL_PASSWORD not in shown
    assert EMULATOR_SSL_PASSWORD not in repr(state.wire())


async def test_the_views_are_read_only_snapshots_as_of_the_clock(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    vpn_id = (await vpn_client.create_vpn("vpc-1", vpn_name="gw1", billing=POSTPAID)).vpn_id
    before = vpn_emulator.state.gateways
    with pytest.raises(TypeError):
        before[vpn_id] = before[vpn_id]  # type: ignore[index]
    vpn_emulator.advance(1.0)
    assert (before[vpn_id].status, vpn_emulator.state.gateways[vpn_id].status) == (
        "building",
        "unconfigured",
    )


async def test_wire_is_the_apis_json_with_each_users_gateway(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    vpn_id, server_id, user_id = await _ssl(vpn_client)
    wire = vpn_emulator.state.wire()
    assert set(wire) == {"gateways", "tunnels", "sslServers", "sslUsers"}
    assert wire["gateways"][vpn_id]["type"] == "SSL"
    assert wire["sslUsers"][user_id] == {
        "userId": user_id,
        "userName": "alice",
        "description": "",
        "vpnId": vpn_id,
        "sslVpnServerId": server_id,
    }
