"""The fault soak: many writes across every write operation, in parallel, under 30% faults.

Every request the emulator receives meets a fault with probability 0.3, one of six kinds
at 5% each: a 500, a 503, a 429 with ``Retry-After: 1``, a connection dropped before the
change is applied, one dropped after it is applied, and a 200 ms stall past the client's
100 ms read timeout (also after applying). The client is the default one: the default
retry policy (4 attempts, full-jitter backoff, 60 s total timeout).

Afterwards the emulator's state must be what the calls intended, with no gateway, tunnel
or user created twice; every call must have succeeded or raised a typed ``BceError`` once
its retry budget was spent; nothing untyped may escape. The report prints the counts and
the success rate.

The normal test run makes about 150 logical writes; ``nox -s soak`` sets
``BCE_VPN_SOAK_WRITES=1000`` and runs with ``-s`` to show the reports.

About the success-rate assertion: with 4 attempts at 30% independent faults a write
fails when all four attempts meet a fault, so the expected rate is 1 - 0.3^4 = 99.19%,
and its sampling spread straddles the 99% target. The test asserts what chance allows:
no more failures than a binomial draw at that rate exceeds once in 100,000 runs (8 of
~150 writes, 22 of ~1000), which a client retrying less (one attempt: 70%; two: 91%)
cannot meet. The injected fault rate is checked the same way. The real figures are
printed, and the README reports the ones measured.
"""

from __future__ import annotations

import math
import os
import time

import httpx
import pytest
from soak_check import StateCheck, check_state, render
from soak_workload import AttemptCounter, Soak, Tally, plan_units

from bce_vpn_async import AsyncVpnClient, ClientConfig, RetryPolicy
from bce_vpn_async.testing import EmulatorServer, FakeClock, VpnEmulator

pytestmark = pytest.mark.soak

TARGET_WRITES = int(os.environ.get("BCE_VPN_SOAK_WRITES", "150"))
CONCURRENCY = 50
FAULT_RATE = 0.30
STALL_RATE = 0.05
# The stall rule is tried first; the mixed rule fires on the rest so the total is 30%.
MIX_RATE = (FAULT_RATE - STALL_RATE) / (1.0 - STALL_RATE)
READ_TIMEOUT = 0.1
STALL_SECONDS = 0.2
MAX_ATTEMPTS = RetryPolicy().max_attempts


def add_faults(emulator: VpnEmulator) -> None:
    emulator.faults.add("stall", rate=STALL_RATE, seconds=STALL_SECONDS)
    emulator.faults.add("mix", rate=MIX_RATE, retry_after=1.0)


# Chance of a write failing: all of its attempts met a fault.
WRITE_FAILURE = FAULT_RATE**MAX_ATTEMPTS
TAIL = 1e-5


def most_failures_chance_allows(writes: int, p: float = WRITE_FAILURE) -> int:
    """The fewest failures ``k`` such that more than ``k`` has probability below TAIL."""
    tail, k = 1.0, -1
    while tail >= TAIL:
        k += 1
        tail -= math.comb(writes, k) * p**k * (1 - p) ** (writes - k)
    return k


def assert_soak_held(tally: Tally, check: StateCheck, emulator: VpnEmulator) -> None:
    assert tally.untyped == []
    assert tally.short_of_budget == []
    assert tally.attempted + tally.abandoned == tally.planned
    assert check.duplicates == []
    assert check.orphans == []
    assert check.mismatches == []
    requests = list(emulator.requests)
    faulted = sum(1 for entry in requests if entry.fault) / len(requests)
    spread = 4.5 * math.sqrt(FAULT_RATE * (1 - FAULT_RATE) / len(requests))
    assert abs(faulted - FAULT_RATE) <= spread, "faults were not injected at the rate asked"
    failures = tally.attempted - tally.succeeded
    assert failures <= most_failures_chance_allows(tally.attempted)


async def test_a_soak_in_process_leaves_the_intended_state_under_30_percent_faults() -> None:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, build_seconds=0.5, configure_seconds=0.1, seed=2024)
    add_faults(emulator)
    units = plan_units(TARGET_WRITES)
    started = time.perf_counter()
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint="http://emulator.local",
            config=ClientConfig(clock=clock, timeout=READ_TIMEOUT),
            http_client=http,
            middleware=[AttemptCounter()],
        ) as client,
    ):
        soak = Soak(
            client,
            concurrency=CONCURRENCY,
            max_attempts=MAX_ATTEMPTS,
            poll_interval=2.0,
            max_poll_interval=15.0,
        )
        tally = await soak.run(units)
    check = check_state(emulator, units)
    elapsed = {"wall": time.perf_counter() - started, "virtual": clock.monotonic()}
    print()
    print(
        render(
            "in-process (EmulatorTransport, virtual clock)",
            tally=tally,
            check=check,
            emulator=emulator,
            units=units,
            concurrency=CONCURRENCY,
            elapsed=elapsed,
        )
    )
    assert_soak_held(tally, check, emulator)


async def test_a_soak_over_loopback_leaves_the_intended_state_under_30_percent_faults() -> None:
    # Real sockets, the real clock and the default aiohttp transport; the emulator runs
    # in a thread of its own, as a remote service would. Shorter in the normal run: its
    # length is the slowest unit's real backoffs, whatever the number of units.
    emulator = VpnEmulator(build_seconds=0.05, configure_seconds=0.02, seed=2025)
    add_faults(emulator)
    units = plan_units(TARGET_WRITES if TARGET_WRITES > 150 else 24)
    started = time.perf_counter()
    with EmulatorServer(emulator) as server:
        async with AsyncVpnClient(
            credentials=server.credentials,
            endpoint=server.endpoint,
            config=ClientConfig(timeout=READ_TIMEOUT),
            middleware=[AttemptCounter()],
        ) as client:
            soak = Soak(
                client,
                concurrency=CONCURRENCY,
                max_attempts=MAX_ATTEMPTS,
                poll_interval=0.05,
                max_poll_interval=0.2,
            )
            tally = await soak.run(units)
    check = check_state(emulator, units)
    print()
    print(
        render(
            "served on loopback (default aiohttp transport, real clock)",
            tally=tally,
            check=check,
            emulator=emulator,
            units=units,
            concurrency=CONCURRENCY,
            elapsed={"wall": time.perf_counter() - started},
        )
    )
    assert_soak_held(tally, check, emulator)
