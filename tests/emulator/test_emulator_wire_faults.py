"""Each fault kind is, on the wire, what its name says, to clients that are not this SDK.

The served emulator (``EmulatorServer``) meets three clients for every kind: a raw socket
(which bytes arrive), the official ``bce-python-sdk`` (what it reports) and httpx's own
transport (which exception); the in-process transport raises what httpx raises over the
socket. After each, the state shows whether the change was applied: under ``drop_after``,
``stall`` and ``latency`` only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.exception import BceHttpClientError
from baidubce.retry.retry_policy import NoRetryPolicy
from baidubce.services.vpn import vpn_model
from baidubce.services.vpn.vpn_client import VpnClient
from emulator_helpers import RawConnection, SignWith, signed_bytes
from shared_tls import TLS

from bce_vpn_async.testing import EmulatorServer, FakeClock, SystemClock, VpnEmulator

# The official SDK opens a connection per request and leaves closing it to the garbage
# collector; that is its habit, not a fault of the emulator.
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

GATEWAY = {"vpcId": "vpc-wire", "vpnName": "before", "billing": {"paymentTiming": "Postpaid"}}
# Long enough that every client here gives up first (their timeouts are at most 1 s).
HELD = 30.0
# (kind, faults.add arguments): every kind but mix, which picks among these.
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("drop_before", {}),
    ("drop_after", {}),
    ("stall", {"seconds": HELD}),
    ("latency", {"seconds": 0.3}),
    ("throttle", {"retry_after": 7}),
    ("error", {"status": 409, "code": "OperationDenied", "message": "held by a test"}),
]
APPLIED = {"drop_after", "stall", "latency"}


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(VpnEmulator(build_seconds=0, configure_seconds=0)) as server:
        yield server


def _gateway(server: EmulatorServer) -> str:
    auth = SignWith(server.credentials, SystemClock())
    response = httpx.post(f"{server.endpoint}/v1/vpn", json=GATEWAY, auth=auth)
    assert response.status_code == 200, response.text
    return str(response.json()["vpnId"])


def _name(server: EmulatorServer, vpn_id: str) -> str:
    return server.emulator.state.gateways[vpn_id].vpn_name


def _rename(server: EmulatorServer, vpn_id: str) -> bytes:
    """A signed ``update_vpn`` renaming the gateway to "after", as bytes on the wire."""
    target = f"/v1/vpn/{vpn_id}?modifyAttribute"
    return signed_bytes(
        server.endpoint, server.credentials, "PUT", target, json={"vpnName": "after"}
    )


# -- a raw socket -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["drop_before", "drop_after"])
def test_a_drop_sends_not_a_byte_and_closes_the_connection(
    server: EmulatorServer, kind: str
) -> None:
    vpn_id = _gateway(server)
    server.emulator.faults.add(kind, op="update_vpn")
    with RawConnection(server.endpoint) as raw:
        raw.send(_rename(server, vpn_id))
        assert raw.closed()
    assert _name(server, vpn_id) == ("after" if kind == "drop_after" else "before")


def test_a_stall_sends_nothing_while_the_client_waits_and_applies_the_change(
    server: EmulatorServer,
) -> None:
    vpn_id = _gateway(server)
    server.emulator.faults.add("stall", op="update_vpn", seconds=HELD)
    with RawConnection(server.endpoint) as raw:
        raw.send(_rename(server, vpn_id))
        assert raw.received(wait=0.5) == b""
    assert _name(server, vpn_id) == "after"


@pytest.mark.parametrize(
    ("kind", "extra", "status", "code"),
    [
        ("throttle", {"retry_after": 7}, 429, "RequestLimitExceeded"),
        ("error", {"status": 409, "code": "OperationDenied"}, 409, "OperationDenied"),
        ("latency", {"seconds": 0.3}, 200, None),
    ],
)
def test_answering_faults_send_a_whole_answer(
    server: EmulatorServer, kind: str, extra: dict[str, Any], status: int, code: str | None
) -> None:
    vpn_id = _gateway(server)
    server.emulator.faults.add(kind, op="update_vpn", **extra)
    started = time.monotonic()
    with RawConnection(server.endpoint) as raw:
        raw.send(_rename(server, vpn_id))
        answer = raw.answer()
    assert answer.status == status
    if code is not None:
        body = json.loads(answer.body)
        assert (body["code"], body["requestId"]) == (code, answer.headers["x-bce-request-id"])
    if kind == "throttle":
        assert answer.headers["retry-after"] == "7"
    if kind == "latency":
        assert time.monotonic() - started >= 0.3
    assert _name(server, vpn_id) == ("after" if kind in APPLIED else "before")


# -- the official SDK -------------------------------------------------------------------


def _official(server: EmulatorServer) -> VpnClient:
    credentials = server.credentials
    config = BceClientConfiguration(
        credentials=BceCredentials(credentials.access_key_id, credentials.secret_access_key),
        endpoint=server.endpoint.removeprefix("http://"),
        retry_policy=NoRetryPolicy(),
        connection_timeout_in_mills=500,
    )
    return VpnClient(config)


@pytest.mark.parametrize(("kind", "extra"), KINDS, ids=[kind for kind, _ in KINDS])
def test_the_official_sdk_reports_each_fault_as_what_it_is(
    server: EmulatorServer, kind: str, extra: dict[str, Any]
) -> None:
    official = _official(server)
    vpn_id = official.create_vpn("vpc-wire", "before", vpn_model.Billing("Postpaid")).vpn_id
    server.emulator.faults.add(kind, op="update_vpn", **extra)
    if kind == "latency":
        official.update_vpn(vpn_id, vpn_name="after")
    else:
        with pytest.raises(BceHttpClientError) as caught:
            official.update_vpn(vpn_id, vpn_name="after")
        error, cause = caught.value, caught.value.last_error
        if kind in ("drop_before", "drop_after"):
            # A connection error (http.client.RemoteDisconnected), as for a lost connection:
            # not an answer it could parse, not a success.
            assert isinstance(cause, ConnectionError), repr(cause)
        elif kind == "stall":
            assert isinstance(cause, TimeoutError), repr(cause)
        else:
            status, code = (
                (429, "RequestLimitExceeded") if kind == "throttle" else (409, "OperationDenied")
            )
            assert (error.status_code, error.code) == (status, code)
    server.emulator.faults.clear()
    expected = "after" if kind in APPLIED else "before"
    assert official.get_vpn(vpn_id).vpn_name == expected


# -- httpx's own transport, and the in-process one ------------------------------------------


def _outcome(send: Any) -> tuple[str, str]:
    try:
        response = send()
    except httpx.TransportError as exc:
        return type(exc).__name__, str(exc)
    return "answer", str(response.status_code)


@pytest.mark.parametrize(("kind", "extra"), KINDS, ids=[kind for kind, _ in KINDS])
async def test_the_in_process_transport_raises_what_httpx_raises_over_the_socket(
    server: EmulatorServer, kind: str, extra: dict[str, Any]
) -> None:
    timeout = httpx.Timeout(1.0)
    over_socket = _gateway(server)
    server.emulator.faults.add(kind, op="update_vpn", **extra)
    auth = SignWith(server.credentials, SystemClock())
    with httpx.Client(base_url=server.endpoint, auth=auth, timeout=timeout, verify=TLS) as http:
        served = _outcome(
            lambda: http.put(f"/v1/vpn/{over_socket}?modifyAttribute", json={"vpnName": "after"})
        )
    assert _name(server, over_socket) == ("after" if kind in APPLIED else "before")

    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, build_seconds=0, configure_seconds=0)
    async with httpx.AsyncClient(
        transport=emulator.transport(),
        base_url="http://emulator.local",
        auth=SignWith(emulator.credentials, clock),
        timeout=timeout,
    ) as http:
        vpn_id = (await http.post("/v1/vpn", json=GATEWAY)).json()["vpnId"]
        emulator.faults.add(kind, op="update_vpn", **extra)
        try:
            response = await http.put(
                f"/v1/vpn/{vpn_id}?modifyAttribute", json={"vpnName": "after"}
            )
            in_process = ("answer", str(response.status_code))
        except httpx.TransportError as exc:
            in_process = (type(exc).__name__, str(exc))
    assert in_process == served
    assert emulator.state.gateways[vpn_id].vpn_name == _name(server, over_socket)
    expected = {
        "drop_before": ("RemoteProtocolError", "Server disconnected without sending a response."),
        "drop_after": ("RemoteProtocolError", "Server disconnected without sending a response."),
        "stall": ("ReadTimeout", "timed out"),
        "latency": ("answer", "200"),
        "throttle": ("answer", "429"),
        "error": ("answer", "409"),
    }
    assert served == expected[kind]
