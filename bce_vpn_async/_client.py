"""``AsyncVpnClient``: every operation of the BCE VPN API, over one pooled HTTP client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

import attrs
import httpx

from ._gateways import GatewayOperations
from ._options import OMITTED, Omitted, extra_headers
from ._retry import RetryPolicy
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
    use); ``endpoint`` or ``region`` (neither: ``BCE_ENDPOINT`` is read when the client
    is opened); ``config`` (a ``ClientConfig``); ``http_client`` (an
    ``httpx.AsyncClient`` of yours, never closed by the SDK); ``signer``; ``middleware``.
    """

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Omitted = OMITTED,
        retry: RetryPolicy | Omitted | None = OMITTED,
        headers: Mapping[str, str] | None = None,
        validate: bool | Omitted = OMITTED,
    ) -> Self:
        """A copy of this client with some options changed, for one part of your code::

            fast = client.with_options(timeout=5.0, retry=None)
            await fast.get_vpn(vpn_id)

        ``timeout``, ``retry`` and ``validate`` replace the ``ClientConfig`` fields of
        the same names; ``headers`` are added to every request of the copy (on top of
        this client's own extra headers, if it is itself a copy), signed by the signer's
        rule like any other header. Names the SDK writes (``Authorization``, ``Host``,
        ``Content-Length``, ``Content-Type``, ``Transfer-Encoding``, ``x-bce-date``,
        ``x-bce-security-token``) are refused, and so are values with control characters.

        The copy shares this client's connection pool, credentials, signer, middleware,
        clock offset, and what it has learnt about the service: the adaptive rate
        limiter, the ``max_concurrency`` places, and the retry budget's balance (with a
        ``RetryPolicy`` of another ``budget``, the copy keeps a balance of its own).
        Making a copy is cheap and sends nothing. Closing the copy leaves the pool open;
        closing the client it was made from closes it, and the copy then refuses calls.
        """
        # attrs.evolve runs ClientConfig's validators: a bad value fails as it would there.
        config = self.config
        if not isinstance(timeout, Omitted):
            config = attrs.evolve(config, timeout=timeout)
        if not isinstance(retry, Omitted):
            config = attrs.evolve(config, retry=retry)
        if not isinstance(validate, Omitted):
            config = attrs.evolve(config, validate=validate)
        return self._derive(config, {} if headers is None else extra_headers(headers))

    def __repr__(self) -> str:
        # The endpoint as known: None until a client reading BCE_ENDPOINT is opened.
        return f"AsyncVpnClient(endpoint={self._base_url!r}, state={self._state.value!r})"
