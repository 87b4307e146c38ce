"""Where the examples run: the real service when credentials are set, else an emulator.

``async with target(build_seconds=2.0) as client:`` gives an ``AsyncVpnClient``. With
``BCE_ACCESS_KEY_ID``, ``BCE_SECRET_ACCESS_KEY`` and ``BCE_ENDPOINT`` all set it talks to
that endpoint (``BCE_SESSION_TOKEN`` is read too, for STS). Otherwise it starts the
emulator that ships with the SDK on a free loopback port and says so in one line, so the
examples run on a machine with no Baidu account.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bce_vpn_async import AsyncVpnClient

__all__ = ["REQUIRED", "missing_variables", "target"]

REQUIRED = ("BCE_ACCESS_KEY_ID", "BCE_SECRET_ACCESS_KEY", "BCE_ENDPOINT")


def missing_variables() -> list[str]:
    return [name for name in REQUIRED if not os.environ.get(name)]


@asynccontextmanager
async def target(*, build_seconds: float = 2.0) -> AsyncIterator[AsyncVpnClient]:
    """A client for the real service, or for an embedded emulator whose gateways stay
    ``building`` for ``build_seconds`` (the real service takes minutes)."""
    missing = missing_variables()
    if not missing:
        # credentials=None: the client reads the variables itself, the session token too.
        async with AsyncVpnClient(endpoint=os.environ["BCE_ENDPOINT"]) as client:
            yield client
        return

    # Imported here: serving (the [emulator] extra) is needed only on this path.
    from bce_vpn_async.testing import EmulatorServer, VpnEmulator

    why = (
        "No BCE credentials set"
        if len(missing) == len(REQUIRED)
        else f"{', '.join(missing)} not set"
    )
    with EmulatorServer(VpnEmulator(build_seconds=build_seconds)) as server:
        print(f"{why}: running against the embedded emulator at {server.endpoint}", flush=True)
        async with AsyncVpnClient(
            credentials=server.credentials, endpoint=server.endpoint
        ) as client:
            yield client
