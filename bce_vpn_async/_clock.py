"""Time, as one injectable object.

Signing reads the wall clock, retries and waiters read the monotonic clock, sleep, and
bound what they await, and the emulator ages its gateways. Routing all of it through a
``Clock`` lets tests swap in ``FakeClock``: sleeps take no real time, yet concurrent
sleeps overlap as on a real clock (time jumps to the next wake-up when every task waits
on the clock), so backoff and polling are instant yet still observable, every bound the
SDK documents fires at its virtual time, and an in-process emulator sharing the same
clock sees the same time pass.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from types import TracebackType
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock", "TimeoutScope"]

# Loop turns with nothing done on a FakeClock before the loop counts as idle and time
# jumps. A task woken by a jump reads the clock, sleeps or ends within a turn or two
# (the in-process transport never suspends); jumping early would let time pass while a
# task is still working.
_SETTLE_TURNS = 8


@runtime_checkable
class TimeoutScope(Protocol):
    """What ``Clock.timeout`` returns: an ``async with`` block with a deadline
    (``asyncio.Timeout`` is one)."""

    async def __aenter__(self) -> TimeoutScope: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None: ...

    def expired(self) -> bool:
        """Whether the deadline passed and cut the block short."""
        ...


@runtime_checkable
class Clock(Protocol):
    """Where time comes from (``ClientConfig(clock=...)``, ``VpnEmulator(clock=...)``):
    ``SystemClock`` by default, ``bce_vpn_async.testing.FakeClock`` in tests.

    Every bound the SDK documents (the total timeout of a call, a waiter's ``timeout``,
    the ``Retry-After`` cap, rate-limit pacing) is measured on it: ``sleep`` for the
    waits, ``timeout`` for what an awaitable may take.
    """

    def time(self) -> float:
        """Read the wall clock, for signatures and the service's timestamps.

        Returns:
            Seconds since the epoch.
        """
        ...

    def monotonic(self) -> float:
        """Read a clock that never goes back, for deadlines and pacing.

        Returns:
            Seconds from an arbitrary start.
        """
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait on this clock.

        Args:
            seconds: How long to wait; 0 or less yields to the event loop once.
        """
        ...

    def timeout(self, seconds: float | None) -> TimeoutScope:
        """Bound a block by time on this clock, as `asyncio.timeout` does on the loop's.

        When the time passes, the task running the block is cancelled and the block
        raises `TimeoutError` (its `expired()` is then True); a cancellation from
        anywhere else stays a `CancelledError`.

        Args:
            seconds: How long the block may last; `None` for no bound.

        Returns:
            The `async with` block.
        """
        ...


class SystemClock:
    """The real clock. Its ``timeout`` is ``asyncio.timeout``: the event loop's timer runs
    on the same monotonic clock as ``monotonic()``."""

    def time(self) -> float:
        """Read the real wall clock.

        Returns:
            `time.time()`.
        """
        return time.time()

    def monotonic(self) -> float:
        """Read the real monotonic clock.

        Returns:
            `time.monotonic()`.
        """
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait in real time, with `asyncio.sleep`.

        Args:
            seconds: How long to wait; a negative time waits not at all.
        """
        await asyncio.sleep(max(0.0, seconds))

    def timeout(self, seconds: float | None) -> asyncio.Timeout:
        """Bound a block in real time.

        Args:
            seconds: How long the block may last; `None` for no bound.

        Returns:
            `asyncio.timeout(seconds)`.
        """
        return asyncio.timeout(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A virtual clock for tests: sleeps take no real time, and concurrent sleeps overlap
    as they do on a real clock.

    A task that sleeps on the clock waits until virtual time reaches its wake-up time.
    Time moves when the event loop has nothing left to run but tasks waiting on the
    clock: it jumps to the earliest pending wake-up, or to the deadline of a ``timeout``
    block if that comes first (as trio's ``MockClock(autojump_threshold=0)`` does). One
    task sleeping 2 s sees the clock 2 s on when it wakes; fifty tasks each backing off
    1 s at once wake together, 1 s on, not 50 s; a call waits through its own sleeps and
    those of the answers it waits for, never through other tasks' sleeps. Nothing really
    sleeps: a jump happens a few loop turns after the last task went to sleep.

    ``timeout`` bounds a block in virtual time: when the clock reaches its deadline, the
    block's task is cancelled and the block raises ``TimeoutError``, as
    ``asyncio.timeout`` does in real time. ``advance`` moves time by hand, cancels the
    blocks whose deadlines it passes and wakes the sleepers due. Wall and monotonic time
    move together.

    Time moves only while something sleeps on the clock (or by ``advance``): a block
    waiting on nothing but an event outside the clock (a real socket, a thread, an
    ``asyncio.Event`` nobody sets) with no sleeper pending is not cut short, and work
    outside the event loop does not hold a jump back, so pair the clock with the
    in-process transport, not with real sockets. A task that reads the clock on every
    loop turn without sleeping on it counts as busy and holds time still.

    The clock drives itself from whichever event loop its sleepers run on: it can be made
    outside any loop and serve one test's loop after another, and it leaves no task behind
    once no sleeper is pending. It serves the tasks of one event loop at a time.

    Args:
        start: The wall-clock time it starts at, in seconds since the epoch.

    Example:
        ```python
        clock = FakeClock()
        await asyncio.gather(clock.sleep(1.0), clock.sleep(1.0), clock.sleep(2.0))
        assert clock.monotonic() == 2.0
        assert clock.sleeps == [1.0, 1.0, 2.0]
        ```
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._wall = float(start)
        self._mono = 0.0
        self.sleeps: list[float] = []
        """Every time asked of `sleep`, in the order asked (negative ones as 0)."""
        # Pending wake-ups and deadlines, the earliest first: (when, order, what). An
        # entry that is over (a sleep cancelled, a block that ended) stays behind, to be
        # dropped when it comes first.
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._deadlines: list[tuple[float, int, _FakeTimeout]] = []
        self._order = itertools.count()
        self._live = 0
        # The task that moves time, on the loop of the sleepers; there only while one is
        # pending.
        self._driver: asyncio.Task[None] | None = None
        # Counts what running tasks do on the clock (read it, sleep, wake, enter or leave
        # a block): the loop is idle when a few turns pass with no change.
        self._work = 0

    def time(self) -> float:
        """Read the virtual wall clock.

        Returns:
            Seconds since the epoch: `start` plus the virtual time passed.
        """
        self._work += 1
        return self._wall

    def monotonic(self) -> float:
        """Read the virtual monotonic clock.

        Returns:
            Virtual seconds passed since the clock was made.
        """
        self._work += 1
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move time forward by hand.

        Cancels the ``timeout`` blocks whose deadlines it passes, in order, and wakes
        every sleeper due by then; they run at the new time, once the caller yields.

        Args:
            seconds: How far to move both clocks.

        Raises:
            ValueError: If ``seconds`` is negative (a clock cannot go back).
        """
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        self._work += 1
        if seconds > 0:
            self._wall += seconds
            self._mono += seconds
        self._fire_due()
        self._wake_due()

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock is ``seconds`` on (recorded in ``sleeps``).

        The clock gets there when every task is waiting on it (see the class), or by
        ``advance``. A time of 0 or less yields to the loop once and lets no time pass;
        an infinite one waits until cancelled.

        Args:
            seconds: The virtual time to wait.
        """
        seconds = max(0.0, seconds)
        self.sleeps.append(seconds)
        self._work += 1
        if seconds == 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        if seconds != math.inf:
            heapq.heappush(self._sleepers, (self._mono + seconds, next(self._order), woken))
            self._drive_on(loop)
        try:
            await woken
        finally:
            woken.cancel()  # a sleep cancelled in any way leaves no pending wake-up
            self._work += 1

    def timeout(self, seconds: float | None) -> _FakeTimeout:
        """A block that may last ``seconds`` of this clock's time.

        Args:
            seconds: The bound; None for none.

        Returns:
            An ``async with`` block (a ``TimeoutScope``).
        """
        return _FakeTimeout(self, seconds)

    # -- moving time ---------------------------------------------------------------------

    def _drive_on(self, loop: asyncio.AbstractEventLoop) -> None:
        driver = self._driver
        if driver is None or driver.done() or driver.get_loop() is not loop:
            self._driver = loop.create_task(self._drive(), name="FakeClock driver")

    async def _drive(self) -> None:
        """Jump while sleepers are pending, each time the loop has gone idle; then end."""
        try:
            while True:
                await self._settle()
                if not self._jump():
                    return
        finally:
            if self._driver is asyncio.current_task():
                self._driver = None

    async def _settle(self) -> None:
        """Return once ``_SETTLE_TURNS`` loop turns pass with nothing done on the clock."""
        seen = self._work
        quiet = 0
        while quiet < _SETTLE_TURNS:
            await asyncio.sleep(0)
            if self._work == seen:
                quiet += 1
            else:
                seen = self._work
                quiet = 0

    def _jump(self) -> bool:
        """Move to the earliest pending wake-up or deadline and release what is due there.

        Returns whether a sleeper is still pending (False, and nothing done, if none was).
        """
        wake = self._next_wake()
        if wake is None:
            return False
        deadline = self._next_deadline()
        when = wake if deadline is None else min(wake, deadline)
        if when > self._mono:
            self._wall += when - self._mono
            self._mono = when
        self._fire_due()
        self._wake_due()
        return self._next_wake() is not None

    def _next_wake(self) -> float | None:
        sleepers = self._sleepers
        while sleepers and sleepers[0][2].done():
            heapq.heappop(sleepers)
        return sleepers[0][0] if sleepers else None

    def _wake_due(self) -> None:
        sleepers = self._sleepers
        while sleepers and sleepers[0][0] <= self._mono:
            woken = heapq.heappop(sleepers)[2]
            if not woken.done() and not woken.get_loop().is_closed():
                woken.set_result(None)

    def _next_deadline(self) -> float | None:
        deadlines = self._deadlines
        while deadlines and deadlines[0][2]._done:
            heapq.heappop(deadlines)
        return deadlines[0][0] if deadlines else None

    def _fire_due(self) -> None:
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= self._mono:
            scope = heapq.heappop(deadlines)[2]
            if not scope._done:
                scope._expire()

    def _register(self, scope: _FakeTimeout, when: float) -> None:
        heapq.heappush(self._deadlines, (when, next(self._order), scope))
        self._live += 1

    def _unregister(self) -> None:
        self._live -= 1
        # Entries of blocks that ended stay until their time; when they are most of the
        # heap (long deadlines, short blocks), it is rebuilt without them.
        deadlines = self._deadlines
        if len(deadlines) > 64 and self._live < len(deadlines) // 2:
            self._deadlines = [entry for entry in deadlines if not entry[2]._done]
            heapq.heapify(self._deadlines)

    def __repr__(self) -> str:
        return f"FakeClock(time={self._wall!r})"


class _FakeTimeout:
    """``FakeClock.timeout``'s block: ``asyncio.Timeout``'s semantics on virtual time."""

    __slots__ = ("_cancelling", "_clock", "_done", "_expired", "_seconds", "_task")

    def __init__(self, clock: FakeClock, seconds: float | None) -> None:
        self._clock = clock
        self._seconds = seconds
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0
        self._expired = False
        self._done = True  # registered with the clock only while the block runs

    def expired(self) -> bool:
        """Whether the deadline passed and cut the block short."""
        return self._expired

    def __repr__(self) -> str:
        state = "expired" if self._expired else "active" if not self._done else "idle"
        return f"<FakeClock timeout {self._seconds} s, {state}>"

    async def __aenter__(self) -> _FakeTimeout:
        if self._task is not None:
            raise RuntimeError("a timeout block is entered once")
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a timeout block runs inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        seconds = self._seconds
        if seconds is None or seconds == math.inf:
            return self
        if seconds <= 0:
            # Already due: cancelled at the block's first await, as asyncio.timeout(0) is.
            self._expire()
            return self
        self._done = False
        self._clock._register(self, self._clock.monotonic() + seconds)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._clock._work += 1
        if not self._done:
            self._done = True
            self._clock._unregister()
        if not self._expired:
            return
        task = self._task
        assert task is not None
        if (
            task.uncancel() <= self._cancelling
            and exc_type is not None
            and issubclass(exc_type, asyncio.CancelledError)
        ):
            raise TimeoutError from exc

    def _expire(self) -> None:
        if not self._done:
            self._done = True
            self._clock._unregister()
        self._expired = True
        task = self._task
        assert task is not None
        if not task.get_loop().is_closed():
            task.cancel()
