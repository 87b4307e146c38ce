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


@frozen
class IkeConfig:
    """Phase 1 (IKE) settings; used in requests and read back from responses.

    ``ike_lifetime`` is in seconds (the wire calls it ``ikeLifeTime``). A request needs
    ``ike_version``, ``ike_mode``, ``ike_enc_alg`` and ``ike_pfs`` (the client refuses one
    without them); a response may leave any field out, which reads as None.
    """

    ike_version: IkeVersion | None = None
    ike_mode: IkeMode | None = None
    ike_enc_alg: EncAlg | None = None
    ike_pfs: PfsGroup | None = None
    ike_auth_alg: AuthAlg | None = None
    ike_lifetime: int | None = None


@frozen
class IpsecConfig:
    """Phase 2 (IPSec) settings; used in requests and read back from responses.

    A request needs ``ipsec_enc_alg`` and ``ipsec_auth_alg``; a response may leave any field
    out, which reads as None."""

    ipsec_enc_alg: EncAlg | None = None
    ipsec_auth_alg: AuthAlg | None = None
    ipsec_pfs: IpsecPfs | None = None
    ipsec_lifetime: int | None = None


@frozen(kw_only=True)
class VpnConn:
    """One IPSec tunnel of a gateway."""

    vpn_conn_id: str
    vpn_id: str | None = None
    vpn_conn_name: str | None = None
    local_ip: str | None = None
    # The service returns the pre-shared key in clear; keep it out of reprs and logs.
    secret_key: str | None = field(default=None, repr=False)
    local_subnets: tuple[str, ...] = ()
    remote_ip: str | None = None
    remote_subnets: tuple[str, ...] = ()
    cgw_id: str | None = None
    description: str | None = None
    status: str | None = None
    created_time: str | None = None
    health_status: str | None = None
    ike_config: IkeConfig | None = None
    ipsec_config: IpsecConfig | None = None


@frozen(kw_only=True)
class VpnConnList:
    """Every tunnel of one gateway (the service does not paginate this listing)."""

    vpn_conns: tuple[VpnConn, ...] = ()
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)


@frozen(kw_only=True)
class CreateVpnConnResult:
    """The new tunnel's id (``create_vpn_conn``)."""

    vpn_conn_id: str
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
