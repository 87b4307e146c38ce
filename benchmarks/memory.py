"""Memory: peak RSS of one client with N ``get_vpn`` calls in flight at once.

The emulator answers after a long latency (1 s by default), so every call is started and
waiting before the first answer comes back; the pool is as large as N, so each call
holds its own connection, which is the most a call can cost. RSS is read from
``/proc/self/status``: VmHWM (the peak) at the end, VmRSS before the calls.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from common import Meter, sdk_client, vm_hwm_mb


def _vm_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def _run(endpoint: str, vpn_id: str, n: int, server_pid: int) -> dict[str, Any]:
    async with sdk_client(
        endpoint, max_connections=n, max_keepalive_connections=n, timeout=120.0
    ) as client:
        await client.get_vpn(vpn_id)
        gc.collect()
        before = _vm_rss_mb()
        in_flight = most = 0

        async def call() -> None:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            try:
                await client.get_vpn(vpn_id)
            finally:
                in_flight -= 1

        meter = Meter(server_pid)
        with meter.measure():
            await asyncio.gather(*(call() for _ in range(n)))
    return {
        "n": n,
        "rss_before_mb": before,
        "peak_rss_mb": vm_hwm_mb(),
        "most_in_flight": most,
        "wall": meter.wall,
        "cpu": meter.cpu,
        "server_cpu": meter.server_cpu,
        "other_cpu": meter.other,
    }


def run(endpoint: str, vpn_id: str, n: int, server_pid: int) -> dict[str, Any]:
    return asyncio.run(_run(endpoint, vpn_id, n, server_pid))
