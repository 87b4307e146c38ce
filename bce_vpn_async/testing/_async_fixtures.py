"""The pytest plugin's ``vpn_client`` fixture, registered only when pytest-asyncio is active.

Kept apart from ``pytest_plugin`` so that importing this module (which needs
``pytest_asyncio``) is the plugin's decision at ``pytest_configure`` time, not a side effect
of loading the plugin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from bce_vpn_async._client import AsyncVpnClient
from bce_vpn_async._config import ClientConfig

from ._emulator import VpnEmulator
from ._in_process import EMULATOR_ENDPOINT

__all__ = ["vpn_client"]


# pytest_asyncio.fixture (not pytest.fixture) so that strict mode runs it as well as auto.
@pytest_asyncio.fixture
async def vpn_client(vpn_emulator: VpnEmulator) -> AsyncIterator[AsyncVpnClient]:
    """An ``AsyncVpnClient`` talking to ``vpn_emulator`` in-process, on its clock.

    Retry backoff and ``wait_until_status`` take no real time while gateways still go
    from ``building`` to ``unconfigured``. Needs pytest-asyncio, in either mode.

    Yields:
        The client, open; it is closed after the test.
    """
    async with (
        httpx.AsyncClient(transport=vpn_emulator.transport()) as http_client,
        AsyncVpnClient(
            credentials=vpn_emulator.credentials,
            endpoint=EMULATOR_ENDPOINT,
            config=ClientConfig(clock=vpn_emulator.clock),
            http_client=http_client,
        ) as client,
    ):
        yield client
