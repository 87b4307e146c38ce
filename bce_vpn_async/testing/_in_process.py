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

from ._wire import WireApp, WireRequest

__all__ = ["EMULATOR_ENDPOINT", "EmulatorTransport"]

EMULATOR_ENDPOINT = "http://vpn-emulator.invalid"
"""The endpoint a client of the in-process transport is given (the ``vpn_client`` fixture's).
The transport answers any host; this one only names the emulator in logs and errors, and
cannot resolve to a real server (``.invalid``, RFC 2606)."""

# httpx's own words for the same events on a socket (from httpcore).
_DISCONNECTED = "Server disconnected without sending a response."
_READ_TIMEOUT = "timed out"


class EmulatorTransport(httpx.AsyncBaseTransport):
    """An httpx transport that answers from a ``VpnEmulator`` in-process, without sockets.

    Made by ``VpnEmulator.transport()``; use it as
    ``httpx.AsyncClient(transport=emulator.transport())`` and give that client to
    ``AsyncVpnClient(http_client=...)``. A ``drop_before`` or ``drop_after`` fault raises
    ``httpx.RemoteProtocolError`` and an answer held past the request's read timeout
    ``httpx.ReadTimeout``, as httpx's own transport does over a socket.
    """

    def __init__(self, app: WireApp) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the emulator (httpx's transport interface).

        Args:
            request: The request, as the httpx client sends it.

        Returns:
            The emulator's answer, its body already read.

        Raises:
            httpx.RemoteProtocolError: A ``drop_before`` or ``drop_after`` fault closed
                the connection without an answer.
            httpx.ReadTimeout: The answer is held (latency, ``stall``) longer than the
                request's read timeout; raised once that timeout has passed on the
                emulator's clock.
        """
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
