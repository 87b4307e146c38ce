"""Bulk work at the service's limits, against the in-process emulator in virtual time:
the adaptive rate limiter, the retry budget and ``max_concurrency``.

On the ``FakeClock`` the sleeps of concurrent calls overlap, as on a real clock: a
hundred throttled calls waiting one second each let one second pass, not a hundred (which
would refill the emulator's bucket for them), and each call's total timeout is spent by
its own waits only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from loopback import serving

from bce_vpn_async import (
    AsyncVpnClient,
    BceError,
    BceServerError,
    Billing,
    ClientConfig,
    Handler,
    Middleware,
    RateLimit,
    RetryBudget,
    RetryPolicy,
)
from bce_vpn_async.testing import FakeClock, VpnEmulator

POSTPAID = Billing(payment_timing="Postpaid")


def client_for(emulator: VpnEmulator, http: httpx.AsyncClient, **config: object) -> AsyncVpnClient:
    return AsyncVpnClient(
        credentials=emulator.credentials,
        endpoint="http://emulator.local",
        config=ClientConfig(clock=emulator.clock, **config),  # type: ignore[arg-type]
        http_client=http,
    )


async def gather_bounded(
    calls: int, concurrency: int, call: Callable[[int], Awaitable[object]]
) -> list[BaseException]:
    """Run ``calls`` calls, ``concurrency`` at a time; the BceErrors they raised."""
    gate = asyncio.Semaphore(concurrency)
    failures: list[BaseException] = []

    async def one(index: int) -> None:
        async with gate:
            try:
                await call(index)
            except BceError as exc:
                failures.append(exc)

    await asyncio.gather(*(one(index) for index in range(calls)))
    return failures


async def throttled_bulk(**config: object) -> tuple[list[BaseException], int, int]:
    """300 create_vpn at concurrency 100 against 50 per second: failures, requests, 429s."""
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, rate_limit=50)
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        client_for(emulator, http, **config) as client,
    ):
        failures = await gather_bounded(
            300,
            100,
            lambda i: client.create_vpn(f"vpc-bulk{i}", vpn_name=f"gw{i}", billing=POSTPAID),
        )
    requests = list(emulator.requests)
    assert len(emulator.state.gateways) == 300 - len(failures)  # each write applied once
    return failures, len(requests), sum(1 for entry in requests if entry.status == 429)


async def test_a_throttled_bulk_with_the_default_config_learns_the_rate() -> None:
    failures, requests, throttled = await throttled_bulk()
    assert failures == []
    assert throttled <= 0.05 * requests


async def test_without_the_rate_limiter_the_same_bulk_is_throttled_far_more() -> None:
    _, _, paced = await throttled_bulk()
    failures, requests, throttled = await throttled_bulk(rate_limit=None)
    assert throttled > 0.2 * requests
    assert throttled > 10 * paced
    assert all(isinstance(failure, BceServerError) for failure in failures)


async def test_a_fixed_maximum_rate_under_the_services_sends_nothing_throttled() -> None:
    failures, _, throttled = await throttled_bulk(rate_limit=RateLimit(max_rate=45, adaptive=False))
    assert failures == []
    assert throttled == 0


# -- the retry budget in an outage -----------------------------------------------------


async def outage(**config: object) -> tuple[VpnEmulator, float, list]:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock)
    emulator.faults.add("error", op="get_vpn", status=503)
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        client_for(emulator, http, **config) as client,
    ):
        failures = await gather_bounded(500, 100, lambda _: client.get_vpn("vpn-abcdefghijkl"))
        per_call = len(emulator.requests) / 500
        emulator.faults.clear()
        emulator.requests.clear()
        # The service is back: the same client's calls go through (404: no such gateway,
        # answered by a healthy service) with one request each.
        recovered = await gather_bounded(50, 10, lambda _: client.get_vpn("vpn-abcdefghijkl"))
    assert len(recovered) == 50
    assert all(failure.status_code == 404 for failure in recovered)  # type: ignore[attr-defined]
    assert len(emulator.requests) == 50
    return emulator, per_call, failures


async def test_in_an_outage_the_budget_keeps_requests_near_one_per_call() -> None:
    _, per_call, failures = await outage()
    assert per_call <= 1.3
    assert len(failures) == 500
    assert all(isinstance(failure, BceServerError) for failure in failures)
    assert {failure.status_code for failure in failures} == {503}  # type: ignore[attr-defined]


async def test_without_a_budget_an_outage_is_multiplied_by_the_attempts() -> None:
    _, per_call, _ = await outage(retry=RetryPolicy(budget=None))
    assert per_call > 3


async def test_a_write_refused_by_the_budget_sent_its_one_client_token() -> None:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock)
    emulator.faults.add("error", op="create_vpn", status=503)
    budget = RetryBudget(ratio=0.0, min_per_second=0.2, window=10.0)  # two retries to spend
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        client_for(emulator, http, retry=RetryPolicy(budget=budget)) as client,
    ):
        failures = await gather_bounded(
            5, 5, lambda i: client.create_vpn(f"vpc-out{i}", vpn_name="gw", billing=POSTPAID)
        )
    assert len(failures) == 5
    tokens = [dict(entry.query)["clientToken"] for entry in emulator.requests]
    assert len(tokens) < 5 * RetryPolicy().max_attempts
    assert len(set(tokens)) == 5  # retried or not, one token per call


# -- max_concurrency -------------------------------------------------------------------


class InFlight:
    """A middleware counting attempts in flight, and the most seen at once."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            return await call_next(request)
        finally:
            self.now -= 1


async def calls_in_flight(max_concurrency: int | None, calls: int = 1000) -> int:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, latency=0.05)
    emulator.faults.add("error", status=503, rate=0.2)
    counter = InFlight()
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint="http://emulator.local",
            config=ClientConfig(clock=clock, max_concurrency=max_concurrency),
            http_client=http,
            middleware=[counter],
        ) as client,
    ):
        results = await asyncio.gather(
            *(client.list_vpns("vpc-many") for _ in range(calls)), return_exceptions=True
        )
    assert all(not isinstance(r, BaseException) or isinstance(r, BceError) for r in results)
    return counter.most


async def test_max_concurrency_bounds_the_calls_in_flight_on_one_client() -> None:
    assert await calls_in_flight(10) <= 10
    assert await calls_in_flight(None) > 100


@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (True, TypeError), (2.5, TypeError)])
def test_max_concurrency_is_a_positive_int_or_none(value: object, error: type) -> None:
    with pytest.raises(error):
        ClientConfig(max_concurrency=value)  # type: ignore[arg-type]


def test_the_rate_limiter_and_the_budget_are_on_by_default_and_can_be_turned_off() -> None:
    config = ClientConfig()
    assert config.rate_limit == RateLimit(max_rate=None, adaptive=True)
    assert config.retry is not None
    assert config.retry.budget == RetryBudget()
    assert config.max_concurrency is None
    assert ClientConfig(rate_limit=None).rate_limit is None
    assert RetryPolicy(budget=None).budget is None
    with pytest.raises(TypeError):
        ClientConfig(rate_limit=10)  # type: ignore[arg-type]


async def test_a_long_running_client_regrows_to_full_speed_once_throttling_stops() -> None:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, rate_limit=50)
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        client_for(emulator, http) as client,
    ):

        async def batch(name: str) -> float:
            """100 create_vpn at concurrency 100: the virtual seconds they took."""
            started = clock.monotonic()
            failures = await gather_bounded(
                100,
                100,
                lambda i: client.create_vpn(f"vpc-{name}-{i}", vpn_name=f"gw{i}", billing=POSTPAID),
            )
            assert failures == []
            return clock.monotonic() - started

        learning = await batch("learn")
        emulator.rate_limit = None  # the service stops throttling
        took = [await batch(f"after{n}") for n in range(10)]
    assert learning > 1.0  # paced under the learned rate
    assert took[0] > 1.0  # still paced: nothing says the limit is gone yet
    # The rate regrows with no new throttle until the limiter stands down altogether.
    assert took[-1] < 0.1


async def test_a_client_started_on_an_emptied_bucket_soon_paces_at_the_services_rate() -> None:
    # Another client of the account has just emptied the service's bucket: the first
    # throttle comes when only a few answers were accepted, and the rate is cut far below
    # the service's. Attempts that were already waiting must speed up as the rate regrows,
    # not keep the slots they took at the lowest rate.
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, rate_limit=50)
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        client_for(emulator, http, rate_limit=None, retry=None) as other,
        client_for(emulator, http) as client,
    ):
        drained = await asyncio.gather(
            *(other.get_vpn("vpn-abcdefghijkl") for _ in range(50)), return_exceptions=True
        )
        assert all(isinstance(outcome, BceError) for outcome in drained)
        emulator.requests.clear()
        started = clock.monotonic()
        failures = await gather_bounded(
            300,
            100,
            lambda i: client.create_vpn(f"vpc-drained{i}", vpn_name=f"gw{i}", billing=POSTPAID),
        )
        took = clock.monotonic() - started
    assert failures == []
    assert len(emulator.state.gateways) == 300
    # 300 calls at 50 per second take 6 virtual seconds at best.
    assert took < 2 * 6.0, took


async def gathered_over_the_sdks_pool(
    emulator: VpnEmulator, calls: int, config: ClientConfig, *middleware: Middleware
) -> list[object]:
    """``calls`` gathered ``list_vpns`` on a client of its own pool, over loopback to
    ``emulator``: the results, exceptions among them."""
    async with (
        serving(emulator) as endpoint,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint=endpoint,
            config=config,
            middleware=middleware,
        ) as client,
    ):
        return await asyncio.gather(
            *(client.list_vpns("vpc-many") for _ in range(calls)), return_exceptions=True
        )


@pytest.mark.parametrize(("rate_limit", "most"), [(RateLimit(), 2), (None, 8)])
async def test_with_the_rate_limiter_attempts_past_the_sdks_pool_wait_before_it(
    rate_limit: RateLimit | None, most: int
) -> None:
    # Over the SDK's own pool of two connections, eight gathered calls: the rate limiter
    # holds the six with no connection before it (so they are paced by what the first
    # answers teach), rather than letting them pass and queue in the pool out of its reach.
    # Middleware runs after the limiter, so it sees only the attempts let through.
    counter = InFlight()
    config = ClientConfig(max_connections=2, rate_limit=rate_limit)
    results = await gathered_over_the_sdks_pool(VpnEmulator(latency=0.02), 8, config, counter)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert counter.most == most


async def test_attempts_waiting_their_turn_at_the_rate_do_not_spend_the_pool_timeout() -> None:
    # Twelve calls paced at 20/s over two connections: the last leaves 0.55 s in, far past
    # the 0.1 s pool timeout, while a connection stands free. Waiting for the rate is not
    # waiting for the pool, so no call fails (an attempt has no retry to hide it).
    config = ClientConfig(
        max_connections=2,
        timeout=0.1,
        rate_limit=RateLimit(max_rate=20, adaptive=False),
        retry=None,
    )
    results = await gathered_over_the_sdks_pool(VpnEmulator(), 12, config)
    assert [r for r in results if isinstance(r, BaseException)] == []
