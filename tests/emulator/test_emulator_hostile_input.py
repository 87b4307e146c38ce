"""Whatever a client sends, the emulator answers in the service's shape (issue 20): a BCE
error body with a request id and a code the spec lists, or the operation's answer; what it
stores it can read back; an internal failure is a 500 ``InternalError`` that changes nothing."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from emulator_helpers import (
    BASE_URL,
    VPC,
    SignWith,
    create_gateway,
    tunnel_body,
)

from bce_vpn_async import AsyncVpnClient, BceV1Signer, ClientConfig
from bce_vpn_async.testing import EmulatorServer, FakeClock, SystemClock, VpnEmulator

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}
GATEWAY_TEXT = b'{"vpcId":"vpc-test1","vpnName":"gw1","billing":{"paymentTiming":"Postpaid"}'
SSL_SERVICE = (
    b'"sslVpnServerName":"srv1","localSubnets":["192.168.0.0/24"],"remoteSubnet":"172.168.0.0/16"'
)


def assert_bce_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    """A BCE error body, its request id the header's, and the status and code expected."""
    body = response.json()
    assert set(body) == {"code", "message", "requestId"}, body
    assert body["requestId"] == response.headers["x-bce-request-id"]
    assert (response.status_code, body["code"]) == (status, code), body
    return body


async def readable(emulator: VpnEmulator, clock: FakeClock) -> None:
    """Every read of every resource answers, through the SDK and the state views."""
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint=BASE_URL,
            http_client=http,
            config=ClientConfig(clock=clock),
        ) as client,
    ):
        for vpn in emulator.state.gateways.values():
            await client.get_vpn(vpn.vpn_id)
            await client.get_vpn_conn(vpn.vpn_id)
            async for _ in client.list_vpns(vpn.vpc_id or VPC):
                pass
            if vpn.vpn_type == "SSL" and vpn.ssl_vpn_server is not None:
                await client.get_vpn_sslservice(vpn.vpn_id)
                async for _ in client.get_vpn_ssl_user(vpn.vpn_id):
                    pass
    emulator.state.wire()
    assert len(emulator.state.tunnels) >= 0
    assert len(emulator.state.ssl_servers) >= 0
    assert len(emulator.state.ssl_users) >= 0


# -- bodies that are not JSON the service could store ----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000, id="nested-100000-deep"),
        pytest.param(b'{"a":' * 65 + b"1" + b"}" * 65, id="nested-65-deep"),
        pytest.param(GATEWAY_TEXT + b',"maxConnection":NaN}', id="NaN"),
        pytest.param(GATEWAY_TEXT + b',"maxConnection":Infinity}', id="Infinity"),
        pytest.param(GATEWAY_TEXT + b',"maxConnection":-Infinity}', id="-Infinity"),
        pytest.param(GATEWAY_TEXT + b',"x":1e999}', id="1e999"),
        pytest.param(GATEWAY_TEXT + b',"x":' + b"9" * 400 + b"}", id="integer-past-a-double"),
        pytest.param(GATEWAY_TEXT + b',"x":' + b"9" * 5000 + b"}", id="integer-of-5000-digits"),
        pytest.param(GATEWAY_TEXT + b',"\\ud800":1}', id="lone-surrogate-in-a-key"),
        pytest.param(GATEWAY_TEXT + b',"description":"\\udfff"}', id="lone-surrogate-in-a-value"),
        pytest.param(b"{", id="truncated"),
    ],
)
async def test_a_body_no_service_could_store_is_malformed_json(
    http: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock, body: bytes
) -> None:
    response = await http.post("/v1/vpn?clientToken=tok-1", content=body)
    assert_bce_error(response, 400, "MalformedJSON")
    assert not emulator.state.gateways
    await readable(emulator, clock)


async def test_a_body_that_is_not_utf8_is_invalid_http_request(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/vpn", content=GATEWAY_TEXT + b',"description":"\xff"}')
    assert_bce_error(response, 400, "InvalidHTTPRequest")


async def test_a_body_nested_64_deep_is_read(http: httpx.AsyncClient) -> None:
    nested = b'{"a":' * 63 + b"1" + b"}" * 63
    response = await http.post("/v1/vpn", content=GATEWAY_TEXT + b',"x":' + nested + b"}")
    assert response.status_code == 200, response.text


async def test_a_duplicate_key_keeps_its_last_value(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    body = GATEWAY_TEXT + b',"vpnName":"a!b","vpnName":"gw2"}'
    assert (await http.post("/v1/vpn", content=body)).status_code == 200
    assert [vpn.vpn_name for vpn in emulator.state.gateways.values()] == ["gw2"]


async def test_a_body_nested_too_deep_is_malformed_json_over_a_socket() -> None:
    with EmulatorServer(VpnEmulator()) as server:
        auth = SignWith(server.credentials, SystemClock())
        async with httpx.AsyncClient(base_url=server.endpoint, auth=auth) as http:
            deep = await http.post("/v1/vpn", content=b"[" * 100_000)
            assert_bce_error(deep, 400, "MalformedJSON")
            surrogate = await http.post(
                "/v1/vpn?clientToken=tok-1", content=GATEWAY_TEXT + b',"\\ud800":1}'
            )
            assert_bce_error(surrogate, 400, "MalformedJSON")
            assert (await http.post("/v1/vpn", json=GATEWAY)).status_code == 200


# -- stored means readable ---------------------------------------------------------------------


async def test_a_lone_surrogate_client_dns_is_refused_and_the_service_stays_readable(
    http: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    vpn_id = await create_gateway(http, emulator, type="SSL", vpnName="ssl1")
    body = b"{" + SSL_SERVICE + b',"clientDns":"\\ud800"}'
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnServer", content=body)
    assert_bce_error(response, 400, "MalformedJSON")
    assert (await http.get(f"/v1/vpn/{vpn_id}")).status_code == 200
    await readable(emulator, clock)


async def test_a_client_dns_json_can_carry_is_answered_as_received(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, type="SSL", vpnName="ssl1")
    body = b"{" + SSL_SERVICE + b',"clientDns":"a\\u0000\\ud83d\\ude00"}'
    assert (await http.post(f"/v1/vpn/{vpn_id}/sslVpnServer", content=body)).status_code == 200
    answer = await http.get(f"/v1/vpn/{vpn_id}/sslVpnServer")
    assert answer.json()["clientDns"] == "a\x00\U0001f600"


async def test_a_lone_surrogate_tag_value_is_refused_and_gateways_stay_listable(
    http: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    await create_gateway(http, emulator)
    body = GATEWAY_TEXT + b',"vpnName":"gw2","tags":[{"tagKey":"k","tagValue":"\\udfff"}]}'
    assert_bce_error(await http.post("/v1/vpn", content=body), 400, "MalformedJSON")
    assert (await http.get(f"/v1/vpn?vpcId={VPC}")).status_code == 200
    await readable(emulator, clock)


# -- queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags", ["bind&unbind", "modifyAttribute&bind", "unbind=&purchaseReserved"]
)
async def test_two_action_flags_are_bad_request_and_change_nothing(
    http: httpx.AsyncClient, emulator: VpnEmulator, flags: str
) -> None:
    vpn_id = await create_gateway(http, emulator, eip="100.88.0.1")
    emulator.advance(1.0)
    before = emulator.state.wire()
    response = await http.put(
        f"/v1/vpn/{vpn_id}?{flags}",
        json={"eip": "100.88.0.2", "vpnName": "renamed", "billing": {}},
    )
    assert_bce_error(response, 400, "BadRequest")
    assert emulator.state.wire() == before


@pytest.mark.parametrize(
    "query",
    [
        "vpcId=vpc-a&vpcId=vpc-b",
        f"vpcId={VPC}&clientToken=a&clientToken=b",
        f"vpcId={VPC}&maxKeys=1&maxKeys=1",
    ],
)
async def test_a_repeated_query_parameter_is_bad_request(
    http: httpx.AsyncClient, query: str
) -> None:
    response = await http.get(f"/v1/vpn?{query}")
    assert_bce_error(response, 400, "BadRequest")


# -- headers -----------------------------------------------------------------------------------


async def test_a_signature_valid_longer_than_a_float_counts_is_verified(
    emulator: VpnEmulator, clock: FakeClock
) -> None:
    signer = BceV1Signer(expiration_seconds=10**400)
    auth = SignWith(emulator.credentials, clock, signer)
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url=BASE_URL, auth=auth
    ) as http:
        response = await http.get(f"/v1/vpn?vpcId={VPC}")
    assert response.status_code == 200, response.text


# -- an internal failure -----------------------------------------------------------------------


class BrokenClock(FakeClock):
    """A clock that fails once, on the call ``fail_on`` counts down to (a stand-in for any
    bug inside a handler, after it has started changing the state)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_on: int | None = None

    def time(self) -> float:
        if self.fail_on is not None:
            self.fail_on -= 1
            if self.fail_on == 0:
                self.fail_on = None
                raise RuntimeError("the clock broke")
        return super().time()


@pytest.fixture
def broken_clock() -> BrokenClock:
    return BrokenClock()


@pytest.fixture
async def broken(broken_clock: BrokenClock) -> AsyncIterator[tuple[VpnEmulator, httpx.AsyncClient]]:
    emulator = VpnEmulator(clock=broken_clock, build_seconds=0.5, configure_seconds=0.1)
    auth = SignWith(emulator.credentials, FakeClock())
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url=BASE_URL, auth=auth
    ) as http:
        yield emulator, http


async def test_an_internal_failure_is_internal_error_and_changes_nothing(
    broken: tuple[VpnEmulator, httpx.AsyncClient],
    broken_clock: BrokenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator, http = broken
    vpn_id = await create_gateway(http, emulator)
    before = emulator.state.wire()
    # bind_eip stores the EIP, then reads the clock to start configuring: the second read
    # of the request (the first is the signature's time window) fails after the change.
    broken_clock.fail_on = 3
    with caplog.at_level(logging.ERROR, logger="bce_vpn_async.testing"):
        response = await http.put(f"/v1/vpn/{vpn_id}?bind", json={"eip": "100.88.0.1"})
    body = assert_bce_error(response, 500, "InternalError")
    assert "clock" not in body["message"]
    assert emulator.state.wire() == before
    [record] = [r for r in caplog.records if r.name.startswith("bce_vpn_async.testing")]
    assert record.exc_info is not None
    assert body["requestId"] in record.getMessage()
    again = await http.put(f"/v1/vpn/{vpn_id}?bind", json={"eip": "100.88.0.1"})
    assert again.status_code == 200
    assert emulator.state.gateways[vpn_id].eip == "100.88.0.1"


async def test_an_internal_failure_while_creating_adds_nothing(
    broken: tuple[VpnEmulator, httpx.AsyncClient], broken_clock: BrokenClock
) -> None:
    emulator, http = broken
    vpn_id = await create_gateway(http, emulator)
    tunnel = tunnel_body()
    before = emulator.state.wire()
    # The tunnel is stored under both indexes before start_configuring reads the clock.
    broken_clock.fail_on = 5
    response = await http.post(f"/v1/vpn/{vpn_id}/vpnconn?clientToken=t1", json=tunnel)
    assert_bce_error(response, 500, "InternalError")
    assert emulator.state.wire() == before
    # Nothing was kept for the token either: the same request now succeeds.
    retried = await http.post(f"/v1/vpn/{vpn_id}/vpnconn?clientToken=t1", json=tunnel)
    assert retried.status_code == 200, retried.text
    assert list(emulator.state.tunnels) == [retried.json()["vpnConnId"]]


async def test_an_internal_failure_while_deleting_a_tunnel_keeps_it(
    broken: tuple[VpnEmulator, httpx.AsyncClient], broken_clock: BrokenClock
) -> None:
    emulator, http = broken
    vpn_id = await create_gateway(http, emulator)
    created = await http.post(f"/v1/vpn/{vpn_id}/vpnconn", json=tunnel_body())
    vpn_conn_id = created.json()["vpnConnId"]
    emulator.advance(1.0)
    before = emulator.state.wire()
    # The tunnel is gone from the gateway and from the index by the id before
    # start_configuring reads the clock.
    broken_clock.fail_on = 3
    response = await http.delete(f"/v1/vpn/vpnconn/{vpn_conn_id}")
    assert_bce_error(response, 500, "InternalError")
    assert emulator.state.wire() == before
    # Still found by its own id, as before.
    assert (await http.delete(f"/v1/vpn/vpnconn/{vpn_conn_id}")).status_code == 200
    assert not emulator.state.tunnels
