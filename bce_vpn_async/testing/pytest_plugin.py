"""pytest fixtures for testing code that drives the VPN API, against the local emulator.

Installed with the package (entry point ``pytest11``), so the fixtures are there in any
test suite of a project that depends on ``bce-vpn-async``:

- ``vpn_emulator``: an in-process ``VpnEmulator`` on a ``FakeClock``. Inject faults
  (``vpn_emulator.faults.add("drop_after", op="create_vpn")``), move time
  (``vpn_emulator.advance(180)``), and inspect ``vpn_emulator.state`` and
  ``vpn_emulator.requests``.
- ``vpn_client``: an ``AsyncVpnClient`` wired to it in-process (no sockets), sharing its
  clock, so retry backoff and ``wait_until_status`` take no real time while gateways
  still go from ``building`` to ``unconfigured``. Needs pytest-asyncio, in either mode:
  ``asyncio_mode = "auto"``, or ``@pytest.mark.asyncio`` on each test in strict mode.
  Without pytest-asyncio, a test that asks for it fails saying what to install.
- ``vpn_emulator_server``: an ``EmulatorServer`` (the emulator's own HTTP server on a free
  loopback port, real clock) for code that is not this SDK: ``.endpoint``,
  ``.credentials``, ``.emulator``. Its teardown takes well under a second, also while a
  fault holds a request (the held answer is cancelled, the connection closed).

Override ``vpn_emulator`` in your ``conftest.py`` to change its settings; ``vpn_client``
follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NoReturn

import pytest

from bce_vpn_async._clock import FakeClock

from ._emulator import VpnEmulator
from ._in_process import EMULATOR_ENDPOINT
from ._server import EmulatorServer

__all__ = ["EMULATOR_ENDPOINT", "MISSING_ASYNCIO", "vpn_emulator", "vpn_emulator_server"]

MISSING_ASYNCIO = "vpn_client needs pytest-asyncio: pip install pytest-asyncio"
"""What a test asking for ``vpn_client`` fails with when pytest-asyncio is not active."""

# pytest-asyncio's entry point is named "asyncio"; "pytest_asyncio" when a conftest lists it
# in pytest_plugins.
_ASYNCIO_PLUGINS = ("asyncio", "pytest_asyncio")


def pytest_configure(config: pytest.Config) -> None:
    """Register ``vpn_client``: the real one with pytest-asyncio, else one that says so.

    Args:
        config: pytest's configuration, whose plugin manager tells whether
            pytest-asyncio is active.
    """
    manager = config.pluginmanager
    if any(manager.has_plugin(name) for name in _ASYNCIO_PLUGINS):
        from . import _async_fixtures

        manager.register(_async_fixtures, "bce_vpn_async.vpn_client")
    else:
        manager.register(_MissingAsyncio(), "bce_vpn_async.vpn_client")


class _MissingAsyncio:
    """Stands in for ``vpn_client`` so that a test asking for it learns what to install,
    rather than reading "fixture 'vpn_client' not found"."""

    @pytest.fixture
    def vpn_client(self) -> NoReturn:
        """Needs pytest-asyncio (``pip install pytest-asyncio``)."""
        pytest.fail(MISSING_ASYNCIO, pytrace=False)


@pytest.fixture
def vpn_emulator() -> VpnEmulator:
    """A new ``VpnEmulator`` for each test, on a ``FakeClock``.

    Gateways build in 0.5 s and changes configure in 0.1 s of virtual time. Override this
    fixture in your ``conftest.py`` to change its settings; ``vpn_client`` follows.

    Returns:
        The emulator, with the test account (``vpn_emulator.credentials``).
    """
    return VpnEmulator(clock=FakeClock(), build_seconds=0.5, configure_seconds=0.1)


@pytest.fixture
def vpn_emulator_server() -> Iterator[EmulatorServer]:
    """A new emulator served on a free loopback port, on the real clock, for code that
    is not this SDK (``.endpoint``, ``.credentials``, ``.emulator``).

    Yields:
        The started ``EmulatorServer``; it is stopped after the test, in well under a
        second whatever faults hold.
    """
    with EmulatorServer(VpnEmulator(build_seconds=0.5, configure_seconds=0.1)) as server:
        yield server
