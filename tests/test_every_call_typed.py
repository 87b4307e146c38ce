"""Whatever the transport and the retry setting, a call returns a result or raises a
``BceError``: refused and dropped connections, timeouts, answers that are not HTTP, a
caller's pool closed under the client, a client closed on another event loop."""

from __future__ import annotations

import asyncio
import gc
import socket
import warnings

import httpx
import pytest
from loopback import raw_server, silent_server

from bce_vpn_async import (
    AsyncVpnClient,
    BceClientError,
    BceError,
    BceResponseError,
    BceTimeoutError,
    BceTransportError,
    ClientConfig,
    Credentials,
    RetryPolicy,
)
from bce_vpn_async.testing import EmulatorServer, FakeClock

TRANSPORTS = ["aiohttp", "httpx"]
CREDENTIALS = Credentials("ak", "sk")
VPN = b'{"vpnId": "vpn-1", "status": "active"}'


def config(transport: str, *, retries: bool, **kwargs: object) -> ClientConfig:
    retry = RetryPolicy(max_attempts=3, initial_delay=0.0) if retries else None
    return ClientConfig(transport=transport, retry=retry, clock=FakeClock(), **kwargs)  # type: ignore[arg-type]


def client_for(endpoint: str, cfg: ClientConfig) -> AsyncVpnClient:
    return AsyncVpnClient(credentials=CREDENTIALS, endpoint=endpoint, config=cfg)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def response(head: bytes, body: bytes = VPN) -> bytes:
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("retries", [True, False], ids=["retries", "no-retries"])
async def test_a_refused_connection_is_a_transport_error(transport: str, retries: bool) -> None:
    async with client_for(
        f"http://127.0.0.1:{free_port()}", config(transport, retries=retries)
    ) as c:
        with pytest.raises(BceTransportError) as caught:
            await c.get_vpn("vpn-1")
    assert type(caught.value) is BceTransportError
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("retries", [True, False], ids=["retries", "no-retries"])
async def test_a_server_hanging_up_without_an_answer_is_a_transport_error(
    transport: str, retries: bool
) -> None:
    async with (
        raw_server(b"") as server,
        client_for(server.endpoint, config(transport, retries=retries)) as c,
    ):
        with pytest.raises(BceTransportError) as caught:
            await c.get_vpn("vpn-1")
    assert type(caught.value) is BceTransportError
    # aiohttp itself tries a GET once more on a connection that closed before answering.
    attempts = 3 if retries else 1
    assert attempts <= server.requests <= 2 * attempts


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_without_retries_a_read_timeout_is_a_timeout_error(transport: str) -> None:
    cfg = config(transport, retries=False, timeout=0.2)
    async with silent_server() as endpoint, client_for(endpoint, cfg) as c:
        with pytest.raises(BceTimeoutError) as caught:
            await c.get_vpn("vpn-1")
    assert caught.value.__cause__ is not None


# Past 100 KiB, a line is too long for h11 (httpx) as well as for aiohttp (8 KiB).
LONG_HEADER = response(b"HTTP/1.1 200 OK\r\nContent-Length: 38\r\nSet-Cookie: c=" + b"x" * 200_000)
SSH_BANNER = b"SSH-2.0-OpenSSH_9.6\r\n"
BAD_CHUNK = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + VPN + b"\r\n0\r\n\r\n"
NO_STATUS = response(b"HTTP/1.1 OK\r\nContent-Length: 38")
MALFORMED = [
    pytest.param(LONG_HEADER, BceResponseError, BceResponseError, id="a header line over 100 KiB"),
    # h11 waits for a whole response head, and the peer hangs up before one.
    pytest.param(SSH_BANNER, BceResponseError, BceTransportError, id="an SSH banner"),
    pytest.param(BAD_CHUNK, BceResponseError, BceResponseError, id="a bad chunk size"),
    pytest.param(NO_STATUS, BceResponseError, BceResponseError, id="a status line with no status"),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("retries", [True, False], ids=["retries", "no-retries"])
@pytest.mark.parametrize(("answer", "on_aiohttp", "on_httpx"), MALFORMED)
async def test_an_answer_that_is_not_valid_http_is_a_typed_error_and_is_retried(
    transport: str,
    retries: bool,
    answer: bytes,
    on_aiohttp: type[Exception],
    on_httpx: type[Exception],
) -> None:
    async with (
        raw_server(answer) as server,
        client_for(server.endpoint, config(transport, retries=retries)) as c,
    ):
        with pytest.raises(BceError) as caught:
            await c.get_vpn("vpn-1")
    assert type(caught.value) is (on_aiohttp if transport == "aiohttp" else on_httpx)
    assert caught.value.__cause__ is not None
    assert "xxxx" not in str(caught.value)
    assert "SSH-2.0" not in str(caught.value)
    attempts = 3 if retries else 1
    assert attempts <= server.requests <= 2 * attempts


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_well_formed_answer_from_the_raw_server_is_a_result(transport: str) -> None:
    answer = response(b"HTTP/1.1 200 OK\r\nContent-Length: 38")
    async with (
        raw_server(answer) as server,
        client_for(server.endpoint, config(transport, retries=False)) as c,
    ):
        vpn = await c.get_vpn("vpn-1")
    assert vpn.vpn_id == "vpn-1"


@pytest.mark.parametrize("retries", [True, False], ids=["retries", "no-retries"])
async def test_a_callers_http_client_closed_by_the_caller_is_a_client_error(
    retries: bool,
) -> None:
    http = httpx.AsyncClient()
    await http.aclose()
    cfg = config("httpx", retries=retries)
    async with AsyncVpnClient(
        credentials=CREDENTIALS, endpoint="http://127.0.0.1:9", config=cfg, http_client=http
    ) as c:
        with pytest.raises(BceClientError, match=r"http_client.*closed"):
            await c.get_vpn("vpn-1")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_client_used_in_one_asyncio_run_and_closed_in_another_says_so(transport: str) -> None:
    with EmulatorServer() as server:
        client = AsyncVpnClient(
            credentials=server.credentials,
            endpoint=server.endpoint,
            config=ClientConfig(transport=transport),  # type: ignore[arg-type]
        )

        async def use(client: AsyncVpnClient) -> None:
            await client.list_vpns("vpc-1")

        asyncio.run(use(client))
        with pytest.raises(BceClientError, match="another event loop"):
            asyncio.run(client.aclose())
        # The connections of a loop that is gone cannot be closed on it: asyncio says so
        # when they are collected.
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            del client
            gc.collect()


async def test_an_unclosed_client_warns_once_naming_itself() -> None:
    closed = AsyncVpnClient(credentials=CREDENTIALS, endpoint="http://127.0.0.1:9")
    async with closed:
        pass
    # httpx's pool holds no socket before a request, so only the client's own warning fires.
    opened = AsyncVpnClient(
        credentials=CREDENTIALS,
        endpoint="http://127.0.0.1:9",
        config=ClientConfig(transport="httpx"),
    )
    await opened.__aenter__()
    del opened, closed  # a reference cycle: only the collector frees them
    with pytest.warns(ResourceWarning, match=r"unclosed AsyncVpnClient\(endpoint=") as seen:
        gc.collect()
    assert len(seen) == 1


async def test_a_client_never_opened_does_not_warn() -> None:
    client = AsyncVpnClient(credentials=CREDENTIALS, endpoint="http://127.0.0.1:9")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        del client
        gc.collect()
