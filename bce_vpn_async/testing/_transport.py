"""The emulator in-process: an httpx transport that calls the core directly.

No sockets and no ASGI: the request's bytes go to ``WireApp.handle`` and its answer comes
back as an ``httpx.Response``. Faults that break the connection become the exceptions
httpx's own transport raises for the same event on a socket to the served emulator: a
connection closed before a byte of the answer (``drop_before``, ``drop_after``) is
``httpx.RemoteProtocolError("Server disconnected without sending a response.")``, and a
held answer (latency, stall) longer than the request's read timeout is
``httpx.ReadTimeout`` once that timeout has passed on the emulator's clock (instantly
with a ``FakeClock``).
"""

from __future__ import annotations

import httpx

from ._app import WireApp, WireRequest

__all__ = ["EmulatorTransport"]

# httpx's own words for the same events on a socket (from httpcore).
_DISCONNECTED = "Server disconnected without sending a response."
_READ_TIMEOUT = "timed out"


class EmulatorTransport(httpx.AsyncBaseTransport):
    """Use as ``httpx.AsyncClient(transport=emulator.transport(), base_url=...)``."""

    def __init__(self, app: WireApp) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the emulator, in-process (httpx's transport interface)."""
        body = await request.aread()
        wire = WireRequest.from_target(
            request.method, request.url.raw_path, request.headers.raw, body
        )
        answer = await self._app.handle(wire)
        if answer.stall:
            timeout = request.extensions.get("timeout", {}).get("read")
            if timeout is not None and timeout < answer.stall:
                await self._app.clock.sleep(timeout)
                raise httpx.ReadTimeout(_READ_TIMEOUT, request=request)
            await self._app.clock.sleep(answer.stall)
        if answer.drop:
            raise httpx.RemoteProtocolError(_DISCONNECTED, request=request)
        return httpx.Response(
            answer.status, headers=list(answer.headers), content=answer.body, request=request
        )

    def __repr__(self) -> str:
        return "EmulatorTransport()"
