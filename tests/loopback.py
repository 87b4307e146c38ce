"""Servers on loopback for the tests that need real sockets, run as tasks of the test's loop.

``serving(emulator)`` puts the emulator behind its own HTTP server; ``silent_server()`` accepts
connections and never answers. Both live in the test's own event loop and process, so a
test can count this process's file descriptors around them.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bce_vpn_async.testing import VpnEmulator
from bce_vpn_async.testing._server import BACKLOG, emulator_server

__all__ = ["RawServer", "open_fds", "raw_server", "serving", "silent_server"]


def open_fds() -> int:
    """How many file descriptors this process holds (Linux: ``/proc/self/fd``)."""
    return len(os.listdir("/proc/self/fd"))


def _listening_socket() -> socket.socket:
    # IPPROTO_TCP so that asyncio turns Nagle off on accepted sockets (40 ms stalls).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


@asynccontextmanager
async def serving(emulator: VpnEmulator, *, control: bool = False) -> AsyncIterator[str]:
    """The emulator served on an ephemeral port in this loop; yields the endpoint URL."""
    server = emulator_server(emulator, control=control)
    sock = _listening_socket()
    port = sock.getsockname()[1]
    await server.start(sock, BACKLOG)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.stop()


@asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """A server that accepts every connection, reads what comes and never answers."""
    connections: set[asyncio.StreamWriter] = set()

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.add(writer)
        try:
            while await reader.read(65536):
                pass
        finally:
            connections.discard(writer)
            writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for writer in list(connections):
            writer.close()
        await server.wait_closed()


@asynccontextmanager
async def raw_server(answer: bytes, *, close: bool = True) -> AsyncIterator[RawServer]:
    """A server that reads each request's head and body, writes ``answer`` byte for byte
    and hangs up (``close``), or keeps the connection open with nothing more to say."""
    server = RawServer(answer, close=close)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    server.endpoint = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        listener.close()
        for writer in list(server.connections):
            writer.close()
        await listener.wait_closed()


class RawServer:
    def __init__(self, answer: bytes, *, close: bool) -> None:
        self.answer = answer
        self.close = close
        self.endpoint = ""
        self.requests = 0
        self.connections: set[asyncio.StreamWriter] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                writer.write(self.answer)
                await writer.drain()
                if self.close:
                    return
        except (OSError, asyncio.IncompleteReadError):
            return
        finally:
            self.connections.discard(writer)
            writer.close()
