"""Time, as one injectable object.

Signing reads the wall clock, retries and waiters read the monotonic clock, sleep, and
bound what they await, and the emulator ages its gateways. Routing all of it through a
``Clock`` lets tests swap in ``FakeClock``: sleeps return at once and advance virtual
time, so backoff and polling are instant yet still observable, every bound the SDK
documents fires at its virtual time, and an in-process emulator sharing the same clock
sees the same time pass.
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
        """Wall-clock seconds since the epoch (for signatures and service timestamps)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for deadlines)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...

    def timeout(self, seconds: float | None) -> TimeoutScope:
        """An ``async with`` block that may last ``seconds`` on this clock (None: no bound).

        As ``asyncio.timeout``: when the time passes, the task running the block is
        cancelled and the block raises ``TimeoutError`` (its ``expired()`` is then True);
        a cancellation from anywhere else stays a ``CancelledError``.
        """
        ...


class SystemClock:
    """The real clock. Its ``timeout`` is ``asyncio.timeout``: the event loop's timer runs
    on the same monotonic clock as ``monotonic()``."""

    def time(self) -> float:
        """The real wall clock: ``time.time()``."""
        return time.time()

    def monotonic(self) -> float:
        """The real monotonic clock: ``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep``; a negative time sleeps not at all."""
        await asyncio.sleep(max(0.0, seconds))

    def timeout(self, seconds: float | None) -> asyncio.Timeout:
        """``asyncio.timeout(seconds)``."""
        return asyncio.timeout(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that only moves when told to (``advance``), or when something sleeps on it.

    ``sleep`` advances the clock by the time asked and yields to the event loop once, so
    concurrent tasks still interleave; several tasks sleeping on one clock each move it.
    Wall and monotonic time move together.

    ``timeout`` bounds a block in virtual time: when the clock reaches a block's deadline
    its task is cancelled, as ``asyncio.timeout`` does in real time. A ``sleep`` that
    would carry the clock past a pending deadline stops there first and yields, so the
    task whose time is up sees the clock at its deadline (and a sleeping task whose own
    deadline it is sleeps no further); then the rest of the sleep goes on. ``advance``
    fires every deadline it passes, in order, and leaves the clock where it was told.
    Time on a fake clock moves only by these: a block waiting on something that never
    sleeps on the clock (a real socket) is not cut short until something moves it.
    A ``FakeClock`` serves the tasks of one event loop at a time.
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._wall = float(start)
        self._mono = 0.0
        self.sleeps: list[float] = []
        # Deadlines of the blocks inside a timeout: (when, order, scope), the earliest
        # first; a block that ends leaves its entry behind, to be dropped when reached.
        self._deadlines: list[tuple[float, int, _FakeTimeout]] = []
        self._order = itertools.count()
        self._live = 0

    def time(self) -> float:
        """Virtual wall-clock seconds since the epoch (``start`` plus what has passed)."""
        return self._wall

    def monotonic(self) -> float:
        """Virtual seconds passed since the clock was made."""
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by ``seconds`` (never back), cancelling the blocks
        whose deadlines it passes."""
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        left = seconds
        while (step := self._to_next_deadline(left)) is not None:
            left -= step
        self._move(left)
        self._fire_due()

    async def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` (recorded in ``sleeps``), stopping at each pending
        deadline on the way, then yield to the loop once."""
        seconds = max(0.0, seconds)
        self.sleeps.append(seconds)
        left = seconds
        while (step := self._to_next_deadline(left)) is not None:
            # A deadline came first: its block's task was cancelled; let it run at this
            # time (this task stops here if the deadline was its own).
            left -= step
            await asyncio.sleep(0)
        self._move(left)
        self._fire_due()
        await asyncio.sleep(0)

    def timeout(self, seconds: float | None) -> _FakeTimeout:
        """A block that may last ``seconds`` of this clock's time (None: no bound)."""
        return _FakeTimeout(self, seconds)

    def _move(self, seconds: float) -> None:
        if seconds > 0:
            self._wall += seconds
            self._mono += seconds

    def _next_deadline(self) -> float | None:
        deadlines = self._deadlines
        while deadlines and deadlines[0][2]._done:
            heapq.heappop(deadlines)
        return deadlines[0][0] if deadlines else None

    def _to_next_deadline(self, within: float) -> float | None:
        """If a pending deadline comes within ``within`` seconds, move to it exactly and
        fire it (and any due with it); the seconds moved, or None."""
        when = self._next_deadline()
        if when is None or when - self._mono > within:
            return None
        step = max(0.0, when - self._mono)
        if step > 0:
            self._wall += step
            self._mono = when
        self._fire_due()
        return step

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
        task.cancel()
