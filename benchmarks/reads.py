"""Concurrent reads: N ``get_vpn`` calls at concurrency C, one contender per process.

Every async contender runs C coroutines that take calls from one shared count, so C calls
are in flight until the last ones; the official SDK runs in C threads (``pool.map``) or
through ``asyncio.to_thread`` under a semaphore of C. Before the measured block each
contender makes C calls at concurrency C, so pooled clients have their connections open
and every contender has imported and warmed what it needs.

The raw contenders send the request this SDK sends (same URL, headers and signature, from
``BceV1Signer``) and decode the JSON body: the least any httpx-based SDK has to do.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common import AK, SK, Meter, official_client, peak_rss_mb, sdk_client

_RETRIES = [0]
# httpx's own pool costs milliseconds a call from C = 50 on; the driver gives these fewer.
SLOW_AT_HIGH_C = ("sdk-httpx", "httpx-raw")

# The default SDK on a uvloop loop (the [uvloop] extra); left out where uvloop is missing.
_UVLOOP = ("sdk-uvloop",) if importlib.util.find_spec("uvloop") else ()

CONTENDERS = (
    "sdk",
    *_UVLOOP,
    "sdk-httpx",
    "official-threads",
    "official-to_thread",
    "httpx-raw",
    "httpx-aiohttp-raw",
    "aiohttp-raw",
    "aiohttp-raw-timeouts",
    "asyncio-floor",
)
# From C = 1000 on, only the contenders that stay near the latency bound (and the official
# SDK in threads, the comparison users make): the others' rows at C = 200 and 500 show why.
HIGH_C = 1000
AT_HIGH_C = (
    "sdk",
    *_UVLOOP,
    "official-threads",
    "httpx-aiohttp-raw",
    "aiohttp-raw",
    "aiohttp-raw-timeouts",
    "asyncio-floor",
)


async def _drive(call: Callable[[], Awaitable[Any]], n: int, c: int) -> None:
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(min(c, n))))


async def _measure_async(call: Callable[[], Awaitable[Any]], n: int, c: int, meter: Meter) -> None:
    await _drive(call, c, c)
    with meter.measure():
        await _drive(call, n, c)


async def _sdk(endpoint: str, vpn_id: str, n: int, c: int, meter: Meter, transport: str) -> None:
    pool = max(100, c)
    async with sdk_client(
        endpoint, transport=transport, max_connections=pool, max_keepalive_connections=pool
    ) as client:

        async def call() -> None:
            await client.get_vpn(vpn_id)

        await _measure_async(call, n, c, meter)


async def _raw(endpoint: str, vpn_id: str, n: int, c: int, meter: Meter, aiohttp: bool) -> None:
    import httpx

    from bce_vpn_async._config import DEFAULT_USER_AGENT
    from bce_vpn_async._credentials import Credentials
    from bce_vpn_async._signing import BceV1Signer

    limits = httpx.Limits(max_connections=max(100, c), max_keepalive_connections=max(100, c))
    transport: httpx.AsyncBaseTransport | None = None
    if aiohttp:
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=limits)
    signer = BceV1Signer()
    credentials = Credentials(AK, SK)
    url = f"{endpoint}/v1/vpn/{vpn_id}"
    headers = {
        "Content-Type": "application/json;charset=utf-8",
        "User-Agent": DEFAULT_USER_AGENT,
        "Content-Length": "0",
    }
    async with httpx.AsyncClient(transport=transport, limits=limits, timeout=30.0) as http:

        async def call() -> None:
            # A connection the server closed as idle (uvicorn keeps one 5 s) fails once on
            # reuse; any user of raw httpx retries that, as the SDK does.
            for attempt in range(3):
                request = httpx.Request("GET", url, headers=headers, content=b"")
                signer.sign(request, credentials, time.time())
                try:
                    response = await http.send(request)
                except httpx.TransportError:
                    if attempt == 2:
                        raise
                    _RETRIES[0] += 1
                    continue
                if response.status_code != 200:
                    raise RuntimeError(f"unexpected {response.status_code}: {response.text}")
                json.loads(response.content)
                return

        await _measure_async(call, n, c, meter)


def _signed(endpoint: str, vpn_id: str) -> Callable[[], dict[str, str]]:
    """The SDK's signed GET as plain headers: sign an httpx.Request, copy its headers."""
    import httpx

    from bce_vpn_async._config import DEFAULT_USER_AGENT
    from bce_vpn_async._credentials import Credentials
    from bce_vpn_async._signing import BceV1Signer

    signer = BceV1Signer()
    credentials = Credentials(AK, SK)
    url = f"{endpoint}/v1/vpn/{vpn_id}"
    base = {
        "Content-Type": "application/json;charset=utf-8",
        "User-Agent": DEFAULT_USER_AGENT,
        "Content-Length": "0",
    }

    def headers() -> dict[str, str]:
        request = httpx.Request("GET", url, headers=base, content=b"")
        signer.sign(request, credentials, time.time())
        return dict(request.headers)

    return headers


def _sdk_timeouts() -> Any:
    """The timeouts the SDK's aiohttp transport enforces by default, as aiohttp takes them:
    pool wait and connect, socket connect, each socket read, and the whole call."""
    import aiohttp

    from bce_vpn_async import ClientConfig, RetryPolicy

    phases = ClientConfig().httpx_timeout()
    return aiohttp.ClientTimeout(
        total=RetryPolicy().total_timeout,
        connect=phases.pool,
        sock_connect=phases.connect,
        sock_read=phases.read,
    )


async def _aiohttp_raw(
    endpoint: str, vpn_id: str, n: int, c: int, meter: Meter, *, sdk_timeouts: bool
) -> None:
    """Raw aiohttp with one total timeout, or (``sdk_timeouts``) with the SDK's: the same
    request either way; the second also enforces what the SDK does on every call."""
    import aiohttp

    headers = _signed(endpoint, vpn_id)
    url = f"{endpoint}/v1/vpn/{vpn_id}"
    connector = aiohttp.TCPConnector(limit=max(100, c))
    timeout = _sdk_timeouts() if sdk_timeouts else aiohttp.ClientTimeout(total=30.0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def call() -> None:
            # As for raw httpx: a connection the server closed as idle fails once on reuse.
            for attempt in range(3):
                try:
                    async with session.get(url, headers=headers()) as response:
                        body = await response.read()
                except aiohttp.ClientConnectionError:
                    if attempt == 2:
                        raise
                    _RETRIES[0] += 1
                    continue
                if response.status != 200:
                    raise RuntimeError(f"unexpected {response.status}: {body!r}")
                json.loads(body)
                return

        await _measure_async(call, n, c, meter)


async def _floor(endpoint: str, vpn_id: str, n: int, c: int, meter: Meter) -> None:
    """The least a client can do: the same signed GET on asyncio streams, one keep-alive
    HTTP/1.1 connection per worker, the answer read by its Content-Length."""
    host, port = endpoint.removeprefix("http://").split(":")
    headers = _signed(endpoint, vpn_id)
    target = f"GET /v1/vpn/{vpn_id} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def fetch(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> bytes:
        reader, writer = conn
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers().items() if k != "host")
        writer.write(f"{target}{lines}\r\n".encode("latin-1"))
        head = await reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await reader.readexactly(length)
        if status != b"200":
            raise RuntimeError(f"unexpected {status!r}: {body!r}")
        return body

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        conn = await asyncio.open_connection(host, int(port))
        connections.append(conn)
        return conn

    async def worker(slot: int, count: int) -> None:
        for _ in range(count):
            for attempt in range(3):
                try:
                    json.loads(await fetch(pool[slot]))
                    break
                except (ConnectionError, asyncio.IncompleteReadError):
                    # The server closed the idle connection: open another, as any client.
                    if attempt == 2:
                        raise
                    _RETRIES[0] += 1
                    pool[slot] = await connect()

    workers = min(c, n)
    # Warm-up: every connection open and used once, as the pooled contenders get them.
    pool = list(await asyncio.gather(*(connect() for _ in range(workers))))
    await asyncio.gather(*(worker(slot, 1) for slot in range(workers)))
    shares = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
    with meter.measure():
        await asyncio.gather(*(worker(slot, share) for slot, share in enumerate(shares)))
    for _, writer in connections:
        writer.close()


def _official_threads(endpoint: str, vpn_id: str, n: int, c: int, meter: Meter) -> None:
    client = official_client(endpoint)
    with ThreadPoolExecutor(max_workers=c) as pool:
        list(pool.map(lambda _: client.get_vpn(vpn_id), range(c)))
        with meter.measure():
            list(pool.map(lambda _: client.get_vpn(vpn_id), range(n)))


async def _official_to_thread(endpoint: str, vpn_id: str, n: int, c: int, meter: Meter) -> None:
    # The loop's default executor, as a user calling to_thread gets it:
    # min(32, cpu_count + 4) threads, whatever C is.
    client = official_client(endpoint)

    async def call() -> None:
        await asyncio.to_thread(client.get_vpn, vpn_id)

    await _measure_async(call, n, c, meter)


def run(
    contender: str, endpoint: str, vpn_id: str, n: int, c: int, server_pid: int
) -> dict[str, Any]:
    meter = Meter(server_pid)
    if contender == "sdk":
        asyncio.run(_sdk(endpoint, vpn_id, n, c, meter, "aiohttp"))
    elif contender == "sdk-uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(_sdk(endpoint, vpn_id, n, c, meter, "aiohttp"))
    elif contender == "sdk-httpx":
        asyncio.run(_sdk(endpoint, vpn_id, n, c, meter, "httpx"))
    elif contender == "httpx-raw":
        asyncio.run(_raw(endpoint, vpn_id, n, c, meter, aiohttp=False))
    elif contender == "httpx-aiohttp-raw":
        asyncio.run(_raw(endpoint, vpn_id, n, c, meter, aiohttp=True))
    elif contender == "aiohttp-raw":
        asyncio.run(_aiohttp_raw(endpoint, vpn_id, n, c, meter, sdk_timeouts=False))
    elif contender == "aiohttp-raw-timeouts":
        asyncio.run(_aiohttp_raw(endpoint, vpn_id, n, c, meter, sdk_timeouts=True))
    elif contender == "asyncio-floor":
        asyncio.run(_floor(endpoint, vpn_id, n, c, meter))
    elif contender == "official-threads":
        _official_threads(endpoint, vpn_id, n, c, meter)
    elif contender == "official-to_thread":
        asyncio.run(_official_to_thread(endpoint, vpn_id, n, c, meter))
    else:
        raise ValueError(f"unknown contender {contender!r}")
    retries = _RETRIES[0]
    return {
        "contender": contender,
        "n": n,
        "c": c,
        "wall": meter.wall,
        "cpu": meter.cpu,
        "user": meter.user,
        "system": meter.system,
        "server_cpu": meter.server_cpu,
        "other_cpu": meter.other,
        "retries": retries,
        "peak_rss_mb": peak_rss_mb(),
    }
