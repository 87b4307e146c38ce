"""Fuzz: a raw loopback server answers random mutations of a valid HTTP response (status
line, headers, framing and chunking, truncation, garbage, early close). On both
transports, retries on and off, every outcome is a result or a ``BceError``."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loopback import raw_server
from shared_tls import TLS

from bce_vpn_async import (
    AsyncVpnClient,
    BceError,
    ClientConfig,
    Credentials,
    RetryPolicy,
    Vpn,
)
from bce_vpn_async.testing import FakeClock

BODY = b'{"vpnId": "vpn-1", "status": "active"}'

STATUS_LINES = st.sampled_from(
    [
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 503 Service Unavailable",
        b"HTTP/1.0 200 OK",
        b"HTTP/1.1 999 Odd",
        b"HTTP/1.1 OK",
        b"HTTP/2 200",
        b"SSH-2.0-OpenSSH_9.6",
        b"",
    ]
) | st.binary(max_size=30)
HEADER_NAMES = st.sampled_from(
    [b"Content-Type", b"x-bce-request-id", b"Content-Encoding", b"Set-Cookie", b"Server"]
) | st.binary(max_size=12)
HEADER_VALUES = st.sampled_from(
    [b"application/json", b"gzip", b"deflate", b"br", b"r-1", b"x" * 20_000]
) | st.binary(max_size=30)
FRAMINGS = st.sampled_from(["length", "too-long", "too-short", "chunked", "bad-chunks", "none"])
BODIES = st.sampled_from([BODY, b"", b"<html>502</html>", b'{"vpnId": 1}', b"\xff\xfe"]) | (
    st.binary(max_size=60)
)


def frame(body: bytes, framing: str, sizes: list[int]) -> tuple[list[bytes], bytes]:
    if framing == "length":
        return [b"Content-Length: %d" % len(body)], body
    if framing == "too-long":
        return [b"Content-Length: %d" % (len(body) + 10)], body
    if framing == "too-short":
        return [b"Content-Length: %d" % max(0, len(body) - 3)], body
    if framing in ("chunked", "bad-chunks"):
        chunks, rest = [], body
        for size in [*sizes, len(body)]:
            piece, rest = rest[:size], rest[size:]
            if piece:
                head = b"%x" % len(piece) if framing == "chunked" else b"%d;" % (len(piece) + 1)
                chunks.append(head + b"\r\n" + piece + b"\r\n")
        return [b"Transfer-Encoding: chunked"], b"".join(chunks) + b"0\r\n\r\n"
    return [], body


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    status = draw(STATUS_LINES)
    headers = [
        name + b": " + value
        for name, value in draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=3))
    ]
    framing_headers, body = frame(
        draw(BODIES), draw(FRAMINGS), draw(st.lists(st.integers(1, 20), max_size=3))
    )
    answer = b"\r\n".join([status, *framing_headers, *headers]) + b"\r\n\r\n" + body
    garbage = draw(
        st.none() | st.tuples(st.integers(0, len(answer)), st.binary(min_size=1, max_size=20))
    )
    if garbage is not None:
        at, junk = garbage
        answer = answer[:at] + junk + answer[at:]
    cut = draw(st.none() | st.integers(0, len(answer)))  # the server hangs up early
    return answer if cut is None else answer[:cut]


async def one_call(answer: bytes, transport: str, retries: bool) -> object:
    retry = RetryPolicy(max_attempts=2, initial_delay=0.0) if retries else None
    config = ClientConfig(
        transport=transport,  # type: ignore[arg-type]
        retry=retry,
        clock=FakeClock(),
        timeout=5.0,
        verify=TLS,
    )
    async with (
        raw_server(answer) as server,
        AsyncVpnClient(
            credentials=Credentials("ak", "sk"), endpoint=server.endpoint, config=config
        ) as client,
    ):
        try:
            return await client.get_vpn("vpn-1")
        except BceError as exc:
            return exc


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
@pytest.mark.parametrize("retries", [True, False], ids=["retries", "no-retries"])
@settings(
    derandomize=True,
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(answer=answers())
def test_every_mutated_answer_gives_a_result_or_a_bce_error(
    transport: str, retries: bool, answer: bytes
) -> None:
    outcome = asyncio.run(one_call(answer, transport, retries))
    assert isinstance(outcome, Vpn | BceError), repr(outcome)
    assert "xxxx" not in str(outcome)
