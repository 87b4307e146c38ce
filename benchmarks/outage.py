"""Outage: N ``get_vpn`` calls at concurrency C while every request answers 503.

What a client adds to the load on a service that is down: requests sent per call
(counted on the client, counting.py), and whether every failure is the SDK's typed
error. Contenders: this SDK by default (the retry budget on), this SDK with
``RetryPolicy(budget=None)`` (retries limited only by ``max_attempts``), and the official
SDK in C threads with its default retry policy.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common import Meter, official_client, sdk_client
from counting import CountingMiddleware, Requests, count_official, result

CONTENDERS = ("sdk", "sdk-no-budget", "official-threads")
# Any well-formed id: the fault answers before the state is looked at.
VPN_ID = "vpn-outage01"


async def _sdk(
    endpoint: str, n: int, c: int, requests: Requests, meter: Meter, **config: Any
) -> tuple[int, list[str]]:
    from bce_vpn_async import BceError

    failures: list[str] = []
    typed = 0
    remaining = n
    async with sdk_client(
        endpoint,
        [CountingMiddleware(requests)],
        max_connections=c,
        max_keepalive_connections=c,
        **config,
    ) as client:

        async def worker() -> None:
            nonlocal remaining, typed
            while remaining > 0:
                remaining -= 1
                try:
                    await client.get_vpn(VPN_ID)
                except BceError as exc:
                    typed += 1
                    failures.append(type(exc).__name__)
                except Exception as exc:  # counted as not typed: the target wants none
                    failures.append(type(exc).__name__)

        with meter.measure():
            await asyncio.gather(*(worker() for _ in range(min(c, n))))
    return typed, failures


def _official(
    endpoint: str, n: int, c: int, requests: Requests, meter: Meter
) -> tuple[int, list[str]]:
    from baidubce.exception import BceError

    count_official(requests)
    client = official_client(endpoint)
    failures: list[str] = []
    typed = 0

    def call(_: int) -> None:
        nonlocal typed
        try:
            client.get_vpn(VPN_ID)
        except BceError as exc:  # its own base class (BceServerError, BceHttpClientError)
            typed += 1
            failures.append(type(exc).__name__)
        except Exception as exc:
            failures.append(type(exc).__name__)

    with ThreadPoolExecutor(max_workers=c) as pool, meter.measure():
        list(pool.map(call, range(n)))
    return typed, failures


def run(contender: str, endpoint: str, *, n: int, c: int, server_pid: int) -> dict[str, Any]:
    from bce_vpn_async import RetryPolicy

    meter = Meter(server_pid)
    requests = Requests()
    if contender == "sdk":
        typed, failures = asyncio.run(_sdk(endpoint, n, c, requests, meter))
    elif contender == "sdk-no-budget":
        no_budget = RetryPolicy(budget=None)
        typed, failures = asyncio.run(_sdk(endpoint, n, c, requests, meter, retry=no_budget))
    elif contender == "official-threads":
        typed, failures = _official(endpoint, n, c, requests, meter)
    else:
        raise ValueError(f"unknown contender {contender!r}")
    return {**result(contender, n, c, meter, failures, requests), "typed": typed}
