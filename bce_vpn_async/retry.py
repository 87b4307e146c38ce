"""Retrying a call: the policy (data), the decision (a pure function) and the middleware.

Writes are safe to retry only because the client fixes their ``clientToken`` in the
URL before the first attempt; this middleware never touches the URL. It sits outside
the signing middleware, so each attempt carries a fresh ``x-bce-date`` and signature.
"""

from __future__ import annotations

import asyncio
import email.utils
import enum
import logging
import math
import random
from datetime import UTC
from typing import TYPE_CHECKING, Any

import httpx
from attrs import Attribute, field, frozen, validators

from .errors import BceTimeoutError, BceTransportError, error_from_response

if TYPE_CHECKING:
    from ._clock import Clock
    from .pipeline import ClockSkew, Handler

__all__ = [
    "MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "TRANSIENT_CODES",
    "Decision",
    "RetryMiddleware",
    "RetryPolicy",
    "classify",
    "parse_retry_after",
]

_logger = logging.getLogger("bce_vpn_async.retry")

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

# Error codes that mean "try again later" whatever the status they come with: the
# documented server-side failures, and the throttling codes BCE services use.
TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "ServiceInternalError",
        "ServiceUnavailable",
        "RequestLimitExceeded",
        "TooManyRequests",
        "Throttling",
        "SlowDown",
    }
)

# A server asking for more than a minute is better answered with its error at once:
# the caller can decide to wait, a hidden sleep cannot be interrupted by them.
MAX_RETRY_AFTER = 60.0


def _non_negative_finite(instance: object, attribute: Attribute[float], value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{attribute.name} must be a finite number >= 0")


def _positive_or_none(instance: object, attribute: Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, (int, float)):
        raise TypeError(f"{attribute.name} must be a number or None")
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0 or None")


_number = validators.instance_of((int, float))


@frozen(kw_only=True)
class RetryPolicy:
    """How hard to try: attempts (counting the first), backoff bounds, and a total deadline.

    The total timeout also bounds the attempt in flight. A ``Retry-After`` from the
    service replaces the computed delay, even above ``max_delay``.
    """

    max_attempts: int = field(default=4, validator=[validators.instance_of(int), validators.ge(1)])
    initial_delay: float = field(default=0.5, validator=[_number, _non_negative_finite])
    max_delay: float = field(default=20.0, validator=[_number, _non_negative_finite])
    total_timeout: float | None = field(default=60.0, validator=_positive_or_none)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The delay after failed attempt number ``attempt`` (1-based): full jitter."""
        if attempt < 1:
            raise ValueError("attempt counts from 1")
        # The exponent is capped so a huge attempt number gives max_delay, not OverflowError.
        ceiling = min(self.max_delay, self.initial_delay * 2.0 ** min(attempt - 1, 1000))
        return rng.uniform(0.0, ceiling)


def _parse_http_date(value: str) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        # RFC 5322's "-0000" (and no zone at all) parse as naive; HTTP dates are UTC.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    ``now`` is epoch seconds. A time in the past gives 0; anything unreadable gives
    None, so the caller falls back to its own backoff.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        when = _parse_http_date(text)
        if when is None:
            return None
        seconds = when - now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


# Transport errors about the request itself (a scheme httpx cannot speak, a request
# h11 refuses to write): the same request would fail the same way every time.
_PERMANENT_TRANSPORT_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


class Decision(enum.Enum):
    STOP = "stop"
    """Success, or a failure another attempt cannot fix."""
    RETRY = "retry"
    """A transient failure: back off and try again."""
    RESYNC_CLOCK = "resync_clock"
    """``RequestExpired``: correct the clock offset and try again at once."""


def _error_code(response: httpx.Response) -> str | None:
    try:
        return error_from_response(response).code
    except (httpx.ResponseNotRead, RecursionError):
        # Deciding whether to retry must never fail; an unreadable body has no code.
        return None


def classify(outcome: httpx.Response | BaseException) -> Decision:
    """Whether an attempt's outcome (a response, or what it raised) is worth another try."""
    if isinstance(outcome, BaseException):
        retryable = isinstance(outcome, httpx.TransportError) and not isinstance(
            outcome, _PERMANENT_TRANSPORT_ERRORS
        )
        return Decision.RETRY if retryable else Decision.STOP
    if outcome.status_code < 400:
        return Decision.STOP
    code = _error_code(outcome)
    if code == "RequestExpired":
        return Decision.RESYNC_CLOCK
    if outcome.status_code in RETRYABLE_STATUSES or code in TRANSIENT_CODES:
        return Decision.RETRY
    return Decision.STOP


class RetryMiddleware:
    """Retries transient failures with backoff under one total deadline.

    When the attempts or the time run out on an error response, that response is
    returned (the client turns it into a typed error); when they run out on a
    transport error, ``BceTransportError`` or ``BceTimeoutError`` is raised from it.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        clock: Clock,
        skew: ClockSkew,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._skew = skew
        self._rng = rng if rng is not None else random.Random()

    def __repr__(self) -> str:
        return f"RetryMiddleware({self.policy!r})"

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        policy = self.policy
        clock = self._clock
        deadline = (
            None if policy.total_timeout is None else clock.monotonic() + policy.total_timeout
        )
        base_timeout = request.extensions.get("timeout")
        resynced = False
        attempt = 0
        while True:
            attempt += 1
            remaining = None if deadline is None else deadline - clock.monotonic()
            request.extensions["bce_attempt"] = attempt
            if remaining is not None and isinstance(base_timeout, dict):
                # The transport's own timeouts must not outlive the deadline either.
                request.extensions["timeout"] = {
                    name: remaining if value is None else min(value, remaining)
                    for name, value in base_timeout.items()
                }
            try:
                async with asyncio.timeout(remaining) as scope:
                    response = await _send_and_read_error(request, call_next)
            except TimeoutError as exc:
                if not scope.expired():
                    raise
                raise BceTimeoutError(
                    f"{request.method} {request.url.path} timed out: the total timeout of "
                    f"{policy.total_timeout} s passed during attempt {attempt}"
                ) from exc
            except httpx.TransportError as exc:
                if attempt < policy.max_attempts and classify(exc) is Decision.RETRY:
                    delay = policy.backoff(attempt, self._rng)
                    if not _passes(deadline, delay, clock):
                        _announce_retry(request, attempt, type(exc).__name__, delay)
                        await clock.sleep(delay)
                        continue
                raise _gave_up(request, attempt, exc) from exc

            decision = classify(response)
            if decision is Decision.STOP or attempt >= policy.max_attempts:
                return response
            if decision is Decision.RESYNC_CLOCK:
                if resynced:
                    return response
                resynced = True
                self._resync(response)
                await response.aclose()
                _announce_retry(request, attempt, "RequestExpired", 0.0)
                continue

            delay = self._delay(response, attempt)
            if _passes(deadline, delay, clock):
                return response
            await response.aclose()
            _announce_retry(request, attempt, str(response.status_code), delay)
            await clock.sleep(delay)

    def _delay(self, response: httpx.Response, attempt: int) -> float:
        asked = parse_retry_after(
            response.headers.get("retry-after"), self._clock.time() + self._skew.offset
        )
        if asked is None:
            return self.policy.backoff(attempt, self._rng)
        return min(asked, MAX_RETRY_AFTER)

    def _resync(self, response: httpx.Response) -> None:
        date = response.headers.get("date")
        server_time = None if date is None else _parse_http_date(date)
        # Without a readable Date the retry still gets a fresh timestamp, which is
        # enough when the first attempt was merely delayed in flight.
        if server_time is not None:
            self._skew.offset = server_time - self._clock.time()


async def _send_and_read_error(request: httpx.Request, call_next: Handler) -> httpx.Response:
    response = await call_next(request)
    if response.status_code >= 400:
        # The decision needs the error code from the body; a streamed response has not
        # read it yet. It is small, and the caller needs it for the typed error anyway.
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
    return response


def _gave_up(request: httpx.Request, attempt: int, exc: httpx.TransportError) -> BceTransportError:
    error = BceTimeoutError if isinstance(exc, httpx.TimeoutException) else BceTransportError
    # The path only: query values and headers stay out of messages that end up in logs.
    return error(
        f"{request.method} {request.url.path} failed after {attempt} attempt(s): "
        f"{type(exc).__name__}: {exc}"
    )


def _passes(deadline: float | None, delay: float, clock: Clock) -> bool:
    """Whether sleeping ``delay`` would leave no time for another attempt."""
    return deadline is not None and clock.monotonic() + delay >= deadline


def _announce_retry(request: httpx.Request, attempt: int, reason: str, delay: float) -> None:
    # Middleware inside the retry (tracing) reads the delay when the next attempt comes in.
    request.extensions["bce_retry_delay"] = delay
    _logger.debug(
        "%s attempt %s failed (%s); retrying in %.3f s",
        request.extensions.get("bce_operation", request.method),
        attempt,
        reason,
        delay,
    )
