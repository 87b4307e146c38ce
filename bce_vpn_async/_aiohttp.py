"""The SDK's own aiohttp transport: an ``httpx`` transport that drives aiohttp directly.

httpx stays the currency users see (``http_client=``, respx, middleware all get
``httpx.Request`` and ``httpx.Response``); only the default client's last step changes:
httpx's own connection pool costs more per request the more connections it holds, and
aiohttp's does not (BENCHMARKS.md). The body is read whole with one ``await
response.read()`` and handed to httpx as a ``ByteStream``; one without a
``Content-Encoding`` is read into the response at once (``Response.read()``, which cannot
fail on it and does not wait), an encoded one is decoded when ``_transport.send`` reads
it, as any transport's is.

It raises aiohttp's own exceptions, not httpx's: ``_transport.send``, the one send path,
turns each into a ``BceError``. A body that fails to arrive still comes with its status:
the failure is raised when ``send`` reads the response.
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
            timeout=_client_timeout(request.extensions.get("timeout", {})),
            server_hostname=request.extensions.get("sni_hostname"),
            proxy=self._proxy,
            proxy_headers=self._proxy_headers,
        )
        stream: httpx.AsyncByteStream
        try:
            stream = httpx.ByteStream(await response.read())
        except Exception as exc:
            response.close()
            stream = _Failed(exc)
        except BaseException:
            response.close()
            raise
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
        if isinstance(stream, httpx.ByteStream) and "Content-Encoding" not in response.headers:
            # Read now, without a wait: the body is all here, and one that is not
            # encoded cannot fail to decode. An encoded one is decoded (and may fail,
            # with its status) when send reads it.
            answer.read()
        return answer

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.close()


def _client_timeout(timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's phase timeouts (the request's ``timeout`` extension) as aiohttp's."""
    return aiohttp.ClientTimeout(
        sock_connect=timeout.get("connect"),
        sock_read=timeout.get("read"),
        connect=timeout.get("pool"),
    )
