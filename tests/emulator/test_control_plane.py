"""The served emulator's /_emulator/ control plane, over a real socket, with plain httpx."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from emulator_helpers import VPC, SignWith, tunnel_body
from secrets_registry import EMULATOR_PSK, EMULATOR_SSL_PASSWORD
from shared_tls import TLS

from bce_vpn_async.testing import EmulatorServer, SystemClock, VpnEmulator

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}
TIMEOUT = httpx.Timeout(30.0)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    emulator = VpnEmulator(build_seconds=0, configure_seconds=0)
    with EmulatorServer(emulator, control=True) as server:
        yield server


@pytest.fixture
def control(server: EmulatorServer) -> Iterator[httpx.Client]:
    """No signing, no SDK: what a Go service's test harness or curl would send."""
    with httpx.Client(
        base_url=f"{server.endpoint}/_emulator", timeout=TIMEOUT, verify=TLS
    ) as client:
        yield client


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    auth = SignWith(server.credentials, SystemClock())
    with httpx.Client(base_url=server.endpoint, auth=auth, timeout=TIMEOUT, verify=TLS) as client:
        yield client


def _gateway(api: httpx.Client, **changes: object) -> str:
    response = api.post("/v1/vpn", json={**GATEWAY, **changes})
    assert response.status_code == 200, response.text
    return str(response.json()["vpnId"])


def test_state_is_the_whole_state_keyed_by_id_without_secrets(
    api: httpx.Client, control: httpx.Client
) -> None:
    ipsec = _gateway(api)
    tunnel = api.post(f"/v1/vpn/{ipsec}/vpnconn", json=tunnel_body()).json()["vpnConnId"]
    ssl = _gateway(api, type="SSL", vpnName="ssl1")
    server_id = api.post(
        f"/v1/vpn/{ssl}/sslVpnServer",
        json={
            "sslVpnServerName": "s",
            "localSubnets": ["192.168.0.0/24"],
            "remoteSubnet": "172.168.0.0/16",
        },
    ).json()["sslVpnServerId"]
    users = {"sslVpnUsers": [{"userName": "alice", "password": EMULATOR_SSL_PASSWORD}]}
    (user_id,) = api.post(f"/v1/vpn/{ssl}/sslVpnUser", json=users).json()["sslVpnUserIds"]

    response = control.get("/state")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    state = response.json()
    assert set(state) == {"gateways", "tunnels", "sslServers", "sslUsers"}
    assert sorted(state["gateways"]) == sorted([ipsec, ssl])
    assert state["gateways"][ipsec]["vpnName"] == "gw1"
    assert list(state["tunnels"]) == [tunnel]
    assert state["tunnels"][tunnel]["vpnId"] == ipsec
    assert state["tunnels"][tunnel]["secretKey"] == "***"
    assert list(state["sslServers"]) == [server_id]
    assert state["sslUsers"][user_id]["userName"] == "alice"
    assert EMULATOR_PSK not in response.text
    assert EMULATOR_SSL_PASSWORD not in response.text


def test_a_fault_posted_as_json_is_met_by_the_next_api_call(
    api: httpx.Client, control: httpx.Client
) -> None:
    vpn_id = _gateway(api)
    rule = {"kind": "error", "op": "delete_vpn", "status": 409, "code": "OperationDenied"}
    added = control.post("/faults", json={**rule, "times": 1})
    assert added.status_code == 201
    assert added.json()["rule"] == {
        **rule,
        "times": 1,
        "rate": 1.0,
        "message": "Operation not available.",
        "fired": 0,
    }
    refused = api.delete(f"/v1/vpn/{vpn_id}")
    assert (refused.status_code, refused.json()["code"]) == (409, "OperationDenied")
    assert [r["fired"] for r in control.get("/faults").json()["rules"]] == [1]
    assert api.delete(f"/v1/vpn/{vpn_id}").status_code == 200


def test_delete_faults_removes_every_rule(api: httpx.Client, control: httpx.Client) -> None:
    assert control.post("/faults", json={"kind": "error", "status": 503}).status_code == 201
    assert api.get("/v1/vpn", params={"vpcId": VPC}).status_code == 503
    assert control.delete("/faults").status_code == 204
    assert control.get("/faults").json() == {"rules": []}
    assert api.get("/v1/vpn", params={"vpcId": VPC}).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "explode"}, "unknown fault kind 'explode'"),
        ({"kind": "error", "status": 200}, "an error fault's status is a 4xx or 5xx code"),
        ({"kind": "error", "colour": "red"}, "unknown field 'colour'"),
        ({"kind": "error", "status": "409"}, "status must be an integer"),
        ({"kind": "error", "rate": True}, "rate must be a number"),
        ({"kind": "error", "op": "createVpn"}, "unknown operation 'createVpn'"),
        ({"op": "get_vpn"}, "kind is required"),
        (["error"], "the body must be a JSON object"),
    ],
)
def test_a_bad_fault_is_a_400_that_says_why(
    control: httpx.Client, body: object, message: str
) -> None:
    response = control.post("/faults", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequest"
    assert message in response.json()["message"]
    assert control.get("/faults").json() == {"rules": []}


def test_broken_json_is_a_400(control: httpx.Client) -> None:
    response = control.post(
        "/faults", content=b"{kind", headers={"content-type": "application/json"}
    )
    body = response.json()
    assert (response.status_code, body["code"]) == (400, "MalformedJSON")
    assert body["message"] == "The request body is not valid JSON."
    assert body["requestId"] == response.headers["x-bce-request-id"]


def test_requests_is_the_log_with_secrets_redacted(
    api: httpx.Client, control: httpx.Client, server: EmulatorServer
) -> None:
    vpn_id = _gateway(api)
    api.post(f"/v1/vpn/{vpn_id}/vpnconn", json=tunnel_body())
    response = control.get("/requests")
    assert response.status_code == 200
    logged = response.json()["requests"]
    assert [entry["operation"] for entry in logged] == ["create_vpn", "create_vpn_conn"]
    assert logged[1]["body"]["secretKey"] == "***"
    assert logged[1]["path"] == f"/v1/vpn/{vpn_id}/vpnconn"
    assert logged[1]["status"] == 200
    assert logged[0]["request_id"] == server.emulator.requests[0].request_id
    assert all("authorization" not in entry["headers"] for entry in logged)
    for secret in (EMULATOR_PSK, server.credentials.secret_access_key, "bce-auth-v1"):
        assert secret not in response.text


def test_the_security_token_header_is_not_in_the_log(
    control: httpx.Client, server: EmulatorServer
) -> None:
    with httpx.Client(base_url=server.endpoint, timeout=TIMEOUT, verify=TLS) as plain:
        plain.get("/v1/vpn", headers={"x-bce-security-token": "sts-token-to-hide"})
    response = control.get("/requests")
    assert len(response.json()["requests"]) == 1
    assert "sts-token-to-hide" not in response.text


def test_reset_forgets_state_faults_log_and_tokens(
    api: httpx.Client, control: httpx.Client
) -> None:
    first = api.post("/v1/vpn?clientToken=tok-1", json=GATEWAY).json()["vpnId"]
    control.post("/faults", json={"kind": "latency", "op": "get_vpn", "seconds": 0})
    assert control.post("/reset").status_code == 204
    state = control.get("/state").json()
    assert state == {"gateways": {}, "tunnels": {}, "sslServers": {}, "sslUsers": {}}
    assert control.get("/faults").json() == {"rules": []}
    assert control.get("/requests").json() == {"requests": []}
    # The token is forgotten too: the same request makes a new gateway, not a replay.
    again = api.post("/v1/vpn?clientToken=tok-1", json=GATEWAY).json()["vpnId"]
    assert again != first
    assert list(control.get("/state").json()["gateways"]) == [again]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nothing", 404, "NoSuchPath"),
        ("POST", "/state", 405, "MethodNotAllowed"),
        ("GET", "/reset", 405, "MethodNotAllowed"),
    ],
)
def test_unknown_control_paths_and_methods_are_refused(
    control: httpx.Client, method: str, path: str, status: int, code: str
) -> None:
    response = control.request(method, path)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_without_control_the_prefix_is_an_unsigned_api_path() -> None:
    with (
        EmulatorServer(VpnEmulator()) as server,
        httpx.Client(base_url=server.endpoint, timeout=TIMEOUT, verify=TLS) as plain,
    ):
        control = plain.get("/_emulator/state")
        unknown = plain.get("/v1/nothing")
        assert control.status_code == unknown.status_code
        assert control.json()["code"] == unknown.json()["code"]
        assert control.status_code >= 400
        assert server.emulator.requests[0].path == "/_emulator/state"


def _strict(text: str) -> object:
    """JSON as Go's and Java's parsers read it: no NaN or Infinity (RFC 8259)."""

    def refuse(token: str) -> object:
        raise ValueError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _refused(response: httpx.Response) -> tuple[int, str, str]:
    body = _strict(response.text)
    assert isinstance(body, dict)
    assert body["requestId"] == response.headers["x-bce-request-id"]
    return response.status_code, body["code"], body["message"]


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "MalformedJSON", "nests deeper than"),
        (b'{"kind": "latency", "seconds": 1e999}', "MalformedJSON", "out of range"),
        (b'{"kind": "throttle", "retry_after": 1e999}', "MalformedJSON", "out of range"),
        (b'{"kind": "latency", "seconds": NaN}', "MalformedJSON", "NaN"),
        (b'{"kind": "error", "message": "\\u0000\\ud800"}', "MalformedJSON", "lone surrogate"),
        (b'{"kind": "error", "code": "\\udfff"}', "MalformedJSON", "lone surrogate"),
        (b'{"kind": "error", "status": 4' + b"0" * 5000 + b"}", "MalformedJSON", "body"),
        (b"\xff\xfe", "InvalidHTTPRequest", "not UTF-8"),
    ],
    ids=["nested", "seconds-inf", "retry-after-inf", "nan", "surrogate", "code", "digits", "utf8"],
)
def test_a_body_json_cannot_carry_is_refused_in_the_bce_shape(
    control: httpx.Client, body: bytes, code: str, message: str
) -> None:
    response = control.post("/faults", content=body)
    status, got_code, got_message = _refused(response)
    assert (status, got_code) == (400, code)
    assert message in got_message
    assert control.get("/faults").json() == {"rules": []}


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"kind": "latency", "seconds": 1e300}, "seconds"),
        ({"kind": "latency", "seconds": -1}, "seconds"),
        ({"kind": "stall", "seconds": 86401}, "seconds"),
        ({"kind": "throttle", "retry_after": 1e20}, "retry_after"),
        ({"kind": "error", "rate": 1.5}, "rate"),
        ({"kind": "error", "rate": 10**20}, "rate"),
        ({"kind": "error", "times": 0}, "times"),
        ({"kind": "error", "times": 10**12}, "times"),
        ({"kind": "error", "times": 1.5}, "times"),
        ({"kind": "error", "status": 600}, "status"),
        ({"kind": "error", "code": ""}, "code"),
        ({"kind": "error", "code": "C" * 129}, "code"),
        ({"kind": "error", "message": "m" * 1025}, "message"),
        ({"kind": "throttle", "status": 503}, "status"),
        ({"kind": "drop_before", "seconds": 1}, "seconds"),
        ({"kind": "latency", "retry_after": 1}, "retry_after"),
        ({"kind": "error", "op": 7}, "op"),
        ({"kind": 7}, "kind"),
    ],
)
def test_every_fault_field_is_checked_and_named(
    control: httpx.Client, rule: dict[str, object], field: str
) -> None:
    status, code, message = _refused(control.post("/faults", json=rule))
    assert (status, code) == (400, "BadRequest")
    assert field in message
    assert control.get("/faults").json() == {"rules": []}


def test_each_rule_shows_only_the_fields_its_kind_uses(control: httpx.Client) -> None:
    rules = [
        {"kind": "throttle", "retry_after": 2},
        {"kind": "drop_before", "op": "get_vpn"},
        {"kind": "latency", "seconds": 0.5, "times": 3},
        {"kind": "mix", "rate": 0.1},
    ]
    for rule in rules:
        assert control.post("/faults", json=rule).status_code == 201
    listed = control.get("/faults").json()["rules"]
    common = {"op": None, "rate": 1.0, "times": None, "fired": 0}
    assert listed == [
        {**common, "kind": "throttle", "retry_after": 2},
        {**common, "kind": "drop_before", "op": "get_vpn"},
        {**common, "kind": "latency", "seconds": 0.5, "times": 3},
        {**common, "kind": "mix", "rate": 0.1, "retry_after": 1.0},
    ]


@pytest.mark.parametrize(
    "body",
    [
        b'{"vpcId": "v", "vpnName": NaN, "billing": {"paymentTiming": "Postpaid"}}',
        b'{"vpcId": "v", "vpnName": Infinity}',
        b'{"vpcId": "v", "size": 1e999}',
        b'{"vpcId": "\\ud800"}',
        b"\xff" * 10,
    ],
    ids=["nan", "infinity", "huge", "surrogate", "bytes"],
)
def test_the_request_log_stays_strict_json_whatever_a_request_carried(
    api: httpx.Client, control: httpx.Client, body: bytes
) -> None:
    api.post("/v1/vpn", content=body, headers={"content-type": "application/json"})
    response = control.get("/requests")
    assert response.status_code == 200
    logged = _strict(response.text)
    assert isinstance(logged, dict)
    (entry,) = logged["requests"]
    assert (entry["body"], entry["body_size"]) == (None, len(body))
