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
waits for. Its ``timeout`` fires in the same way: a deadline is one more sleeper, whose
waking cancels the task of its block (``asyncio.timeout``'s semantics).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

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
        # (when, order, what): a sleeper's future, or a timeout block to expire.
        self._sleepers: list[tuple[float, int, asyncio.Future[None] | _Timeout]] = []
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
        self._at(self._mono + seconds, woken)
        await woken

    def timeout(self, seconds: float | None) -> _Timeout:
        return _Timeout(self, seconds)

    def _at(self, when: float, what: asyncio.Future[None] | _Timeout) -> None:
        heapq.heappush(self._sleepers, (when, next(self._order), what))
        if not isinstance(what, _Timeout):
            self._asleep.set()

    async def _drive(self) -> None:
        while True:
            if not self._has_sleepers():
                self._asleep.clear()
                await self._asleep.wait()
            seen = self.sleeps
            quiet = 0
            while quiet < _SETTLE_TURNS:
                await asyncio.sleep(0)
                quiet = quiet + 1 if self.sleeps == seen else 0
                seen = self.sleeps
            self._wake_next()

    def _has_sleepers(self) -> bool:
        return any(
            not isinstance(what, _Timeout) and not what.done() for _, _, what in self._sleepers
        )

    def _wake_next(self) -> None:
        # Time jumps to the next sleeper only: a deadline fires on the way to one (the
        # idle test counts sleeps, so tasks busy with no sleep in sight must not see time
        # jump to their deadlines).
        sleepers = self._sleepers
        due = min(
            (
                when
                for when, _, what in sleepers
                if not isinstance(what, _Timeout) and not what.done()
            ),
            default=None,
        )
        if due is None:
            return
        self._mono = max(self._mono, due)
        while sleepers and sleepers[0][0] <= self._mono:
            what = heapq.heappop(sleepers)[2]
            if isinstance(what, _Timeout):
                what._expire()
            elif not what.done():
                what.set_result(None)

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


class _Timeout:
    """``AutojumpClock.timeout``'s block: cancels its task when the clock reaches it."""

    def __init__(self, clock: AutojumpClock, seconds: float | None) -> None:
        self._clock = clock
        self._seconds = seconds
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0
        self._open = False
        self._expired = False

    def expired(self) -> bool:
        return self._expired

    async def __aenter__(self) -> _Timeout:
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._cancelling = task.cancelling()
        self._open = True
        if self._seconds is not None:
            self._clock._at(self._clock.monotonic() + self._seconds, self)
        return self

    def _expire(self) -> None:
        if not self._open:
            return
        self._open = False
        self._expired = True
        assert self._task is not None
        self._task.cancel()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._open = False
        if not self._expired:
            return
        assert self._task is not None
        if (
            self._task.uncancel() <= self._cancelling
            and exc_type is not None
            and issubclass(exc_type, asyncio.CancelledError)
        ):
            raise TimeoutError from exc
