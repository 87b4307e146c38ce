"""The models as values, and every response example of the seeds and the API reference read
into them (``seed_examples.py``; the reference's field lists: docs/service/api-facts.md)."""

from __future__ import annotations

import json

import attrs
import pytest
from seed_examples import (
    GUIDE_GET_SSL_SERVER,
    GUIDE_GET_VPN,
    GUIDE_LIST_SSL_USERS,
    GUIDE_LIST_TUNNELS,
    GUIDE_LIST_VPNS,
    IKE,
    IPSEC,
    REFERENCE_TUNNEL_ITEM,
)

from bce_vpn_async import (
    Billing,
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    CreateVpnConnResult,
    CreateVpnResult,
    IkeConfig,
    IpsecConfig,
    OperationResult,
    ResponseMetadata,
    SslVpnServer,
    SslVpnUser,
    SslVpnUserPage,
    SslVpnUserSpec,
    Tag,
    Vpn,
    VpnConn,
    VpnConnList,
    VpnPage,
)
from bce_vpn_async import _models as models
from bce_vpn_async._converter import structure
from bce_vpn_async._models.common import EMPTY_METADATA

pytestmark = pytest.mark.same_in_dev_mode(
    "models are values, read by pure functions: no event loop, no resources"
)

# --- every field the current reference lists for a gateway (values illustrative):
# docs/service/api-facts.md#get-vpn-gateway.
SPEC_GET_VPN_CURRENT = """{"vpnId":"vpn-shkgan7et1vx","vpnName":"gw1",
"createTime":"2021-04-25 17:22:34","description":"d","type":"SSL","status":"building",
"expiredTime":"2022-04-25T17:22:34Z",
"paymentTiming":"Prepaid","eip":"","bandwidthInMbps":0,"vpcId":"vpc-IyWRtII7","vpnConnNum":0,
"maxConnection":5,"vpnConns":[],"sslVpnServer":{"vpnId":"vpn-shkgan7et1vx",
"sslVpnServerId":"sslvpn-5b2hq4nm40tt","sslVpnServerName":"hzb_1_1","interfaceType":"tun",
"status":"active","localSubnets":["192.168.0.0/24"],"remoteSubnet":"172.168.0.0/16",
"clientDns":"","maxConnection":5},"tags":[],"deleteProtect":false}"""

# --- a user item of the current list response, with the 2025 clientName:
# docs/service/api-facts.md#ssl-vpn-users.
SPEC_SSL_USERS_PAGE = """{"marker":"vpn-ssl-user-xynkefqf3n5x","maxKeys":1,"isTruncated":false,
"sslVpnUsers":[{"clientName":"laptop","userName":"user","userId":"vpn-ssl-user-xynkefqf3n5x",
"description":"desc"}]}"""


def test_the_guide_list_example_reads_into_a_vpn_page() -> None:
    page = structure(json.loads(GUIDE_LIST_VPNS), VpnPage)
    assert (page.marker, page.next_marker, page.max_keys, page.is_truncated) == (
        "vpn-IyWRtII7",
        "vpn-xktdeMSf",
        1,
        True,
    )
    assert page.vpns == (
        Vpn(
            vpn_id="vpn-IyWRtII7",
            vpn_name="VPN_aoko_2",
            description="",
            vpn_type="IPSec",
            status="active",
            eip="10.12.34.32",
            bandwidth_in_mbps=10,
            vpc_id="83edd0d2-8a68-4ce5-a396-9d2917d58a57",
            vpn_conn_num=0,
            max_connection=None,
            create_time="2021-04-25 17:22:34",
            expired_time=None,
            payment_timing="Postpaid",
            vpn_conns=(),
            ssl_vpn_server=None,
        ),
    )


def test_the_guide_detail_example_reads_into_a_vpn() -> None:
    vpn = structure(json.loads(GUIDE_GET_VPN), Vpn)
    assert vpn == Vpn(
        vpn_id="vpn-shkgan7et1vx",
        vpn_name="VPN_aoko_2",
        description="",
        status="active",
        eip="",
        bandwidth_in_mbps=0,
        vpc_id="83edd0d2-8a68-4ce5-a396-9d2917d58a57",
        vpn_conn_num=0,
        create_time="2021-04-25 17:22:34",
        expired_time=None,
        payment_timing="Postpaid",
        ssl_vpn_server=None,
        delete_protect=True,
        tags=(Tag("hikwnf", "nwklwmflk"), Tag("whfooef", "haiwnwejf")),
    )


def test_the_guide_tunnel_listing_reads_into_a_vpn_conn_list() -> None:
    listing = structure(json.loads(GUIDE_LIST_TUNNELS), VpnConnList)
    assert listing.vpn_conns == (
        VpnConn(
            vpn_id="vpn-a0314a79a558",
            vpn_conn_id="vpnconn-771763a0da2f",
            secret_key="ddd22@www",
            local_ip=None,
            local_subnets=("192.168.100.0/24",),
            remote_ip="10.107.245.188",
            remote_subnets=("192.168.100.0/24",),
            description="111",
            status="active",
            created_time="2024-12-26T18:58:53+08:00",
            health_status="reachable",
            vpn_conn_name="vpncon",
            ike_config=IKE,
            ipsec_config=IPSEC,
        ),
    )


def test_the_guide_ssl_server_example_reads_into_an_ssl_vpn_server() -> None:
    server = structure(json.loads(GUIDE_GET_SSL_SERVER), SslVpnServer)
    assert server == SslVpnServer(
        vpn_id="vpn-shyt1vzgqc3z",
        ssl_vpn_server_id="sslvpn-5b2hq4nm40tt",
        ssl_vpn_server_name="hzb_1_1",
        interface_type="tap",
        status="active",
        local_subnets=("192.168.0.0/24",),
        remote_subnet="172.168.0.0/16",
        max_connection=10,
        client_dns="",
    )


def test_the_guide_ssl_user_listing_reads_into_an_ssl_vpn_user_page() -> None:
    page = structure(json.loads(GUIDE_LIST_SSL_USERS), SslVpnUserPage)
    assert page == SslVpnUserPage(
        marker="vpn-ssl-user-xynkefqf3n5x",
        max_keys=1,
        is_truncated=False,
        next_marker=None,
        ssl_vpn_users=(
            SslVpnUser(user_id="vpn-ssl-user-xynkefqf3n5x", user_name="user", description="desc"),
        ),
    )


@pytest.mark.parametrize(
    ("body", "cls", "expected"),
    [
        (
            '{"vpnId": "vpn-ku4cxya6nisq"}',
            CreateVpnResult,
            CreateVpnResult(vpn_id="vpn-ku4cxya6nisq"),
        ),
        (
            '{"vpnConnId": "vpnconn-ku4cxya6nisq"}',
            CreateVpnConnResult,
            CreateVpnConnResult(vpn_conn_id="vpnconn-ku4cxya6nisq"),
        ),
        (
            '{"sslVpnServerId": "sslvpn-5b2hq4nm40tt"}',
            CreateSslVpnServerResult,
            CreateSslVpnServerResult(ssl_vpn_server_id="sslvpn-5b2hq4nm40tt"),
        ),
        (
            '{"sslVpnUserIds":["sslvpn-5b2hq4nm40tt"]}',
            CreateSslVpnUsersResult,
            CreateSslVpnUsersResult(ssl_vpn_user_ids=("sslvpn-5b2hq4nm40tt",)),
        ),
        ("{}", OperationResult, OperationResult()),
    ],
    ids=["create_vpn", "create_vpn_conn", "create_vpn_sslservice", "create_vpn_sslusers", "none"],
)
def test_the_guide_create_examples_read_into_their_results(
    body: str, cls: type[object], expected: object
) -> None:
    assert structure(json.loads(body), cls) == expected


def test_the_spec_list_example_reads_into_a_vpn_page() -> None:
    body = """{"nextMarker":"vpn-xktdeMSf","marker":"vpn-IyWRtII7","maxKeys":1,
    "isTruncated":true,"vpns":[]}"""
    assert structure(json.loads(body), VpnPage) == VpnPage(
        next_marker="vpn-xktdeMSf", marker="vpn-IyWRtII7", max_keys=1, is_truncated=True
    )


def test_the_spec_gateway_fields_all_read_into_a_vpn() -> None:
    vpn = structure(json.loads(SPEC_GET_VPN_CURRENT), Vpn)
    assert attrs.asdict(vpn, recurse=False, filter=lambda a, _: a.name != "metadata") == {
        "vpn_id": "vpn-shkgan7et1vx",
        "vpn_name": "gw1",
        "description": "d",
        "vpn_type": "SSL",
        "status": "building",
        "eip": "",
        "bandwidth_in_mbps": 0,
        "vpc_id": "vpc-IyWRtII7",
        "subnet_id": None,
        "vpn_conn_num": 0,
        "max_connection": 5,
        "create_time": "2021-04-25 17:22:34",
        "expired_time": "2022-04-25T17:22:34Z",
        "payment_timing": "Prepaid",
        "vpn_conns": (),
        "ssl_vpn_server": SslVpnServer(
            vpn_id="vpn-shkgan7et1vx",
            ssl_vpn_server_id="sslvpn-5b2hq4nm40tt",
            ssl_vpn_server_name="hzb_1_1",
            interface_type="tun",
            status="active",
            local_subnets=("192.168.0.0/24",),
            remote_subnet="172.168.0.0/16",
            client_dns="",
            max_connection=5,
        ),
        "tags": (),
        "delete_protect": False,
    }


def test_the_spec_tunnel_item_reads_into_a_vpn_conn() -> None:
    conn = structure(json.loads(REFERENCE_TUNNEL_ITEM), VpnConn)
    assert conn == VpnConn(
        vpn_id="vpn-119bd69b",
        vpn_conn_id="vpnconn-ku4cxya6nisq",
        local_ip="192.168.100.1",
        created_time="2021-04-25 17:22:34",
        status="active",
        health_status="reachable",
        secret_key="ddd22@www",
        local_subnets=("192.168.100.0/24",),
        remote_ip="10.107.245.188",
        remote_subnets=("192.168.100.0/24",),
        description="111",
        vpn_conn_name="vpnConn",
        cgw_id="cgw-76e47745e608",
        ike_config=IKE,
        ipsec_config=IPSEC,
    )


def test_the_spec_ssl_user_item_keeps_its_client_name() -> None:
    page = structure(json.loads(SPEC_SSL_USERS_PAGE), SslVpnUserPage)
    assert page.ssl_vpn_users == (
        SslVpnUser(
            user_id="vpn-ssl-user-xynkefqf3n5x",
            user_name="user",
            description="desc",
            client_name="laptop",
        ),
    )


def test_the_metadata_given_to_structure_lands_on_the_result() -> None:
    metadata = ResponseMetadata(request_id="rid-1", status_code=200, headers={"x": "y"})
    vpn = structure(json.loads(GUIDE_GET_VPN), Vpn, metadata)
    assert vpn.metadata is metadata


def test_nested_results_keep_the_empty_metadata() -> None:
    metadata = ResponseMetadata(request_id="rid-1", status_code=200, headers={})
    page = structure(json.loads(GUIDE_LIST_VPNS), VpnPage, metadata)
    assert (page.metadata, page.vpns[0].metadata) == (metadata, EMPTY_METADATA)


def test_a_metadata_key_in_the_body_is_not_read_as_metadata() -> None:
    result = structure({"vpnId": "vpn-1", "metadata": {"request_id": "forged"}}, CreateVpnResult)
    assert result.metadata is EMPTY_METADATA


def test_the_default_metadata_is_empty() -> None:
    assert (
        EMPTY_METADATA.request_id,
        EMPTY_METADATA.status_code,
        dict(EMPTY_METADATA.headers),
    ) == (
        None,
        0,
        {},
    )


def test_results_compare_equal_whatever_their_metadata() -> None:
    one = CreateVpnResult(vpn_id="vpn-1", metadata=ResponseMetadata("a", 200, {}))
    assert one == CreateVpnResult(vpn_id="vpn-1")


def test_metadata_stays_out_of_a_result_repr() -> None:
    result = CreateVpnResult(vpn_id="vpn-1", metadata=ResponseMetadata("rid-secret", 200, {}))
    assert "rid-secret" not in repr(result)


def test_results_are_hashable_even_with_dict_headers() -> None:
    result = CreateVpnResult(vpn_id="vpn-1", metadata=ResponseMetadata("a", 200, {"h": "v"}))
    assert hash(result) == hash(CreateVpnResult(vpn_id="vpn-1"))


def test_response_metadata_with_dict_headers_is_hashable() -> None:
    assert isinstance(hash(ResponseMetadata("a", 200, {"h": "v"})), int)


def test_a_tunnel_repr_hides_the_pre_shared_key() -> None:
    conn = structure(json.loads(REFERENCE_TUNNEL_ITEM), VpnConn)
    assert "ddd22@www" not in repr(conn)


def test_a_tunnel_listing_repr_hides_every_pre_shared_key() -> None:
    listing = structure(json.loads(GUIDE_LIST_TUNNELS), VpnConnList)
    assert "ddd22@www" not in repr(listing)


def test_an_ssl_user_spec_repr_hides_the_password() -> None:
    assert "Pa55word!" not in repr(SslVpnUserSpec("alice", "Pa55word!"))


def test_request_models_take_positional_arguments_in_the_documented_order() -> None:
    assert (
        IkeConfig("v2", "aggressive", "aes256", "group14", "md5", 3600),
        IpsecConfig("3des", "md5", "group5", 7200),
        Billing("Prepaid", "ByBandwidth", 12, "month"),
        Tag("k", "v"),
        SslVpnUserSpec("bob", "pw", "d"),
    ) == (
        IkeConfig(
            ike_version="v2",
            ike_mode="aggressive",
            ike_enc_alg="aes256",
            ike_pfs="group14",
            ike_auth_alg="md5",
            ike_lifetime=3600,
        ),
        IpsecConfig(
            ipsec_enc_alg="3des", ipsec_auth_alg="md5", ipsec_pfs="group5", ipsec_lifetime=7200
        ),
        Billing(
            payment_timing="Prepaid",
            billing_method="ByBandwidth",
            reservation_length=12,
            reservation_time_unit="month",
        ),
        Tag(tag_key="k", tag_value="v"),
        SslVpnUserSpec(user_name="bob", password="pw", description="d"),
    )


@pytest.mark.parametrize(
    "cls",
    [Vpn, VpnPage, CreateVpnResult, VpnConn, VpnConnList, SslVpnServer, SslVpnUser, SslVpnUserPage],
)
def test_results_refuse_positional_arguments(cls: type[object]) -> None:
    with pytest.raises(TypeError):
        cls("x")  # type: ignore[call-arg]


def test_models_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Vpn(vpn_id="vpn-1").status = "active"  # type: ignore[misc]


def test_results_need_only_their_id() -> None:
    assert Vpn(vpn_id="vpn-1").vpn_conns == ()


def test_both_pages_offer_their_items_under_one_name() -> None:
    vpn_page = VpnPage(vpns=(Vpn(vpn_id="a"),))
    user_page = SslVpnUserPage(ssl_vpn_users=(SslVpnUser(user_id="u"),))
    assert (vpn_page.items, user_page.items) == ((Vpn(vpn_id="a"),), (SslVpnUser(user_id="u"),))


def test_the_models_package_exports_exactly_its_all() -> None:
    # Names that are not identifiers come from pytest's assertion rewriting (the package is
    # a pytest plugin), not from the package.
    public = {n for n in dir(models) if n.isidentifier() and not n.startswith("_")}
    modules = {"common", "gateways", "ssl", "tunnels", "annotations"}
    assert public - modules == set(models.__all__)
