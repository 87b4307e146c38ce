"""The emulator on a real socket: uvicorn on loopback, in a thread of its own.

A thread, not a task of the caller's event loop, so that the server keeps answering
while the caller blocks: synchronous code (the official SDK, ``requests``), another event
loop, or a test that never awaits. The socket is bound and listening before ``start``
returns, so the endpoint is live as soon as it is known.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from ._app import ConnectionDropped

if TYPE_CHECKING:
    import uvicorn

    from bce_vpn_async._credentials import Credentials

    from ._emulator import VpnEmulator

__all__ = ["EmulatorServer", "HideDrops", "listening_socket", "uvicorn_server"]


class HideDrops(logging.Filter):
    """uvicorn logs an app's exception with a traceback; a planned drop is not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


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
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_server(
    emulator: VpnEmulator,
    *,
    log_level: str = "warning",
    configure_logging: bool = False,
    control: bool = False,
) -> uvicorn.Server:
    """A uvicorn server for the emulator. Inside another program (tests, examples) it leaves
    logging alone; the serve command lets uvicorn configure it. ``control`` adds the
    ``/_emulator/`` control plane (``_control``)."""
    try:
        import uvicorn
    except ImportError:
        raise RuntimeError(
            "serving the emulator needs uvicorn: pip install 'bce-vpn-async[emulator]'"
        ) from None
    logging.getLogger("uvicorn.error").addFilter(HideDrops())
    app: Any = emulator.asgi_app
    if control:
        from ._control import ControlPlane

        app = ControlPlane(emulator, app)
    config = uvicorn.Config(
        app,
        log_level=log_level,
        log_config=uvicorn.config.LOGGING_CONFIG if configure_logging else None,
        lifespan="off",
        access_log=False,
        # The app sends its own Server and Date (the latter on the emulator's clock, which
        # RequestExpired answers rely on); uvicorn's would make two of each, which aiohttp
        # refuses in asyncio's debug mode.
        server_header=False,
        date_header=False,
    )
    return uvicorn.Server(config)


def endpoint_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if sock.family == socket.AF_INET6 else host
    return f"http://{shown}:{port}"


class EmulatorServer:
    """``with EmulatorServer(VpnEmulator()) as server:`` serves it at ``server.endpoint``.

    ``server.credentials`` are the ones it accepts; ``server.emulator`` is there for
    assertions (state, request log) and faults. The emulator should run on the real clock
    (the default): a client on another machine or process cannot share a ``FakeClock``.
    ``EmulatorServer(VpnEmulator(rate_limit=100))`` serves a rate-limited emulator (as
    ``serve --rate-limit 100`` does). ``control=True`` serves the unsigned ``/_emulator/``
    control plane beside the API (state, reset, faults, the request log; see
    ``python -m bce_vpn_async.testing serve --help``), for code under test that cannot
    reach ``server.emulator``.
    """

    def __init__(
        self,
        emulator: VpnEmulator | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        control: bool = False,
    ) -> None:
        if emulator is None:
            from ._emulator import VpnEmulator

            emulator = VpnEmulator()
        self.emulator = emulator
        self._host = host
        self._port = port
        self._control = control
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._endpoint: str | None = None

    @property
    def endpoint(self) -> str:
        """The base URL to give a client (``http://127.0.0.1:PORT``), once started."""
        if self._endpoint is None:
            raise RuntimeError("the server is not started")
        return self._endpoint

    @property
    def credentials(self) -> Credentials:
        """The credentials the emulator accepts."""
        return self.emulator.credentials

    def start(self) -> Self:
        """Serve from a daemon thread; returns once the socket listens."""
        if self._thread is not None:
            raise RuntimeError("the server is already started")
        server = uvicorn_server(self.emulator, control=self._control)
        sock = listening_socket(self._host, self._port)
        self._endpoint = endpoint_of(sock)
        started = threading.Event()

        def run() -> None:
            async def serve() -> None:
                started.set()
                await server.serve(sockets=[sock])

            try:
                asyncio.run(serve())
            finally:
                sock.close()

        self._server = server
        self._thread = threading.Thread(target=run, name="bce-vpn-emulator", daemon=True)
        self._thread.start()
        started.wait(timeout=10)
        return self

    def stop(self) -> None:
        """Stop serving and join the thread; safe when not started or already stopped."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"EmulatorServer(endpoint={self._endpoint!r}, emulator={self.emulator!r})"
