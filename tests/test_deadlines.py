"""Timeouts and deadlines: the total timeout bounds each attempt and the whole call, and
only time running out is reported as a timeout.

The first tests run on a ``FakeClock`` through the in-process emulator and see each
attempt's timeouts from a middleware. The others use the real clock and real sockets
(both transports): a server that accepts and never answers must fail the call with
``BceTimeoutError`` within the deadline plus one second, and a connection refused or cut
without an answer is a ``BceTransportError``, not a timeout.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from loopback import silent_server

from bce_vpn_async import (
    AsyncVpnClient,
    BceTimeoutError,
    BceTransportError,
    Billing,
    ClientConfig,
    Credentials,
    Handler,
    RetryPolicy,
)
from bce_vpn_async.testing import FakeClock, VpnEmulator

TRANSPORTS = ["aiohttp", "httpx"]
CREDENTIALS = Credentials("ak-deadlines", "sk-deadlines-not-audited")
POSTPAID = Billing(payment_timing="Postpaid")


class SeenTimeouts:
    """Middleware: the timeouts each attempt goes out with."""

    def __init__(self) -> None:
        self.seen: list[dict[str, float | None]] = []

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        self.seen.append(dict(request.extensions["timeout"]))
        return await call_next(request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> VpnEmulator:
    return VpnEmulator(clock=clock)


@asynccontextmanager
async def client_on(
    emulator: VpnEmulator,
    clock: FakeClock,
    *,
    timeout: float,
    total_timeout: float,
    seen: SeenTimeouts,
) -> AsyncIterator[AsyncVpnClient]:
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint="http://emulator.local",
            config=ClientConfig(
                clock=clock, timeout=timeout, retry=RetryPolicy(total_timeout=total_timeout)
            ),
            http_client=http,
            middleware=[seen],
        ) as client,
    ):
        yield client


@pytest.mark.parametrize("timeout", [30.0, 2.0], ids=["phases-longer", "phases-shorter"])
async def test_the_total_timeout_holds_whatever_the_phase_timeouts_add_up_to(
    emulator: VpnEmulator, clock: FakeClock, timeout: float
) -> None:
    # Every get_vpn stalls past the read timeout: attempts time out and are retried, and
    # the call ends by its 10 s deadline, however long each attempt may take.
    emulator.faults.add("stall", op="get_vpn", seconds=100.0)
    seen = SeenTimeouts()
    async with client_on(emulator, clock, timeout=timeout, total_timeout=10.0, seen=seen) as client:
        started = clock.monotonic()
        with pytest.raises(BceTimeoutError):
            await client.get_vpn("vpn-missing")
    assert clock.monotonic() - started <= 10.0
    assert all(attempt["read"] == timeout for attempt in seen.seen)


async def test_a_stall_past_the_deadline_fails_with_a_timeout_at_the_deadline(
    emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.faults.add("stall", op="create_vpn", seconds=30.0)
    seen = SeenTimeouts()
    async with client_on(emulator, clock, timeout=30.0, total_timeout=1.0, seen=seen) as client:
        started = clock.monotonic()
        # The read timeout, cut to the second left, ran out with the deadline: the error
        # says so (whichever of the two timers fires first).
        with pytest.raises(BceTimeoutError, match=r"the total timeout of 1\.0 s passed"):
            await client.create_vpn("vpc-1", vpn_name="gw1", billing=POSTPAID)
    assert clock.monotonic() - started == pytest.approx(1.0)
    assert len(seen.seen) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_server_that_never_answers_fails_the_call_within_the_deadline_plus_a_second(
    transport: str,
) -> None:
    async with silent_server() as endpoint:
        config = ClientConfig(transport=transport, retry=RetryPolicy(total_timeout=1.0))
        async with AsyncVpnClient(credentials=CREDENTIALS, endpoint=endpoint, config=config) as c:
            started = time.monotonic()
            with pytest.raises(BceTimeoutError, match="total timeout"):
                await c.create_vpn("vpc-1", vpn_name="gw1", billing=POSTPAID)
            elapsed = time.monotonic() - started
    # A bound on correctness, not a benchmark: the call must not outlive its deadline
    # by more than a second, and it cannot end before it (the server never answers).
    assert 0.9 <= elapsed <= 2.0


def _refusing_endpoint() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)
    writer.close()


QUICK_RETRY = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.01)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_refused_connection_is_a_transport_error_not_a_timeout(transport: str) -> None:
    config = ClientConfig(transport=transport, retry=QUICK_RETRY)
    async with AsyncVpnClient(
        credentials=CREDENTIALS, endpoint=_refusing_endpoint(), config=config
    ) as client:
        with pytest.raises(BceTransportError) as info:
            await client.get_vpn("vpn-1")
    assert not isinstance(info.value, BceTimeoutError)
    assert "after 2 attempt(s)" in str(info.value)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_server_that_hangs_up_without_answering_is_a_transport_error_not_a_timeout(
    transport: str,
) -> None:
    server = await asyncio.start_server(_hang_up, "127.0.0.1", 0)
    endpoint = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        config = ClientConfig(transport=transport, retry=QUICK_RETRY)
        async with AsyncVpnClient(credentials=CREDENTIALS, endpoint=endpoint, config=config) as c:
            with pytest.raises(BceTransportError) as info:
                await c.create_vpn("vpc-1", vpn_name="gw1", billing=POSTPAID)
    finally:
        server.close()
        await server.wait_closed()
    assert not isinstance(info.value, BceTimeoutError)
    assert "after 2 attempt(s)" in str(info.value)
