"""The emulator's memory stays flat over a long run: it grows with live resources, not
with the requests it serves.

Writes with a fresh ``clientToken`` each (a request log entry and a remembered answer each,
had they no bound), a gateway created and released now and then (ids minted), and every
400th body a megabyte, all through the in-process transport (``emulator.transport()``).
Once the bounded stores are full (the warm-up), tracemalloc's count of live memory must
stay flat while as many requests again are served.

The normal run is short: a log of 1,000 requests and tokens kept 60 s on a clock that moves
50 ms a request, so both fill within the warm-up. ``nox -s soak`` runs the defaults (a log
of 10,000, tokens kept 24 h and capped at 10,000) over ``BCE_VPN_SOAK_REQUESTS`` requests.
"""

from __future__ import annotations

import json
import os
import tracemalloc
from typing import Any

import httpx
import pytest

from bce_vpn_async import BceV1Signer
from bce_vpn_async.testing import FakeClock, VpnEmulator

pytestmark = pytest.mark.soak

ENDPOINT = "http://emulator.local"
GATEWAY = {"vpcId": "vpc-mem", "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}
SOAK = os.environ.get("BCE_VPN_SOAK_REQUESTS")
MEGABYTE_EVERY = 400
# Unbounded, the log and the tokens alone grow by more than a kilobyte a request.
FLAT = 1_000_000


async def _call(
    emulator: VpnEmulator, method: str, target: str, body: object = None
) -> dict[str, Any]:
    content = b"" if body is None else json.dumps(body).encode()
    request = httpx.Request(method, ENDPOINT + target, content=content)
    BceV1Signer().sign(request, emulator.credentials, emulator.clock.time())
    response = await emulator.transport().handle_async_request(request)
    assert response.status_code == 200, response.text
    return response.json() if response.content else {}


@pytest.mark.same_in_dev_mode("it measures bounds the emulator keeps alike in either mode")
async def test_memory_stays_flat_once_the_bounded_stores_are_full() -> None:
    clock = FakeClock()
    if SOAK:
        emulator = VpnEmulator(clock=clock, build_seconds=0, configure_seconds=0)
        warm_up, measured, tick = 12_000, int(SOAK), 0.0
    else:
        emulator = VpnEmulator(
            clock=clock,
            build_seconds=0,
            configure_seconds=0,
            request_log_size=1_000,
            token_retention=60,
        )
        warm_up, measured, tick = 2_000, 4_000, 0.05
    vpn_id = (await _call(emulator, "POST", "/v1/vpn", GATEWAY))["vpnId"]
    megabyte = {"vpnName": "big", "padding": "m" * (1 << 20)}  # unknown keys are ignored
    sent = 0

    async def run(count: int) -> None:
        nonlocal sent
        for _ in range(count):
            sent += 1
            clock.advance(tick)
            body = megabyte if sent % MEGABYTE_EVERY == 0 else {"vpnName": f"n{sent % 7}"}
            target = f"/v1/vpn/{vpn_id}?modifyAttribute&clientToken=token-{sent}"
            await _call(emulator, "PUT", target, body)
            if sent % 50 == 0:
                other = (await _call(emulator, "POST", "/v1/vpn", GATEWAY))["vpnId"]
                await _call(emulator, "DELETE", f"/v1/vpn/{other}")

    tracemalloc.start()
    try:
        await run(warm_up)
        settled = tracemalloc.get_traced_memory()[0]
        await run(measured)
        grown = tracemalloc.get_traced_memory()[0] - settled
    finally:
        tracemalloc.stop()
    if SOAK:
        print(f"\nmemory: {grown} bytes grown over {measured} requests after {warm_up}")
    assert len(emulator.requests) == emulator.requests.maxlen
    assert len(emulator.state.gateways) == 1
    assert grown < FLAT, f"grew by {grown} bytes over {measured} requests"
