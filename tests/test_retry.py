from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bce_vpn_async import (
    Attempt,
    BceTimeoutError,
    BceTransportError,
    BceV1Signer,
    Credentials,
    Handler,
    RetryPolicy,
)
from bce_vpn_async._credentials import as_provider
from bce_vpn_async._pipeline import CallContext, ClockSkew, Pipeline, SigningMiddleware
from bce_vpn_async._retry import (
    MAX_RETRY_AFTER,
    TRANSIENT_CODES,
    Decision,
    RetryMiddleware,
    classify,
    parse_retry_after,
)
from bce_vpn_async._signing import format_timestamp
from bce_vpn_async._transport import transport_error
from bce_vpn_async.testing import FakeClock, SystemClock

NOW = 1_700_000_000.0
URL = "https://bcc.bj.baidubce.com/v1/vpn?clientToken=tok-1"
Outcome = httpx.Response | BaseException


class FakeSigner:
    def __init__(self) -> None:
        self.timestamps: list[float] = []

    def sign(self, request: httpx.Request, credentials: Credentials, timestamp: float) -> None:
        self.timestamps.append(timestamp)
        request.headers["x-bce-date"] = repr(timestamp)
        request.headers["authorization"] = f"fake/{credentials.access_key_id}/{timestamp!r}"


class Script:
    """A ``send`` that answers with the given outcomes in turn and records each request."""

    def __init__(self, *outcomes: Outcome | Callable[[], Awaitable[Outcome]]) -> None:
        self.outcomes = list(outcomes)
        self.seen: list[dict[str, Any]] = []
        self.responses: list[httpx.Response] = []

    @property
    def calls(self) -> int:
        return len(self.seen)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(
            {
                "url": str(request.url),
                "headers": request.headers.multi_items(),
                "extensions": dict(request.extensions),
            }
        )
        outcome = self.outcomes.pop(0)
        if callable(outcome):
            outcome = await outcome()
        if isinstance(outcome, httpx.HTTPError):
            # What the client's send path does with a transport's exception.
            raise transport_error(outcome, request) from outcome
        if isinstance(outcome, BaseException):
            raise outcome
        outcome.request = request
        self.responses.append(outcome)
        return outcome


def typed(exc: Exception) -> BaseException:
    """The send path's error for ``exc``, its cause chained as when it is raised."""
    error = transport_error(exc, httpx.Request("GET", URL))
    error.__cause__ = exc
    return error


def error(status: int, code: str | None = None, **headers: str) -> httpx.Response:
    body = {"code": code, "message": "m", "requestId": "r"} if code else None
    return httpx.Response(
        status, json=body, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )


def make_request(timeout: dict[str, float | None] | None = None) -> httpx.Request:
    extensions: dict[str, Any] = {}
    if timeout is not None:
        extensions["timeout"] = timeout
    request = httpx.Request("POST", URL, json={"vpcId": "vpc-1"}, extensions=extensions)
    CallContext.attach(request, "create_vpn")
    return request


def retrying(
    send: Handler,
    *,
    clock: FakeClock | SystemClock | None = None,
    skew: ClockSkew | None = None,
    middleware: Sequence[Any] = (),
    **policy: Any,
) -> Pipeline:
    clock = clock if clock is not None else FakeClock(NOW)
    retry = RetryMiddleware(
        RetryPolicy(**policy), clock, skew if skew is not None else ClockSkew(), random.Random(7)
    )
    return Pipeline([retry, *middleware], send)


# --- classify -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_classify_retries_each_transient_status(status: int) -> None:
    assert classify(error(status)) is Decision.RETRY


@pytest.mark.parametrize("status", [200, 204, 304, 400, 401, 403, 404, 409, 412, 413, 501])
def test_classify_stops_on_success_and_on_other_statuses(status: int) -> None:
    assert classify(error(status, "BadRequest" if status >= 400 else None)) is Decision.STOP


@pytest.mark.parametrize("code", sorted(TRANSIENT_CODES))
def test_classify_retries_each_transient_error_code_whatever_the_status(code: str) -> None:
    assert classify(error(400, code)) is Decision.RETRY


def test_classify_asks_for_a_clock_resync_on_request_expired() -> None:
    assert classify(error(400, "RequestExpired")) is Decision.RESYNC_CLOCK


@pytest.mark.parametrize(
    "body",
    [b"<html>bad gateway</html>", b'{"code": "Int', b"[1, 2]", b"\xff\xfe", b"[" * 100_000, b""],
)
def test_classify_never_raises_on_an_unreadable_body(body: bytes) -> None:
    assert classify(httpx.Response(400, content=body)) is Decision.STOP


def test_classify_treats_an_unread_streamed_body_as_having_no_code() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"code": "Throttling"}'

    assert classify(httpx.Response(400, content=chunks())) is Decision.STOP


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("slow"),
        httpx.PoolTimeout("busy"),
    ],
)
def test_classify_retries_transport_errors(exc: Exception) -> None:
    assert classify(typed(exc)) is Decision.RETRY


@pytest.mark.parametrize(
    "exc",
    [
        typed(httpx.UnsupportedProtocol("ftp")),
        typed(httpx.LocalProtocolError("bad header")),
        typed(httpx.DecodingError("not gzip")),
        typed(ValueError("a transport's bug")),
        BceTransportError("raised by the SDK itself, from no transport error"),
        httpx.ConnectError("a raw error that never went through the send path"),
        ValueError("bug"),
        asyncio.CancelledError(),
    ],
)
def test_classify_stops_on_errors_another_attempt_cannot_fix(exc: BaseException) -> None:
    assert classify(exc) is Decision.STOP


# --- parse_retry_after ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-3", 0.0),
        (email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
        (email.utils.formatdate(NOW - 30, usegmt=True), 0.0),
        ("Tue, 14 Nov 2023 22:13:50 -0000", 30.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after_reads_seconds_and_http_dates(
    value: str | None, expected: float | None
) -> None:
    assert parse_retry_after(value, NOW) == expected


# --- RetryPolicy ----------------------------------------------------------------------


def test_retry_policy_defaults_match_the_design() -> None:
    assert RetryPolicy() == RetryPolicy(
        max_attempts=4, initial_delay=0.5, max_delay=20.0, total_timeout=60.0
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"initial_delay": -0.1},
        {"max_delay": -1},
        {"max_delay": float("inf")},
        {"total_timeout": 0},
        {"total_timeout": -5.0},
    ],
)
def test_retry_policy_rejects_out_of_range_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize("kwargs", [{"max_attempts": 2.5}, {"total_timeout": "60"}])
def test_retry_policy_rejects_values_of_the_wrong_type(kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        RetryPolicy(**kwargs)


def test_retry_policy_allows_no_total_timeout() -> None:
    assert RetryPolicy(total_timeout=None).total_timeout is None


@given(
    attempt=st.integers(min_value=1, max_value=5000),
    initial=st.floats(min_value=0, max_value=100),
    maximum=st.floats(min_value=0, max_value=1000),
    seed=st.integers(),
)
def test_backoff_is_full_jitter_below_the_capped_exponential(
    attempt: int, initial: float, maximum: float, seed: int
) -> None:
    policy = RetryPolicy(initial_delay=initial, max_delay=maximum)
    ceiling = min(maximum, initial * 2.0 ** min(attempt - 1, 1000))

    assert 0.0 <= policy.backoff(attempt, random.Random(seed)) <= ceiling


def test_backoff_rejects_an_attempt_number_below_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        RetryPolicy().backoff(0, random.Random())


# --- RetryMiddleware: what is retried -------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_each_transient_status_is_retried_until_success(status: int) -> None:
    send = Script(error(status), httpx.Response(200, json={"vpnId": "vpn-1"}))

    response = await retrying(send)(make_request())

    assert response.status_code == 200
    assert send.calls == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 413])
async def test_other_client_errors_are_never_retried(status: int) -> None:
    send = Script(error(status, "BadRequest"), httpx.Response(200))

    response = await retrying(send)(make_request())

    assert response.status_code == status
    assert send.calls == 1


async def test_a_transient_code_in_a_400_body_is_retried() -> None:
    send = Script(error(400, "Throttling"), httpx.Response(200))

    response = await retrying(send)(make_request())

    assert response.status_code == 200
    assert send.calls == 2


async def test_the_last_error_response_is_returned_readable_when_attempts_run_out() -> None:
    send = Script(*(error(503, "ServiceUnavailable") for _ in range(4)))

    response = await retrying(send)(make_request())

    assert send.calls == 4
    assert response is send.responses[-1]
    assert response.json()["code"] == "ServiceUnavailable"


async def test_backoff_sleeps_grow_within_full_jitter_bounds() -> None:
    clock = FakeClock(NOW)
    send = Script(*(error(500) for _ in range(4)))

    await retrying(send, clock=clock, initial_delay=1.0, max_delay=3.0)(make_request())

    assert len(clock.sleeps) == 3
    for sleep, ceiling in zip(clock.sleeps, [1.0, 2.0, 3.0], strict=True):
        assert 0.0 <= sleep <= ceiling


async def test_a_single_attempt_policy_never_retries() -> None:
    send = Script(error(503), httpx.Response(200))

    response = await retrying(send, max_attempts=1)(make_request())

    assert response.status_code == 503
    assert send.calls == 1


async def test_an_exception_that_is_not_a_transport_error_propagates_unretried() -> None:
    send = Script(ValueError("bug in a middleware"), httpx.Response(200))

    with pytest.raises(ValueError, match="bug in a middleware"):
        await retrying(send)(make_request())

    assert send.calls == 1


# --- Retry-After ----------------------------------------------------------------------


async def test_retry_after_in_seconds_replaces_the_backoff() -> None:
    clock = FakeClock(NOW)
    send = Script(error(429, retry_after="7"), httpx.Response(200))

    await retrying(send, clock=clock)(make_request())

    assert clock.sleeps == [7.0]


async def test_retry_after_as_an_http_date_replaces_the_backoff() -> None:
    clock = FakeClock(NOW)
    when = email.utils.formatdate(NOW + 12, usegmt=True)
    send = Script(error(503, retry_after=when), httpx.Response(200))

    await retrying(send, clock=clock)(make_request())

    assert clock.sleeps == [12.0]


async def test_retry_after_is_honoured_above_max_delay() -> None:
    clock = FakeClock(NOW)
    send = Script(error(429, retry_after="5"), httpx.Response(200))

    await retrying(send, clock=clock, max_delay=1.0)(make_request())

    assert clock.sleeps == [5.0]


async def test_retry_after_is_capped_at_sixty_seconds() -> None:
    clock = FakeClock(NOW)
    send = Script(error(429, retry_after="3600"), httpx.Response(200))

    await retrying(send, clock=clock, total_timeout=None)(make_request())

    assert clock.sleeps == [MAX_RETRY_AFTER] == [60.0]


async def test_an_unreadable_retry_after_falls_back_to_the_backoff() -> None:
    clock = FakeClock(NOW)
    send = Script(error(429, retry_after="later"), httpx.Response(200))

    await retrying(send, clock=clock, initial_delay=0.5)(make_request())

    [sleep] = clock.sleeps
    assert 0.0 <= sleep <= 0.5


# --- the deadline ---------------------------------------------------------------------


async def test_a_delay_that_would_pass_the_deadline_stops_the_retries() -> None:
    clock = FakeClock(NOW)
    send = Script(error(429, retry_after="30"), httpx.Response(200))

    response = await retrying(send, clock=clock, total_timeout=10.0)(make_request())

    assert response.status_code == 429
    assert send.calls == 1
    assert clock.sleeps == []


async def test_time_spent_in_attempts_counts_against_the_deadline() -> None:
    clock = FakeClock(NOW)

    async def slow_failure() -> Outcome:
        clock.advance(4.0)
        return error(503, retry_after="1")

    send = Script(*(slow_failure for _ in range(4)))

    response = await retrying(send, clock=clock, total_timeout=10.0)(make_request())

    # 4 s + 1 s + 4 s = 9 s: a further 1 s sleep would reach the deadline.
    assert response.status_code == 503
    assert send.calls == 2


async def test_the_deadline_bounds_a_stalled_attempt() -> None:
    never = asyncio.Event()

    async def stall() -> Outcome:
        await never.wait()
        return httpx.Response(200)

    send = Script(stall)
    started = time.monotonic()

    with pytest.raises(BceTimeoutError, match=r"total timeout of 0\.05 s") as caught:
        await retrying(send, clock=SystemClock(), total_timeout=0.05)(make_request())

    assert time.monotonic() - started < 0.2
    assert isinstance(caught.value.__cause__, TimeoutError)


@pytest.mark.parametrize("total_timeout", [None, 10.0])
async def test_the_transport_timeouts_are_left_alone(total_timeout: float | None) -> None:
    # The total timeout bounds the call on the clock, whatever the phases add up to.
    send = Script(httpx.Response(200))
    base = {"connect": 5.0, "read": 30.0, "write": 30.0, "pool": None}

    await retrying(send, total_timeout=total_timeout)(make_request(timeout=dict(base)))

    assert send.seen[0]["extensions"]["timeout"] == base


# --- RequestExpired and signing -------------------------------------------------------


def signed(send: Handler, clock: FakeClock, skew: ClockSkew, signer: FakeSigner) -> Pipeline:
    return retrying(
        send,
        clock=clock,
        skew=skew,
        middleware=[SigningMiddleware(signer, as_provider(Credentials("ak", "sk")), clock, skew)],
    )


async def test_request_expired_corrects_the_skew_from_date_and_resigns_with_it_at_once() -> None:
    clock, skew, signer = FakeClock(NOW), ClockSkew(), FakeSigner()
    server_date = email.utils.formatdate(NOW + 600, usegmt=True)
    send = Script(error(400, "RequestExpired", date=server_date), httpx.Response(200))

    response = await signed(send, clock, skew, signer)(make_request())

    assert response.status_code == 200
    assert skew.offset == 600.0
    assert signer.timestamps == [NOW, NOW + 600]
    assert clock.sleeps == []


async def test_request_expired_is_retried_only_once() -> None:
    date = email.utils.formatdate(NOW + 600, usegmt=True)
    send = Script(*(error(400, "RequestExpired", date=date) for _ in range(3)))

    response = await retrying(send)(make_request())

    assert response.status_code == 400
    assert send.calls == 2


async def test_request_expired_without_a_date_is_retried_once_with_the_skew_unchanged() -> None:
    skew = ClockSkew(offset=5.0)
    send = Script(error(400, "RequestExpired"), httpx.Response(200))

    response = await retrying(send, skew=skew)(make_request())

    assert response.status_code == 200
    assert skew.offset == 5.0


async def test_the_request_expired_retry_counts_as_an_attempt() -> None:
    send = Script(error(400, "RequestExpired"), httpx.Response(200))

    response = await retrying(send, max_attempts=1)(make_request())

    assert response.status_code == 400
    assert send.calls == 1


async def test_every_attempt_is_resigned_with_a_fresh_date_and_a_single_authorization() -> None:
    clock, skew, signer = FakeClock(NOW), ClockSkew(), FakeSigner()
    send = Script(error(503, retry_after="2"), error(500, retry_after="3"), httpx.Response(200))

    await signed(send, clock, skew, signer)(make_request())

    dates = [dict(seen["headers"])["x-bce-date"] for seen in send.seen]
    assert dates == [repr(NOW), repr(NOW + 2), repr(NOW + 5)]
    for seen in send.seen:
        assert [name for name, _ in seen["headers"] if name == "authorization"] == ["authorization"]


async def test_the_bce_v1_signer_dates_and_signs_each_attempt_afresh() -> None:
    clock, skew = FakeClock(NOW), ClockSkew()
    signing = SigningMiddleware(BceV1Signer(), as_provider(Credentials("ak", "sk")), clock, skew)
    send = Script(error(503, retry_after="2"), httpx.Response(200))

    await retrying(send, clock=clock, skew=skew, middleware=[signing])(make_request())

    headers = [dict(seen["headers"]) for seen in send.seen]
    assert [h["x-bce-date"] for h in headers] == [format_timestamp(NOW), format_timestamp(NOW + 2)]
    first, second = (h["authorization"] for h in headers)
    assert first.startswith("bce-auth-v1/ak/")
    assert second.startswith("bce-auth-v1/ak/")
    assert first != second


async def test_the_client_token_in_the_url_is_identical_on_every_attempt() -> None:
    send = Script(httpx.ConnectError("refused"), error(502), httpx.Response(200))

    await retrying(send)(make_request())

    assert [seen["url"] for seen in send.seen] == [URL] * 3


# --- resources and cancellation -------------------------------------------------------


class ClosingStream(httpx.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.body

    async def aclose(self) -> None:
        self.closed = True


class CheckingClock(FakeClock):
    """Records, at each sleep, whether every response so far has been closed."""

    def __init__(self, send: Script) -> None:
        super().__init__(NOW)
        self.send = send
        self.closed_at_sleep: list[bool] = []

    async def sleep(self, seconds: float) -> None:
        self.closed_at_sleep.append(all(r.is_closed for r in self.send.responses))
        await super().sleep(seconds)


async def test_a_response_is_closed_before_the_retry_sleep() -> None:
    streams = [ClosingStream(b'{"code": "InternalError"}') for _ in range(2)]
    send = Script(
        httpx.Response(500, stream=streams[0]),
        httpx.Response(503, stream=streams[1]),
        httpx.Response(200),
    )
    clock = CheckingClock(send)

    await retrying(send, clock=clock)(make_request())

    assert clock.closed_at_sleep == [True, True]
    assert all(stream.closed for stream in streams)


async def test_a_streamed_error_body_is_read_to_find_a_transient_code() -> None:
    stream = ClosingStream(b'{"code": "RequestLimitExceeded"}')
    send = Script(httpx.Response(400, stream=stream), httpx.Response(200))

    response = await retrying(send)(make_request())

    assert response.status_code == 200
    assert stream.closed


async def test_cancelled_error_from_send_propagates_and_is_not_retried() -> None:
    send = Script(asyncio.CancelledError(), httpx.Response(200))

    with pytest.raises(asyncio.CancelledError):
        await retrying(send)(make_request())

    assert send.calls == 1


async def test_cancelling_the_caller_during_an_attempt_stops_it_without_a_retry() -> None:
    started = asyncio.Event()

    async def stall() -> Outcome:
        started.set()
        await asyncio.Event().wait()
        return httpx.Response(200)

    send = Script(stall, httpx.Response(200))
    task = asyncio.create_task(retrying(send, clock=SystemClock())(make_request()))
    await started.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task

    assert send.calls == 1


# --- transport errors -----------------------------------------------------------------


async def test_a_transport_error_is_retried_until_success() -> None:
    send = Script(httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.Response(200))

    response = await retrying(send)(make_request())

    assert response.status_code == 200
    assert send.calls == 3


async def test_transport_errors_past_the_budget_raise_bce_transport_error_from_the_last() -> None:
    last = httpx.ConnectError("refused again")
    send = Script(*(httpx.ConnectError("refused") for _ in range(3)), last)

    with pytest.raises(BceTransportError, match="after 4 attempt") as caught:
        await retrying(send)(make_request())

    assert type(caught.value) is BceTransportError
    assert caught.value.__cause__ is last
    assert "POST /v1/vpn " in str(caught.value)
    assert "tok-1" not in str(caught.value)


async def test_timeouts_past_the_budget_raise_bce_timeout_error_from_the_last() -> None:
    last = httpx.ReadTimeout("read timed out")
    send = Script(httpx.ConnectTimeout("slow"), last)

    with pytest.raises(BceTimeoutError, match="after 2 attempt") as caught:
        await retrying(send, max_attempts=2)(make_request())

    assert caught.value.__cause__ is last


async def test_a_transport_retry_that_would_pass_the_deadline_raises_at_once() -> None:
    clock = FakeClock(NOW)

    async def slow_refusal() -> Outcome:
        clock.advance(9.9)
        return httpx.ConnectError("refused")

    send = Script(slow_refusal, httpx.Response(200))

    with pytest.raises(BceTransportError, match="after 1 attempt"):
        await retrying(send, clock=clock, total_timeout=10.0, initial_delay=1.0)(make_request())

    assert clock.sleeps == []


async def test_a_transport_error_about_the_request_itself_is_wrapped_without_a_retry() -> None:
    send = Script(httpx.UnsupportedProtocol("no ftp"), httpx.Response(200))

    with pytest.raises(BceTransportError, match="after 1 attempt"):
        await retrying(send)(make_request())

    assert send.calls == 1


# --- the chain ------------------------------------------------------------------------


async def test_middleware_inside_the_retry_sees_every_attempt_with_its_number() -> None:
    attempts: list[int] = []

    async def watch(request: httpx.Request, call_next: Handler) -> httpx.Response:
        attempt = Attempt.of(request)
        assert attempt is not None
        attempts.append(attempt.number)
        return await call_next(request)

    send = Script(error(500), httpx.ConnectError("refused"), httpx.Response(200))

    await retrying(send, middleware=[watch])(make_request())

    assert attempts == [1, 2, 3]


async def test_retries_work_over_an_httpx_client_send() -> None:
    answers = iter([error(503, "ServiceUnavailable"), httpx.Response(200, json={"vpnId": "v"})])

    async def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        request = client.build_request("POST", URL, json={"vpcId": "vpc-1"})
        response = await retrying(client.send)(request)

    assert response.json() == {"vpnId": "v"}
