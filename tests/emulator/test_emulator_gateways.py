"""Gateways: the happy paths, the status machine and every refusal
(docs/service/api-facts.md#operation-details, #statuses, #errors)."""

from __future__ import annotations

import re

import httpx
from emulator_helpers import BASE_URL, VPC, SignWith, create_gateway, error_of, tunnel_body
from secrets_registry import STS_SECRET_ACCESS_KEY

from bce_vpn_async import Credentials
from bce_vpn_async.testing import FakeClock, VpnEmulator


async def test_create_vpn_answers_a_new_id_of_the_documented_shape(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, ready=False)
    assert re.fullmatch(r"vpn-[a-z0-9]{12}", vpn_id)


async def test_a_new_gateway_is_building_then_unconfigured_after_build_seconds(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, ready=False)
    assert (await http.get(f"/v1/vpn/{vpn_id}")).json()["status"] == "building"
    emulator.advance(0.5)
    assert (await http.get(f"/v1/vpn/{vpn_id}")).json()["status"] == "unconfigured"


async def test_get_vpn_answers_the_full_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(
        http, emulator, description="d", tags=[{"tagKey": "k", "tagValue": "v"}]
    )
    vpn = (await http.get(f"/v1/vpn/{vpn_id}")).json()
    assert vpn["vpnId"] == vpn_id
    assert vpn["vpcId"] == VPC
    assert vpn["type"] == "IPSec"
    assert vpn["eip"] == ""
    assert vpn["paymentTiming"] == "Postpaid"
    assert vpn["expiredTime"] is None
    assert vpn["vpnConns"] == []
    assert vpn["vpnConnNum"] == 0
    assert vpn["sslVpnServer"] is None
    assert vpn["tags"] == [{"tagKey": "k", "tagValue": "v"}]
    assert vpn["deleteProtect"] is False
    # The seed get_vpn/list_vpns examples and the gateway details page: "2021-04-25 17:22:34"
    # (docs/service/disagreements.md#gateway-times).
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", vpn["createTime"])
    # No source gives a value the emulator could know
    # (docs/service/disagreements.md#unsourced-values): the EIP's bandwidth.
    assert "bandwidthInMbps" not in vpn


async def test_bind_eip_configures_then_settles_active(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    response = await http.put(f"/v1/vpn/{vpn_id}?bind", json={"eip": "10.1.1.1"})
    assert response.status_code == 200
    assert response.content == b""
    assert emulator.state.status(vpn_id) == "configuring"
    emulator.advance(0.1)
    assert emulator.state.wire()["gateways"][vpn_id]["status"] == "active"
    assert emulator.state.wire()["gateways"][vpn_id]["eip"] == "10.1.1.1"


async def test_bind_accepts_the_flag_with_an_empty_value(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    response = await http.put(f"/v1/vpn/{vpn_id}?bind=", json={"eip": "10.1.1.1"})
    assert response.status_code == 200


async def test_unbind_eip_leaves_a_configured_gateway_active(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    """Point 5 [seed get_vpn example: "status": "active", "eip": ""]: no source ties
    ``active`` to an EIP, so unbinding does not make the gateway unconfigured again."""
    vpn_id = await create_gateway(http, emulator, eip="10.1.1.1")
    assert emulator.state.status(vpn_id) == "active"
    assert (await http.put(f"/v1/vpn/{vpn_id}?unbind")).status_code == 200
    emulator.advance(0.1)
    assert emulator.state.status(vpn_id) == "active"
    assert (await http.get(f"/v1/vpn/{vpn_id}")).json()["eip"] == ""


async def test_bind_is_refused_on_a_gateway_with_an_eip(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, eip="10.1.1.1")
    response = await http.put(f"/v1/vpn/{vpn_id}?bind", json={"eip": "10.1.1.2"})
    assert error_of(response) == (409, "OperationDenied")


async def test_bind_is_refused_while_the_gateway_is_building(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, ready=False)
    response = await http.put(f"/v1/vpn/{vpn_id}?bind", json={"eip": "10.1.1.1"})
    assert error_of(response) == (409, "OperationDenied")
    assert "building" in response.json()["message"]


async def test_bind_is_refused_for_an_eip_bound_elsewhere(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    await create_gateway(http, emulator, eip="10.1.1.1")
    other = await create_gateway(http, emulator, vpnName="gw2")
    response = await http.put(f"/v1/vpn/{other}?bind", json={"eip": "10.1.1.1"})
    assert error_of(response) == (409, "OperationDenied")


async def test_unbind_is_refused_without_an_eip(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    assert error_of(await http.put(f"/v1/vpn/{vpn_id}?unbind")) == (409, "OperationDenied")


async def test_a_change_is_refused_while_the_gateway_is_configuring(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    await http.put(f"/v1/vpn/{vpn_id}?bind", json={"eip": "10.1.1.1"})
    response = await http.post(f"/v1/vpn/{vpn_id}/vpnconn", json=tunnel_body())
    assert error_of(response) == (409, "OperationDenied")


async def test_update_vpn_changes_name_and_description_only(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    response = await http.put(
        f"/v1/vpn/{vpn_id}?modifyAttribute",
        json={"vpnName": "renamed", "description": "new", "vpcId": "vpc-other"},
    )
    assert response.status_code == 200
    vpn = emulator.state.wire()["gateways"][vpn_id]
    assert (vpn["vpnName"], vpn["description"], vpn["vpcId"]) == ("renamed", "new", VPC)


async def test_update_vpn_is_allowed_while_building(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, ready=False)
    response = await http.put(f"/v1/vpn/{vpn_id}?modifyAttribute", json={"vpnName": "x"})
    assert response.status_code == 200


async def test_delete_vpn_releases_a_postpaid_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, eip="10.1.1.1")
    assert (await http.delete(f"/v1/vpn/{vpn_id}")).status_code == 200
    assert vpn_id not in emulator.state.gateways
    assert error_of(await http.get(f"/v1/vpn/{vpn_id}")) == (404, "NoSuchObject")


async def test_release_frees_the_eip_for_another_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    first = await create_gateway(http, emulator, eip="10.1.1.1")
    await http.delete(f"/v1/vpn/{first}")
    second = await create_gateway(http, emulator)
    response = await http.put(f"/v1/vpn/{second}?bind", json={"eip": "10.1.1.1"})
    assert response.status_code == 200


async def test_delete_vpn_is_refused_with_delete_protection_on(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, deleteProtect=True)
    response = await http.delete(f"/v1/vpn/{vpn_id}")
    assert error_of(response) == (409, "OperationDenied")
    assert "delete protection" in response.json()["message"]


async def test_delete_protect_can_be_turned_off_and_then_the_gateway_released(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, deleteProtect=True)
    response = await http.put(f"/v1/vpn/{vpn_id}/deleteProtect", json={"deleteProtect": False})
    assert response.status_code == 200
    assert (await http.delete(f"/v1/vpn/{vpn_id}")).status_code == 200


async def test_delete_protect_needs_a_boolean(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    response = await http.put(f"/v1/vpn/{vpn_id}/deleteProtect", json={"deleteProtect": "yes"})
    assert error_of(response) == (400, "InappropriateJSON")


async def test_delete_vpn_is_refused_for_a_prepaid_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, billing={"paymentTiming": "Prepaid"})
    assert error_of(await http.delete(f"/v1/vpn/{vpn_id}")) == (409, "OperationDenied")


async def test_delete_vpn_is_refused_while_tunnels_remain(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    await http.post(f"/v1/vpn/{vpn_id}/vpnconn", json=tunnel_body())
    emulator.advance(0.1)
    response = await http.delete(f"/v1/vpn/{vpn_id}")
    assert error_of(response) == (409, "OperationDenied")
    assert "tunnels" in response.json()["message"]


async def test_delete_vpn_is_refused_while_building(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, ready=False)
    assert error_of(await http.delete(f"/v1/vpn/{vpn_id}")) == (409, "OperationDenied")


async def test_renew_extends_a_prepaid_term(http: httpx.AsyncClient, emulator: VpnEmulator) -> None:
    vpn_id = await create_gateway(
        http,
        emulator,
        billing={
            "paymentTiming": "Prepaid",
            "reservation": {"reservationLength": 1, "reservationTimeUnit": "month"},
        },
    )
    before = emulator.state.wire()["gateways"][vpn_id]["expiredTime"]
    response = await http.put(
        f"/v1/vpn/{vpn_id}?purchaseReserved",
        json={"billing": {"reservation": {"reservationLength": 2, "reservationTimeUnit": "Month"}}},
    )
    assert response.status_code == 200
    assert emulator.state.wire()["gateways"][vpn_id]["expiredTime"] > before


async def test_renew_is_refused_for_a_postpaid_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    renewal = {"billing": {"reservation": {"reservationLength": 1}}}
    response = await http.put(f"/v1/vpn/{vpn_id}?purchaseReserved", json=renewal)
    assert error_of(response) == (409, "OperationDenied")


async def test_a_prepaid_gateway_expires_at_the_end_of_its_term(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, billing={"paymentTiming": "Prepaid"})
    emulator.advance(31 * 86400)
    assert emulator.state.status(vpn_id) == "expired"


async def test_a_vpc_holds_at_most_three_gateways(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    for _ in range(3):
        await create_gateway(http, emulator, ready=False)
    response = await http.post(
        "/v1/vpn",
        json={"vpcId": VPC, "vpnName": "gw4", "billing": {"paymentTiming": "Postpaid"}},
    )
    assert error_of(response) == (413, "LimitExceeded")


async def test_an_unknown_gateway_is_no_such_object(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/vpn/vpn-doesnotexist")
    assert error_of(response) == (404, "NoSuchObject")


async def test_another_accounts_gateway_is_invisible(
    http: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    other = Credentials("someone-else", STS_SECRET_ACCESS_KEY)
    emulator.add_account(other)
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url=BASE_URL, auth=SignWith(other, clock)
    ) as theirs:
        vpn_id = await create_gateway(theirs, emulator)
    assert error_of(await http.get(f"/v1/vpn/{vpn_id}")) == (404, "NoSuchObject")


async def test_a_rule_violation_is_bad_request_naming_the_field(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/vpn",
        json={
            "vpcId": VPC,
            "vpnName": "9starts-with-digit",
            "billing": {"paymentTiming": "Postpaid"},
        },
    )
    assert error_of(response) == (400, "BadRequest")
    assert response.json()["message"].startswith("vpnName:")


async def test_a_missing_field_is_inappropriate_json(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/vpn", json={"vpcId": VPC, "vpnName": "gw"})
    assert error_of(response) == (400, "InappropriateJSON")
    assert "billing" in response.json()["message"]


async def test_an_ill_typed_field_is_inappropriate_json(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/vpn", json={"vpcId": VPC, "vpnName": 5, "billing": {"paymentTiming": "Postpaid"}}
    )
    assert error_of(response) == (400, "InappropriateJSON")


async def test_a_body_that_is_not_json_is_malformed_json(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/vpn", content=b"{not json")
    assert error_of(response) == (400, "MalformedJSON")


async def test_unknown_keys_and_nulls_are_ignored(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    response = await http.post(
        "/v1/vpn",
        json={
            "vpcId": VPC,
            "vpnName": "gw",
            "billing": {"paymentTiming": "Postpaid", "billingMethod": None},
            "description": None,
            "somethingNew": {"x": 1},
        },
    )
    assert response.status_code == 200


async def test_max_connection_is_refused_on_an_ipsec_gateway(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/vpn",
        json={
            "vpcId": VPC,
            "vpnName": "gw",
            "billing": {"paymentTiming": "Postpaid"},
            "maxConnection": 10,
        },
    )
    assert error_of(response) == (400, "BadRequest")
