"""Throttled bulk: N ``create_vpn`` calls against ``serve --rate-limit R``.

Every contender makes the same calls (each a new gateway, 3 per VPC): this SDK with 200
calls in flight (200 coroutines taking calls from one count, a pool of 200 connections),
with its default configuration (the adaptive rate limiter on) and with
``ClientConfig(rate_limit=None)``; the official SDK in 50 threads (``pool.map``), as its
guide configures it. ``sdk-drained`` is the default SDK started just as another client of
the same account has emptied the service's bucket (a second process, a previous run).
Every contender starts with the service's bucket full (the runner waits for it), and
``sdk-drained`` empties it first. The ideal wall time is N / R: what a client sending at exactly the
service's rate takes. A call that raises is a failed call; requests and their statuses
are counted on the client (counting.py), so a 429 is one attempt the service refused.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common import Meter, official_client, sdk_client
from counting import CountingMiddleware, Requests, count_official, result

CONTENDERS = ("sdk", "sdk-no-rate-limit", "official-threads", "sdk-drained")
GATEWAYS_PER_VPC = 3


def _vpc(prefix: str, index: int) -> str:
    return f"{prefix}-vpc-{index // GATEWAYS_PER_VPC}"


async def _drain(endpoint: str, c: int) -> None:
    """Another client of the same account empties the service's bucket just before: C
    signed requests at once (each takes a token, answered or refused), not counted."""
    from bce_vpn_async import BceError

    async with sdk_client(endpoint, rate_limit=None, retry=None, max_connections=c) as other:
        outcomes = await asyncio.gather(
            *(other.get_vpn("vpn-drain") for _ in range(c)), return_exceptions=True
        )
    unexpected = [o for o in outcomes if not isinstance(o, BceError)]
    if unexpected:
        raise RuntimeError(f"draining the bucket: {unexpected[0]!r}")


async def _sdk(
    endpoint: str,
    n: int,
    c: int,
    prefix: str,
    requests: Requests,
    meter: Meter,
    *,
    drained: bool = False,
    **config: Any,
) -> list[str]:
    from bce_vpn_async import BceError, Billing

    failures: list[str] = []
    remaining = n
    if drained:
        await _drain(endpoint, c)
    async with sdk_client(
        endpoint,
        [CountingMiddleware(requests)],
        max_connections=c,
        max_keepalive_connections=c,
        **config,
    ) as client:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                index = remaining
                try:
                    await client.create_vpn(
                        _vpc(prefix, index),
                        vpn_name=f"gw{index}",
                        billing=Billing(payment_timing="Postpaid"),
                    )
                except BceError as exc:
                    failures.append(type(exc).__name__)

        with meter.measure():
            await asyncio.gather(*(worker() for _ in range(min(c, n))))
    return failures


def _official(
    endpoint: str, n: int, threads: int, prefix: str, requests: Requests, meter: Meter
) -> list[str]:
    from baidubce.services.vpn import vpn_model

    count_official(requests)
    client = official_client(endpoint)
    failures: list[str] = []

    def create(index: int) -> None:
        try:
            client.create_vpn(_vpc(prefix, index), f"gw{index}", vpn_model.Billing("Postpaid"))
        except Exception as exc:  # the official SDK's errors have no common base but this
            failures.append(type(exc).__name__)

    with ThreadPoolExecutor(max_workers=threads) as pool, meter.measure():
        list(pool.map(create, range(n)))
    return failures


def run(
    contender: str, endpoint: str, *, n: int, c: int, threads: int, prefix: str, server_pid: int
) -> dict[str, Any]:
    meter = Meter(server_pid)
    requests = Requests()
    if contender == "sdk":
        failures = asyncio.run(_sdk(endpoint, n, c, prefix, requests, meter))
    elif contender == "sdk-no-rate-limit":
        failures = asyncio.run(_sdk(endpoint, n, c, prefix, requests, meter, rate_limit=None))
    elif contender == "sdk-drained":
        failures = asyncio.run(_sdk(endpoint, n, c, prefix, requests, meter, drained=True))
    elif contender == "official-threads":
        failures = _official(endpoint, n, threads, prefix, requests, meter)
        c = threads
    else:
        raise ValueError(f"unknown contender {contender!r}")
    return {
        **result(contender, n, c, meter, failures, requests),
        "throttled": requests.statuses[429],
    }
