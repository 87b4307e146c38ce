"""The total deadlines of a client's calls in flight, on one loop timer.

``asyncio.timeout`` arms a loop timer for each use: a ``TimerHandle`` with its copy of the
context, pushed onto the loop's heap, and once cancelled left there until its time comes
(the default total timeout is 60 s). The retry middleware bounds every attempt, so with
thousands of calls in flight those are thousands more live objects for the garbage
collector to walk, again and again. At 5,000 calls in flight (10,000 ``get_vpn`` calls
against a loopback server, medians of 8 runs side by side), client CPU per call was 298 us
with ``asyncio.timeout`` and 279 us with the scopes below; at a busier hour, 340 and 325.

``Deadlines.timeout(delay)`` is a drop-in for ``asyncio.timeout(delay)`` (a synchronous
``with``, Python 3.11's and 3.12's semantics) whose deadline goes into a bucket of
``RESOLUTION`` seconds, a set of the scopes due then. One loop timer per client and loop
is armed for the earliest bucket; a scope that exits leaves its bucket, so nothing of it
stays behind. A deadline fires at most ``RESOLUTION`` late (a delay of 0 too), never
early (but for the loop's own clock resolution, as with any loop timer).

As with ``asyncio.timeout``, the task is cancelled when its deadline passes, and the
``with`` turns that ``CancelledError`` into ``TimeoutError`` unless the task was also
cancelled from elsewhere meanwhile (``Task.cancelling``/``uncancel``): an outside
cancellation always stays a cancellation.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import weakref
from types import TracebackType

__all__ = ["RESOLUTION", "Deadline", "Deadlines"]

RESOLUTION = 0.005
"""Seconds per bucket: how late, at most, a deadline fires (beside the loop's own lag)."""


class Deadline:
    """One ``with`` block's deadline, made by ``Deadlines.timeout``. ``expired()`` says
    whether it cut the block short, as ``asyncio.Timeout.expired()`` does."""

    __slots__ = ("_cancelling", "_delay", "_expired", "_key", "_owner", "_task", "_wheel")

    def __init__(self, owner: Deadlines, delay: float) -> None:
        self._owner = owner
        self._delay = delay
        self._task: asyncio.Task[object] | None = None
        self._wheel: _Wheel | None = None
        self._key = 0
        self._cancelling = 0
        self._expired = False

    def expired(self) -> bool:
        return self._expired

    def __repr__(self) -> str:
        state = "expired" if self._expired else "active" if self._task else "not entered"
        return f"<Deadline {self._delay} s, {state}>"

    def __enter__(self) -> Deadline:
        if self._task is not None:
            raise RuntimeError("a Deadline is entered once")
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a Deadline is used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._wheel = self._owner._enter(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task, wheel = self._task, self._wheel
        assert task is not None
        assert wheel is not None
        if not self._expired:
            wheel._discard(self)
            return
        # Cancelled by this deadline (the wheel took it out of its bucket then).
        if (
            task.uncancel() <= self._cancelling
            and exc_type is not None
            and issubclass(exc_type, asyncio.CancelledError)
        ):
            raise TimeoutError from exc

    def _expire(self) -> None:
        self._expired = True
        assert self._task is not None
        self._task.cancel()


class _NoDeadline:
    """``Deadlines.timeout(None)``: a block with no deadline."""

    __slots__ = ()

    def expired(self) -> bool:
        return False

    def __enter__(self) -> _NoDeadline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


_NO_DEADLINE = _NoDeadline()


class _Wheel:
    """The buckets and the one timer of one event loop.

    It holds no reference to its loop, nor to the loop's timer handle (a superseded timer
    is told apart by its generation and does nothing), so ``Deadlines``' weak mapping of
    loops to wheels lets a loop and its wheel go once nothing else holds the loop.
    """

    def __init__(self) -> None:
        self._buckets: dict[int, set[Deadline]] = {}
        # Bucket keys (multiples of RESOLUTION in loop time) in a heap, each once.
        self._keys: list[int] = []
        self._queued: set[int] = set()
        self._armed = math.inf
        self._generation = 0

    def _add(self, deadline: Deadline, loop: asyncio.AbstractEventLoop) -> None:
        key = math.ceil((loop.time() + deadline._delay) / RESOLUTION)
        deadline._key = key
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = set()
            if key not in self._queued:
                self._queued.add(key)
                heapq.heappush(self._keys, key)
            if key < self._armed:
                self._arm(key, loop)
        bucket.add(deadline)

    def _discard(self, deadline: Deadline) -> None:
        key = deadline._key
        bucket = self._buckets[key]
        bucket.discard(deadline)
        if not bucket:
            # Its key stays queued: when the timer comes to it, it finds nothing due.
            del self._buckets[key]

    def _arm(self, key: int, loop: asyncio.AbstractEventLoop) -> None:
        # An earlier timer than the one armed is rare (a shorter deadline than the calls
        # in flight have); the one it supersedes fires in vain.
        self._armed = key
        self._generation += 1
        loop.call_at(key * RESOLUTION, self._fire, loop, self._generation)

    def _fire(self, loop: asyncio.AbstractEventLoop, generation: int) -> None:
        if generation != self._generation:
            return
        # Due: the bucket the timer was armed for (the loop may run a timer up to its clock
        # resolution early; it has decided the time has come) and every one before now.
        last_due = max(self._armed, math.floor(loop.time() / RESOLUTION))
        self._armed = math.inf
        keys = self._keys
        while keys:
            key = keys[0]
            due = self._buckets.get(key)
            if due is not None and key > last_due:
                self._arm(key, loop)
                return
            heapq.heappop(keys)
            self._queued.discard(key)
            if due is not None:
                del self._buckets[key]
                for deadline in due:
                    deadline._expire()


class Deadlines:
    """Deadlines for blocks of code in tasks, one timer per event loop for all of them.

    A client and its ``with_options`` copies share one.
    """

    def __init__(self) -> None:
        # A client used from one loop after another (a test suite's, say) has a wheel per
        # loop, gone with its loop. The last one used is the hot path's one lookup: one
        # tuple, so that it is read whole.
        self._wheels: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Wheel] = (
            weakref.WeakKeyDictionary()
        )
        self._last: tuple[weakref.ReferenceType[asyncio.AbstractEventLoop], _Wheel] | None = None

    def timeout(self, delay: float | None) -> Deadline | _NoDeadline:
        """A ``with`` block that is cancelled ``delay`` seconds from now (``None`` or
        infinity: never), raising ``TimeoutError`` out of the block then."""
        if delay is None or delay == math.inf:
            return _NO_DEADLINE
        return Deadline(self, delay)

    def _enter(self, deadline: Deadline) -> _Wheel:
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0]() is loop:
            wheel = last[1]
        else:
            found = self._wheels.get(loop)
            wheel = found if found is not None else self._wheels.setdefault(loop, _Wheel())
            self._last = (weakref.ref(loop), wheel)
        wheel._add(deadline, loop)
        return wheel
