"""The client's engine: lifecycle, the request pipeline, and turning responses into results.

The 21 operations (``_gateways``, ``_tunnels``, ``_ssl``) only describe requests; this
module sends them. One path for every call: build an ``httpx.Request`` once (so its
``clientToken`` is fixed before the first attempt), run it through the middleware chain
(retry -> user middleware -> logging -> signing -> transport), then raise the typed
error or structure the body into the result model.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from . import validation
from ._requests import RequestFactory
from .config import ClientConfig, resolve_endpoint
from .converter import MalformedResponse, structure
from .credentials import Credentials, CredentialsProvider, as_provider
from .errors import (
    REQUEST_ID_HEADER,
    BceClientError,
    BceResponseError,
    BceValidationError,
    error_from_response,
)
from .models import ResponseMetadata
from .pagination import AsyncPaginator, Page
from .pipeline import ClockSkew, LoggingMiddleware, Middleware, Pipeline, SigningMiddleware
from .retry import RetryMiddleware
from .signing import BceV1Signer, Signer, uri_encode

__all__ = ["ClientCore"]

T = TypeVar("T")
PageT = TypeVar("PageT", bound=Page)
ItemT = TypeVar("ItemT")

API_PREFIX = "/v1"
_httpx_logger = logging.getLogger("httpx")
_JSON_CONTENT_TYPE = "application/json;charset=utf-8"


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPEN = "open"
    CLOSED = "closed"


class _EnvironmentCredentials:
    """Reads ``BCE_*`` variables on first use, not in ``__init__``, then keeps them."""

    def __init__(self) -> None:
        self._credentials: Credentials | None = None

    async def __call__(self) -> Credentials:
        if self._credentials is None:
            self._credentials = Credentials.from_env()
        return self._credentials


def new_client_token() -> str:
    return str(uuid.uuid4())


class ClientCore:
    def __init__(
        self,
        *,
        credentials: Credentials | CredentialsProvider | None = None,
        endpoint: str | None = None,
        region: str | None = None,
        config: ClientConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        signer: Signer | None = None,
        middleware: Sequence[Middleware] = (),
    ) -> None:
        self._config = config = config if config is not None else ClientConfig()
        self._base_url = resolve_endpoint(endpoint, region)
        self._validate = config.validate
        self._clock = config.clock
        provider: CredentialsProvider = (
            _EnvironmentCredentials() if credentials is None else as_provider(credentials)
        )
        signer = (
            signer
            if signer is not None
            else BceV1Signer(expiration_seconds=config.signature_expiration)
        )
        skew = ClockSkew()
        chain: list[Middleware] = []
        if config.retry is not None:
            chain.append(RetryMiddleware(config.retry, self._clock, skew))
        chain.extend(middleware)
        chain.append(LoggingMiddleware())
        chain.append(SigningMiddleware(signer, provider, self._clock, skew))
        self._pipeline = Pipeline(chain, self._send)
        self._http_client = http_client
        self._owns_http_client = http_client is None
        self._timeout = config.httpx_timeout().as_dict()
        self._requests = RequestFactory(
            self._base_url, {"Content-Type": _JSON_CONTENT_TYPE, "User-Agent": config.user_agent}
        )
        self._state = _State.UNOPENED
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def endpoint(self) -> str:
        return self._base_url

    async def __aenter__(self) -> Self:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (unless the ``http_client`` was the caller's). Safe twice."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        if self._owns_http_client and self._http_client is not None:
            await self._http_client.aclose()

    def _open(self) -> None:
        loop = asyncio.get_running_loop()
        if self._state is _State.CLOSED:
            raise BceClientError("this client is closed; create a new one")
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise BceClientError(
                "this client was opened on another event loop; create one client per loop"
            )
        if self._state is _State.UNOPENED:
            if self._http_client is None:
                self._http_client = self._make_http_client()
            self._state = _State.OPEN

    def _make_http_client(self) -> httpx.AsyncClient:
        config = self._config
        transport: httpx.AsyncBaseTransport | None = None
        if config.transport == "aiohttp":
            from ._aiohttp import AiohttpTransport

            transport = AiohttpTransport(limits=config.httpx_limits())
        return httpx.AsyncClient(
            transport=transport,
            limits=config.httpx_limits(),
            timeout=config.httpx_timeout(),
            follow_redirects=False,
        )

    # -- one request -------------------------------------------------------------------

    async def _send(self, request: httpx.Request) -> httpx.Response:
        client = self._http_client
        if client is None:  # pragma: no cover - _open() always sets it first
            raise BceClientError("this client is not open")
        if self._closed():
            # A retry of a call that was in flight when the client was closed.
            raise _closed_under_call()
        started = time.perf_counter()
        # Streamed, then read here, so that a body the transport cannot decode (a proxy
        # labelling plain text as gzip) still gives an error with the status it came with.
        try:
            if self._owns_http_client:
                response = await _send_on_transport(client, request)
            else:
                response = await client.send(request, stream=True)
        except Exception as exc:
            # Closing the pool fails the calls on it in the transport's own words (aiohttp's
            # RuntimeError "Session is closed", a ConnectTimeout that would be retried).
            if self._closed():
                raise _closed_under_call() from exc
            raise
        try:
            await response.aread()
            if self._owns_http_client:
                response.elapsed = timedelta(seconds=time.perf_counter() - started)
        except httpx.DecodingError as exc:
            await response.aclose()
            raise BceResponseError(
                f"the response body could not be decoded as its Content-Encoding says: {exc}",
                status_code=response.status_code,
                request_id=response.headers.get(REQUEST_ID_HEADER),
            ) from exc
        except BaseException as exc:
            await response.aclose()
            if isinstance(exc, Exception) and self._closed():
                raise _closed_under_call() from exc
            raise
        return response

    def _closed(self) -> bool:
        # A method, not an inline test: the state changes while a send is awaited.
        return self._state is _State.CLOSED

    def _token(self, client_token: str | None) -> str:
        if client_token is None:
            return new_client_token()
        return validation.client_token(client_token)

    def _build(
        self,
        operation: str,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        body: dict[str, Any] | None,
    ) -> httpx.Request:
        text = None
        if query:
            # The query goes out in the signer's canonical form, so what is signed is
            # exactly what is sent (valueless flags become "bind=").
            text = "&".join(sorted(f"{uri_encode(k)}={uri_encode(v)}" for k, v in query))
        content = b""
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        request = self._requests.request(method, API_PREFIX + path, text, content)
        request.extensions["timeout"] = dict(self._timeout)
        request.extensions["bce_operation"] = operation
        return request

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        result: type[T],
        *,
        query: Sequence[tuple[str, str]] = (),
        body: dict[str, Any] | None = None,
    ) -> T:
        self._open()
        request = self._build(operation, method, path, query, body)
        try:
            answer = await self._answer(operation, request, result)
        except BaseException as exc:
            _end_call(request, exc)
            raise
        _end_call(request, None)
        return answer

    async def _answer(self, operation: str, request: httpx.Request, result: type[T]) -> T:
        response = await self._pipeline(request)
        if not 200 <= response.status_code < 300:
            raise error_from_response(response)
        metadata = ResponseMetadata(
            request_id=response.headers.get(REQUEST_ID_HEADER),
            status_code=response.status_code,
            headers=response.headers,
        )
        content = response.content
        try:
            data = json.loads(content) if content.strip() else {}
        except (ValueError, RecursionError) as exc:
            # ValueError includes UnicodeDecodeError; RecursionError is deeply nested JSON.
            raise BceResponseError(
                f"{operation}: the response body is not valid JSON ({len(content)} bytes)",
                status_code=response.status_code,
                request_id=metadata.request_id,
            ) from exc
        try:
            return structure(data, result, metadata)
        except MalformedResponse as exc:
            raise BceResponseError(
                f"{operation}: {exc}",
                status_code=response.status_code,
                request_id=metadata.request_id,
            ) from exc

    def _paginate(
        self,
        operation: str,
        path: str,
        page: type[PageT],
        items: Callable[[PageT], Sequence[ItemT]],
        query: Sequence[tuple[str, str]],
        *,
        marker: str | None,
        max_keys: int | None,
        max_items: int | None,
    ) -> AsyncPaginator[PageT, ItemT]:
        """A paginator over a marker listing; its arguments are checked now, not when
        it is first awaited."""
        if marker is not None:
            self._check_id("marker", marker)
        if max_keys is not None:
            query = [*query, ("maxKeys", str(validation.max_keys(max_keys)))]
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise BceValidationError("max_items", "must be a non-negative integer")

        async def fetch(page_marker: str | None) -> PageT:
            sent = query if page_marker is None else [*query, ("marker", page_marker)]
            return await self._call(operation, "GET", path, page, query=sent)

        return AsyncPaginator(fetch, items, marker=marker, max_items=max_items)

    def _check_id(self, field: str, value: object) -> str:
        # Always on, even with validate=False: an id becomes part of the URL path.
        return validation.resource_id(field, value)


def _end_call(request: httpx.Request, error: BaseException | None) -> None:
    """Tell middleware that asked (``request.extensions["bce_call_end"]``, a list of
    callables) that the call is over: middleware sits inside the retry loop and sees only
    attempts, so this is how a tracing span can cover the whole call."""
    callbacks = request.extensions.get("bce_call_end")
    if callbacks:
        for callback in callbacks:
            callback(error)


def _closed_under_call() -> BceClientError:
    return BceClientError("this client was closed while the call was in flight")


async def _send_on_transport(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """What ``client.send(request, stream=True)`` does for the SDK's own client, less the
    layers it never uses: auth, redirects, event hooks and the cookie jar (requests are
    built here, not by ``build_request``, so a stored cookie would never go out). Those
    cost about 60 µs a call, a fifth of a whole call's CPU. The transport comes from
    ``_transport_for_url``, which honours proxy mounts and is the hook
    ``respx.mock(using="httpx")`` patches."""
    transport = client._transport_for_url(request.url)
    try:
        response = await transport.handle_async_request(request)
    except httpx.RequestError as exc:
        try:
            exc.request  # noqa: B018 - raises RuntimeError when the transport set none
        except RuntimeError:
            exc.request = request
        raise
    response.request = request
    if _httpx_logger.isEnabledFor(logging.INFO):
        _httpx_logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
    return response
