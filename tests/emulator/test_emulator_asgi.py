"""``emulator.asgi_app`` in an ASGI server of the user's own (uvicorn here): the same core,
and what a drop fault can be where ASGI cannot close a connection without an answer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from emulator_helpers import SignWith

from bce_vpn_async.testing import SystemClock, VpnEmulator

GATEWAY = {"vpcId": "vpc-asgi", "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}


@pytest.fixture
def emulator() -> VpnEmulator:
    return VpnEmulator(build_seconds=0, configure_seconds=0)


@pytest.fixture
async def http(emulator: VpnEmulator) -> AsyncIterator[httpx.AsyncClient]:
    # "critical": uvicorn logs the app's ConnectionDropped with a traceback.
    config = uvicorn.Config(emulator.asgi_app, log_level="critical", lifespan="on")
    server = uvicorn.Server(config)
    with socket.create_server(("127.0.0.1", 0)) as sock:
        # Listening already: a request waits in the backlog until uvicorn accepts it.
        task = asyncio.create_task(server.serve(sockets=[sock]))
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
        auth = SignWith(emulator.credentials, SystemClock())
        try:
            async with httpx.AsyncClient(base_url=endpoint, auth=auth) as client:
                yield client
        finally:
            server.should_exit = True
            await task


async def test_the_asgi_app_answers_in_an_asgi_server(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    response = await http.post("/v1/vpn", json=GATEWAY)
    assert response.status_code == 200
    assert list(emulator.state.gateways) == [response.json()["vpnId"]]


@pytest.mark.parametrize(("kind", "applied"), [("drop_before", 0), ("drop_after", 1)])
async def test_an_asgi_server_answers_a_drop_with_its_own_500(
    http: httpx.AsyncClient, emulator: VpnEmulator, kind: str, applied: int
) -> None:
    # Documented: ASGI has no connection drop; the app raises before it starts a response.
    emulator.faults.add(kind, op="create_vpn")
    response = await http.post("/v1/vpn", json=GATEWAY)
    assert response.status_code == 500
    assert "x-bce-request-id" not in response.headers
    assert len(emulator.state.gateways) == applied
