"""Retrying a call: the policy (data), the decision (a pure function) and the middleware.

Writes are safe to retry only because the client fixes their ``clientToken`` in the
URL before the first attempt; this middleware never touches the URL. It sits outside
the signing middleware, so each attempt carries a fresh ``x-bce-date`` and signature.
"""

from __future__ import annotations

import email.utils
import enum
import logging
import math
import random
from datetime import UTC
from typing import TYPE_CHECKING

import attrs
import httpx
from attrs import field, frozen

from . import _config_validators as validators
from ._budget import RetryBudget, RetryTokens
from ._errors import BceResponseError, BceTimeoutError, BceTransportError, error_from_response
from ._pipeline import CallContext, operation_name
from ._ratelimit import THROTTLING_CODES, is_throttling
from ._transport import is_transient

if TYPE_CHECKING:
    from ._clock import Clock
    from ._pipeline import ClockSkew, Handler

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

_logger = logging.getLogger("bce_vpn_async._retry")

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

# Error codes that mean "try again later" whatever the status they come with: the
# documented server-side failures, and the throttling codes BCE services use.
TRANSIENT_CODES = frozenset(
    {"InternalError", "ServiceInternalError", "ServiceUnavailable", *THROTTLING_CODES}
)

# The longest Retry-After obeyed: a longer one is cut to this (and, like every delay, to
# what the total deadline leaves), so one answer cannot park a call for an hour.
MAX_RETRY_AFTER = 60.0


@frozen(kw_only=True)
class RetryPolicy:
    """How hard to try: attempts (counting the first), backoff bounds, and a total deadline.

    ``total_timeout`` (seconds; None for no bound) bounds a call from the moment it starts
    to its result. A call starts when it gets its place under
    ``ClientConfig(max_concurrency=...)``, at once when there is no such bound; every wait
    after that counts, whatever the per-attempt phase timeouts add up to: a rate-limit
    slot, a connection from the pool, every attempt and every backoff sleep. A call still
    running at its deadline ends with ``BceTimeoutError``; a backoff (or ``Retry-After``)
    that would end past the deadline is not waited out: the call ends at once with its
    last attempt's error. Time is the client's ``Clock``.

    A ``Retry-After`` from the service replaces the computed delay, even above
    ``max_delay`` (capped at ``MAX_RETRY_AFTER``, 60 s).

    ```python
    config = ClientConfig(retry=RetryPolicy(max_attempts=6, total_timeout=120.0))
    ```

    Raises:
        ValueError: A count below 1, a negative delay or a timeout <= 0.
        TypeError: A value of the wrong type.
    """

    max_attempts: int = field(default=4, validator=validators.integer(1))
    """Attempts per call, the first included (1 for no retry)."""
    initial_delay: float = field(default=0.5, validator=validators.number(positive=False))
    """Seconds of the first backoff's ceiling.

    Each later ceiling doubles, and the delay is drawn between 0 and it (full jitter).
    """
    max_delay: float = field(default=20.0, validator=validators.number(positive=False))
    """The highest backoff ceiling, in seconds."""
    total_timeout: float | None = field(
        default=60.0, validator=validators.number(positive=True, optional=True)
    )
    """Seconds a call may take in all, or None for no bound."""
    budget: RetryBudget | None = field(
        factory=RetryBudget, validator=validators.instance_or_none(RetryBudget)
    )
    """A `RetryBudget`, or None for no limit beyond `max_attempts`.

    It keeps the client's retries to a share of its recent successful calls.
    """

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The delay after a failed attempt: full jitter under the attempt's ceiling.

        Args:
            attempt: The number of the attempt that failed, from 1.
            rng: Where the jitter comes from.

        Returns:
            Seconds to wait, between 0 and ``min(max_delay, initial_delay * 2 **
            (attempt - 1))``.

        Raises:
            ValueError: ``attempt`` is below 1.
        """
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
    """Whether an attempt's outcome (a response, or what it raised) is worth another try.

    Of errors, only those of the send path are retried, and only the ones another attempt
    may fix: a lost connection, a timeout, a garbled answer. A request the transport
    refuses to write, a scheme it cannot speak or a body that does not decode fails the
    same way every time.
    """
    if isinstance(outcome, BaseException):
        return Decision.RETRY if is_transient(outcome) else Decision.STOP
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
    returned (the client turns it into a typed error); when they run out on an error of
    the send path (``BceTransportError``, ``BceTimeoutError``, ``BceResponseError``), the
    last one is raised again, its message saying how many attempts were made. The same
    happens at once when the retry budget is spent.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        clock: Clock,
        skew: ClockSkew,
        rng: random.Random | None = None,
        tokens: RetryTokens | None = None,
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._skew = skew
        self._rng = rng if rng is not None else random.Random()
        # One balance for the whole client: every task's calls earn into it. ``tokens`` is
        # the balance of policy.budget shared with a client's with_options copies.
        if policy.budget is None:
            tokens = None
        elif tokens is None:
            tokens = RetryTokens(policy.budget, clock.monotonic())
        self._tokens = tokens

    def __repr__(self) -> str:
        return f"RetryMiddleware({self.policy!r})"

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        policy = self.policy
        clock = self._clock
        total = policy.total_timeout
        deadline = None if total is None else clock.monotonic() + total
        context = CallContext.of(request)
        resynced = False
        attempt = 0
        delay = 0.0
        # One bound on the clock for everything the call awaits from here to its result:
        # rate-limit slots, every attempt and every backoff.
        scope = clock.timeout(total)
        try:
            async with scope:
                while True:
                    attempt += 1
                    if attempt > 1 and context is not None:
                        context.attempt = attrs.evolve(
                            context.attempt, number=attempt, retry_delay=delay
                        )
                    try:
                        response = await call_next(request)
                        if response.status_code >= 400:
                            # The decision needs the error code from the body; a streamed
                            # response has not read it yet. It is small, and the caller
                            # needs it for the typed error anyway.
                            await _read_or_close(response)
                    except (BceTransportError, BceResponseError) as exc:
                        if attempt < policy.max_attempts and classify(exc) is Decision.RETRY:
                            delay = policy.backoff(attempt, self._rng)
                            if _time_left_after(delay, deadline, clock) and self._may_retry(
                                request, None
                            ):
                                cause = exc.__cause__
                                _log_retry(request, attempt, type(cause or exc).__name__, delay)
                                await clock.sleep(delay)
                                continue
                        raise _gave_up(exc, attempt) from exc.__cause__

                    decision = classify(response)
                    if decision is Decision.STOP:
                        if self._tokens is not None:
                            self._tokens.earn(clock.monotonic())
                        return response
                    if attempt >= policy.max_attempts:
                        return response
                    if decision is Decision.RESYNC_CLOCK:
                        if resynced:
                            return response
                        resynced = True
                        self._resync(response)
                        await response.aclose()
                        delay = 0.0
                        _log_retry(request, attempt, "RequestExpired", delay)
                        continue

                    delay = self._delay(response, attempt)
                    if not (
                        _time_left_after(delay, deadline, clock)
                        and self._may_retry(request, response)
                    ):
                        return response
                    await response.aclose()
                    _log_retry(request, attempt, str(response.status_code), delay)
                    await clock.sleep(delay)
        except TimeoutError as exc:
            if not scope.expired():
                raise
            raise _out_of_time(request, policy, attempt) from exc

    def _may_retry(self, request: httpx.Request, response: httpx.Response | None) -> bool:
        """Whether the budget allows one more retry (and takes its token if so)."""
        tokens = self._tokens
        # A throttle is the rate limiter's business (and its Retry-After says when to come
        # back); the budget is for a service that is failing, not one asking to slow down.
        if tokens is None or (response is not None and is_throttling(response)):
            return True
        if tokens.spend(self._clock.monotonic()):
            return True
        _logger.debug("%s: the retry budget is spent; not retrying", operation_name(request))
        return False

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


async def _read_or_close(response: httpx.Response) -> None:
    try:
        await response.aread()
    except BaseException:
        await response.aclose()
        raise


def _out_of_time(request: httpx.Request, policy: RetryPolicy, attempt: int) -> BceTimeoutError:
    return BceTimeoutError(
        f"{request.method} {request.url.path} timed out: the total timeout of "
        f"{policy.total_timeout} s passed during attempt {attempt}"
    )


def _gave_up(
    error: BceTransportError | BceResponseError, attempt: int
) -> BceTransportError | BceResponseError:
    """``error`` again, its message saying how many attempts were made."""
    note = f" after {attempt} attempt(s)"
    if isinstance(error, BceResponseError):
        return BceResponseError(
            error.message + note,
            status_code=error.status_code,
            code=error.code,
            request_id=error.request_id,
        )
    return type(error)(f"{error}{note}")


def _time_left_after(delay: float, deadline: float | None, clock: Clock) -> bool:
    """Whether sleeping ``delay`` still leaves time for another attempt before ``deadline``."""
    return deadline is None or clock.monotonic() + delay < deadline


def _log_retry(request: httpx.Request, attempt: int, reason: str, delay: float) -> None:
    _logger.debug(
        "%s attempt %s failed (%s); retrying in %.3f s",
        operation_name(request),
        attempt,
        reason,
        delay,
    )
