"""Property: nothing a client sends breaks the emulator (issue 20).

Generated requests go to the emulator served on loopback (``EmulatorServer``, control plane
on) and to the in-process one (``emulator.transport()``), for every operation of the table:
paths with real, made-up and malformed ids; methods the path takes and others; queries with
conflicting, repeated, unknown and badly encoded keys; extra headers (non-ASCII values,
duplicates); an Authorization that is a valid signature (the SDK's ``BceV1Signer``, so the
request reaches the body), a stale or future one, or junk; and bodies that are a valid body
with one field changed, any JSON (deep, ``NaN``, huge numbers, lone surrogates), or any bytes.

Every answer must be a success with a JSON object (or no body), or a BCE error body
``{"code", "message", "requestId"}`` whose request id is the header's, with a status below
500 and a code the spec lists (section 6). After each request the state must still be
readable (``emulator.state`` as models and as strict JSON) and a valid call must still be
answered; at the end every gateway is read through the SDK (``get_vpn``, ``list_vpns``) and
the served ``/_emulator/state`` is strict JSON.

The normal suite runs a bounded number of examples, the same ones each run;
``nox -s soak`` sets ``BCE_VPN_SOAK_EXAMPLES`` for a long, freshly random run.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from secrets_registry import EMULATOR_PSK, EMULATOR_SSL_PASSWORD

from bce_vpn_async import (
    AsyncVpnClient,
    BceV1Signer,
    Billing,
    ClientConfig,
    IkeConfig,
    IpsecConfig,
    SslVpnUserSpec,
)
from bce_vpn_async._operations import OPERATIONS
from bce_vpn_async.testing import EmulatorServer, FakeClock, VpnEmulator

pytestmark = pytest.mark.soak

SOAK_EXAMPLES = os.environ.get("BCE_VPN_SOAK_EXAMPLES")
EXAMPLES = int(SOAK_EXAMPLES or "120")
SETTINGS = settings(
    max_examples=EXAMPLES,
    # The normal suite runs the same examples each time; the soak draws fresh ones.
    derandomize=SOAK_EXAMPLES is None,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Every error code of the spec's section 6 the API may answer with (InternalError is a 500).
SPEC_CODES = frozenset(
    {
        "AccessDenied",
        "QualifyNotPass",
        "InappropriateJSON",
        "InvalidAccessKeyId",
        "InvalidHTTPAuthHeader",
        "InvalidHTTPRequest",
        "InvalidURI",
        "MalformedJSON",
        "InvalidVersion",
        "OptInRequired",
        "PreconditionFailed",
        "RequestExpired",
        "IdempotentParameterMismatch",
        "SignatureDoesNotMatch",
        "BadRequest",
        "NoSuchObject",
        "LimitExceeded",
        "OperationDenied",
        "CidrConflict",
        "ResourceNeedRelease",
    }
)

TUNNEL = {
    "secretKey": EMULATOR_PSK,
    "localSubnets": ["192.168.0.0/20"],
    "remoteSubnets": ["192.168.100.0/24"],
    "remoteIp": "10.107.245.188",
    "cgwId": "cgw-1",
    "vpnConnName": "tunnel9",
    "description": "t",
    "ikeConfig": {
        "ikeVersion": "v1",
        "ikeMode": "main",
        "ikeEncAlg": "aes",
        "ikeAuthAlg": "sha1",
        "ikePfs": "group2",
        "ikeLifeTime": 28800,
    },
    "ipsecConfig": {
        "ipsecEncAlg": "aes",
        "ipsecAuthAlg": "sha1",
        "ipsecPfs": "group2",
        "ipsecLifetime": "28800s",
    },
}
SSL_SERVICE = {
    "sslVpnServerName": "srv9",
    "localSubnets": ["192.168.0.0/24"],
    "remoteSubnet": "172.16.0.0/16",
    "clientDns": "8.8.8.8",
}
# A valid body of each operation that takes one: the start of the near-valid bodies.
WIRE_BODIES: dict[str, Any] = {
    "create_vpn": {
        "vpcId": "vpc-a",
        "vpnName": "gw9",
        "billing": {
            "paymentTiming": "Postpaid",
            "billingMethod": "ByBandwidth",
            "reservation": {"reservationLength": 1, "reservationTimeUnit": "month"},
        },
        "type": "IPSec",
        "description": "d",
        "eip": "100.64.0.9",
        "subnetId": "sbn-1",
        "tags": [{"tagKey": "k", "tagValue": "v"}],
        "resourceGroupId": "RESG-1",
        "deleteProtect": False,
    },
    "bind_eip": {"eip": "100.88.0.9"},
    "update_vpn": {"vpnName": "renamed", "description": "d"},
    "renew_vpn": {"billing": {"reservation": {"reservationLength": 1}}},
    "create_vpn_conn": TUNNEL,
    "update_vpn_conn": {**TUNNEL, "vpnId": "vpn-x"},
    "create_vpn_sslservice": {**SSL_SERVICE, "interfaceType": "tap"},
    "update_vpn_sslservice": SSL_SERVICE,
    "create_vpn_sslusers": {
        "sslVpnUsers": [
            {
                "userName": "bob",
                "password": EMULATOR_SSL_PASSWORD,
                "description": "d",
                "clientName": "c",
            }
        ]
    },
    "update_vpn_ssl_user": {"password": EMULATOR_SSL_PASSWORD, "description": "d"},
    "update_vpn_delete_protect": {"deleteProtect": True},
}

TRICKY_TEXT = (
    "",
    "\ud800",
    "a\udfffb",
    "\x00",
    "a\nb",
    "a!b",
    "中文",
    "\U0001f600",
    "x" * 70,
    "10.0.0.0/24",
    "10.0.0.1",
    "vpn-x",
    "default",
    "28800s",
)
TEXTS = st.text(max_size=12) | st.sampled_from(TRICKY_TEXT)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**309), 2**63, 0, -1, 1001, 86401])
    | st.floats()
    | TEXTS
)
WIRE_KEYS = sorted(
    {key for body in WIRE_BODIES.values() for key in body}
    | {"reservation", "reservationLength", "tagKey", "tagValue", "ikeLifeTime", "userName"}
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(TEXTS | st.sampled_from(WIRE_KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value, itself first."""
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


def _changed(value: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    head, *rest = path
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _changed(value[head], tuple(rest), new, delete)
    return copy


def _serialised(value: Any, ascii_only: bool) -> bytes:
    # allow_nan writes NaN and Infinity as the bare tokens other parsers refuse;
    # surrogatepass lets a lone surrogate through as bytes that are not UTF-8.
    text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def bodies(draw: st.DrawFn, operation: str) -> bytes:
    kind = draw(st.sampled_from(["near", "near", "near", "json", "bytes", "deep", "empty"]))
    if kind == "empty":
        return b""
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    if kind == "deep":
        depth = draw(st.sampled_from([63, 64, 65, 1000, 100_000]))
        return draw(st.sampled_from([b"[", b'{"a":'])) * depth + draw(st.sampled_from([b"", b"1"]))
    if kind == "json":
        return _serialised(draw(JSON_VALUES), draw(st.booleans()))
    body = WIRE_BODIES.get(operation, {})
    for _ in range(draw(st.integers(0, 3))):
        paths = list(_paths(body))
        path = draw(st.sampled_from(paths[1:] or paths))
        if draw(st.booleans()) and path:
            body = _changed(body, path, None, delete=True)
        else:
            body = _changed(body, path, draw(JSON_VALUES), delete=False)
    text = _serialised(body, draw(st.booleans()))
    # Tokens json.dumps never writes: huge exponents, leading zeros, a duplicate key.
    extra = draw(st.sampled_from([b"", b"", b',"x":1e999', b',"x":-0', b',"vpnName":"x"']))
    if extra and text.startswith(b"{") and text != b"{}":
        text = text[:-1] + extra + b"}"
    return text


HEADER_NAMES = st.sampled_from(
    [
        "x-bce-date",
        "x-bce-request-id",
        "x-bce-security-token",
        "x-bce-anything",
        "content-type",
        "content-md5",
        "accept",
        "user-agent",
        "authorization",
        "x-forwarded-for",
    ]
) | st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
# Header values HTTP/1.1 can carry: visible bytes, obs-text, inner spaces and tabs.
HEADER_VALUES = st.binary(max_size=40).map(
    lambda raw: bytes(b for b in raw if b >= 0x21 and b != 0x7F) or b"x"
) | st.sampled_from([b"caf\xc3\xa9", b"\xff\xfe", b"2015-04-27T08:23:49Z", b"a b\tc"])
ODD_AUTHORIZATIONS = (
    st.sampled_from(
        [
            b"",
            b"bce-auth-v1",
            b"Bearer abc",
            b"bce-auth-v1/emulator-access-key-id/2015-04-27T08:23:49Z/1800//" + b"0" * 64,
            b"bce-auth-v1/unknown/2015-04-27T08:23:49Z/1800//" + b"a" * 64,
            b"bce-auth-v1/emulator-access-key-id/2099-13-45T99:99:99Z/1800//" + b"a" * 64,
            b"bce-auth-v1/emulator-access-key-id/2015-04-27T08:23:49Z/" + b"9" * 5000 + b"//x",
            b"bce-auth-v1/a/b/c/d/e/f/g",
            b"bce-auth-v1/\xff/\xfe/1/;;/" + b"a" * 64,
        ]
    )
    | HEADER_VALUES
)

# Mostly text UTF-8 can carry: a query holding percent-escapes of other bytes is still
# answered (SignatureDoesNotMatch: the emulator reads it as UTF-8 with replacements, the
# signer signs the bytes), but it never reaches the operation.
QUERY_TEXTS = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    [text for text in TRICKY_TEXT if text.isprintable() or not text]
)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO", "get")
QUERY_KEYS = (
    st.sampled_from(
        [
            "bind",
            "unbind",
            "modifyAttribute",
            "purchaseReserved",
            "clientToken",
            "vpcId",
            "eip",
            "type",
            "marker",
            "maxKeys",
            "userName",
            "authorization",
        ]
    )
    | TEXTS
)
QUERY_VALUES = QUERY_TEXTS | st.sampled_from(
    ["vpc-a", "1000", "1001", "0", "-1", "t" * 65, "IPSec", "\ud800"]
)


def _short(body: bytes) -> str:
    shown = repr(body[:120])
    return shown if len(body) <= 120 else f"{shown}... ({len(body)} bytes)"


@attrs.frozen
class Raw:
    """A request before it is signed (``signing``: how) and sent."""

    method: str
    target: bytes
    headers: list[tuple[str, bytes]]
    signing: str
    odd: bytes | None
    body: bytes = attrs.field(repr=_short)


def _encoded(text: str, safe: str) -> str:
    return quote(text, safe=safe, errors="surrogatepass")


@st.composite
def raw_requests(draw: st.DrawFn, ids: dict[str, list[str]]) -> Raw:
    """A request for one operation of the table. Half of them have a clean envelope (the
    operation's method, real ids, its flag, a valid signature), so that their body
    reaches the operation; the other half change everything."""
    operation = draw(st.sampled_from(OPERATIONS))
    hostile = draw(st.booleans())
    method = draw(st.sampled_from(METHODS)) if hostile and draw(st.booleans()) else operation.method
    segments = []
    for part in operation.path.strip("/").split("/"):
        if part.startswith("{"):
            known = st.sampled_from(ids.get(part[1:-1], ["vpn-missing"]))
            made_up = st.sampled_from(["vpn-missing", "..", ".", "%", "a/b", ""]) | QUERY_TEXTS
            part = draw(known | made_up if hostile else known)
        safe = draw(st.sampled_from(["-._~", "", "/"])) if hostile else "-._~"
        segments.append(_encoded(part, safe))
    prefix, suffix = "/v1", ""
    if hostile:
        prefix = draw(st.sampled_from(["/v1"] * 4 + ["/v2", "", "/V1", "//v1", "/v1/v1"]))
        suffix = draw(st.sampled_from([""] * 4 + ["/", "/x"]))
    path = prefix + "/" + "/".join(segments) + suffix
    if path.startswith("/_emulator"):  # the control plane is not what this test is about
        path = "/v1" + path
    pairs = draw(st.lists(st.tuples(QUERY_KEYS, QUERY_VALUES), max_size=4)) if hostile else []
    if operation.flag is not None and (not hostile or draw(st.booleans())):
        pairs.insert(0, (operation.flag, ""))
    if operation.write and draw(st.booleans()):
        pairs.append(("clientToken", draw(st.sampled_from(["tok-1", "tok-2", "tok-3"]))))
    parts = []
    for key, value in pairs:
        safe = draw(st.sampled_from(["", "", "", " +&="])) if hostile else ""
        if value == "" and draw(st.booleans()):
            parts.append(_encoded(key, safe))
        else:
            parts.append(f"{_encoded(key, safe)}={_encoded(value, safe)}")
    target = (path + ("?" + "&".join(parts) if parts else "")).encode("ascii")
    headers, signing, odd = [], "sign", None
    if hostile:
        headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=3))
        signing = draw(
            st.sampled_from(["sign"] * 3 + ["none", "odd", "stale", "future", "listed", "long"])
        )
        odd = draw(ODD_AUTHORIZATIONS) if signing == "odd" else None
    return Raw(method, target, headers, signing, odd, draw(bodies(operation.name)))


def build(base: httpx.URL, raw: Raw, emulator: VpnEmulator, now: float) -> httpx.Request:
    request = httpx.Request(
        raw.method,
        base.copy_with(raw_path=raw.target),
        headers=[(name.encode(), value) for name, value in raw.headers],
        content=raw.body,
    )
    signing = raw.signing
    if signing == "odd" and raw.odd is not None:
        request.headers["authorization"] = raw.odd.decode("latin-1")
    elif signing != "none":
        signer = BceV1Signer(
            expiration_seconds=10**400 if signing == "long" else 1800,
            headers_to_sign=("host", "x-bce-date") if signing == "listed" else None,
        )
        offset = {"stale": -3600.0, "future": 3600.0}.get(signing, 0.0)
        signer.sign(request, emulator.credentials, now + offset)
    return request


def strict_json(content: bytes) -> Any:
    """RFC 8259 JSON, UTF-8: no NaN or Infinity, no lone surrogate."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in an answer")

    value = json.loads(content.decode("utf-8"), parse_constant=refuse)
    json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    return value


def assert_service_shape(request: httpx.Request, response: httpx.Response) -> None:
    request_id = response.headers.get("x-bce-request-id")
    assert request_id, response.headers
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if request.method == "HEAD":
        return
    if response.status_code < 300:
        if response.content:
            assert isinstance(strict_json(response.content), dict)
        return
    body = strict_json(response.content)
    assert isinstance(body, dict), body
    assert set(body) == {"code", "message", "requestId"}, body
    assert all(isinstance(value, str) for value in body.values()), body
    assert body["requestId"] == request_id
    assert body["code"] in SPEC_CODES, body


def assert_state_readable(emulator: VpnEmulator) -> None:
    """The state as the API's JSON (strict, UTF-8) and as the SDK's models."""
    wire = emulator.state.wire()
    strict_json(json.dumps(wire, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    state = emulator.state
    for models in (state.gateways, state.tunnels, state.ssl_servers, state.ssl_users):
        assert None not in models.values()


async def seed_world(client: AsyncVpnClient) -> dict[str, list[str]]:
    """Resources for the generated paths to name: two IPSec gateways (one with a tunnel,
    one prepaid) and an SSL gateway with its service and a user."""
    postpaid = Billing(payment_timing="Postpaid")
    ipsec = (await client.create_vpn("vpc-a", vpn_name="ipsec1", billing=postpaid)).vpn_id
    prepaid = Billing(payment_timing="Prepaid", reservation_length=1)
    renewable = (await client.create_vpn("vpc-a", vpn_name="pre1", billing=prepaid)).vpn_id
    ssl = (
        await client.create_vpn("vpc-b", vpn_name="ssl1", billing=postpaid, vpn_type="SSL")
    ).vpn_id
    await client.wait_until_status(ipsec, "unconfigured", timeout=10, poll_interval=0.01)
    await client.wait_until_status(ssl, "unconfigured", timeout=10, poll_interval=0.01)
    tunnel = await client.create_vpn_conn(
        ipsec,
        secret_key=EMULATOR_PSK,
        local_subnets=["192.168.0.0/20"],
        remote_subnets=["192.168.100.0/24"],
        vpn_conn_name="tunnel1",
        remote_ip="10.107.245.188",
        ike_config=IkeConfig(
            ike_version="v1", ike_mode="main", ike_enc_alg="aes", ike_pfs="group2"
        ),
        ipsec_config=IpsecConfig(ipsec_enc_alg="aes", ipsec_auth_alg="sha1"),
    )
    server = await client.create_vpn_sslservice(
        ssl, sslservice_name="srv1", local_routes=["192.168.0.0/24"], address_pool="172.16.0.0/16"
    )
    await client.wait_until_status(ssl, "active", timeout=10, poll_interval=0.01)
    user = SslVpnUserSpec(user_name="alice", password=EMULATOR_SSL_PASSWORD)
    users = await client.create_vpn_sslusers(ssl, sslusers=[user])
    return {
        "vpnId": [ipsec, renewable, ssl],
        "vpnConnId": [tunnel.vpn_conn_id],
        "sslVpnServerId": [server.ssl_vpn_server_id],
        "userId": list(users.ssl_vpn_user_ids),
    }


async def read_everything(client: AsyncVpnClient, emulator: VpnEmulator) -> None:
    """Every gateway through the SDK: its page in list_vpns, get_vpn, its tunnels."""
    vpcs = {vpn.vpc_id for vpn in emulator.state.gateways.values()} | {"vpc-a"}
    listed = [
        vpn.vpn_id for vpc in sorted(v for v in vpcs if v) async for vpn in client.list_vpns(vpc)
    ]
    assert sorted(listed) == sorted(emulator.state.gateways)
    for vpn_id in listed:
        assert (await client.get_vpn(vpn_id)).vpn_id == vpn_id
        await client.get_vpn_conn(vpn_id)


async def valid_call_answers(
    http: httpx.AsyncClient, base: httpx.URL, emulator: VpnEmulator, now: float
) -> None:
    request = httpx.Request("GET", base.copy_with(raw_path=b"/v1/vpn?vpcId=vpc-a"))
    BceV1Signer().sign(request, emulator.credentials, now)
    response = await http.send(request)
    assert response.status_code == 200, response.text
    assert isinstance(strict_json(response.content)["vpns"], list)


Check = Callable[[Raw], None]


def run_property(check: Check, ids: dict[str, list[str]]) -> None:
    @SETTINGS
    @given(raw=raw_requests(ids))
    def each(raw: Raw) -> None:
        check(raw)

    each()


def test_the_served_emulator_answers_every_request_in_the_service_shape() -> None:
    emulator = VpnEmulator(build_seconds=0.0, configure_seconds=0.0)
    with EmulatorServer(emulator, control=True) as server, asyncio.Runner() as runner:
        base = httpx.URL(server.endpoint)
        http = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport())
        client = AsyncVpnClient(credentials=server.credentials, endpoint=server.endpoint)
        try:
            ids = runner.run(seed_world(client))

            def check(raw: Raw) -> None:
                request = build(base, raw, emulator, time.time())
                response = runner.run(http.send(request))
                assert_service_shape(request, response)
                assert_state_readable(emulator)
                runner.run(valid_call_answers(http, base, emulator, time.time()))

            run_property(check, ids)
            runner.run(read_everything(client, emulator))
            state = runner.run(http.get(f"{server.endpoint}/_emulator/state"))
            assert state.status_code == 200
            assert set(strict_json(state.content)) == {
                "gateways",
                "tunnels",
                "sslServers",
                "sslUsers",
            }
        finally:
            runner.run(client.aclose())
            runner.run(http.aclose())


def test_the_in_process_emulator_answers_every_request_in_the_service_shape() -> None:
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, build_seconds=0.0, configure_seconds=0.0)
    base = httpx.URL("http://bcc.bj.baidubce.com")
    with asyncio.Runner() as runner:
        http = httpx.AsyncClient(transport=emulator.transport())
        client = AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint=str(base),
            http_client=http,
            config=ClientConfig(clock=clock),
        )
        try:
            ids = runner.run(seed_world(client))

            def check(raw: Raw) -> None:
                request = build(base, raw, emulator, clock.time())
                response = runner.run(http.send(request))
                assert_service_shape(request, response)
                assert_state_readable(emulator)
                runner.run(valid_call_answers(http, base, emulator, clock.time()))
                clock.advance(1.0)

            run_property(check, ids)
            runner.run(read_everything(client, emulator))
        finally:
            runner.run(client.aclose())
            runner.run(http.aclose())
