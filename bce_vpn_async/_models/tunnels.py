"""IPSec tunnels (``vpnconn``) and their two phases of key negotiation."""

# No `from __future__ import annotations`: the converter reads these annotations as
# types, and strings would be compiled one by one inside the first call (~5 ms).
from attrs import field, frozen

from bce_vpn_async._models.common import EMPTY_METADATA, ResponseMetadata
from bce_vpn_async._rules import AuthAlg, EncAlg, IkeMode, IkeVersion, IpsecPfs, PfsGroup

__all__ = [
    "CreateVpnConnResult",
    "IkeConfig",
    "IpsecConfig",
    "VpnConn",
    "VpnConnList",
]


# Fields and values: docs/service/api-facts.md#models, docs/service/disagreements.md#lifetimes
# and docs/service/disagreements.md#algorithms.
@frozen
class IkeConfig:
    """Phase 1 (IKE) settings; used in requests and read back from responses.

    ``ike_lifetime`` is in seconds (the wire calls it ``ikeLifeTime``). A request needs
    ``ike_version``, ``ike_mode``, ``ike_enc_alg`` and ``ike_pfs`` (the client refuses one
    without them); a response may leave any field out, which reads as None.
    """

    ike_version: IkeVersion | None = None
    """The IKE version (``ikeVersion``): ``v1`` or ``v2``. Required in a request."""
    ike_mode: IkeMode | None = None
    """The negotiation mode (``ikeMode``): ``main`` or ``aggressive``. Required in a request."""
    ike_enc_alg: EncAlg | None = None
    """The encryption algorithm (``ikeEncAlg``): ``aes``, ``aes192``, ``aes256``, ``3des``.

    Required in a request.
    """
    ike_pfs: PfsGroup | None = None
    """The PFS group (``ikePfs``): ``group2``, ``group5``, ``group14``, ``group24``.

    Required in a request.
    """
    ike_auth_alg: AuthAlg | None = None
    """The authentication algorithm (``ikeAuthAlg``): ``sha1``, ``md5``, ``sha2_*``.

    ``sha1`` or ``md5``, or, as Terraform accepts, ``sha2_256``, ``sha2_384`` or
    ``sha2_512``. Optional; no source gives the service's default.
    """
    ike_lifetime: int | None = None
    """The phase 1 lifetime in seconds, 60 to 86400 (``ikeLifeTime``, capital T).

    Optional. Responses give it as ``28800``, ``"28800"`` or ``"28800s"``: all read as the
    number.
    """


@frozen
class IpsecConfig:
    """Phase 2 (IPSec) settings; used in requests and read back from responses.

    A request needs ``ipsec_enc_alg`` and ``ipsec_auth_alg``; a response may leave any field
    out, which reads as None.
    """

    ipsec_enc_alg: EncAlg | None = None
    """The encryption algorithm (``ipsecEncAlg``): ``aes``, ``aes192``, ``aes256``, ``3des``.

    Required in a request.
    """
    ipsec_auth_alg: AuthAlg | None = None
    """The authentication algorithm (``ipsecAuthAlg``): ``sha1``, ``md5``, ``sha2_*``.

    ``sha1`` or ``md5``, or, as Terraform accepts, ``sha2_256``, ``sha2_384`` or
    ``sha2_512``. Required in a request.
    """
    ipsec_pfs: IpsecPfs | None = None
    """The PFS group (``ipsecPfs``): ``group2/5/14/24``, or ``disabled``.

    ``group2``, ``group5``, ``group14`` or ``group24``, or ``disabled`` as Terraform
    accepts. Optional; no source gives the service's default.
    """
    ipsec_lifetime: int | None = None
    """The phase 2 lifetime in seconds, 180 to 86400 (``ipsecLifetime``, lower-case t).

    Optional, with no ordering rule against ``ike_lifetime``. Responses give it as
    ``28800``, ``"28800"`` or ``"28800s"``: all read as the number.
    """


# Fields: docs/service/api-facts.md#create-tunnel and docs/service/api-facts.md#list-tunnels.
@frozen(kw_only=True)
class VpnConn:
    """One IPSec tunnel of a gateway.

    A field the response leaves out is None (an empty tuple for a list).
    """

    vpn_conn_id: str
    """The tunnel's id (``vpnConnId``), such as ``vpnconn-ku4cxya6nisq``."""
    vpn_id: str | None = None
    """The id of its gateway (``vpnId``)."""
    vpn_conn_name: str | None = None
    """Its name (``vpnConnName``).

    1 to 65 letters, digits and ``-_/.``, starting with a letter.
    """
    local_ip: str | None = None
    """The local IP address (``localIp``), such as ``192.168.100.1``."""
    secret_key: str | None = field(default=None, repr=False)
    """The pre-shared key (``secretKey``), which the service answers in clear; not in the repr.

    8 to 17 ASCII letters, digits and symbols, at least one of each, the symbols only from
    ``!@#$%^*()_``.
    """
    local_subnets: tuple[str, ...] = ()
    """The local networks, in CIDR form (``localSubnets``)."""
    remote_ip: str | None = None
    """The peer's public IP address (``remoteIp``).

    Older references name it where the current one names ``cgw_id``.
    """
    remote_subnets: tuple[str, ...] = ()
    """The peer's networks, in CIDR form (``remoteSubnets``)."""
    cgw_id: str | None = None
    """The id of the customer gateway at the peer's end (``cgwId``).

    Such as ``cgw-76e47745e608``: the current reference's replacement for ``remote_ip``.
    """
    description: str | None = None
    """The tunnel's description."""
    status: str | None = None
    """Its status, as the service sends it; the reference's examples show only ``active``."""
    created_time: str | None = None
    """When it was created (``createdTime``), kept as the service writes it.

    A tunnel's is ``createdTime``, a gateway's ``createTime``. The reference's example:
    ``"2021-04-25 17:22:34"``.
    """
    health_status: str | None = None
    """Whether the tunnel connects (``healthStatus``), as the service sends it.

    The reference's one example shows ``reachable``.
    """
    ike_config: IkeConfig | None = None
    """Its phase 1 settings (``ikeConfig``)."""
    ipsec_config: IpsecConfig | None = None
    """Its phase 2 settings (``ipsecConfig``)."""


@frozen(kw_only=True)
class VpnConnList:
    """Every tunnel of one gateway (the service does not paginate this listing)."""

    vpn_conns: tuple[VpnConn, ...] = ()
    """The gateway's tunnels (``vpnConns``), in the service's order."""
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange of ``get_vpn_conn``."""


@frozen(kw_only=True)
class CreateVpnConnResult:
    """The new tunnel's id (``create_vpn_conn``)."""

    vpn_conn_id: str
    """The new tunnel's id (``vpnConnId``)."""
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange of ``create_vpn_conn``."""
