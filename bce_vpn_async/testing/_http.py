"""The served emulator's HTTP/1.1 server: an asyncio protocol reading requests with httptools.

Not an ASGI server, because an ASGI server cannot close a connection without answering
(an app that fails before it starts a response gets the server's own 500), and a
``drop_before`` or ``drop_after`` fault has to be what a lost connection is on the wire:
the connection closes before a single byte of the answer. Every request goes to one
``Handler`` (``WireApp.handle``, or the control plane in front of it), the same core the
in-process transport and the ASGI app call.

Requests are read by httptools (llhttp, the parser of uvicorn and Node.js), which refuses
what is not strict HTTP/1.1: bare line feeds, folded headers, ``Content-Length`` beside
``Transfer-Encoding``, a method it does not know. Answers are whole and buffered, so they
are written here, framed by their length.

What a client meets:

- keep-alive and pipelining (answers in the order of the requests), bodies framed by
  ``Content-Length`` or chunked, ``Expect: 100-continue``, ``HEAD`` answered with the
  headers alone;
- an answer with ``drop``: the connection closes and nothing is written; with ``stall``:
  nothing is written for that long, and a client that closes its side first (it gave up)
  cancels the held answer;
- a request that is not HTTP, or whose head (request line and headers) is longer than
  ``MAX_HEAD_BYTES``: 400 ``InvalidHTTPRequest``; a body longer than ``MAX_BODY_BYTES``:
  413 ``LimitExceeded``. Both in the BCE error shape with ``x-bce-request-id``; then the
  server stops writing and reads on (discarding) until the client closes or
  ``LINGER_SECONDS`` pass, so that a client still sending reads the answer rather than a
  reset. The request log does not see them (no request reached the emulator);
- a request asking to switch protocols (``Upgrade``, ``CONNECT``) gets its answer, then
  the connection closes: the emulator speaks HTTP/1.1 only;
- a connection with no request in progress closes after ``IDLE_SECONDS``;
- ``HttpServer.stop()`` stops listening, cancels held answers and closes every connection.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections import deque
from http import HTTPStatus
from typing import Final, NamedTuple, cast

import httptools

from bce_vpn_async._clock import Clock

from ._wire import Answer, Handler, WireRequest, bce_error

__all__ = ["IDLE_SECONDS", "LINGER_SECONDS", "MAX_BODY_BYTES", "MAX_HEAD_BYTES", "HttpServer"]

MAX_HEAD_BYTES: Final = 64 * 1024
"""The longest request line and headers read, together."""
MAX_BODY_BYTES: Final = 16 * 1024 * 1024
"""The longest request body read."""
IDLE_SECONDS: Final = 75.0
"""How long a connection may stay open with no request in progress (nginx's default)."""
LINGER_SECONDS: Final = 2.0
"""How long a refused request's connection is read (and discarded) before it closes."""

logger = logging.getLogger("bce_vpn_async.testing")

_REASONS = {status.value: status.phrase.encode("ascii") for status in HTTPStatus}
# How long stop() waits for closed connections to be gone.
_STOP_SECONDS = 1.0
# The most read while a request's head is still incomplete (a read may also hold the end of
# the request before it, so this bounds memory, and MAX_HEAD_BYTES the head itself).
_HEAD_BUFFER = 1024 * 1024
_LONG_HEAD = f"The request line and headers are longer than the {MAX_HEAD_BYTES} bytes read."
_LONG_BODY = f"The request body is longer than the {MAX_BODY_BYTES} bytes the emulator reads."


class HttpServer:
    """Serves ``handle`` on listening sockets of the running event loop."""

    def __init__(self, handle: Handler, clock: Clock) -> None:
        self.handle = handle
        self.clock = clock
        self.connections: set[_Connection] = set()
        self._servers: list[asyncio.Server] = []

    async def start(self, sock: socket.socket, backlog: int) -> None:
        """Accept connections on ``sock`` (bound and listening) from now on, with room for
        ``backlog`` of them waiting (asyncio listens again on a given socket, with its own
        default of 100 unless told)."""
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Connection(self), sock=sock, backlog=backlog)
        self._servers.append(server)

    async def stop(self) -> None:
        """Stop listening, cancel every answer in progress and close every connection."""
        servers, self._servers = self._servers, []
        for server in servers:
            server.close()
        connections = list(self.connections)
        tasks = [task for connection in connections if (task := connection.shut())]
        await asyncio.gather(*tasks, return_exceptions=True)
        # Each connection is lost on the loop's next turns; wait for that, so that no socket
        # outlives the server (a client not reading could hold one only until this bound).
        lost = [connection.lost for connection in connections]
        if lost:
            await asyncio.wait(lost, timeout=_STOP_SECONDS)
        for server in servers:
            await server.wait_closed()


class _Connection(asyncio.Protocol):
    """One client connection: httptools reads its requests, answered one at a time in the
    order they came (pipelined requests wait their turn, and reading pauses meanwhile)."""

    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        # The request being read.
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._in_head = False
        self._head_size = 0
        self._head_read = 0
        self._body: list[bytes] = []
        self._size = 0
        self._refusal: tuple[int, str, str] | None = None
        # Requests read whole, waiting for their answer; the answer in progress.
        self._pending: deque[tuple[_Head, bytes]] = deque()
        self._task: asyncio.Task[None] | None = None
        self._reading = True
        self._writable = asyncio.Event()
        self._writable.set()
        self._idle: asyncio.TimerHandle | None = None
        self._lingering = False
        self._switching = False
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # -- asyncio's protocol callbacks ------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._server.connections.add(self)
        self._arm_idle()

    def data_received(self, data: bytes) -> None:
        if self._lingering or self._switching:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._switching = True  # what follows is not HTTP/1.1: answer, then close
        except httptools.HttpParserError as exc:
            if self._refusal is None:  # else a callback refused, and said why
                self._refusal = (400, "InvalidHTTPRequest", f"The request is not HTTP/1.1: {exc}.")
        if self._in_head and self._refusal is None:
            # httptools hands a header over once it is whole (the callbacks count the head
            # exactly): a header that never ends is stopped here, by the bytes read meanwhile.
            self._head_read += len(data)
            if self._head_read > _HEAD_BUFFER:
                self._refusal = (400, "InvalidHTTPRequest", _LONG_HEAD)
        if self._refusal is not None:
            self._refuse(*self._refusal)
            return
        if len(self._pending) > 1 and self._reading and self._transport is not None:
            self._reading = False
            self._transport.pause_reading()
        self._next()

    def eof_received(self) -> bool:
        # A client that closes its side has given up on what it asked: close ours, which
        # cancels an answer in progress (connection_lost).
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)
        self._server.connections.discard(self)
        self._disarm_idle()
        self._writable.set()
        if self._task is not None:
            self._task.cancel()

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    # -- httptools' callbacks --------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url, self._headers, self._body, self._size = b"", [], [], 0
        self._in_head, self._head_size, self._head_read = True, 0, 0

    def on_url(self, url: bytes) -> None:
        self._grow_head(len(url))
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._grow_head(len(name) + len(value) + 4)  # and ": ", CRLF
        self._headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        head = self._head()
        if head.content_length() > MAX_BODY_BYTES:
            self._stop(413, "LimitExceeded", _LONG_BODY)
        if head.expects_continue() and self._task is None and not self._pending:
            self._write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MAX_BODY_BYTES:
            self._stop(413, "LimitExceeded", _LONG_BODY)
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._pending.append((self._head(), b"".join(self._body)))
        self._body = []

    def _head(self) -> _Head:
        parser = self._parser
        return _Head(parser.get_method(), self._url, self._headers, parser.should_keep_alive())

    def _grow_head(self, size: int) -> None:
        self._head_size += size
        if self._head_size > MAX_HEAD_BYTES:
            self._stop(400, "InvalidHTTPRequest", _LONG_HEAD)

    def _stop(self, status: int, code: str, message: str) -> None:
        """Refuse the request being read; httptools stops at the exception."""
        self._refusal = (status, code, message)
        raise _Refused(message)

    def _next(self) -> None:
        """Start answering the next request read whole, if no answer is in progress."""
        if self._task is None and self._pending:
            head, body = self._pending.popleft()
            self._disarm_idle()
            self._task = asyncio.get_running_loop().create_task(self._answer(head, body))

    # -- answering -------------------------------------------------------------------------

    async def _answer(self, request: _Head, body: bytes) -> None:
        server = self._server
        wire = WireRequest.from_target(
            request.method.decode("ascii"), request.target, request.headers, body
        )
        head_only, keep_alive = request.method == b"HEAD", request.keep_alive
        try:
            answer = await server.handle(wire)
            if answer.stall:
                await server.clock.sleep(answer.stall)
            response = (
                b"" if answer.drop else _serialize(answer, head=head_only, close=not keep_alive)
            )
        except Exception:
            # The handler answers every request itself; this is the last line, so that a
            # bug is a 500 in the service's shape and one log record, not a dead socket.
            logger.exception("the emulator failed to answer %s %s", wire.method, wire.path)
            answer = self._error(500, "InternalError", "The emulator failed to answer.")
            response = _serialize(answer, head=head_only, close=not keep_alive)
        if answer.drop:
            # The fault's whole point: not a byte of an answer, as when a network loses it.
            self._close()
            return
        self._write(response)
        if not keep_alive:
            self._close()
            return
        await self._writable.wait()
        self._task = None
        if self._switching and not self._pending:
            self._close()
            return
        if not self._reading and not self._pending and self._transport is not None:
            self._reading = True
            self._transport.resume_reading()
        self._arm_idle()
        self._next()

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer a request that cannot be read, in the BCE shape, and close the connection
        once the client has read the answer."""
        self._write(_serialize(self._error(status, code, message), close=True))
        self._linger()

    def _error(self, status: int, code: str, message: str) -> Answer:
        return bce_error(status, code, message, str(uuid.uuid4()), self._server.clock.time())

    # -- the connection --------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _linger(self) -> None:
        """Stop writing, and discard what the client still sends until it closes or
        ``LINGER_SECONDS`` pass: closing with its data unread would reset the connection,
        and a client still sending its body would see the reset, not the answer."""
        self._lingering = True
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        self._disarm_idle()
        self._idle = asyncio.get_running_loop().call_later(LINGER_SECONDS, self._close)

    def shut(self) -> asyncio.Task[None] | None:
        """Cancel the answer in progress and close the connection (the server stops): what
        is already written goes out, unless the client is not reading it."""
        task = self._task
        if task is not None:
            task.cancel()
        if self._transport is not None:
            if self._transport.get_write_buffer_size():
                self._transport.abort()
            else:
                self._transport.close()
        return task

    def _arm_idle(self) -> None:
        self._disarm_idle()
        self._idle = asyncio.get_running_loop().call_later(IDLE_SECONDS, self._close)

    def _disarm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None


class _Refused(Exception):
    """Raised from a parser callback to stop reading a request that is refused."""


class _Head(NamedTuple):
    """What the server keeps of a request's head."""

    method: bytes
    target: bytes
    headers: list[tuple[bytes, bytes]]  # names in lower case
    keep_alive: bool

    def content_length(self) -> int:
        for name, value in self.headers:
            if name == b"content-length":
                return int(value)
        return 0

    def expects_continue(self) -> bool:
        return any(
            name == b"expect" and value.lower() == b"100-continue" for name, value in self.headers
        )


def _serialize(answer: Answer, *, head: bool = False, close: bool = False) -> bytes:
    """``answer`` as an HTTP/1.1 response, framed here by the length of its body (a HEAD
    answer keeps the length and leaves the body out; a 204 has neither)."""
    lines = [b"HTTP/1.1 %d %s\r\n" % (answer.status, _REASONS.get(answer.status, b""))]
    for name, value in answer.headers:
        if name == "content-length":
            continue
        if "\r" in value or "\n" in value:
            raise ValueError(f"the answer's {name} header holds a line break")
        lines.append(f"{name}: {value}\r\n".encode("latin-1"))
    if answer.status != 204:
        lines.append(b"content-length: %d\r\n" % len(answer.body))
    if close:
        lines.append(b"connection: close\r\n")
    lines.append(b"\r\n")
    if not head and answer.status != 204:
        lines.append(answer.body)
    return b"".join(lines)
