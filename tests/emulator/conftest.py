"""Fixtures for the emulator's tests: a FakeClock, an emulator on it, a signing client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from emulator_helpers import BASE_URL, SignWith

from bce_vpn_async.testing import FakeClock, VpnEmulator


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> VpnEmulator:
    return VpnEmulator(clock=clock, build_seconds=0.5, configure_seconds=0.1, seed=7)


@pytest.fixture
async def http(emulator: VpnEmulator, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=emulator.transport(),
        base_url=BASE_URL,
        auth=SignWith(emulator.credentials, clock),
    ) as client:
        yield client
