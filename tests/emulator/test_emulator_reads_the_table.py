"""The emulator reads exactly the wire names the SDK's table declares: a field it
reads must be declared (else it could store what no client sends, as it once stored
``clientName``), and every parameter the table declares is read (else the emulator would
ignore what the client sends)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from secrets_registry import EMULATOR_PSK, EMULATOR_SSL_PASSWORD
from seed_examples import IKE, IPSEC

from bce_vpn_async import AsyncVpnClient, Billing, IkeConfig, SslVpnUserSpec, Tag
from bce_vpn_async._converter import wire_name
from bce_vpn_async._operations import OPERATIONS, Operation, by_name
from bce_vpn_async.testing import VpnEmulator
from bce_vpn_async.testing._service import Call
from bce_vpn_async.testing._service.inputs import Body

VPC = "vpc-reads1"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Every parameter looked up in the table, by operation (the client never looks one up
    by name: it walks ``params``)."""
    seen: dict[str, set[str]] = defaultdict(set)
    lookup = Operation.param

    def recording(self: Operation[object], name: str) -> object:
        seen[self.name].add(name)
        return lookup(self, name)

    monkeypatch.setattr(Operation, "param", recording)
    return seen


async def _every_operation_with_every_parameter(
    client: AsyncVpnClient, emulator: VpnEmulator
) -> None:
    ipsec = await client.create_vpn(
        VPC,
        vpn_name="gw1",
        billing=Billing(
            payment_timing="Prepaid",
            billing_method="ByBandwidth",
            reservation_length=1,
            reservation_time_unit="month",
        ),
        vpn_type="IPSec",
        description="d",
        eip="100.88.0.1",
        subnet_id="sbn-reads1",
        tags=[Tag(tag_key="team", tag_value="net")],
        resource_group_id="RESG-reads1",
        delete_protect=True,
    )
    ssl = await client.create_vpn(
        VPC,
        vpn_name="gw2",
        billing=Billing(payment_timing="Postpaid"),
        vpn_type="SSL",
        max_connections=10,
    )
    emulator.advance(1.0)
    vpn_id = ipsec.vpn_id
    assert [vpn.vpn_id async for vpn in client.list_vpns(VPC, eip="100.88.0.1", vpn_type="IPSec")]
    await client.get_vpn(vpn_id)
    await client.unbind_eip(vpn_id)
    emulator.advance(1.0)
    await client.bind_eip(vpn_id, eip="100.88.0.2")
    emulator.advance(1.0)
    await client.update_vpn(vpn_id, vpn_name="gw1b", description="d2")
    await client.renew_vpn(vpn_id, billing=Billing(reservation_length=1))
    await client.update_vpn_delete_protect(vpn_id, delete_protect=False)

    tunnel = {
        "secret_key": EMULATOR_PSK,
        "local_subnets": ["192.168.0.0/20"],
        "remote_subnets": ["192.168.100.0/24"],
        "vpn_conn_name": "tunnel1",
        "ike_config": IKE,
        "ipsec_config": IPSEC,
        "remote_ip": "10.107.245.188",
        "cgw_id": "cgw-reads1",
        "description": "t",
    }
    conn = await client.create_vpn_conn(vpn_id, **tunnel)  # type: ignore[arg-type]
    emulator.advance(1.0)
    await client.get_vpn_conn(vpn_id)
    await client.update_vpn_conn(conn.vpn_conn_id, vpn_id=vpn_id, **tunnel)  # type: ignore[arg-type]
    emulator.advance(1.0)
    await client.delete_vpn_conn(conn.vpn_conn_id)

    ssl_id = ssl.vpn_id
    routes = ["192.168.0.0/24"]
    server = await client.create_vpn_sslservice(
        ssl_id,
        sslservice_name="srv1",
        local_routes=routes,
        address_pool="172.16.0.0/16",
        interface_type="tun",
        client_dns="8.8.8.8",
    )
    emulator.advance(1.0)
    await client.get_vpn_sslservice(ssl_id)
    server_id = server.ssl_vpn_server_id
    await client.update_vpn_sslservice(
        ssl_id,
        server_id,
        sslservice_name="srv2",
        local_routes=routes,
        address_pool="172.17.0.0/16",
        client_dns="8.8.4.4",
    )
    emulator.advance(1.0)
    user = SslVpnUserSpec(
        user_name="alice", password=EMULATOR_SSL_PASSWORD, description="u", client_name="laptop"
    )
    created = await client.create_vpn_sslusers(ssl_id, sslusers=[user])
    (user_id,) = created.ssl_vpn_user_ids
    assert [found.user_id async for found in client.get_vpn_ssl_user(ssl_id, user_name="alice")]
    await client.update_vpn_ssl_user(
        ssl_id, user_id, password=EMULATOR_SSL_PASSWORD, description="u2", client_name="phone"
    )
    await client.delete_vpn_ssl_user(ssl_id, user_id)
    await client.delete_vpn_sslservice(ssl_id, server_id)
    emulator.advance(1.0)
    await client.delete_vpn(ssl_id)


async def test_the_emulator_reads_every_parameter_the_table_declares(
    reads: dict[str, set[str]], vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    # A read of a name the table does not declare raises KeyError inside the emulator and
    # fails the call: every call here succeeding is the first half of the claim.
    await _every_operation_with_every_parameter(vpn_client, vpn_emulator)
    unread = {
        operation.name: missing
        for operation in OPERATIONS
        if (missing := {p.name for p in operation.params} - reads[operation.name])
    }
    assert unread == {}


def _call(operation: str) -> Call:
    return Call(by_name(operation), "AK", {"vpnId": "vpn-1"}, {}, {})


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda: _call("update_vpn").fields().text("vpn_type"), id="body"),
        pytest.param(lambda: _call("get_vpn").fields().text("vpn_id"), id="path-as-body"),
        pytest.param(lambda: _call("list_vpns").query_fields().text("user_name"), id="query"),
        pytest.param(lambda: _call("get_vpn").path_id("vpn_conn_id"), id="path"),
        pytest.param(
            lambda: _call("create_vpn").fields().child("ike_config", IkeConfig),
            id="another-operations",
        ),
        pytest.param(lambda: Body({}, SslVpnUserSpec).text("user_id"), id="model-field"),
    ],
)
def test_a_name_the_table_does_not_declare_cannot_be_read(read: object) -> None:
    with pytest.raises(KeyError):
        read()  # type: ignore[operator]


def test_nested_names_are_the_converters() -> None:
    assert wire_name(IkeConfig, "ike_lifetime") == "ikeLifeTime"
    assert wire_name(Billing, "reservation_length") == "reservation.reservationLength"
    with pytest.raises(KeyError):
        wire_name(Tag, "key")
