"""Helpers for the emulator's tests: raw requests signed by the SDK's own signer."""

from __future__ import annotations

import socket
import time
from collections.abc import Generator
from typing import Any, NamedTuple

import httpx
from secrets_registry import EMULATOR_PSK

from bce_vpn_async import BceV1Signer, Clock, Credentials
from bce_vpn_async.testing import VpnEmulator

BASE_URL = "http://bcc.bj.baidubce.com"
VPC = "vpc-test1"
PSK = EMULATOR_PSK


class SignWith(httpx.Auth):
    """Sign each request on the way out, as the SDK's signing middleware does."""

    def __init__(
        self,
        credentials: Credentials,
        clock: Clock,
        signer: BceV1Signer | None = None,
        offset: float = 0.0,
    ) -> None:
        self.credentials = credentials
        self.clock = clock
        self.signer = signer or BceV1Signer()
        self.offset = offset

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.signer.sign(request, self.credentials, self.clock.time() + self.offset)
        yield request


def tunnel_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "secretKey": PSK,
        "localSubnets": ["192.168.0.0/20"],
        "remoteIp": "10.107.245.188",
        "remoteSubnets": ["192.168.100.0/24"],
        "vpnConnName": "tunnel1",
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
            "ipsecLifetime": 28800,
        },
    }
    body.update(changes)
    return body


async def create_gateway(
    http: httpx.AsyncClient, emulator: VpnEmulator, *, ready: bool = True, **changes: Any
) -> str:
    """A gateway (idle when ``ready``); returns its id."""
    body: dict[str, Any] = {
        "vpcId": VPC,
        "vpnName": "gw1",
        "billing": {"paymentTiming": "Postpaid"},
    }
    body.update(changes)
    response = await http.post("/v1/vpn", json=body)
    assert response.status_code == 200, response.text
    if ready:
        emulator.advance(1.0)
    return str(response.json()["vpnId"])


async def create_ssl_gateway(http: httpx.AsyncClient, emulator: VpnEmulator) -> str:
    vpn_id = await create_gateway(http, emulator, type="SSL", vpnName="ssl1")
    response = await http.post(
        f"/v1/vpn/{vpn_id}/sslVpnServer",
        json={
            "sslVpnServerName": "srv1",
            "localSubnets": ["192.168.0.0/24"],
            "remoteSubnet": "172.168.0.0/16",
        },
    )
    assert response.status_code == 200, response.text
    emulator.advance(1.0)
    return vpn_id


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["code"])


def signed_bytes(
    endpoint: str,
    credentials: Credentials,
    method: str,
    target: str,
    *,
    json: Any = None,
    chunks: list[bytes] | None = None,
) -> bytes:
    """A request signed by the SDK's signer, as bytes for a raw socket: a JSON body framed
    by Content-Length, or ``chunks`` sent with ``Transfer-Encoding: chunked``."""
    content = None if chunks is None else iter(chunks)
    request = httpx.Request(method, endpoint + target, json=json, content=content)
    BceV1Signer().sign(request, credentials, time.time())
    head = f"{method} {request.url.raw_path.decode()} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    if chunks is None:
        body = request.content
    else:
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    return head.encode("latin-1") + b"\r\n" + body


class RawAnswer(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


class RawConnection:
    """A plain socket to a served emulator: bytes out, answers read by their framing."""

    def __init__(self, endpoint: str, timeout: float = 10.0) -> None:
        host, port = endpoint.removeprefix("http://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self._buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self._buffer += chunk
        return bool(chunk)

    def answer(self, *, head: bool = False) -> RawAnswer:
        """The next answer; ``EOFError`` if the connection closes first (nothing partial
        is dropped: ``received`` keeps it)."""
        while b"\r\n\r\n" not in self._buffer:
            if not self._fill():
                raise EOFError(self._buffer)
        raw_head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split(" ")[1])
        length = 0 if head or status in (100, 204) else int(headers.get("content-length", 0))
        while len(self._buffer) < length:
            if not self._fill():
                raise EOFError(self._buffer)
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return RawAnswer(status, headers, body)

    def closed(self) -> bool:
        """Whether the server closes the connection (within the timeout), nothing sent."""
        try:
            return not self._fill() and not self._buffer
        except TimeoutError:
            return False

    def received(self, wait: float) -> bytes:
        """Everything that arrives within ``wait`` seconds or until the server closes."""
        self.sock.settimeout(wait)
        try:
            while self._fill():
                pass
        except TimeoutError:
            pass
        received, self._buffer = self._buffer, b""
        return received

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
