"""TracingMiddleware: one span per call, one event per attempt, asserted field by field."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from bce_vpn_async import (
    AsyncVpnClient,
    BceConflictError,
    BceTransportError,
    Billing,
    ClientConfig,
    RetryPolicy,
)
from bce_vpn_async.otel import TracingMiddleware
from bce_vpn_async.testing import FakeClock, VpnEmulator

HOST = "vpn-emulator.invalid"
TOKEN = "token-that-must-stay-out-of-traces"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def emulator() -> VpnEmulator:
    return VpnEmulator(clock=FakeClock(), build_seconds=0.5, configure_seconds=0.1)


@pytest.fixture
async def client(emulator: VpnEmulator, provider: TracerProvider) -> AsyncIterator[AsyncVpnClient]:
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint=f"http://{HOST}",
            config=ClientConfig(clock=emulator.clock, retry=RetryPolicy(max_attempts=3)),
            http_client=http,
            middleware=[TracingMiddleware(tracer_provider=provider)],
        ) as client,
    ):
        yield client


def _only(exporter: InMemorySpanExporter) -> ReadableSpan:
    spans = exporter.get_finished_spans()
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def _events(span: ReadableSpan) -> list[tuple[str, dict[str, object]]]:
    return [(event.name, dict(event.attributes or {})) for event in span.events]


def _request_ids(emulator: VpnEmulator) -> list[str]:
    return [logged.request_id for logged in emulator.requests]


async def test_a_call_is_one_client_span_named_after_the_operation(
    client: AsyncVpnClient, emulator: VpnEmulator, exporter: InMemorySpanExporter
) -> None:
    created = await client.create_vpn(
        "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid"), client_token=TOKEN
    )
    span = _only(exporter)
    request_id = created.metadata.request_id
    assert (span.name, span.kind, span.status.status_code) == (
        "create_vpn",
        SpanKind.CLIENT,
        StatusCode.UNSET,
    )
    assert dict(span.attributes or {}) == {
        "bce.operation": "create_vpn",
        "http.request.method": "POST",
        "server.address": HOST,
        "server.port": 80,
        "url.scheme": "http",
        "url.path": "/v1/vpn",
        "http.response.status_code": 200,
        "bce.request_id": request_id,
    }
    assert _events(span) == [
        (
            "attempt",
            {"bce.attempt": 1, "http.response.status_code": 200, "bce.request_id": request_id},
        )
    ]


async def test_a_retried_call_is_one_span_with_an_event_per_attempt_and_its_delay(
    client: AsyncVpnClient, emulator: VpnEmulator, exporter: InMemorySpanExporter
) -> None:
    emulator.faults.add("throttle", op="create_vpn", times=1, retry_after=2)
    created = await client.create_vpn(
        "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
    )
    span = _only(exporter)
    first, second = _request_ids(emulator)
    assert second == created.metadata.request_id
    assert span.status.status_code is StatusCode.UNSET
    attributes = dict(span.attributes or {})
    assert (
        attributes["http.response.status_code"],
        attributes["bce.request_id"],
        attributes["http.request.resend_count"],
    ) == (200, second, 1)
    assert "error.type" not in attributes
    assert _events(span) == [
        (
            "attempt",
            {
                "bce.attempt": 1,
                "http.response.status_code": 429,
                "bce.request_id": first,
                "error.type": "429",
                "bce.retry_delay": 2.0,
            },
        ),
        (
            "attempt",
            {"bce.attempt": 2, "http.response.status_code": 200, "bce.request_id": second},
        ),
    ]


async def test_a_refused_call_is_an_error_span_with_the_status_and_the_bce_code(
    client: AsyncVpnClient, emulator: VpnEmulator, exporter: InMemorySpanExporter
) -> None:
    emulator.faults.add("error", op="get_vpn", status=409, code="OperationDenied")
    with pytest.raises(BceConflictError):
        await client.get_vpn("vpn-1")
    span = _only(exporter)
    (request_id,) = _request_ids(emulator)
    assert (span.name, span.status.status_code, span.status.description) == (
        "get_vpn",
        StatusCode.ERROR,
        "BceConflictError",
    )
    assert dict(span.attributes or {}) == {
        "bce.operation": "get_vpn",
        "http.request.method": "GET",
        "server.address": HOST,
        "server.port": 80,
        "url.scheme": "http",
        "url.path": "/v1/vpn/vpn-1",
        "http.response.status_code": 409,
        "bce.request_id": request_id,
        "error.type": "409",
        "bce.error_code": "OperationDenied",
    }
    assert [attrs["bce.attempt"] for _, attrs in _events(span)] == [1]


async def test_a_call_whose_connections_all_drop_records_each_attempts_error(
    client: AsyncVpnClient, emulator: VpnEmulator, exporter: InMemorySpanExporter
) -> None:
    emulator.faults.add("drop_before", op="get_vpn")
    with pytest.raises(BceTransportError):
        await client.get_vpn("vpn-1")
    span = _only(exporter)
    attributes = dict(span.attributes or {})
    assert span.status.status_code is StatusCode.ERROR
    assert attributes["error.type"] == "bce_vpn_async.BceTransportError"
    assert attributes["http.request.resend_count"] == 2
    assert "http.response.status_code" not in attributes
    events = _events(span)
    assert [attrs["bce.attempt"] for _, attrs in events] == [1, 2, 3]
    # Each attempt failed the same typed way (the send path maps httpx's RemoteProtocolError).
    assert {attrs["error.type"] for _, attrs in events} == {"bce_vpn_async.BceTransportError"}
    delays = [attrs.get("bce.retry_delay") for _, attrs in events]
    assert delays[2] is None
    assert all(isinstance(delay, float) and delay >= 0 for delay in delays[:2])
    assert delays[:2] == emulator.clock.sleeps  # type: ignore[attr-defined]


async def test_the_span_is_a_child_of_the_callers_span(
    client: AsyncVpnClient, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    tracer = provider.get_tracer("the-users-service")
    with tracer.start_as_current_span("handle-request") as outer:
        await client.list_vpns(vpc_id="vpc-1")
    inner, parent = exporter.get_finished_spans()
    assert (inner.name, parent.name) == ("list_vpns", "handle-request")
    assert inner.parent is not None
    assert inner.parent.span_id == outer.get_span_context().span_id
    assert inner.context.trace_id == outer.get_span_context().trace_id


async def test_no_query_token_header_or_secret_reaches_a_span(
    client: AsyncVpnClient, emulator: VpnEmulator, exporter: InMemorySpanExporter
) -> None:
    await client.create_vpn(
        "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid"), client_token=TOKEN
    )
    span = _only(exporter)
    recorded = repr(dict(span.attributes or {})) + repr(_events(span))
    for secret in (TOKEN, "clientToken", emulator.credentials.secret_access_key, "bce-auth-v1"):
        assert secret not in recorded


def test_without_opentelemetry_the_import_names_the_extra() -> None:
    code = "import sys; sys.modules['opentelemetry'] = None; import bce_vpn_async.otel"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "bce_vpn_async.otel needs OpenTelemetry: pip install 'bce-vpn-async[otel]'" in (
        result.stderr
    )
