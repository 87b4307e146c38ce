"""The user's network on both transports: proxies from the environment or the config, as
httpx's own transport uses them, and TLS verified by the environment's or the config's CAs.

Everything stays on loopback. The service's name, ``vpn.invalid``, resolves nowhere: only
the recording proxy knows it (it forwards port 80 to the emulator served on loopback and
tunnels port 443 to a TLS front of it), so a call that reaches the emulator by that name
went through the proxy. Calls meant to go direct use ``127.0.0.1``. The certificates come
from ``trustme``: a CA of the test's own, never trusted by default.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import trustme
from loopback import serving
from secrets_registry import PROXY_PASSWORD

from bce_vpn_async import (
    AsyncVpnClient,
    BceTransportError,
    BceValidationError,
    ClientConfig,
    Credentials,
    VpnPage,
)
from bce_vpn_async.testing import VpnEmulator

TRANSPORTS = ["aiohttp", "httpx"]
NAME = "vpn.invalid"
PROXY_USER = "proxy-user"
PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    await asyncio.gather(_pipe(client[0], upstream[1]), _pipe(upstream[0], client[1]))


class RecordingProxy:
    """An HTTP proxy on loopback that records each request line it is sent: absolute-form
    requests are forwarded (one per connection), ``CONNECT`` is tunnelled. ``routes`` map
    ``host:port`` to a loopback port; ``127.0.0.1`` goes where it says."""

    def __init__(self, routes: dict[str, int], credentials: tuple[str, str] | None) -> None:
        self.routes = routes
        self.lines: list[str] = []
        self.url = ""
        self._authorization = None
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            self._authorization = f"Basic {token}"

    def _port(self, authority: str) -> int | None:
        host, _, port = authority.rpartition(":")
        if authority in self.routes:
            return self.routes[authority]
        return int(port) if host == "127.0.0.1" else None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            writer.close()
            return
        first, *lines = head.decode("latin-1").split("\r\n")
        self.lines.append(first)
        headers = [line for line in lines if line]
        given = [
            v.strip()
            for h, _, v in (x.partition(":") for x in headers)
            if h.lower() == "proxy-authorization"
        ]
        if self._authorization is not None and given != [self._authorization]:
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                b"Connection: close\r\n\r\n"
            )
            await writer.drain()
            writer.close()
            return
        method, target, version = first.split(" ")
        if method == "CONNECT":
            port = self._port(target)
            assert port is not None, target
            upstream = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), upstream)
            return
        url = httpx.URL(target)
        port = self._port(f"{url.host}:{url.port or 80}")
        assert port is not None, target
        kept = [
            line
            for line in headers
            if line.split(":")[0].lower() not in ("proxy-authorization", "connection")
        ]
        length = next(
            (int(line.split(":")[1]) for line in kept if line.lower().startswith("content-length")),
            0,
        )
        body = await reader.readexactly(length)
        origin = url.raw_path.decode("ascii")
        rewritten = "\r\n".join(
            [f"{method} {origin} {version}", *kept, "Connection: close", "", ""]
        )
        upstream = await asyncio.open_connection("127.0.0.1", port)
        upstream[1].write(rewritten.encode("latin-1") + body)
        await upstream[1].drain()
        await _pipe(upstream[0], writer)
        upstream[1].close()


@asynccontextmanager
async def recording_proxy(
    routes: dict[str, int], credentials: tuple[str, str] | None = None
) -> AsyncIterator[RecordingProxy]:
    proxy = RecordingProxy(routes, credentials)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield proxy
    finally:
        server.close()
        await server.wait_closed()


class TlsFront:
    """TLS on loopback in front of a plain port; counts the connections it is offered
    (handshakes that fail included)."""

    def __init__(self, context: ssl.SSLContext, upstream: int) -> None:
        self.context = context
        self.upstream = upstream
        self.connections = 0
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await writer.start_tls(self.context)
        except (OSError, ssl.SSLError):
            writer.close()
            return
        upstream = await asyncio.open_connection("127.0.0.1", self.upstream)
        await _splice((reader, writer), upstream)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the proxy variables it means, and no other (either case)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@asynccontextmanager
async def emulator_behind_tls(ca: trustme.CA) -> AsyncIterator[tuple[VpnEmulator, int, TlsFront]]:
    """The emulator served on loopback: its plain port, and a TLS front for it whose
    certificate (from ``ca``) names vpn.invalid and 127.0.0.1."""
    emulator = VpnEmulator()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME, "127.0.0.1").configure_cert(context)
    async with serving(emulator) as endpoint:
        plain = httpx.URL(endpoint).port
        assert plain is not None
        front = TlsFront(context, plain)
        server = await asyncio.start_server(front.handle, "127.0.0.1", 0)
        front.port = server.sockets[0].getsockname()[1]
        try:
            yield emulator, plain, front
        finally:
            server.close()
            await server.wait_closed()


async def list_once(emulator: VpnEmulator, endpoint: str, config: ClientConfig) -> VpnPage:
    async with AsyncVpnClient(
        credentials=emulator.credentials, endpoint=endpoint, config=config
    ) as client:
        return await client.list_vpns("vpc-1")


# -- proxies from the environment ----------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_http_endpoint_goes_through_http_proxy_as_an_absolute_form_get(
    transport: str, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        emulator_behind_tls(ca) as (emulator, plain, _),
        recording_proxy({f"{NAME}:80": plain}) as proxy,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        page = await list_once(emulator, f"http://{NAME}", ClientConfig(transport=transport))
    assert page.vpns == ()
    assert len(proxy.lines) == 1
    assert proxy.lines[0].startswith(f"GET http://{NAME}/v1/vpn?")
    assert proxy.lines[0].endswith(" HTTP/1.1")


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_https_endpoint_goes_through_the_proxy_in_a_connect_tunnel(
    transport: str, variable: str, ca: trustme.CA, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        emulator_behind_tls(ca) as (emulator, _, front),
        recording_proxy({f"{NAME}:443": front.port}) as proxy,
    ):
        monkeypatch.setenv(variable, proxy.url)
        config = ClientConfig(transport=transport, verify=ca_file)
        page = await list_once(emulator, f"https://{NAME}", config)
    assert page.vpns == ()
    assert proxy.lines == [f"CONNECT {NAME}:443 HTTP/1.1"]


@pytest.mark.parametrize(
    "no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*", "example.com, 127.0.0.1"]
)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_no_proxy_exempts_loopback(
    transport: str, no_proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = VpnEmulator()
    async with serving(emulator) as endpoint, recording_proxy({}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", no_proxy)
        await list_once(emulator, endpoint, ClientConfig(transport=transport))
    assert proxy.lines == []


@pytest.mark.parametrize("no_proxy", ["pn.invalid", "other.invalid", "vpn.invalid:1", "*.invalid"])
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_no_proxy_exempts_a_name_only_as_httpx_matches_it(
    transport: str, no_proxy: str, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx's rules: an entry exempts that name and its subdomains ("invalid" exempts
    # "vpn.invalid"), never a name it is a mere suffix of, another port, or a glob. These
    # go through the proxy (a direct call to vpn.invalid would need a name lookup; the
    # exempting side is shown on loopback above).
    async with (
        emulator_behind_tls(ca) as (emulator, plain, _),
        recording_proxy({f"{NAME}:80": plain}) as proxy,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", no_proxy)
        await list_once(emulator, f"http://{NAME}", ClientConfig(transport=transport))
    assert len(proxy.lines) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_trust_env_false_goes_direct(transport: str, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator = VpnEmulator()
    async with serving(emulator) as endpoint, recording_proxy({}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        await list_once(emulator, endpoint, ClientConfig(transport=transport))
        assert len(proxy.lines) == 1  # the environment is read by default...
        await list_once(emulator, endpoint, ClientConfig(transport=transport, trust_env=False))
    assert len(proxy.lines) == 1  # ...and not with trust_env=False


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_explicit_proxy_takes_every_request_whatever_the_environment_says(
    transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = VpnEmulator()
    async with serving(emulator) as endpoint, recording_proxy({}) as proxy:
        monkeypatch.setenv("NO_PROXY", "*")
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
        await list_once(emulator, endpoint, ClientConfig(transport=transport, proxy=proxy.url))
        await list_once(
            emulator, endpoint, ClientConfig(transport=transport, proxy=httpx.Proxy(proxy.url))
        )
    assert len(proxy.lines) == 2
    assert all(line.startswith(f"GET {endpoint}/v1/vpn?") for line in proxy.lines)


# -- proxy credentials ---------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_proxy_credentials_are_sent_and_a_refusal_is_one_typed_attempt(
    transport: str, scheme: str, ca: trustme.CA, ca_file: str
) -> None:
    async with emulator_behind_tls(ca) as (emulator, plain, front):
        routes = {f"{NAME}:80": plain, f"{NAME}:443": front.port}
        async with recording_proxy(routes, credentials=(PROXY_USER, PROXY_PASSWORD)) as proxy:
            authority = proxy.url.removeprefix("http://")
            good = f"http://{PROXY_USER}:{PROXY_PASSWORD}@{authority}"
            config = ClientConfig(transport=transport, proxy=good, verify=ca_file)
            assert PROXY_PASSWORD not in repr(config)
            await list_once(emulator, f"{scheme}://{NAME}", config)
            assert len(proxy.lines) == 1

            bad = ClientConfig(
                transport=transport, proxy=f"http://{PROXY_USER}:wrong-pass@{authority}"
            )
            with pytest.raises(BceTransportError, match="407") as info:
                await list_once(emulator, f"{scheme}://{NAME}", bad)
    assert "after 1 attempt(s)" in str(info.value)
    assert len(proxy.lines) == 2  # refused once, not retried
    assert "wrong-pass" not in str(info.value)
    assert "wrong-pass" not in repr(bad)


# -- TLS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_certificate_that_fails_verification_fails_once_typed_and_verify_fixes_it(
    transport: str, ca: trustme.CA, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with emulator_behind_tls(ca) as (emulator, _, front):
        endpoint = f"https://127.0.0.1:{front.port}"
        with pytest.raises(BceTransportError, match="certificate did not verify") as info:
            await list_once(emulator, endpoint, ClientConfig(transport=transport))
        assert "after 1 attempt(s)" in str(info.value)
        assert front.connections == 1  # not retried

        for verify in (ca_file, Path(ca_file), ssl.create_default_context(cafile=ca_file)):
            config = ClientConfig(transport=transport, verify=verify)
            assert (await list_once(emulator, endpoint, config)).vpns == ()

        # The environment's CA bundle, unless the environment is not to be trusted.
        monkeypatch.setenv("SSL_CERT_FILE", ca_file)
        await list_once(emulator, endpoint, ClientConfig(transport=transport))
        with pytest.raises(BceTransportError, match="certificate"):
            await list_once(emulator, endpoint, ClientConfig(transport=transport, trust_env=False))

        # verify=False checks nothing.
        await list_once(emulator, endpoint, ClientConfig(transport=transport, verify=False))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_tls_to_a_plain_http_port_fails_once_saying_so(transport: str) -> None:
    emulator = VpnEmulator()
    async with serving(emulator) as endpoint:
        https = endpoint.replace("http://", "https://")
        with pytest.raises(BceTransportError, match="TLS") as info:
            await list_once(emulator, https, ClientConfig(transport=transport))
    assert "after 1 attempt(s)" in str(info.value)


def test_a_bad_verify_or_proxy_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="verify"):
        ClientConfig(verify=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="proxy") as info:
        ClientConfig(proxy=f"ftp://user:{PROXY_PASSWORD}@proxy:21")
    assert PROXY_PASSWORD not in str(info.value)
    with pytest.raises(ValueError, match="verify"):
        AsyncVpnClient(
            endpoint="https://vpn.invalid",
            config=ClientConfig(verify=str(tmp_path / "missing.pem")),
        )


def test_a_socks_proxy_on_the_aiohttp_transport_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # aiohttp speaks to http(s) proxies only; httpx's transport with httpx[socks] does SOCKS.
    monkeypatch.setenv("ALL_PROXY", f"socks5://user:{PROXY_PASSWORD}@127.0.0.1:1080")
    with pytest.raises(BceValidationError, match=r"ALL_PROXY.*transport='httpx'") as info:
        AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint=f"https://{NAME}")
    assert PROXY_PASSWORD not in str(info.value)
    monkeypatch.delenv("ALL_PROXY")
    with pytest.raises(BceValidationError, match="proxy"):
        AsyncVpnClient(
            credentials=Credentials("ak", "sk"),
            endpoint=f"https://{NAME}",
            config=ClientConfig(proxy="socks5://127.0.0.1:1080"),
        )
