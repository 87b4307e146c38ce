"""``AsyncVpnClient``: every operation of the BCE VPN API, over one pooled HTTP client."""

from __future__ import annotations

from ._gateways import GatewayOperations
from ._ssl import SslOperations
from ._tunnels import TunnelOperations

__all__ = ["AsyncVpnClient"]


class AsyncVpnClient(GatewayOperations, TunnelOperations, SslOperations):
    """An asyncio client for the BCE VPN API.

    ::

        async with AsyncVpnClient(credentials=Credentials(ak, sk), region="bj") as client:
            created = await client.create_vpn("vpc-1", vpn_name="gw1",
                                              billing=Billing(payment_timing="Postpaid"))
            vpn = await client.wait_until_status(created.vpn_id, "unconfigured")

    One client serves any number of concurrent tasks over one connection pool; create it
    once per event loop and close it with ``async with`` or ``aclose()``. Method names are
    the official SDK's; parameters are keyword-only after the ids. Every write sends a
    ``clientToken`` (``client_token=`` or a fresh uuid4 per call) that stays the same
    across retries, so a retried write is applied once.

    Arguments: ``credentials`` (a ``Credentials``, an async provider of them, or ``None``
    to read ``BCE_ACCESS_KEY_ID``/``BCE_SECRET_ACCESS_KEY``/``BCE_SESSION_TOKEN`` on first
    use); ``endpoint`` or ``region``; ``config`` (a ``ClientConfig``); ``http_client`` (an
    ``httpx.AsyncClient`` of yours, never closed by the SDK); ``signer``; ``middleware``.
    """

    def __repr__(self) -> str:
        return f"AsyncVpnClient(endpoint={self.endpoint!r}, state={self._state.value!r})"
