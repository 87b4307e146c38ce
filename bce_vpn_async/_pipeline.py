"""The middleware chain one request passes through, and the middleware every client uses.

A middleware is an async callable ``(request, call_next) -> response``. The chain is
plain data: the client builds ``Pipeline([RetryMiddleware, *user middleware,
LoggingMiddleware, SigningMiddleware], send)`` once, and each call runs it from the
outside in. Because
retry sits outside signing, every attempt is signed afresh (a new ``x-bce-date``, the
current credentials), and user middleware sees every attempt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeAlias

import httpx
from attrs import define

from ._credentials import StaticProvider
from ._errors import REQUEST_ID_HEADER
from ._signing import SECURITY_TOKEN_HEADER

if TYPE_CHECKING:
    from ._clock import Clock
    from ._credentials import Credentials, CredentialsProvider
    from ._signing import Signer

__all__ = [
    "ClockSkew",
    "Handler",
    "LoggingMiddleware",
    "Middleware",
    "Pipeline",
    "SigningMiddleware",
]

Handler: TypeAlias = Callable[[httpx.Request], Awaitable[httpx.Response]]

# Headers a signer writes. A request that comes round again (a retry) still carries the
# previous attempt's; they are dropped so the new signature cannot mix old and new.
_SIGNATURE_HEADERS = ("authorization", "x-bce-date", SECURITY_TOKEN_HEADER)


class Middleware(Protocol):
    """One step of the chain: ``await middleware(request, call_next)`` returns the response.

    It sees each attempt (it sits inside the retry middleware), may change the request
    before ``await call_next(request)`` and read the response after; raising a ``BceError``
    fails the attempt. The signer runs after every middleware, so it sees what they added
    (and signs it where bce-auth-v1's default rule says: host, content and x-bce-* headers).
    """

    def __call__(self, request: httpx.Request, call_next: Handler) -> Awaitable[httpx.Response]:
        """Handle one attempt; an ``async def __call__`` is the usual way to write one."""
        ...


def _bind(middleware: Middleware, call_next: Handler) -> Handler:
    # A plain function handing back the middleware's awaitable, not a coroutine awaiting
    # it: each call holds one coroutine less per middleware while it is in flight, and
    # with thousands of calls in flight the garbage collector walks every one of them.
    def handler(request: httpx.Request) -> Awaitable[httpx.Response]:
        return middleware(request, call_next)

    return handler


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
        """Run ``request`` through the chain: await the result for the response."""
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
    """Signs each attempt with the current credentials and the skew-corrected time."""

    def __init__(
        self,
        signer: Signer,
        credentials: CredentialsProvider,
        clock: Clock,
        skew: ClockSkew,
    ) -> None:
        self._signer = signer
        self._credentials = credentials
        # Fixed credentials need no awaiting: known once, here.
        self._static = credentials.credentials if isinstance(credentials, StaticProvider) else None
        self._clock = clock
        self._skew = skew

    def __call__(self, request: httpx.Request, call_next: Handler) -> Awaitable[httpx.Response]:
        static = self._static
        if static is not None:
            # Nothing to wait for: sign now and hand on the next step's awaitable.
            self._sign(request, static)
            return call_next(request)
        return self._sign_when_known(request, call_next)

    async def _sign_when_known(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        # Asked on every attempt, not once per client, so rotating STS credentials
        # are picked up as soon as the provider has them.
        self._sign(request, await self._credentials())
        return await call_next(request)

    def _sign(self, request: httpx.Request, credentials: Credentials) -> None:
        headers = request.headers
        for name in _SIGNATURE_HEADERS:
            # Checked first: Headers.pop() of a missing name raises and catches a KeyError,
            # and on a first attempt all three are missing (3 us a call, against 1 us).
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
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger if logger is not None else logging.getLogger("bce_vpn_async")

    def __call__(self, request: httpx.Request, call_next: Handler) -> Awaitable[httpx.Response]:
        if not self._logger.isEnabledFor(logging.DEBUG):
            return call_next(request)
        return self._logged(request, call_next)

    async def _logged(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        logger = self._logger
        operation = request.extensions.get("bce_operation", "-")
        attempt = request.extensions.get("bce_attempt", 1)
        target = request.url.raw_path.decode("ascii", "replace")
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:
            logger.debug(
                "%s attempt %s: %s %s failed with %s after %.1f ms",
                operation,
                attempt,
                request.method,
                target,
                type(exc).__name__,
                (time.perf_counter() - started) * 1000,
            )
            raise
        logger.debug(
            "%s attempt %s: %s %s -> %s (request id %s) in %.1f ms",
            operation,
            attempt,
            request.method,
            target,
            response.status_code,
            response.headers.get(REQUEST_ID_HEADER, "-"),
            (time.perf_counter() - started) * 1000,
        )
        return response

    def __repr__(self) -> str:
        return f"LoggingMiddleware(logger={self._logger.name!r})"
