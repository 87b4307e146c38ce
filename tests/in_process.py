"""A client of an in-process emulator on the emulator's clock, as the pytest plugin sets one
up: one place for tests that need other settings than the ``vpn_client`` fixture's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bce_vpn_async import AsyncVpnClient, ClientConfig
from bce_vpn_async.testing import VpnEmulator


@asynccontextmanager
async def in_process(emulator: VpnEmulator, **config: object) -> AsyncIterator[AsyncVpnClient]:
    """A client of ``emulator`` in-process, on its clock (the pytest plugin's setup)."""
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint="http://vpn-emulator.invalid",
            config=ClientConfig(clock=emulator.clock, **config),  # type: ignore[arg-type]
            http_client=http,
        ) as client,
    ):
        yield client
