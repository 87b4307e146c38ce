"""One rule set (issue 20): what the client refuses the emulator refuses, and what the client
sends the emulator takes, except for the differences listed in CLIENT_ONLY.

The walk is driven by the table of operations and the client's own signatures, so a new
parameter, model field or rule is probed without a line here. Every parameter of every
operation that travels in the query or the body (each field of the request models too,
the paginators' ``marker`` and ``max_keys``, and ``client_token``) is given values of its
declared type, well-formed and not. For each:

- the client's verdict: a validating client raises ``BceValidationError`` before anything
  is sent, or sends the call;
- the emulator's verdict: its answer to what the client sent, or, when the client refused
  it, to the same value sent anyway (a non-validating client with valid arguments, whose
  middleware writes the value into the wire request before it is signed) is a 400
  ``BadRequest`` or ``InappropriateJSON``, or it is not.

The verdicts must agree. A difference not in CLIENT_ONLY fails the test, and so does an
entry of CLIENT_ONLY that no probe shows any more. Path ids are not probed: the client
checks them to build a URL at all, and the emulator answers 404 for any id it never issued.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Literal

import attrs
import httpx
import pytest
from emulator_helpers import VPC, create_gateway, create_ssl_gateway
from secrets_registry import EMULATOR_PSK, EMULATOR_SSL_PASSWORD
from seed_examples import IKE, IPSEC

from bce_vpn_async import (
    AsyncVpnClient,
    BceServerError,
    BceValidationError,
    Billing,
    ClientConfig,
    SslVpnUserSpec,
    Tag,
)
from bce_vpn_async._converter import wire_name
from bce_vpn_async._operations import OPERATIONS, Operation
from bce_vpn_async.testing import FakeClock, VpnEmulator

# -- the specific cases of the issue -------------------------------------------------------------

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}


def assert_refused(response: httpx.Response, code: str, field: str) -> None:
    body = response.json()
    assert (response.status_code, body["code"]) == (400, code), body
    assert body["message"].startswith(field), body


@pytest.mark.parametrize(
    ("tag", "field"),
    [
        ({"tagKey": "k", "tagValue": "a!b"}, "tags[0].tagValue"),
        ({"tagKey": "k", "tagValue": "a\x00b"}, "tags[0].tagValue"),
        ({"tagKey": "k", "tagValue": "v" * 66}, "tags[0].tagValue"),
        ({"tagKey": "a!b", "tagValue": "v"}, "tags[0].tagKey"),
        ({"tagKey": "k" * 66, "tagValue": "v"}, "tags[0].tagKey"),
    ],
)
async def test_a_tag_the_client_refuses_is_bad_request(
    http: httpx.AsyncClient, emulator: VpnEmulator, tag: dict[str, str], field: str
) -> None:
    response = await http.post("/v1/vpn", json={**GATEWAY, "tags": [tag]})
    assert_refused(response, "BadRequest", field)
    assert not emulator.state.gateways


async def test_a_tag_the_client_sends_is_stored_as_sent(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    tags = [{"tagKey": "团队 a-b_c/d.e", "tagValue": ""}, {"tagKey": "k", "tagValue": "值 1"}]
    assert (await http.post("/v1/vpn", json={**GATEWAY, "tags": tags})).status_code == 200
    [vpn] = emulator.state.gateways.values()
    assert [(tag.tag_key, tag.tag_value) for tag in vpn.tags] == [
        ("团队 a-b_c/d.e", ""),
        ("k", "值 1"),
    ]


async def test_an_eip_filter_that_is_not_an_address_is_bad_request(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get(f"/v1/vpn?vpcId={VPC}&eip=not-an-ip")
    assert_refused(response, "BadRequest", "eip")


async def test_a_user_name_filter_that_is_not_a_name_is_bad_request(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    response = await http.get(f"/v1/vpn/{vpn_id}/sslVpnUser?userName=a!b")
    assert_refused(response, "BadRequest", "userName")


@pytest.mark.parametrize("path", ["/v1/vpn/vpnconn/{}", "/v1/vpn/{}/sslVpnServer"])
async def test_a_read_that_takes_a_client_token_checks_it(
    http: httpx.AsyncClient, emulator: VpnEmulator, path: str
) -> None:
    vpn_id = await create_ssl_gateway(http, emulator)
    response = await http.get(path.format(vpn_id), params={"clientToken": "t" * 65})
    assert_refused(response, "BadRequest", "client_token")
    good = await http.get(path.format(vpn_id), params={"clientToken": "t" * 64})
    assert good.status_code == 200


async def test_a_renewal_without_a_length_is_inappropriate_json(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    prepaid = {"paymentTiming": "Prepaid", "reservation": {"reservationLength": 1}}
    vpn_id = await create_gateway(http, emulator, billing=prepaid)
    expires = emulator.state.gateways[vpn_id].expired_time
    response = await http.put(
        f"/v1/vpn/{vpn_id}?purchaseReserved",
        json={"billing": {"reservation": {"reservationTimeUnit": "month"}}},
    )
    assert_refused(response, "InappropriateJSON", "billing.reservation.reservationLength")
    assert emulator.state.gateways[vpn_id].expired_time == expires


# -- the walk over the table -------------------------------------------------------------------

# Where the client refuses what the emulator takes, on purpose: (operation, field) -> why.
# Each is a check of the client's that the API reference does not state (the emulator
# invents no rule), or a value the client checks but never sends.
CLIENT_ONLY: dict[tuple[str, str], str] = {
    **{
        (operation, "max_keys"): "the client refuses above 1000; the emulator caps at 1000, "
        "as the reference's 'usually no more than 1000' reads "
        "(docs/service/api-facts.md#list-vpn-gateways)"
        for operation in ("list_vpns", "get_vpn_ssl_user")
    },
    **{
        (operation, "marker"): "the client takes only id-shaped markers; the reference "
        "says a marker is system-generated and gives no form"
        for operation in ("list_vpns", "get_vpn_ssl_user")
    },
    ("create_vpn", "resource_group_id"): "the client checks it as an id (letters, digits, "
    "-._~); the reference gives no form",
    ("create_vpn_sslusers", "sslusers[0].client_name"): "the client applies the description "
    "rule (200 characters, no control characters); the reference gives none",
    ("update_vpn_ssl_user", "client_name"): "the client applies the description rule; the "
    "reference gives none",
    ("update_vpn_delete_protect", "delete_protect"): "the client requires it; the reference "
    "marks it optional and the emulator reads {} as no change "
    "(docs/service/api-facts.md#release-protection)",
    ("renew_vpn", "billing.payment_timing"): "checked by the client, never sent: a renewal "
    "names only its reservation",
}

STRINGS = (
    "a",
    "gw1",
    "Abc-1_/.x",
    "a!b",
    "a\x00b",
    "a\nb",
    "a\x7fb",
    "a\u2028b",
    "a b",
    " a",
    "1abc",
    "-a",
    "default",
    "中文",
    "é",
    "\U0001f600",
    "x" * 64,
    "x" * 65,
    "x" * 66,
    "x" * 200,
    "x" * 201,
    "x" * 129,
    "a/b",
    "a~b.c_d-e",
    "vpc-1",
    "10.0.0.1",
    "010.0.0.1",
    "10.0.0.0/24",
    "10.0.0.1/24",
    "256.0.0.1",
    "::1",
    "Abcdefg1!",
    "Abcdefg1)",
    "Abcdefg1&",
    "abcdefgh",
    "Ab1!",
    "Abcdefghijklmnop1!",
    "28800s",
    *sorted(
        {"v1", "v2", "main", "aggressive", "aes", "3des", "sha1", "sha2_512", "group14"}
        | {"disabled", "tap", "tun", "IPSec", "SSL", "Prepaid", "Postpaid", "month", "Month"}
    ),
)
INTEGERS = (-1, 0, 1, 5, 9, 10, 12, 13, 36, 37, 59, 60, 179, 180, 1000, 1001, 86400, 86401)
INTEGERS_WIDE = (2**31, 10**20)
BOOLEANS = (True, False)
STRING_LISTS = (
    [],
    ["10.0.0.0/24"],
    ["10.0.0.0/8", "192.168.1.0/24"],
    ["0.0.0.0/0"],
    ["10.0.0.1/24"],
    ["10.0.0.0/33"],
    ["x"],
    ["10.0.0.0/24", "x"],
)

Kind = Literal["text", "integer", "flag", "texts", "model", "models"]
Edit = Callable[[httpx.Request], httpx.Request]


@attrs.frozen
class Field:
    """One probed value's place: its name in messages, its place among the call's Python
    arguments, and on the wire."""

    name: str
    argument: str
    index: int | None
    attribute: str | None
    where: Literal["body", "query"]
    wire: tuple[str | int, ...]
    kind: Kind
    optional: bool
    model: type | None = None


def _kind(annotation: Any) -> tuple[Kind, bool, type | None]:
    """The kind of an annotation, whether it takes None, and the model it names."""
    args = typing.get_args(annotation)
    optional = typing.get_origin(annotation) in (typing.Union, types.UnionType) and (
        type(None) in args
    )
    if optional:
        [annotation] = [arg for arg in args if arg is not type(None)]
    origin = typing.get_origin(annotation)
    if annotation is str or origin is Literal:
        return "text", optional, None
    if annotation is bool:
        return "flag", optional, None
    if annotation is int:
        return "integer", optional, None
    if origin is not None and issubclass(origin, Sequence):
        [item] = typing.get_args(annotation)
        if item is str:
            return "texts", optional, None
        return "models", optional, item
    if attrs.has(annotation):
        return "model", optional, annotation
    raise AssertionError(f"no probes for {annotation!r}: add them")


def fields_of(operation: Operation[Any]) -> list[Field]:
    hints = typing.get_type_hints(getattr(AsyncVpnClient, operation.name))
    declared = [
        (p.name, p.wire, p.where, p.required) for p in operation.params if p.where != "path"
    ]
    if operation.paginated:
        declared += [("marker", "marker", "query", False), ("max_keys", "maxKeys", "query", False)]
    if operation.takes_token:
        declared.append(("client_token", "clientToken", "query", False))
    found = []
    for name, wire, where, required in declared:
        # Whether the wire may leave it out is the table's (an interface type defaults).
        kind, _, model = _kind(hints[name])
        optional = not required
        place = (wire,)
        found.append(Field(name, name, None, None, where, place, kind, optional, model))
        if model is None:
            continue
        index = 0 if kind == "models" else None
        inner = place if index is None else (*place, index)
        model_hints = typing.get_type_hints(model)
        for attribute in attrs.fields(model):
            inner_kind, inner_optional, _ = _kind(model_hints[attribute.name])
            label = f"{name}[0]" if index is not None else name
            path = tuple(wire_name(model, attribute.name).split("."))
            found.append(
                Field(
                    f"{label}.{attribute.name}",
                    name,
                    index,
                    attribute.name,
                    where,
                    (*inner, *path),
                    inner_kind,
                    inner_optional,
                )
            )
    return found


MISSING = object()


def probes(field: Field) -> list[object]:
    values: list[object] = []
    if field.kind == "text":
        # An empty string for an optional field is read as absent by the emulator (the Go
        # SDK sends one for every unset field: docs/service/disagreements.md#empty-strings): not
        # a value to compare.
        values = [text for text in STRINGS if not (field.optional and text == "")]
        if not field.optional:
            values.append("")
    elif field.kind == "integer":
        values = [*INTEGERS, *INTEGERS_WIDE]
    elif field.kind == "flag":
        values = list(BOOLEANS)
    elif field.kind == "texts":
        values = [list(items) for items in STRING_LISTS]
    elif field.kind == "models":
        values = [[]]
    # None: left out. Always a value for an argument (the client says "is required"); for
    # a model's field only where its type allows it.
    if field.optional or field.attribute is None:
        values.append(None)
    return values


# -- the world each operation is probed in -----------------------------------------------------

TUNNEL: dict[str, Any] = {
    "secret_key": EMULATOR_PSK,
    "local_subnets": ["192.168.0.0/20"],
    "remote_subnets": ["192.168.100.0/24"],
    "vpn_conn_name": "tunnel1",
    "ike_config": IKE,
    "ipsec_config": IPSEC,
    "remote_ip": "10.107.245.188",
    "cgw_id": "cgw-1",
    "description": "t",
}


async def build_world(client: AsyncVpnClient, emulator: VpnEmulator) -> dict[str, str]:
    """An IPSec gateway with a tunnel, a prepaid one, an SSL gateway with its service and a
    user, and a bare SSL gateway: every resource some operation names."""
    postpaid = Billing(payment_timing="Postpaid")
    prepaid = Billing(payment_timing="Prepaid", reservation_length=1)
    ipsec = (await client.create_vpn("vpc-a", vpn_name="ipsec1", billing=postpaid)).vpn_id
    renewable = (await client.create_vpn("vpc-a", vpn_name="prepaid1", billing=prepaid)).vpn_id
    ssl = (
        await client.create_vpn("vpc-b", vpn_name="ssl1", billing=postpaid, vpn_type="SSL")
    ).vpn_id
    bare = (
        await client.create_vpn("vpc-b", vpn_name="ssl2", billing=postpaid, vpn_type="SSL")
    ).vpn_id
    emulator.advance(1.0)
    tunnel = (await client.create_vpn_conn(ipsec, **TUNNEL)).vpn_conn_id
    server = (
        await client.create_vpn_sslservice(
            ssl,
            sslservice_name="srv1",
            local_routes=["192.168.0.0/24"],
            address_pool="172.16.0.0/16",
        )
    ).ssl_vpn_server_id
    emulator.advance(1.0)
    user = SslVpnUserSpec(user_name="alice", password=EMULATOR_SSL_PASSWORD)
    [user_id] = (await client.create_vpn_sslusers(ssl, sslusers=[user])).ssl_vpn_user_ids
    return {
        "ipsec": ipsec,
        "prepaid": renewable,
        "ssl": ssl,
        "bare": bare,
        "tunnel": tunnel,
        "server": server,
        "user": user_id,
    }


def valid_arguments(operation: str, ids: dict[str, str]) -> dict[str, Any]:
    """Arguments each operation takes, every one given and valid."""
    ssl_service = {
        "local_routes": ["192.168.0.0/24"],
        "client_dns": "8.8.8.8",
    }
    user = SslVpnUserSpec(
        user_name="bob", password=EMULATOR_SSL_PASSWORD, description="u", client_name="laptop"
    )
    arguments: dict[str, dict[str, Any]] = {
        "create_vpn": {
            "vpc_id": "vpc-c",
            "vpn_name": "gw1",
            "billing": Billing(payment_timing="Postpaid", billing_method="ByBandwidth"),
            "vpn_type": "SSL",
            "max_connections": 10,
            "description": "d",
            "eip": "100.64.0.1",
            "subnet_id": "sbn-1",
            "tags": [Tag(tag_key="k", tag_value="v")],
            "resource_group_id": "RESG-1",
            "delete_protect": False,
        },
        "list_vpns": {"vpc_id": "vpc-a", "eip": "100.64.0.2", "vpn_type": "IPSec"},
        "get_vpn": {"vpn_id": ids["ipsec"]},
        "bind_eip": {"vpn_id": ids["ipsec"], "eip": "100.88.0.1"},
        "unbind_eip": {"vpn_id": ids["ipsec"]},
        "update_vpn": {"vpn_id": ids["ipsec"], "vpn_name": "renamed", "description": "d"},
        "delete_vpn": {"vpn_id": ids["ipsec"]},
        "renew_vpn": {
            "vpn_id": ids["prepaid"],
            "billing": Billing(
                payment_timing="Prepaid", reservation_length=1, reservation_time_unit="month"
            ),
        },
        "create_vpn_conn": {"vpn_id": ids["ipsec"], **TUNNEL},
        "get_vpn_conn": {"vpn_id": ids["ipsec"]},
        "update_vpn_conn": {"vpn_conn_id": ids["tunnel"], "vpn_id": ids["ipsec"], **TUNNEL},
        "delete_vpn_conn": {"vpn_conn_id": ids["tunnel"]},
        "create_vpn_sslservice": {
            "vpn_id": ids["bare"],
            "sslservice_name": "srv1",
            "address_pool": "172.16.0.0/16",
            "interface_type": "tun",
            **ssl_service,
        },
        "get_vpn_sslservice": {"vpn_id": ids["ssl"]},
        "update_vpn_sslservice": {
            "vpn_id": ids["ssl"],
            "sslservice_id": ids["server"],
            "sslservice_name": "srv2",
            "address_pool": "172.16.0.0/16",
            **ssl_service,
        },
        "delete_vpn_sslservice": {"vpn_id": ids["ssl"], "sslservice_id": ids["server"]},
        "create_vpn_sslusers": {"vpn_id": ids["ssl"], "sslusers": [user]},
        "get_vpn_ssl_user": {"vpn_id": ids["ssl"], "user_name": "alice"},
        "update_vpn_ssl_user": {
            "vpn_id": ids["ssl"],
            "ssluser_id": ids["user"],
            "password": EMULATOR_SSL_PASSWORD,
            "description": "u2",
            "client_name": "phone",
        },
        "delete_vpn_ssl_user": {"vpn_id": ids["ssl"], "ssluser_id": ids["user"]},
        "update_vpn_delete_protect": {"vpn_id": ids["ipsec"], "delete_protect": True},
    }
    assert operation in arguments, f"give {operation} valid arguments here (CONTRIBUTING.md)"
    return arguments[operation]


def with_value(arguments: dict[str, Any], field: Field, value: object) -> dict[str, Any]:
    changed = dict(arguments)
    if field.attribute is None:
        changed[field.argument] = value
        return changed
    if field.index is None:
        changed[field.argument] = attrs.evolve(
            arguments[field.argument], **{field.attribute: value}
        )
        return changed
    items = list(arguments[field.argument])
    items[field.index] = attrs.evolve(items[field.index], **{field.attribute: value})
    changed[field.argument] = items
    return changed


def writing(field: Field, value: object) -> Edit:
    """An edit that puts ``value`` (None: nothing) where ``field`` goes on the wire."""

    def edit(request: httpx.Request) -> httpx.Request:
        url, content = request.url, request.content
        if field.where == "query":
            [key] = field.wire
            url = url.copy_remove_param(str(key))
            if value is not None:
                url = url.copy_add_param(str(key), str(value))
        else:
            body = json.loads(content) if content else {}
            *outer, last = field.wire
            place = body
            for key in outer:
                place = place[key] if isinstance(key, int) else place.setdefault(key, {})
            if value is None:
                place.pop(last, None)
            else:
                place[last] = value
            content = json.dumps(body).encode()
        headers = [(k, v) for k, v in request.headers.items() if k != "content-length"]
        return httpx.Request(request.method, url, headers=headers, content=content)

    return edit


class Rewrite:
    """User middleware (before signing) that applies ``edit`` to each request, if set."""

    def __init__(self) -> None:
        self.edit: Edit | None = None

    async def __call__(
        self, request: httpx.Request, call_next: Callable[[httpx.Request], Any]
    ) -> httpx.Response:
        if self.edit is not None:
            request = self.edit(request)
        response: httpx.Response = await call_next(request)
        return response


@attrs.define
class Harness:
    emulator: VpnEmulator
    client: AsyncVpnClient
    sender: AsyncVpnClient
    rewrite: Rewrite


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, build_seconds=0.5, configure_seconds=0.1)
    rewrite = Rewrite()
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint="http://bcc.bj.baidubce.com",
            http_client=http,
            config=ClientConfig(clock=clock),
        ) as client,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint="http://bcc.bj.baidubce.com",
            http_client=http,
            config=ClientConfig(clock=clock, validate=False),
            middleware=[rewrite],
        ) as sender,
    ):
        yield Harness(emulator, client, sender, rewrite)


def input_refusal(exc: BceServerError) -> bool:
    """Whether an error answer refuses the input (400 BadRequest or InappropriateJSON);
    a state refusal (404, 409, 413) took it."""
    assert exc.status_code in (400, 404, 409, 413), exc
    if exc.status_code == 400:
        assert exc.code in ("BadRequest", "InappropriateJSON"), exc
    return exc.status_code == 400


async def verdicts(call: Callable[[], Any]) -> tuple[bool, bool | None]:
    """(the client refused, the emulator refused); None when the emulator never saw it."""
    try:
        # A paginator checks its arguments when it is made, a method when it is awaited.
        await call()
    except BceValidationError:
        return True, None
    except BceServerError as exc:
        return False, input_refusal(exc)
    return False, False


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
async def test_the_client_and_the_emulator_refuse_the_same_values(
    harness: Harness, operation: Operation[Any]
) -> None:
    ids = await build_world(harness.client, harness.emulator)
    valid = valid_arguments(operation.name, ids)
    method = getattr(harness.client, operation.name)
    send = getattr(harness.sender, operation.name)
    assert await verdicts(lambda: method(**valid)) == (False, False)
    differences: dict[tuple[str, str], list[str]] = {}
    for field in fields_of(operation):
        for value in probes(field):
            arguments = with_value(valid, field, value)
            sent = len(harness.emulator.requests)
            client_refused, emulator_refused = await verdicts(
                lambda arguments=arguments: method(**arguments)
            )
            if emulator_refused is None:
                assert len(harness.emulator.requests) == sent, "refused, yet sent"
                harness.rewrite.edit = writing(field, value)
                try:
                    _, emulator_refused = await verdicts(lambda: send(**valid))
                finally:
                    harness.rewrite.edit = None
            if client_refused != emulator_refused:
                side = "client" if client_refused else "emulator"
                differences.setdefault((operation.name, field.name), []).append(
                    f"{side} only: {value!r}"
                )
    expected = {key for key in CLIENT_ONLY if key[0] == operation.name}
    unexpected = {key: found for key, found in differences.items() if key not in expected}
    assert unexpected == {}, "the client and the emulator disagree"
    emulator_only = {
        key: [note for note in differences[key] if note.startswith("emulator")]
        for key in expected & differences.keys()
    }
    assert not any(emulator_only.values()), emulator_only
    assert expected <= differences.keys(), (
        f"no longer differ: {sorted(expected - differences.keys())}"
    )
