"""The served emulator's HTTP/1.1 server: an asyncio protocol that reads requests with h11.

Not an ASGI server, because an ASGI server cannot close a connection without answering
(an app that fails before it starts a response gets the server's own 500), and a
``drop_before`` or ``drop_after`` fault has to be what a lost connection is on the wire:
the connection closes before a single byte of the answer. Every request goes to one
``Handler`` (``WireApp.handle``, or the control plane in front of it), the same core the
in-process transport and the ASGI app call.

What a client meets:

- keep-alive and pipelining (answers in the order of the requests), bodies framed by
  ``Content-Length`` or chunked, ``Expect: 100-continue``, ``HEAD`` answered with the
  headers alone, any method token passed on to the handler;
- an answer with ``drop``: the connection closes and nothing is written; with ``stall``:
  nothing is written for that long, and a client that closes its side first (it gave up)
  cancels the held answer;
- a request that is not HTTP/1.0 or 1.1, or whose head (request line and headers) is longer than
  ``MAX_HEAD_BYTES``: 400 ``InvalidHTTPRequest``; a body longer than ``MAX_BODY_BYTES``:
  413 ``LimitExceeded``. Both in the BCE error shape with ``x-bce-request-id``; then the
  server stops writing and reads on (discarding) until the client closes or
  ``LINGER_SECONDS`` pass, so that a client still sending reads the answer rather than a
  reset. The request log does not see them (no request reached the emulator);
- a connection with no request in progress closes after ``IDLE_SECONDS``;
- ``HttpServer.stop()`` stops listening, cancels held answers and closes every connection.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from http import HTTPStatus
from typing import Final, NamedTuple, cast

import h11

from bce_vpn_async._clock import Clock

from ._app import Answer, Handler, WireRequest, bce_error

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
# Pipelined bytes read ahead while an answer is in progress, before reading pauses.
_READ_AHEAD = MAX_HEAD_BYTES
# How long stop() waits for closed connections to be gone.
_STOP_SECONDS = 1.0


class HttpServer:
    """Serves ``handle`` on listening sockets of the running event loop."""

    def __init__(self, handle: Handler, clock: Clock) -> None:
        self.handle = handle
        self.clock = clock
        self.connections: set[_Connection] = set()
        self._servers: list[asyncio.Server] = []

    async def start(self, sock: socket.socket) -> None:
        """Accept connections on ``sock`` (bound and listening) from now on."""
        loop = asyncio.get_running_loop()
        self._servers.append(await loop.create_server(lambda: _Connection(self), sock=sock))

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
    """One client connection: its requests read by h11, answered one at a time, in order.

    Each request is read by an h11 connection of its own, which hands what follows the
    request (pipelined requests) to the next one. Answers are written here, not through
    h11: they are whole and buffered, so framing them by their length takes a few lines,
    where h11 would check again, header by header, what this module itself wrote.
    """

    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._parser = _parser()
        self._transport: asyncio.Transport | None = None
        self._head: _Head | None = None
        self._body: list[bytes] = []
        self._size = 0
        self._continued = False
        self._task: asyncio.Task[None] | None = None
        self._read_ahead = 0
        self._reading = True
        self._writable = asyncio.Event()
        self._writable.set()
        self._idle: asyncio.TimerHandle | None = None
        self._lingering = False
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # -- asyncio's protocol callbacks ------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._server.connections.add(self)
        self._arm_idle()

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return
        self._parser.receive_data(data)
        if self._task is None:
            self._read()
            return
        self._read_ahead += len(data)
        if self._read_ahead > _READ_AHEAD and self._reading and self._transport is not None:
            self._reading = False
            self._transport.pause_reading()

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

    # -- reading ---------------------------------------------------------------------------

    def _read(self) -> None:
        """Read until a request is complete (then answer it) or the data runs out."""
        parser = self._parser
        while True:
            try:
                event = parser.next_event()
            except h11.RemoteProtocolError as exc:
                self._refuse(400, "InvalidHTTPRequest", f"The request is not HTTP/1.1: {exc}.")
                return
            if event is h11.NEED_DATA:
                if not self._continued and parser.they_are_waiting_for_100_continue:
                    self._continued = True
                    self._write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
            if isinstance(event, h11.Request):
                self._head, self._body, self._size = _Head.of(event), [], 0
                if self._head.content_length() > MAX_BODY_BYTES:
                    self._refuse_body()
                    return
            elif isinstance(event, h11.Data):
                self._size += len(event.data)
                if self._size > MAX_BODY_BYTES:
                    self._refuse_body()
                    return
                self._body.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                head, self._head = self._head, None
                if head is None:  # h11 reports a Request before its end
                    return
                body, self._body = b"".join(self._body), []
                # What follows this request is the next one's: a new parser reads it.
                self._parser = _parser()
                leftover = parser.trailing_data[0]
                if leftover:  # (h11 reads b"" as the end of the stream)
                    self._parser.receive_data(leftover)
                self._continued = False
                self._disarm_idle()
                self._task = asyncio.get_running_loop().create_task(self._answer(head, body))
                return
            else:  # ConnectionClosed or PAUSED: nothing more to read here
                return

    # -- answering -------------------------------------------------------------------------

    async def _answer(self, request: _Head, body: bytes) -> None:
        server = self._server
        wire = WireRequest.from_target(
            request.method.decode("ascii"), request.target, request.headers, body
        )
        head_only, keep_alive = request.method == b"HEAD", request.keeps_alive()
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
        self._read_ahead = 0
        if not self._reading and self._transport is not None:
            self._reading = True
            self._transport.resume_reading()
        self._arm_idle()
        self._read()

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer a request that cannot be read, in the BCE shape, and close the connection
        once the client has read the answer."""
        self._write(_serialize(self._error(status, code, message), close=True))
        self._linger()

    def _refuse_body(self) -> None:
        self._refuse(
            413,
            "LimitExceeded",
            f"The request body is longer than the {MAX_BODY_BYTES} bytes the emulator reads.",
        )

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


def _parser() -> h11.Connection:
    return h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)


class _Head(NamedTuple):
    """What the server reads of a request's head, taken from h11's ``Request`` once."""

    method: bytes
    target: bytes
    http_version: bytes
    headers: list[tuple[bytes, bytes]]  # names in lower case

    @classmethod
    def of(cls, request: h11.Request) -> _Head:
        # raw_items() is a list; iterating h11's Headers goes through the Sequence ABC,
        # one __getitem__ per header, several times a request.
        headers = [(name.lower(), value) for name, value in request.headers.raw_items()]
        return cls(request.method, request.target, request.http_version, headers)

    def content_length(self) -> int:
        for name, value in self.headers:
            if name == b"content-length":
                return int(value)
        return 0

    def keeps_alive(self) -> bool:
        """HTTP/1.1 keeps the connection open unless the request says ``Connection:
        close``; HTTP/1.0 closes it (as h11 itself, which has no 1.0 keep-alive)."""
        if self.http_version != b"1.1":
            return False
        for name, value in self.headers:
            if name == b"connection" and b"close" in (t.strip().lower() for t in value.split(b",")):
                return False
        return True


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
