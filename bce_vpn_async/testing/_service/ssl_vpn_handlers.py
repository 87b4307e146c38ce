"""The state rules of an SSL gateway's SSL-VPN service and its users
(``docs/service/api-facts.md#ssl-vpn-server``, ``docs/service/api-facts.md#ssl-vpn-users``).

One service per gateway, only on SSL gateways; its interface type never changes; it can
be deleted only once it has no users. User names never change; a gateway's user names
are unique. Passwords are stored but never answered.
"""

from __future__ import annotations

from bce_vpn_async import _rules as validation
from bce_vpn_async._models import SslVpnUserSpec
from bce_vpn_async._operations import CREATE_VPN_SSLSERVICE

from .backend import Backend, Call, paginate
from .errors import ServiceError
from .inputs import Body, apply_rule
from .records import Gateway, Json, SslServer, SslUser, set_given
from .views import ssl_server_view, user_view

__all__ = [
    "create_vpn_sslservice",
    "create_vpn_sslusers",
    "delete_vpn_ssl_user",
    "delete_vpn_sslservice",
    "get_vpn_ssl_user",
    "get_vpn_sslservice",
    "update_vpn_ssl_user",
    "update_vpn_sslservice",
]


def _server(backend: Backend, call: Call, wanted: str | None) -> tuple[Gateway, SslServer]:
    gateway = backend.gateway(call)
    server = gateway.ssl_server
    if server is None or (wanted is not None and wanted != server.server_id):
        raise ServiceError.not_found("SSL-VPN service", wanted or f"of {gateway.vpn_id}")
    return gateway, server


def _user(backend: Backend, call: Call) -> tuple[Gateway, SslServer, SslUser]:
    gateway = backend.gateway(call)
    user_id = call.path_id("ssluser_id")
    server = gateway.ssl_server
    user = None if server is None else server.users.get(user_id)
    if server is None or user is None:
        raise ServiceError.not_found("SSL-VPN user", user_id)
    return gateway, server, user


def _subnets(body: Body, field: str, *, required: bool) -> list[str] | None:
    value = body.texts(field, required=required)
    return None if value is None else apply_rule(validation.cidr_list, body.name(field), value)


def create_vpn_sslservice(backend: Backend, call: Call) -> Json:
    gateway = backend.gateway(call)
    body = call.fields()
    name = body.need("sslservice_name", validation.resource_name)
    interface_type = body.choice("interface_type", validation.INTERFACE_TYPES) or "tap"
    local_subnets = _subnets(body, "local_routes", required=True) or []
    remote_subnet = body.need("address_pool", validation.cidr)
    client_dns = body.rule("client_dns", validation.client_dns) or ""
    if gateway.vpn_type != "SSL":
        raise ServiceError.denied(f"The VPN gateway {gateway.vpn_id} is not an SSL gateway.")
    if gateway.ssl_server is not None:
        raise ServiceError.denied(
            f"The VPN gateway {gateway.vpn_id} already has an SSL-VPN service; "
            "delete it before creating another."
        )
    backend.require_idle(gateway)
    gateway.ssl_server = SslServer(
        server_id=backend.new_id("sslvpn-"),
        name=name,
        interface_type=interface_type,
        local_subnets=local_subnets,
        remote_subnet=remote_subnet,
        client_dns=client_dns,
    )
    backend.start_configuring(gateway)
    return {"sslVpnServerId": gateway.ssl_server.server_id}


def get_vpn_sslservice(backend: Backend, call: Call) -> Json:
    gateway, server = _server(backend, call, None)
    return ssl_server_view(server, gateway)


def update_vpn_sslservice(backend: Backend, call: Call) -> None:
    gateway, server = _server(backend, call, call.path_id("sslservice_id"))
    body = call.fields()
    # The reference marks all three required, and the Java SDK checks them too
    # (docs/service/disagreements.md#update-ssl-vpn-service).
    name = body.need("sslservice_name", validation.resource_name)
    local_subnets = _subnets(body, "local_routes", required=True)
    remote_subnet = body.need("address_pool", validation.cidr)
    client_dns = body.rule("client_dns", validation.client_dns)
    # Not a field of the update; the reference says it cannot change
    # (docs/service/api-facts.md#ssl-vpn-server), so a body that names another value (as
    # create names it) is refused.
    as_created = Body(call.body, CREATE_VPN_SSLSERVICE)
    interface_type = as_created.choice("interface_type", validation.INTERFACE_TYPES)
    if interface_type is not None and interface_type != server.interface_type:
        where = as_created.name("interface_type")
        raise ServiceError.bad_request(
            f"{where}: cannot be changed (clients declare it in their configuration)"
        )
    backend.require_idle(gateway)
    set_given(
        server,
        name=name,
        local_subnets=local_subnets,
        remote_subnet=remote_subnet,
        client_dns=client_dns,
    )
    backend.start_configuring(gateway)


def delete_vpn_sslservice(backend: Backend, call: Call) -> None:
    gateway, server = _server(backend, call, call.path_id("sslservice_id"))
    backend.require_idle(gateway)
    if server.users:
        raise ServiceError.denied("Delete the SSL-VPN service's users before deleting it.")
    gateway.ssl_server = None
    backend.start_configuring(gateway)


def create_vpn_sslusers(backend: Backend, call: Call) -> Json:
    gateway = backend.gateway(call)
    body = call.fields()
    entries = body.children("sslusers", SslVpnUserSpec, required=True) or []
    if not entries:
        raise ServiceError.bad_request(f"{body.name('sslusers')}: must hold at least one user")
    users = [
        SslUser(
            user_id="",
            user_name=entry.need("user_name", validation.resource_name),
            password=entry.need("password", validation.ssl_password),
            description=entry.rule("description", validation.description) or "",
            client_name=entry.text("client_name"),
        )
        for entry in entries
    ]
    server = gateway.ssl_server
    if server is None:
        raise ServiceError.denied(
            f"The VPN gateway {gateway.vpn_id} has no SSL-VPN service; create it first."
        )
    backend.require_idle(gateway)
    taken = {user.user_name for user in server.users.values()}
    for user in users:
        if user.user_name in taken:
            raise ServiceError.denied(f"The SSL-VPN user name {user.user_name} is taken.")
        taken.add(user.user_name)
    for user in users:
        user.user_id = backend.new_id("vpn-ssl-user-")
        server.users[user.user_id] = user
    return {"sslVpnUserIds": [user.user_id for user in users]}


def get_vpn_ssl_user(backend: Backend, call: Call) -> Json:
    gateway = backend.gateway(call)
    server = gateway.ssl_server
    users = [] if server is None else list(server.users.values())
    user_name = call.query_fields().rule("user_name", validation.resource_name)
    if user_name:
        users = [user for user in users if user.user_name == user_name]
    return paginate(users, lambda user: user.user_id, call, "sslVpnUsers", user_view)


def update_vpn_ssl_user(backend: Backend, call: Call) -> None:
    gateway, _, user = _user(backend, call)
    body = call.fields()
    # Not a field of the update: user names never change
    # (docs/service/api-facts.md#ssl-vpn-users), so a body that names
    # another (as a user is created with it) is refused.
    as_created = Body(call.body, SslVpnUserSpec)
    user_name = as_created.text("user_name")
    if user_name is not None and user_name != user.user_name:
        raise ServiceError.bad_request(f"{as_created.name('user_name')}: cannot be changed")
    password = body.rule("password", validation.ssl_password)
    description = body.rule("description", validation.description)
    client_name = body.text("client_name")
    backend.require_idle(gateway)
    set_given(user, password=password, description=description, client_name=client_name)


def delete_vpn_ssl_user(backend: Backend, call: Call) -> None:
    gateway, server, user = _user(backend, call)
    backend.require_idle(gateway)
    del server.users[user.user_id]
