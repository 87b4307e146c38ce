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
from bce_vpn_async._waiters import Outcome, decide, next_poll_delay, poll_delay
from bce_vpn_async.testing import FakeClock

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


def test_the_first_waits_stay_within_a_fortieth_above_the_interval_and_still_spread() -> None:
    # A change expected near the interval is seen soon after it: 200 waiters started
    # together still spread over 50 ms, and none polls more than 0.05 s late for it.
    firsts = [
        poll_delay(attempt, 2.0, 15.0, random.Random(seed))
        for seed in range(50)
        for attempt in (0, 1)
    ]
    assert all(2.0 <= d <= 2.05 for d in firsts)
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


def test_with_no_earlier_wait_the_next_delay_is_the_backoff() -> None:
    for attempt in range(10):
        assert next_poll_delay(attempt, 30.0, 2.0, 15.0, random.Random(attempt), None) == (
            poll_delay(attempt, 2.0, 15.0, random.Random(attempt))
        )


def test_polls_come_in_to_the_interval_around_when_earlier_waits_saw_the_change() -> None:
    expected = (45.0, 47.0)  # earlier waits: no change at 45 s, changed by 47 s
    rng = random.Random(3)
    # Far before the span: the backoff (a grown wait of 12-15 s) goes on.
    assert 12.0 <= next_poll_delay(8, 10.0, 2.0, 15.0, rng, expected) <= 15.0
    # A backoff wait that would pass the span's start stops just after it, jittered as a
    # first wait is, so waits started together do not all poll at that instant...
    snapped = {next_poll_delay(8, 40.0, 2.0, 15.0, random.Random(s), expected) for s in range(20)}
    assert all(5.0 <= delay <= 5.05 for delay in snapped)
    assert max(snapped) - min(snapped) > 0.025
    # ...never sooner than the interval...
    assert 2.0 <= next_poll_delay(8, 44.5, 2.0, 15.0, rng, expected) <= 2.05
    # ...and inside the span every wait is a first wait's.
    assert 2.0 <= next_poll_delay(8, 45.0, 2.0, 15.0, rng, expected) <= 2.05
    # Past it the change is late: the backoff resumes.
    assert 12.0 <= next_poll_delay(8, 47.0, 2.0, 15.0, rng, expected) <= 15.0


def test_a_wide_span_counts_for_no_more_than_the_cap_from_its_start() -> None:
    # An earlier wait with max_poll_interval=120 saw no change at 45 s, the change at 165 s:
    # this wait (cap 15 s) polls at the interval from 45 s to 60 s, then backs off again.
    expected = (45.0, 165.0)
    rng = random.Random(5)
    assert 2.0 <= next_poll_delay(8, 58.0, 2.0, 15.0, rng, expected) <= 2.05
    assert 12.0 <= next_poll_delay(8, 60.0, 2.0, 15.0, rng, expected) <= 15.0


@settings(max_examples=300)
@given(
    attempt=st.integers(0, 40),
    elapsed=st.floats(0, 1000),
    initial=st.floats(0.01, 30),
    spread=st.floats(1, 20),
    span=st.tuples(st.floats(0, 1000), st.floats(0, 100)),
    seed=st.integers(0, 2**32),
)
def test_a_delay_near_an_expected_change_is_never_below_the_interval_nor_above_the_cap(
    attempt: int,
    elapsed: float,
    initial: float,
    spread: float,
    span: tuple[float, float],
    seed: int,
) -> None:
    maximum = initial * spread
    expected = (span[0], span[0] + span[1])
    delay = next_poll_delay(attempt, elapsed, initial, maximum, random.Random(seed), expected)
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


async def test_later_waits_see_a_build_within_the_interval_of_its_end(
    client: AsyncVpnClient, clock: FakeClock
) -> None:
    # Gateways that take 3 minutes to build, waited for one after the other on one client
    # and its copy: the first wait's grown backoff sees the change up to 15 s late; the
    # ones after it poll at the interval around when the first saw it.
    built_at: dict[str, float] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        vpn_id = request.url.path.rsplit("/", 1)[-1]
        status = "unconfigured" if clock.monotonic() >= built_at[vpn_id] else "building"
        return httpx.Response(200, json={"vpnId": vpn_id, "status": status})

    copy = client.with_options(timeout=10)
    lateness = []
    with respx.mock(using="httpx") as mock:
        mock.get(url__regex=rf"https://{HOST}/v1/vpn/vpn-\d+").mock(side_effect=answer)
        async with client:
            for index in range(5):
                vpn_id = f"vpn-{index}"
                built_at[vpn_id] = clock.monotonic() + 180
                del clock.sleeps[:]
                waiter = client if index % 2 == 0 else copy
                await waiter.wait_until_status(vpn_id, "unconfigured")
                lateness.append(clock.monotonic() - built_at[vpn_id])
                assert min(clock.sleeps) >= 2.0  # never sooner than poll_interval
    assert all(0 <= late <= 2.05 for late in lateness[1:]), lateness


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
