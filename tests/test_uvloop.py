"""The SDK on a uvloop event loop: nothing to configure, the same results and errors.

Each test runs its own loop from ``uvloop.new_event_loop`` (an ``asyncio.Runner``, not a
loop policy, which newer Pythons deprecate), so these tests are synchronous functions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest
from loopback import serving, silent_server

from bce_vpn_async import (
    AsyncVpnClient,
    BceNotFoundError,
    BceTimeoutError,
    Billing,
    ClientConfig,
    RetryPolicy,
)
from bce_vpn_async.testing import VpnEmulator

uvloop = pytest.importorskip("uvloop")

POSTPAID = Billing(payment_timing="Postpaid")
TRANSPORTS = ["aiohttp", "httpx"]


def on_uvloop(main: Coroutine[Any, Any, None]) -> None:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(_checked(main))


async def _checked(main: Coroutine[Any, Any, None]) -> None:
    # Guards the test itself: the calls below really ran on uvloop's loop.
    assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
    await main


async def _a_few_calls(client: AsyncVpnClient) -> None:
    created = await client.create_vpn("vpc-1", vpn_name="gw1", billing=POSTPAID)
    vpn = await client.get_vpn(created.vpn_id)
    assert (vpn.vpn_id, vpn.vpn_name) == (created.vpn_id, "gw1")
    listed = [v.vpn_id async for v in client.list_vpns(vpc_id="vpc-1")]
    assert listed == [created.vpn_id]
    with pytest.raises(BceNotFoundError):
        await client.get_vpn("vpn-absent")


def test_calls_against_the_in_process_emulator_on_uvloop() -> None:
    emulator = VpnEmulator()

    async def main() -> None:
        async with (
            httpx.AsyncClient(transport=emulator.transport()) as http,
            AsyncVpnClient(
                credentials=emulator.credentials, endpoint="http://emulator.local", http_client=http
            ) as client,
        ):
            await _a_few_calls(client)

    on_uvloop(main())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_calls_over_loopback_on_uvloop(transport: str) -> None:
    # The emulator's server serves in the same uvloop loop.
    emulator = VpnEmulator()

    async def main() -> None:
        async with serving(emulator) as endpoint:
            config = ClientConfig(transport=transport)
            async with AsyncVpnClient(
                credentials=emulator.credentials, endpoint=endpoint, config=config
            ) as client:
                await _a_few_calls(client)

    on_uvloop(main())


@pytest.mark.parametrize(
    ("config", "message"),
    [
        # The SDK's own deadline over the whole call.
        (ClientConfig(retry=RetryPolicy(total_timeout=0.3)), "total timeout"),
        # aiohttp's read timeout on the one attempt.
        (ClientConfig(timeout=0.3, retry=None), "timed out"),
    ],
    ids=["deadline", "read-timeout"],
)
def test_a_server_that_never_answers_times_out_on_uvloop(
    config: ClientConfig, message: str
) -> None:
    emulator = VpnEmulator()

    async def main() -> None:
        async with (
            silent_server() as endpoint,
            AsyncVpnClient(
                credentials=emulator.credentials, endpoint=endpoint, config=config
            ) as client,
        ):
            with pytest.raises(BceTimeoutError, match=message):
                await client.get_vpn("vpn-1")

    on_uvloop(main())
