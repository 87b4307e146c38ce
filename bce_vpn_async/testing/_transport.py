"""The emulator in-process: an httpx transport that calls the core directly.

No sockets and no ASGI: the request's bytes go to ``WireApp.handle`` and its answer comes
back as an ``httpx.Response``. Faults that break the connection become the exceptions a
real transport raises: a drop is ``httpx.RemoteProtocolError``, and a stall longer than
the request's read timeout is ``httpx.ReadTimeout`` after that timeout has passed on the
emulator's clock (instantly with a ``FakeClock``).
"""

from __future__ import annotations

from urllib.parse import unquote

import httpx

from ._app import WireApp, WireRequest

__all__ = ["EmulatorTransport"]


class EmulatorTransport(httpx.AsyncBaseTransport):
    """Use as ``httpx.AsyncClient(transport=emulator.transport(), base_url=...)``."""

    def __init__(self, app: WireApp) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the emulator, in-process (httpx's transport interface)."""
        body = await request.aread()
        raw_path, _, query = request.url.raw_path.partition(b"?")
        wire = WireRequest.build(
            request.method, unquote(raw_path.decode("ascii")), query, request.headers.raw, body
        )
        answer = await self._app.handle(wire)
        if answer.stall:
            timeout = request.extensions.get("timeout", {}).get("read")
            if timeout is not None and timeout < answer.stall:
                await self._app.clock.sleep(timeout)
                raise httpx.ReadTimeout(
                    "the emulator stalled past the read timeout", request=request
                )
            await self._app.clock.sleep(answer.stall)
        if answer.drop:
            raise httpx.RemoteProtocolError(
                "the emulator dropped the connection (fault injection)", request=request
            )
        return httpx.Response(
            answer.status, headers=list(answer.headers), content=answer.body, request=request
        )

    def __repr__(self) -> str:
        return "EmulatorTransport()"
