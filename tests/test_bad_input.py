"""Bad arguments to every operation: refused with a ``BceValidationError`` naming the
field, before a single request is sent.

Each case runs against a respx router whose catch-all route answers anything, so a
request that slipped through would be counted (and would succeed, hiding nothing).
A rejected secret (pre-shared key, password) never appears in the error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import attrs
import pytest
import respx
from mocked import mocked_client
from seed_examples import IKE, IPSEC

from bce_vpn_async import (
    AsyncVpnClient,
    BceValidationError,
    Billing,
    ClientConfig,
    Credentials,
    SslVpnUserSpec,
    Tag,
)
from bce_vpn_async._operations import OPERATIONS
from bce_vpn_async.testing import FakeClock

INJECTION = "\r\nX-Injected: 1"

Call = Callable[[AsyncVpnClient], Any]

TUNNEL: dict[str, Any] = {
    "secret_key": "ddd22@www",
    "local_subnets": ["192.168.0.0/20"],
    "remote_subnets": ["192.168.100.0/24"],
    "vpn_conn_name": "vpncon",
    "ike_config": IKE,
    "ipsec_config": IPSEC,
    "remote_ip": "10.107.245.188",
}
SSL_SERVICE: dict[str, Any] = {
    "sslservice_name": "ssl1",
    "local_routes": ["192.168.0.0/24"],
    "address_pool": "172.168.0.0/16",
}
POSTPAID = Billing(payment_timing="Postpaid")
USER = SslVpnUserSpec("user1", "Passw0rd!")


def create_vpn(vpc_id: object = "vpc-1", **changes: Any) -> Call:
    args: dict[str, Any] = {"vpn_name": "gw1", "billing": POSTPAID, **changes}
    return lambda c: c.create_vpn(vpc_id, **args)


def create_vpn_conn(vpn_id: object = "vpn-1", **changes: Any) -> Call:
    args = {**TUNNEL, **changes}
    return lambda c: c.create_vpn_conn(vpn_id, **args)


def update_vpn_conn(vpn_conn_id: object = "vpnconn-1", **changes: Any) -> Call:
    args = {"vpn_id": "vpn-1", **TUNNEL, **changes}
    return lambda c: c.update_vpn_conn(vpn_conn_id, **args)


def ike(**changes: Any) -> Call:
    return create_vpn_conn(ike_config=attrs.evolve(IKE, **changes))


def ipsec(**changes: Any) -> Call:
    return create_vpn_conn(ipsec_config=attrs.evolve(IPSEC, **changes))


def create_vpn_sslservice(vpn_id: object = "vpn-1", **changes: Any) -> Call:
    args = {**SSL_SERVICE, **changes}
    return lambda c: c.create_vpn_sslservice(vpn_id, **args)


def update_vpn_sslservice(sslservice_id: object = "ssl-1", **changes: Any) -> Call:
    args = {
        "sslservice_name": "srv2",
        "local_routes": ["192.168.0.0/24"],
        "address_pool": "172.16.0.0/16",
        **changes,
    }
    return lambda c: c.update_vpn_sslservice("vpn-1", sslservice_id, **args)


def create_vpn_sslusers(*users: Any, vpn_id: object = "vpn-1") -> Call:
    return lambda c: c.create_vpn_sslusers(vpn_id, sslusers=list(users))


def wait(status: Any = "active", vpn_id: object = "vpn-1", **kwargs: Any) -> Call:
    return lambda c: c.wait_until_status(vpn_id, status, **kwargs)


def bad(operation: str, what: str, call: Call, field: str, *, secret: str | None = None) -> Any:
    return pytest.param(operation, call, field, secret, id=f"{operation}: {what}")


CASES = [
    # -- ids: they go into the URL path, so they are always checked -------------------------
    bad("get_vpn", "id with a slash", lambda c: c.get_vpn("vpn-1/vpnconn"), "vpn_id"),
    bad("get_vpn", "id is ..", lambda c: c.get_vpn(".."), "vpn_id"),
    bad("get_vpn", "id is .", lambda c: c.get_vpn("."), "vpn_id"),
    bad("get_vpn", "empty id", lambda c: c.get_vpn(""), "vpn_id"),
    bad("get_vpn", "id is not a string", lambda c: c.get_vpn(12345), "vpn_id"),
    bad("get_vpn", "id is None", lambda c: c.get_vpn(None), "vpn_id"),
    bad("get_vpn", "id of 129 characters", lambda c: c.get_vpn("v" * 129), "vpn_id"),
    bad("delete_vpn", "id with a space", lambda c: c.delete_vpn("vpn 1"), "vpn_id"),
    bad("unbind_eip", "id with a ?", lambda c: c.unbind_eip("vpn-1?bind"), "vpn_id"),
    bad("get_vpn_conn", "id with a #", lambda c: c.get_vpn_conn("vpn-1#x"), "vpn_id"),
    bad(
        "delete_vpn_conn",
        "id with an encoded slash",
        lambda c: c.delete_vpn_conn("vpnconn-1%2F.."),
        "vpn_conn_id",
    ),
    bad(
        "update_vpn_delete_protect",
        "id with a NUL",
        lambda c: c.update_vpn_delete_protect("vpn-1\x00", delete_protect=True),
        "vpn_id",
    ),
    bad(
        "get_vpn_sslservice",
        "id with a newline",
        lambda c: c.get_vpn_sslservice("vpn-1\n"),
        "vpn_id",
    ),
    bad(
        "get_vpn_sslservice",
        "id with a header injection",
        lambda c: c.get_vpn_sslservice("vpn-1" + INJECTION),
        "vpn_id",
    ),
    bad(
        "delete_vpn_sslservice",
        "non-ASCII service id",
        lambda c: c.delete_vpn_sslservice("vpn-1", "sslvpn-ü"),
        "sslservice_id",
    ),
    bad(
        "delete_vpn_ssl_user",
        "empty user id",
        lambda c: c.delete_vpn_ssl_user("vpn-1", ""),
        "ssluser_id",
    ),
    bad(
        "update_vpn_ssl_user",
        "user id with a tab",
        lambda c: c.update_vpn_ssl_user("vpn-1", "user\t1", description="d"),
        "ssluser_id",
    ),
    bad(
        "update_vpn_sslservice",
        "service id with a backslash",
        update_vpn_sslservice("ssl\\1"),
        "sslservice_id",
    ),
    bad("create_vpn", "VPC id with a slash", create_vpn("vpc/1"), "vpc_id"),
    bad("create_vpn", "subnet id with a space", create_vpn(subnet_id="sbn 1"), "subnet_id"),
    bad(
        "create_vpn",
        "resource group id with a ?",
        create_vpn(resource_group_id="rg?1"),
        "resource_group_id",
    ),
    bad(
        "list_vpns",
        "VPC id smuggling a query parameter",
        lambda c: c.list_vpns("vpc-1&maxKeys=1"),
        "vpc_id",
    ),
    bad(
        "list_vpns",
        "marker smuggling a query parameter",
        lambda c: c.list_vpns("vpc-1", marker="vpn-1&maxKeys=1"),
        "marker",
    ),
    bad(
        "get_vpn_ssl_user",
        "marker with a dot segment",
        lambda c: c.get_vpn_ssl_user("vpn-1", marker="../x"),
        "marker",
    ),
    bad(
        "create_vpn_conn",
        "customer gateway id with a slash",
        create_vpn_conn(remote_ip=None, cgw_id="cgw/1"),
        "cgw_id",
    ),
    bad("update_vpn_conn", "tunnel id is ..", update_vpn_conn(".."), "vpn_conn_id"),
    bad(
        "update_vpn_conn",
        "gateway id with a dot segment",
        update_vpn_conn(vpn_id="vpn-1/../x"),
        "vpn_id",
    ),
    # -- names ---------------------------------------------------------------------------
    bad("create_vpn", "empty name", create_vpn(vpn_name=""), "vpn_name"),
    bad("create_vpn", "name of 66 characters", create_vpn(vpn_name="g" * 66), "vpn_name"),
    bad("create_vpn", "name is not a string", create_vpn(vpn_name=1), "vpn_name"),
    bad(
        "update_vpn",
        "name starting with a digit",
        lambda c: c.update_vpn("vpn-1", vpn_name="1gw"),
        "vpn_name",
    ),
    bad(
        "create_vpn_conn",
        "name with a space",
        create_vpn_conn(vpn_conn_name="tun 1"),
        "vpn_conn_name",
    ),
    bad(
        "create_vpn_sslservice",
        "name with a forbidden symbol",
        create_vpn_sslservice(sslservice_name="ssl!"),
        "sslservice_name",
    ),
    bad(
        "create_vpn_sslusers",
        "non-ASCII user name",
        create_vpn_sslusers(SslVpnUserSpec("用户", "Passw0rd!")),
        "sslusers[0].user_name",
    ),
    bad(
        "get_vpn_ssl_user",
        "user name filter starting with a hyphen",
        lambda c: c.get_vpn_ssl_user("vpn-1", user_name="-user"),
        "user_name",
    ),
    # -- secrets -------------------------------------------------------------------------
    bad(
        "create_vpn_conn",
        "key too short",
        create_vpn_conn(secret_key="a1!"),
        "secret_key",
        secret="a1!",
    ),
    bad(
        "create_vpn_conn",
        "key too long",
        create_vpn_conn(secret_key="Abcdefgh12345678!x"),
        "secret_key",
        secret="Abcdefgh12345678!x",
    ),
    bad(
        "create_vpn_conn",
        "key without a digit",
        create_vpn_conn(secret_key="abcdefgh!"),
        "secret_key",
        secret="abcdefgh!",
    ),
    bad(
        "create_vpn_conn",
        "key without a symbol",
        create_vpn_conn(secret_key="abcdefgh12"),
        "secret_key",
        secret="abcdefgh12",
    ),
    bad(
        "update_vpn_conn",
        "key with a forbidden symbol",
        update_vpn_conn(secret_key="abcdef12&x"),
        "secret_key",
        secret="abcdef12&x",
    ),
    bad(
        "update_vpn_conn",
        "key with a line break",
        update_vpn_conn(secret_key="abc12!\nX-Key"),
        "secret_key",
        secret="abc12!\nX-Key",
    ),
    bad(
        "create_vpn_sslusers",
        "password without a letter",
        create_vpn_sslusers(SslVpnUserSpec("user1", "12345678!")),
        "sslusers[0].password",
        secret="12345678!",
    ),
    bad(
        "create_vpn_sslusers",
        "second user's password too short",
        create_vpn_sslusers(USER, SslVpnUserSpec("user2", "Pw0rd!")),
        "sslusers[1].password",
        secret="Pw0rd!",
    ),
    bad(
        "update_vpn_ssl_user",
        "password with a forbidden symbol",
        lambda c: c.update_vpn_ssl_user("vpn-1", "u-1", password="Passw0rd+x"),
        "password",
        secret="Passw0rd+x",
    ),
    bad(
        "update_vpn_ssl_user",
        "password too long",
        lambda c: c.update_vpn_ssl_user("vpn-1", "u-1", password="Passw0rd!Passw0rd!"),
        "password",
        secret="Passw0rd!Passw0rd!",
    ),
    # -- CIDRs and addresses -----------------------------------------------------------------
    bad(
        "create_vpn_conn",
        "CIDR with host bits",
        create_vpn_conn(local_subnets=["10.0.0.1/24"]),
        "local_subnets[0]",
    ),
    bad(
        "create_vpn_conn",
        "CIDR with an octet above 255",
        create_vpn_conn(remote_subnets=["192.168.1.0/24", "300.1.1.0/24"]),
        "remote_subnets[1]",
    ),
    bad(
        "create_vpn_conn",
        "one CIDR string instead of a list",
        create_vpn_conn(local_subnets="10.0.0.0/8"),
        "local_subnets",
    ),
    bad("create_vpn_conn", "no CIDRs", create_vpn_conn(remote_subnets=[]), "remote_subnets"),
    bad("create_vpn_conn", "peer 300.1.1.1", create_vpn_conn(remote_ip="300.1.1.1"), "remote_ip"),
    bad("update_vpn_conn", "peer abc", update_vpn_conn(remote_ip="abc"), "remote_ip"),
    bad("update_vpn_conn", "IPv6 peer", update_vpn_conn(remote_ip="2001:db8::1"), "remote_ip"),
    bad(
        "create_vpn_sslservice",
        "IPv6 address pool",
        create_vpn_sslservice(address_pool="fd00::/64"),
        "address_pool",
    ),
    bad(
        "create_vpn_sslservice",
        "route without a prefix length",
        create_vpn_sslservice(local_routes=["192.168.0.0"]),
        "local_routes[0]",
    ),
    bad(
        "create_vpn_sslservice",
        "empty client DNS",
        create_vpn_sslservice(client_dns=""),
        "client_dns",
    ),
    bad(
        "update_vpn_sslservice",
        "address pool with host bits",
        update_vpn_sslservice(address_pool="172.16.0.1/16"),
        "address_pool",
    ),
    bad("bind_eip", "EIP of five octets", lambda c: c.bind_eip("vpn-1", eip="1.2.3.4.5"), "eip"),
    bad("create_vpn", "EIP with a leading space", create_vpn(eip=" 1.2.3.4"), "eip"),
    bad("list_vpns", "EIP filter abc", lambda c: c.list_vpns("vpc-1", eip="abc"), "eip"),
    # -- lifetimes (the current reference's ranges, docs/service/disagreements.md#lifetimes)
    # ---------------------------------
    bad(
        "create_vpn_conn",
        "IKE lifetime below 60",
        ike(ike_lifetime=59),
        "ike_config.ike_lifetime",
    ),
    bad(
        "create_vpn_conn",
        "IKE lifetime above 86400",
        ike(ike_lifetime=90000),
        "ike_config.ike_lifetime",
    ),
    bad("create_vpn_conn", "IKE lifetime True", ike(ike_lifetime=True), "ike_config.ike_lifetime"),
    bad(
        "create_vpn_conn",
        "IPSec lifetime abc",
        ipsec(ipsec_lifetime="abc"),
        "ipsec_config.ipsec_lifetime",
    ),
    bad(
        "create_vpn_conn",
        "IPSec lifetime zero",
        ipsec(ipsec_lifetime=0),
        "ipsec_config.ipsec_lifetime",
    ),
    bad(
        "update_vpn_conn",
        "IPSec lifetime below 180",
        update_vpn_conn(ipsec_config=attrs.evolve(IPSEC, ipsec_lifetime="179s")),
        "ipsec_config.ipsec_lifetime",
    ),
    # -- enumerations (case-sensitive) -------------------------------------------------------
    bad("create_vpn_conn", "IKE version v3", ike(ike_version="v3"), "ike_config.ike_version"),
    bad("create_vpn_conn", "IKE mode Main", ike(ike_mode="Main"), "ike_config.ike_mode"),
    bad("create_vpn_conn", "PFS group1", ike(ike_pfs="group1"), "ike_config.ike_pfs"),
    bad(
        "create_vpn_conn", "IKE auth sha256", ike(ike_auth_alg="sha256"), "ike_config.ike_auth_alg"
    ),
    bad(
        "create_vpn_conn",
        "IPSec cipher des",
        ipsec(ipsec_enc_alg="des"),
        "ipsec_config.ipsec_enc_alg",
    ),
    bad(
        "create_vpn_sslservice",
        "interface type tun0",
        create_vpn_sslservice(interface_type="tun0"),
        "interface_type",
    ),
    bad("create_vpn", "type ipsec in lower case", create_vpn(vpn_type="ipsec"), "vpn_type"),
    bad("list_vpns", "type filter ssl", lambda c: c.list_vpns("vpc-1", vpn_type="ssl"), "vpn_type"),
    bad(
        "create_vpn",
        "payment timing postpay",
        create_vpn(billing=Billing(payment_timing="postpay")),
        "billing.payment_timing",
    ),
    bad(
        "create_vpn",
        "no payment timing",
        create_vpn(billing=Billing()),
        "billing.payment_timing",
    ),
    bad(
        "create_vpn",
        "billing is a dict",
        create_vpn(billing={"paymentTiming": "Postpaid"}),
        "billing",
    ),
    bad(
        "create_vpn",
        "max connections 7",
        create_vpn(vpn_type="SSL", max_connections=7),
        "max_connections",
    ),
    bad(
        "create_vpn",
        "max connections on an IPSec gateway",
        create_vpn(vpn_type="IPSec", max_connections=10),
        "max_connections",
    ),
    bad(
        "renew_vpn",
        "reservation of 10 months",
        lambda c: c.renew_vpn("vpn-1", billing=Billing(reservation_length=10)),
        "billing.reservation_length",
    ),
    bad(
        "renew_vpn",
        "reservation unit year",
        lambda c: c.renew_vpn(
            "vpn-1", billing=Billing(reservation_length=1, reservation_time_unit="year")
        ),
        "billing.reservation_time_unit",
    ),
    bad(
        "renew_vpn",
        "no reservation length",
        lambda c: c.renew_vpn("vpn-1", billing=POSTPAID),
        "billing.reservation_length",
    ),
    # -- page sizes and limits ---------------------------------------------------------------
    bad("list_vpns", "max_keys 0", lambda c: c.list_vpns("vpc-1", max_keys=0), "max_keys"),
    bad(
        "get_vpn_ssl_user",
        "max_keys 1001",
        lambda c: c.get_vpn_ssl_user("vpn-1", max_keys=1001),
        "max_keys",
    ),
    bad("list_vpns", "max_keys '10'", lambda c: c.list_vpns("vpc-1", max_keys="10"), "max_keys"),
    bad("list_vpns", "max_keys True", lambda c: c.list_vpns("vpc-1", max_keys=True), "max_keys"),
    bad("list_vpns", "max_items -1", lambda c: c.list_vpns("vpc-1", max_items=-1), "max_items"),
    bad("list_vpns", "max_items '5'", lambda c: c.list_vpns("vpc-1", max_items="5"), "max_items"),
    bad(
        "get_vpn_ssl_user",
        "max_items 1.5",
        lambda c: c.get_vpn_ssl_user("vpn-1", max_items=1.5),
        "max_items",
    ),
    # -- client tokens -----------------------------------------------------------------------
    bad(
        "create_vpn",
        "client token of 65 characters",
        create_vpn(client_token="t" * 65),
        "client_token",
    ),
    bad(
        "delete_vpn",
        "non-ASCII client token",
        lambda c: c.delete_vpn("vpn-1", client_token="tökén"),
        "client_token",
    ),
    bad(
        "bind_eip",
        "client token with a newline",
        lambda c: c.bind_eip("vpn-1", eip="1.2.3.4", client_token="tok\nen"),
        "client_token",
    ),
    bad(
        "delete_vpn_conn",
        "client token with a header injection",
        lambda c: c.delete_vpn_conn("vpnconn-1", client_token="tok" + INJECTION),
        "client_token",
    ),
    bad(
        "get_vpn_conn",
        "client token with a tab",
        lambda c: c.get_vpn_conn("vpn-1", client_token="tok\ten"),
        "client_token",
    ),
    bad(
        "unbind_eip",
        "empty client token",
        lambda c: c.unbind_eip("vpn-1", client_token=""),
        "client_token",
    ),
    bad(
        "delete_vpn_ssl_user",
        "client token is a number",
        lambda c: c.delete_vpn_ssl_user("vpn-1", "u-1", client_token=123),
        "client_token",
    ),
    # -- nothing to do, or the wrong kind of thing -------------------------------------------
    bad("update_vpn", "nothing to change", lambda c: c.update_vpn("vpn-1"), "vpn_name"),
    bad(
        "update_vpn_ssl_user",
        "nothing to change",
        lambda c: c.update_vpn_ssl_user("vpn-1", "u-1"),
        "password",
    ),
    bad(
        "update_vpn_sslservice",
        "no name (the reference requires it)",
        update_vpn_sslservice(sslservice_name=None),
        "sslservice_name",
    ),
    bad(
        "update_vpn_sslservice",
        "no routes (the reference requires them)",
        update_vpn_sslservice(local_routes=None),
        "local_routes",
    ),
    bad(
        "update_vpn_sslservice",
        "no address pool (the reference requires it)",
        update_vpn_sslservice(address_pool=None),
        "address_pool",
    ),
    bad("create_vpn_sslusers", "an empty list", create_vpn_sslusers(), "sslusers"),
    bad(
        "create_vpn_sslusers",
        "one user not in a list",
        lambda c: c.create_vpn_sslusers("vpn-1", sslusers=USER),
        "sslusers",
    ),
    bad(
        "create_vpn_sslusers",
        "a generator of users",
        lambda c: c.create_vpn_sslusers("vpn-1", sslusers=(u for u in [USER])),
        "sslusers",
    ),
    bad(
        "create_vpn_sslusers",
        "a tuple where a user belongs",
        create_vpn_sslusers(("user1", "Passw0rd!")),
        "sslusers[0]",
    ),
    bad("create_vpn", "a tag given as a tuple", create_vpn(tags=[("k", "v")]), "tags[0]"),
    bad("create_vpn", "one tag not in a list", create_vpn(tags=Tag("k", "v")), "tags"),
    bad(
        "create_vpn", "delete_protect 'false'", create_vpn(delete_protect="false"), "delete_protect"
    ),
    bad(
        "update_vpn_delete_protect",
        "delete_protect 1",
        lambda c: c.update_vpn_delete_protect("vpn-1", delete_protect=1),
        "delete_protect",
    ),
    bad("create_vpn_conn", "IKE config as a dict", create_vpn_conn(ike_config={}), "ike_config"),
    bad("update_vpn_conn", "no IPSec config", update_vpn_conn(ipsec_config=None), "ipsec_config"),
    bad("create_vpn_conn", "no peer at all", create_vpn_conn(remote_ip=None), "remote_ip"),
    # -- descriptions ------------------------------------------------------------------------
    bad(
        "create_vpn",
        "description of 201 characters",
        create_vpn(description="d" * 201),
        "description",
    ),
    bad(
        "update_vpn",
        "description with a header injection",
        lambda c: c.update_vpn("vpn-1", description="d" + INJECTION),
        "description",
    ),
    bad(
        "update_vpn_ssl_user",
        "description with a lone surrogate (not encodable as UTF-8)",
        lambda c: c.update_vpn_ssl_user("vpn-1", "u-1", description="d\ud800"),
        "description",
    ),
    bad(
        "create_vpn_sslusers",
        "user description with a terminal escape",
        create_vpn_sslusers(SslVpnUserSpec("user1", "Passw0rd!", "d\x1b[2J")),
        "sslusers[0].description",
    ),
    # -- the waiter --------------------------------------------------------------------------
    bad("wait_until_status", "gateway id with a slash", wait(vpn_id="vpn/1"), "vpn_id"),
    bad("wait_until_status", "empty status", wait(""), "status"),
    bad("wait_until_status", "empty set of statuses", wait(set()), "status"),
    bad("wait_until_status", "status is a number", wait(5), "status"),
    bad("wait_until_status", "status is None", wait(None), "status"),
    bad("wait_until_status", "a number in the statuses", wait({"active", 3}), "status"),
    bad("wait_until_status", "timeout 0", wait(timeout=0), "timeout"),
    bad("wait_until_status", "timeout infinite", wait(timeout=float("inf")), "timeout"),
    bad("wait_until_status", "poll interval negative", wait(poll_interval=-1), "poll_interval"),
    bad(
        "wait_until_status",
        "failure statuses as one string",
        wait(failure_statuses="failed"),
        "failure_statuses",
    ),
    bad(
        "wait_until_status",
        "failure statuses is a number",
        wait(failure_statuses=3),
        "failure_statuses",
    ),
    bad("wait_until_status", "on_status not callable", wait(on_status="print"), "on_status"),
]


def _client(config: ClientConfig | None = None) -> AsyncVpnClient:
    return mocked_client(config or ClientConfig(transport="httpx", clock=FakeClock()))


async def _run(call: Call, client: AsyncVpnClient) -> None:
    # A paginator refuses its arguments when called; anything else when awaited.
    result = call(client)
    if isinstance(result, Awaitable):
        await result


@pytest.mark.parametrize(("operation", "call", "field", "secret"), CASES)
async def test_bad_input_is_refused_naming_the_field_before_anything_is_sent(
    mock: respx.MockRouter, operation: str, call: Call, field: str, secret: str | None
) -> None:
    route = mock.route().respond(200, json={"vpnId": "vpn-1", "status": "building"})
    async with _client() as client:
        with pytest.raises(BceValidationError) as info:
            await _run(call, client)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert route.call_count == 0
    assert len(mock.calls) == 0
    if secret is not None:
        assert secret not in str(info.value)
        assert secret not in repr(info.value)
        # No chained exception carries the value into a traceback either.
        assert info.value.__cause__ is None
        assert info.value.__context__ is None


def test_every_operation_has_bad_input_cases() -> None:
    covered = {param.values[0] for param in CASES}
    assert covered >= {operation.name for operation in OPERATIONS}
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.list_vpns("vpc-1", max_keys=0),
        lambda c: c.get_vpn_ssl_user("vpn/1"),
    ],
    ids=["list_vpns", "get_vpn_ssl_user"],
)
def test_a_paginator_refuses_bad_arguments_when_called_not_when_awaited(call: Call) -> None:
    client = _client()
    with pytest.raises(BceValidationError):
        call(client)


async def test_a_client_token_holding_query_syntax_is_sent_as_one_encoded_parameter(
    mock: respx.MockRouter,
) -> None:
    # "&" and "=" are printable ASCII, which the API allows in a token: the defence is
    # encoding, so the value arrives whole and adds no parameter of its own.
    mock.route().respond(200)
    async with _client() as client:
        await client.delete_vpn("vpn-1", client_token="tok&maxKeys=1")
    request = mock.calls.last.request
    assert b"tok%26maxKeys%3D1" in request.url.raw_path
    assert parse_qsl(request.url.query.decode(), keep_blank_values=True) == [
        ("clientToken", "tok&maxKeys=1")
    ]
    assert "x-injected" not in request.headers


async def test_with_validation_off_a_rule_breaking_name_reaches_the_wire(
    mock: respx.MockRouter,
) -> None:
    route = mock.route().respond(200, json={"vpnId": "vpn-new"})
    config = ClientConfig(transport="httpx", clock=FakeClock(), validate=False)
    async with _client(config) as client:
        result = await client.create_vpn("vpc-1", vpn_name="1 not a name!", billing=POSTPAID)
    assert result.vpn_id == "vpn-new"
    assert route.call_count == 1
    assert json.loads(mock.calls.last.request.content)["vpnName"] == "1 not a name!"


async def test_with_validation_off_a_user_name_filter_is_still_one_encoded_parameter(
    mock: respx.MockRouter,
) -> None:
    mock.route().respond(200, json={"sslVpnUsers": [], "isTruncated": False})
    config = ClientConfig(transport="httpx", clock=FakeClock(), validate=False)
    async with _client(config) as client:
        await client.get_vpn_ssl_user("vpn-1", user_name="u&maxKeys=1")
    query = mock.calls.last.request.url.query.decode()
    assert parse_qsl(query, keep_blank_values=True) == [("userName", "u&maxKeys=1")]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.get_vpn("vpn-1/vpnconn"), "vpn_id"),
        (lambda c: c.delete_vpn_ssl_user("vpn-1", "../u-1"), "ssluser_id"),
        (create_vpn("vpc-1&maxKeys=1", vpn_name="1 not a name!"), "vpc_id"),
        (lambda c: c.delete_vpn("vpn-1", client_token="tok" + INJECTION), "client_token"),
        (lambda c: c.list_vpns("vpc-1", max_keys=1001), "max_keys"),
        (create_vpn(tags=["team=net"]), "tags[0]"),
    ],
    ids=[
        "id with a slash",
        "id with a dot segment",
        "id with a query",
        "client token",
        "max_keys",
        "a tag that is not a Tag",
    ],
)
async def test_with_validation_off_ids_tokens_and_shapes_are_still_checked(
    mock: respx.MockRouter, call: Call, field: str
) -> None:
    route = mock.route().respond(200, json={})
    config = ClientConfig(transport="httpx", clock=FakeClock(), validate=False)
    async with _client(config) as client:
        with pytest.raises(BceValidationError) as info:
            await _run(call, client)
    assert info.value.field == field
    assert route.call_count == 0


async def test_a_tag_breaking_the_documented_rules_is_refused_before_sending() -> None:

    with respx.mock(using="httpx", assert_all_called=False) as mock:
        route = mock.route()
        client = AsyncVpnClient(
            credentials=Credentials("ak", "sk"),
            endpoint="bcc.bj.baidubce.com",
            config=ClientConfig(transport="httpx"),
        )
        async with client:
            with pytest.raises(BceValidationError, match=r"tags\[1\]\.tag_key") as info:
                await client.create_vpn(
                    "vpc-1",
                    vpn_name="gw",
                    billing=Billing(payment_timing="Postpaid"),
                    tags=[Tag(tag_key="ok", tag_value="1"), Tag(tag_key="a\ud800", tag_value="")],
                )
    assert info.value.field == "tags[1].tag_key"
    assert route.call_count == 0


# -- text the wire cannot carry ------------------------------------------------------------

LONE = "\ud800"  # a lone surrogate: UTF-8 cannot write it

UNENCODABLE_CASES = [
    pytest.param(create_vpn(description=f"gw{LONE}"), "description", id="create_vpn-description"),
    pytest.param(create_vpn(vpn_name=LONE), "vpn_name", id="create_vpn-vpn_name"),
    pytest.param(
        create_vpn(tags=[Tag("env", "prod"), Tag("k", LONE)]),
        "tags[1].tag_value",
        id="create_vpn-tag_value",
    ),
    pytest.param(lambda c: c.update_vpn("vpn-1", description=LONE), "description", id="update_vpn"),
    pytest.param(create_vpn_conn(description=LONE), "description", id="create_vpn_conn"),
    pytest.param(update_vpn_conn(vpn_conn_name=LONE), "vpn_conn_name", id="update_vpn_conn"),
    pytest.param(create_vpn_sslservice(client_dns=LONE), "client_dns", id="create_sslservice"),
    pytest.param(update_vpn_sslservice(client_dns=LONE), "client_dns", id="update_sslservice"),
    pytest.param(
        create_vpn_sslusers(USER, SslVpnUserSpec("user2", "Passw0rd!", description=LONE)),
        "sslusers[1].description",
        id="create_vpn_sslusers",
    ),
    pytest.param(
        lambda c: c.get_vpn_ssl_user("vpn-1", user_name=LONE), "user_name", id="get_vpn_ssl_user"
    ),
]


@pytest.mark.parametrize("validate", [True, False], ids=["validate", "no-validate"])
@pytest.mark.parametrize(("call", "field"), UNENCODABLE_CASES)
async def test_text_utf8_cannot_carry_is_refused_naming_the_field_validation_on_or_off(
    mock: respx.MockRouter, call: Call, field: str, validate: bool
) -> None:
    mock.route().respond(200, json={})
    config = ClientConfig(transport="httpx", clock=FakeClock(), validate=validate)
    async with _client(config) as client:
        with pytest.raises(BceValidationError) as info:
            await _run(call, client)
    assert info.value.field == field
    assert info.value.__context__ is None  # no UnicodeEncodeError in the traceback
    assert len(mock.calls) == 0
