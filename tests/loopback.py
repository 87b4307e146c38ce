"""Servers on loopback for the tests that need real sockets, run as tasks of the test's loop.

``serving(emulator)`` puts the emulator behind uvicorn; ``silent_server()`` accepts
connections and never answers. Both live in the test's own event loop and process, so a
test can count this process's file descriptors around them.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from bce_vpn_async.testing import VpnEmulator

__all__ = ["open_fds", "serving", "silent_server"]


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
async def serving(emulator: VpnEmulator) -> AsyncIterator[str]:
    """uvicorn serving ``emulator`` on an ephemeral port; yields the endpoint URL."""
    # log_config=None leaves the test process's logging alone; "critical" hides the
    # tracebacks uvicorn logs for planned drops and for clients that went away.
    config = uvicorn.Config(
        emulator.asgi_app,
        log_config=None,
        log_level="critical",
        lifespan="off",
        access_log=False,
        server_header=False,  # the app sends its own; aiohttp refuses two (dev mode)
    )
    server = uvicorn.Server(config)
    with _listening_socket() as sock:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                task.result()  # it failed to start: raise why
            await asyncio.sleep(0.001)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            await task


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
