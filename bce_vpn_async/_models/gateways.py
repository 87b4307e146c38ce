"""VPN gateways."""

# No `from __future__ import annotations`: the converter reads these annotations as
# types, and strings would be compiled one by one inside the first call (~5 ms).
from attrs import field, frozen

from bce_vpn_async._models.common import EMPTY_METADATA, PageFields, ResponseMetadata, Tag
from bce_vpn_async._models.ssl import SslVpnServer
from bce_vpn_async._models.tunnels import VpnConn
from bce_vpn_async._rules import VpnStatus

__all__ = ["CreateVpnResult", "Vpn", "VpnPage"]


@frozen(kw_only=True)
class Vpn:
    """A VPN gateway (``get_vpn``, or an item of ``list_vpns``).

    ``vpn_type`` is the wire's ``type`` (``IPSec`` or ``SSL``); ``payment_timing`` is also
    read from ``productType``, the name older responses use.
    """

    vpn_id: str
    vpn_name: str | None = None
    description: str | None = None
    vpn_type: str | None = None
    status: VpnStatus | str | None = None
    eip: str | None = None
    bandwidth_in_mbps: int | None = None
    vpc_id: str | None = None
    subnet_id: str | None = None
    vpn_conn_num: int | None = None
    max_connection: int | None = None
    create_time: str | None = None
    expired_time: str | None = None
    payment_timing: str | None = None
    vpn_conns: tuple[VpnConn, ...] = ()
    ssl_vpn_server: SslVpnServer | None = None
    tags: tuple[Tag, ...] = ()
    delete_protect: bool | None = None
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)


@frozen(kw_only=True)
class VpnPage(PageFields):
    """One page of ``list_vpns``; ``next_marker`` is None on the last page."""

    vpns: tuple[Vpn, ...] = ()

    @property
    def items(self) -> tuple[Vpn, ...]:
        """The page's gateways under the name every page shares."""
        return self.vpns


@frozen(kw_only=True)
class CreateVpnResult:
    """The new gateway's id (``create_vpn``); it starts ``building``."""

    vpn_id: str
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
