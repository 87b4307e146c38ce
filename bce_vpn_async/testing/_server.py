"""The emulator on a real socket: its own HTTP server (``_http``), in a thread of its own.

A thread, not a task of the caller's event loop, so that the server keeps answering
while the caller blocks: synchronous code (the official SDK, ``requests``), another event
loop, or a test that never awaits. The socket is bound and listening before ``start``
returns, so the endpoint is live as soon as it is known; ``stop`` cancels the answers
that faults hold, closes every connection and ends the thread before it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ._emulator import VpnEmulator, wire_app_of
from ._wire import Handler

if TYPE_CHECKING:
    from bce_vpn_async._credentials import Credentials

    from ._http import HttpServer

__all__ = ["EmulatorServer", "emulator_server", "endpoint_of", "listening_socket"]

# How long stop() waits for the server's thread; it ends well within this (its held
# answers are cancelled, not waited for), so passing it means the thread is stuck.
_STOP_SECONDS = 10.0


# Connections waiting to be accepted. A burst of thousands (a bulk script, the benchmark at
# C=5000) waits in the queue, not in SYN retries of 1, 3, 7, 15 s...; the kernel caps it at
# net.core.somaxconn.
BACKLOG = 4096


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound and listening, so ``port=0`` can tell which port it got."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and accepted sockets inherit it. Without it, Nagle holds the body of a response
    # written in two parts until the client's delayed ACK (40 ms), on every kept-alive call.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def emulator_server(emulator: VpnEmulator, *, control: bool = False) -> HttpServer:
    """An HTTP server for ``emulator`` (not yet listening); ``control`` adds the
    ``/_emulator/`` control plane (``_control``) in front of the API."""
    try:
        from ._http import HttpServer
    except ImportError:  # httptools, the [emulator] extra
        raise RuntimeError(
            "serving the emulator needs httptools: pip install 'bce-vpn-async[emulator]'"
        ) from None
    handle: Handler = wire_app_of(emulator).handle
    if control:
        from ._control import ControlPlane

        handle = ControlPlane(emulator, handle).handle
    return HttpServer(handle, emulator.clock)


def endpoint_of(sock: socket.socket) -> str:
    """The base URL of a listening socket (``http://127.0.0.1:PORT``, IPv6 in brackets)."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if sock.family == socket.AF_INET6 else host
    return f"http://{shown}:{port}"


class EmulatorServer:
    """A ``VpnEmulator`` served over HTTP/1.1 on loopback, from a thread of its own.

    ``with EmulatorServer(VpnEmulator()) as server:`` serves it at ``server.endpoint``,
    accepting ``server.credentials``; ``server.emulator`` is there for assertions (state,
    request log) and faults. The emulator should run on the real clock (the default): a
    client in another process cannot share a ``FakeClock``. The server is the emulator's
    own, so each fault is on the wire what it says (a dropped connection closes without an
    answer). Stopping (``stop()``, or leaving the ``with`` block) takes well under a second
    whatever faults hold: held answers are cancelled and their connections closed.

    Args:
        emulator: The emulator to serve; default a new ``VpnEmulator()``.
        host: The address to listen on (``"::1"`` for IPv6 loopback).
        port: The port; 0 (default) picks a free one, which ``endpoint`` then names.
        control: Also serve the unsigned ``/_emulator/`` control plane (state, reset,
            faults, the request log; see ``python -m bce_vpn_async.testing serve --help``),
            for code under test that cannot reach ``server.emulator``.
    """

    emulator: VpnEmulator
    """The emulator served."""

    def __init__(
        self,
        emulator: VpnEmulator | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        control: bool = False,
    ) -> None:
        self.emulator = VpnEmulator() if emulator is None else emulator
        self._host = host
        self._port = port
        self._control = control
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._endpoint: str | None = None

    @property
    def endpoint(self) -> str:
        """The base URL to give a client (``http://127.0.0.1:PORT``).

        Raises:
            RuntimeError: The server is not started.
        """
        if self._endpoint is None:
            raise RuntimeError("the server is not started")
        return self._endpoint

    @property
    def credentials(self) -> Credentials:
        """The credentials the emulator accepts."""
        return self.emulator.credentials

    def start(self) -> Self:
        """Serve from a daemon thread; return once the socket accepts connections.

        Returns:
            The server itself, started.

        Raises:
            RuntimeError: The server is already started, or httptools (the ``[emulator]``
                extra) is not installed.
            OSError: The address cannot be bound (a port in use, say).
        """
        if self._thread is not None:
            raise RuntimeError("the server is already started")
        server = emulator_server(self.emulator, control=self._control)
        sock = listening_socket(self._host, self._port)
        endpoint = endpoint_of(sock)
        started = threading.Event()
        failure: list[BaseException] = []

        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopping = stopping = asyncio.Event()
            try:
                await server.start(sock, BACKLOG)
            except Exception as exc:  # an OSError from the loop: start() raises it
                failure.append(exc)
                return
            finally:
                started.set()
            try:
                await stopping.wait()
            finally:
                await server.stop()

        def run() -> None:
            try:
                asyncio.run(serve())
            finally:
                sock.close()
                started.set()

        thread = threading.Thread(target=run, name="bce-vpn-emulator", daemon=True)
        thread.start()
        started.wait()
        if failure or self._loop is None:
            thread.join()
            self._loop = self._stopping = None
            raise failure[0] if failure else RuntimeError("the emulator's server did not start")
        self._thread = thread
        self._endpoint = endpoint
        return self

    def stop(self) -> None:
        """Stop serving: cancel held answers, close every connection and end the thread
        before returning. Safe when not started or already stopped.

        Raises:
            RuntimeError: The server's thread did not end in time (it is stuck).
        """
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            # RuntimeError: the loop has already closed, and the thread is ending.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        thread.join(_STOP_SECONDS)
        if thread.is_alive():
            raise RuntimeError(f"the emulator's server thread did not stop in {_STOP_SECONDS} s")
        self._thread = self._loop = self._stopping = None

    def __enter__(self) -> Self:
        """Start serving (``start()``)."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop serving (``stop()``)."""
        self.stop()

    def __repr__(self) -> str:
        return f"EmulatorServer(endpoint={self._endpoint!r}, emulator={self.emulator!r})"
