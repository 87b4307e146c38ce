"""The SDK's own aiohttp transport: an ``httpx`` transport that drives aiohttp directly.

httpx stays the currency users see (``http_client=``, respx, middleware all get
``httpx.Request`` and ``httpx.Response``); only the default client's last step changes.
``httpx_aiohttp.AiohttpTransport`` converts twice per call: it wraps aiohttp's response in
a stream that httpx then reads chunk by chunk through two async generators and a context
manager per chunk. Here the whole body is read with one ``await response.read()`` and the
``httpx.Response`` is built with its content already there, so the one conversion is the
one httpx needs.

It raises aiohttp's own exceptions, not httpx's: ``_transport.send``, the one send path,
turns each into a ``BceError`` (it reads aiohttp's exceptions first anyway). A body that
fails to arrive, or that does not decode as its ``Content-Encoding`` says, still comes
with its status: the failure is raised when ``send`` reads the response, as before.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
from yarl import URL

__all__ = ["AiohttpTransport"]


class _Failed(httpx.AsyncByteStream):
    """A body that could not be read: raises what the read raised, when ``send`` reads it."""

    def __init__(self, error: Exception) -> None:
        self._error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        raise self._error
        yield b""  # pragma: no cover - makes this an async generator


class _Encoded(httpx.AsyncByteStream):
    """A body read whole but still encoded: httpx decodes it (and may fail) when it is read."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` over one ``aiohttp.ClientSession``, made on first use.

    ``ssl`` is the verified context for https (the SDK's ``_network.ssl_context``), or True
    for aiohttp's default where the client never speaks TLS. ``proxy`` sends every request
    through that proxy: absolute-form requests for http, a ``CONNECT`` tunnel for https,
    its credentials as ``Proxy-Authorization``. The session never reads the environment
    (``trust_env=False``): the client picks the transport per request from httpx's mounts.
    """

    def __init__(
        self,
        limits: httpx.Limits,
        *,
        ssl: ssl.SSLContext | bool = True,
        proxy: httpx.Proxy | None = None,
    ) -> None:
        self.limits = limits
        self._ssl = ssl
        self._proxy: URL | None = None
        # For a CONNECT; a plain-http request carries the credentials itself.
        self._proxy_headers: dict[str, str] | None = None
        self._proxy_authorization: list[tuple[str, str]] = []
        if proxy is not None:
            self._proxy = URL(str(proxy.url))
            headers = dict(proxy.headers)
            if proxy.auth is not None:
                # What httpx's own transport sends (aiohttp's BasicAuth is deprecated).
                token = base64.b64encode(":".join(proxy.auth).encode()).decode("ascii")
                headers["Proxy-Authorization"] = f"Basic {token}"
                self._proxy_authorization = [("Proxy-Authorization", f"Basic {token}")]
            self._proxy_headers = headers or None
        # Named as httpx_aiohttp's: the session, made on the first request.
        self.client: aiohttp.ClientSession | None = None
        self._timeout_key: tuple[Any, ...] | None = None
        self._timeout = aiohttp.ClientTimeout()

    def __repr__(self) -> str:
        # Never the proxy's credentials: its URL holds none, its auth is not shown.
        via = "" if self._proxy is None else f", proxy={str(self._proxy)!r}"
        return f"AiohttpTransport(max_connections={self.limits.max_connections}{via})"

    def _session(self) -> aiohttp.ClientSession:
        limit = self.limits.max_connections
        connector = aiohttp.TCPConnector(
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self._ssl,
            limit=0 if limit is None else limit,
        )
        self.client = aiohttp.ClientSession(connector=connector)
        return self.client

    def _client_timeout(self, timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
        # Every call of one client carries the same phase timeouts (unless a deadline is
        # tighter), so the last one made is nearly always the one wanted.
        key = (timeout.get("connect"), timeout.get("read"), timeout.get("pool"))
        if key != self._timeout_key:
            self._timeout = aiohttp.ClientTimeout(
                sock_connect=key[0], sock_read=key[1], connect=key[2]
            )
            self._timeout_key = key
        return self._timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self.client if self.client is not None else self._session()
        data: Any
        try:
            data = request.content or None
        except httpx.RequestNotRead:
            data = request.stream
            request.headers.pop("transfer-encoding", None)  # aiohttp frames the body
        response = await session.request(
            request.method,
            # Already percent-encoded by httpx: yarl need not parse and quote it again.
            URL(str(request.url), encoded=True),
            headers=(
                request.headers.multi_items() + self._proxy_authorization
                if self._proxy_authorization and request.url.scheme == "http"
                else request.headers.multi_items()
            ),
            data=data,
            allow_redirects=False,
            auto_decompress=False,  # httpx decodes, so both transports decode alike
            compress=None,
            timeout=self._client_timeout(request.extensions.get("timeout", {})),
            server_hostname=request.extensions.get("sni_hostname"),
            proxy=self._proxy,
            proxy_headers=self._proxy_headers,
        )
        stream: httpx.AsyncByteStream | httpx.ByteStream
        try:
            body = await response.read()
        except Exception as exc:
            response.close()
            stream = _Failed(exc)
        except BaseException:
            response.close()
            raise
        else:
            encoded = "content-encoding" in response.headers
            stream = _Encoded(body) if encoded else httpx.ByteStream(body)
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode()
        answer = httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=stream,
            request=request,
            extensions=extensions,
        )
        if isinstance(stream, httpx.ByteStream):
            _mark_read(answer, body)
        return answer

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.close()


def _mark_read(response: httpx.Response, body: bytes) -> None:
    """What ``response.read()`` leaves on a response of one unencoded chunk, set directly.

    ``read()`` would walk the body through httpx's decoder and chunker generators to
    join the one chunk back together: 7% of a call's client CPU at 50 in flight. The
    attributes are httpx's own (pinned below 1.0); a test checks that every public
    property reads as after ``read()``.
    """
    response._content = body
    response._num_bytes_downloaded = len(body)
    response.is_stream_consumed = True
    response.is_closed = True
