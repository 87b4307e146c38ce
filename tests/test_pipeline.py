from __future__ import annotations

import logging

import httpx
import pytest

from bce_vpn_async import Credentials, CredentialsProvider, Handler, LoggingMiddleware
from bce_vpn_async._pipeline import CallContext, ClockSkew, Pipeline, SigningMiddleware
from bce_vpn_async.testing import FakeClock

SECRET = "s3cr3t-Sk-do-not-log"
URL = "https://bcc.bj.baidubce.com/v1/vpn/vpn-1?bind=&clientToken=tok-1"


class FakeSigner:
    """Writes what a signer writes, recording what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[Credentials, float, dict[str, str]]] = []

    def sign(self, request: httpx.Request, credentials: Credentials, timestamp: float) -> None:
        self.calls.append((credentials, timestamp, dict(request.headers)))
        request.headers["x-bce-date"] = str(timestamp)
        if credentials.session_token is not None:
            request.headers["x-bce-security-token"] = credentials.session_token
        request.headers["authorization"] = f"fake/{credentials.access_key_id}/{timestamp}"


def make_request() -> httpx.Request:
    request = httpx.Request("PUT", URL, json={"eip": "10.0.0.1"})
    CallContext.attach(request, "bind_eip")
    return request


async def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={}, request=request)


def provider_of(*credentials: Credentials) -> CredentialsProvider:
    queue = list(credentials)

    async def provide() -> Credentials:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return provide


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        self.log.append(f"{self.name} in")
        response = await call_next(request)
        self.log.append(f"{self.name} out")
        return response


async def test_pipeline_runs_middleware_outermost_first_and_send_last() -> None:
    log: list[str] = []

    async def send(request: httpx.Request) -> httpx.Response:
        log.append("send")
        return await ok(request)

    pipeline = Pipeline([Recorder("a", log), Recorder("b", log)], send)

    response = await pipeline(make_request())

    assert response.status_code == 200
    assert log == ["a in", "b in", "send", "b out", "a out"]


async def test_pipeline_without_middleware_calls_send_directly() -> None:
    sent: list[httpx.Request] = []

    async def send(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return await ok(request)

    request = make_request()
    await Pipeline([], send)(request)

    assert sent == [request]


async def test_pipeline_is_composed_once_so_later_changes_to_the_list_do_not_apply() -> None:
    log: list[str] = []
    middleware = [Recorder("a", log)]
    pipeline = Pipeline(middleware, ok)
    middleware.append(Recorder("late", log))

    await pipeline(make_request())

    assert log == ["a in", "a out"]


async def test_a_middleware_can_answer_without_calling_the_rest() -> None:
    async def short_circuit(request: httpx.Request, call_next: Handler) -> httpx.Response:
        return httpx.Response(418, request=request)

    async def send(request: httpx.Request) -> httpx.Response:
        raise AssertionError("send must not be reached")

    response = await Pipeline([short_circuit], send)(make_request())

    assert response.status_code == 418


def test_pipeline_rejects_a_middleware_that_is_not_callable() -> None:
    with pytest.raises(TypeError, match=r"middleware\[1\] must be an async callable.*got str"):
        Pipeline([Recorder("a", []), "not middleware"], ok)  # type: ignore[list-item]


def test_pipeline_rejects_a_send_that_is_not_callable() -> None:
    with pytest.raises(TypeError, match="send must be an async callable"):
        Pipeline([], None)  # type: ignore[arg-type]


def test_clock_skew_starts_at_zero() -> None:
    assert ClockSkew().offset == 0.0


async def test_signing_signs_with_the_clock_time_plus_the_skew() -> None:
    signer = FakeSigner()
    clock = FakeClock(start=1_700_000_000.0)
    middleware = SigningMiddleware(
        signer, provider_of(Credentials("ak", SECRET)), clock, ClockSkew(offset=42.5)
    )

    request = make_request()
    await Pipeline([middleware], ok)(request)

    assert [timestamp for _, timestamp, _ in signer.calls] == [1_700_000_042.5]
    assert request.headers["authorization"] == "fake/ak/1700000042.5"


async def test_signing_asks_the_provider_on_every_call_so_rotated_credentials_apply() -> None:
    signer = FakeSigner()
    provider = provider_of(Credentials("ak-1", SECRET, "t1"), Credentials("ak-2", SECRET))
    pipeline = Pipeline([SigningMiddleware(signer, provider, FakeClock(), ClockSkew())], ok)

    await pipeline(make_request())
    await pipeline(make_request())

    assert [creds.access_key_id for creds, _, _ in signer.calls] == ["ak-1", "ak-2"]


async def test_signing_removes_the_previous_attempts_signature_headers_first() -> None:
    signer = FakeSigner()
    request = make_request()
    request.headers["Authorization"] = "stale"
    request.headers["X-Bce-Date"] = "stale"
    request.headers["X-Bce-Security-Token"] = "stale-token"
    middleware = SigningMiddleware(
        signer, provider_of(Credentials("ak", SECRET)), FakeClock(), ClockSkew()
    )

    await Pipeline([middleware], ok)(request)

    seen_by_signer = signer.calls[0][2]
    assert not {"authorization", "x-bce-date", "x-bce-security-token"} & set(seen_by_signer)
    assert "x-bce-security-token" not in request.headers
    assert request.headers.get_list("authorization") == ["fake/ak/1700000000.0"]


async def test_logging_writes_one_debug_line_with_operation_path_status_and_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def send(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, headers={"x-bce-request-id": "req-123"}, request=request)

    with caplog.at_level(logging.DEBUG, logger="bce_vpn_async"):
        await Pipeline([LoggingMiddleware()], send)(make_request())

    [record] = caplog.records
    assert record.levelno == logging.DEBUG
    assert record.name == "bce_vpn_async"
    message = record.getMessage()
    for part in ("bind_eip", "PUT", "/v1/vpn/vpn-1?bind=&clientToken=tok-1", "404", "req-123"):
        assert part in message
    assert " ms" in message


async def test_logging_defers_formatting_to_the_logging_framework(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="bce_vpn_async"):
        await Pipeline([LoggingMiddleware()], ok)(make_request())

    [record] = caplog.records
    assert "%s" in record.msg
    assert record.args


async def test_logging_never_writes_a_secret_from_the_headers_or_the_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    signer = FakeSigner()
    chain = Pipeline(
        [
            LoggingMiddleware(),
            SigningMiddleware(
                signer,
                provider_of(Credentials("ak", SECRET, session_token=SECRET)),
                FakeClock(),
                ClockSkew(),
            ),
        ],
        ok,
    )
    request = httpx.Request(
        "POST",
        URL,
        json={"secretKey": SECRET, "password": SECRET},
        headers={"x-bce-security-token": SECRET},
    )
    CallContext.attach(request, "create_vpn_conn")

    async def failing(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with caplog.at_level(logging.DEBUG, logger="bce_vpn_async"):
        await chain(request)
        with pytest.raises(httpx.ConnectError):
            await Pipeline([LoggingMiddleware()], failing)(request)

    assert len(caplog.records) == 2
    assert SECRET not in caplog.text
    assert all(SECRET not in repr(record.args) for record in caplog.records)


async def test_logging_reports_a_failed_attempt_at_debug_and_reraises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def failing(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with (
        caplog.at_level(logging.DEBUG, logger="bce_vpn_async"),
        pytest.raises(httpx.ReadTimeout),
    ):
        await Pipeline([LoggingMiddleware()], failing)(make_request())

    [record] = caplog.records
    assert record.levelno == logging.DEBUG
    assert "ReadTimeout" in record.getMessage()


async def test_logging_writes_nothing_when_debug_is_off(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bce_vpn_async"):
        await Pipeline([LoggingMiddleware()], ok)(make_request())

    assert caplog.records == []


async def test_logging_uses_the_logger_it_is_given(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("my.app.bce")

    with caplog.at_level(logging.DEBUG, logger="my.app.bce"):
        await Pipeline([LoggingMiddleware(logger)], ok)(make_request())

    assert [record.name for record in caplog.records] == ["my.app.bce"]
