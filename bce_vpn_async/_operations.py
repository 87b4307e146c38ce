"""THE TABLE: the 21 operations of the VPN API, each declared once
(docs/service/api-facts.md#operations).

An ``Operation`` says everything the wire needs: the method, the path template (wire names
in braces), the action flag, each parameter (its Python name, wire name, where it goes and
its rules), the result model, whether it is a write (which always sends a ``clientToken``)
and, for a listing, that it is paginated. From it:

- the client's methods each make one call, ``invoke(OPERATION, locals())``, which checks,
  builds and sends (``_engine``);
- the emulator's routes, operation names and read/write sets (``testing._routes``), and
  the wire names its handlers read (``testing._inputs``: by Python name, via ``param``);
- the tests' lists of operations, and the table of them in docs/service/operations.md
  (``tests/test_operations``).

Two kinds of check, and one switch between them (``ClientConfig.validate``):

- a **need** is what the SDK needs to build a request at all: an id that goes into the URL
  path, a model where a model is expected, a required argument. Always checked.
- a **rule** is a documented rule of the API (a name's alphabet, a CIDR, an enumeration).
  Checked before sending unless ``validate=False``, which leaves the service as the judge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Literal, TypeVar

from attrs import field, frozen

from . import _rules as rules
from ._argument_checks import (
    Check,
    Combined,
    billing_rules,
    billing_to_create,
    billing_to_renew,
    ike_rules,
    ipsec_rules,
    max_connections_for_ssl,
    model_list,
    one_of,
    phase_need,
    ssl_user_rules,
    tag_rules,
)
from ._converter import unstructure
from ._models import (
    Billing,
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    CreateVpnConnResult,
    CreateVpnResult,
    IkeConfig,
    IpsecConfig,
    OperationResult,
    SslVpnServer,
    SslVpnUserPage,
    SslVpnUserSpec,
    Tag,
    Vpn,
    VpnConnList,
    VpnPage,
)

__all__ = ["MARKER", "MAX_KEYS", "OPERATIONS", "Operation", "Param", "by_name"]

ResultT = TypeVar("ResultT")

Where = Literal["path", "query", "body"]

# The query keys of every paginated operation (``marker=``, ``max_keys=``): the client's
# paginator sends them and the emulator's reads them.
MARKER = "marker"
MAX_KEYS = "maxKeys"


def _as_list(value: Sequence[Any]) -> list[Any]:
    return list(value)


def _renewal(billing: Billing) -> dict[str, Any]:
    # Renewal names only the reservation; the payment timing is the gateway's own.
    return unstructure(
        Billing(
            reservation_length=billing.reservation_length,
            reservation_time_unit=billing.reservation_time_unit or "month",
        )
    )


def _tags(tags: Sequence[Tag]) -> list[dict[str, Any]] | None:
    return [unstructure(tag) for tag in tags] or None


@frozen
class Param:
    """One argument of an operation and where it travels on the wire."""

    name: str
    """The Python keyword (snake_case, the seed guide's)."""
    wire: str
    """The wire name: a path placeholder, a query key or a JSON body key."""
    where: Where
    required: bool = False
    need: Check | None = None
    """Always checked: the SDK cannot build the request without it holding."""
    rule: Check | None = None
    """The API's documented rule; skipped under ``ClientConfig(validate=False)``."""
    encode: Callable[[Any], Any] | None = None
    """Python value -> JSON value (models to wire dicts); the value as given when None."""
    positional: bool = False
    """Taken by position: the ids a call is about (the path's, and the VPC's)."""


@frozen
class Operation(Generic[ResultT]):
    """One operation of the API, as the client sends it and the emulator routes it."""

    name: str
    """The method name, the official SDK's (seed guide)."""
    title: str
    """What it does, in a few words (the table in docs/service/operations.md)."""
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str
    """After ``/v1``, with wire-named placeholders: ``/vpn/{vpnId}/sslVpnUser/{userId}``."""
    result: type[ResultT]
    params: tuple[Param, ...] = ()
    flag: str | None = None
    """The valueless query key that tells the gateway's PUTs apart (``?bind``)."""
    write: bool = False
    """A write: always sends a ``clientToken`` (given, or a fresh uuid4), fixed across retries."""
    optional_token: bool = False
    """A read that sends ``clientToken`` only when given (the API documents one on it)."""
    paginated: bool = False
    """A marker listing: the method returns an ``AsyncPaginator`` and takes ``marker``,
    ``max_keys`` and ``max_items``."""
    needs: tuple[Combined, ...] = ()
    """Checks over several arguments that always run."""
    rules: tuple[Combined, ...] = ()
    """The API's rules over several arguments; skipped under ``validate=False``."""
    note: str = ""
    """What differs from the official SDK (the table in docs/service/operations.md)."""
    _by_name: Mapping[str, Param] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {param.name: param for param in self.params})

    def param(self, name: str) -> Param:
        """The parameter called ``name`` (its Python name)."""
        return self._by_name[name]

    @property
    def takes_token(self) -> bool:
        """Whether the method takes ``client_token=``."""
        return self.write or self.optional_token


# -- the parameters, as reused across operations ------------------------------------------------


def _path(name: str, wire: str) -> Param:
    # Ids are always checked, whatever `validate` says: they become part of the URL path.
    return Param(name, wire, "path", required=True, need=rules.resource_id, positional=True)


def _cidrs(name: str, wire: str, *, required: bool = False) -> Param:
    return Param(name, wire, "body", required, rule=rules.cidr_list, encode=_as_list)


def _model(
    name: str, wire: str, need: Check, rule: Check, encode: Callable[[Any], Any] = unstructure
) -> Param:
    # A model (or list of models) the body requires: `need` checks it is one whatever
    # `validate` says, `rule` holds the API's rules over its fields, `encode` makes the JSON.
    return Param(name, wire, "body", required=True, need=need, rule=rule, encode=encode)


_VPN_ID = _path("vpn_id", "vpnId")
_SSL_ID = _path("sslservice_id", "sslVpnServerId")
_USER_ID = _path("ssluser_id", "userId")
_CONN_ID = _path("vpn_conn_id", "vpnConnId")
_DESCRIPTION = Param("description", "description", "body", rule=rules.description)

# A tunnel's whole configuration: create sends it, update replaces the tunnel with it.
_TUNNEL = (
    Param("secret_key", "secretKey", "body", required=True, rule=rules.secret_key),
    _cidrs("local_subnets", "localSubnets", required=True),
    _cidrs("remote_subnets", "remoteSubnets", required=True),
    Param("vpn_conn_name", "vpnConnName", "body", required=True, rule=rules.resource_name),
    _model(
        "ike_config",
        "ikeConfig",
        phase_need(IkeConfig, ("ike_version", "ike_mode", "ike_enc_alg", "ike_pfs")),
        ike_rules,
    ),
    _model(
        "ipsec_config",
        "ipsecConfig",
        phase_need(IpsecConfig, ("ipsec_enc_alg", "ipsec_auth_alg")),
        ipsec_rules,
    ),
    Param("remote_ip", "remoteIp", "body", rule=rules.ip_address),
    Param("cgw_id", "cgwId", "body", need=rules.resource_id),
    _DESCRIPTION,
)
# The official SDK's update sends snake_case IKE/IPSec keys the service does not read; both
# of this SDK's tunnel bodies are camelCase throughout.
_TUNNEL_NEEDS = (one_of("remote_ip", "cgw_id"),)

# -- the table ---------------------------------------------------------------------------------

CREATE_VPN = Operation(
    "create_vpn",
    "create gateway",
    "POST",
    "/vpn",
    CreateVpnResult,
    (
        Param("vpc_id", "vpcId", "body", required=True, need=rules.resource_id, positional=True),
        Param("vpn_name", "vpnName", "body", required=True, rule=rules.vpn_name),
        _model("billing", "billing", billing_to_create, billing_rules),
        Param(
            "vpn_type",
            "type",
            "body",
            rule=lambda field, value: rules.choice(field, value, rules.VPN_TYPES),
        ),
        Param(
            "max_connections",
            "maxConnection",
            "body",
            rule=lambda _, value: rules.max_connection(value),
        ),
        _DESCRIPTION,
        Param("eip", "eip", "body", rule=rules.ip_address),
        Param("subnet_id", "subnetId", "body", need=rules.resource_id),
        Param(
            "tags",
            "tags",
            "body",
            need=model_list(Tag, empty_ok=True),
            rule=tag_rules,
            encode=_tags,
        ),
        Param("resource_group_id", "resourceGroupId", "body", need=rules.resource_id),
        Param("delete_protect", "deleteProtect", "body", need=rules.boolean),
    ),
    write=True,
    rules=(max_connections_for_ssl,),
    note='unset fields are left out (no `"billingMethod": null`, no reservation for postpaid)',
)

LIST_VPNS = Operation(
    "list_vpns",
    "list gateways",
    "GET",
    "/vpn",
    VpnPage,
    (
        Param("vpc_id", "vpcId", "query", required=True, need=rules.resource_id, positional=True),
        Param("eip", "eip", "query", rule=rules.ip_address),
        Param(
            "vpn_type",
            "type",
            "query",
            rule=lambda field, value: rules.choice(field, value, rules.VPN_TYPES),
        ),
    ),
    paginated=True,
    note="async paginator; `max_keys`, not `max_Keys`",
)

GET_VPN = Operation("get_vpn", "get gateway", "GET", "/vpn/{vpnId}", Vpn, (_VPN_ID,))

BIND_EIP = Operation(
    "bind_eip",
    "bind EIP",
    "PUT",
    "/vpn/{vpnId}",
    OperationResult,
    (_VPN_ID, Param("eip", "eip", "body", required=True, rule=rules.ip_address)),
    flag="bind",
    write=True,
)

UNBIND_EIP = Operation(
    "unbind_eip",
    "unbind EIP",
    "PUT",
    "/vpn/{vpnId}",
    OperationResult,
    (_VPN_ID,),
    flag="unbind",
    write=True,
)

UPDATE_VPN = Operation(
    "update_vpn",
    "update gateway",
    "PUT",
    "/vpn/{vpnId}",
    OperationResult,
    (_VPN_ID, Param("vpn_name", "vpnName", "body", rule=rules.vpn_name), _DESCRIPTION),
    flag="modifyAttribute",
    write=True,
    needs=(one_of("vpn_name", "description"),),
    note="refuses an empty update instead of sending `{}`",
)

DELETE_VPN = Operation(
    "delete_vpn",
    "release gateway",
    "DELETE",
    "/vpn/{vpnId}",
    OperationResult,
    (_VPN_ID,),
    write=True,
)

RENEW_VPN = Operation(
    "renew_vpn",
    "renew",
    "PUT",
    "/vpn/{vpnId}",
    OperationResult,
    (
        _VPN_ID,
        _model("billing", "billing", billing_to_renew, billing_rules, _renewal),
    ),
    flag="purchaseReserved",
    write=True,
)

CREATE_VPN_CONN = Operation(
    "create_vpn_conn",
    "create tunnel",
    "POST",
    "/vpn/{vpnId}/vpnconn",
    CreateVpnConnResult,
    (_VPN_ID, *_TUNNEL),
    write=True,
    needs=_TUNNEL_NEEDS,
    note='no `"description": null`',
)

GET_VPN_CONN = Operation(
    "get_vpn_conn",
    "list tunnels",
    "GET",
    "/vpn/vpnconn/{vpnId}",
    VpnConnList,
    (_VPN_ID,),
    optional_token=True,
    note="the pre-shared keys it returns are hidden from reprs",
)

UPDATE_VPN_CONN = Operation(
    "update_vpn_conn",
    "update tunnel",
    "PUT",
    "/vpn/vpnconn/{vpnConnId}",
    OperationResult,
    (
        _CONN_ID,
        Param("vpn_id", "vpnId", "body", required=True, need=rules.resource_id),
        *_TUNNEL,
    ),
    write=True,
    needs=_TUNNEL_NEEDS,
    note="**camelCase IKE/IPSec keys**: the official SDK sends snake_case ones the service "
    "does not read",
)

DELETE_VPN_CONN = Operation(
    "delete_vpn_conn",
    "delete tunnel",
    "DELETE",
    "/vpn/vpnconn/{vpnConnId}",
    OperationResult,
    (_CONN_ID,),
    write=True,
)

# Create and update both require these three (docs/service/disagreements.md#update-ssl-vpn-service):
# an update replaces the service's settings.
_SSL_NAME = Param("sslservice_name", "sslVpnServerName", "body", True, rule=rules.resource_name)
_LOCAL_ROUTES = _cidrs("local_routes", "localSubnets", required=True)
_ADDRESS_POOL = Param("address_pool", "remoteSubnet", "body", True, rule=rules.cidr)
_CLIENT_DNS = Param("client_dns", "clientDns", "body", rule=rules.client_dns)

CREATE_VPN_SSLSERVICE = Operation(
    "create_vpn_sslservice",
    "create SSL-VPN service",
    "POST",
    "/vpn/{vpnId}/sslVpnServer",
    CreateSslVpnServerResult,
    (
        _VPN_ID,
        _SSL_NAME,
        _LOCAL_ROUTES,
        _ADDRESS_POOL,
        Param(
            "interface_type",
            "interfaceType",
            "body",
            rule=lambda field, value: rules.choice(field, value, rules.INTERFACE_TYPES),
        ),
        _CLIENT_DNS,
    ),
    write=True,
    note="defaults to `tap` as the API documents (the official SDK sends `tun`)",
)

GET_VPN_SSLSERVICE = Operation(
    "get_vpn_sslservice",
    "get SSL-VPN service",
    "GET",
    "/vpn/{vpnId}/sslVpnServer",
    SslVpnServer,
    (_VPN_ID,),
    optional_token=True,
)

UPDATE_VPN_SSLSERVICE = Operation(
    "update_vpn_sslservice",
    "update SSL-VPN service",
    "PUT",
    "/vpn/{vpnId}/sslVpnServer/{sslVpnServerId}",
    OperationResult,
    (_VPN_ID, _SSL_ID, _SSL_NAME, _LOCAL_ROUTES, _ADDRESS_POOL, _CLIENT_DNS),
    write=True,
    note="name, routes and address pool required, as the API documents (the official SDK "
    "sends what it is given)",
)

DELETE_VPN_SSLSERVICE = Operation(
    "delete_vpn_sslservice",
    "delete SSL-VPN service",
    "DELETE",
    "/vpn/{vpnId}/sslVpnServer/{sslVpnServerId}",
    OperationResult,
    (_VPN_ID, _SSL_ID),
    write=True,
    note="sends its `clientToken` (the official SDK drops it)",
)

CREATE_VPN_SSLUSERS = Operation(
    "create_vpn_sslusers",
    "create SSL users",
    "POST",
    "/vpn/{vpnId}/sslVpnUser",
    CreateSslVpnUsersResult,
    (
        _VPN_ID,
        _model(
            "sslusers",
            "sslVpnUsers",
            model_list(SslVpnUserSpec, empty_ok=False),
            ssl_user_rules,
            lambda users: [unstructure(user) for user in users],
        ),
    ),
    write=True,
    note="does not `print()` each user",
)

GET_VPN_SSL_USER = Operation(
    "get_vpn_ssl_user",
    "list SSL users",
    "GET",
    "/vpn/{vpnId}/sslVpnUser",
    SslVpnUserPage,
    (_VPN_ID, Param("user_name", "userName", "query", rule=rules.resource_name)),
    paginated=True,
    note="async paginator",
)

UPDATE_VPN_SSL_USER = Operation(
    "update_vpn_ssl_user",
    "update SSL user",
    "PUT",
    "/vpn/{vpnId}/sslVpnUser/{userId}",
    OperationResult,
    (
        _VPN_ID,
        _USER_ID,
        Param("password", "password", "body", rule=rules.ssl_password),
        _DESCRIPTION,
        Param("client_name", "clientName", "body", rule=rules.description),
    ),
    write=True,
    needs=(one_of("password", "description", "client_name"),),
)

DELETE_VPN_SSL_USER = Operation(
    "delete_vpn_ssl_user",
    "delete SSL user",
    "DELETE",
    "/vpn/{vpnId}/sslVpnUser/{userId}",
    OperationResult,
    (_VPN_ID, _USER_ID),
    write=True,
)

UPDATE_VPN_DELETE_PROTECT = Operation(
    "update_vpn_delete_protect",
    "release protection",
    "PUT",
    "/vpn/{vpnId}/deleteProtect",
    OperationResult,
    (_VPN_ID, Param("delete_protect", "deleteProtect", "body", True, need=rules.boolean)),
    write=True,
    note="`False` is really sent (the Go SDK cannot)",
)

# In the order of the table in docs/service/operations.md (the seed guide's, gateways first).
OPERATIONS: tuple[Operation[Any], ...] = (
    CREATE_VPN,
    LIST_VPNS,
    GET_VPN,
    BIND_EIP,
    UNBIND_EIP,
    UPDATE_VPN,
    DELETE_VPN,
    RENEW_VPN,
    CREATE_VPN_CONN,
    GET_VPN_CONN,
    UPDATE_VPN_CONN,
    DELETE_VPN_CONN,
    CREATE_VPN_SSLSERVICE,
    GET_VPN_SSLSERVICE,
    UPDATE_VPN_SSLSERVICE,
    DELETE_VPN_SSLSERVICE,
    CREATE_VPN_SSLUSERS,
    GET_VPN_SSL_USER,
    UPDATE_VPN_SSL_USER,
    DELETE_VPN_SSL_USER,
    UPDATE_VPN_DELETE_PROTECT,
)

_BY_NAME = {operation.name: operation for operation in OPERATIONS}


def by_name(name: str) -> Operation[Any]:
    """The operation whose method is called ``name``."""
    return _BY_NAME[name]
