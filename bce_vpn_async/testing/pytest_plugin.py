"""pytest fixtures for testing code that drives the VPN API, against the local emulator.

Installed with the package (entry point ``pytest11``), so the fixtures are there in any
test suite of a project that depends on ``bce-vpn-async``:

- ``vpn_emulator``: an in-process ``VpnEmulator`` on a ``FakeClock``. Inject faults
  (``vpn_emulator.faults.add("drop_after", op="create_vpn")``), move time
  (``vpn_emulator.advance(180)``), and inspect ``vpn_emulator.state`` and
  ``vpn_emulator.requests``.
- ``vpn_client``: an ``AsyncVpnClient`` wired to it in-process (no sockets), sharing its
  clock, so retry backoff and ``wait_until_status`` take no real time while gateways
  still go from ``building`` to ``unconfigured``. Needs pytest-asyncio.
- ``vpn_emulator_server``: an ``EmulatorServer`` (uvicorn on a free loopback port, real
  clock) for code that is not this SDK: ``.endpoint``, ``.credentials``, ``.emulator``.

Override ``vpn_emulator`` in your ``conftest.py`` to change its settings; ``vpn_client``
follows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bce_vpn_async._client import AsyncVpnClient
from bce_vpn_async._clock import FakeClock
from bce_vpn_async._config import ClientConfig

from ._emulator import VpnEmulator
from ._server import EmulatorServer

__all__ = ["EMULATOR_ENDPOINT", "vpn_client", "vpn_emulator", "vpn_emulator_server"]

# The in-process transport answers any host; this one only names the emulator in logs.
EMULATOR_ENDPOINT = "http://vpn-emulator.invalid"


@pytest.fixture
def vpn_emulator() -> VpnEmulator:
    """An emulator on a FakeClock: gateways build in 0.5 s of virtual time."""
    return VpnEmulator(clock=FakeClock(), build_seconds=0.5, configure_seconds=0.1)


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the fixture needs pytest-asyncio; the others do not
    pass
else:

    @pytest_asyncio.fixture
    async def vpn_client(vpn_emulator: VpnEmulator) -> AsyncIterator[AsyncVpnClient]:
        """An ``AsyncVpnClient`` talking to ``vpn_emulator`` in-process, on its clock."""
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


@pytest.fixture
def vpn_emulator_server() -> Iterator[EmulatorServer]:
    """The emulator served by uvicorn on a free loopback port, on the real clock."""
    with EmulatorServer(VpnEmulator(build_seconds=0.5, configure_seconds=0.1)) as server:
        yield server
