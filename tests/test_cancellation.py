"""Cancellation and the client's lifecycle on real sockets, with the default aiohttp transport.

The emulator is served on loopback in this test's own event loop and answers
every request 0.2 s late, so calls are truly in flight when they are cancelled or the
client is closed. Connections are counted in the aiohttp connector the SDK made and in
this process's file descriptors (the server's sockets are counted too, as both ends
live here).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from loopback import open_fds, serving

from bce_vpn_async import (
    AsyncVpnClient,
    BceError,
    BceNotFoundError,
    Billing,
    ClientConfig,
)
from bce_vpn_async.testing import VpnEmulator

LATENCY = 0.2
POOL = 20
CALLS = 300


@pytest.fixture
def emulator() -> VpnEmulator:
    return VpnEmulator(latency=LATENCY, build_seconds=0, configure_seconds=0)


@pytest.fixture
async def endpoint(emulator: VpnEmulator) -> AsyncIterator[str]:
    async with serving(emulator) as url:
        yield url


def new_client(emulator: VpnEmulator, endpoint: str) -> AsyncVpnClient:
    return AsyncVpnClient(
        credentials=emulator.credentials,
        endpoint=endpoint,
        config=ClientConfig(max_connections=POOL, max_keepalive_connections=POOL),
    )


def in_use(client: AsyncVpnClient) -> int:
    """Connections checked out of the pool of the SDK's default http client.

    aiohttp has no public count of them: its connector's ``_acquired`` set is what its
    ``limit`` is enforced on. The aiohttp session is made on the first request.
    """
    session = client._engine.http_client._transport.client  # type: ignore[union-attr]
    return 0 if session is None else len(session.connector._acquired)


async def eventually(condition: Callable[[], bool], what: str, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {within} s: {what}")
        await asyncio.sleep(0.005)


async def start_calls(
    client: AsyncVpnClient, call: Callable[[int], Awaitable[object]]
) -> list[asyncio.Task[object]]:
    async def run(index: int) -> object:
        return await call(index)

    tasks = [asyncio.create_task(run(index)) for index in range(CALLS)]
    await eventually(lambda: in_use(client) == POOL, "the whole pool in flight")
    return tasks


def reads(client: AsyncVpnClient) -> Callable[[int], Awaitable[object]]:
    return lambda index: client.get_vpn(f"vpn-missing{index}")


def writes(client: AsyncVpnClient) -> Callable[[int], Awaitable[object]]:
    return lambda index: client.create_vpn(
        f"vpc-cancel{index}", vpn_name=f"gw{index}", billing=Billing(payment_timing="Postpaid")
    )


async def settle_fds(baseline: int) -> None:
    # The server closes its end when it sees the client's FIN: a loop turn or two later.
    await eventually(lambda: open_fds() <= baseline, f"open fds back to {baseline}")
    gc.collect()  # a leaked session or connector would warn (an error here) when collected


@pytest.mark.parametrize("calls", [reads, writes], ids=["reads", "writes"])
async def test_cancelling_hundreds_of_calls_in_flight_leaves_no_connection_checked_out(
    emulator: VpnEmulator, endpoint: str, calls: Callable[..., Any]
) -> None:
    baseline = open_fds()
    client = new_client(emulator, endpoint)
    async with client:
        tasks = await start_calls(client, calls(client))
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)
        assert in_use(client) == 0
    await settle_fds(baseline)


async def test_a_client_serves_again_after_its_calls_were_cancelled(
    emulator: VpnEmulator, endpoint: str
) -> None:
    async with new_client(emulator, endpoint) as client:
        tasks = await start_calls(client, reads(client))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

        created = await client.create_vpn(
            "vpc-after", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
        )
        pages = await asyncio.gather(*(client.list_vpns("vpc-after") for _ in range(POOL * 2)))
        assert all([vpn.vpn_id for vpn in page.vpns] == [created.vpn_id] for page in pages)
        assert in_use(client) == 0


async def test_closing_a_client_with_calls_in_flight_fails_them_cleanly(
    emulator: VpnEmulator, endpoint: str
) -> None:
    baseline = open_fds()
    client = new_client(emulator, endpoint)
    async with client:
        tasks = await start_calls(client, writes(client))
        await client.aclose()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    unexpected = [
        outcome
        for outcome in outcomes
        if isinstance(outcome, BaseException)
        and not isinstance(outcome, BceError | asyncio.CancelledError)
    ]
    assert unexpected == []
    assert all("closed" in str(outcome) for outcome in outcomes if isinstance(outcome, BceError))
    await settle_fds(baseline)


async def test_a_call_cancelled_from_outside_is_never_retried(
    emulator: VpnEmulator, endpoint: str
) -> None:
    async with new_client(emulator, endpoint) as client:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(LATENCY / 4):
                await client.create_vpn(
                    "vpc-once", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
                )
        # Another call behind it is answered only after the first request was handled.
        with pytest.raises(BceNotFoundError):
            await client.get_vpn("vpn-missing")
    assert emulator.requests.operations.count("create_vpn") == 1


async def test_an_outer_timeout_is_the_callers_timeout_not_the_sdks(
    emulator: VpnEmulator, endpoint: str
) -> None:
    async with new_client(emulator, endpoint) as client:
        with pytest.raises(TimeoutError) as info:
            await asyncio.wait_for(client.get_vpn("vpn-missing"), LATENCY / 4)
    assert not isinstance(info.value, BceError)
