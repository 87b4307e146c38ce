"""The seed documents' own examples (docs/service/sources.md#seeds): every request example is
accepted by the
client and the emulator, every response example parses into its model.

Copied from the create-tunnel page (docs/service/sources.md#seed-create-tunnel) and the
official SDK's guide (docs/service/sources.md#seed-guide), with the guide's
``"metadata": {...}`` placeholders left out. The guide's ``get_vpn_conn`` example lacks a
comma after ``"health_status": "reachable"``; it is added here, nothing else is changed.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emulator_helpers import create_gateway
from seed_examples import (
    GUIDE_GET_SSL_SERVER,
    GUIDE_GET_VPN,
    GUIDE_LIST_SSL_USERS,
    GUIDE_LIST_TUNNELS,
    GUIDE_LIST_VPNS,
)

from bce_vpn_async import (
    AsyncVpnClient,
    Billing,
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    CreateVpnConnResult,
    CreateVpnResult,
    IkeConfig,
    IpsecConfig,
    SslVpnServer,
    SslVpnUserPage,
    Vpn,
    VpnConnList,
    VpnPage,
)
from bce_vpn_async._converter import structure
from bce_vpn_async.testing import VpnEmulator

# api-create-vpn-tunnel.txt, "Request example" (POST /v1/vpn/vpn-119bd69b/vpnconn).
CREATE_TUNNEL_REQUEST = json.loads("""{
"secretKey": "ddd22@www",
"localSubnets": ["192.168.0.0/20"],
"remoteIp": "10.107.245.188",
"remoteSubnets": ["192.168.100.0/24"],
"description": "111",
"vpnConnName": "vpncon",
"ikeConfig":
{
"ikeVersion": "v1",
"ikeMode": "main",
"ikeEncAlg": "aes",
"ikeAuthAlg": "sha1",
"ikePfs": "group2",
"ikeLifeTime":200
},
"ipsecConfig":
{
"ipsecEncAlg": "aes",
"ipsecAuthAlg": "sha1",
"ipsecPfs": "group2",
"ipsecLifetime": 28800
}
}""")

# (model, JSON) for every response example of the two seeds.
RESPONSES: list[tuple[type, str]] = [
    # api-create-vpn-tunnel.txt, "Response example".
    (CreateVpnConnResult, '{"vpnConnId": "vpnconn-ku4cxya6nisq"}'),
    # python-sdk-vpn-guide.txt, "Create VPN gateway".
    (CreateVpnResult, '{"vpnId": "vpn-ku4cxya6nisq"}'),
    # "List VPN gateways".
    (
        VpnPage,
        GUIDE_LIST_VPNS,
    ),
    # "Query VPN details".
    (Vpn, GUIDE_GET_VPN),
    # "Create IPSEC tunnel".
    (CreateVpnConnResult, '{"vpnConnId": "vpnconn-ku4cxya6nisq"}'),
    # "List IPSECs" (the one added comma after "reachable").
    (
        VpnConnList,
        GUIDE_LIST_TUNNELS,
    ),
    # "Create SSL-VPN service".
    (CreateSslVpnServerResult, '{"sslVpnServerId": "sslvpn-5b2hq4nm40tt"}'),
    # "List SSLVPN service".
    (
        SslVpnServer,
        GUIDE_GET_SSL_SERVER,
    ),
    # "Create SSL VPN users in batches".
    (CreateSslVpnUsersResult, '{"sslVpnUserIds":["sslvpn-5b2hq4nm40tt"]}'),
    # "List SSL-VPN users".
    (
        SslVpnUserPage,
        GUIDE_LIST_SSL_USERS,
    ),
]


@pytest.mark.parametrize(
    ("model", "text"), RESPONSES, ids=[f"{m.__name__}-{i}" for i, (m, _) in enumerate(RESPONSES)]
)
def test_every_seed_response_example_parses_into_its_model(model: type, text: str) -> None:
    """[seed guide; seed create-tunnel page]: each example, as printed, reads."""
    assert isinstance(structure(json.loads(text), model), model)


def test_the_seed_examples_read_with_the_values_they_show() -> None:
    """The points the examples carry: legacy productType, lifetimes "28800s", active with
    no EIP [seed guide]."""
    page = structure(json.loads(RESPONSES[2][1]), VpnPage)
    assert page.vpns[0].payment_timing == "Postpaid"
    assert page.vpns[0].create_time == "2021-04-25 17:22:34"
    vpn = structure(json.loads(RESPONSES[3][1]), Vpn)
    assert (vpn.status, vpn.eip, vpn.ssl_vpn_server) == ("active", "", None)
    (conn,) = structure(json.loads(RESPONSES[5][1]), VpnConnList).vpn_conns
    assert conn.vpn_id == "vpn-a0314a79a558"
    assert conn.ike_config is not None
    assert conn.ike_config.ike_lifetime == 28800
    assert conn.health_status == "reachable"


async def test_the_create_tunnel_request_example_is_accepted_by_the_emulator(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    """[seed create-tunnel page, "Request example"]: the body as printed, on a ready gateway."""
    vpn_id = await create_gateway(http, emulator)
    response = await http.post(
        f"/v1/vpn/{vpn_id}/vpnconn?clientToken=1849ef6b-f73c-4f5d-b88b-259ca47af849",
        json=CREATE_TUNNEL_REQUEST,
    )
    assert response.status_code == 200, response.text
    conn = emulator.state.wire()["tunnels"][response.json()["vpnConnId"]]
    assert conn["ikeConfig"]["ikeLifeTime"] == "200s"


async def test_the_create_tunnel_request_example_is_sent_by_the_client_as_printed(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """[seed create-tunnel page, "Request example"]: the client takes the same values and
    sends the same body."""
    created = await vpn_client.create_vpn(
        "vpc-seed", vpn_name="gw", billing=Billing(payment_timing="Postpaid")
    )
    vpn_emulator.advance(1.0)
    body: dict[str, Any] = CREATE_TUNNEL_REQUEST
    ike, ipsec = body["ikeConfig"], body["ipsecConfig"]
    await vpn_client.create_vpn_conn(
        created.vpn_id,
        secret_key=body["secretKey"],
        local_subnets=body["localSubnets"],
        remote_ip=body["remoteIp"],
        remote_subnets=body["remoteSubnets"],
        description=body["description"],
        vpn_conn_name=body["vpnConnName"],
        ike_config=IkeConfig(
            ike["ikeVersion"],
            ike["ikeMode"],
            ike["ikeEncAlg"],
            ike["ikePfs"],
            ike_auth_alg=ike["ikeAuthAlg"],
            ike_lifetime=ike["ikeLifeTime"],
        ),
        ipsec_config=IpsecConfig(
            ipsec["ipsecEncAlg"],
            ipsec["ipsecAuthAlg"],
            ipsec_pfs=ipsec["ipsecPfs"],
            ipsec_lifetime=ipsec["ipsecLifetime"],
        ),
    )
    (sent,) = vpn_emulator.requests.for_operation("create_vpn_conn")
    # The log hides the pre-shared key; everything else is the example, key for key.
    assert sent.body == {**CREATE_TUNNEL_REQUEST, "secretKey": "***"}
