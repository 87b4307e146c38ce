"""The wire around the state: headers, routing, clientToken replay, pagination, ASGI, the log."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import (
    BASE_URL,
    PSK,
    VPC,
    SignWith,
    create_gateway,
    create_ssl_gateway,
    error_of,
    tunnel_body,
)
from secrets_registry import EMULATOR_SSL_PASSWORD

from bce_vpn_async.testing import FakeClock, VpnEmulator

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}


async def test_every_answer_carries_a_request_id_and_a_date(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/v1/vpn?vpcId={VPC}")
    assert response.headers["x-bce-request-id"]
    assert response.headers["date"].endswith("GMT")


async def test_an_error_body_repeats_the_request_id(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/vpn/vpn-missing")
    body = response.json()
    assert set(body) == {"code", "message", "requestId"}
    assert body["requestId"] == response.headers["x-bce-request-id"]


async def test_an_unknown_path_is_invalid_uri(http: httpx.AsyncClient) -> None:
    assert error_of(await http.get("/v1/subnet")) == (400, "InvalidURI")


async def test_another_api_version_is_invalid_version(http: httpx.AsyncClient) -> None:
    assert error_of(await http.get("/v2/vpn?vpcId=x")) == (404, "InvalidVersion")


async def test_a_wrong_method_is_bad_request(http: httpx.AsyncClient) -> None:
    # The spec's error table (section 6) has no code for a method; 405 would be invented.
    response = await http.post("/v1/vpn/deleteme/sslVpnServer/x")
    assert error_of(response) == (400, "BadRequest")
    assert "POST" in response.json()["message"]


async def test_a_gateway_put_without_an_action_flag_is_bad_request(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    assert error_of(await http.put(f"/v1/vpn/{vpn_id}", json={})) == (400, "BadRequest")


async def test_a_repeated_client_token_replays_the_first_answer(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    first = await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    again = await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert len(emulator.state.gateways) == 1


async def test_a_replay_has_its_own_request_id(http: httpx.AsyncClient) -> None:
    first = await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    again = await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    assert again.headers["x-bce-request-id"] != first.headers["x-bce-request-id"]


async def test_a_client_token_with_another_body_is_idempotent_parameter_mismatch(
    http: httpx.AsyncClient,
) -> None:
    await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    response = await http.post("/v1/vpn?clientToken=tok-1", json={**GATEWAY, "vpnName": "gw2"})
    assert error_of(response) == (403, "IdempotentParameterMismatch")


async def test_the_same_token_for_another_operation_is_independent(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    response = await http.put(f"/v1/vpn/{vpn_id}?bind&clientToken=tok-1", json={"eip": "10.1.1.1"})
    again = await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    assert (response.status_code, again.status_code) == (200, 200)


async def test_a_client_token_is_forgotten_after_24_hours(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    emulator.advance(86401)
    await http.post("/v1/vpn?clientToken=tok-1", json=GATEWAY)
    assert len(emulator.state.gateways) == 2


async def test_a_refused_write_can_be_retried_with_its_token(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, ready=False)
    url = f"/v1/vpn/{vpn_id}/vpnconn?clientToken=tok-2"
    assert error_of(await http.post(url, json=tunnel_body())) == (409, "OperationDenied")
    emulator.advance(1)
    assert (await http.post(url, json=tunnel_body())).status_code == 200


async def test_a_client_token_longer_than_64_characters_is_bad_request(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(f"/v1/vpn?clientToken={'x' * 65}", json=GATEWAY)
    assert error_of(response) == (400, "BadRequest")


async def _gateways(http: httpx.AsyncClient, emulator: VpnEmulator, count: int) -> list[str]:
    # No more than a VPC holds (max_vpns_per_vpc, 3 by default).
    return sorted([await create_gateway(http, emulator, ready=False) for _ in range(count)])


async def test_a_first_page_echoes_the_first_id_as_its_marker(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    ids = await _gateways(http, emulator, 3)
    page = (await http.get("/v1/vpn", params={"vpcId": VPC, "maxKeys": 2})).json()
    assert [vpn["vpnId"] for vpn in page["vpns"]] == ids[:2]
    assert (page["marker"], page["isTruncated"], page["nextMarker"]) == (ids[0], True, ids[2])
    assert page["maxKeys"] == 2


async def test_the_marker_is_inclusive_and_the_last_page_has_no_next_marker(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    ids = await _gateways(http, emulator, 3)
    page = (await http.get("/v1/vpn", params={"vpcId": VPC, "marker": ids[2]})).json()
    assert [vpn["vpnId"] for vpn in page["vpns"]] == ids[2:]
    assert page["isTruncated"] is False
    assert "nextMarker" not in page
    assert page["marker"] == ids[2]


async def test_an_unknown_marker_starts_where_it_would_sort(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    ids = await _gateways(http, emulator, 3)
    marker = ids[1][:-1] + "~"  # sorts after ids[1], before ids[2]
    page = (await http.get("/v1/vpn", params={"vpcId": VPC, "marker": marker})).json()
    assert [vpn["vpnId"] for vpn in page["vpns"]] == ids[2:]


async def test_max_keys_defaults_to_and_is_capped_at_1000(http: httpx.AsyncClient) -> None:
    default = (await http.get("/v1/vpn", params={"vpcId": VPC})).json()
    capped = (await http.get("/v1/vpn", params={"vpcId": VPC, "maxKeys": 5000})).json()
    assert (default["maxKeys"], capped["maxKeys"]) == (1000, 1000)


@pytest.mark.parametrize("max_keys", ["0", "-1", "ten"])
async def test_a_max_keys_below_one_or_not_a_number_is_bad_request(
    http: httpx.AsyncClient, max_keys: str
) -> None:
    response = await http.get("/v1/vpn", params={"vpcId": VPC, "maxKeys": max_keys})
    assert error_of(response) == (400, "BadRequest")


async def test_an_empty_list_has_an_empty_marker(http: httpx.AsyncClient) -> None:
    page = (await http.get("/v1/vpn", params={"vpcId": VPC})).json()
    assert (page["vpns"], page["marker"], page["isTruncated"]) == ([], "", False)


async def test_list_vpns_needs_a_vpc_id(http: httpx.AsyncClient) -> None:
    assert error_of(await http.get("/v1/vpn")) == (400, "BadRequest")


async def test_list_vpns_filters_by_type_and_eip(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    ipsec = await create_gateway(http, emulator, eip="10.1.1.1")
    await create_gateway(http, emulator, type="SSL")
    by_type = (await http.get("/v1/vpn", params={"vpcId": VPC, "type": "IPSec"})).json()
    by_eip = (await http.get("/v1/vpn", params={"vpcId": VPC, "eip": "10.1.1.1"})).json()
    assert [vpn["vpnId"] for vpn in by_type["vpns"]] == [ipsec]
    assert [vpn["vpnId"] for vpn in by_eip["vpns"]] == [ipsec]


async def test_ssl_users_paginate_by_marker(http: httpx.AsyncClient, emulator: VpnEmulator) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    users = [{"userName": f"user{i}", "password": EMULATOR_SSL_PASSWORD} for i in range(3)]
    await http.post(f"/v1/vpn/{vpn_id}/sslVpnUser", json={"sslVpnUsers": users})
    first = (await http.get(f"/v1/vpn/{vpn_id}/sslVpnUser", params={"maxKeys": 2})).json()
    rest = (
        await http.get(f"/v1/vpn/{vpn_id}/sslVpnUser", params={"marker": first["nextMarker"]})
    ).json()
    ids = [u["userId"] for u in first["sslVpnUsers"]] + [u["userId"] for u in rest["sslVpnUsers"]]
    assert ids == sorted(emulator.state.ssl_users)


async def test_the_log_records_requests_without_secrets(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    await http.post(f"/v1/vpn/{vpn_id}/vpnconn?clientToken=t", json=tunnel_body())
    entry = emulator.requests.for_operation("create_vpn_conn")[0]
    assert (entry.method, entry.path, entry.status) == ("POST", f"/v1/vpn/{vpn_id}/vpnconn", 200)
    assert entry.query == (("clientToken", "t"),)
    assert entry.body["secretKey"] == "***"
    assert "authorization" not in entry.headers
    assert PSK not in repr(entry)
    assert entry.access_key_id == emulator.credentials.access_key_id


async def test_the_asgi_app_serves_the_same_core(emulator: VpnEmulator, clock: FakeClock) -> None:
    transport = httpx.ASGITransport(app=emulator.asgi_app)
    auth = SignWith(emulator.credentials, clock)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, auth=auth) as http:
        created = await http.post("/v1/vpn", json=GATEWAY)
        vpn_id = created.json()["vpnId"]
        fetched = await http.get(f"/v1/vpn/{vpn_id}")
    assert fetched.json()["vpnId"] in emulator.state.gateways
    assert fetched.headers["x-bce-request-id"]


async def test_the_asgi_app_turns_a_drop_into_a_transport_error(
    emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.faults.add("drop_after", op="create_vpn")
    transport = httpx.ASGITransport(app=emulator.asgi_app)
    auth = SignWith(emulator.credentials, clock)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, auth=auth) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/v1/vpn", json=GATEWAY)
    assert len(emulator.state.gateways) == 1


async def test_a_non_ascii_query_value_verifies(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    # The marker is the one query value the emulator reads as any text.
    response = await http.get(f"/v1/vpn/{vpn_id}/sslVpnUser", params={"marker": "测试 user"})
    assert response.status_code == 200
    assert response.json()["sslVpnUsers"] == []
