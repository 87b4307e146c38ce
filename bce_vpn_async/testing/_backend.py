"""The emulator's state and the service's rules: pure, synchronous, on an injectable clock.

An operation is a function ``(backend, call) -> JSON body | None`` (``None`` for the
operations that answer with an empty 200) that raises ``ServiceError`` to refuse.
Gateway operations are ``Backend`` methods; tunnels and SSL-VPN are in ``_tunnels`` and
``_ssl``; ``_routes`` maps the wire onto them. Signatures, idempotency and faults are the
wire's (``_app``).

Choices where the spec is silent (spec 5, 6; all documented in the package docstring):
a prepaid month is 30 days; an SSL gateway created without ``maxConnection`` gets 5;
configuration changes (bind, unbind, tunnels, the SSL-VPN service and its users) and
release are refused with 409 ``OperationDenied`` while the gateway is building,
configuring or expired, while renaming, delete protection and renewal are not.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from attrs import frozen

from bce_vpn_async import validation
from bce_vpn_async._clock import Clock

from ._inputs import Body, apply_rule
from ._state import Gateway, Json, ServiceError, gateway_view

__all__ = ["Backend", "Call", "Operation", "max_keys", "paginate"]

MONTH_SECONDS = 30 * 86400
DEFAULT_MAX_CONNECTION = 5
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SETTLED = frozenset({"active", "unconfigured"})

T = TypeVar("T")


@frozen
class Call:
    """One operation's input: who asks, the ids from the path, the query and the JSON body."""

    access_key_id: str
    path_ids: Mapping[str, str]
    query: Mapping[str, str]
    body: object


Operation = Callable[["Backend", Call], "Json | None"]


class Backend:
    def __init__(
        self,
        *,
        clock: Clock,
        build_seconds: float = 0.5,
        configure_seconds: float = 0.1,
        seed: int = 0,
        strict_validation: bool = True,
        max_vpns_per_vpc: int = 3,
    ) -> None:
        self.clock = clock
        self.build_seconds = build_seconds
        self.configure_seconds = configure_seconds
        self.strict_validation = strict_validation
        self.max_vpns_per_vpc = max_vpns_per_vpc
        self.gateways: dict[str, Gateway] = {}
        self.tunnel_gateways: dict[str, str] = {}
        self._ids = random.Random(f"{seed}:ids")
        self._taken: set[str] = set()

    # -- helpers shared with _tunnels and _ssl ---------------------------------------------

    def now(self) -> float:
        return self.clock.time()

    def new_id(self, prefix: str) -> str:
        while True:
            ident = prefix + "".join(self._ids.choices(_ID_ALPHABET, k=12))
            if ident not in self._taken:
                self._taken.add(ident)
                return ident

    def gateway(self, call: Call, key: str = "vpnId") -> Gateway:
        vpn_id = call.path_ids[key]
        gateway = self.gateways.get(vpn_id)
        # Another account's gateway is as invisible as one that never existed.
        if gateway is None or gateway.access_key_id != call.access_key_id:
            raise ServiceError.not_found("VPN gateway", vpn_id)
        return gateway

    def require_idle(self, gateway: Gateway) -> None:
        status = gateway.status(self.now())
        if status not in _SETTLED:
            raise ServiceError.denied(
                f"The VPN gateway {gateway.vpn_id} is {status}; "
                "try again when it is active or unconfigured."
            )

    def start_configuring(self, gateway: Gateway) -> None:
        gateway.busy_until = self.now() + self.configure_seconds

    # -- gateways --------------------------------------------------------------------------

    def create_vpn(self, call: Call) -> Json:
        body = Body(call.body)
        vpc_id = body.need("vpcId", validation.resource_id)
        name = body.need("vpnName", validation.resource_name)
        subnet_id = body.rule("subnetId", validation.resource_id)
        vpn_type = body.choice("type", validation.VPN_TYPES) or "IPSec"
        description = body.rule("description", validation.description) or ""
        eip = body.rule("eip", validation.ip_address) or ""
        billing = body.need_child("billing")
        payment = billing.need_choice("paymentTiming", validation.PAYMENT_TIMINGS)
        months = _reservation_months(billing)
        max_connection = body.integer("maxConnection")
        if max_connection is not None:
            if vpn_type != "SSL":
                raise ServiceError.bad_request("maxConnection: only an SSL gateway takes one")
            max_connection = apply_rule(validation.max_connection, max_connection)
        elif vpn_type == "SSL":
            max_connection = DEFAULT_MAX_CONNECTION
        tags = _tags(body)
        delete_protect = body.flag("deleteProtect") or False
        resource_group_id = body.text("resourceGroupId")

        owned = [g for g in self.gateways.values() if g.access_key_id == call.access_key_id]
        if sum(g.vpc_id == vpc_id for g in owned) >= self.max_vpns_per_vpc:
            raise ServiceError(
                413,
                "LimitExceeded",
                f"A VPC holds at most {self.max_vpns_per_vpc} VPN gateways.",
            )
        if eip:
            self._require_free_eip(call.access_key_id, eip)
        now = self.now()
        gateway = Gateway(
            vpn_id=self.new_id("vpn-"),
            access_key_id=call.access_key_id,
            vpc_id=vpc_id,
            name=name,
            vpn_type=vpn_type,
            payment_timing=payment,
            created_at=now,
            ready_at=now + self.build_seconds,
            description=description,
            subnet_id=subnet_id,
            eip=eip,
            billing_method=billing.text("billingMethod"),
            expires_at=now + months * MONTH_SECONDS if payment == "Prepaid" else None,
            max_connection=max_connection,
            tags=tags,
            delete_protect=delete_protect,
            resource_group_id=resource_group_id,
        )
        self.gateways[gateway.vpn_id] = gateway
        return {"vpnId": gateway.vpn_id}

    def list_vpns(self, call: Call) -> Json:
        vpc_id = call.query.get("vpcId")
        if not vpc_id:
            raise ServiceError.bad_request("vpcId: is required")
        apply_rule(validation.resource_id, "vpcId", vpc_id)
        vpn_type = call.query.get("type")
        if vpn_type:
            apply_rule(validation.choice, "type", vpn_type, validation.VPN_TYPES)
        eip = call.query.get("eip")
        found = [
            g
            for g in self.gateways.values()
            if g.access_key_id == call.access_key_id
            and g.vpc_id == vpc_id
            and (not vpn_type or g.vpn_type == vpn_type)
            and (not eip or g.eip == eip)
        ]
        now = self.now()
        return paginate(
            found, lambda g: g.vpn_id, call.query, "vpns", lambda g: gateway_view(g, now)
        )

    def get_vpn(self, call: Call) -> Json:
        return gateway_view(self.gateway(call), self.now())

    def update_vpn(self, call: Call) -> None:
        gateway = self.gateway(call)
        body = Body(call.body)
        name = body.rule("vpnName", validation.resource_name)
        description = body.rule("description", validation.description)
        if name is not None:
            gateway.name = name
        if description is not None:
            gateway.description = description

    def delete_vpn(self, call: Call) -> None:
        gateway = self.gateway(call)
        self.require_idle(gateway)
        if gateway.delete_protect:
            raise ServiceError.denied(
                f"The VPN gateway {gateway.vpn_id} has delete protection on; turn it off first."
            )
        if gateway.payment_timing != "Postpaid":
            raise ServiceError.denied("Only a postpaid VPN gateway can be released.")
        if gateway.tunnels:
            raise ServiceError.denied("Delete the gateway's IPSec tunnels before releasing it.")
        if gateway.ssl_server is not None:
            raise ServiceError.denied("Delete the gateway's SSL-VPN service before releasing it.")
        # A bound EIP is unbound on release and becomes available again (seed guide).
        del self.gateways[gateway.vpn_id]

    def bind_eip(self, call: Call) -> None:
        gateway = self.gateway(call)
        eip = Body(call.body).need("eip", validation.ip_address)
        self.require_idle(gateway)
        if gateway.eip:
            raise ServiceError.denied(f"The VPN gateway {gateway.vpn_id} already has an EIP.")
        self._require_free_eip(call.access_key_id, eip)
        gateway.eip = eip
        self.start_configuring(gateway)

    def unbind_eip(self, call: Call) -> None:
        gateway = self.gateway(call)
        self.require_idle(gateway)
        if not gateway.eip:
            raise ServiceError.denied(f"The VPN gateway {gateway.vpn_id} has no EIP to unbind.")
        gateway.eip = ""
        self.start_configuring(gateway)

    def renew_vpn(self, call: Call) -> None:
        gateway = self.gateway(call)
        months = _reservation_months(Body(call.body).need_child("billing"))
        if gateway.payment_timing != "Prepaid" or gateway.expires_at is None:
            raise ServiceError.denied("Only a prepaid VPN gateway can be renewed.")
        gateway.expires_at = max(gateway.expires_at, self.now()) + months * MONTH_SECONDS

    def update_vpn_delete_protect(self, call: Call) -> None:
        gateway = self.gateway(call)
        gateway.delete_protect = Body(call.body).need_flag("deleteProtect")

    def _require_free_eip(self, access_key_id: str, eip: str) -> None:
        for other in self.gateways.values():
            if other.access_key_id == access_key_id and other.eip == eip:
                raise ServiceError.denied(f"The EIP {eip} is bound to {other.vpn_id}.")


def _reservation_months(billing: Body) -> int:
    reservation = billing.child("reservation")
    if reservation is None:
        return 1
    reservation.choice("reservationTimeUnit", validation.RESERVATION_TIME_UNITS)
    length = reservation.integer("reservationLength")
    return 1 if length is None else apply_rule(validation.reservation_length, length)


def _tags(body: Body) -> list[Json]:
    tags = []
    for tag in body.children("tags") or ():
        key = tag.text("tagKey", required=True)
        value = tag.text("tagValue") or ""
        tags.append({"tagKey": key, "tagValue": value})
    return tags


def max_keys(query: Mapping[str, str]) -> int:
    """``maxKeys`` from the query: 1000 when absent, and a larger value is capped at 1000."""
    text = query.get("maxKeys")
    if text is None or text == "":
        return 1000
    try:
        value: object = int(text)
    except ValueError:
        value = text
    if isinstance(value, int) and value > 1000:
        return 1000
    return apply_rule(validation.max_keys, value)


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    query: Mapping[str, str],
    name: str,
    view: Callable[[T], Any],
) -> Json:
    """A marker page (spec 3.2, 3.14): sorted by id, the marker is inclusive.

    An unknown marker (say, the id of a deleted item) starts the page where it would have
    sorted, so a paginator never loses its place when the list changes under it.
    """
    ordered = sorted(items, key=key)
    ids = [key(item) for item in ordered]
    marker = query.get("marker") or None
    size = max_keys(query)
    start = bisect.bisect_left(ids, marker) if marker else 0
    page = ordered[start : start + size]
    truncated = start + size < len(ordered)
    answer: Json = {
        "marker": marker if marker else (ids[0] if ids else ""),
        "maxKeys": size,
        "isTruncated": truncated,
        name: [view(item) for item in page],
    }
    if truncated:
        answer["nextMarker"] = ids[start + size]
    return answer
