"""Each of the 21 operations on the wire: method, path, query, JSON body and signature,
and the documented response parsed into its model.

The signature of every request is checked against the official ``bce-python-sdk``
signer, which serves as the oracle for the wire.
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials
from secrets_registry import (
    CLIENT_OPS_PASSWORD_ALICE,
    CLIENT_OPS_PASSWORD_BOB,
    CLIENT_OPS_PASSWORD_NEW,
    CLIENT_OPS_PSK,
    CLIENT_OPS_SECRET_ACCESS_KEY,
    CLIENT_OPS_SESSION_TOKEN,
)
from seed_examples import (
    GUIDE_GET_SSL_SERVER,
    GUIDE_GET_VPN,
    GUIDE_LIST_SSL_USERS,
    GUIDE_LIST_TUNNELS,
    GUIDE_LIST_VPNS,
    IKE,
    IKE_WIRE,
    IPSEC,
    IPSEC_WIRE,
)

from bce_vpn_async import (
    AsyncVpnClient,
    Billing,
    ClientConfig,
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    CreateVpnConnResult,
    CreateVpnResult,
    Credentials,
    OperationResult,
    SslVpnServer,
    SslVpnUserPage,
    SslVpnUserSpec,
    Tag,
    Vpn,
    VpnConnList,
    VpnPage,
)
from bce_vpn_async._operations import OPERATIONS
from bce_vpn_async.testing import FakeClock

AK = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
SK = CLIENT_OPS_SECRET_ACCESS_KEY
HOST = "bcc.bj.baidubce.com"

TUNNEL_ARGS: dict[str, Any] = {
    "secret_key": CLIENT_OPS_PSK,
    "local_subnets": ["192.168.0.0/20"],
    "remote_subnets": ["192.168.100.0/24"],
    "vpn_conn_name": "vpncon",
    "ike_config": IKE,
    "ipsec_config": IPSEC,
    "remote_ip": "10.107.245.188",
    "description": "111",
}
TUNNEL_WIRE = {
    "secretKey": CLIENT_OPS_PSK,
    "localSubnets": ["192.168.0.0/20"],
    "remoteSubnets": ["192.168.100.0/24"],
    "vpnConnName": "vpncon",
    "ikeConfig": IKE_WIRE,
    "ipsecConfig": IPSEC_WIRE,
    "remoteIp": "10.107.245.188",
    "description": "111",
}

# The documented responses: the seed guide's examples.
VPN_DETAIL = json.loads(GUIDE_GET_VPN)
VPN_LIST = json.loads(GUIDE_LIST_VPNS)
TUNNEL_LIST = json.loads(GUIDE_LIST_TUNNELS)
SSL_SERVER = json.loads(GUIDE_GET_SSL_SERVER)
SSL_USERS = json.loads(GUIDE_LIST_SSL_USERS)

Call = Callable[[AsyncVpnClient], Awaitable[Any]]


def _case(
    name: str,
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    body: dict[str, Any] | None,
    response: dict[str, Any] | None,
    check: Callable[[Any], None],
    *,
    write: bool = True,
) -> Any:
    return pytest.param(call, method, path, query, body, response, check, write, id=name)


def _returns(cls: type, **fields: Any) -> Callable[[Any], None]:
    """A check that the result is a ``cls`` with these field values."""

    def check(result: Any) -> None:
        assert isinstance(result, cls)
        for name, value in fields.items():
            assert getattr(result, name) == value

    return check


def _is_empty_result(result: Any) -> None:
    assert isinstance(result, OperationResult)
    assert result.metadata.request_id == "req-1"


def _check_vpn(result: Any) -> None:
    assert isinstance(result, Vpn)
    assert result.vpn_id == "vpn-shkgan7et1vx"
    assert result.payment_timing == "Postpaid"
    assert result.delete_protect is True
    assert [t.tag_key for t in result.tags] == ["hikwnf", "whfooef"]
    assert result.ssl_vpn_server is None


def _check_vpn_page(result: Any) -> None:
    assert isinstance(result, VpnPage)
    assert result.is_truncated is True
    assert result.next_marker == "vpn-xktdeMSf"
    assert result.vpns[0].vpn_type == "IPSec"
    assert result.vpns[0].bandwidth_in_mbps == 10


def _check_tunnels(result: Any) -> None:
    assert isinstance(result, VpnConnList)
    conn = result.vpn_conns[0]
    assert conn.vpn_conn_id == "vpnconn-771763a0da2f"
    assert conn.health_status == "reachable"
    assert conn.ike_config is not None
    assert conn.ike_config.ike_lifetime == 28800
    assert conn.ipsec_config is not None
    assert conn.ipsec_config.ipsec_lifetime == 28800
    assert CLIENT_OPS_PSK not in repr(conn)


def _check_ssl_server(result: Any) -> None:
    assert isinstance(result, SslVpnServer)
    assert result.ssl_vpn_server_id == "sslvpn-5b2hq4nm40tt"
    assert result.interface_type == "tap"
    assert result.max_connection == 10


def _check_users(result: Any) -> None:
    assert isinstance(result, SslVpnUserPage)
    assert result.ssl_vpn_users[0].user_id == "vpn-ssl-user-xynkefqf3n5x"
    assert result.is_truncated is False


CASES = [
    _case(
        "create_vpn",
        lambda c: c.create_vpn(
            "vpc-IyWRtII7",
            vpn_name="gw1",
            billing=Billing(payment_timing="Postpaid"),
            description="first",
            tags=[Tag(tag_key="team", tag_value="net")],
            delete_protect=False,
        ),
        "POST",
        "/v1/vpn",
        {},
        {
            "vpcId": "vpc-IyWRtII7",
            "vpnName": "gw1",
            "billing": {"paymentTiming": "Postpaid"},
            "description": "first",
            "tags": [{"tagKey": "team", "tagValue": "net"}],
            "deleteProtect": False,
        },
        {"vpnId": "vpn-ku4cxya6nisq"},
        _returns(CreateVpnResult, vpn_id="vpn-ku4cxya6nisq"),
    ),
    _case(
        "create_vpn (SSL, prepaid)",
        lambda c: c.create_vpn(
            "vpc-1",
            vpn_name="ssl1",
            vpn_type="SSL",
            max_connections=20,
            billing=Billing(payment_timing="Prepaid", reservation_length=12),
        ),
        "POST",
        "/v1/vpn",
        {},
        {
            "vpcId": "vpc-1",
            "vpnName": "ssl1",
            "type": "SSL",
            "maxConnection": 20,
            "billing": {"paymentTiming": "Prepaid", "reservation": {"reservationLength": 12}},
        },
        {"vpnId": "vpn-ku4cxya6nisq"},
        _returns(CreateVpnResult, vpn_id="vpn-ku4cxya6nisq"),
    ),
    _case(
        "list_vpns",
        lambda c: c.list_vpns("vpc-IyWRtII7", marker="vpn-IyWRtII7", max_keys=1, vpn_type="IPSec"),
        "GET",
        "/v1/vpn",
        {"vpcId": "vpc-IyWRtII7", "marker": "vpn-IyWRtII7", "maxKeys": "1", "type": "IPSec"},
        None,
        VPN_LIST,
        _check_vpn_page,
        write=False,
    ),
    _case(
        "get_vpn",
        lambda c: c.get_vpn("vpn-shkgan7et1vx"),
        "GET",
        "/v1/vpn/vpn-shkgan7et1vx",
        {},
        None,
        VPN_DETAIL,
        _check_vpn,
        write=False,
    ),
    _case(
        "update_vpn",
        lambda c: c.update_vpn("vpn-1", vpn_name="gw2", description="renamed"),
        "PUT",
        "/v1/vpn/vpn-1",
        {"modifyAttribute": ""},
        {"vpnName": "gw2", "description": "renamed"},
        None,
        _is_empty_result,
    ),
    _case(
        "delete_vpn",
        lambda c: c.delete_vpn("vpn-1"),
        "DELETE",
        "/v1/vpn/vpn-1",
        {},
        None,
        None,
        _is_empty_result,
    ),
    _case(
        "bind_eip",
        lambda c: c.bind_eip("vpn-119bd69b", eip="10.107.245.188"),
        "PUT",
        "/v1/vpn/vpn-119bd69b",
        {"bind": ""},
        {"eip": "10.107.245.188"},
        None,
        _is_empty_result,
    ),
    _case(
        "unbind_eip",
        lambda c: c.unbind_eip("vpn-119bd69b"),
        "PUT",
        "/v1/vpn/vpn-119bd69b",
        {"unbind": ""},
        None,
        None,
        _is_empty_result,
    ),
    _case(
        "renew_vpn",
        lambda c: c.renew_vpn("vpn-1", billing=Billing(reservation_length=1)),
        "PUT",
        "/v1/vpn/vpn-1",
        {"purchaseReserved": ""},
        {"billing": {"reservation": {"reservationLength": 1, "reservationTimeUnit": "month"}}},
        None,
        _is_empty_result,
    ),
    _case(
        "create_vpn_conn",
        lambda c: c.create_vpn_conn("vpn-119bd69b", **TUNNEL_ARGS),
        "POST",
        "/v1/vpn/vpn-119bd69b/vpnconn",
        {},
        TUNNEL_WIRE,
        {"vpnConnId": "vpnconn-ku4cxya6nisq"},
        _returns(CreateVpnConnResult, vpn_conn_id="vpnconn-ku4cxya6nisq"),
    ),
    _case(
        "create_vpn_conn (customer gateway)",
        lambda c: c.create_vpn_conn(
            "vpn-1", **{**TUNNEL_ARGS, "remote_ip": None, "cgw_id": "cgw-76e47745e608"}
        ),
        "POST",
        "/v1/vpn/vpn-1/vpnconn",
        {},
        {
            **{k: v for k, v in TUNNEL_WIRE.items() if k != "remoteIp"},
            "cgwId": "cgw-76e47745e608",
        },
        {"vpnConnId": "vpnconn-ku4cxya6nisq"},
        _returns(CreateVpnConnResult, vpn_conn_id="vpnconn-ku4cxya6nisq"),
    ),
    _case(
        "get_vpn_conn",
        lambda c: c.get_vpn_conn("vpn-a0314a79a558"),
        "GET",
        "/v1/vpn/vpnconn/vpn-a0314a79a558",
        {},
        None,
        TUNNEL_LIST,
        _check_tunnels,
        write=False,
    ),
    _case(
        "update_vpn_conn",
        lambda c: c.update_vpn_conn("vpnconn-771763a0da2f", vpn_id="vpn-1", **TUNNEL_ARGS),
        "PUT",
        "/v1/vpn/vpnconn/vpnconn-771763a0da2f",
        {},
        {"vpnId": "vpn-1", **TUNNEL_WIRE},
        None,
        _is_empty_result,
    ),
    _case(
        "delete_vpn_conn",
        lambda c: c.delete_vpn_conn("vpnconn-771763a0da2f"),
        "DELETE",
        "/v1/vpn/vpnconn/vpnconn-771763a0da2f",
        {},
        None,
        None,
        _is_empty_result,
    ),
    _case(
        "create_vpn_sslservice",
        lambda c: c.create_vpn_sslservice(
            "vpn-shyt1vzgqc3z",
            sslservice_name="hzb_1_1",
            local_routes=["192.168.0.0/24"],
            address_pool="172.168.0.0/16",
        ),
        "POST",
        "/v1/vpn/vpn-shyt1vzgqc3z/sslVpnServer",
        {},
        {
            "sslVpnServerName": "hzb_1_1",
            "localSubnets": ["192.168.0.0/24"],
            "remoteSubnet": "172.168.0.0/16",
            "interfaceType": "tap",
        },
        {"sslVpnServerId": "sslvpn-5b2hq4nm40tt"},
        _returns(CreateSslVpnServerResult, ssl_vpn_server_id="sslvpn-5b2hq4nm40tt"),
    ),
    _case(
        "get_vpn_sslservice",
        lambda c: c.get_vpn_sslservice("vpn-shyt1vzgqc3z"),
        "GET",
        "/v1/vpn/vpn-shyt1vzgqc3z/sslVpnServer",
        {},
        None,
        SSL_SERVER,
        _check_ssl_server,
        write=False,
    ),
    _case(
        "update_vpn_sslservice",
        lambda c: c.update_vpn_sslservice(
            "vpn-1",
            "sslvpn-5b2hq4nm40tt",
            sslservice_name="hzb_2",
            local_routes=("192.168.0.0/24",),
            address_pool="172.168.0.0/16",
            client_dns="8.8.8.8",
        ),
        "PUT",
        "/v1/vpn/vpn-1/sslVpnServer/sslvpn-5b2hq4nm40tt",
        {},
        {
            "sslVpnServerName": "hzb_2",
            "localSubnets": ["192.168.0.0/24"],
            "remoteSubnet": "172.168.0.0/16",
            "clientDns": "8.8.8.8",
        },
        None,
        _is_empty_result,
    ),
    _case(
        "delete_vpn_sslservice",
        lambda c: c.delete_vpn_sslservice("vpn-1", "sslvpn-5b2hq4nm40tt"),
        "DELETE",
        "/v1/vpn/vpn-1/sslVpnServer/sslvpn-5b2hq4nm40tt",
        {},
        None,
        None,
        _is_empty_result,
    ),
    _case(
        "create_vpn_sslusers",
        lambda c: c.create_vpn_sslusers(
            "vpn-1",
            sslusers=[
                SslVpnUserSpec("alice", CLIENT_OPS_PASSWORD_ALICE, description="ops"),
                SslVpnUserSpec("bob", CLIENT_OPS_PASSWORD_BOB, client_name="bob-laptop"),
            ],
        ),
        "POST",
        "/v1/vpn/vpn-1/sslVpnUser",
        {},
        {
            "sslVpnUsers": [
                {"userName": "alice", "password": CLIENT_OPS_PASSWORD_ALICE, "description": "ops"},
                {
                    "userName": "bob",
                    "password": CLIENT_OPS_PASSWORD_BOB,
                    "clientName": "bob-laptop",
                },
            ]
        },
        {"sslVpnUserIds": ["vpn-ssl-user-xynkefqf3n5x", "vpn-ssl-user-abcdefabcdef"]},
        _returns(
            CreateSslVpnUsersResult,
            ssl_vpn_user_ids=("vpn-ssl-user-xynkefqf3n5x", "vpn-ssl-user-abcdefabcdef"),
        ),
    ),
    _case(
        "get_vpn_ssl_user",
        lambda c: c.get_vpn_ssl_user("vpn-1", max_keys=1, user_name="user"),
        "GET",
        "/v1/vpn/vpn-1/sslVpnUser",
        {"maxKeys": "1", "userName": "user"},
        None,
        SSL_USERS,
        _check_users,
        write=False,
    ),
    _case(
        "update_vpn_ssl_user",
        lambda c: c.update_vpn_ssl_user(
            "vpn-1", "vpn-ssl-user-xynkefqf3n5x", password=CLIENT_OPS_PASSWORD_NEW, description="d"
        ),
        "PUT",
        "/v1/vpn/vpn-1/sslVpnUser/vpn-ssl-user-xynkefqf3n5x",
        {},
        {"password": CLIENT_OPS_PASSWORD_NEW, "description": "d"},
        None,
        _is_empty_result,
    ),
    _case(
        "update_vpn_ssl_user (client name only)",
        lambda c: c.update_vpn_ssl_user("vpn-1", "vpn-ssl-user-xynkefqf3n5x", client_name="pc-2"),
        "PUT",
        "/v1/vpn/vpn-1/sslVpnUser/vpn-ssl-user-xynkefqf3n5x",
        {},
        {"clientName": "pc-2"},
        None,
        _is_empty_result,
    ),
    _case(
        "delete_vpn_ssl_user",
        lambda c: c.delete_vpn_ssl_user("vpn-1", "vpn-ssl-user-xynkefqf3n5x"),
        "DELETE",
        "/v1/vpn/vpn-1/sslVpnUser/vpn-ssl-user-xynkefqf3n5x",
        {},
        None,
        None,
        _is_empty_result,
    ),
    _case(
        "update_vpn_delete_protect",
        lambda c: c.update_vpn_delete_protect("vpn-1", delete_protect=False),
        "PUT",
        "/v1/vpn/vpn-1/deleteProtect",
        {},
        {"deleteProtect": False},
        None,
        _is_empty_result,
    ),
]


def official_authorization(request: httpx.Request) -> str:
    """The Authorization the official SDK's signer computes for this exact request."""
    timestamp = calendar.timegm(time.strptime(request.headers["x-bce-date"], "%Y-%m-%dT%H:%M:%SZ"))
    path, _, query = request.url.raw_path.partition(b"?")
    params = {k.encode(): v.encode() for k, v in parse_qsl(query.decode(), keep_blank_values=True)}
    headers = {k.encode(): v.encode() for k, v in request.headers.items() if k != "authorization"}
    credentials = BceCredentials(AK.encode(), SK.encode())
    signed = bce_v1_signer.sign(
        credentials, request.method.encode(), path, headers, params, timestamp
    )
    return str(signed.decode())


@pytest.fixture
def client() -> AsyncVpnClient:
    config = ClientConfig(transport="httpx", clock=FakeClock())
    return AsyncVpnClient(credentials=Credentials(AK, SK), endpoint=HOST, config=config)


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body", "response", "check", "write"), CASES
)
async def test_operation_sends_the_documented_request_and_parses_the_response(
    client: AsyncVpnClient,
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    body: dict[str, Any] | None,
    response: dict[str, Any] | None,
    check: Callable[[Any], None],
    write: bool,
) -> None:
    with respx.mock(using="httpx", assert_all_called=True) as mock:
        route = mock.route(host=HOST).mock(
            return_value=httpx.Response(
                200,
                json=response,
                headers={"x-bce-request-id": "req-1"},
            )
            if response is not None
            else httpx.Response(200, headers={"x-bce-request-id": "req-1"})
        )
        async with client:
            result = await call(client)

    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == method
    assert request.url.scheme == "https"
    assert request.url.path == path
    sent_query = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
    token = sent_query.pop("clientToken", None)
    assert sent_query == query
    if write:
        assert token is not None
        assert len(token) == 36
    else:
        assert token is None
    if body is None:
        assert request.content == b""
        assert request.headers["content-length"] == "0"  # signed, and sent by every transport
    else:
        assert request.headers["content-type"] == "application/json;charset=utf-8"
        assert json.loads(request.content) == body
    assert request.headers["authorization"] == official_authorization(request)
    check(result)
    assert result.metadata.request_id == "req-1"
    assert result.metadata.status_code == 200


def test_every_operation_of_the_api_has_a_wire_test() -> None:
    # The table's names, not a list kept here: a new operation fails this until it has a case.
    operations = {operation.name for operation in OPERATIONS}
    tested = {case.id.split(" ")[0] for case in CASES}
    assert tested == operations
    assert all(callable(getattr(AsyncVpnClient, name)) for name in operations)


async def test_a_given_client_token_is_sent_as_is(client: AsyncVpnClient) -> None:
    with respx.mock(using="httpx") as mock:
        route = mock.route(host=HOST).mock(return_value=httpx.Response(200))
        async with client:
            await client.delete_vpn("vpn-1", client_token="run-42-gw1")
    assert route.calls.last.request.url.params["clientToken"] == "run-42-gw1"


async def test_a_session_token_is_sent_and_signed() -> None:
    creds = Credentials(AK, SK, session_token=CLIENT_OPS_SESSION_TOKEN)
    config = ClientConfig(transport="httpx", clock=FakeClock())
    with respx.mock(using="httpx") as mock:
        route = mock.route(host=HOST).mock(return_value=httpx.Response(200, json=VPN_DETAIL))
        async with AsyncVpnClient(credentials=creds, endpoint=HOST, config=config) as client:
            await client.get_vpn("vpn-shkgan7et1vx")
    request = route.calls.last.request
    assert request.headers["x-bce-security-token"] == CLIENT_OPS_SESSION_TOKEN
    assert request.headers["authorization"] == official_authorization(request)
