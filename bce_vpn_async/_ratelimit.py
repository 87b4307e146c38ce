"""Client-side rate limiting: a pure core that learns the service's rate, and its middleware.

When the service throttles (a 429, or a throttling code such as ``RequestLimitExceeded``)
the client cuts its rate and paces every attempt of every task under it, then regrows
the rate along a CUBIC curve (botocore's adaptive retry mode), so a bulk script spends
the account's rate on requests the service accepts rather than on refused ones.

``AdaptiveRate`` is the pure core, driven by the time its caller passes in: the rate of
the moment, a reservation schedule (GCRA) from which paced attempts take one slot at a
time, and the rule that one throttle event is one cut (a throttle counts only for a
request sent after the last cut). ``RateLimitMiddleware`` owns the waiting: it sits
inside the retry middleware, so retries are paced too, and outside signing, so a request
is signed when it leaves. Until something throttles, an attempt reads one attribute and
goes.

The reasoning behind each choice, and the figures measured for them, are in the design
note ``docs/design/rate-limiter.md``.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

import httpx
from attrs import field, frozen

from . import _config_validators as validators
from ._errors import error_from_response

if TYPE_CHECKING:
    from ._clock import Clock
    from ._pipeline import Handler

__all__ = ["THROTTLING_CODES", "AdaptiveRate", "RateLimit", "RateLimitMiddleware", "is_throttling"]

# The throttling codes BCE services use (the VPN reference documents none:
# docs/service/api-facts.md#errors).
THROTTLING_CODES = frozenset({"RequestLimitExceeded", "TooManyRequests", "Throttling", "SlowDown"})

# Seconds of the current rate that may go at once: requests arriving together are not
# spaced by microseconds (each a timer), yet no burst can refill a service's bucket.
_BURST_SECONDS = 0.1
# The window over which the accepted rate is measured.
_WINDOW = 1.0


@frozen(kw_only=True)
class RateLimit:
    """How a client paces its requests (``ClientConfig(rate_limit=...)``; None turns it off).

    ```python
    config = ClientConfig(rate_limit=RateLimit(max_rate=20.0))
    ```

    Raises:
        ValueError: Neither ``max_rate`` nor ``adaptive``, or a value out of its range.
        TypeError: A value of the wrong type.
    """

    max_rate: float | None = field(
        default=None, validator=validators.number(positive=True, optional=True)
    )
    """A fixed ceiling in requests per second for the whole client, or None for none.

    Every attempt counts.
    """
    adaptive: bool = field(default=True, validator=validators.boolean)
    """Learn the service's rate from its throttling answers and pace just under it.

    A throttling answer is a 429, or a throttling code such as `RequestLimitExceeded`;
    the rate regrows when throttling stops.
    """
    decrease: float = field(default=0.7, validator=validators.fraction)
    """The factor the rate is cut by on a throttle (CUBIC's beta)."""
    growth: float = field(default=0.4, validator=validators.number(positive=True))
    """How fast the rate regrows after a cut (CUBIC's C).

    In requests per second per second cubed: with 0.4 a rate of 50/s is regained in
    3.4 s.
    """
    min_rate: float = field(default=0.5, validator=validators.number(positive=True))
    """The adaptive rate never goes below this (requests per second)."""

    def __attrs_post_init__(self) -> None:
        if self.max_rate is None and not self.adaptive:
            raise ValueError("a RateLimit needs a max_rate or adaptive=True; use None for none")


def is_throttling(response: httpx.Response) -> bool:
    """Whether an answer says "too many requests": a 429, or a throttling error code."""
    status = response.status_code
    if status == 429:
        return True
    if status < 400:
        return False
    try:
        return error_from_response(response).code in THROTTLING_CODES
    except (httpx.ResponseNotRead, RecursionError):
        return False


class AdaptiveRate:
    """The limiter's state, driven by the caller's ``now`` (monotonic seconds).

    ``active`` and ``epoch`` are plain attributes read on every attempt.
    """

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.active = limit.max_rate is not None
        self.epoch = 0
        # CUBIC: the rate throttled at, the time to regain it, and when the cut was.
        self._w_max = 0.0
        self._k = 0.0
        self._cut_at: float | None = None
        # GCRA: the time of the last slot taken, and the schedule before it was taken
        # (what a refund goes back to).
        self._last_slot = -math.inf
        self._before = -math.inf
        # Accepted answers in the current and previous window (a sliding-window count).
        self._window = 0
        self._current = 0
        self._previous = 0
        # When the last answer to a request sent before the latest cut came back.
        self._stale_until = -math.inf

    def rate(self, now: float) -> float:
        """The rate allowed now, requests per second (``inf`` when not limited)."""
        limit = self.limit
        rate = math.inf
        if self._cut_at is not None:
            elapsed = now - self._cut_at
            rate = max(limit.min_rate, limit.growth * (elapsed - self._k) ** 3 + self._w_max)
        if limit.max_rate is not None:
            rate = min(rate, limit.max_rate)
        return rate

    def reserve(self, now: float) -> float:
        """Take the next slot; the seconds to wait before sending (0 to send at once).

        The slot follows the last one by the rate of this moment, so attempts that take
        their slots one at a time, each when the one before it leaves, follow a rate that
        changes while they wait."""
        rate = self.rate(now)
        if self._cut_at is not None and rate >= 2.0 * self._w_max:
            # Grown well past the rate that was throttled with no new throttle: the
            # service takes more now, so stop pacing until it throttles again.
            self._cut_at = None
            self.active = self.limit.max_rate is not None
            rate = self.rate(now)
        if rate == math.inf:
            return 0.0
        slot = max(self._last_slot + 1.0 / rate, now - _BURST_SECONDS)
        self._before, self._last_slot = self._last_slot, slot
        return max(0.0, slot - now)

    def refund(self) -> None:
        """Give back the last slot taken, by an attempt cancelled while it waited for it."""
        self._last_slot = self._before

    def on_accepted(self, now: float, epoch: int | None = None) -> None:
        """An answer that was not a throttle (to a request sent in ``epoch``): count it
        towards the accepted rate."""
        if epoch is not None and epoch != self.epoch:
            self._stale_until = now
        window = int(now // _WINDOW)
        if window != self._window:
            self._roll(window)
        self._current += 1

    def accepted_rate(self, now: float) -> float:
        """Answers per second the service accepted over the last window."""
        window = int(now // _WINDOW)
        if window != self._window:
            self._roll(window)
        through = now / _WINDOW - window
        return (self._previous * (1.0 - through) + self._current) / _WINDOW

    def on_throttle(self, now: float, epoch: int, sent: float | None = None) -> bool:
        """A throttle for a request sent in ``epoch`` (at ``sent``, if paced); whether it
        cut the rate."""
        limit = self.limit
        if epoch != self.epoch:
            self._stale_until = now
            return False
        if not limit.adaptive or (sent is not None and sent < self._hold_until()):
            # Sent while requests from before the cut were still draining the service's
            # bucket: a throttle the last cut already answered for.
            return False
        accepted = self.accepted_rate(now)
        current = self.rate(now) if self._cut_at is not None else math.inf
        if limit.max_rate is not None:
            current = min(current, limit.max_rate)
        w_max = max(limit.min_rate, min(current, accepted))
        self._w_max = w_max
        # K: the time the curve takes to climb back from decrease * w_max to w_max.
        self._k = (w_max * (1.0 - limit.decrease) / limit.growth) ** (1.0 / 3.0)
        self._cut_at = now
        self.epoch += 1
        self.active = True
        # The service's bucket is empty now: no burst, the next request waits a slot
        # (a refund of a slot taken before the cut keeps that).
        self._last_slot = max(self._last_slot, now)
        self._before = max(self._before, now)
        return True

    def _hold_until(self) -> float:
        """Until when a throttle belongs to the last cut: one window after it (the
        service's bucket was empty then and refills while requests from before the cut
        drain it), and until the last answer to a request from before the cut."""
        cut_at = -math.inf if self._cut_at is None else self._cut_at + _WINDOW
        return max(cut_at, self._stale_until)

    def _roll(self, window: int) -> None:
        self._previous = self._current if window == self._window + 1 else 0
        self._current = 0
        self._window = window

    def __repr__(self) -> str:
        return f"AdaptiveRate(active={self.active}, epoch={self.epoch}, w_max={self._w_max:g})"


class RateLimitMiddleware:
    """Paces every attempt through one ``AdaptiveRate`` shared by all tasks of a client.

    Paced attempts take their slots one at a time, in arrival order: they wait in line
    (an ``asyncio.Lock``, held from taking a slot to its time), the first for its slot on
    the clock. So a slot is taken when the one before it leaves, at the rate of that
    moment: attempts queued while the rate was cut low leave faster as it regrows.

    Given ``connections`` (the size of the pool the SDK made), at most that many attempts
    are past it at once, from their turn at the rate to their answer; the others wait
    for one to come back before they are paced, not in the pool where the limiter could
    not reach them. The wait has no pool timeout (the attempts ahead may be waiting their
    turn at the rate, not for a connection); the call's total timeout bounds it
    (docs/design/rate-limiter.md#pool-gate).
    """

    def __init__(self, limit: RateLimit, clock: Clock, connections: int | None = None) -> None:
        self.limiter = AdaptiveRate(limit)
        self._clock = clock
        self._line = asyncio.Lock()
        self._connections = None if connections is None else asyncio.Semaphore(connections)

    def __repr__(self) -> str:
        return f"RateLimitMiddleware({self.limiter.limit!r})"

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        connections = self._connections
        if connections is not None:
            await connections.acquire()
        try:
            limiter = self.limiter
            sent = None
            if limiter.active:
                sent = await self._wait_for_slot()
            epoch = limiter.epoch
            response = await call_next(request)
            now = self._clock.monotonic()
            if is_throttling(response):
                limiter.on_throttle(now, epoch, sent)
            else:
                limiter.on_accepted(now, epoch)
            return response
        finally:
            if connections is not None:
                connections.release()

    async def _wait_for_slot(self) -> float:
        """Wait in line for a slot and then for its time; when the attempt leaves."""
        # asyncio.Lock is first come, first served, and hands itself on to the next in
        # line when its holder leaves, is cancelled waiting, or is cancelled as it wakes.
        async with self._line:
            clock = self._clock
            now = clock.monotonic()
            # 0 if the limiter stood down while this attempt waited in line.
            delay = self.limiter.reserve(now)
            if delay > 0:
                try:
                    await clock.sleep(delay)
                except BaseException:
                    self.limiter.refund()
                    raise
            return now + delay
