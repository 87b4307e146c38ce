"""The emulator's rate limit: a token bucket per account, 429 with Retry-After, nothing applied."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import BASE_URL, VPC, SignWith, error_of
from loopback import serving

from bce_vpn_async import AsyncVpnClient, BceThrottledError, ClientConfig, Credentials
from bce_vpn_async.testing import FakeClock, VpnEmulator
from bce_vpn_async.testing._serve import configured_emulator, parser

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}


def gateway(name: str) -> dict[str, object]:
    return {**GATEWAY, "vpnName": name}


async def test_past_the_rate_a_request_is_throttled_with_retry_after(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.rate_limit = 2
    first = await http.post("/v1/vpn", json=gateway("a"))
    second = await http.post("/v1/vpn", json=gateway("b"))
    third = await http.post("/v1/vpn", json=gateway("c"))
    assert (first.status_code, second.status_code) == (200, 200)
    assert error_of(third) == (429, "RequestLimitExceeded")
    assert third.headers["retry-after"] == "1"
    assert third.headers["x-bce-request-id"] == third.json()["requestId"]
    assert len(emulator.state.gateways) == 2
    assert [entry.status for entry in emulator.requests] == [200, 200, 429]


async def test_the_bucket_refills_at_the_rate_on_the_emulators_clock(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.rate_limit = 2
    for _ in range(2):
        assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 200
    assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 429
    emulator.advance(0.5)  # one token back at 2 per second
    assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 200
    assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 429


async def test_a_throttled_write_leaves_its_client_token_unused(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.rate_limit = 1
    assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 200
    throttled = await http.post("/v1/vpn", params={"clientToken": "token-1"}, json=gateway("a"))
    assert throttled.status_code == 429
    assert emulator.state.gateways == {}
    emulator.advance(1.0)
    # Had the throttled write kept the token, another body under it would be refused (403).
    answer = await http.post("/v1/vpn", params={"clientToken": "token-1"}, json=gateway("b"))
    assert answer.status_code == 200
    assert [g.vpn_name for g in emulator.state.gateways.values()] == ["b"]


async def test_each_account_has_a_bucket_of_its_own(clock: FakeClock) -> None:
    other = Credentials("other-access-key-id", "other-secret-access-key")
    emulator = VpnEmulator(clock=clock, rate_limit=1)
    emulator.add_account(other)
    statuses = []
    for credentials in (emulator.credentials, emulator.credentials, other, other):
        async with httpx.AsyncClient(
            transport=emulator.transport(), base_url=BASE_URL, auth=SignWith(credentials, clock)
        ) as http:
            statuses.append((await http.get("/v1/vpn", params={"vpcId": VPC})).status_code)
    assert statuses == [200, 429, 200, 429]


async def test_a_request_refused_before_its_signature_is_checked_takes_no_token(
    clock: FakeClock,
) -> None:
    emulator = VpnEmulator(clock=clock, rate_limit=1)
    async with httpx.AsyncClient(transport=emulator.transport(), base_url=BASE_URL) as raw:
        assert (await raw.get("/v1/vpn", params={"vpcId": VPC})).status_code == 400
    async with httpx.AsyncClient(
        transport=emulator.transport(),
        base_url=BASE_URL,
        auth=SignWith(emulator.credentials, clock),
    ) as http:
        assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 200


async def test_the_limit_can_be_lifted(http: httpx.AsyncClient, emulator: VpnEmulator) -> None:
    emulator.rate_limit = 1
    assert emulator.rate_limit == 1
    await http.get("/v1/vpn", params={"vpcId": VPC})
    emulator.rate_limit = None
    statuses = [(await http.get("/v1/vpn", params={"vpcId": VPC})).status_code for _ in range(5)]
    assert statuses == [200] * 5


@pytest.mark.parametrize("rate", [0, -1, float("nan"), float("inf")])
def test_a_rate_limit_must_be_a_positive_finite_number(rate: float) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        VpnEmulator(rate_limit=rate)


@pytest.mark.parametrize("text", ["0", "-3", "nan", "inf", "fast"])
def test_serve_refuses_a_rate_limit_that_is_no_rate(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--rate-limit", text])
    assert "--rate-limit" in capsys.readouterr().err


async def test_serve_rate_limit_throttles_over_loopback() -> None:
    emulator, lines = configured_emulator(parser().parse_args(["serve", "--rate-limit", "1"]))
    assert "rate limit: 1 requests per second per account" in lines
    config = ClientConfig(retry=None, rate_limit=None)
    async with (
        serving(emulator) as endpoint,
        AsyncVpnClient(credentials=emulator.credentials, endpoint=endpoint, config=config) as c,
    ):
        outcomes = []
        for _ in range(10):
            try:
                await c.list_vpns(VPC)
                outcomes.append("ok")
            except BceThrottledError as exc:
                outcomes.append(f"throttled {exc.code}")
    # Ten requests on loopback take far less than the four seconds that would earn the
    # bucket five more tokens.
    assert outcomes[0] == "ok"
    throttled = outcomes.count("throttled RequestLimitExceeded")
    assert throttled >= 5
    assert throttled + outcomes.count("ok") == 10
    assert sum(1 for entry in emulator.requests if entry.status == 429) == throttled


def test_serve_has_no_rate_limit_unless_asked() -> None:
    emulator, _ = configured_emulator(parser().parse_args(["serve"]))
    assert emulator.rate_limit is None
