"""OpenTelemetry tracing for ``AsyncVpnClient`` calls (the ``[otel]`` extra).

```python
from bce_vpn_async.otel import TracingMiddleware

client = AsyncVpnClient(..., middleware=[TracingMiddleware()])
```

Each call is one ``CLIENT`` span named after the operation (``create_vpn``), a child of
the span current when the call was made. It carries the HTTP semantic conventions
(``http.request.method``, ``server.address``, ``server.port``, ``url.scheme``,
``url.path``, ``http.response.status_code``, ``error.type``, ``http.request.resend_count``)
and ``bce.operation``, ``bce.request_id`` (the final answer's ``x-bce-request-id``) and
``bce.error_code`` (the BCE code of a refused call). Each attempt is an ``attempt``
event with ``bce.attempt``, its status code or ``error.type``, its request id, and
``bce.retry_delay``: the seconds the client waited before trying again.

Never recorded: headers (the signature, the session token), bodies (pre-shared keys, SSL
passwords), the query (the ``clientToken``) and error messages (text of the service's).

The middleware sits inside the retry loop, so it sees attempts; it opens the span on the
first, keeps it on the request, and ends it when the client reports the call over, after
the answer has become a result or an error. Use it in an ``AsyncVpnClient``'s middleware,
not in another httpx pipeline.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import httpx

try:
    from opentelemetry import trace
    from opentelemetry.util.types import AttributeValue
except ImportError:  # pragma: no cover - tested in a subprocess without OpenTelemetry
    raise ImportError(
        "bce_vpn_async.otel needs OpenTelemetry: pip install 'bce-vpn-async[otel]'"
    ) from None

from . import __all__ as _PUBLIC
from ._errors import REQUEST_ID_HEADER, BceServerError
from ._pipeline import Attempt, CallContext, Handler
from ._version import __version__

__all__ = ["TracingMiddleware"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class TracingMiddleware:
    """One OpenTelemetry span per call, one event per attempt (see the module docstring).

    ```python
    client = AsyncVpnClient(middleware=[TracingMiddleware()])
    ```

    Args:
        tracer_provider: Where the spans go; the global provider
            (``trace.set_tracer_provider``) when None.
    """

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._tracer = trace.get_tracer(
            "bce_vpn_async", __version__, tracer_provider=tracer_provider
        )
        # Per instance, so two tracing middlewares (two providers) keep their own spans.
        self._key = f"bce_otel_call_{id(self)}"

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        """Trace one attempt: open the call's span on its first, add an event per attempt."""
        attempt = Attempt.of(request) or Attempt(operation=request.method)
        call: _TracedCall | None = request.extensions.get(self._key)
        if call is None:
            call = _TracedCall(self._start(request, attempt.operation))
            request.extensions[self._key] = call
            context = CallContext.of(request)
            if context is not None:
                context.when_ended(call.end)
        else:
            call.retried(attempt.retry_delay)
        # Current while the attempt runs, so spans the transport opens nest under the call.
        with trace.use_span(
            call.span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        ):
            try:
                response = await call_next(request)
            except BaseException as exc:
                call.attempt_ended(attempt.number, {"error.type": _qualified_name(exc)})
                raise
        call.answered(attempt.number, response)
        return response

    def _start(self, request: httpx.Request, operation: str) -> trace.Span:
        url = request.url
        port = url.port if url.port is not None else _DEFAULT_PORTS.get(url.scheme)
        attributes: dict[str, AttributeValue] = {
            "bce.operation": operation,
            "http.request.method": request.method,
            "server.address": url.host,
            "url.scheme": url.scheme,
            # The path only: the query holds the clientToken.
            "url.path": url.path,
        }
        if port is not None:
            attributes["server.port"] = port
        return self._tracer.start_span(operation, kind=trace.SpanKind.CLIENT, attributes=attributes)

    def __repr__(self) -> str:
        return "TracingMiddleware()"


class _TracedCall:
    """One call's span, and the event of its latest attempt until it is known whether a
    retry (and after what delay) follows."""

    def __init__(self, span: trace.Span) -> None:
        self.span = span
        self._pending: tuple[dict[str, AttributeValue], int] | None = None
        self._attempts = 0

    def answered(self, attempt: int, response: httpx.Response) -> None:
        status = response.status_code
        attributes: dict[str, AttributeValue] = {"http.response.status_code": status}
        request_id = response.headers.get(REQUEST_ID_HEADER)
        if request_id:
            attributes["bce.request_id"] = request_id
        if status >= 400:
            attributes["error.type"] = str(status)
        self.attempt_ended(attempt, attributes)

    def attempt_ended(self, attempt: int, attributes: Mapping[str, AttributeValue]) -> None:
        self._attempts += 1
        self._pending = ({"bce.attempt": attempt, **attributes}, time.time_ns())

    def retried(self, delay: float | None) -> None:
        self._flush({} if delay is None else {"bce.retry_delay": delay})

    def end(self, error: BaseException | None) -> None:
        last = self._pending[0] if self._pending is not None else {}
        self._flush({})
        span = self.span
        for name in ("http.response.status_code", "bce.request_id"):
            if name in last:
                span.set_attribute(name, last[name])
        if self._attempts > 1:
            span.set_attribute("http.request.resend_count", self._attempts - 1)
        if error is not None:
            if isinstance(error, BceServerError) and error.status_code >= 400:
                error_type = str(error.status_code)
            else:
                error_type = _qualified_name(error)
            span.set_attribute("error.type", error_type)
            if isinstance(error, BceServerError) and error.code:
                span.set_attribute("bce.error_code", error.code)
            span.set_status(trace.StatusCode.ERROR, type(error).__name__)
        span.end()

    def _flush(self, extra: Mapping[str, AttributeValue]) -> None:
        if self._pending is None:
            return
        attributes, at = self._pending
        self._pending = None
        self.span.add_event("attempt", {**attributes, **extra}, timestamp=at)


def _qualified_name(exc: BaseException) -> str:
    kind = type(exc)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    if kind.__module__.startswith("bce_vpn_async.") and kind.__qualname__ in _PUBLIC:
        # The name users import and catch, not the private module it lives in.
        return f"bce_vpn_async.{kind.__qualname__}"
    return f"{kind.__module__}.{kind.__qualname__}"
