"""What one call holds while it waits for its answer.

With thousands of calls in flight, the garbage collector walks everything they hold on
each full collection; at C=5000 that walk was half the client's CPU, and 18 of the 24
coroutines a call held were the SDK's (one per middleware binding, the pipeline, the
invoke, the send helpers). This pins the count of the SDK's own coroutines in a call's
await chain, so a layer that only passes a request on does not come back as a coroutine.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from types import CoroutineType
from typing import Any

import httpx
import pytest
import respx

import bce_vpn_async
from bce_vpn_async import AsyncVpnClient, ClientConfig, Credentials

PACKAGE = Path(bce_vpn_async.__file__).parent
HOST = "bcc.bj.baidubce.com"
VPN = {"vpnId": "vpn-1", "status": "active"}


def sdk_coroutines(task: asyncio.Task[Any]) -> list[str]:
    """The SDK's coroutines in ``task``'s await chain, outermost first."""
    names = []
    awaited: Any = task.get_coro()
    while awaited is not None:
        if isinstance(awaited, CoroutineType):
            code = awaited.cr_code
            if Path(code.co_filename).is_relative_to(PACKAGE):
                names.append(code.co_qualname)
            awaited = awaited.cr_await
        else:
            awaited = getattr(awaited, "cr_await", None)
    return names


@pytest.mark.parametrize("retry", [True, False], ids=["retries on", "retries off"])
async def test_a_call_in_flight_holds_at_most_five_sdk_coroutines(
    retry: bool, caplog: pytest.LogCaptureFixture
) -> None:
    # With DEBUG on, the logging middleware times each attempt in a coroutine of its own.
    caplog.set_level(logging.INFO, logger="bce_vpn_async")
    arrived, answered = asyncio.Event(), asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await answered.wait()
        return httpx.Response(200, json=VPN, headers={"x-bce-request-id": "r-1"})

    config = ClientConfig() if retry else ClientConfig(retry=None)
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint=HOST, config=config)
    with respx.mock(using="httpx") as mock:
        mock.route(host=HOST).mock(side_effect=answer)
        async with client:
            call = asyncio.create_task(client.get_vpn("vpn-1"))
            await asyncio.wait_for(arrived.wait(), 10)
            held = sdk_coroutines(call)
            answered.set()
            vpn = await call

    assert vpn.vpn_id == "vpn-1"
    # The method, the call (request, answer and result), retry, the rate limiter and the
    # send path; binding, the pipeline, logging and static-credential signing hand on.
    expected = [
        "GatewayOperations.get_vpn",
        "ClientCore._call",
        *(["RetryMiddleware.__call__"] if retry else []),
        "RateLimitMiddleware.__call__",
        "send",
    ]
    assert held == expected
