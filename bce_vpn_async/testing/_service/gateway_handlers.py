"""The state rules of VPN gateways: create, list, get, update, release, bind and unbind an
EIP, renew, release protection (``docs/service/api-facts.md#operation-details``).

Each handler is named after its operation and is ``(backend, call) -> JSON body | None``,
as in ``tunnel_handlers`` and ``ssl_vpn_handlers``.
"""

from __future__ import annotations

from bce_vpn_async import _rules as validation
from bce_vpn_async._converter import unstructure
from bce_vpn_async._models import Billing, Tag

from .backend import MONTH_SECONDS, Backend, Call, paginate
from .errors import ServiceError
from .inputs import Body, apply_rule
from .records import Gateway, Json, set_given
from .views import gateway_view

__all__ = [
    "bind_eip",
    "create_vpn",
    "delete_vpn",
    "get_vpn",
    "list_vpns",
    "renew_vpn",
    "unbind_eip",
    "update_vpn",
    "update_vpn_delete_protect",
]

DEFAULT_MAX_CONNECTION = 5


def create_vpn(backend: Backend, call: Call) -> Json:
    body = call.fields()
    vpc_id = body.need("vpc_id", validation.resource_id)
    name = body.need("vpn_name", validation.vpn_name)
    subnet_id = body.rule("subnet_id", validation.resource_id)
    vpn_type = body.choice("vpn_type", validation.VPN_TYPES) or "IPSec"
    description = body.rule("description", validation.description) or ""
    eip = body.rule("eip", validation.ip_address) or ""
    billing = body.need_child("billing", Billing)
    payment = billing.need_choice("payment_timing", validation.PAYMENT_TIMINGS)
    months = _reservation_months(billing)
    max_connection = body.integer("max_connections")
    if max_connection is not None:
        if vpn_type != "SSL":
            where = body.name("max_connections")
            raise ServiceError.bad_request(f"{where}: only an SSL gateway takes one")
        max_connection = apply_rule(validation.max_connection, max_connection)
    elif vpn_type == "SSL":
        max_connection = DEFAULT_MAX_CONNECTION
    tags = _tags(body)
    delete_protect = body.flag("delete_protect") or False
    resource_group_id = body.text("resource_group_id")

    owned = [g for g in backend.gateways.values() if g.access_key_id == call.access_key_id]
    if sum(g.vpc_id == vpc_id for g in owned) >= backend.max_vpns_per_vpc:
        raise ServiceError(
            413,
            "LimitExceeded",
            f"A VPC holds at most {backend.max_vpns_per_vpc} VPN gateways.",
        )
    if eip:
        backend.require_free_eip(call.access_key_id, eip)
    now = backend.now()
    gateway = Gateway(
        vpn_id=backend.new_id("vpn-"),
        access_key_id=call.access_key_id,
        vpc_id=vpc_id,
        name=name,
        vpn_type=vpn_type,
        payment_timing=payment,
        created_at=now,
        ready_at=now + backend.build_seconds,
        description=description,
        subnet_id=subnet_id,
        eip=eip,
        billing_method=billing.text("billing_method"),
        expires_at=now + months * MONTH_SECONDS if payment == "Prepaid" else None,
        max_connection=max_connection,
        tags=tags,
        delete_protect=delete_protect,
        resource_group_id=resource_group_id,
        # An EIP bound at creation configures the gateway as a later bind would.
        configured=bool(eip),
    )
    backend.gateways[gateway.vpn_id] = gateway
    return {"vpnId": gateway.vpn_id}


def list_vpns(backend: Backend, call: Call) -> Json:
    query = call.query_fields()
    vpc_id = query.rule("vpc_id", validation.resource_id)
    if vpc_id is None:
        raise ServiceError.bad_request(f"{query.name('vpc_id')}: is required")
    vpn_type = query.choice("vpn_type", validation.VPN_TYPES)
    eip = query.rule("eip", validation.ip_address)
    found = [
        g
        for g in backend.gateways.values()
        if g.access_key_id == call.access_key_id
        and g.vpc_id == vpc_id
        and (not vpn_type or g.vpn_type == vpn_type)
        and (not eip or g.eip == eip)
    ]
    now = backend.now()
    return paginate(found, lambda g: g.vpn_id, call, "vpns", lambda g: gateway_view(g, now))


def get_vpn(backend: Backend, call: Call) -> Json:
    return gateway_view(backend.gateway(call), backend.now())


def update_vpn(backend: Backend, call: Call) -> None:
    gateway = backend.gateway(call)
    body = call.fields()
    name = body.rule("vpn_name", validation.vpn_name)
    description = body.rule("description", validation.description)
    set_given(gateway, name=name, description=description)


def delete_vpn(backend: Backend, call: Call) -> None:
    gateway = backend.gateway(call)
    backend.require_idle(gateway)
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
    # A bound EIP is unbound on release and becomes available again
    # (docs/service/disagreements.md#seed-guide-rules).
    del backend.gateways[gateway.vpn_id]


def bind_eip(backend: Backend, call: Call) -> None:
    gateway = backend.gateway(call)
    eip = call.fields().need("eip", validation.ip_address)
    backend.require_idle(gateway)
    if gateway.eip:
        raise ServiceError.denied(f"The VPN gateway {gateway.vpn_id} already has an EIP.")
    backend.require_free_eip(call.access_key_id, eip)
    gateway.eip = eip
    backend.start_configuring(gateway)


def unbind_eip(backend: Backend, call: Call) -> None:
    gateway = backend.gateway(call)
    backend.require_idle(gateway)
    if not gateway.eip:
        raise ServiceError.denied(f"The VPN gateway {gateway.vpn_id} has no EIP to unbind.")
    gateway.eip = ""
    backend.start_configuring(gateway)


def renew_vpn(backend: Backend, call: Call) -> None:
    gateway = backend.gateway(call)
    # A renewal names its term (docs/service/api-facts.md#renew); the emulator assumes none.
    months = _reservation_months(call.fields().need_child("billing", Billing), required=True)
    if gateway.payment_timing != "Prepaid" or gateway.expires_at is None:
        raise ServiceError.denied("Only a prepaid VPN gateway can be renewed.")
    gateway.expires_at = max(gateway.expires_at, backend.now()) + months * MONTH_SECONDS


def update_vpn_delete_protect(backend: Backend, call: Call) -> None:
    gateway = backend.gateway(call)
    # The field is optional, and the Go SDK's omitempty sends {} for false, which then
    # changes nothing (docs/service/disagreements.md#empty-strings).
    set_given(gateway, delete_protect=call.fields().flag("delete_protect"))


def _reservation_months(billing: Body, *, required: bool = False) -> int:
    billing.choice("reservation_time_unit", validation.RESERVATION_TIME_UNITS)
    length = billing.integer("reservation_length", required=required)
    # A prepaid gateway created without a term gets one month, as the official SDK sends.
    return 1 if length is None else apply_rule(validation.reservation_length, length)


def _tags(body: Body) -> list[Json]:
    tags = []
    for tag in body.children("tags", Tag) or ():
        key = tag.need("tag_key", validation.tag_key)
        # An empty value is a value (0-65 characters); absent reads as empty.
        value = tag.rule("tag_value", validation.tag_value) or ""
        tags.append(unstructure(Tag(tag_key=key, tag_value=value)))
    return tags
