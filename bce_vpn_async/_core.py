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
import ssl
import uuid
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from . import _transport
from . import _validation as validation
from ._aiohttp import AiohttpTransport
from ._config import ClientConfig, endpoint_from_env, resolve_endpoint
from ._converter import MalformedResponse, structure
from ._credentials import Credentials, CredentialsProvider, as_provider
from ._errors import (
    REQUEST_ID_HEADER,
    BceClientError,
    BceValidationError,
    error_from_response,
    unreadable_response,
)
from ._models import ResponseMetadata
from ._network import proxy_mounts, ssl_context
from ._operations import MAX_KEYS, Operation
from ._options import SharedParts, merged_headers
from ._pagination import AsyncPaginator, Page
from ._pipeline import Middleware, Pipeline
from ._requests import RequestFactory
from ._signing import Signer
from ._wire_text import marker_pair, query_pair, unencodable

__all__ = ["ClientCore"]

T = TypeVar("T")
PageT = TypeVar("PageT", bound=Page)
ItemT = TypeVar("ItemT")

API_PREFIX = "/v1"
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
        config = config if config is not None else ClientConfig()
        # None: read from BCE_ENDPOINT when the client is opened (__init__ reads no
        # environment, as for the credentials).
        self._base_url = resolve_endpoint(endpoint, region)
        provider: CredentialsProvider = (
            _EnvironmentCredentials() if credentials is None else as_provider(credentials)
        )
        self._owns_http_client = http_client is None
        self._shared = SharedParts.of(
            config, provider, signer, middleware, own_pool=self._owns_http_client
        )
        # None: this client owns its lifecycle; else the client with_options copied.
        self._owner: ClientCore | None = None
        self._state = _State.UNOPENED
        self._loop: asyncio.AbstractEventLoop | None = None
        self._configure(config, {})
        # Made now, not on the first call, when the endpoint is known (its set-up is no
        # call's latency); else when the endpoint is read, on open.
        self._http_client: httpx.AsyncClient | None = http_client
        if http_client is None and self._base_url is not None:
            self._http_client = self._make_http_client()

    def _configure(self, config: ClientConfig, headers: dict[str, str]) -> None:
        """Set what may differ between a client and its ``with_options`` copies."""
        shared = self._shared
        self._config = config
        self._validate = config.validate
        self._clock = config.clock
        self._headers = headers
        self._pipeline = Pipeline(shared.chain(config), self._send)
        # Bound once: a bound method made per call is one more object per call in flight.
        self._is_closed = self._closed
        self._gate = shared.gate
        self._timeout = config.httpx_timeout().as_dict()
        self._requests = self._request_factory(config, headers)

    def _request_factory(
        self, config: ClientConfig, headers: dict[str, str]
    ) -> RequestFactory | None:
        if self._base_url is None:
            return None
        return RequestFactory(
            self._base_url,
            {"Content-Type": _JSON_CONTENT_TYPE, "User-Agent": config.user_agent, **headers},
        )

    def _derive(self, config: ClientConfig, headers: Mapping[str, str]) -> Self:
        """A copy of this client with ``config`` and these extra ``headers`` (on top of
        this client's), sharing its pool, its :class:`SharedParts` and its lifecycle."""
        copy = object.__new__(type(self))
        copy._base_url = self._base_url
        copy._shared = self._shared
        copy._owner = self if self._owner is None else self._owner
        copy._http_client = None
        copy._owns_http_client = self._owns_http_client
        copy._state = _State.UNOPENED
        copy._loop = None
        copy._configure(config, merged_headers(self._headers, headers))
        return copy

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def config(self) -> ClientConfig:
        """The configuration this client was made with."""
        return self._config

    @property
    def endpoint(self) -> str:
        """The base URL calls go to (scheme and host); read from ``BCE_ENDPOINT`` now if
        the client was given neither ``endpoint=`` nor ``region=`` and has not read it yet."""
        return self._endpoint()

    def _endpoint(self) -> str:
        if self._base_url is None:
            owner = self._owner
            self._base_url = endpoint_from_env() if owner is None else owner._endpoint()
            self._requests = self._request_factory(self._config, self._headers)
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
        """Close the connection pool (unless the ``http_client`` was the caller's). Safe twice.

        A pool's connections belong to the event loop that opened them: closing from
        another loop closes them on theirs if it still runs (in another thread), and
        raises ``BceClientError`` if it has ended.
        """
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        client = self._http_client
        if self._owner is not None or not self._owns_http_client or client is None:
            return
        opened_on = self._loop
        if opened_on is None or opened_on is asyncio.get_running_loop():
            await client.aclose()
            return
        if opened_on.is_running():
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(client.aclose(), opened_on))
            return
        raise BceClientError(
            "this client was opened on another event loop, which has ended, so its "
            "connections could not be closed; close a client on the loop that used it"
        )

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        # As asyncio's own objects do: a client opened and never closed leaves its pool's
        # connections to the garbage collector. (_warn is bound now: at interpreter exit
        # the module's globals may already be gone.)
        # A with_options copy holds nothing of its own to leak.
        if getattr(self, "_state", None) is _State.OPEN and self._owner is None:
            _warn(f"unclosed {self!r}", ResourceWarning, source=self)

    def _open(self) -> None:
        owner = self._owner
        if owner is not None:
            if self._state is _State.CLOSED:
                raise BceClientError("this client is closed; create a new one")
            if owner._state is _State.CLOSED:
                raise BceClientError(
                    "the client this one was made from (with_options) is closed; create a new one"
                )
            owner._open()
            self._endpoint()
            self._http_client = owner._http_client
            self._state = _State.OPEN
            return
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
            self._endpoint()
            if self._http_client is None:
                self._http_client = self._make_http_client()
            self._state = _State.OPEN

    def _make_http_client(self) -> httpx.AsyncClient:
        """The SDK's own client, on the user's network settings (``_network``): the
        proxies and TLS verification of httpx's own transport, on either transport."""
        config = self._config
        limits = config.httpx_limits()
        if config.transport == "httpx":
            return httpx.AsyncClient(
                limits=limits,
                timeout=config.httpx_timeout(),
                follow_redirects=False,
                verify=ssl_context(config),
                trust_env=config.trust_env,
                proxy=config.proxy,
            )
        mounts = proxy_mounts(config)
        # The verified context takes tens of milliseconds to build: only for TLS.
        tls = self._endpoint().startswith("https:") or any(
            proxy is not None and proxy.url.scheme == "https" for proxy in mounts.values()
        )
        context: ssl.SSLContext | bool = ssl_context(config) if tls else True
        for pattern, proxy in mounts.items():
            if proxy is not None and proxy.url.scheme not in ("http", "https"):
                where = "proxy" if config.proxy is not None else f"{pattern[:-3].upper()}_PROXY"
                raise BceValidationError(
                    where,
                    "the aiohttp transport speaks to http(s) proxies; for a SOCKS proxy "
                    "use ClientConfig(transport='httpx') with httpx[socks]",
                )
        return httpx.AsyncClient(
            transport=AiohttpTransport(limits, ssl=context),
            mounts={
                pattern: None
                if proxy is None
                else AiohttpTransport(limits, ssl=context, proxy=proxy)
                for pattern, proxy in mounts.items()
            },
            limits=limits,
            timeout=config.httpx_timeout(),
            follow_redirects=False,
        )

    # -- one request -------------------------------------------------------------------

    def _send(self, request: httpx.Request) -> Awaitable[httpx.Response]:
        client = self._http_client
        if client is None:  # pragma: no cover - _open() always sets it first
            raise BceClientError("this client is not open")
        return _transport.send(client, request, own=self._owns_http_client, closed=self._is_closed)

    def _closed(self) -> bool:
        # A method, not an inline test: the state changes while a send is awaited.
        owner = self._owner
        return self._state is _State.CLOSED or (owner is not None and owner._state is _State.CLOSED)

    def _token(self, client_token: str | None) -> str:
        if client_token is None:
            return new_client_token()
        return validation.client_token(client_token)

    def _request_parts(
        self, operation: Operation[Any], arguments: Mapping[str, Any]
    ) -> tuple[str, list[str], bytes]:
        """Check ``arguments`` against ``operation`` and lay them out on the wire: the path,
        the query's encoded ``name=value`` pairs (flag and ``clientToken`` included) and
        the JSON body's bytes (empty for none).

        Every need is checked before any rule, and rules only under ``validate``; nothing
        is sent until all have passed. Whatever ``validate`` says, text that UTF-8 cannot
        carry (a lone surrogate) is refused here, where the query and body are encoded.
        """
        given = [(param, arguments[param.name]) for param in operation.params]
        for param, value in given:
            if value is None:
                if param.required:
                    raise BceValidationError(param.name, "is required")
            elif param.need is not None:
                param.need(param.name, value)
        for combined in operation.needs:
            combined(arguments)
        query: list[tuple[str, str]] = []
        if operation.flag is not None:
            query.append((operation.flag, ""))
        # A write always carries a token (a fresh one unless given); a read only when given.
        token = arguments["client_token"] if operation.takes_token else None
        if operation.write or token is not None:
            query.append(("clientToken", self._token(token)))
        if self._validate:
            for param, value in given:
                if value is not None and param.rule is not None:
                    param.rule(param.name, value)
            for combined in operation.rules:
                combined(arguments)
        ids: dict[str, str] = {}
        body: dict[str, Any] | None = None
        for param, value in given:
            if param.where == "body":
                if body is None:
                    body = {}
                if value is not None:
                    encoded = value if param.encode is None else param.encode(value)
                    if encoded is not None:
                        body[param.wire] = encoded
            elif value is None:
                continue
            elif param.where == "path":
                ids[param.wire] = value
            else:
                query.append((param.wire, value))
        try:
            pairs = [query_pair(name, value) for name, value in query]
            content = b"" if body is None else _json_bytes(body)
        except UnicodeEncodeError:
            # Raised outside the handler: the encoder's error holds the whole body, a
            # pre-shared key or password included, and must not ride along as context.
            pairs = None
        if pairs is None:
            raise unencodable(given)
        return operation.path.format_map(ids), pairs, content

    def _invoke(self, operation: Operation[T], arguments: Mapping[str, Any]) -> Awaitable[T]:
        """One call of ``operation`` with the method's ``arguments`` (its ``locals()``):
        checked now, in the method's own coroutine, and sent when the result is awaited.
        (A plain function, so a call in flight holds one coroutine less.)"""
        path, query, content = self._request_parts(operation, arguments)
        return self._call(operation, path, query, content)

    def _build(
        self, operation: str, method: str, path: str, query: Sequence[str], content: bytes
    ) -> httpx.Request:
        # The query goes out in the signer's canonical form, so what is signed is exactly
        # what is sent (valueless flags become "bind=").
        text = "&".join(sorted(query)) if query else None
        requests = self._requests
        if requests is None:  # pragma: no cover - _open() always sets it first
            raise BceClientError("this client is not open")
        request = requests.request(method, API_PREFIX + path, text, content)
        request.extensions["timeout"] = dict(self._timeout)
        request.extensions["bce_operation"] = operation
        return request

    async def _call(
        self, operation: Operation[T], path: str, query: Sequence[str], content: bytes
    ) -> T:
        self._open()
        request = self._build(operation.name, operation.method, path, query, content)
        try:
            if self._gate is None:
                response = await self._pipeline(request)
            else:
                async with self._gate:
                    response = await self._pipeline(request)
            answer = self._answer(operation, response)
        except BaseException as exc:
            _end_call(request, exc)
            raise
        _end_call(request, None)
        return answer

    def _answer(self, operation: Operation[T], response: httpx.Response) -> T:
        """The result of a call from its response, or the typed error it stands for."""
        name = operation.name
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
            raise unreadable_response(
                response, f"{name}: the response body is not valid JSON ({len(content)} bytes)"
            ) from exc
        try:
            return structure(data, operation.result, metadata)
        except MalformedResponse as exc:
            raise unreadable_response(response, f"{name}: {exc}") from exc

    def _paginate(
        self, operation: Operation[PageT], arguments: Mapping[str, Any]
    ) -> AsyncPaginator[PageT, Any]:
        """A paginator over a marker listing; its arguments are checked now, not when
        it is first awaited."""
        path, query, _ = self._request_parts(operation, arguments)
        marker, max_keys, max_items = (
            arguments["marker"],
            arguments["max_keys"],
            arguments["max_items"],
        )
        if marker is not None:
            validation.resource_id("marker", marker)
        if max_keys is not None:
            query.append(query_pair(MAX_KEYS, str(validation.max_keys(max_keys))))
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise BceValidationError("max_items", "must be a non-negative integer")

        async def fetch(page_marker: str | None) -> PageT:
            sent = query if page_marker is None else [*query, marker_pair(page_marker)]
            return await self._call(operation, path, sent, b"")

        return AsyncPaginator(fetch, _items, marker=marker, max_items=max_items)


def _json_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _items(page: Any) -> Sequence[Any]:
    items: Sequence[Any] = page.items
    return items


def _end_call(request: httpx.Request, error: BaseException | None) -> None:
    """Tell middleware that asked (``request.extensions["bce_call_end"]``, a list of
    callables) that the call is over: middleware sits inside the retry loop and sees only
    attempts, so this is how a tracing span can cover the whole call."""
    callbacks = request.extensions.get("bce_call_end")
    if callbacks:
        for callback in callbacks:
            callback(error)
