"""The retry middleware's deadline scopes (``_deadlines``): ``asyncio.timeout``'s semantics
on one loop timer per client.

What users see of them is the total timeout (``test_deadlines.py``: a call that outlives
it fails with ``BceTimeoutError``; ``test_cancellation.py``: an outside cancellation stays
one). These pin the scopes' own contract, case by case against what ``asyncio.timeout``
does, since every call in flight goes through one: the block is cut at its deadline and
never before, an outside cancellation is never reported as a timeout, and a block that
ends in time leaves nothing armed behind.

The deadlines are real loop time (the scopes' whole point is the loop's timer), so the
blocks wait on events that never come, and the deadlines are tens of milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
import weakref

import httpx
import pytest

from bce_vpn_async import AsyncVpnClient, BceNotFoundError
from bce_vpn_async._deadlines import RESOLUTION, Deadlines
from bce_vpn_async.testing import VpnEmulator


async def _forever() -> None:
    await asyncio.Event().wait()


async def test_a_block_that_outlives_its_deadline_raises_timeout_error_at_the_deadline() -> None:
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    started = loop.time()
    scope = deadlines.timeout(0.05)
    with pytest.raises(TimeoutError), scope:
        await _forever()
    elapsed = loop.time() - started
    assert scope.expired()
    # Never early; late by at most a bucket and the loop's own lag (a loose bound).
    assert 0.05 <= elapsed < 0.05 + RESOLUTION + 0.5
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_a_block_that_ends_in_time_is_never_cancelled_later() -> None:
    deadlines = Deadlines()
    with deadlines.timeout(0.02) as scope:
        await asyncio.sleep(0)
    assert not scope.expired()
    # Past the deadline, nothing cancels this task.
    await asyncio.sleep(0.02 + 4 * RESOLUTION)
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    deadlines = Deadlines()
    entered = asyncio.Event()
    scopes = []

    async def block() -> None:
        with deadlines.timeout(10.0) as scope:
            scopes.append(scope)
            entered.set()
            await _forever()

    task = asyncio.create_task(block())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not scopes[0].expired()


async def test_a_deadline_and_an_outside_cancellation_together_are_a_cancellation() -> None:
    # As with asyncio.timeout: the task was cancelled twice, once by someone else, so the
    # block's end must not swallow that cancellation into a TimeoutError.
    deadlines = Deadlines()
    scopes = []

    async def block() -> None:
        with deadlines.timeout(0.01) as scope:
            scopes.append(scope)
            try:
                await _forever()
            finally:
                # The deadline has cut the block; someone cancels the task meanwhile.
                asyncio.current_task().cancel()  # type: ignore[union-attr]
                await asyncio.sleep(0)

    task = asyncio.create_task(block())
    with pytest.raises(asyncio.CancelledError):
        await task
    assert scopes[0].expired()


async def test_a_block_that_swallows_its_cancellation_ends_normally_and_uncancels() -> None:
    deadlines = Deadlines()
    with deadlines.timeout(0.01) as scope, contextlib.suppress(asyncio.CancelledError):
        await _forever()
    assert scope.expired()
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_many_blocks_each_end_at_their_own_deadline_in_any_order_of_entry() -> None:
    # Later deadlines entered first: each earlier one must re-arm the one timer.
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    started = loop.time()
    ended: dict[float, float] = {}

    async def block(delay: float) -> None:
        with pytest.raises(TimeoutError), deadlines.timeout(delay):
            await _forever()
        ended[delay] = loop.time() - started

    delays = [0.2, 0.15, 0.1, 0.05, 0.05, 0.01]
    await asyncio.gather(*(block(delay) for delay in delays))
    for delay in delays:
        # Never early; not held back to a later deadline's time (a loose upper bound).
        assert delay <= ended[delay] < delay + 0.04
    assert sorted(ended, key=ended.__getitem__) == sorted(set(delays))


async def test_blocks_that_end_in_time_do_not_hold_back_a_later_deadline() -> None:
    # The timer is armed for the first bucket; once those blocks are gone it moves on to
    # the next one that still has a block in it.
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    for _ in range(50):
        with deadlines.timeout(0.01):
            await asyncio.sleep(0)
    started = loop.time()
    with pytest.raises(TimeoutError), deadlines.timeout(0.05):
        await _forever()
    assert loop.time() - started >= 0.05


async def test_a_task_cancelled_before_the_block_still_gets_its_timeout_error() -> None:
    # A cancellation the task already took (and did not uncancel) is not a new one: as
    # asyncio.timeout, the block's own expiry is reported as a timeout.
    task = asyncio.current_task()
    assert task is not None
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(0)
    assert task.cancelling() == 1
    with pytest.raises(TimeoutError), Deadlines().timeout(0.01):
        await _forever()
    assert task.cancelling() == 1
    task.uncancel()


async def test_another_error_raised_after_the_deadline_passes_through_unchanged() -> None:
    async def cleanup_fails() -> None:
        try:
            await _forever()
        except asyncio.CancelledError:
            raise ValueError("cleanup failed") from None

    deadlines = Deadlines()
    with pytest.raises(ValueError, match="cleanup"), deadlines.timeout(0.01) as scope:
        await cleanup_fails()
    assert scope.expired()
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_no_deadline_is_a_block_like_any_other() -> None:
    deadlines = Deadlines()
    with deadlines.timeout(None) as scope:
        await asyncio.sleep(0)
    assert not scope.expired()


async def test_a_scope_is_entered_once() -> None:
    scope = Deadlines().timeout(1.0)
    with scope, pytest.raises(RuntimeError, match="once"), scope:
        pass


def test_one_deadlines_serves_one_event_loop_after_another() -> None:
    # A client used under asyncio.run twice (a script, a test suite's loop per test).
    deadlines = Deadlines()

    async def cut() -> float:
        started = time.monotonic()
        with pytest.raises(TimeoutError), deadlines.timeout(0.02):
            await _forever()
        return time.monotonic() - started

    loops = []

    async def cut_and_keep() -> float:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return await cut()

    for _ in range(3):
        assert asyncio.run(cut_and_keep()) >= 0.02 - 0.001
    # Nothing of the SDK's keeps a finished loop alive.
    gc.collect()
    assert [loop() for loop in loops] == [None, None, None]


async def test_a_client_and_its_copies_keep_one_timer_for_their_deadlines() -> None:
    emulator = VpnEmulator()
    client = AsyncVpnClient(
        credentials=emulator.credentials,
        endpoint="http://emulator.local",
        http_client=httpx.AsyncClient(transport=emulator.transport()),
    )
    loop = asyncio.get_running_loop()
    async with client:
        before = len(loop._scheduled)  # type: ignore[attr-defined]
        # A copy per call, each call leaving its 60 s deadline behind it.
        for index in range(50):
            with contextlib.suppress(BceNotFoundError):
                await client.with_options(headers={"x-bce-copy": str(index)}).get_vpn("vpn-1")
        assert len(loop._scheduled) - before <= 2  # type: ignore[attr-defined]
