"""The exception tree, and the one place that turns an HTTP response into an error.

``BceError`` is the root of everything the SDK raises on purpose. Failures before
or outside the service are ``BceClientError``; answers from the service are
``BceServerError``, specialised by status and code so callers can catch what they
mean (``except BceNotFoundError``) instead of comparing strings.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

REQUEST_ID_HEADER = "x-bce-request-id"
# A service message longer than this is cut: an exception is read in logs and tracebacks.
MAX_MESSAGE = 1000

# Codes the service uses for a bad signature or an unknown key: whatever the status,
# they mean the credentials or the clock are wrong, not the request.
AUTH_CODES = frozenset(
    {
        "AccessDenied",
        "InvalidAccessKeyId",
        "InvalidHTTPAuthHeader",
        "SignatureDoesNotMatch",
        "RequestExpired",
        "QualifyNotPass",
        "OptInRequired",
    }
)


class BceError(Exception):
    """The root of every error this SDK raises."""


class BceClientError(BceError):
    """The call failed before it reached the service, or outside it."""


class BceValidationError(BceClientError, ValueError):
    """An argument breaks a rule of the API; raised before any request is sent.

    The message names the field and the rule, never the rejected value: the value
    may be a secret (a pre-shared key, a password). It is a `ValueError` too.

    Attributes:
        field: The argument or field at fault, as a path into the call's arguments
            (`"ike_config.ike_lifetime"`, `"tags[0].tag_value"`).
        rule: The rule it breaks, in words.
    """

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class BceTransportError(BceClientError):
    """The transport failed (connection refused, reset, dropped) after every retry."""


class BceTimeoutError(BceTransportError):
    """The call ran out of time: an attempt timed out, or the total deadline passed."""


class BceServerError(BceError):
    """The service answered with an error.

    `str()` gives `[status code] message (request id: ...)`, the request id being what
    Baidu's support asks for.

    Attributes:
        message: The service's message (cut to 1000 characters), or the HTTP reason when
            the body is not a BCE error.
        status_code: The HTTP status; 0 when no status could be read.
        code: The BCE error code (`"OperationDenied"`, `"NoSuchObject"`...), or `None`
            when the body gives none.
        request_id: The `x-bce-request-id` of the answer, or `None` without one.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        super().__init__(message)

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"[{self.status_code}{code}] {self.message} (request id: {self.request_id})"


class BceNotFoundError(BceServerError):
    """404: the resource does not exist (or no longer does)."""


class BceConflictError(BceServerError):
    """409: the resource is in a state that refuses the operation (``OperationDenied``)."""


class BceThrottledError(BceServerError):
    """429: too many requests."""


class BceAuthError(BceServerError):
    """401/403, or a signature, key or clock problem reported by the service."""


class BceResponseError(BceServerError):
    """A response the SDK cannot read: not JSON, truncated, or of the wrong shape; a body
    that does not decode as its ``Content-Encoding`` says; or an answer that is not valid
    HTTP at all (a garbled status line or header, bad chunking), whose ``status_code`` is
    0 when no status could be read."""


class BcePaginationError(BceError):
    """The service repeated a page marker; following it would loop forever."""


class _WaiterError(BceError):
    """What the waiter's two errors share: the last gateway seen."""

    def __init__(self, message: str, *, last: Any) -> None:
        self.last = last
        super().__init__(message)


class WaiterTimeoutError(_WaiterError):
    """`wait_until_status` ran out of time.

    Attributes:
        last: The last `Vpn` seen, or `None` if no poll answered.
    """


class WaiterFailedError(_WaiterError):
    """The gateway reached a failure status or vanished while `wait_until_status` waited.

    Attributes:
        last: The last `Vpn` seen.
    """


def _class_for(status_code: int, code: str | None) -> type[BceServerError]:
    if code in AUTH_CODES or status_code in (401, 403):
        return BceAuthError
    if status_code == 404:
        return BceNotFoundError
    if status_code == 409:
        return BceConflictError
    if status_code == 429:
        return BceThrottledError
    return BceServerError


def _request_id(response: httpx.Response) -> str | None:
    request_id: str | None = response.headers.get(REQUEST_ID_HEADER)
    return request_id


def error_from_response(response: httpx.Response) -> BceServerError:
    """The typed error for a non-2xx response whose body has been read.

    A BCE error body gives the code and message. An empty body, an HTML page from a
    proxy or a body that is not the BCE shape still gives a typed error that keeps the
    status and the request id, with the HTTP reason as its message. The body is parsed
    once per response: the retry decision and the error raised share the result.
    """
    known = response.extensions.get(_PARSED)
    if isinstance(known, BceServerError):
        return known
    error = _parse_error(response)
    response.extensions[_PARSED] = error
    return error


_PARSED = "bce_error"


def unreadable_response(response: httpx.Response, reason: str) -> BceResponseError:
    """The error for a response the SDK cannot read, keeping its status and request id."""
    return BceResponseError(
        reason, status_code=response.status_code, request_id=_request_id(response)
    )


def _parse_error(response: httpx.Response) -> BceServerError:
    request_id = _request_id(response)
    status = response.status_code
    reason = response.reason_phrase or "HTTP error"
    body = response.content
    if not body.strip():
        return _class_for(status, None)(reason, status_code=status, request_id=request_id)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        # ValueError covers UnicodeDecodeError; RecursionError is deeply nested JSON.
        return BceResponseError(
            f"{reason}; the error body is not JSON ({len(body)} bytes)",
            status_code=status,
            request_id=request_id,
        )
    if not isinstance(data, dict):
        return BceResponseError(
            f"{reason}; the error body is JSON but not an object",
            status_code=status,
            request_id=request_id,
        )
    code = data.get("code")
    message = data.get("message")
    body_request_id = data.get("requestId")
    code = code if isinstance(code, str) and code else None
    message = message if isinstance(message, str) and message else reason
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + f"... ({len(message)} characters)"
    if request_id is None and isinstance(body_request_id, str):
        request_id = body_request_id
    return _class_for(status, code)(message, status_code=status, code=code, request_id=request_id)
