"""The SSL-VPN service and its users (docs/service/api-facts.md#ssl-vpn-server, #ssl-vpn-users)."""

from __future__ import annotations

import re

import httpx
import pytest
from emulator_helpers import create_gateway, create_ssl_gateway, error_of
from secrets_registry import EMULATOR_SSL_PASSWORD

from bce_vpn_async.testing import VpnEmulator

SERVER = {
    "sslVpnServerName": "srv1",
    "localSubnets": ["192.168.0.0/24"],
    "remoteSubnet": "172.168.0.0/16",
}
USERS = {
    "sslVpnUsers": [
        {"userName": "alice", "password": EMULATOR_SSL_PASSWORD, "description": "a"},
        {"userName": "bob", "password": EMULATOR_SSL_PASSWORD},
    ]
}


def _server_id(emulator: VpnEmulator, vpn_id: str) -> str:
    return str(emulator.state.wire()["gateways"][vpn_id]["sslVpnServer"]["sslVpnServerId"])


async def _users(http: httpx.AsyncClient, vpn_id: str) -> list[str]:
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnUser", json=USERS)
    assert response.status_code == 200, response.text
    return list(response.json()["sslVpnUserIds"])


async def test_create_vpn_sslservice_answers_its_id_and_defaults_to_tap(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, type="SSL")
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnServer", json=SERVER)
    assert re.fullmatch(r"sslvpn-[a-z0-9]{12}", response.json()["sslVpnServerId"])
    emulator.advance(0.1)
    server = (await http.get(f"/v1/vpn/{vpn_id}/sslVpnServer")).json()
    assert server["interfaceType"] == "tap"
    assert server["vpnId"] == vpn_id
    assert server["maxConnection"] == 5


async def test_an_ssl_service_is_refused_on_an_ipsec_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator)
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnServer", json=SERVER)
    assert error_of(response) == (409, "OperationDenied")


async def test_a_second_ssl_service_is_refused(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnServer", json=SERVER)
    assert error_of(response) == (409, "OperationDenied")


async def test_get_vpn_sslservice_without_one_is_no_such_object(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_gateway(http, emulator, type="SSL")
    response = await http.get(f"/v1/vpn/{vpn_id}/sslVpnServer")
    assert error_of(response) == (404, "NoSuchObject")


async def test_update_vpn_sslservice_sets_the_fields_given_and_keeps_an_unsent_dns(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    server_id = _server_id(emulator, vpn_id)
    url = f"/v1/vpn/{vpn_id}/sslVpnServer/{server_id}"
    response = await http.put(url, json={**SERVER, "clientDns": "8.8.8.8"})
    assert response.status_code == 200
    emulator.advance(0.1)
    response = await http.put(url, json={**SERVER, "sslVpnServerName": "srv2"})
    assert response.status_code == 200
    server = emulator.state.wire()["sslServers"][server_id]
    assert (server["clientDns"], server["sslVpnServerName"]) == ("8.8.8.8", "srv2")


@pytest.mark.parametrize("missing", ["sslVpnServerName", "localSubnets", "remoteSubnet"])
async def test_update_vpn_sslservice_requires_name_routes_and_pool(
    http: httpx.AsyncClient, emulator: VpnEmulator, missing: str
) -> None:
    """Point 3 [docs/service/sources.md#update-ssl-vpn-server marks all three required; JAVA
    updateSslVpnServer checks them]."""
    vpn_id = await create_ssl_gateway(http, emulator)
    body = {key: value for key, value in SERVER.items() if key != missing}
    response = await http.put(
        f"/v1/vpn/{vpn_id}/sslVpnServer/{_server_id(emulator, vpn_id)}",
        json={**body, "clientDns": "8.8.8.8"},
    )
    assert error_of(response) == (400, "InappropriateJSON")
    assert response.json()["message"] == f"{missing} is required"


async def test_the_interface_type_cannot_change(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    server_id = _server_id(emulator, vpn_id)
    response = await http.put(
        f"/v1/vpn/{vpn_id}/sslVpnServer/{server_id}", json={**SERVER, "interfaceType": "tun"}
    )
    assert error_of(response) == (400, "BadRequest")
    assert response.json()["message"].startswith("interfaceType:")


async def test_delete_vpn_sslservice_is_refused_while_users_remain(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    await _users(http, vpn_id)
    response = await http.delete(f"/v1/vpn/{vpn_id}/sslVpnServer/{_server_id(emulator, vpn_id)}")
    assert error_of(response) == (409, "OperationDenied")


async def test_delete_vpn_sslservice_then_release_the_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    assert error_of(await http.delete(f"/v1/vpn/{vpn_id}")) == (409, "OperationDenied")
    server_id = _server_id(emulator, vpn_id)
    assert (await http.delete(f"/v1/vpn/{vpn_id}/sslVpnServer/{server_id}")).status_code == 200
    emulator.advance(0.1)
    assert (await http.delete(f"/v1/vpn/{vpn_id}")).status_code == 200


async def test_create_vpn_sslusers_answers_ids_in_order(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    ids = await _users(http, vpn_id)
    assert all(re.fullmatch(r"vpn-ssl-user-[a-z0-9]{12}", user_id) for user_id in ids)
    names = [emulator.state.wire()["sslUsers"][user_id]["userName"] for user_id in ids]
    assert names == ["alice", "bob"]


async def test_users_are_listed_without_passwords(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    await _users(http, vpn_id)
    response = await http.get(f"/v1/vpn/{vpn_id}/sslVpnUser")
    assert len(response.json()["sslVpnUsers"]) == 2
    assert EMULATOR_SSL_PASSWORD not in response.text


async def test_users_can_be_filtered_by_name(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    await _users(http, vpn_id)
    page = (await http.get(f"/v1/vpn/{vpn_id}/sslVpnUser", params={"userName": "bob"})).json()
    assert [user["userName"] for user in page["sslVpnUsers"]] == ["bob"]


async def test_a_taken_user_name_is_refused(http: httpx.AsyncClient, emulator: VpnEmulator) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    await _users(http, vpn_id)
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnUser", json=USERS)
    assert error_of(response) == (409, "OperationDenied")


async def test_users_need_an_ssl_service(http: httpx.AsyncClient, emulator: VpnEmulator) -> None:
    vpn_id = await create_gateway(http, emulator, type="SSL")
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnUser", json=USERS)
    assert error_of(response) == (409, "OperationDenied")


async def test_a_weak_password_is_refused_without_echoing_it(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    body = {"sslVpnUsers": [{"userName": "carol", "password": "weakpassword"}]}
    response = await http.post(f"/v1/vpn/{vpn_id}/sslVpnUser", json=body)
    assert error_of(response) == (400, "BadRequest")
    assert response.json()["message"].startswith("sslVpnUsers[0].password:")
    assert "weakpassword" not in response.text


async def test_update_vpn_ssl_user_changes_the_description(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    user_id = (await _users(http, vpn_id))[0]
    response = await http.put(
        f"/v1/vpn/{vpn_id}/sslVpnUser/{user_id}", json={"description": "changed"}
    )
    assert response.status_code == 200
    assert emulator.state.wire()["sslUsers"][user_id]["description"] == "changed"


async def test_a_user_name_cannot_change(http: httpx.AsyncClient, emulator: VpnEmulator) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    user_id = (await _users(http, vpn_id))[0]
    response = await http.put(f"/v1/vpn/{vpn_id}/sslVpnUser/{user_id}", json={"userName": "eve"})
    assert error_of(response) == (400, "BadRequest")


async def test_delete_vpn_ssl_user_removes_it(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    user_id = (await _users(http, vpn_id))[0]
    assert (await http.delete(f"/v1/vpn/{vpn_id}/sslVpnUser/{user_id}")).status_code == 200
    assert user_id not in emulator.state.ssl_users
    response = await http.delete(f"/v1/vpn/{vpn_id}/sslVpnUser/{user_id}")
    assert error_of(response) == (404, "NoSuchObject")
