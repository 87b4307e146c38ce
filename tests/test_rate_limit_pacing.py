"""The rate limiter's pacing in virtual time: who leaves when, as the rate moves.

Attempts go through ``RateLimitMiddleware`` to a handler that records when each one left
and answers 200 at once; the ``FakeClock`` lets their waits overlap as on a real clock.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import httpx
import pytest

from bce_vpn_async import RateLimit
from bce_vpn_async._ratelimit import RateLimitMiddleware
from bce_vpn_async.testing import FakeClock

REQUEST = httpx.Request("GET", "http://emulator.local/v1/vpn/vpn-abcdefghijkl")


class Departures:
    """A handler that notes the virtual time each request left at, and the limiter's rate
    then."""

    def __init__(
        self,
        clock: FakeClock,
        pacer: RateLimitMiddleware,
        on_departure: Callable[[int], None] | None = None,
    ) -> None:
        self.clock = clock
        self.pacer = pacer
        self.on_departure = on_departure
        self.times: list[float] = []
        self.rates: list[float] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        now = self.clock.monotonic()
        self.times.append(now)
        self.rates.append(self.pacer.limiter.rate(now))
        if self.on_departure is not None:
            self.on_departure(len(self.times))
        return httpx.Response(200, json={}, request=request)


async def test_attempts_in_line_leave_faster_as_the_rate_regrows() -> None:
    clock = FakeClock()
    pacer = RateLimitMiddleware(RateLimit(), clock)
    limiter = pacer.limiter
    for _ in range(2):
        limiter.on_accepted(0.0)
    assert limiter.on_throttle(0.0, limiter.epoch)  # cut to 1.4/s, regrowing from there
    departures = Departures(clock, pacer)
    await asyncio.gather(*(pacer(REQUEST, departures) for _ in range(30)))

    times = departures.times
    # Each gap follows the rate of the moment the slot was taken (the previous departure),
    # not the rate when all thirty started waiting.
    paced = [t for t in times if t < times[-1]]
    assert len(paced) >= 3
    for index, (before, after) in enumerate(itertools.pairwise(paced)):
        assert after - before == pytest.approx(1 / departures.rates[index], rel=1e-6)
    assert paced[-1] - paced[-2] < 0.8 * (paced[1] - paced[0])
    # Grown to twice the rate that was throttled, the limiter stands down and the rest of
    # the line leaves together: 30 attempts at the first rate would take 21 s.
    assert not limiter.active
    assert times.count(times[-1]) == 30 - len(paced)
    assert times[-1] < 3.0


async def test_an_attempt_cancelled_in_line_neither_holds_it_up_nor_takes_a_slot() -> None:
    clock = FakeClock()
    pacer = RateLimitMiddleware(RateLimit(max_rate=1, adaptive=False), clock)
    departures = Departures(clock, pacer)
    first = asyncio.create_task(pacer(REQUEST, departures))
    second = asyncio.create_task(pacer(REQUEST, departures))  # waits for its slot, at 0.9 s
    third = asyncio.create_task(pacer(REQUEST, departures))  # waits in line behind it
    fourth = asyncio.create_task(pacer(REQUEST, departures))
    await first
    third.cancel()
    await asyncio.sleep(0)
    second.cancel()  # cancelled while waiting for its slot: the slot is given back
    await asyncio.gather(second, third, return_exceptions=True)
    await fourth
    # A tenth of a second's burst lets the first go at once; the next slot is 0.9 s on.
    assert departures.times == [0.0, pytest.approx(0.9)]
    assert second.cancelled()
    assert third.cancelled()


async def test_an_attempt_cancelled_as_its_turn_comes_hands_the_turn_on() -> None:
    clock = FakeClock()
    pacer = RateLimitMiddleware(RateLimit(max_rate=1, adaptive=False), clock)
    waiting: list[asyncio.Task[httpx.Response]] = []

    def cancel_the_next(departed: int) -> None:
        # An attempt hands the turn on as it leaves: the next one has its turn now, and
        # is cancelled before it could run.
        if departed == 2:
            waiting[1].cancel()

    departures = Departures(clock, pacer, cancel_the_next)
    await pacer(REQUEST, departures)
    waiting.extend(asyncio.create_task(pacer(REQUEST, departures)) for _ in range(3))
    await asyncio.gather(*waiting, return_exceptions=True)
    assert departures.times == [0.0, pytest.approx(0.9), pytest.approx(1.9)]
    assert waiting[1].cancelled()


class Throttling:
    """A handler answering after a virtual second, the first request with a 429: it notes
    when each request arrived and the most in flight at once."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.arrivals: list[float] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.arrivals.append(self.clock.monotonic())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        first = len(self.arrivals) == 1
        await self.clock.sleep(1.0)
        self.in_flight -= 1
        if first:
            return httpx.Response(429, json={"code": "RequestLimitExceeded"}, request=request)
        return httpx.Response(200, json={}, request=request)


async def test_attempts_past_the_pools_connections_wait_before_pacing_not_in_the_pool() -> None:
    # Ten attempts at once on a pool of two: two go; the first comes back throttled, and
    # the eight still waiting for a connection are paced by what that throttle taught,
    # instead of having all passed the limiter at the start, before it knew anything.
    clock = FakeClock()
    pacer = RateLimitMiddleware(RateLimit(), clock, connections=2)
    handler = Throttling(clock)
    await asyncio.gather(*(pacer(REQUEST, handler) for _ in range(10)))
    assert handler.most_in_flight == 2
    assert handler.arrivals[:2] == [0.0, 0.0]
    later = handler.arrivals[2:]
    assert len(later) == 8
    # The throttle came back at 1 s and cut the rate to its floor, 0.5/s (one answer had
    # been accepted): the next attempt waited for its slot, 2 s on, not a connection.
    assert later[0] == pytest.approx(3.0)
    assert later == sorted(later)


async def test_without_a_pool_size_every_attempt_passes_at_once() -> None:
    clock = FakeClock()
    pacer = RateLimitMiddleware(RateLimit(), clock)
    handler = Throttling(clock)
    await asyncio.gather(*(pacer(REQUEST, handler) for _ in range(10)))
    assert handler.most_in_flight == 10
    assert handler.arrivals == [0.0] * 10


async def test_a_waiter_takes_the_connection_given_back_and_a_cancelled_one_takes_none() -> None:
    # A waiter gets the place a finished attempt gives back, and one cancelled while it
    # waits takes no place with it. (That the wait has no pool timeout is shown over
    # loopback in test_bulk_limits.py.)
    clock = FakeClock()
    pacer = RateLimitMiddleware(RateLimit(), clock, connections=1)
    release = asyncio.Event()

    async def hanging(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json={}, request=request)

    holder = asyncio.create_task(pacer(REQUEST, hanging))
    await asyncio.sleep(0)
    given_up = asyncio.create_task(pacer(REQUEST, hanging))
    waiter = asyncio.create_task(pacer(REQUEST, hanging))
    await asyncio.sleep(0)
    assert not given_up.done()
    assert not waiter.done()
    given_up.cancel()
    release.set()
    assert (await holder).status_code == 200
    assert (await asyncio.wait_for(waiter, 1)).status_code == 200
    assert given_up.cancelled()
    # Every place came back.
    assert (await asyncio.wait_for(pacer(REQUEST, hanging), 1)).status_code == 200
