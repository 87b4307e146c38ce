"""wait_until_status: the pure decisions, and the loop on a fake clock."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from bce_vpn_async import (
    AsyncVpnClient,
    BceValidationError,
    ClientConfig,
    Credentials,
    RetryPolicy,
    Vpn,
    WaiterFailedError,
    WaiterTimeoutError,
)
from bce_vpn_async._clock import FakeClock
from bce_vpn_async._waiters import Outcome, decide, poll_delay

HOST = "bcc.bj.baidubce.com"


def test_a_target_status_is_done_even_if_also_listed_as_a_failure() -> None:
    assert decide("deleting", {"deleting"}, {"deleting"}) is Outcome.DONE


def test_a_failure_status_fails_and_anything_else_continues() -> None:
    assert decide("expired", {"unconfigured"}, {"expired"}) is Outcome.FAILED
    assert decide("building", {"unconfigured"}, {"expired"}) is Outcome.CONTINUE
    assert decide(None, {"unconfigured"}, {"expired"}) is Outcome.CONTINUE


def test_poll_delays_grow_from_the_interval_to_the_cap_with_jitter() -> None:
    rng = random.Random(7)
    delays = [poll_delay(attempt, 2.0, 15.0, rng) for attempt in range(12)]
    assert 2.0 <= delays[0] <= 2.4
    assert all(0.8 * 15.0 <= d <= 15.0 for d in delays[6:])
    assert delays[3] > delays[0]


def test_the_first_waits_stay_within_a_twentieth_above_the_interval_and_still_spread() -> None:
    # A change expected near the interval is seen soon after it: 200 waiters started
    # together still spread over 100 ms, and none polls more than 0.1 s late for it.
    firsts = [
        poll_delay(attempt, 2.0, 15.0, random.Random(seed))
        for seed in range(50)
        for attempt in (0, 1)
    ]
    assert all(2.0 <= d <= 2.1 for d in firsts)
    assert len(set(firsts)) > 1


@settings(max_examples=300)
@given(
    attempt=st.integers(0, 40),
    initial=st.floats(0.01, 30),
    spread=st.floats(1, 20),
    seed=st.integers(0, 2**32),
)
def test_a_poll_delay_is_never_below_the_interval_nor_above_the_cap(
    attempt: int, initial: float, spread: float, seed: int
) -> None:
    maximum = initial * spread
    delay = poll_delay(attempt, initial, maximum, random.Random(seed))
    assert initial <= delay <= maximum


class StatusSequence:
    """A respx side effect answering get_vpn with the given statuses, then the last one."""

    def __init__(self, *statuses: str | int) -> None:
        self.statuses = list(statuses)
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        status = self.statuses[min(self.calls, len(self.statuses) - 1)]
        self.calls += 1
        if isinstance(status, int):
            return httpx.Response(status, json={"code": "NoSuchObject", "message": "gone"})
        return httpx.Response(200, json={"vpnId": "vpn-1", "status": status})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> AsyncVpnClient:
    config = ClientConfig(transport="httpx", clock=clock)
    return AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint=HOST, config=config)


async def wait(client: AsyncVpnClient, answers: StatusSequence, **kwargs: Any) -> Vpn:
    with respx.mock(using="httpx") as mock:
        mock.get(f"https://{HOST}/v1/vpn/vpn-1").mock(side_effect=answers)
        async with client:
            return await client.wait_until_status("vpn-1", "unconfigured", **kwargs)


async def test_waiting_returns_the_vpn_once_it_reaches_the_status(
    client: AsyncVpnClient, clock: FakeClock
) -> None:
    answers = StatusSequence("building", "building", "unconfigured")
    vpn = await wait(client, answers)
    assert vpn.status == "unconfigured"
    assert answers.calls == 3
    assert len(clock.sleeps) == 2


async def test_on_status_sees_every_polled_vpn_sync_or_async(client: AsyncVpnClient) -> None:
    seen: list[str | None] = []

    async def record(vpn: Vpn) -> None:
        seen.append(vpn.status)

    await wait(client, StatusSequence("building", "unconfigured"), on_status=record)
    assert seen == ["building", "unconfigured"]


async def test_a_failure_status_raises_with_the_last_vpn(client: AsyncVpnClient) -> None:
    with pytest.raises(WaiterFailedError, match="expired") as info:
        await wait(client, StatusSequence("building", "expired"))
    assert info.value.last.status == "expired"


async def test_a_vanished_gateway_fails_fast(client: AsyncVpnClient) -> None:
    with pytest.raises(WaiterFailedError, match="vanished") as info:
        await wait(client, StatusSequence("building", 404))
    assert info.value.last.status == "building"


async def test_time_running_out_raises_with_the_last_vpn(
    client: AsyncVpnClient, clock: FakeClock
) -> None:
    answers = StatusSequence("building")
    with pytest.raises(WaiterTimeoutError, match="still 'building'") as info:
        await wait(client, answers, timeout=60)
    assert info.value.last.status == "building"
    assert sum(clock.sleeps) == pytest.approx(60)
    # Waits growing by half from 2 s (at least 2, 2.4, 3.6, 5.4, 8.1, then 12) fit at
    # most nine polls in a minute, where a fixed 2 s would make thirty.
    assert answers.calls <= 9


async def test_the_default_waiter_polls_a_three_minute_build_a_few_dozen_times_at_most(
    client: AsyncVpnClient, clock: FakeClock
) -> None:
    start = clock.monotonic()

    class Build:
        calls = 0

        def __call__(self, request: httpx.Request) -> httpx.Response:
            self.calls += 1
            status = "unconfigured" if clock.monotonic() - start >= 180 else "building"
            return httpx.Response(200, json={"vpnId": "vpn-1", "status": status})

    build = Build()
    with respx.mock(using="httpx") as mock:
        mock.get(f"https://{HOST}/v1/vpn/vpn-1").mock(side_effect=build)
        async with client:
            vpn = await client.wait_until_status("vpn-1", "unconfigured")
    assert vpn.status == "unconfigured"
    late = clock.monotonic() - start - 180
    assert 0 <= late <= 15
    assert build.calls <= 20


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"poll_interval": -1}, "poll_interval"),
        ({"max_poll_interval": float("nan")}, "max_poll_interval"),
    ],
)
async def test_bad_waiter_arguments_are_refused_before_any_request(
    client: AsyncVpnClient, kwargs: dict[str, Any], field: str
) -> None:
    with respx.mock(using="httpx", assert_all_called=False) as mock:
        route = mock.route()
        with pytest.raises(BceValidationError, match=field):
            await client.wait_until_status("vpn-1", "unconfigured", **kwargs)
    assert route.call_count == 0


async def test_an_empty_status_set_is_refused(client: AsyncVpnClient) -> None:
    with pytest.raises(BceValidationError, match="status"):
        await client.wait_until_status("vpn-1", set())


async def test_the_timeout_bounds_a_poll_that_hangs_and_keeps_the_last_vpn() -> None:
    polls = 0

    async def building_then_hang(request: httpx.Request) -> httpx.Response:
        nonlocal polls
        polls += 1
        if polls > 1:
            await asyncio.Event().wait()  # a get_vpn that never answers
        return httpx.Response(200, json={"vpnId": "vpn-1", "status": "building"})

    # The real clock: the hang is bounded in real time, as a user's would be.
    config = ClientConfig(transport="httpx", retry=RetryPolicy(total_timeout=None))
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint=HOST, config=config)
    with respx.mock(using="httpx") as mock:
        mock.get(f"https://{HOST}/v1/vpn/vpn-1").mock(side_effect=building_then_hang)
        async with client:
            with pytest.raises(WaiterTimeoutError, match="still 'building'") as info:
                await client.wait_until_status(
                    "vpn-1", "unconfigured", timeout=0.3, poll_interval=0.01
                )
    assert info.value.last.status == "building"
    assert polls == 2
