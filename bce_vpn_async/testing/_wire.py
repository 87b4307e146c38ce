"""The wire: the one ``handle`` core every way in calls.

``WireApp.handle(WireRequest) -> Answer`` does everything the service does around the
state: faults, the signature, routing, JSON parsing, ``clientToken`` replay, the BCE error
body and the ``x-bce-request-id``/``Date`` headers on every answer. The in-process
transport (``_in_process``), the emulator's HTTP server (``_http``) and the ASGI app
(``_asgi``) only translate to and from it, so every way in behaves alike.

Robustness: a body is read by the strict reader of ``_json`` (bounded nesting, no
``NaN``, no lone surrogates), so what a handler stores can always be answered; a request
whose query repeats a key or names two actions is refused by the routes; and any other
exception inside the core is logged once, with its traceback, and answered as a 500
``InternalError`` in the BCE shape, the state as it was (a write runs inside
``Backend.all_or_nothing``).

Idempotency: a write's answer is kept for ``token_retention`` seconds (24 h) under
(account, operation, clientToken). The same token with the same request (path, query
without the token, parsed body) gets the first answer again, with its new id; with another
request it gets 403 ``IdempotentParameterMismatch``. Only successes are kept, so a write
refused while the gateway was busy can be retried with its token. At most ``KEPT_TOKENS``
answers are kept (the oldest go first), each with a digest of its request, not the request:
memory stays bounded however many writes a long-running server takes in a day.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Final
from urllib.parse import parse_qsl, unquote

from attrs import evolve, frozen

from bce_vpn_async import _rules as validation
from bce_vpn_async._clock import Clock
from bce_vpn_async._credentials import Credentials

from ._auth import verify
from ._faults import Fault, FaultPlan, default_error, draw_fault
from ._json import JsonRefused, dumps, loads
from ._log import LoggedRequest, RequestLog, logged_body, visible_headers
from ._routes import Match, match, single_values
from ._service import Backend, Call, ServiceError
from ._service.inputs import apply_rule
from ._throttle import AccountBuckets

__all__ = ["KEPT_TOKENS", "Answer", "Handler", "WireApp", "WireRequest", "bce_answer", "bce_error"]

Headers = tuple[tuple[str, str], ...]

KEPT_TOKENS: Final = 10_000
"""How many ``clientToken`` answers are kept at most (each for ``token_retention``)."""

# RFC 9110's token: what a request line's method may be made of.
_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

_logger = logging.getLogger("bce_vpn_async.testing")
_INTERNAL_ERROR = "We encountered an internal error. Please try again."


@frozen
class WireRequest:
    """A request as it arrived: decoded path, decoded query pairs, lower-case header names."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Headers
    body: bytes

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        query_string: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes,
    ) -> WireRequest:
        """A request from its raw parts, as an ASGI server or transport hands them over."""
        # parse_qsl reads "+" as a space and keeps valueless flags, as the signer does;
        # UTF-8 because the signer encodes decoded parameters back to UTF-8 bytes.
        query = parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
        return cls(
            method=method.upper(),
            path=path,
            query=tuple(query),
            headers=tuple(
                (name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in headers
            ),
            body=body,
        )

    @classmethod
    def from_target(
        cls,
        method: str,
        target: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes,
    ) -> WireRequest:
        """A request from its request line's target (``/v1/vpn/x?clientToken=t``), as a
        socket or an httpx request carries it: the path percent-decoded, the query raw."""
        raw_path, _, query = target.partition(b"?")
        path = unquote(raw_path.decode("ascii", "replace"))
        return cls.build(method, path, query, headers, body)


@frozen
class Answer:
    """What to send back, after ``stall`` seconds (latency and stall faults); ``drop``
    closes the connection instead, without a byte of an answer. Each way in applies both,
    so a client's read timeout cuts a long wait alike in-process and over a socket."""

    status: int
    headers: Headers
    body: bytes
    drop: bool = False
    stall: float = 0.0


Handler = Callable[[WireRequest], Awaitable[Answer]]
"""What each way in calls: ``WireApp.handle``, or the control plane in front of it."""


def bce_answer(status: int, body: bytes, request_id: str, now: float) -> Answer:
    """An answer with the headers the service sends on every answer: ``x-bce-request-id``,
    ``Date`` (at ``now``, the emulator's clock), ``Server`` and the body's framing."""
    headers = [
        ("x-bce-request-id", request_id),
        ("date", email.utils.formatdate(now, usegmt=True)),
        ("server", "bce-vpn-async-emulator"),
    ]
    if status != 204:  # RFC 9110 8.6: a 204 carries no Content-Length
        headers.append(("content-length", str(len(body))))
    if body:
        headers.append(("content-type", "application/json;charset=UTF-8"))
    return Answer(status, tuple(headers), body)


def bce_error(status: int, code: str, message: str, request_id: str, now: float) -> Answer:
    """A BCE error answer: ``{"code", "message", "requestId"}`` and the usual headers."""
    # A message may quote an id from the path, and a WireRequest built by hand may hold
    # a lone surrogate no way in can decode; the answer must still be UTF-8 JSON.
    message = message.encode("utf-8", "replace").decode("utf-8")
    body = dumps({"code": code, "message": message, "requestId": request_id})
    return bce_answer(status, body, request_id, now)


@frozen
class _Kept:
    fingerprint: bytes
    status: int
    body: bytes
    at: float


class WireApp:
    """The service on the wire, around the state: what ``VpnEmulator`` serves."""

    def __init__(
        self,
        *,
        backend: Backend,
        accounts: Mapping[str, Credentials],
        faults: FaultPlan,
        log: RequestLog,
        seed: int,
        latency: Callable[[], float],
        skew_seconds: float,
        token_retention: float,
        rate_limit: float | None = None,
    ) -> None:
        self.backend: Backend = backend
        self.accounts: Mapping[str, Credentials] = accounts
        self.faults: FaultPlan = faults
        self.log: RequestLog = log
        self._latency = latency
        self._skew = skew_seconds
        self._retention = token_retention
        self._request_ids = random.Random(f"{seed}:requests")
        self._kept: dict[tuple[str, str, str], _Kept] = {}
        self.buckets: AccountBuckets | None = (
            None if rate_limit is None else AccountBuckets(rate_limit)
        )

    @property
    def clock(self) -> Clock:
        """The emulator's clock (the backend's)."""
        return self.backend.clock

    async def handle(self, request: WireRequest) -> Answer:
        """Answer one request as the service would, with the fault it meets, if any; log it.

        Never raises for what a client sends: every request gets an ``Answer`` (or a drop).
        """
        request_id = str(uuid.UUID(int=self._request_ids.getrandbits(128), version=4))
        query = dict(request.query)
        try:
            query = single_values(request.query)
            route: Match | ServiceError = match(request.method, request.path, query)
        except ServiceError as exc:
            route = exc
        operation = route.operation.name if isinstance(route, Match) else None
        fault = draw_fault(self.faults, operation)
        # Latency is held like a stall, by each way in: over a socket the client's read
        # timeout cuts it, and the in-process transport honours that timeout the same way.
        delay = self._latency() + (fault.seconds if fault and fault.kind == "latency" else 0.0)
        account = None
        if fault is not None and fault.kind == "drop_before":
            answer = Answer(0, (), b"", drop=True)
        elif fault is not None and fault.kind in ("error", "throttle"):
            answer = self._fault_answer(fault, request_id)
        else:
            account, answer = self._process(request, query, route, request_id)
            if fault is not None and fault.kind == "drop_after":
                answer = evolve(answer, drop=True)
            elif fault is not None and fault.kind == "stall":
                answer = evolve(answer, stall=fault.seconds)
        if delay > 0:
            answer = evolve(answer, stall=answer.stall + delay)
        if self.log.maxlen:
            self.log.append(
                LoggedRequest(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    operation=operation,
                    headers=visible_headers(dict(request.headers)),
                    body_size=len(request.body),
                    body_json=logged_body(request.body),
                    status=None
                    if fault is not None and fault.kind == "drop_before"
                    else answer.status,
                    fault=None if fault is None else fault.kind,
                    request_id=request_id,
                    access_key_id=account,
                )
            )
        return answer

    def _process(
        self,
        request: WireRequest,
        query: Mapping[str, str],
        route: Match | ServiceError,
        request_id: str,
    ) -> tuple[str | None, Answer]:
        account = None
        try:
            if not _METHOD.fullmatch(request.method):
                # A server refuses a request line it cannot parse before it looks at the
                # signature, which cannot even be computed over a method that is not ASCII.
                raise ServiceError(
                    400, "InvalidHTTPRequest", "The request method is not an HTTP token."
                )
            account = verify(
                method=request.method,
                path=request.path,
                query=request.query,
                headers=request.headers,
                accounts=self.accounts,
                now=self.clock.time(),
                skew_seconds=self._skew,
            )
            if self.buckets is not None:
                # Before anything is applied or a clientToken is remembered: a throttled
                # write changes nothing and can be sent again with the same token.
                wait = self.buckets.take(account, self.clock.monotonic())
                if wait is not None:
                    return account, self._throttled(wait, request_id)
            if isinstance(route, ServiceError):
                raise route
            body = _parse_body(request.body)
            token = query.get("clientToken")
            operation = route.operation
            if token is not None and operation.takes_token:
                # The reference documents the token on every write and on two reads
                # (docs/service/api-facts.md#operations); elsewhere it is an unknown key,
                # ignored.
                apply_rule(validation.client_token, token)
            if token is None or not operation.write:
                return account, self._run(route, account, query, body, request_id)
            return account, self._idempotent(route, account, query, body, token, request_id)
        except ServiceError as exc:
            return account, self._error(exc.status, exc.code, exc.message, request_id)
        except Exception:
            # A bug, not an answer the service gives: the server's log gets the traceback,
            # the client the service's shape (the write, if any, was undone).
            _logger.exception(
                "the emulator failed on %s %r (request id %s); answered 500 InternalError",
                request.method,
                request.path,
                request_id,
            )
            return account, self._error(500, "InternalError", _INTERNAL_ERROR, request_id)

    def _run(
        self,
        route: Match,
        account: str,
        query: Mapping[str, str],
        body: object,
        request_id: str,
    ) -> Answer:
        call = Call(route.operation, account, route.path_ids, query, body)
        if not route.operation.write:
            return self._answer(200, _payload(route.handler(self.backend, call)), request_id)
        # The answer is written inside too: a write whose answer cannot be sent is undone.
        with self.backend.all_or_nothing(call):
            payload = _payload(route.handler(self.backend, call))
        return self._answer(200, payload, request_id)

    def _idempotent(
        self,
        route: Match,
        account: str,
        query: Mapping[str, str],
        body: object,
        token: str,
        request_id: str,
    ) -> Answer:
        now = self.clock.time()
        self._forget_before(now - self._retention)
        key = (account, route.operation.name, token)
        params = sorted((k, v) for k, v in query.items() if k != "clientToken")
        fingerprint = hashlib.sha256(dumps([route.path_ids, params, body])).digest()
        kept = self._kept.get(key)
        if kept is not None:
            if kept.fingerprint != fingerprint:
                raise ServiceError(
                    403,
                    "IdempotentParameterMismatch",
                    "The request uses the same client token as a previous, "
                    "but non-identical request.",
                )
            return self._answer(kept.status, kept.body, request_id)
        answer = self._run(route, account, query, body, request_id)
        self._kept[key] = _Kept(fingerprint, answer.status, answer.body, now)
        return answer

    def forget_tokens(self) -> None:
        """Forget every remembered ``clientToken`` answer (``VpnEmulator.reset``)."""
        self._kept.clear()

    def _forget_before(self, cutoff: float) -> None:
        # Kept answers are in time order, so the expired ones (and, past KEPT_TOKENS, the
        # oldest) are at the front.
        while self._kept:
            key, kept = next(iter(self._kept.items()))
            if kept.at >= cutoff and len(self._kept) < KEPT_TOKENS:
                return
            del self._kept[key]

    def _answer(self, status: int, body: bytes, request_id: str) -> Answer:
        return bce_answer(status, body, request_id, self.clock.time())

    def _error(self, status: int, code: str, message: str, request_id: str) -> Answer:
        return bce_error(status, code, message, request_id, self.clock.time())

    def _fault_answer(self, fault: Fault, request_id: str) -> Answer:
        answer = self._error(fault.status, fault.code, fault.message, request_id)
        if fault.kind != "throttle":
            return answer
        return _with_retry_after(answer, fault.retry_after)

    def _throttled(self, after: float, request_id: str) -> Answer:
        """The rate limit's answer: 429 with the throttling code and ``Retry-After``."""
        code, message = default_error(429)
        return _with_retry_after(self._error(429, code, message, request_id), after)


def _with_retry_after(answer: Answer, after: float) -> Answer:
    text = str(int(after)) if after == int(after) else f"{after:g}"
    return evolve(answer, headers=(*answer.headers, ("retry-after", text)))


def _payload(result: object) -> bytes:
    return b"" if result is None else dumps(result)


def _parse_body(body: bytes) -> object:
    """The request's JSON; an empty body reads as ``{}`` (some SDKs send none)."""
    if not body.strip():
        return {}
    try:
        return loads(body)
    except JsonRefused as refused:
        error = ServiceError(400, refused.code, refused.message)
    raise error
