"""The served emulator as an HTTP/1.1 server, met byte by byte over a raw socket: keep-alive,
pipelining, the ways a body is framed, HEAD, odd methods, and what is too long or not HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_helpers import RawAnswer, RawConnection, signed_bytes

from bce_vpn_async.testing import EmulatorServer, VpnEmulator

GATEWAY = {"vpcId": "vpc-http", "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}
LIST = b"GET /v1/vpn?vpcId=vpc-http HTTP/1.1\r\nHost: emulator\r\n\r\n"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(VpnEmulator(build_seconds=0, configure_seconds=0)) as server:
        yield server


@pytest.fixture
def raw(server: EmulatorServer) -> Iterator[RawConnection]:
    with RawConnection(server.endpoint) as raw:
        yield raw


def _bce_error(answer: RawAnswer) -> str:
    """The code of an answer in the service's error shape (and checks that shape)."""
    body = json.loads(answer.body)
    assert set(body) == {"code", "message", "requestId"}
    assert body["requestId"] == answer.headers["x-bce-request-id"]
    assert 400 <= answer.status < 500
    return str(body["code"])


def test_a_kept_alive_connection_answers_request_after_request(
    server: EmulatorServer, raw: RawConnection
) -> None:
    for _ in range(3):
        raw.send(signed_bytes(server.endpoint, server.credentials, "POST", "/v1/vpn", json=GATEWAY))
        assert raw.answer().status == 200
    assert len(server.emulator.state.gateways) == 3


def test_pipelined_requests_are_answered_in_order(
    server: EmulatorServer, raw: RawConnection
) -> None:
    create = signed_bytes(server.endpoint, server.credentials, "POST", "/v1/vpn", json=GATEWAY)
    raw.send(create + LIST + create)
    answers = [raw.answer() for _ in range(3)]
    assert [answer.status for answer in answers] == [200, 400, 200]
    logged = [entry.request_id for entry in server.emulator.requests]
    assert [answer.headers["x-bce-request-id"] for answer in answers] == logged


def test_a_chunked_body_is_read_whole(server: EmulatorServer, raw: RawConnection) -> None:
    text = json.dumps(GATEWAY).encode()
    chunks = [text[:10], text[10:25], text[25:]]
    request = signed_bytes(server.endpoint, server.credentials, "POST", "/v1/vpn", chunks=chunks)
    assert b"transfer-encoding: chunked\r\n" in request
    raw.send(request)
    vpn_id = json.loads(raw.answer().body)["vpnId"]
    assert server.emulator.state.gateways[vpn_id].vpn_name == "gw1"


def test_expect_100_continue_is_met_before_the_body(
    server: EmulatorServer, raw: RawConnection
) -> None:
    request = signed_bytes(server.endpoint, server.credentials, "POST", "/v1/vpn", json=GATEWAY)
    head, _, body = request.partition(b"\r\n\r\n")
    raw.send(head + b"\r\nexpect: 100-continue\r\n\r\n")
    assert raw.answer().status == 100
    raw.send(body)
    assert raw.answer().status == 200


def test_head_is_answered_with_the_headers_alone(raw: RawConnection) -> None:
    raw.send(LIST.replace(b"GET", b"HEAD"))
    answer = raw.answer(head=True)
    assert answer.status == 400
    assert int(answer.headers["content-length"]) > 0
    assert answer.headers["x-bce-request-id"]
    # No body followed: the next answer on the connection starts right away.
    raw.send(LIST)
    assert _bce_error(raw.answer()) == "InvalidHTTPAuthHeader"


@pytest.mark.parametrize("method", [b"PATCH", b"OPTIONS", b"DELETE"])
def test_any_method_gets_an_answer_in_the_bce_shape(raw: RawConnection, method: bytes) -> None:
    raw.send(LIST.replace(b"GET", method))
    assert _bce_error(raw.answer())


def test_http_1_0_is_answered_and_the_connection_closed(raw: RawConnection) -> None:
    raw.send(b"GET /v1/vpn HTTP/1.0\r\n\r\n")
    answer = raw.answer()
    assert _bce_error(answer)
    assert answer.headers["connection"] == "close"
    assert raw.closed()


def test_connection_close_is_honoured(raw: RawConnection) -> None:
    raw.send(LIST.replace(b"Host: emulator\r\n", b"Host: emulator\r\nConnection: close\r\n"))
    assert _bce_error(raw.answer())
    assert raw.closed()


@pytest.mark.parametrize(
    "data",
    [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello
        b"GET /v1/vpn HTTP/1.1\r\nHost: a\r\nbad header\r\n\r\n",
        b"GET /v1/vpn HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"GET /v1/vpn HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST /v1/vpn HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /v1/vpn HTTP/1.1\r\n" + b"x-long: " + b"a" * 70_000 + b"\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
        b"GET /v1/vpn HTTP/1.1\nHost: a\n\n",
        b"GET /v1/vpn HTTP/1.1\r\nHost: a\r\nx-a: b\r\n folded\r\n\r\n",
        b"POST /v1/vpn HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"BREW /v1/vpn HTTP/1.1\r\nHost: a\r\n\r\n",
    ],
    ids=[
        "tls",
        "no-colon",
        "two-lengths",
        "unknown-coding",
        "bad-chunk",
        "long-header",
        "long-uri",
        "bare-lf",
        "folded",
        "length-and-chunked",
        "unknown-method",
    ],
)
def test_what_is_not_http_or_too_long_is_a_400_in_the_bce_shape_then_closed(
    server: EmulatorServer, raw: RawConnection, data: bytes
) -> None:
    raw.send(data)
    answer = raw.answer()
    assert _bce_error(answer) == "InvalidHTTPRequest"
    assert answer.headers["connection"] == "close"
    assert raw.closed()
    assert len(server.emulator.requests) == 0


def test_a_body_declared_past_the_limit_is_a_413_before_it_is_sent(
    server: EmulatorServer, raw: RawConnection
) -> None:
    raw.send(
        b"POST /v1/vpn HTTP/1.1\r\nHost: e\r\nContent-Length: 16777217\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    answer = raw.answer()
    assert (answer.status, _bce_error(answer)) == (413, "LimitExceeded")
    assert raw.closed()


def test_a_chunked_body_past_the_limit_is_a_413_the_client_reads(raw: RawConnection) -> None:
    raw.send(b"POST /v1/vpn HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (1 << 20, b"a" * (1 << 20))
    for _ in range(17):  # 17 MiB, one past the limit; the server reads on and discards
        raw.send(chunk)
    answer = raw.answer()
    assert (answer.status, _bce_error(answer)) == (413, "LimitExceeded")


def test_a_body_of_a_megabyte_is_read(server: EmulatorServer, raw: RawConnection) -> None:
    body = {**GATEWAY, "padding": "x" * (1 << 20)}  # unknown keys are ignored
    raw.send(signed_bytes(server.endpoint, server.credentials, "POST", "/v1/vpn", json=body))
    assert raw.answer().status == 200
    entry = server.emulator.requests[-1]
    assert entry.body_size > 1 << 20


def test_a_request_the_emulator_fails_on_is_still_answered_in_the_bce_shape(
    server: EmulatorServer, raw: RawConnection
) -> None:
    # Whatever the core makes of it (a refusal, or a failure the server answers for it),
    # the client gets the service's shape with a request id, and the connection serves on.
    nested = b"[" * 100_000
    raw.send(signed_bytes(server.endpoint, server.credentials, "POST", "/v1/vpn", chunks=[nested]))
    answer = raw.answer()
    body = json.loads(answer.body)
    assert set(body) == {"code", "message", "requestId"}
    assert body["requestId"] == answer.headers["x-bce-request-id"]
    raw.send(LIST)
    assert _bce_error(raw.answer()) == "InvalidHTTPAuthHeader"


def test_a_header_that_never_ends_is_refused_as_it_grows(raw: RawConnection) -> None:
    raw.send(b"GET /v1/vpn HTTP/1.1\r\nHost: e\r\nx-endless: ")
    for _ in range(300):  # 1.2 MiB, a little at a time, and never a line end
        raw.send(b"a" * 4096)
    answer = raw.answer()
    assert _bce_error(answer) == "InvalidHTTPRequest"
    assert raw.closed()


def test_a_request_to_switch_protocols_is_answered_then_closed(raw: RawConnection) -> None:
    raw.send(LIST.replace(b"\r\n\r\n", b"\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"))
    assert _bce_error(raw.answer()) == "InvalidHTTPAuthHeader"
    assert raw.closed()


@pytest.mark.skipif(shutil.which("ss") is None, reason="reads the listen queue with ss")
def test_the_listen_queue_holds_a_burst_of_thousands_of_connections(
    server: EmulatorServer,
) -> None:
    # asyncio listens again on the socket it is given, with a queue of 100 unless told:
    # a burst of 5000 connections then waited out SYN retries (up to 47 s).
    port = server.endpoint.rpartition(":")[2]
    listing = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(listing[2]) >= min(4096, _somaxconn())


def _somaxconn() -> int:
    try:
        return int(Path("/proc/sys/net/core/somaxconn").read_text())
    except OSError:
        return 4096
