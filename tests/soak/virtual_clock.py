"""Virtual time for many concurrent tasks: sleeps overlap, as they do on a real clock.

``FakeClock`` advances by each sleep the moment it is asked for and returns at once.
That is exact for one task, but with many concurrent tasks the sleeps add up instead of
overlapping: the 1000-write soak ends about 390 virtual seconds in on a ``FakeClock``
and about 20 on this clock, and every call's total timeout is also spent by the other
tasks' sleeps. (At the soak's size that changed no outcome, but its timings would not
be a real client's.)

``AutojumpClock`` keeps every sleeper waiting until virtual time reaches its deadline,
and a driver task jumps the time to the earliest deadline whenever the event loop has
nothing else to run (as trio's ``MockClock(autojump_threshold=0)`` does). Nothing
really sleeps, and each call sees only its own waits and those of the answers it
waits for.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["AutojumpClock"]

# Loop turns without a new sleeper before the loop counts as idle. Work woken by a jump
# reaches its next sleep within a couple of turns (the in-process transport never
# suspends); jumping early would only make time pass while a task computes.
_SETTLE_TURNS = 8


class AutojumpClock:
    """A ``Clock`` whose time moves only when every task is asleep on it."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._start = start
        self._mono = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._asleep = asyncio.Event()
        self.sleeps = 0

    def time(self) -> float:
        return self._start + self._mono

    def monotonic(self) -> float:
        return self._mono

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        self.sleeps += 1
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._mono + seconds, next(self._order), woken))
        self._asleep.set()
        await woken

    async def _drive(self) -> None:
        while True:
            if not self._sleepers:
                self._asleep.clear()
                await self._asleep.wait()
            seen = self.sleeps
            quiet = 0
            while quiet < _SETTLE_TURNS:
                await asyncio.sleep(0)
                quiet = quiet + 1 if self.sleeps == seen else 0
                seen = self.sleeps
            self._wake_next()

    def _wake_next(self) -> None:
        sleepers = self._sleepers
        while sleepers and sleepers[0][2].done():  # cancelled while asleep
            heapq.heappop(sleepers)
        if not sleepers:
            return
        self._mono = max(self._mono, sleepers[0][0])
        while sleepers and sleepers[0][0] <= self._mono:
            _, _, woken = heapq.heappop(sleepers)
            if not woken.done():
                woken.set_result(None)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[AutojumpClock]:
        """Drive the clock for the duration of the block."""
        driver = asyncio.create_task(self._drive())
        try:
            yield self
        finally:
            driver.cancel()
            await asyncio.gather(driver, return_exceptions=True)

    def __repr__(self) -> str:
        return f"AutojumpClock(monotonic={self._mono:.3f})"
