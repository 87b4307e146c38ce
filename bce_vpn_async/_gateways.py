"""Gateway operations: create, list, get, update, release, EIP bind/unbind, renew,
release protection, and the status waiter."""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Sequence
from typing import Any

from . import validation
from ._core import ClientCore
from .converter import unstructure
from .errors import BceValidationError
from .models import (
    Billing,
    CreateVpnResult,
    OperationResult,
    Tag,
    Vpn,
    VpnPage,
)
from .pagination import AsyncPaginator
from .waiters import (
    DEFAULT_FAILURE_STATUSES,
    OnStatus,
    normalise_failures,
    normalise_targets,
    wait_for_status,
)

__all__ = ["GatewayOperations"]


def _billing_for_create(billing: object) -> dict[str, Any]:
    if not isinstance(billing, Billing):
        raise BceValidationError("billing", "must be a Billing")
    if billing.payment_timing is None:
        raise BceValidationError("billing.payment_timing", "is required to create a gateway")
    return unstructure(billing)


def _check_billing(billing: Billing) -> None:
    if billing.payment_timing is not None:
        validation.choice(
            "billing.payment_timing", billing.payment_timing, validation.PAYMENT_TIMINGS
        )
    if billing.reservation_length is not None:
        validation.reservation_length(billing.reservation_length)
    if billing.reservation_time_unit is not None:
        validation.choice(
            "billing.reservation_time_unit",
            billing.reservation_time_unit,
            validation.RESERVATION_TIME_UNITS,
        )


class GatewayOperations(ClientCore):
    async def create_vpn(
        self,
        vpc_id: str,
        *,
        vpn_name: str,
        billing: Billing,
        vpn_type: str | None = None,
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
        self._check_id("vpc_id", vpc_id)
        token = self._token(client_token)
        billing_body = _billing_for_create(billing)
        if self._validate:
            validation.resource_name("vpn_name", vpn_name)
            _check_billing(billing)
            if vpn_type is not None:
                validation.choice("vpn_type", vpn_type, validation.VPN_TYPES)
            if max_connections is not None:
                validation.max_connection(max_connections)
                if vpn_type != "SSL":
                    raise BceValidationError("max_connections", "applies to SSL gateways only")
            if description is not None:
                validation.description("description", description)
            if eip is not None:
                validation.ip_address("eip", eip)
            if delete_protect is not None:
                validation.boolean("delete_protect", delete_protect)
        if tags is not None:
            # The shape is checked whatever `validate` says: unstructure() reads only Tags.
            if not isinstance(tags, list | tuple):
                raise BceValidationError("tags", "must be a list of Tag")
            for index, tag in enumerate(tags):
                if not isinstance(tag, Tag):
                    raise BceValidationError(f"tags[{index}]", "must be a Tag")
                if self._validate:
                    validation.tag_key(f"tags[{index}].tag_key", tag.tag_key)
                    validation.tag_value(f"tags[{index}].tag_value", tag.tag_value)
        if subnet_id is not None:
            self._check_id("subnet_id", subnet_id)
        if resource_group_id is not None:
            self._check_id("resource_group_id", resource_group_id)
        body: dict[str, Any] = {"vpcId": vpc_id, "vpnName": vpn_name, "billing": billing_body}
        optional = {
            "type": vpn_type,
            "maxConnection": max_connections,
            "description": description,
            "eip": eip,
            "subnetId": subnet_id,
            "resourceGroupId": resource_group_id,
            "deleteProtect": delete_protect,
        }
        body.update((key, value) for key, value in optional.items() if value is not None)
        if tags:
            body["tags"] = [unstructure(tag) for tag in tags]
        return await self._call(
            "create_vpn", "POST", "/vpn", CreateVpnResult, query=[("clientToken", token)], body=body
        )

    def list_vpns(
        self,
        vpc_id: str,
        *,
        eip: str | None = None,
        vpn_type: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[VpnPage, Vpn]:
        """The gateways of a VPC (``GET /v1/vpn``): ``await`` it for one page,
        ``async for`` it for every gateway, or walk ``.pages()``."""
        self._check_id("vpc_id", vpc_id)
        if self._validate:
            if eip is not None:
                validation.ip_address("eip", eip)
            if vpn_type is not None:
                validation.choice("vpn_type", vpn_type, validation.VPN_TYPES)
        query = [("vpcId", vpc_id)]
        if eip is not None:
            query.append(("eip", eip))
        if vpn_type is not None:
            query.append(("type", vpn_type))
        return self._paginate(
            "list_vpns",
            "/vpn",
            VpnPage,
            _vpns_of,
            query,
            marker=marker,
            max_keys=max_keys,
            max_items=max_items,
        )

    async def get_vpn(self, vpn_id: str) -> Vpn:
        """One gateway, with its tunnels and SSL-VPN service (``GET /v1/vpn/{vpnId}``)."""
        self._check_id("vpn_id", vpn_id)
        return await self._call("get_vpn", "GET", f"/vpn/{vpn_id}", Vpn)

    async def update_vpn(
        self,
        vpn_id: str,
        *,
        vpn_name: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Rename a gateway or change its description; nothing else can change."""
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        if vpn_name is None and description is None:
            raise BceValidationError("vpn_name", "give vpn_name or description (or both)")
        if self._validate:
            if vpn_name is not None:
                validation.resource_name("vpn_name", vpn_name)
            if description is not None:
                validation.description("description", description)
        body = {
            key: value
            for key, value in (("vpnName", vpn_name), ("description", description))
            if value is not None
        }
        return await self._call(
            "update_vpn",
            "PUT",
            f"/vpn/{vpn_id}",
            OperationResult,
            query=[("modifyAttribute", ""), ("clientToken", token)],
            body=body,
        )

    async def delete_vpn(self, vpn_id: str, *, client_token: str | None = None) -> OperationResult:
        """Release a postpaid gateway. Its tunnels or SSL-VPN service must be deleted first,
        and release protection must be off; a bound EIP is unbound automatically."""
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        return await self._call(
            "delete_vpn",
            "DELETE",
            f"/vpn/{vpn_id}",
            OperationResult,
            query=[("clientToken", token)],
        )

    async def bind_eip(
        self, vpn_id: str, *, eip: str, client_token: str | None = None
    ) -> OperationResult:
        """Bind an EIP to an ``unconfigured`` gateway that has none."""
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        if self._validate:
            validation.ip_address("eip", eip)
        return await self._call(
            "bind_eip",
            "PUT",
            f"/vpn/{vpn_id}",
            OperationResult,
            query=[("bind", ""), ("clientToken", token)],
            body={"eip": eip},
        )

    async def unbind_eip(self, vpn_id: str, *, client_token: str | None = None) -> OperationResult:
        """Unbind the gateway's EIP."""
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        return await self._call(
            "unbind_eip",
            "PUT",
            f"/vpn/{vpn_id}",
            OperationResult,
            query=[("unbind", ""), ("clientToken", token)],
        )

    async def renew_vpn(
        self, vpn_id: str, *, billing: Billing, client_token: str | None = None
    ) -> OperationResult:
        """Renew a prepaid gateway for ``billing.reservation_length`` months."""
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        if not isinstance(billing, Billing):
            raise BceValidationError("billing", "must be a Billing")
        if billing.reservation_length is None:
            raise BceValidationError("billing.reservation_length", "is required to renew")
        if self._validate:
            _check_billing(billing)
        # Renewal names only the reservation; the payment timing is the gateway's own.
        reservation = unstructure(
            Billing(
                reservation_length=billing.reservation_length,
                reservation_time_unit=billing.reservation_time_unit or "month",
            )
        )
        return await self._call(
            "renew_vpn",
            "PUT",
            f"/vpn/{vpn_id}",
            OperationResult,
            query=[("purchaseReserved", ""), ("clientToken", token)],
            body={"billing": reservation},
        )

    async def update_vpn_delete_protect(
        self, vpn_id: str, *, delete_protect: bool, client_token: str | None = None
    ) -> OperationResult:
        """Turn release protection on or off (``false`` is sent too, unlike the Go SDK)."""
        self._check_id("vpn_id", vpn_id)
        token = self._token(client_token)
        validation.boolean("delete_protect", delete_protect)
        return await self._call(
            "update_vpn_delete_protect",
            "PUT",
            f"/vpn/{vpn_id}/deleteProtect",
            OperationResult,
            query=[("clientToken", token)],
            body={"deleteProtect": delete_protect},
        )

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

        Waits grow from ``poll_interval`` to ``max_poll_interval`` with jitter, under a total
        ``timeout``. Raises ``WaiterFailedError`` on a status in ``failure_statuses`` or if
        the gateway vanishes, ``WaiterTimeoutError`` when time runs out; both carry the last
        ``Vpn`` seen as ``.last``. ``on_status`` (sync or async) sees every ``Vpn`` polled.
        """
        self._check_id("vpn_id", vpn_id)
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
        )


def _vpns_of(page: VpnPage) -> Sequence[Vpn]:
    return page.vpns
