"""Whole lifecycles through this SDK and the emulator: in-process on a fake clock, and
served on loopback with the default aiohttp transport. The same scenario runs both ways,
so the two paths cannot drift apart."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from seed_examples import IKE, IPSEC

from bce_vpn_async import (
    AsyncVpnClient,
    BceConflictError,
    BceNotFoundError,
    BceTransportError,
    Billing,
    ClientConfig,
    RetryPolicy,
    SslVpnUserSpec,
)
from bce_vpn_async.testing import EmulatorServer, VpnEmulator

TUNNEL: dict[str, Any] = {
    "secret_key": "Psk_2024!x",
    "local_subnets": ["192.168.0.0/20"],
    "remote_subnets": ["10.10.0.0/16"],
    "remote_ip": "203.0.113.7",
    "vpn_conn_name": "to-office",
    "ike_config": IKE,
    "ipsec_config": IPSEC,
}


async def ipsec_lifecycle(client: AsyncVpnClient, emulator: VpnEmulator, **wait: Any) -> None:
    created = await client.create_vpn(
        "vpc-life", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
    )
    vpn_id = created.vpn_id
    assert (await client.get_vpn(vpn_id)).status == "building"
    ready = await client.wait_until_status(vpn_id, "unconfigured", **wait)
    assert ready.eip == ""

    await client.bind_eip(vpn_id, eip="106.12.1.10")
    bound = await client.wait_until_status(vpn_id, "active", **wait)
    assert bound.eip == "106.12.1.10"

    conn = await client.create_vpn_conn(vpn_id, **TUNNEL)
    await client.wait_until_status(vpn_id, "active", **wait)
    tunnels = (await client.get_vpn_conn(vpn_id)).vpn_conns
    assert [t.vpn_conn_id for t in tunnels] == [conn.vpn_conn_id]
    assert tunnels[0].ike_config == IKE
    assert tunnels[0].secret_key == "Psk_2024!x"

    await client.update_vpn_conn(
        conn.vpn_conn_id, vpn_id=vpn_id, **{**TUNNEL, "vpn_conn_name": "to-office-2"}
    )
    await client.wait_until_status(vpn_id, "active", **wait)
    tunnels = (await client.get_vpn_conn(vpn_id)).vpn_conns
    assert tunnels[0].vpn_conn_name == "to-office-2"

    await client.update_vpn(vpn_id, vpn_name="gw1-renamed", description="edge")
    listed = [vpn async for vpn in client.list_vpns("vpc-life")]
    assert [(v.vpn_id, v.vpn_name) for v in listed] == [(vpn_id, "gw1-renamed")]

    await client.update_vpn_delete_protect(vpn_id, delete_protect=True)
    with pytest.raises(BceConflictError):
        await client.delete_vpn(vpn_id)
    await client.update_vpn_delete_protect(vpn_id, delete_protect=False)
    with pytest.raises(BceConflictError):  # its tunnel must go first
        await client.delete_vpn(vpn_id)

    await client.delete_vpn_conn(conn.vpn_conn_id)
    await client.wait_until_status(vpn_id, "active", **wait)
    await client.unbind_eip(vpn_id)
    await client.wait_until_status(vpn_id, "active", **wait)
    await client.delete_vpn(vpn_id)
    with pytest.raises(BceNotFoundError):
        await client.get_vpn(vpn_id)
    assert emulator.state.gateways == {}


async def ssl_lifecycle(client: AsyncVpnClient, emulator: VpnEmulator, **wait: Any) -> None:
    created = await client.create_vpn(
        "vpc-ssl",
        vpn_name="ssl1",
        vpn_type="SSL",
        max_connections=20,
        billing=Billing(payment_timing="Postpaid"),
    )
    vpn_id = created.vpn_id
    await client.wait_until_status(vpn_id, "unconfigured", **wait)
    server = await client.create_vpn_sslservice(
        vpn_id,
        sslservice_name="svc1",
        local_routes=["192.168.0.0/24"],
        address_pool="172.16.0.0/16",
    )
    await client.wait_until_status(vpn_id, {"unconfigured", "active"}, **wait)
    service = await client.get_vpn_sslservice(vpn_id)
    assert service.ssl_vpn_server_id == server.ssl_vpn_server_id
    assert service.interface_type == "tap"
    with pytest.raises(BceConflictError):  # one SSL-VPN service per gateway
        await client.create_vpn_sslservice(
            vpn_id,
            sslservice_name="svc2",
            local_routes=["192.168.1.0/24"],
            address_pool="172.17.0.0/16",
        )

    await client.update_vpn_sslservice(
        vpn_id,
        server.ssl_vpn_server_id,
        sslservice_name="svc1",
        local_routes=["192.168.0.0/24"],
        address_pool="172.16.0.0/16",
        client_dns="8.8.8.8",
    )
    await client.wait_until_status(vpn_id, {"unconfigured", "active"}, **wait)
    users = [SslVpnUserSpec(f"user{i}", f"Passw0rd_{i}") for i in range(5)]
    ids = (await client.create_vpn_sslusers(vpn_id, sslusers=users)).ssl_vpn_user_ids
    assert len(ids) == 5
    listed = [user async for user in client.get_vpn_ssl_user(vpn_id, max_keys=2)]
    assert sorted(u.user_name for u in listed) == [f"user{i}" for i in range(5)]
    page = await client.get_vpn_ssl_user(vpn_id, max_keys=2)
    assert page.is_truncated is True
    assert len(page.ssl_vpn_users) == 2

    await client.update_vpn_ssl_user(vpn_id, ids[0], password="N3w_passw0rd", description="x")
    with pytest.raises(BceConflictError):  # users must go before the service
        await client.delete_vpn_sslservice(vpn_id, server.ssl_vpn_server_id)
    await asyncio.gather(*(client.delete_vpn_ssl_user(vpn_id, user_id) for user_id in ids))
    await client.delete_vpn_sslservice(vpn_id, server.ssl_vpn_server_id)
    await client.wait_until_status(vpn_id, {"unconfigured", "active"}, **wait)
    await client.delete_vpn(vpn_id)
    assert emulator.state.ssl_users == {}


async def prepaid_lifecycle(client: AsyncVpnClient, **wait: Any) -> None:
    created = await client.create_vpn(
        "vpc-pre",
        vpn_name="pre1",
        billing=Billing(payment_timing="Prepaid", reservation_length=1),
    )
    await client.wait_until_status(created.vpn_id, "unconfigured", **wait)
    await client.renew_vpn(created.vpn_id, billing=Billing(reservation_length=12))
    with pytest.raises(BceConflictError):  # only postpaid gateways can be released
        await client.delete_vpn(created.vpn_id)


async def test_the_whole_lifecycle_runs_in_process_on_a_fake_clock(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    await ipsec_lifecycle(vpn_client, vpn_emulator)
    await ssl_lifecycle(vpn_client, vpn_emulator)
    await prepaid_lifecycle(vpn_client)


async def test_the_whole_lifecycle_runs_over_loopback_with_the_default_transport(
    vpn_emulator_server: EmulatorServer,
) -> None:
    fast = {"poll_interval": 0.05, "max_poll_interval": 0.2, "timeout": 30}
    async with AsyncVpnClient(
        credentials=vpn_emulator_server.credentials, endpoint=vpn_emulator_server.endpoint
    ) as client:
        assert client.config.transport == "aiohttp"
        await ipsec_lifecycle(client, vpn_emulator_server.emulator, **fast)
        await ssl_lifecycle(client, vpn_emulator_server.emulator, **fast)
        await prepaid_lifecycle(client, **fast)


async def test_creates_dropped_after_they_were_applied_make_no_duplicate_gateway(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    rule = vpn_emulator.faults.add("drop_after", op="create_vpn", rate=0.3)
    semaphore = asyncio.Semaphore(50)
    gave_up = 0

    async def create(index: int) -> str:
        nonlocal gave_up
        async with semaphore:
            while True:
                try:
                    created = await vpn_client.create_vpn(
                        f"vpc-{index // 3}",
                        vpn_name=f"gw-{index}",
                        billing=Billing(payment_timing="Postpaid"),
                        client_token=f"run-1-gw-{index}",
                    )
                except BceTransportError:
                    # Four drops in a row (0.3**4, under 1%): the caller runs the same call
                    # again, as a re-run of a crashed script would, with the same token.
                    gave_up += 1
                    continue
                return created.vpn_id

    ids = await asyncio.gather(*(create(i) for i in range(200)))
    assert rule.fired > 30  # about 60 of the 200 first attempts, and some retries
    assert gave_up < 10
    assert len(set(ids)) == 200
    gateways = vpn_emulator.state.gateways
    assert len(gateways) == 200
    assert sorted(g.vpn_name for g in gateways.values()) == sorted(f"gw-{i}" for i in range(200))


async def test_without_retries_a_drop_after_apply_surfaces_as_a_transport_error(
    vpn_emulator: VpnEmulator,
) -> None:
    from bce_vpn_async.testing.pytest_plugin import EMULATOR_ENDPOINT

    vpn_emulator.faults.add("drop_after", op="create_vpn", times=1)
    config = ClientConfig(clock=vpn_emulator.clock, retry=RetryPolicy(max_attempts=1))
    async with (
        httpx.AsyncClient(transport=vpn_emulator.transport()) as http_client,
        AsyncVpnClient(
            credentials=vpn_emulator.credentials,
            endpoint=EMULATOR_ENDPOINT,
            config=config,
            http_client=http_client,
        ) as client,
    ):
        with pytest.raises(BceTransportError):
            await client.create_vpn(
                "vpc-1", vpn_name="gw", billing=Billing(payment_timing="Postpaid")
            )
    # The gateway exists although the caller saw an error: exactly what clientToken is for.
    assert len(vpn_emulator.state.gateways) == 1


async def test_the_readmes_fixture_example_holds(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    vpn_emulator.faults.add("drop_after", op="create_vpn", times=1)
    created = await vpn_client.create_vpn(
        "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
    )
    vpn = await vpn_client.wait_until_status(created.vpn_id, "unconfigured")
    assert vpn.vpn_id == created.vpn_id
    assert len(vpn_emulator.state.gateways) == 1  # the retry was answered, not re-applied
    assert [r.fault for r in vpn_emulator.requests.for_operation("create_vpn")] == [
        "drop_after",
        None,
    ]
