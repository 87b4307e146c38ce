"""Issue 10: the client refuses only what every source refuses, and the emulator answers
as the current API reference does (docs/service/disagreements.md). One test per point; each
docstring
names the source the behaviour follows.

Every test drives this SDK against the emulator (the ``vpn_client`` / ``vpn_emulator``
fixtures), so each point is proven on both sides at once: the client sends it and the
emulator takes it (or both refuse it).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from secrets_registry import EMULATOR_PSK, EMULATOR_SSL_PASSWORD

from bce_vpn_async import (
    AsyncVpnClient,
    BceValidationError,
    Billing,
    IkeConfig,
    IpsecConfig,
    SslVpnUserSpec,
    Vpn,
    VpnConn,
)
from bce_vpn_async._converter import MalformedResponse, structure
from bce_vpn_async.testing import VpnEmulator

POSTPAID = Billing(payment_timing="Postpaid")


async def _gateway(client: AsyncVpnClient, emulator: VpnEmulator, vpn_type: str = "IPSec") -> str:
    created = await client.create_vpn(
        "vpc-src", vpn_name=f"gw-{vpn_type}", billing=POSTPAID, vpn_type=vpn_type
    )
    emulator.advance(1.0)
    return created.vpn_id


def _tunnel(ike: IkeConfig, ipsec: IpsecConfig) -> dict[str, Any]:
    return {
        "secret_key": EMULATOR_PSK,
        "local_subnets": ["192.168.0.0/20"],
        "remote_subnets": ["192.168.100.0/24"],
        "remote_ip": "10.107.245.188",
        "vpn_conn_name": "vpncon",
        "ike_config": ike,
        "ipsec_config": ipsec,
    }


async def _ssl_gateway(client: AsyncVpnClient, emulator: VpnEmulator) -> tuple[str, str]:
    vpn_id = await _gateway(client, emulator, "SSL")
    server = await client.create_vpn_sslservice(
        vpn_id,
        sslservice_name="ssl1",
        local_routes=["192.168.0.0/24"],
        address_pool="172.16.0.0/16",
    )
    emulator.advance(1.0)
    return vpn_id, server.ssl_vpn_server_id


# -- 1. lifetimes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ike_lifetime", "ipsec_lifetime"),
    [(200, 28800), (25500, 25500), (100, 200), (86400, 180), ("60s", "180")],
    ids=["tunnel-page", "go-doc", "terraform", "ipsec-shorter", "floors-as-strings"],
)
async def test_lifetimes_in_the_references_ranges_reach_the_emulator_in_any_order(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator, ike_lifetime: Any, ipsec_lifetime: Any
) -> None:
    """Point 1 [seed create-tunnel page example 200; GO doc/VPN.md 25500; TF
    resource_baiducloud_vpn_conn_test.go 100/200; GEN ike_config.py 60-86400,
    ipsec_config.py 180-86400]: no multiple-of-3600 or ordering rule, on either side."""
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    ike = IkeConfig("v1", "main", "aes", "group2", ike_lifetime=ike_lifetime)
    ipsec = IpsecConfig("aes", "sha1", ipsec_lifetime=ipsec_lifetime)
    created = await vpn_client.create_vpn_conn(vpn_id, **_tunnel(ike, ipsec))
    (conn,) = (await vpn_client.get_vpn_conn(vpn_id)).vpn_conns
    assert conn.vpn_conn_id == created.vpn_conn_id
    assert conn.ike_config is not None
    assert conn.ipsec_config is not None
    assert conn.ike_config.ike_lifetime == int(str(ike_lifetime).rstrip("s"))
    assert conn.ipsec_config.ipsec_lifetime == int(str(ipsec_lifetime).rstrip("s"))


@pytest.mark.parametrize(
    ("ike_lifetime", "ipsec_lifetime", "field"),
    [(59, None, "ike_config.ike_lifetime"), (None, 179, "ipsec_config.ipsec_lifetime")],
    ids=["ike-below-60", "ipsec-below-180"],
)
async def test_lifetimes_below_the_references_floors_are_refused(
    vpn_client: AsyncVpnClient,
    vpn_emulator: VpnEmulator,
    ike_lifetime: int | None,
    ipsec_lifetime: int | None,
    field: str,
) -> None:
    """Point 1 [GEN ike_config.py, ipsec_config.py; JAVA IkeConfig]: 60 and 180 s floors."""
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    ike = IkeConfig("v1", "main", "aes", "group2", ike_lifetime=ike_lifetime)
    ipsec = IpsecConfig("aes", "sha1", ipsec_lifetime=ipsec_lifetime)
    with pytest.raises(BceValidationError) as caught:
        await vpn_client.create_vpn_conn(vpn_id, **_tunnel(ike, ipsec))
    assert caught.value.field == field


# -- 2. algorithms -----------------------------------------------------------------------------


async def test_the_union_of_documented_algorithms_is_accepted(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 2 [TF resource_baiducloud_vpn_conn.go: sha2_256/384/512 and ipsecPfs
    "disabled", beside the seed guide's and GEN's sha1/md5 and groups]."""
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    for index, (auth, pfs) in enumerate(
        [("sha2_256", "disabled"), ("sha2_384", "group24"), ("sha2_512", None), ("md5", "group5")]
    ):
        ike = IkeConfig("v2", "main", "aes256", "group14", ike_auth_alg=auth)
        ipsec = IpsecConfig("aes256", auth, ipsec_pfs=pfs)
        await vpn_client.create_vpn_conn(
            vpn_id, **{**_tunnel(ike, ipsec), "vpn_conn_name": f"t{index}"}
        )
        vpn_emulator.advance(1.0)
    conns = (await vpn_client.get_vpn_conn(vpn_id)).vpn_conns
    by_name = {conn.vpn_conn_name: conn.ipsec_config for conn in conns}
    assert by_name["t0"] is not None
    assert by_name["t0"].ipsec_pfs == "disabled"
    assert {c.ipsec_auth_alg for c in by_name.values() if c is not None} == {
        "sha2_256",
        "sha2_384",
        "sha2_512",
        "md5",
    }


async def test_pfs_disabled_is_a_phase_2_value_only(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 2 [TF]: only ``ipsecPfs`` may be ``disabled``; no source allows it for IKE."""
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    ike = IkeConfig("v1", "main", "aes", "disabled")
    with pytest.raises(BceValidationError) as caught:
        await vpn_client.create_vpn_conn(vpn_id, **_tunnel(ike, IpsecConfig("aes", "sha1")))
    assert caught.value.field == "ike_config.ike_pfs"


# -- 7. refusals no source makes ---------------------------------------------------------------


async def test_client_dns_is_any_non_empty_string(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 7 [docs/service/disagreements.md#client-dns: "DNS address", no form given]: a host
    name or a pair of
    addresses is not the SDK's to refuse; an empty string is (leave it out instead)."""
    vpn_id = await _gateway(vpn_client, vpn_emulator, "SSL")
    await vpn_client.create_vpn_sslservice(
        vpn_id,
        sslservice_name="ssl1",
        local_routes=["192.168.0.0/24"],
        address_pool="172.16.0.0/16",
        client_dns="dns.example.com",
    )
    vpn_emulator.advance(1.0)
    assert (await vpn_client.get_vpn_sslservice(vpn_id)).client_dns == "dns.example.com"
    with pytest.raises(BceValidationError) as caught:
        await vpn_client.update_vpn_sslservice(
            vpn_id,
            "sslvpn-x",
            sslservice_name="ssl1",
            local_routes=["192.168.0.0/24"],
            address_pool="172.16.0.0/16",
            client_dns="",
        )
    assert caught.value.field == "client_dns"


async def test_an_ssl_user_batch_has_no_size_limit_of_the_sdks_own(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 7 [no source states a batch limit]: 1001 users go out in one call."""
    vpn_id, _ = await _ssl_gateway(vpn_client, vpn_emulator)
    users = [SslVpnUserSpec(f"user{i}", EMULATOR_SSL_PASSWORD) for i in range(1001)]
    created = await vpn_client.create_vpn_sslusers(vpn_id, sslusers=users)
    assert len(created.ssl_vpn_user_ids) == 1001


async def test_a_client_token_may_hold_spaces(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 7 [docs/service/disagreements.md#client-token: "an ASCII string of at most 64
    characters"]: printable ASCII,
    spaces included, 1-64; replayed like any other token."""
    token = "my token " + "x" * 55
    first = await vpn_client.create_vpn(
        "vpc-src", vpn_name="gw", billing=POSTPAID, client_token=token
    )
    again = await vpn_client.create_vpn(
        "vpc-src", vpn_name="gw", billing=POSTPAID, client_token=token
    )
    assert again.vpn_id == first.vpn_id
    with pytest.raises(BceValidationError):
        await vpn_client.delete_vpn(first.vpn_id, client_token="x" * 65)


# -- 8. closer to the docs ---------------------------------------------------------------------


async def test_an_ssl_password_may_not_hold_a_closing_parenthesis(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 8 [docs/service/disagreements.md#secret-symbols; GEN ssl_vpn_user.py: symbols
    ``!@#$%^*(_``]."""
    vpn_id, _ = await _ssl_gateway(vpn_client, vpn_emulator)
    with pytest.raises(BceValidationError) as caught:
        await vpn_client.create_vpn_sslusers(
            vpn_id, sslusers=[SslVpnUserSpec("user1", "Passw0rd)")]
        )
    assert caught.value.field == "sslusers[0].password"
    created = await vpn_client.create_vpn_sslusers(
        vpn_id, sslusers=[SslVpnUserSpec("user1", "Passw0rd(")]
    )
    assert len(created.ssl_vpn_user_ids) == 1


async def test_a_pre_shared_key_keeps_the_tunnel_pages_symbols(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 8 [seed create-tunnel page: symbols ``!@#$%^*()_``]: ``)`` is fine there."""
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    tunnel = _tunnel(IkeConfig("v1", "main", "aes", "group2"), IpsecConfig("aes", "sha1"))
    await vpn_client.create_vpn_conn(vpn_id, **{**tunnel, "secret_key": "Key(1)_x"})


async def test_the_gateway_name_default_is_refused(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 8 [GEN update_vpn_request.py "不能取值default"; TF]: reserved, on create and
    on update."""
    with pytest.raises(BceValidationError) as caught:
        await vpn_client.create_vpn("vpc-src", vpn_name="default", billing=POSTPAID)
    assert caught.value.field == "vpn_name"
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    with pytest.raises(BceValidationError):
        await vpn_client.update_vpn(vpn_id, vpn_name="default")
    await vpn_client.update_vpn(vpn_id, vpn_name="Default")


# -- 4. gateway times ----------------------------------------------------------------------------


async def test_gateway_times_are_answered_as_the_reference_writes_them(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 4 [seed get_vpn and list_vpns examples, docs/service/sources.md#vpn-gateway-details: "
    ""2021-04-25 17:22:34",
    ``expiredTime`` null for postpaid]: the client keeps the text as given."""
    postpaid = await _gateway(vpn_client, vpn_emulator)
    prepaid = await vpn_client.create_vpn(
        "vpc-src", vpn_name="paid", billing=Billing(payment_timing="Prepaid", reservation_length=1)
    )
    got = await vpn_client.get_vpn(postpaid)
    assert got.create_time is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", got.create_time)
    assert got.expired_time is None
    paid = await vpn_client.get_vpn(prepaid.vpn_id)
    assert paid.expired_time is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", paid.expired_time)


@pytest.mark.parametrize(
    "text", ["2021-04-25 17:22:34", "2023-11-14T22:13:20Z", "2024-12-26T18:58:53+08:00"]
)
def test_the_client_reads_both_time_forms(text: str) -> None:
    """Point 4 [seed examples' "2021-04-25 17:22:34"; the seed tunnel list's
    "2024-12-26T18:58:53+08:00"]: times stay the text the service sent."""
    vpn = structure({"vpnId": "vpn-1", "createTime": text, "expiredTime": text}, Vpn)
    assert (vpn.create_time, vpn.expired_time) == (text, text)


# -- 5. status and invented values ---------------------------------------------------------------


async def test_status_follows_configuration_not_the_eip(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 5 [seed guide: building becomes unconfigured, then it may be configured; seed
    get_vpn example "status": "active", "eip": ""]: a tunnel alone makes a gateway active,
    and it stays active once configured; no EIP is needed."""
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    assert (await vpn_client.get_vpn(vpn_id)).status == "unconfigured"
    tunnel = _tunnel(IkeConfig("v1", "main", "aes", "group2"), IpsecConfig("aes", "sha1"))
    conn = await vpn_client.create_vpn_conn(vpn_id, **tunnel)
    vpn_emulator.advance(1.0)
    gateway = await vpn_client.get_vpn(vpn_id)
    assert (gateway.status, gateway.eip) == ("active", "")
    await vpn_client.delete_vpn_conn(conn.vpn_conn_id)
    vpn_emulator.advance(1.0)
    assert (await vpn_client.get_vpn(vpn_id)).status == "active"


async def test_the_emulator_invents_no_health_bandwidth_or_default_settings(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 5 [docs/service/sources.md#query-vpn-tunnels shows healthStatus "reachable" only as
    an example; bandwidth is
    the bound EIP's; no source gives the service's defaults]: omitted, not made up."""
    vpn_id = await _gateway(vpn_client, vpn_emulator)
    tunnel = _tunnel(IkeConfig("v1", "main", "aes", "group2"), IpsecConfig("aes", "sha1"))
    await vpn_client.create_vpn_conn(vpn_id, **tunnel)
    vpn_emulator.advance(1.0)
    gateway = await vpn_client.get_vpn(vpn_id)
    assert gateway.bandwidth_in_mbps is None
    (conn,) = gateway.vpn_conns
    assert conn.health_status is None
    assert conn.ike_config == IkeConfig("v1", "main", "aes", "group2")
    assert conn.ipsec_config == IpsecConfig("aes", "sha1")


# -- 9. reading ----------------------------------------------------------------------------------


def test_an_empty_object_or_a_missing_optional_sub_field_reads_as_absent() -> None:
    """Point 9 [docs/service/disagreements.md#reading]: ``sslVpnServer: {}`` is no service; an
    ``ikeConfig`` without
    ``ikeMode`` is a config whose ``ike_mode`` is None."""
    vpn = structure(
        {
            "vpnId": "vpn-1",
            "sslVpnServer": {},
            "vpnConns": [{"vpnConnId": "vc-1", "ikeConfig": {"ikeVersion": "v1"}}],
        },
        Vpn,
    )
    assert vpn.ssl_vpn_server is None
    assert vpn.vpn_conns[0].ike_config == IkeConfig(ike_version="v1")


def test_a_wrong_type_is_still_a_malformed_response() -> None:
    """Point 9 [docs/service/disagreements.md#reading]: absence is tolerated, a field of the
    wrong type is not."""
    with pytest.raises(MalformedResponse, match=r"^sslVpnServer: expected an object"):
        structure({"vpnId": "vpn-1", "sslVpnServer": []}, Vpn)
    with pytest.raises(MalformedResponse, match=r"ikeConfig\.ikeMode"):
        structure({"vpnConnId": "vc-1", "ikeConfig": {"ikeMode": 5}}, VpnConn)


@pytest.mark.parametrize(
    ("legacy", "expected"), [("postpay", "Postpaid"), ("prepay", "Prepaid"), ("other", "other")]
)
def test_the_legacy_product_type_reads_as_the_payment_timing(legacy: str, expected: str) -> None:
    """Point 9 [seed list_vpns example "productType": "postpay";
    docs/service/sources.md#vpn-gateway-details, its 2020 English edition]."""
    vpn = structure({"vpnId": "vpn-1", "productType": legacy}, Vpn)
    assert vpn.payment_timing == expected


async def test_a_request_still_needs_the_required_phase_settings(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    """Point 9: the models let a response leave fields out; a request still needs the seed
    guide's required IKE and IPSec settings, whatever ``validate`` says."""
    tunnel = _tunnel(IkeConfig("v1", "main", "aes"), IpsecConfig("aes", "sha1"))
    with pytest.raises(BceValidationError) as caught:
        await vpn_client.create_vpn_conn("vpn-1", **tunnel)
    assert caught.value.field == "ike_config.ike_pfs"
    tunnel = _tunnel(IkeConfig("v1", "main", "aes", "group2"), IpsecConfig(ipsec_enc_alg="aes"))
    with pytest.raises(BceValidationError) as caught:
        await vpn_client.create_vpn_conn("vpn-1", **tunnel)
    assert caught.value.field == "ipsec_config.ipsec_auth_alg"
