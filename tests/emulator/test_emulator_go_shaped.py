"""Requests shaped as the Go SDK sends them, signed as it signs them
(docs/service/sources.md#go-sdk,
services/vpn/model.go): the emulator takes every one where the service would.

The Go SDK serialises every string field without ``omitempty`` (``cgwId: ""``,
``localIp: ""``, ``vpnName: ""``, ``clientDns: ""``), puts ``vpnId`` in tunnel bodies,
sends no ``clientToken`` when none is set, forces ``maxKeys=1000`` on lists, and signs
an explicit header list (``host;content-length;content-type;x-bce-date``) that leaves its
own ``x-bce-request-id`` out. The requests are signed by the SDK's public signer,
``bce_vpn_async.BceV1Signer``, with that list.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from emulator_helpers import BASE_URL, PSK, VPC, SignWith
from secrets_registry import EMULATOR_SSL_PASSWORD

from bce_vpn_async import BceV1Signer
from bce_vpn_async.testing import FakeClock, VpnEmulator

GO_SIGNER = BceV1Signer(headers_to_sign=("host", "content-length", "content-type", "x-bce-date"))
GO_HEADERS = {
    "Content-Type": "application/json;charset=utf-8",
    "User-Agent": "bce-sdk-go/0.9.273/go1.22/linux/amd64",
}


@pytest.fixture
async def go(emulator: VpnEmulator, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=emulator.transport(),
        base_url=BASE_URL,
        headers=GO_HEADERS,
        auth=SignWith(emulator.credentials, clock, signer=GO_SIGNER),
    ) as client:
        yield client


async def _send(
    go: httpx.AsyncClient, method: str, url: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    # Go's encoding/json: compact, and the x-bce-request-id it adds stays unsigned.
    content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    headers = {"x-bce-request-id": "5c1e2b1e-2f1d-4c4e-9a43-0d3c6f1f2a11"}
    response = await go.request(method, url, content=content, headers=headers)
    assert response.status_code == 200, response.text
    return response


def _go_tunnel(vpn_id: str, **changes: Any) -> dict[str, Any]:
    """CreateVpnConnArgs as Go marshals it: every string present, empty when unset."""
    body: dict[str, Any] = {
        "vpnId": vpn_id,
        "vpnConnName": "vpnconn1",
        "localIp": "",
        "secretKey": PSK,
        "localSubnets": ["192.168.0.0/20"],
        "remoteIp": "10.107.245.188",
        "cgwId": "",
        "remoteSubnets": ["192.168.100.0/24"],
        "ikeConfig": {
            "ikeVersion": "v1",
            "ikeMode": "main",
            "ikeEncAlg": "aes",
            "ikeAuthAlg": "",
            "ikePfs": "group2",
            "ikeLifeTime": 25500,
        },
        "ipsecConfig": {
            "ipsecEncAlg": "aes",
            "ipsecAuthAlg": "sha1",
            "ipsecPfs": "",
            "ipsecLifetime": 25500,
        },
    }
    body.update(changes)
    return body


async def test_every_ipsec_operation_takes_go_shaped_bodies(
    go: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    """Point 6 [GO model.go: cgwId "", localIp "" beside a remoteIp on tunnel create,
    vpnName "" beside a description on update]: an empty string counts as absent."""
    created = await _send(
        go,
        "POST",
        "/v1/vpn",
        {
            "vpnName": "gw1",
            "vpcId": VPC,
            "description": "",
            "eip": "",
            "billing": {"paymentTiming": "Postpaid"},
        },
    )
    vpn_id = created.json()["vpnId"]
    emulator.advance(1.0)
    page = (await _send(go, "GET", f"/v1/vpn?vpcId={VPC}&maxKeys=1000")).json()
    assert [vpn["vpnId"] for vpn in page["vpns"]] == [vpn_id]
    await _send(go, "PUT", f"/v1/vpn/{vpn_id}?modifyAttribute", {"vpnName": "", "description": "d"})
    vpn = (await _send(go, "GET", f"/v1/vpn/{vpn_id}")).json()
    assert (vpn["vpnName"], vpn["description"]) == ("gw1", "d")
    await _send(go, "PUT", f"/v1/vpn/{vpn_id}?bind", {"eip": "106.12.1.10"})
    emulator.advance(1.0)

    conn_id = (await _send(go, "POST", f"/v1/vpn/{vpn_id}/vpnconn", _go_tunnel(vpn_id))).json()[
        "vpnConnId"
    ]
    emulator.advance(1.0)
    (conn,) = (await _send(go, "GET", f"/v1/vpn/vpnconn/{vpn_id}")).json()["vpnConns"]
    assert conn["cgwId"] is None
    assert "ikeAuthAlg" not in conn["ikeConfig"]
    assert "ipsecPfs" not in conn["ipsecConfig"]
    assert conn["ikeConfig"]["ikeLifeTime"] == "25500s"
    await _send(go, "PUT", f"/v1/vpn/vpnconn/{conn_id}", _go_tunnel(vpn_id, vpnConnName="vpnconn2"))
    emulator.advance(1.0)
    await _send(go, "DELETE", f"/v1/vpn/vpnconn/{conn_id}")
    emulator.advance(1.0)
    await _send(go, "PUT", f"/v1/vpn/{vpn_id}?unbind")
    emulator.advance(1.0)
    await _send(go, "PUT", f"/v1/vpn/{vpn_id}/deleteProtect", {"deleteProtect": True})
    await _send(go, "PUT", f"/v1/vpn/{vpn_id}/deleteProtect", {})  # Go cannot send false
    assert emulator.state.gateways[vpn_id].delete_protect is True

    paid = await _send(
        go,
        "POST",
        "/v1/vpn",
        {
            "vpnName": "gw2",
            "vpcId": VPC,
            "billing": {
                "paymentTiming": "Prepaid",
                "reservation": {"reservationLength": 1, "reservationTimeUnit": "month"},
            },
        },
    )
    emulator.advance(1.0)
    renewal = {"billing": {"reservation": {"reservationLength": 1, "reservationTimeUnit": "month"}}}
    await _send(go, "PUT", f"/v1/vpn/{paid.json()['vpnId']}?purchaseReserved", renewal)


async def test_every_ssl_operation_takes_go_shaped_bodies(
    go: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    """Point 6 and 7 [GO client_test.go sends clientDns ""]: an empty DNS is no DNS."""
    created = await _send(
        go,
        "POST",
        "/v1/vpn",
        {
            "vpnName": "ssl1",
            "vpcId": VPC,
            "type": "SSL",
            "maxConnection": 5,
            "billing": {"paymentTiming": "Postpaid"},
        },
    )
    vpn_id = created.json()["vpnId"]
    emulator.advance(1.0)
    server = {
        "sslVpnServerName": "srv1",
        "interfaceType": "tap",
        "localSubnets": ["192.168.0.0/24"],
        "remoteSubnet": "172.168.0.0/16",
        "clientDns": "",
    }
    server_id = (await _send(go, "POST", f"/v1/vpn/{vpn_id}/sslVpnServer", server)).json()[
        "sslVpnServerId"
    ]
    emulator.advance(1.0)
    got = (await _send(go, "GET", f"/v1/vpn/{vpn_id}/sslVpnServer")).json()
    assert got["clientDns"] == ""
    await _send(
        go, "PUT", f"/v1/vpn/{vpn_id}/sslVpnServer/{server_id}", {**server, "clientDns": "8.8.8.8"}
    )
    emulator.advance(1.0)
    users = {"sslVpnUsers": [{"userName": "alice", "password": EMULATOR_SSL_PASSWORD}]}
    (user_id,) = (await _send(go, "POST", f"/v1/vpn/{vpn_id}/sslVpnUser", users)).json()[
        "sslVpnUserIds"
    ]
    listed = (await _send(go, "GET", f"/v1/vpn/{vpn_id}/sslVpnUser?maxKeys=1000")).json()
    assert [user["userId"] for user in listed["sslVpnUsers"]] == [user_id]
    await _send(
        go, "PUT", f"/v1/vpn/{vpn_id}/sslVpnUser/{user_id}", {"password": "", "description": "x"}
    )
    await _send(go, "DELETE", f"/v1/vpn/{vpn_id}/sslVpnUser/{user_id}")
    await _send(go, "DELETE", f"/v1/vpn/{vpn_id}/sslVpnServer/{server_id}")
    emulator.advance(1.0)
    await _send(go, "DELETE", f"/v1/vpn/{vpn_id}")
