"""The one send path: a request goes out, a read response or a ``BceError`` comes back.

Every failure of a transport (httpx's own, httpx-aiohttp's, aiohttp's, and any other
``Exception`` one raises) becomes one of three SDK errors here, whatever the retry
setting: ``BceTimeoutError`` (time ran out), ``BceTransportError`` (the connection failed,
or the request could not be written) or ``BceResponseError`` (an answer that is not
readable HTTP, or a body that does not decode as its ``Content-Encoding`` says). The
cause stays chained; the message names the request's method and path and the kind of
failure, never a header value (a session token travels in one) nor the peer's bytes.

``is_transient`` tells the retry middleware which of these another attempt may fix: a
dropped or refused connection, a timeout, a garbled answer (a flaky proxy). A request
the transport refuses to write, a scheme it cannot speak, a body that does not decode,
a server certificate that fails verification, a TLS version or cipher the two ends do
not share, a proxy that refuses the request (407: its credentials) and an unknown
failure come out the same way every time, and their messages say which.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import re
import ssl
import sys
import time
from collections.abc import Callable
from datetime import timedelta

import aiohttp
import httpx

from ._errors import (
    REQUEST_ID_HEADER,
    BceClientError,
    BceResponseError,
    BceTimeoutError,
    BceTransportError,
)
from ._network import redacted

__all__ = ["NO_STATUS", "is_transient", "send", "transport_error"]

_httpx_logger = logging.getLogger("httpx")

NO_STATUS = 0
"""The ``status_code`` of a ``BceResponseError`` for an answer with no readable status."""


class _Kind(enum.Enum):
    TIMEOUT = "timed out"
    CONNECTION = "lost its connection"
    MALFORMED = "got an answer that is not valid HTTP"
    UNDECODABLE = "got a body that does not decode as its Content-Encoding says"
    REFUSED = "could not be sent as built"
    CERTIFICATE = "failed: the server's TLS certificate did not verify"
    TLS = "failed: no TLS version or cipher both ends support"
    PROXY_AUTH = (
        "was refused by the proxy: 407 Proxy Authentication Required "
        "(check the proxy's credentials)"
    )
    PROXY_REFUSED = "was refused by the proxy"
    UNKNOWN = "failed in the transport"


# OpenSSL's reasons for a handshake the two ends cannot complete whatever the retry: no
# shared version or cipher, or no TLS at all on the other end (a plain-HTTP port).
_TLS_MISMATCH = frozenset(
    {
        "WRONG_VERSION_NUMBER",
        "UNSUPPORTED_PROTOCOL",
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "NO_PROTOCOLS_AVAILABLE",
        "VERSION_TOO_LOW",
        "VERSION_TOO_HIGH",
        "NO_SHARED_CIPHER",
        "NO_CIPHERS_AVAILABLE",
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
    }
)
_PROXY_STATUS = re.compile(r"\s*([1-5][0-9][0-9])\b")


# h11's and aiohttp's words for a body the connection's end cut short.
_CUT_SHORT = (
    "peer closed connection without sending complete",
    "Response payload is not completed",
)

_TRANSIENT = frozenset({_Kind.TIMEOUT, _Kind.CONNECTION, _Kind.MALFORMED})

_NONE: tuple[type[BaseException], ...] = ()


def _classes(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """Exception classes of ``module`` if it has been imported, else none.

    h11 and httpcore are loaded only by httpx's own transports (a caller's ``http_client``,
    ``transport="httpx"``); an exception of a library never imported cannot have been
    raised, so telling their errors apart needs no import (the two take tens of
    milliseconds of a program's start).
    """
    loaded = sys.modules.get(module)
    if loaded is None:
        return _NONE
    # getattr: another thread may be importing it right now.
    found = (getattr(loaded, name, None) for name in names)
    return tuple(cls for cls in found if isinstance(cls, type) and issubclass(cls, BaseException))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _kind(exc: BaseException) -> _Kind:
    """What happened, from the transport's exception and the ones it was raised from.

    httpx-aiohttp names every aiohttp connection error ``httpx.ConnectTimeout`` (its table
    keeps the first base-class match), so aiohttp's own exception, chained as the cause,
    is read first. httpx's ``RemoteProtocolError`` means a malformed answer when h11
    raised it, and a connection closed before the answer otherwise.
    """
    chain = _chain(exc)
    # h11's RemoteProtocolError derives from ProtocolError, not LocalProtocolError.
    local: tuple[type[BaseException], ...] = (
        httpx.LocalProtocolError,
        *_classes("h11", "LocalProtocolError"),
    )
    remote: tuple[type[BaseException], ...] = (
        aiohttp.ClientPayloadError,
        *_classes("h11", "RemoteProtocolError"),
    )
    for link in chain:
        refused = _refusal(link)
        if refused is not None:
            return refused
        if isinstance(link, httpx.DecodingError):
            return _Kind.UNDECODABLE
        if isinstance(link, local):
            return _Kind.REFUSED
        if isinstance(link, httpx.UnsupportedProtocol | aiohttp.InvalidURL):
            return _Kind.REFUSED
        if isinstance(link, remote):
            # An answer cut short by the peer hanging up is a lost connection (a drop after
            # the change was applied), not a garbled one; both libraries only say so in words.
            text = str(link)
            cut = text.startswith(_CUT_SHORT)
            return _Kind.CONNECTION if cut else _Kind.MALFORMED
        if isinstance(link, aiohttp.ClientConnectionError):
            timeout = isinstance(link, asyncio.TimeoutError)
            return _Kind.TIMEOUT if timeout else _Kind.CONNECTION
        if isinstance(
            link,
            aiohttp.ClientResponseError | aiohttp.http_exceptions.HttpProcessingError,
        ):
            return _Kind.MALFORMED
    timeouts: tuple[type[BaseException], ...] = (
        httpx.TimeoutException,
        TimeoutError,
        *_classes("httpcore", "TimeoutException"),
    )
    if isinstance(exc, timeouts):
        return _Kind.TIMEOUT
    lost: tuple[type[BaseException], ...] = (
        httpx.TransportError,
        OSError,
        *_classes("httpcore", "NetworkError"),
    )
    if isinstance(exc, lost):
        return _Kind.CONNECTION
    return _Kind.UNKNOWN


def _refusal(link: BaseException) -> _Kind | None:
    """A failure another attempt cannot fix: the server's certificate, TLS itself, or
    the proxy's answer to ``CONNECT`` (aiohttp's error, or httpx's ``ProxyError`` whose
    words start with the status)."""
    # Before its os_error is read: aiohttp before 3.13.4 makes this one without it.
    if isinstance(link, aiohttp.ClientConnectorCertificateError):
        return _Kind.CERTIFICATE
    tls = link.os_error if isinstance(link, aiohttp.ClientConnectorError) else link
    if isinstance(tls, ssl.SSLCertVerificationError):
        return _Kind.CERTIFICATE
    if isinstance(tls, ssl.SSLError) and tls.reason in _TLS_MISMATCH:
        return _Kind.TLS
    status: int | None = None
    if isinstance(link, aiohttp.ClientHttpProxyError):
        status = link.status
    elif isinstance(link, httpx.ProxyError):
        found = _PROXY_STATUS.match(str(link))
        status = None if found is None else int(found.group(1))
    if status == 407:
        return _Kind.PROXY_AUTH
    if status is not None and 400 <= status < 500:
        return _Kind.PROXY_REFUSED
    return None


def _detail(exc: BaseException, kind: _Kind) -> str:
    """What to add to the message: the exception's type, and for a connection or a
    certificate its own words (an OS error, an address, OpenSSL's verdict), never a URL's
    credentials."""
    detail = type(exc).__name__
    text = ""
    if kind is _Kind.CERTIFICATE:
        for link in _chain(exc):
            inner = getattr(link, "certificate_error", link)
            if isinstance(inner, ssl.SSLCertVerificationError):
                text = inner.verify_message or ""
                break
    elif kind in (_Kind.TIMEOUT, _Kind.CONNECTION, _Kind.TLS, _Kind.PROXY_REFUSED) and (
        isinstance(exc, httpx.TransportError | OSError)
    ):
        text = str(exc)
    if text and text.isprintable() and len(text) < 200:
        detail += f": {redacted(text)}"
    return detail


def transport_error(
    exc: Exception, request: httpx.Request, response: httpx.Response | None = None
) -> BceTransportError | BceResponseError:
    """The SDK error for what the transport raised while sending ``request`` (or reading
    the body of ``response``, whose status and request id a response error keeps)."""
    kind = _kind(exc)
    # The path only: query values and headers stay out of messages that end up in logs.
    # Only a connection failure's own text is kept (an OS error and an address); the
    # others may quote the request's headers or the peer's bytes.
    message = f"{request.method} {request.url.path} {kind.value} ({_detail(exc, kind)})"
    if kind in (_Kind.MALFORMED, _Kind.UNDECODABLE):
        if response is None:
            return BceResponseError(message, status_code=NO_STATUS)
        return BceResponseError(
            message,
            status_code=response.status_code,
            request_id=response.headers.get(REQUEST_ID_HEADER),
        )
    if kind is _Kind.TIMEOUT:
        return BceTimeoutError(message)
    return BceTransportError(message)


def is_transient(error: BaseException) -> bool:
    """Whether another attempt may succeed where ``error`` (from ``send``) failed."""
    if not isinstance(error, BceTransportError | BceResponseError):
        return False
    cause = error.__cause__
    if cause is None:
        # Raised by the SDK itself (a deadline, a closed client), not by a transport.
        return False
    return _kind(cause) in _TRANSIENT


async def send(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    own: bool,
    closed: Callable[[], bool],
) -> httpx.Response:
    """Send ``request`` on ``client`` and read the whole body, or raise a ``BceError``.

    ``own`` says the client is the SDK's: it is driven through its transport
    (``_own_transport``), a caller's through ``client.send``. Either way the response is
    streamed, then read here, so that a body the transport cannot decode still gives an
    error with the status it came with.

    ``closed`` says whether the SDK's client was closed (before this attempt, or while it
    was in flight): the call then fails with ``BceClientError``, not with the transport's
    own words for a closed pool (aiohttp's "Session is closed", a ConnectTimeout that
    would be retried).
    """
    if closed():
        # A retry of a call that was in flight when the client was closed.
        raise _closed_under_call()
    started = time.perf_counter()
    try:
        if own:
            response = await _own_transport(client, request.url).handle_async_request(request)
            response.request = request
            if _httpx_logger.isEnabledFor(logging.INFO):
                _log_as_httpx(request, response)
        else:
            if client.is_closed:
                raise BceClientError(
                    "the http_client given to this client is closed; "
                    "keep it open while the client is in use"
                )
            response = await client.send(request, stream=True)
    except Exception as exc:
        if closed():
            raise _closed_under_call() from exc
        if isinstance(exc, httpx.RequestError):
            try:
                exc.request  # noqa: B018 - raises RuntimeError when the transport set none
            except RuntimeError:
                exc.request = request
        if isinstance(exc, BceClientError | BceResponseError):
            raise
        raise transport_error(exc, request) from exc
    try:
        await response.aread()
    except Exception as exc:
        await _close_quietly(response)
        if closed():
            raise _closed_under_call() from exc
        raise transport_error(exc, request, response) from exc
    except BaseException:
        await _close_quietly(response)
        raise
    if response.status_code == 407:
        # Only a proxy answers 407 (RFC 9110): a plain-http request through one whose
        # credentials it refuses. Not the service's answer, and not worth another try.
        await _close_quietly(response)
        raise BceTransportError(f"{request.method} {request.url.path} {_Kind.PROXY_AUTH.value}")
    if own:
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
    return response


def _own_transport(client: httpx.AsyncClient, url: httpx.URL) -> httpx.AsyncBaseTransport:
    """The transport of the SDK's own client for ``url``: its proxy mount, or its default.

    This is the one private attribute of a dependency the SDK uses, on purpose.
    ``client.send(request, stream=True)`` would run the layers the SDK never uses (auth,
    redirects, event hooks, the cookie jar: its requests are built by the SDK, so a stored
    cookie would never go out), which cost more than a tenth of a call's CPU (figure in
    BENCHMARKS.md). ``_transport_for_url`` is what ``send`` itself calls to pick the
    mount, and it is the hook ``respx.mock(using="httpx")`` patches, so respx intercepts
    the default client's requests exactly as it does ``send``'s.
    """
    return client._transport_for_url(url)


def _closed_under_call() -> BceClientError:
    """The error of a call whose client was closed while it was in flight."""
    return BceClientError("this client was closed while the call was in flight")


def _log_as_httpx(request: httpx.Request, response: httpx.Response) -> None:
    # The line httpx's own send logs, so a user's httpx logging shows the SDK's requests.
    _httpx_logger.info(
        'HTTP Request: %s %s "%s %d %s"',
        request.method,
        request.url,
        response.http_version,
        response.status_code,
        response.reason_phrase,
    )


async def _close_quietly(response: httpx.Response) -> None:
    # Closing a broken stream can fail in turn; the first failure is the one to report.
    with contextlib.suppress(Exception):
        await response.aclose()
