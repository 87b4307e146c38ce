"""Faults: what each kind does to the answer and to the state, and their determinism."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import BASE_URL, VPC, SignWith, error_of

from bce_vpn_async.testing import FakeClock, VpnEmulator

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}


async def test_drop_before_leaves_the_state_unchanged(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("drop_before", op="create_vpn")
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/v1/vpn", json=GATEWAY)
    assert emulator.state.gateways == {}
    assert (emulator.requests[0].status, emulator.requests[0].fault) == (None, "drop_before")


async def test_drop_after_applies_the_change_and_loses_the_answer(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("drop_after", op="create_vpn")
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/v1/vpn", json=GATEWAY)
    assert len(emulator.state.gateways) == 1
    assert (emulator.requests[0].status, emulator.requests[0].fault) == (200, "drop_after")


async def test_a_retry_after_drop_after_with_the_same_token_gets_the_first_id(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("drop_after", op="create_vpn", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/v1/vpn?clientToken=tok", json=GATEWAY)
    retried = await http.post("/v1/vpn?clientToken=tok", json=GATEWAY)
    assert [retried.json()["vpnId"]] == list(emulator.state.gateways)


@pytest.mark.parametrize(("status", "code"), [(500, "InternalError"), (503, "ServiceUnavailable")])
async def test_an_error_fault_answers_a_bce_error_without_applying(
    http: httpx.AsyncClient, emulator: VpnEmulator, status: int, code: str
) -> None:
    emulator.faults.add("error", op="create_vpn", status=status)
    response = await http.post("/v1/vpn", json=GATEWAY)
    assert error_of(response) == (status, code)
    assert emulator.state.gateways == {}


async def test_a_throttle_fault_answers_429_with_retry_after(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("throttle", op="list_vpns", retry_after=2)
    response = await http.get("/v1/vpn", params={"vpcId": VPC})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"


async def test_latency_passes_on_the_emulators_clock(
    http: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.faults.add("latency", seconds=3.0)
    before = clock.time()
    assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 200
    assert clock.time() - before == pytest.approx(3.0)


async def test_a_stall_past_the_read_timeout_is_a_read_timeout_after_applying(
    emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.faults.add("stall", op="create_vpn", seconds=30.0)
    auth = SignWith(emulator.credentials, clock)
    transport = emulator.transport()
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, auth=auth, timeout=5.0
    ) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post("/v1/vpn", json=GATEWAY)
    assert len(emulator.state.gateways) == 1
    assert clock.sleeps == [5.0]


async def test_latency_past_the_read_timeout_is_a_read_timeout_in_process_too(
    emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.latency = 30.0
    auth = SignWith(emulator.credentials, clock)
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url=BASE_URL, auth=auth, timeout=5.0
    ) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/v1/vpn", params={"vpcId": VPC})
    assert clock.sleeps == [5.0]


async def test_a_stall_within_the_read_timeout_answers_late(
    http: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.faults.add("stall", seconds=2.0)
    response = await http.get("/v1/vpn", params={"vpcId": VPC})
    assert response.status_code == 200
    assert clock.sleeps == [2.0]


async def test_a_one_shot_rule_fires_once(http: httpx.AsyncClient, emulator: VpnEmulator) -> None:
    rule = emulator.faults.add("error", status=503, times=1)
    first = await http.get("/v1/vpn", params={"vpcId": VPC})
    second = await http.get("/v1/vpn", params={"vpcId": VPC})
    assert (first.status_code, second.status_code, rule.fired) == (503, 200, 1)


async def test_a_rule_for_one_operation_leaves_the_others_alone(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("error", op="create_vpn", status=500)
    assert (await http.get("/v1/vpn", params={"vpcId": VPC})).status_code == 200


async def _outcomes(seed: int, clock: FakeClock) -> list[str]:
    emulator = VpnEmulator(clock=clock, seed=seed)
    emulator.faults.add("mix", rate=0.5)
    auth = SignWith(emulator.credentials, clock)
    transport = emulator.transport()
    outcomes = []
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, auth=auth) as http:
        for _ in range(40):
            try:
                response = await http.get("/v1/vpn", params={"vpcId": VPC})
                outcomes.append(str(response.status_code))
            except httpx.RemoteProtocolError:
                outcomes.append("drop")
    return outcomes


async def test_faults_are_the_same_under_the_same_seed(clock: FakeClock) -> None:
    first = await _outcomes(3, clock)
    assert first == await _outcomes(3, clock)
    assert len(set(first)) > 2


async def test_faults_differ_under_another_seed(clock: FakeClock) -> None:
    assert await _outcomes(3, clock) != await _outcomes(4, clock)


def test_an_unknown_fault_kind_is_refused(emulator: VpnEmulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        emulator.faults.add("explode")


def test_an_unknown_operation_is_refused(emulator: VpnEmulator) -> None:
    with pytest.raises(ValueError, match="unknown operation"):
        emulator.faults.add("error", op="createVpn")


def test_clear_removes_every_rule(emulator: VpnEmulator) -> None:
    emulator.faults.add("error")
    emulator.faults.clear()
    assert emulator.faults.rules == []


def test_a_rule_shows_only_the_fields_its_kind_uses(emulator: VpnEmulator) -> None:
    emulator.faults.add("throttle", op="get_vpn", retry_after=2)
    emulator.faults.add("drop_before")
    assert repr(emulator.faults) == (
        "FaultPlan(rules=[FaultRule(kind='throttle', op='get_vpn', rate=1.0, times=None, "
        "retry_after=2, fired=0), FaultRule(kind='drop_before', op=None, rate=1.0, "
        "times=None, fired=0)])"
    )
    throttle = emulator.faults.rules[0]
    assert (throttle.status, throttle.seconds, throttle.retry_after) == (None, None, 2)


@pytest.mark.parametrize(
    ("kind", "arguments", "field"),
    [
        ("latency", {"seconds": float("inf")}, "seconds"),
        ("stall", {"seconds": float("nan")}, "seconds"),
        ("stall", {"seconds": 86400.5}, "seconds"),
        ("throttle", {"retry_after": float("inf")}, "retry_after"),
        ("mix", {"rate": float("nan")}, "rate"),
        ("error", {"times": True}, "times"),
        ("error", {"message": "\u0000\ud800"}, "message"),
        ("error", {"code": "\udfff"}, "code"),
        ("throttle", {"status": 429}, "status"),
        ("drop_after", {"seconds": 1.0}, "seconds"),
    ],
)
def test_every_field_is_checked_with_the_field_named(
    emulator: VpnEmulator, kind: str, arguments: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=f"^{field} "):
        emulator.faults.add(kind, **arguments)  # type: ignore[arg-type]
    assert emulator.faults.rules == []


async def test_a_latency_of_the_longest_allowed_is_held_not_overflowed(
    http: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.faults.add("latency", seconds=86400)
    response = await http.get("/v1/vpn", params={"vpcId": VPC}, timeout=None)
    assert response.status_code == 200
    assert clock.sleeps == [86400]
