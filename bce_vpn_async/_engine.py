"""The engine behind ``AsyncVpnClient``: its lifecycle, its middleware chain, and one
path from a table entry and its arguments to a result or a ``BceError``.

Every call takes the same path. Its arguments are checked and laid out (``_requests``),
so the ``clientToken`` of a write is fixed before the first attempt; the call takes its
place among the calls in flight (``max_concurrency``); its request runs through the
chain ``SharedParts.chain`` builds once per client (its order, and why, are in
``_pipeline``); and the answer becomes the typed error it stands for or the result model.

A client and the copies ``with_options`` makes share one ``SharedParts``: the pool, the
credentials, the signer, the clock offset, and what was learnt about the service and the
account (the rate limiter, the retry budget's balance, the places for calls in flight).
What differs between them is per call: the timeout, the retry policy, argument
validation and extra headers.
"""

from __future__ import annotations

import asyncio
import enum
import json
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from attrs import define, field

from . import _rules as rules
from . import _transport
from ._budget import RetryBudget, RetryTokens
from ._clock import Clock
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
from ._network import make_http_client
from ._operations import MAX_KEYS, Operation
from ._options import merged_headers
from ._pagination import AsyncPaginator, Page
from ._pipeline import (
    CallContext,
    ClockSkew,
    LoggingMiddleware,
    Middleware,
    Pipeline,
    SigningMiddleware,
)
from ._ratelimit import RateLimitMiddleware
from ._requests import JSON_CONTENT_TYPE, RequestBuilder, lay_out, marker_pair, query_pair
from ._retry import RetryMiddleware
from ._signing import BceV1Signer, Signer
from ._waiters import Transitions

__all__ = ["ClientEngine", "SharedParts", "State"]

T = TypeVar("T")
PageT = TypeVar("PageT", bound=Page)


class State(enum.Enum):
    UNOPENED = "unopened"
    OPEN = "open"
    CLOSED = "closed"


@define(kw_only=True, eq=False)
class SharedParts:
    """What a client and all its ``with_options`` copies hold in common.

    ``places`` bounds the calls in flight (``ClientConfig(max_concurrency=...)``): a call
    holds its place through its retries and their waits, and its total timeout starts
    when it gets one.
    """

    provider: CredentialsProvider
    signing: SigningMiddleware
    skew: ClockSkew
    rate_limit: RateLimitMiddleware | None
    middleware: tuple[Middleware, ...]
    places: asyncio.Semaphore | None
    clock: Clock
    # When earlier waits saw their change, for every copy's wait_until_status.
    transitions: Transitions = field(factory=Transitions, init=False)
    # One balance per budget: calls under the same budget earn into and spend from one
    # balance whichever copy made them; a copy with a budget of its own keeps its own (a
    # balance only means something in its budget's units).
    _tokens: dict[RetryBudget, RetryTokens] = field(factory=dict, init=False)

    @classmethod
    def of(
        cls,
        config: ClientConfig,
        provider: CredentialsProvider,
        signer: Signer | None,
        middleware: Sequence[Middleware],
        *,
        own_pool: bool,
    ) -> SharedParts:
        """The parts of a new client made with ``config``; ``own_pool`` says the SDK makes
        the connection pool (of ``config.max_connections``), not the caller."""
        if signer is None:
            signer = BceV1Signer(expiration_seconds=config.signature_expiration)
        skew = ClockSkew()
        places = config.max_concurrency
        return cls(
            provider=provider,
            signing=SigningMiddleware(signer, provider, config.clock, skew),
            skew=skew,
            rate_limit=(
                None
                if config.rate_limit is None
                else RateLimitMiddleware(
                    config.rate_limit,
                    config.clock,
                    connections=config.max_connections if own_pool else None,
                )
            ),
            middleware=tuple(middleware),
            places=None if places is None else asyncio.Semaphore(places),
            clock=config.clock,
        )

    def chain(self, config: ClientConfig) -> list[Middleware]:
        """The middleware of a client (or copy) made with ``config``: retry, rate limit,
        the caller's middleware, logging, signing."""
        chain: list[Middleware] = []
        retry = config.retry
        if retry is not None:
            tokens = None if retry.budget is None else self.tokens(retry.budget)
            chain.append(RetryMiddleware(retry, config.clock, self.skew, tokens=tokens))
        if self.rate_limit is not None:
            chain.append(self.rate_limit)
        chain.extend(self.middleware)
        chain.append(LoggingMiddleware())
        chain.append(self.signing)
        return chain

    def tokens(self, budget: RetryBudget) -> RetryTokens:
        """The balance of ``budget``, shared by every copy that retries under it."""
        tokens = self._tokens.get(budget)
        if tokens is None:
            tokens = self._tokens[budget] = RetryTokens(budget, self.clock.monotonic())
        return tokens


class ClientEngine:
    """Runs the calls of one ``AsyncVpnClient`` (or of one ``with_options`` copy of it).

    ``owner`` is None for a client, and the engine of the client it was copied from for a
    copy: the owner opens and closes the pool, a copy follows it.
    """

    def __init__(
        self,
        *,
        config: ClientConfig,
        shared: SharedParts,
        base_url: str | None,
        http_client: httpx.AsyncClient | None,
        owns_pool: bool,
        owner: ClientEngine | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.shared = shared
        # None: read from BCE_ENDPOINT when the client is opened.
        self.base_url = base_url
        self.http_client = http_client
        self.owns_pool = owns_pool
        self.owner = owner
        self.headers: dict[str, str] = {} if headers is None else dict(headers)
        self.state = State.UNOPENED
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pipeline = Pipeline(shared.chain(config), self._send)
        self._request_headers = {
            "Content-Type": JSON_CONTENT_TYPE,
            "User-Agent": config.user_agent,
            **self.headers,
        }
        self._timeout = config.httpx_timeout().as_dict()
        # Made when the endpoint is known (at the first call, from BCE_ENDPOINT perhaps),
        # which stays the same from then on.
        self._builder: RequestBuilder | None = None

    @classmethod
    def create(
        cls,
        *,
        credentials: Credentials | CredentialsProvider | None,
        endpoint: str | None,
        region: str | None,
        config: ClientConfig | None,
        http_client: httpx.AsyncClient | None,
        signer: Signer | None,
        middleware: Sequence[Middleware],
    ) -> ClientEngine:
        """The engine of a new client (the arguments are ``AsyncVpnClient``'s)."""
        config = ClientConfig() if config is None else config
        base_url = resolve_endpoint(endpoint, region)
        owns_pool = http_client is None
        shared = SharedParts.of(
            config, as_provider(credentials), signer, middleware, own_pool=owns_pool
        )
        if http_client is None and base_url is not None:
            # Made now, not on the first call: its set-up is no call's latency.
            http_client = make_http_client(config, base_url)
        return cls(
            config=config,
            shared=shared,
            base_url=base_url,
            http_client=http_client,
            owns_pool=owns_pool,
        )

    def derive(self, config: ClientConfig, headers: Mapping[str, str]) -> ClientEngine:
        """The engine of a copy with ``config`` and these extra ``headers`` (on top of
        this one's), sharing its pool, its ``SharedParts`` and its lifecycle."""
        return ClientEngine(
            config=config,
            shared=self.shared,
            base_url=self.base_url,
            http_client=None,
            owns_pool=self.owns_pool,
            owner=self if self.owner is None else self.owner,
            headers=merged_headers(self.headers, headers),
        )

    def describe(self) -> str:
        """The client as its repr shows it; the endpoint is None until it is known."""
        return f"AsyncVpnClient(endpoint={self.base_url!r}, state={self.state.value!r})"

    # -- lifecycle ---------------------------------------------------------------------

    def endpoint(self) -> str:
        """The base URL, read from ``BCE_ENDPOINT`` now if it is not known yet."""
        if self.base_url is None:
            owner = self.owner
            self.base_url = endpoint_from_env() if owner is None else owner.endpoint()
        return self.base_url

    def open(self) -> str:
        """Open the client (at its first call, or ``async with``) on the running loop;
        return the base URL calls go to."""
        owner = self.owner
        if owner is not None:
            if self.state is State.CLOSED:
                raise BceClientError("this client is closed; create a new one")
            if owner.state is State.CLOSED:
                raise BceClientError(
                    "the client this one was made from (with_options) is closed; create a new one"
                )
            base_url = owner.open()
            self.base_url = base_url
            self.http_client = owner.http_client
            self.state = State.OPEN
            return base_url
        loop = asyncio.get_running_loop()
        if self.state is State.CLOSED:
            raise BceClientError("this client is closed; create a new one")
        if self.loop is None:
            self.loop = loop
        elif self.loop is not loop:
            raise BceClientError(
                "this client was opened on another event loop; create one client per loop"
            )
        base_url = self.endpoint()
        if self.state is State.UNOPENED:
            if self.http_client is None:
                self.http_client = make_http_client(self.config, base_url)
            self.state = State.OPEN
        return base_url

    def is_closed(self) -> bool:
        """Whether this client, or the one it was copied from, was closed."""
        owner = self.owner
        return self.state is State.CLOSED or (owner is not None and owner.state is State.CLOSED)

    async def close(self) -> None:
        """Close the pool if this client owns it; safe twice (see ``AsyncVpnClient.aclose``)."""
        if self.state is State.CLOSED:
            return
        self.state = State.CLOSED
        client = self.http_client
        if self.owner is not None or not self.owns_pool or client is None:
            return
        opened_on = self.loop
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
        # connections to the garbage collector. A copy holds nothing of its own to leak.
        # (_warn is bound now: at interpreter exit the module's globals may be gone.)
        if getattr(self, "state", None) is State.OPEN and self.owner is None:
            _warn(f"unclosed {self.describe()}", ResourceWarning, source=self)

    # -- one call ----------------------------------------------------------------------

    def call(self, operation: Operation[T], arguments: Mapping[str, Any]) -> Awaitable[T]:
        """One call of ``operation`` with the method's ``arguments`` (its ``locals()``):
        they are checked now, and the call runs when the result is awaited.

        Raises:
            BceValidationError: an argument the request cannot be built from, or one a
                documented rule refuses.
        """
        path, query, content = lay_out(operation, arguments, validate=self.config.validate)
        return self._call(operation, path, query, content)

    def paginate(
        self, operation: Operation[PageT], arguments: Mapping[str, Any]
    ) -> AsyncPaginator[PageT, Any]:
        """A paginator over a marker listing; its arguments are checked now, before it is
        first awaited."""
        path, query, _ = lay_out(operation, arguments, validate=self.config.validate)
        marker, max_keys, max_items = (
            arguments["marker"],
            arguments["max_keys"],
            arguments["max_items"],
        )
        if marker is not None:
            rules.resource_id("marker", marker)
        if max_keys is not None:
            query.append(query_pair(MAX_KEYS, str(rules.max_keys(max_keys))))
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise BceValidationError("max_items", "must be a non-negative integer")

        async def fetch(page_marker: str | None) -> PageT:
            sent = query if page_marker is None else [*query, marker_pair(page_marker)]
            return await self._call(operation, path, sent, b"")

        return AsyncPaginator(fetch, _items, marker=marker, max_items=max_items)

    async def _call(
        self, operation: Operation[T], path: str, query: Sequence[str], content: bytes
    ) -> T:
        base_url = self.open()
        builder = self._builder
        if builder is None:
            builder = self._builder = RequestBuilder(base_url, self._request_headers)
        request = builder.build(operation.method, path, query, content)
        request.extensions["timeout"] = dict(self._timeout)
        # The place is taken before the retry middleware starts the call's total timeout:
        # the wait for a place does not count against it.
        places = self.shared.places
        if places is not None:
            await places.acquire()
        try:
            context = CallContext.attach(request, operation.name)
            try:
                response = await self._pipeline(request)
                result = self._answer(operation, response)
            except BaseException as exc:
                context.end(exc)
                raise
            context.end(None)
            return result
        finally:
            if places is not None:
                places.release()

    def _send(self, request: httpx.Request) -> Awaitable[httpx.Response]:
        client = self.http_client
        if client is None:  # pragma: no cover - open() always sets it first
            raise BceClientError("this client is not open")
        return _transport.send(client, request, own=self.owns_pool, closed=self.is_closed)

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


def _items(page: Any) -> Sequence[Any]:
    items: Sequence[Any] = page.items
    return items
