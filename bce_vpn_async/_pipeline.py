"""The middleware chain one request passes through, what it knows of its call, and the
middleware every client uses.

A middleware is an async callable ``(request, call_next) -> response``. The chain is
plain data, composed once per client by ``_engine.SharedParts.chain``: retry -> rate
limit -> the caller's middleware -> logging -> signing -> send. Retry sits outside signing, so every
attempt is signed afresh (a new ``x-bce-date``, the current credentials); the rate limit
sits inside retry, so retries are paced too; the caller's middleware sees every attempt
that is sent.

A request carries its call on one extensions key (``CallContext``): the operation, the
attempt it is (``Attempt``, which user middleware reads with ``Attempt.of(request)``),
and who wants to know when the call is over (``TracingMiddleware`` ends its span then).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Final, Protocol, TypeAlias

import httpx
from attrs import define, field, frozen

from ._credentials import StaticProvider
from ._errors import REQUEST_ID_HEADER
from ._signing import SECURITY_TOKEN_HEADER

if TYPE_CHECKING:
    from ._clock import Clock
    from ._credentials import Credentials, CredentialsProvider
    from ._signing import Signer

__all__ = [
    "Attempt",
    "CallContext",
    "ClockSkew",
    "Handler",
    "LoggingMiddleware",
    "Middleware",
    "Pipeline",
    "SigningMiddleware",
    "operation_name",
]

Handler: TypeAlias = Callable[[httpx.Request], Awaitable[httpx.Response]]
"""The rest of the chain, as a middleware's ``call_next`` gets it: await it with the
request for the response."""

# The one extensions key the SDK writes on a request besides httpx's own ("timeout").
_CALL_KEY: Final = "bce_vpn_async.call"

# Headers a signer writes. A request that comes round again (a retry) still carries the
# previous attempt's; they are dropped so the new signature cannot mix old and new.
_SIGNATURE_HEADERS = ("authorization", "x-bce-date", SECURITY_TOKEN_HEADER)


@frozen(kw_only=True)
class Attempt:
    """Which attempt of which call a request is, for middleware.

    Middleware sits inside the retry loop, so it sees every attempt of a call; this says
    which one it is looking at:

    ```python
    class Metrics:
        async def __call__(self, request, call_next):
            attempt = Attempt.of(request)
            response = await call_next(request)
            record(attempt.operation, attempt.number, response.status_code)
            return response
    ```
    """

    operation: str
    """The client method that made the call (``"create_vpn"``)."""
    number: int = 1
    """1 for the first attempt, 2 for the first retry, and so on."""
    retry_delay: float | None = None
    """Seconds waited since the previous attempt; None for the first attempt.

    The backoff or the `Retry-After` the client waited; 0.0 after a clock
    resynchronisation.
    """

    @staticmethod
    def of(request: httpx.Request) -> Attempt | None:
        """The attempt ``request`` is, or None for a request no ``AsyncVpnClient`` made.

        Args:
            request: The request a middleware was given.

        Returns:
            The attempt, as the client has numbered it so far.
        """
        context = request.extensions.get(_CALL_KEY)
        return context.attempt if isinstance(context, CallContext) else None


Ended: TypeAlias = Callable[[BaseException | None], None]


@define(eq=False)
class CallContext:
    """One call, as it rides on its request across attempts: the attempt in flight, and
    who is told when the call is over (its result made, or its error raised), since
    middleware inside the retry loop sees only attempts."""

    attempt: Attempt
    _when_ended: list[Ended] = field(factory=list, init=False)

    @classmethod
    def attach(cls, request: httpx.Request, operation: str) -> CallContext:
        """Start the call ``request`` is for: its first attempt of ``operation``."""
        context = cls(Attempt(operation=operation))
        request.extensions[_CALL_KEY] = context
        return context

    @staticmethod
    def of(request: httpx.Request) -> CallContext | None:
        """The call ``request`` is for, or None for a request no client made."""
        context = request.extensions.get(_CALL_KEY)
        return context if isinstance(context, CallContext) else None

    def when_ended(self, callback: Ended) -> None:
        """Call ``callback(error)`` when the call is over (``error`` None on success)."""
        self._when_ended.append(callback)

    def end(self, error: BaseException | None) -> None:
        """The call is over: tell whoever asked."""
        for callback in self._when_ended:
            callback(error)


def operation_name(request: httpx.Request) -> str:
    """The operation a request is for, or its method for a request no client made."""
    attempt = Attempt.of(request)
    return request.method if attempt is None else attempt.operation


class Middleware(Protocol):
    """One step of the chain: ``await middleware(request, call_next)`` returns the response.

    It sees each attempt (it sits inside the retry middleware), may change the request
    before ``await call_next(request)`` and read the response after; raising a ``BceError``
    fails the attempt. The signer runs after every middleware, so it sees what they added
    (and signs it where bce-auth-v1's default rule says: host, content and x-bce-* headers).
    ``Attempt.of(request)`` says which attempt of which operation it is.

    ```python
    class Tagged:
        async def __call__(self, request, call_next):
            request.headers["x-bce-team"] = "networking"  # signed with the rest
            return await call_next(request)


    client = AsyncVpnClient(middleware=[Tagged()])
    ```
    """

    def __call__(self, request: httpx.Request, call_next: Handler) -> Awaitable[httpx.Response]:
        """Handle one attempt; an ``async def __call__`` is the usual way to write one.

        Args:
            request: The attempt's request, not yet signed.
            call_next: The rest of the chain.

        Returns:
            The response (usually ``await call_next(request)``'s).
        """
        ...


def _bind(middleware: Middleware, call_next: Handler) -> Handler:
    """``middleware`` as a handler: called with a request, it returns what the middleware
    returns for it with ``call_next`` (its coroutine), so a link adds no coroutine of its
    own to a call."""

    return lambda request: middleware(request, call_next)


class Pipeline:
    """A middleware chain ending in ``send``, composed once so a call walks no list."""

    def __init__(self, middleware: Sequence[Middleware], send: Handler) -> None:
        if not callable(send):
            raise TypeError(f"send must be an async callable, got {type(send).__name__}")
        for index, item in enumerate(middleware):
            if not callable(item):
                raise TypeError(
                    f"middleware[{index}] must be an async callable "
                    f"(request, call_next) -> response, got {type(item).__name__}"
                )
        self.middleware: tuple[Middleware, ...] = tuple(middleware)
        handler = send
        for item in reversed(self.middleware):
            handler = _bind(item, handler)
        self._handler = handler

    def __call__(self, request: httpx.Request) -> Awaitable[httpx.Response]:
        """Run ``request`` through the chain; await the result for the response."""
        return self._handler(request)

    def __repr__(self) -> str:
        names = ", ".join(type(item).__name__ for item in self.middleware)
        return f"Pipeline([{names}])"


@define
class ClockSkew:
    """Seconds to add to the local wall clock to get the service's.

    One per client, shared by the retry middleware (which learns the offset from a
    ``RequestExpired`` answer) and the signing middleware (which applies it).
    """

    offset: float = 0.0


class SigningMiddleware:
    """Signs each attempt with the current credentials and the skew-corrected time.

    The credentials are asked for on every attempt, not once per client, so rotating STS
    credentials are picked up as soon as the provider has them.
    """

    def __init__(
        self,
        signer: Signer,
        credentials: CredentialsProvider,
        clock: Clock,
        skew: ClockSkew,
    ) -> None:
        self._signer = signer
        self._credentials = credentials
        # Fixed credentials need no wait: the attempt is signed as it passes.
        self._fixed = credentials.credentials if isinstance(credentials, StaticProvider) else None
        self._clock = clock
        self._skew = skew

    def __call__(self, request: httpx.Request, call_next: Handler) -> Awaitable[httpx.Response]:
        fixed = self._fixed
        if fixed is None:
            return self._sign_when_known(request, call_next)
        self._sign(request, fixed)
        return call_next(request)

    async def _sign_when_known(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        self._sign(request, await self._credentials())
        return await call_next(request)

    def _sign(self, request: httpx.Request, credentials: Credentials) -> None:
        headers = request.headers
        if "authorization" in headers:
            # Signed before: a retry. What the last signature wrote goes, all of it.
            for name in _SIGNATURE_HEADERS:
                if name in headers:
                    del headers[name]
        self._signer.sign(request, credentials, self._clock.time() + self._skew.offset)

    def __repr__(self) -> str:
        return f"SigningMiddleware(signer={self._signer!r})"


class LoggingMiddleware:
    """One DEBUG line per attempt: what was called, the outcome, and how long it took.

    Headers and bodies are never logged: the signature, the session token, tunnel
    pre-shared keys and SSL passwords travel there. The path and query hold only ids,
    flags and the client token.

    Args:
        logger: Where the lines go; the ``bce_vpn_async`` logger by default.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger if logger is not None else logging.getLogger("bce_vpn_async")

    def __call__(self, request: httpx.Request, call_next: Handler) -> Awaitable[httpx.Response]:
        """Pass the attempt on, logging its outcome when DEBUG is enabled.

        Args:
            request: The attempt's request.
            call_next: The rest of the chain.

        Returns:
            ``call_next``'s response, unchanged.
        """
        if not self._logger.isEnabledFor(logging.DEBUG):
            return call_next(request)
        return self._logged(request, call_next)

    async def _logged(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        logger = self._logger
        attempt = Attempt.of(request)
        operation, number = ("-", 1) if attempt is None else (attempt.operation, attempt.number)
        target = request.url.raw_path.decode("ascii", "replace")
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:
            logger.debug(
                "%s attempt %s: %s %s failed with %s after %.1f ms",
                operation,
                number,
                request.method,
                target,
                type(exc).__name__,
                (time.perf_counter() - started) * 1000,
            )
            raise
        logger.debug(
            "%s attempt %s: %s %s -> %s (request id %s) in %.1f ms",
            operation,
            number,
            request.method,
            target,
            response.status_code,
            response.headers.get(REQUEST_ID_HEADER, "-"),
            (time.perf_counter() - started) * 1000,
        )
        return response

    def __repr__(self) -> str:
        return f"LoggingMiddleware(logger={self._logger.name!r})"
