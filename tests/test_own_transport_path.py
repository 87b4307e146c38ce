"""The SDK's own http client is driven through its transport, not ``AsyncClient.send``:
what ``send`` would have given a middleware or a log reader must still be there."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx
from loopback import serving
from mocked import HOST, mocked_client

from bce_vpn_async import (
    AsyncVpnClient,
    BceNotFoundError,
    BceTransportError,
    ClientConfig,
    Handler,
    RetryPolicy,
)
from bce_vpn_async.testing import VpnEmulator

URL = f"https://{HOST}/v1/vpn/vpn-1"


class Capture:
    """A middleware that keeps the last response it saw."""

    def __init__(self) -> None:
        self.response: httpx.Response | None = None

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        self.response = await call_next(request)
        return self.response


def _client(*middleware: Capture) -> AsyncVpnClient:
    return mocked_client(ClientConfig(retry=RetryPolicy(max_attempts=1)), middleware=middleware)


async def test_a_response_from_the_own_client_knows_its_request_and_elapsed_time() -> None:
    capture = Capture()
    with respx.mock(using="httpx") as mock:
        mock.get(URL).respond(200, json={"vpnId": "vpn-1"})
        async with _client(capture) as client:
            await client.get_vpn("vpn-1")
    assert capture.response is not None
    assert capture.response.request.url == URL
    assert capture.response.elapsed.total_seconds() >= 0


async def test_a_transport_error_from_the_own_client_carries_its_request() -> None:
    with respx.mock(using="httpx") as mock:
        mock.get(URL).mock(side_effect=httpx.ConnectError("refused"))
        async with _client() as client:
            with pytest.raises(BceTransportError) as caught:
                await client.get_vpn("vpn-1")
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.url == URL


async def test_the_own_client_still_writes_httpx_info_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with respx.mock(using="httpx") as mock:
        mock.get(URL).respond(200, json={"vpnId": "vpn-1"})
        async with _client() as client:
            with caplog.at_level(logging.INFO, logger="httpx"):
                await client.get_vpn("vpn-1")
    assert f'HTTP Request: GET {URL} "HTTP/1.1 200 OK"' in caplog.messages


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_a_response_over_either_transport_reads_as_one_httpx_read_itself(
    transport: str,
) -> None:
    # The aiohttp transport marks its one-chunk body as read without walking it through
    # httpx's decoder: every public property must read as after httpx's own read().
    emulator = VpnEmulator()
    capture = Capture()
    async with (
        serving(emulator) as endpoint,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint=endpoint,
            config=ClientConfig(transport=transport),
            middleware=[capture],
        ) as client,
    ):
        with pytest.raises(BceNotFoundError):
            await client.get_vpn("vpn-abcdefghijkl")
    seen = capture.response
    assert seen is not None
    assert seen.status_code == 404
    own = httpx.Response(
        seen.status_code,
        headers=seen.headers.raw,
        stream=httpx.ByteStream(seen.content),
        request=seen.request,
    )
    own.read()
    assert seen.content == own.content
    assert seen.text == own.text
    assert seen.json() == own.json()
    assert seen.is_stream_consumed
    assert seen.is_closed
    assert (seen.is_stream_consumed, seen.is_closed) == (own.is_stream_consumed, own.is_closed)
    assert seen.num_bytes_downloaded == own.num_bytes_downloaded == len(own.content)
    assert await seen.aread() == own.content
    assert [chunk async for chunk in seen.aiter_bytes()] == [own.content]
    with pytest.raises(httpx.StreamConsumed):
        [chunk async for chunk in seen.aiter_raw()]
