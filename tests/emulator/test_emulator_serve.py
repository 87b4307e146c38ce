"""The emulator on a real socket (its own server), and the serve command's choices."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from emulator_helpers import VPC, SignWith
from loopback import serving

from bce_vpn_async.testing import SystemClock, VpnEmulator
from bce_vpn_async.testing._serve import configured_emulator, parser

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}


@pytest.fixture
def emulator() -> VpnEmulator:
    return VpnEmulator(build_seconds=0, configure_seconds=0)


@pytest.fixture
async def http(emulator: VpnEmulator) -> AsyncIterator[httpx.AsyncClient]:
    auth = SignWith(emulator.credentials, SystemClock())
    async with (
        serving(emulator) as endpoint,
        httpx.AsyncClient(base_url=endpoint, auth=auth) as client,
    ):
        yield client


async def test_the_emulator_answers_over_a_socket(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/vpn", json=GATEWAY)
    assert response.status_code == 200
    assert response.headers["x-bce-request-id"]


async def test_a_drop_after_over_a_socket_closes_it_without_an_answer_after_applying(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("drop_after", op="create_vpn")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await http.post("/v1/vpn", json=GATEWAY)
    assert len(emulator.state.gateways) == 1


async def test_a_drop_before_over_a_socket_applies_nothing(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("drop_before", op="create_vpn")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await http.post("/v1/vpn", json=GATEWAY)
    assert emulator.state.gateways == {}


def test_serve_prints_the_test_accounts_secret_when_none_is_given() -> None:
    emulator, lines = configured_emulator(parser().parse_args(["serve"]))
    assert lines[1].startswith(f"secret access key: {emulator.credentials.secret_access_key}")


def test_serve_does_not_print_a_secret_given_on_the_command_line() -> None:
    args = ["serve", "--access-key-id", "AK", "--secret-access-key", "do-not-print-me"]
    _, lines = configured_emulator(parser().parse_args(args))
    assert lines[0] == "access key id: AK"
    assert "do-not-print-me" not in "\n".join(lines)


def test_serve_adds_a_mixed_fault_rule_for_a_fault_rate() -> None:
    emulator, _ = configured_emulator(parser().parse_args(["serve", "--fault-rate", "0.2"]))
    assert [(rule.kind, rule.rate) for rule in emulator.faults.rules] == [("mix", 0.2)]


@pytest.mark.parametrize("header", ["server", "date"])
def test_the_served_emulator_sends_each_header_once(header: str) -> None:
    # Two Server or Date headers (a server's and the app's) make aiohttp refuse every
    # answer in asyncio's debug mode (python -X dev): "Duplicate 'Server' header found".
    from bce_vpn_async.testing import EmulatorServer

    with EmulatorServer() as server:
        response = httpx.get(f"{server.endpoint}/v1/vpn")
    assert len(response.headers.get_list(header)) == 1


def test_serve_sizes_the_request_log_as_asked() -> None:
    emulator, _ = configured_emulator(parser().parse_args(["serve", "--request-log-size", "5"]))
    assert emulator.requests.maxlen == 5


def test_serve_keeps_10000_requests_by_default() -> None:
    emulator, _ = configured_emulator(parser().parse_args(["serve"]))
    assert emulator.requests.maxlen == 10_000
