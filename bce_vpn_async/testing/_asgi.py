"""The emulator as an ASGI 3 application (``VpnEmulator.asgi_app``).

For ``httpx.ASGITransport`` or an ASGI server of the user's own. ASGI cannot close a
connection without an answer, so a ``drop_before`` or ``drop_after`` fault raises
``ConnectionDropped`` before a response starts; serve with ``EmulatorServer`` (``_http``)
for drops as they are on the wire.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from bce_vpn_async._clock import Clock

from ._wire import Handler, WireRequest

__all__ = ["AsgiApp", "ConnectionDropped", "Receive", "Scope", "Send"]

# The ASGI callable's three arguments.
Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by ``emulator.asgi_app`` for a ``drop_before`` or ``drop_after`` fault, before
    it starts a response.

    ASGI has no way to close a connection without answering: ``httpx.ASGITransport``
    re-raises the exception, so an httpx client sees this transport error (an
    ``httpx.RemoteProtocolError``, as a real connection closed without an answer gives),
    while an ASGI server answers a request whose app failed with its own 500.
    """

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


class AsgiApp:
    """The emulator as an ASGI 3 application, for ``httpx.ASGITransport`` or an ASGI server
    of the user's own (``emulator.asgi_app``).

    ASGI cannot close a connection without an answer, so a ``drop_before`` or
    ``drop_after`` fault raises ``ConnectionDropped`` before a response starts:
    ``httpx.ASGITransport`` hands it to the client as the transport error it is, and an
    ASGI server answers it with its own 500. A held answer (latency, stall) ends early when
    the server reports that the client went away.
    """

    def __init__(self, handle: Handler, clock: Clock) -> None:
        self._handle = handle
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection (``http``; ``lifespan`` is acknowledged).

        Raises:
            ConnectionDropped: The request met a ``drop_before`` or ``drop_after`` fault.
        """
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        request = WireRequest.build(
            scope["method"],
            scope["path"],
            scope.get("query_string", b""),
            scope["headers"],
            b"".join(chunks),
        )
        answer = await self._handle(request)
        if answer.stall and not await self._held(answer.stall, receive):
            return
        if answer.drop:
            raise ConnectionDropped()
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})

    async def _held(self, seconds: float, receive: Receive) -> bool:
        """Hold for ``seconds`` on the emulator's clock: False if the client left first."""
        hold = asyncio.ensure_future(self._clock.sleep(seconds))
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait((hold, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (hold, gone):
                waiter.cancel()
        return hold.done() and not hold.cancelled()


async def _disconnected(receive: Receive) -> None:
    # Once the body is read, an ASGI server's receive() waits for the disconnect.
    while (await receive())["type"] != "http.disconnect":
        pass
