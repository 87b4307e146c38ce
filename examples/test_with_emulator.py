"""How to test your own provisioning code against the emulator, with no Baidu account.

Installing ``bce-vpn-async`` registers a pytest plugin with three fixtures:

- ``vpn_emulator``: the emulated service, in-process, on a fake clock. Inject faults
  (``vpn_emulator.faults.add(...)``) and assert on ``vpn_emulator.state`` (what exists)
  and ``vpn_emulator.requests`` (what arrived).
- ``vpn_client``: an ``AsyncVpnClient`` wired to it. It shares the fake clock, so waiting
  for a gateway to build and retry backoff take no real time.
- ``vpn_emulator_server``: the emulator on a real loopback socket, for code that makes
  its own client (or is not Python's asyncio at all).

Run it with ``pytest examples/test_with_emulator.py`` (pytest-asyncio installed).
"""

from __future__ import annotations

import pytest

from bce_vpn_async import AsyncVpnClient, BceServerError, Billing, IkeConfig, IpsecConfig
from bce_vpn_async.testing import EmulatorServer, VpnEmulator

pytestmark = pytest.mark.asyncio  # not needed with asyncio_mode = "auto"; harmless with it


# -- the code under test: what a user of the SDK would write ---------------------------------


async def provision_site(
    client: AsyncVpnClient,
    vpc_id: str,
    name: str,
    *,
    peer_ip: str = "203.0.113.7",
    poll_interval: float = 2.0,
) -> str:
    """Give site ``name`` an IPSec gateway with a tunnel to its peer; return the tunnel id.

    Safe to call again after a failure: the client tokens name the site, so the service
    answers a repeated call with what the first one made instead of making it twice.
    """
    created = await client.create_vpn(
        vpc_id,
        vpn_name=name,
        billing=Billing(payment_timing="Postpaid"),
        client_token=f"site-{vpc_id}-{name}",
    )
    await client.wait_until_status(
        created.vpn_id, {"unconfigured", "active"}, poll_interval=poll_interval
    )
    conn = await client.create_vpn_conn(
        created.vpn_id,
        vpn_conn_name=f"{name}-peer",
        secret_key="Psk_2024!x",
        local_subnets=["192.168.0.0/20"],
        remote_ip=peer_ip,
        remote_subnets=["10.10.0.0/16"],
        ike_config=IkeConfig("v2", "main", "aes256", "group14"),
        ipsec_config=IpsecConfig("aes256", "sha1"),
        client_token=f"site-{created.vpn_id}-tunnel",
    )
    return conn.vpn_conn_id


# -- its tests ---------------------------------------------------------------------------------


async def test_a_site_gets_a_built_gateway_with_one_tunnel_to_its_peer(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    tunnel_id = await provision_site(vpn_client, "vpc-1", "berlin", peer_ip="198.51.100.1")

    (gateway,) = vpn_emulator.state.gateways.values()
    assert (gateway.vpc_id, gateway.vpn_name, gateway.vpn_type) == ("vpc-1", "berlin", "IPSec")
    tunnel = vpn_emulator.state.tunnels[tunnel_id]
    assert (tunnel.vpn_id, tunnel.remote_ip) == (gateway.vpn_id, "198.51.100.1")
    # The tunnel was only created once the gateway had been seen built: the wait polled
    # get_vpn while the emulator's fake clock moved on, in no real time at all.
    operations = vpn_emulator.requests.operations
    assert operations[0] == "create_vpn"
    assert operations[-1] == "create_vpn_conn"
    assert operations.count("get_vpn") >= 2


async def test_a_create_whose_answer_was_lost_makes_no_second_gateway(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    # The service creates the gateway, then the connection drops before the answer
    # arrives: the client retries, and only the clientToken stops a duplicate.
    rule = vpn_emulator.faults.add("drop_after", op="create_vpn", times=1)

    await provision_site(vpn_client, "vpc-1", "paris")

    assert rule.fired == 1
    assert len(vpn_emulator.state.gateways) == 1
    first, retry = vpn_emulator.requests.for_operation("create_vpn")
    assert (first.fault, first.status) == ("drop_after", 200)
    assert dict(first.query)["clientToken"] == dict(retry.query)["clientToken"]


async def test_provisioning_a_site_again_reuses_its_gateway_and_tunnel(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    first = await provision_site(vpn_client, "vpc-1", "rome")
    again = await provision_site(vpn_client, "vpc-1", "rome")

    assert again == first
    assert len(vpn_emulator.state.gateways) == 1
    assert list(vpn_emulator.state.tunnels) == [first]


async def test_a_fourth_site_in_one_vpc_is_refused_by_the_service(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    for name in ("a1", "a2", "a3"):
        await provision_site(vpn_client, "vpc-1", name)

    with pytest.raises(BceServerError) as refused:
        await provision_site(vpn_client, "vpc-1", "a4")

    assert (refused.value.status_code, refused.value.code) == (413, "LimitExceeded")
    assert len(vpn_emulator.state.gateways) == 3


async def test_a_site_can_be_provisioned_over_a_real_socket(
    vpn_emulator_server: EmulatorServer,
) -> None:
    # The server runs on the real clock (gateways build in 0.5 s), so poll often.
    async with AsyncVpnClient(
        credentials=vpn_emulator_server.credentials, endpoint=vpn_emulator_server.endpoint
    ) as client:
        tunnel_id = await provision_site(client, "vpc-1", "oslo", poll_interval=0.1)

    assert list(vpn_emulator_server.emulator.state.tunnels) == [tunnel_id]
