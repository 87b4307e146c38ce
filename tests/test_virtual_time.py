"""Virtual time passes for concurrent tasks as real time does: their sleeps overlap.

On a ``FakeClock`` a sleeper waits until virtual time reaches its wake-up, and time jumps
to the earliest pending wake-up (or a ``timeout`` block's deadline) once every task is
waiting on the clock. So a hundred calls under faults on the ``vpn_client`` fixture see
the bounds a production client sees, each call waiting only through its own waits, and
the clock ends at about the longest chain of waits, not their sum. The clock drives
itself: made outside any loop, on one test's loop after another, leaving no task behind.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math

import pytest
from in_process import in_process

from bce_vpn_async import (
    AsyncVpnClient,
    BceError,
    BceTimeoutError,
    Billing,
    RateLimit,
    RetryPolicy,
    Vpn,
    WaiterTimeoutError,
)
from bce_vpn_async.testing import FakeClock, VpnEmulator

POSTPAID = Billing(payment_timing="Postpaid")


# -- the clock -----------------------------------------------------------------------------


async def test_concurrent_sleeps_overlap_and_each_sleeper_wakes_at_its_own_time() -> None:
    clock = FakeClock()
    woke: dict[float, float] = {}

    async def sleeper(seconds: float) -> None:
        await clock.sleep(seconds)
        woke[seconds] = clock.monotonic()

    await asyncio.gather(*(sleeper(seconds) for seconds in (3.0, 1.0, 2.0, 0.5)))
    assert woke == {3.0: 3.0, 1.0: 1.0, 2.0: 2.0, 0.5: 0.5}
    assert clock.monotonic() == 3.0
    assert clock.sleeps == [3.0, 1.0, 2.0, 0.5]


async def test_fifty_tasks_backing_off_a_second_each_take_one_second() -> None:
    clock = FakeClock()

    async def backing_off() -> float:
        started = clock.monotonic()
        await clock.sleep(1.0)
        return clock.monotonic() - started

    assert await asyncio.gather(*(backing_off() for _ in range(50))) == [1.0] * 50
    assert clock.monotonic() == 1.0


async def test_a_sleeper_wakes_when_advance_reaches_it_and_time_stays_where_it_was_told() -> None:
    clock = FakeClock()
    woke_at: list[float] = []

    async def sleeper() -> None:
        await clock.sleep(5.0)
        woke_at.append(clock.monotonic())

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    clock.advance(7.0)  # past its wake-up: it runs at the time advanced to
    await task
    assert woke_at == [7.0]
    assert clock.monotonic() == 7.0


async def test_a_deadline_before_the_next_wake_up_fires_at_its_own_time() -> None:
    clock = FakeClock()
    cut_at: list[float] = []

    async def bounded() -> None:
        try:
            async with clock.timeout(4.0):
                await clock.sleep(100.0)
        except TimeoutError:
            cut_at.append(clock.monotonic())
        await clock.sleep(1.0)  # the clock goes on from the deadline

    await asyncio.gather(bounded(), clock.sleep(10.0))
    assert cut_at == [4.0]
    assert clock.monotonic() == 10.0


async def test_time_stands_still_while_tasks_wait_on_something_else_and_nothing_runs() -> None:
    # No sleeper is pending: the clock moves nothing (a deadline is not reached by waiting
    # on an event or a socket) and runs no task of its own, so nothing spins.
    clock = FakeClock()
    release = asyncio.Event()

    async def waiting() -> str:
        async with clock.timeout(5.0):
            await release.wait()
        return "released"

    task = asyncio.create_task(waiting())
    for _ in range(100):
        await asyncio.sleep(0)
    assert asyncio.all_tasks() == {task, asyncio.current_task()}
    assert clock.monotonic() == 0.0
    release.set()
    assert await task == "released"


def test_a_clock_made_outside_any_loop_serves_one_loop_after_another(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # As pytest-asyncio runs tests: a loop each, closed after. The clock leaves no task
    # pending on a loop it served (one would be "destroyed but pending" once the loop is
    # closed without cancelling it, as here), and time goes on across loops.
    clock = FakeClock()

    async def sleeps() -> set[asyncio.Task[object]]:
        await asyncio.gather(clock.sleep(1.0), clock.sleep(2.0))
        await clock.sleep(0.5)
        return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        for _ in range(3):
            loop = asyncio.new_event_loop()
            try:
                left = loop.run_until_complete(sleeps())
                assert left == set()
                assert asyncio.all_tasks(loop) == set()
            finally:
                loop.close()
            gc.collect()
    assert clock.monotonic() == 7.5
    assert not [record for record in caplog.records if "pending" in record.getMessage()]


async def test_a_cancelled_sleeper_neither_wakes_nor_holds_time_up() -> None:
    clock = FakeClock()
    cancelled = asyncio.create_task(clock.sleep(1.0))
    await asyncio.sleep(0)
    cancelled.cancel()
    await clock.sleep(5.0)
    assert cancelled.cancelled()
    assert clock.monotonic() == 5.0
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_an_endless_sleep_waits_until_cancelled_and_lets_the_others_wake() -> None:
    clock = FakeClock()
    endless = asyncio.create_task(clock.sleep(math.inf))
    await clock.sleep(1.0)
    assert clock.monotonic() == 1.0
    assert not endless.done()
    endless.cancel()
    with pytest.raises(asyncio.CancelledError):
        await endless


# -- the vpn_client fixture: what a user's test sees -------------------------------------------


async def test_a_hundred_sites_under_a_30_percent_fault_mix_see_no_spurious_timeout(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    # What a user's bulk provisioning test does: create a hundred gateways at once and
    # wait for each, while 30% of requests fail transiently. Every call's waits are its
    # own: none reaches its 60 s total, as none would on a real clock.
    vpn_emulator.faults.add("mix", rate=0.3)
    clock = vpn_emulator.clock
    assert isinstance(clock, FakeClock)

    async def site(index: int) -> Vpn:
        created = await vpn_client.create_vpn(
            f"vpc-{index}", vpn_name=f"gw{index}", billing=POSTPAID
        )
        return await vpn_client.wait_until_status(created.vpn_id, "unconfigured")

    outcomes = await asyncio.gather(*(site(index) for index in range(100)), return_exceptions=True)
    assert not [outcome for outcome in outcomes if isinstance(outcome, BceTimeoutError)]
    assert all(isinstance(outcome, Vpn | BceError) for outcome in outcomes)
    assert sum(isinstance(outcome, Vpn) for outcome in outcomes) >= 90
    # The calls waited side by side: the clock ends well short of the sum of their waits
    # (about 40 s of about 100: the rate limiter's line after the throttles is the
    # longest chain, as on a real clock), where sleeps adding up would end at the sum.
    assert clock.monotonic() < sum(clock.sleeps) / 1.5


async def test_calls_backing_off_together_end_after_the_longest_chain_of_their_waits() -> None:
    # Without the rate limiter's line, a call's waits are its own backoffs: the clock ends
    # after the longest chain of them, at most three (four attempts) of the longest.
    emulator = VpnEmulator(clock=FakeClock())
    emulator.faults.add("mix", rate=0.3)
    clock = emulator.clock
    assert isinstance(clock, FakeClock)
    async with in_process(emulator, rate_limit=None) as client:
        outcomes = await asyncio.gather(
            *(client.list_vpns(f"vpc-{index}") for index in range(100)), return_exceptions=True
        )
    assert not [outcome for outcome in outcomes if isinstance(outcome, BceTimeoutError)]
    assert len(clock.sleeps) > 20
    assert clock.monotonic() <= 3 * max(clock.sleeps)


# -- the bounds, with many calls at once ----------------------------------------------------


async def test_concurrent_retry_afters_are_each_capped_at_sixty_seconds_and_overlap() -> None:
    # Twenty calls, each throttled once with an hour's Retry-After: each waits the 60 s cap
    # and succeeds inside its 90 s total, all at the same moment.
    emulator = VpnEmulator(clock=FakeClock())
    emulator.faults.add("throttle", op="list_vpns", times=20, retry_after=3600.0)
    clock = emulator.clock
    async with in_process(
        emulator, rate_limit=None, retry=RetryPolicy(total_timeout=90.0, budget=None)
    ) as client:

        async def one() -> float:
            await client.list_vpns("vpc-1")
            return clock.monotonic()

        ended = await asyncio.gather(*(one() for _ in range(20)))
    assert ended == [60.0] * 20


async def test_concurrent_waiters_each_time_out_at_their_own_timeout() -> None:
    # Ten waiters against polls that stall for 1000 s: each ends with WaiterTimeoutError
    # at its 10 s, the ten together, while the stalls are still holding their answers.
    emulator = VpnEmulator(clock=FakeClock(), build_seconds=1000.0)
    clock = emulator.clock
    async with in_process(emulator, retry=RetryPolicy(total_timeout=None)) as client:
        created = [
            await client.create_vpn(f"vpc-{index}", vpn_name=f"gw{index}", billing=POSTPAID)
            for index in range(10)
        ]
        emulator.faults.add("stall", op="get_vpn", seconds=1000.0)
        started = clock.monotonic()

        async def wait(vpn_id: str) -> float:
            with pytest.raises(WaiterTimeoutError):
                await client.wait_until_status(vpn_id, "unconfigured", timeout=10.0)
            return clock.monotonic() - started

        waited = await asyncio.gather(*(wait(vpn.vpn_id) for vpn in created))
    assert waited == [pytest.approx(10.0)] * 10


async def test_concurrent_calls_each_end_by_their_own_total_timeout() -> None:
    # Ten calls whose answers are held 8 s (inside the 30 s read timeout): with a 5 s total
    # each ends at its own deadline, 5 s in, not one after another.
    emulator = VpnEmulator(clock=FakeClock())
    emulator.faults.add("latency", op="list_vpns", seconds=8.0)
    clock = emulator.clock
    async with in_process(emulator, retry=RetryPolicy(total_timeout=5.0)) as client:

        async def one() -> float:
            with pytest.raises(BceTimeoutError):
                await client.list_vpns("vpc-1")
            return clock.monotonic()

        ended = await asyncio.gather(*(one() for _ in range(10)))
    assert ended == [5.0] * 10


async def test_paced_calls_leave_at_their_slots_and_the_late_ones_end_at_their_deadline() -> None:
    # One call a second, a 5 s total: the calls whose slots come before their deadline go
    # at those slots, as on a real clock; the rest end at 5 s.
    emulator = VpnEmulator(clock=FakeClock())
    clock = emulator.clock
    config = {
        "rate_limit": RateLimit(max_rate=1.0, adaptive=False),
        "retry": RetryPolicy(total_timeout=5.0),
    }
    async with in_process(emulator, **config) as client:

        async def one() -> tuple[str, float]:
            try:
                await client.list_vpns("vpc-1")
            except BceTimeoutError:
                return "timeout", clock.monotonic()
            return "ok", clock.monotonic()

        outcomes = await asyncio.gather(*(one() for _ in range(20)))
    left_at = [at for kind, at in outcomes if kind == "ok"]
    assert left_at == pytest.approx([0.0, 0.9, 1.9, 2.9, 3.9, 4.9])
    assert [at for kind, at in outcomes if kind == "timeout"] == [5.0] * 14
    assert clock.monotonic() == 5.0
