"""Helpers for the emulator's tests: raw requests signed by the SDK's own signer."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
from secrets_registry import EMULATOR_PSK

from bce_vpn_async._clock import Clock
from bce_vpn_async._credentials import Credentials
from bce_vpn_async._signing import BceV1Signer
from bce_vpn_async.testing import VpnEmulator

BASE_URL = "http://bcc.bj.baidubce.com"
VPC = "vpc-test1"
PSK = EMULATOR_PSK


class SignWith(httpx.Auth):
    """Sign each request on the way out, as the SDK's signing middleware does."""

    def __init__(
        self,
        credentials: Credentials,
        clock: Clock,
        signer: BceV1Signer | None = None,
        offset: float = 0.0,
    ) -> None:
        self.credentials = credentials
        self.clock = clock
        self.signer = signer or BceV1Signer()
        self.offset = offset

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.signer.sign(request, self.credentials, self.clock.time() + self.offset)
        yield request


def tunnel_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "secretKey": PSK,
        "localSubnets": ["192.168.0.0/20"],
        "remoteIp": "10.107.245.188",
        "remoteSubnets": ["192.168.100.0/24"],
        "vpnConnName": "tunnel1",
        "ikeConfig": {
            "ikeVersion": "v1",
            "ikeMode": "main",
            "ikeEncAlg": "aes",
            "ikeAuthAlg": "sha1",
            "ikePfs": "group2",
            "ikeLifeTime": 28800,
        },
        "ipsecConfig": {
            "ipsecEncAlg": "aes",
            "ipsecAuthAlg": "sha1",
            "ipsecPfs": "group2",
            "ipsecLifetime": 28800,
        },
    }
    body.update(changes)
    return body


async def create_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator, *, ready: bool = True, **changes: Any
) -> str:
    """A gateway (idle when ``ready``); returns its id."""
    body: dict[str, Any] = {
        "vpcId": VPC,
        "vpnName": "gw1",
        "billing": {"paymentTiming": "Postpaid"},
    }
    body.update(changes)
    response = await http.post("/v1/vpn", json=body)
    assert response.status_code == 200, response.text
    if ready:
        emulator.advance(1.0)
    return str(response.json()["vpnId"])


async def create_ssl_gateway(http: httpx.AsyncClient, emulator: VpnEmulator) -> str:
    vpn_id = await create_gateway(http, emulator, type="SSL", vpnName="ssl1")
    response = await http.post(
        f"/v1/vpn/{vpn_id}/sslVpnServer",
        json={
            "sslVpnServerName": "srv1",
            "localSubnets": ["192.168.0.0/24"],
            "remoteSubnet": "172.168.0.0/16",
        },
    )
    assert response.status_code == 200, response.text
    emulator.advance(1.0)
    return vpn_id


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["code"])
