"""Gateway operations: create, list, get, update, release, EIP bind/unbind, renew,
release protection, and the status waiter. Each method is one call into the table."""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Sequence

from . import _operations as ops
from . import _rules as rules
from ._core import ClientCore
from ._errors import BceValidationError
from ._models import Billing, CreateVpnResult, OperationResult, Tag, Vpn, VpnPage
from ._pagination import AsyncPaginator
from ._rules import VpnType
from ._waiters import (
    DEFAULT_FAILURE_STATUSES,
    OnStatus,
    normalise_failures,
    normalise_targets,
    wait_for_status,
)

__all__ = ["GatewayOperations"]


class GatewayOperations(ClientCore):
    async def create_vpn(
        self,
        vpc_id: str,
        *,
        vpn_name: str,
        billing: Billing,
        vpn_type: VpnType | None = None,
        max_connections: int | None = None,
        description: str | None = None,
        eip: str | None = None,
        subnet_id: str | None = None,
        tags: Sequence[Tag] | None = None,
        resource_group_id: str | None = None,
        delete_protect: bool | None = None,
        client_token: str | None = None,
    ) -> CreateVpnResult:
        """Create a gateway (``POST /v1/vpn``). It starts ``building``; wait for
        ``unconfigured`` with :meth:`wait_until_status` before configuring it."""
        return await self._invoke(ops.CREATE_VPN, locals())

    def list_vpns(
        self,
        vpc_id: str,
        *,
        eip: str | None = None,
        vpn_type: VpnType | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[VpnPage, Vpn]:
        """The gateways of a VPC (``GET /v1/vpn``): ``await`` it for one page,
        ``async for`` it for every gateway, or walk ``.pages()``."""
        return self._paginate(ops.LIST_VPNS, locals())

    async def get_vpn(self, vpn_id: str) -> Vpn:
        """One gateway, with its tunnels and SSL-VPN service (``GET /v1/vpn/{vpnId}``)."""
        return await self._invoke(ops.GET_VPN, locals())

    async def update_vpn(
        self,
        vpn_id: str,
        *,
        vpn_name: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Rename a gateway or change its description; nothing else can change."""
        return await self._invoke(ops.UPDATE_VPN, locals())

    async def delete_vpn(self, vpn_id: str, *, client_token: str | None = None) -> OperationResult:
        """Release a postpaid gateway. Its tunnels or SSL-VPN service must be deleted first,
        and release protection must be off; a bound EIP is unbound automatically."""
        return await self._invoke(ops.DELETE_VPN, locals())

    async def bind_eip(
        self, vpn_id: str, *, eip: str, client_token: str | None = None
    ) -> OperationResult:
        """Bind an EIP to an ``unconfigured`` gateway that has none."""
        return await self._invoke(ops.BIND_EIP, locals())

    async def unbind_eip(self, vpn_id: str, *, client_token: str | None = None) -> OperationResult:
        """Unbind the gateway's EIP."""
        return await self._invoke(ops.UNBIND_EIP, locals())

    async def renew_vpn(
        self, vpn_id: str, *, billing: Billing, client_token: str | None = None
    ) -> OperationResult:
        """Renew a prepaid gateway for ``billing.reservation_length`` months."""
        return await self._invoke(ops.RENEW_VPN, locals())

    async def update_vpn_delete_protect(
        self, vpn_id: str, *, delete_protect: bool, client_token: str | None = None
    ) -> OperationResult:
        """Turn release protection on or off (``false`` is sent too, unlike the Go SDK)."""
        return await self._invoke(ops.UPDATE_VPN_DELETE_PROTECT, locals())

    async def wait_until_status(
        self,
        vpn_id: str,
        status: str | Collection[str],
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 15.0,
        failure_statuses: Collection[str] = DEFAULT_FAILURE_STATUSES,
        on_status: OnStatus | None = None,
    ) -> Vpn:
        """Poll ``get_vpn`` until the gateway's status is ``status`` (or one of a set).

        Polls start at least ``poll_interval`` apart: the first waits stay near it, later
        ones grow to ``max_poll_interval``, all with jitter, under a total ``timeout``;
        around the time this client's earlier waits of the same kind saw their change,
        they come back to ``poll_interval``.
        Raises ``WaiterFailedError`` on a status in ``failure_statuses`` or if the gateway
        vanishes, ``WaiterTimeoutError`` when time runs out; both carry the last ``Vpn``
        seen as ``.last``. ``on_status`` (sync or async) sees every ``Vpn`` polled.
        """
        rules.resource_id("vpn_id", vpn_id)
        targets = normalise_targets(status)
        for name, value in (
            ("timeout", timeout),
            ("poll_interval", poll_interval),
            ("max_poll_interval", max_poll_interval),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value < math.inf
            ):
                raise BceValidationError(name, "must be a positive number of seconds")
        failures = normalise_failures(failure_statuses)
        if on_status is not None and not callable(on_status):
            raise BceValidationError("on_status", "must be a callable that takes a Vpn")
        return await wait_for_status(
            self.get_vpn,
            vpn_id,
            targets,
            clock=self._clock,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max(poll_interval, max_poll_interval),
            failure_statuses=failures,
            on_status=on_status,
            rng=random.Random(),
            transitions=self._shared.transitions,
        )
