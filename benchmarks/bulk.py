"""Bulk provisioning: create gateways, wait for each to be ``unconfigured``, add a tunnel.

Concurrency 50 means 50 requests in flight at most, which is what each side can hold:
- ``sdk``: every gateway's task starts at once on one client whose pool holds 50
  connections; waiting is ``wait_until_status`` with its default settings.
- ``sdk-poll-2.5``: the same, with ``wait_until_status(poll_interval=2.5)``: its first
  re-poll then falls 2.5-2.56 s after the first poll (the default's falls 2.0-2.05 s).
- ``sdk-fixed-poll``: the same, waiting with the official script's loop instead of
  ``wait_until_status`` (``get_vpn``, then sleep the same fixed interval): the two SDKs
  and concurrency models compared under one polling policy.
- ``sdk-50-tasks``: ``wait_until_status`` again, but only 50 gateways in progress at a
  time (a semaphore around the whole provisioning), the shape threads are forced into:
  the same work in progress as the official SDK's 50 threads, the fair comparison. The
  others hold all their gateways in progress at once (200 against 50: what async buys).
- ``official-threads``: the official SDK in 50 threads, one gateway per thread at a time,
  waiting with the loop a script would write: ``get_vpn``, then ``time.sleep`` a fixed
  interval, until the status is ``unconfigured``.

Each gateway becomes ``unconfigured`` ``build_seconds`` after the emulator created it,
which is its added latency before its create call answered (the emulator applies a
request, then holds the answer), so a waiter's lateness is measured from the create's
answer, less the latency, plus the build time. Requests are counted on the client: a
middleware for the SDK, the official SDK's HTTP send.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common import Meter, official_client, peak_rss_mb, sdk_client
from counting import CountingMiddleware, Requests, count_official

CONTENDERS = ("sdk", "sdk-poll-2.5", "sdk-fixed-poll", "sdk-50-tasks", "official-threads")
GATEWAYS_PER_VPC = 3
PSK = "Secret12!x"
LOCAL, REMOTE, PEER = ["192.168.0.0/20"], ["192.168.100.0/24"], "10.107.245.188"


def _vpc(prefix: str, index: int) -> str:
    return f"{prefix}-vpc-{index // GATEWAYS_PER_VPC}"


async def _sdk(
    endpoint: str,
    gateways: int,
    c: int,
    build: float,
    prefix: str,
    *,
    limit_tasks: bool,
    fixed_poll: float | None,
    waiter: dict[str, float],
) -> tuple[list[float], Requests]:
    from bce_vpn_async import Billing, IkeConfig, IpsecConfig

    counter = Requests()
    ike = IkeConfig("v1", "main", "aes", "group2", ike_auth_alg="sha1", ike_lifetime=28800)
    ipsec = IpsecConfig("aes", "sha1", ipsec_pfs="group2", ipsec_lifetime=28800)
    lateness: list[float] = []
    gate = asyncio.Semaphore(c if limit_tasks else gateways)
    client = sdk_client(
        endpoint, [CountingMiddleware(counter)], max_connections=c, max_keepalive_connections=c
    )
    async with client:

        async def provision(index: int) -> None:
            async with gate:
                created = await client.create_vpn(
                    _vpc(prefix, index),
                    vpn_name=f"gw{index}",
                    billing=Billing(payment_timing="Postpaid"),
                )
                ready_at = time.monotonic() + build
                if fixed_poll is None:
                    await client.wait_until_status(created.vpn_id, "unconfigured", **waiter)
                else:
                    # A script's polling loop, on purpose: what the official side does.
                    while (await client.get_vpn(created.vpn_id)).status != "unconfigured":  # noqa: ASYNC110
                        await asyncio.sleep(fixed_poll)
                lateness.append(time.monotonic() - ready_at)
                await client.create_vpn_conn(
                    created.vpn_id,
                    secret_key=PSK,
                    local_subnets=LOCAL,
                    remote_subnets=REMOTE,
                    remote_ip=PEER,
                    vpn_conn_name="t1",
                    ike_config=ike,
                    ipsec_config=ipsec,
                )

        await asyncio.gather(*(provision(index) for index in range(gateways)))
    return lateness, counter


def _official(
    endpoint: str, gateways: int, c: int, build: float, prefix: str, poll: float
) -> tuple[list[float], Requests]:
    from baidubce.services.vpn import vpn_model

    counter = Requests()
    count_official(counter)
    client = official_client(endpoint)
    ike = vpn_model.IkeConfig("v1", "main", "aes", "sha1", "group2", 28800)
    ipsec = vpn_model.IpsecConfig("aes", "sha1", "group2", 28800)
    lateness: list[float] = []

    def provision(index: int) -> None:
        vpn_id = client.create_vpn(
            _vpc(prefix, index), f"gw{index}", vpn_model.Billing("Postpaid")
        ).vpn_id
        ready_at = time.monotonic() + build
        while client.get_vpn(vpn_id).status != "unconfigured":
            time.sleep(poll)
        lateness.append(time.monotonic() - ready_at)
        client.create_vpn_conn(vpn_id, PSK, LOCAL, None, PEER, REMOTE, "t1", ike, ipsec)

    with ThreadPoolExecutor(max_workers=c) as pool:
        list(pool.map(provision, range(gateways)))
    return lateness, counter


def run(
    contender: str,
    endpoint: str,
    *,
    gateways: int,
    c: int,
    build_seconds: float,
    latency_ms: float,
    official_poll: float,
    prefix: str,
    server_pid: int,
) -> dict[str, Any]:
    meter = Meter(server_pid)
    # When a gateway turns unconfigured, counted from the moment its create call answered.
    build_seconds -= latency_ms / 1000
    with meter.measure():
        if contender in ("sdk", "sdk-poll-2.5", "sdk-fixed-poll", "sdk-50-tasks"):
            lateness, counter = asyncio.run(
                _sdk(
                    endpoint,
                    gateways,
                    c,
                    build_seconds,
                    prefix,
                    limit_tasks=contender == "sdk-50-tasks",
                    fixed_poll=official_poll if contender == "sdk-fixed-poll" else None,
                    waiter={"poll_interval": 2.5} if contender == "sdk-poll-2.5" else {},
                )
            )
        elif contender == "official-threads":
            lateness, counter = _official(
                endpoint, gateways, c, build_seconds, prefix, official_poll
            )
        else:
            raise ValueError(f"unknown contender {contender!r}")
    ordered = sorted(lateness)
    return {
        "contender": contender,
        "gateways": gateways,
        "c": c,
        "wall": meter.wall,
        "cpu": meter.cpu,
        "server_cpu": meter.server_cpu,
        "other_cpu": meter.other,
        "requests": counter.count,
        "late_median": statistics.median(ordered),
        "late_p90": ordered[int(0.90 * (len(ordered) - 1))],
        "late_p95": ordered[int(0.95 * (len(ordered) - 1))],
        "late_max": ordered[-1],
        "peak_rss_mb": peak_rss_mb(),
    }
