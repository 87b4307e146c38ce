"""The default transport: httpx-aiohttp's, with its naming of broken connections corrected.

httpx-aiohttp turns every aiohttp ``ClientConnectionError`` into ``httpx.ConnectTimeout``:
its table matches the base class first and keeps that match when a more specific entry is
not a subclass of it. A refused connection, a server that hangs up before answering and a
reset all came out as a connect timeout, so the SDK reported them as ``BceTimeoutError``,
and a request that had reached the service looked as if it had never left. The aiohttp
error travels as ``__cause__``; it is named again here as httpx's own transport names it.
Timeouts (aiohttp's are ``asyncio.TimeoutError`` too) stay timeouts.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _AiohttpTransport

__all__ = ["AiohttpTransport", "rename_connection_error"]


def rename_connection_error(
    exc: httpx.ConnectTimeout, request: httpx.Request
) -> httpx.TransportError:
    """The httpx error that says what happened to the connection behind ``exc``."""
    cause = exc.__cause__
    if not isinstance(cause, aiohttp.ClientConnectionError) or isinstance(
        cause, asyncio.TimeoutError
    ):
        return exc
    message = str(exc)
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(cause, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message, request=request)
    return httpx.ReadError(message, request=request)


class AiohttpTransport(_AiohttpTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.ConnectTimeout as exc:
            renamed = rename_connection_error(exc, request)
            if renamed is exc:
                raise
            raise renamed from exc.__cause__
