"""The bounds that keep the emulator's memory to its live resources: the request log is a
ring whose bodies are cut to a size (secrets masked all the same), and remembered client
tokens expire. The long run that shows memory flat is ``tests/soak/test_soak_memory.py``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from secrets_registry import EMULATOR_PSK

from bce_vpn_async import BceV1Signer
from bce_vpn_async.testing import FakeClock, VpnEmulator

ENDPOINT = "http://emulator.local"
GATEWAY = {"vpcId": "vpc-mem", "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}
LOG_BODY_BYTES = 16 * 1024  # docs/guides/emulator-server.md


async def _send(
    emulator: VpnEmulator, method: str, target: str, body: object = None, raw: bytes = b""
) -> httpx.Response:
    """One signed request through the in-process transport (no client around it)."""
    content = json.dumps(body).encode() if body is not None else raw
    request = httpx.Request(
        method, ENDPOINT + target, content=content, headers={"content-type": "application/json"}
    )
    BceV1Signer().sign(request, emulator.credentials, emulator.clock.time())
    return await emulator.transport().handle_async_request(request)


async def _call(
    emulator: VpnEmulator, method: str, target: str, body: object = None
) -> dict[str, Any]:
    response = await _send(emulator, method, target, body)
    assert response.status_code == 200, response.text
    return response.json() if response.content else {}


async def test_the_log_keeps_the_last_requests_it_is_sized_for() -> None:
    emulator = VpnEmulator(clock=FakeClock(), request_log_size=3)
    for index in range(5):
        await _send(emulator, "GET", f"/v1/vpn?vpcId=vpc-{index}")
    assert emulator.requests.maxlen == 3
    assert [entry.query for entry in emulator.requests] == [
        (("vpcId", f"vpc-{index}"),) for index in (2, 3, 4)
    ]


async def test_a_log_of_size_zero_keeps_nothing() -> None:
    emulator = VpnEmulator(clock=FakeClock(), request_log_size=0)
    await _call(emulator, "POST", "/v1/vpn", GATEWAY)
    assert len(emulator.requests) == 0


@pytest.mark.parametrize("size", [-1, 1.5, True])
def test_a_log_size_must_be_a_whole_number(size: object) -> None:
    with pytest.raises(ValueError, match="request_log_size"):
        VpnEmulator(request_log_size=size)  # type: ignore[arg-type]


async def _tunnel_request(emulator: VpnEmulator, padding: int) -> None:
    vpn_id = (await _call(emulator, "POST", "/v1/vpn", GATEWAY))["vpnId"]
    emulator.advance(1)
    body = {
        "secretKey": EMULATOR_PSK,
        "localSubnets": ["192.168.0.0/20"],
        "remoteIp": "10.107.245.188",
        "remoteSubnets": ["192.168.100.0/24"],
        "vpnConnName": "t1",
        "ikeConfig": {"ikeVersion": "v1", "ikeMode": "main", "ikeEncAlg": "aes",
                      "ikeAuthAlg": "sha1", "ikePfs": "group2", "ikeLifeTime": 28800},
        "ipsecConfig": {"ipsecEncAlg": "aes", "ipsecAuthAlg": "sha1", "ipsecPfs": "group2",
                        "ipsecLifetime": 28800},
        "padding": "p" * padding,
    }  # fmt: skip
    await _call(emulator, "POST", f"/v1/vpn/{vpn_id}/vpnconn", body)


async def test_a_small_body_is_kept_with_its_secrets_masked() -> None:
    emulator = VpnEmulator(clock=FakeClock())
    await _tunnel_request(emulator, padding=0)
    entry = emulator.requests[-1]
    assert entry.body["secretKey"] == "***"
    assert entry.body_size > 0
    assert EMULATOR_PSK not in repr(entry)


async def test_a_body_past_the_limit_is_kept_as_its_size_alone() -> None:
    emulator = VpnEmulator(clock=FakeClock())
    await _tunnel_request(emulator, padding=LOG_BODY_BYTES)
    entry = emulator.requests[-1]
    assert (entry.body, entry.body_json) == (None, None)
    assert entry.body_size > LOG_BODY_BYTES
    assert EMULATOR_PSK not in repr(entry)


async def test_a_body_that_is_not_strict_json_is_kept_as_its_size_alone() -> None:
    emulator = VpnEmulator(clock=FakeClock())
    raw = b'{"vpcId": "v", "secretKey": "' + EMULATOR_PSK.encode() + b'", "n": NaN}'
    await _send(emulator, "POST", "/v1/vpn", raw=raw)
    entry = emulator.requests[-1]
    assert (entry.body, entry.body_size) == (None, len(raw))
    assert EMULATOR_PSK not in repr(entry)


async def test_a_client_token_is_forgotten_after_its_retention() -> None:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, token_retention=60)
    first = await _call(emulator, "POST", "/v1/vpn?clientToken=t-1", GATEWAY)
    assert await _call(emulator, "POST", "/v1/vpn?clientToken=t-1", GATEWAY) == first
    clock.advance(61)
    again = await _call(emulator, "POST", "/v1/vpn?clientToken=t-1", GATEWAY)
    assert again["vpnId"] != first["vpnId"]
