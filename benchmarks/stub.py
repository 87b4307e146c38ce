"""A whole ``get_vpn`` over a transport that answers from memory: the SDK's own cost.

Three ways to the same answer, each signing the same request:
- ``sdk``: ``AsyncVpnClient.get_vpn`` on the SDK's own http client (the default path:
  validation, retry, logging and signing middleware, the typed result);
- ``httpx_send``: raw httpx, ``AsyncClient.send`` then ``json.loads``;
- ``httpx_transport``: raw httpx calling the transport directly, then ``json.loads``.
The two raw ones are baselines: they sign with the benchmark's own minimal signer
(raw_signer.py) and call no code of this SDK.

The SDK's client is pointed at the stub by replacing its private ``_make_http_client``:
a benchmark's liberty, so that the SDK's default path is what is timed.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from common import AK, SK
from raw_signer import signed_get

BASE = "http://bcc.bj.baidubce.com"


class _Body(httpx.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body


class StubTransport(httpx.AsyncBaseTransport):
    """Answers every request with the same status, headers and streamed body."""

    def __init__(self, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        self._body = body
        self._headers = headers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=self._headers, stream=_Body(self._body), request=request)


async def _per_call(call: Callable[[], Awaitable[Any]], n: int, repeat: int) -> float:
    for _ in range(min(n, 500)):
        await call()
    runs = []
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(n):
            await call()
        runs.append((time.process_time() - started) / n * 1e6)
    return statistics.median(runs)


async def _full_calls(
    answer: tuple[bytes, list[tuple[bytes, bytes]]], vpn_id: str, n: int, repeat: int
) -> dict[str, float]:
    from unittest import mock

    from bce_vpn_async import AsyncVpnClient, Credentials

    body, headers = answer
    credentials = Credentials(AK, SK)

    def stubbed(config: object, base_url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=StubTransport(body, headers))

    # The SDK's own pool (its fast path), on the stub: the client makes it when built.
    with mock.patch("bce_vpn_async._engine.make_http_client", stubbed):
        client = AsyncVpnClient(credentials=credentials, endpoint=BASE)
    results = {}
    await client.__aenter__()
    try:

        async def sdk() -> None:
            await client.get_vpn(vpn_id)

        results["sdk"] = await _per_call(sdk, n, repeat)
    finally:
        await client.aclose()

    url = f"{BASE}/v1/vpn/{vpn_id}"
    signed = signed_get(BASE, f"/v1/vpn/{vpn_id}", AK, SK)
    transport = StubTransport(body, headers)
    async with httpx.AsyncClient(transport=transport) as http:

        async def httpx_send() -> None:
            request = httpx.Request("GET", url, headers=signed(), content=b"")
            response = await http.send(request)
            json.loads(response.content)

        async def httpx_transport() -> None:
            request = httpx.Request("GET", url, headers=signed(), content=b"")
            response = await transport.handle_async_request(request)
            await response.aread()
            json.loads(response.content)

        results["httpx_send"] = await _per_call(httpx_send, n, repeat)
        results["httpx_transport"] = await _per_call(httpx_transport, n, repeat)
    return results


def full_calls(
    answer: tuple[bytes, list[tuple[bytes, bytes]]], *, repeat: int, budget: float
) -> dict[str, float]:
    vpn_id = json.loads(answer[0])["vpnId"]
    n = max(500, int(budget * 25_000))
    return asyncio.run(_full_calls(answer, vpn_id, n, repeat))
