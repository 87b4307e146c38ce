"""Concurrent reads: N ``get_vpn`` calls at concurrency C, one contender per process.

Every async contender runs C coroutines that take calls from one shared count, so C calls
are in flight until the last ones; the official SDK runs in C threads (``pool.map``) or
through ``asyncio.to_thread`` under a semaphore of C. Before the measured block each
contender makes C calls at concurrency C, so pooled clients have their connections open
and every contender has imported and warmed what it needs.

The raw contenders are baselines: they contain no code of this SDK (``run`` checks that no
module of it was imported). They send the GET this SDK sends (same URL, signed headers and
Content-Type; their own User-Agent), signed on every call by the benchmark's own minimal
signer (raw_signer.py), and decode the JSON body: the least any client has to do.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common import AK, SK, Meter, official_client, peak_rss_mb, sdk_client
from raw_signer import signed_get

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
# The baselines: no code of this SDK in their process, each signing with raw_signer.py.
BASELINES = (
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

    limits = httpx.Limits(max_connections=max(100, c), max_keepalive_connections=max(100, c))
    transport: httpx.AsyncBaseTransport | None = None
    if aiohttp:
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=limits)
    headers = _signed(endpoint, vpn_id)
    url = f"{endpoint}/v1/vpn/{vpn_id}"
    async with httpx.AsyncClient(transport=transport, limits=limits, timeout=30.0) as http:

        async def call() -> None:
            # A connection the server closed as idle (it keeps one 75 s) fails once on
            # reuse; any user of raw httpx retries that, as the SDK does.
            for attempt in range(3):
                request = httpx.Request("GET", url, headers=headers(), content=b"")
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
    """The signed GET of one gateway, as fresh headers on every call (Host included)."""
    return signed_get(endpoint, f"/v1/vpn/{vpn_id}", AK, SK)


def sdk_timeouts() -> dict[str, float | None]:
    """The timeouts the SDK's aiohttp transport enforces by default, as
    ``aiohttp.ClientTimeout`` takes them: pool wait and connect, socket connect, each socket
    read, and the whole call. The driver reads them from the SDK and hands them to the
    worker, so the contender's process imports nothing of the SDK."""
    from bce_vpn_async import ClientConfig, RetryPolicy

    phases = ClientConfig().httpx_timeout()
    return {
        "total": RetryPolicy().total_timeout,
        "connect": phases.pool,
        "sock_connect": phases.connect,
        "sock_read": phases.read,
    }


async def _aiohttp_raw(
    endpoint: str,
    vpn_id: str,
    n: int,
    c: int,
    meter: Meter,
    *,
    timeouts: dict[str, float | None] | None,
) -> None:
    """Raw aiohttp with one total timeout, or with ``timeouts`` (the SDK's): the same
    request either way; the second also enforces what the SDK does on every call."""
    import aiohttp

    headers = _signed(endpoint, vpn_id)
    url = f"{endpoint}/v1/vpn/{vpn_id}"
    connector = aiohttp.TCPConnector(limit=max(100, c))
    timeout = aiohttp.ClientTimeout(**(timeouts or {"total": 30.0}))
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
    target = f"GET /v1/vpn/{vpn_id} HTTP/1.1\r\n"
    connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def fetch(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> bytes:
        reader, writer = conn
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers().items())
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


def worker_args(
    contender: str, endpoint: str, vpn_id: str, n: int, c: int, server_pid: int
) -> list[str]:
    """``worker.py``'s arguments for one measurement: ``n`` calls at concurrency ``c``."""
    return [
        "reads",
        "--contender",
        contender,
        "--endpoint",
        endpoint,
        "--vpn-id",
        vpn_id,
        "-n",
        str(n),
        "-c",
        str(c),
        "--server-pid",
        str(server_pid),
    ]


def run(
    contender: str,
    endpoint: str,
    vpn_id: str,
    n: int,
    c: int,
    server_pid: int,
    timeouts: dict[str, float | None] | None = None,
) -> dict[str, Any]:
    """One measurement; ``timeouts`` are the SDK's, for ``aiohttp-raw-timeouts``."""
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
        asyncio.run(_aiohttp_raw(endpoint, vpn_id, n, c, meter, timeouts=None))
    elif contender == "aiohttp-raw-timeouts":
        if timeouts is None:
            raise ValueError("aiohttp-raw-timeouts needs the SDK's timeouts")
        asyncio.run(_aiohttp_raw(endpoint, vpn_id, n, c, meter, timeouts=timeouts))
    elif contender == "asyncio-floor":
        asyncio.run(_floor(endpoint, vpn_id, n, c, meter))
    elif contender == "official-threads":
        _official_threads(endpoint, vpn_id, n, c, meter)
    elif contender == "official-to_thread":
        asyncio.run(_official_to_thread(endpoint, vpn_id, n, c, meter))
    else:
        raise ValueError(f"unknown contender {contender!r}")
    if contender in BASELINES:
        sdk = sorted(name for name in sys.modules if name.split(".")[0] == "bce_vpn_async")
        if sdk:
            raise RuntimeError(f"the baseline {contender} imported this SDK: {sdk[:3]}")
    retries = _RETRIES[0]
    sdk_module = sys.modules.get("bce_vpn_async")
    return {
        # Which copy of the SDK ran (an earlier commit's, in the side-by-side scenario).
        "sdk_file": getattr(sdk_module, "__file__", None),
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
