"""VPN gateways."""

# No `from __future__ import annotations`: the converter reads these annotations as
# types, and strings would be compiled one by one inside the first call (~5 ms).
from attrs import field, frozen

from bce_vpn_async._models.common import EMPTY_METADATA, PageFields, ResponseMetadata, Tag
from bce_vpn_async._models.ssl import SslVpnServer
from bce_vpn_async._models.tunnels import VpnConn
from bce_vpn_async._rules import VpnStatus

__all__ = ["CreateVpnResult", "Vpn", "VpnPage"]


# Fields: docs/service/api-facts.md#get-vpn-gateway (the reference's gateway details),
# docs/service/api-facts.md#create-vpn-gateway and docs/service/api-facts.md#statuses.
@frozen(kw_only=True)
class Vpn:
    """A VPN gateway (``get_vpn``, or an item of ``list_vpns``).

    ``vpn_type`` is the wire's ``type`` (``IPSec`` or ``SSL``); ``payment_timing`` is also
    read from ``productType``, the name older responses use. A field the response leaves
    out is None (an empty tuple for a list).
    """

    vpn_id: str
    """The gateway's id (``vpnId``), such as ``vpn-shkgan7et1vx``."""
    vpn_name: str | None = None
    """Its name (``vpnName``).

    1 to 65 letters, digits and ``-_/.``, starting with a letter; never ``default``.
    """
    description: str | None = None
    """Its description, up to 200 characters."""
    vpn_type: str | None = None
    """``IPSec`` or ``SSL`` (``type`` on the wire)."""
    status: VpnStatus | str | None = None
    """Where the gateway is in its life: a ``VpnStatus``, or the string the service sent.

    A ``VpnStatus`` (``building``, ``unconfigured``, ``active``, ``configuring``) when the
    SDK knows the value, else the string as sent.
    """
    eip: str | None = None
    """The address of the bound EIP.

    The reference's example answers ``""`` for a gateway with none.
    """
    bandwidth_in_mbps: int | None = None
    """The bandwidth in Mbps (``bandwidthInMbps``).

    It is the bound EIP's, which the VPN API does not set.
    """
    vpc_id: str | None = None
    """The id of the VPC the gateway belongs to (``vpcId``)."""
    subnet_id: str | None = None
    """The id of the subnet it was created in (``subnetId``, as ``create_vpn`` sends it)."""
    vpn_conn_num: int | None = None
    """How many IPSec tunnels it has (``vpnConnNum``)."""
    max_connection: int | None = None
    """An SSL gateway's most client connections (``maxConnection``).

    Set at creation to 5, 10, 20, 50, 100, 200, 500 or 1000.
    """
    create_time: str | None = None
    """When it was created (``createTime``), kept as the service writes it.

    The reference shows ``"2021-04-25 17:22:34"`` and names no time zone.
    """
    expired_time: str | None = None
    """When a prepaid gateway's term ends (``expiredTime``); None for a postpaid one.

    In the form of ``create_time``.
    """
    payment_timing: str | None = None
    """``Prepaid`` or ``Postpaid`` (``paymentTiming``).

    An older response's ``productType`` ``prepay`` or ``postpay`` is read as these.
    """
    vpn_conns: tuple[VpnConn, ...] = ()
    """Its IPSec tunnels (``vpnConns``)."""
    ssl_vpn_server: SslVpnServer | None = None
    """An SSL gateway's SSL-VPN service (``sslVpnServer``); None while it has none."""
    tags: tuple[Tag, ...] = ()
    """Its tags.

    The Go SDK says its list results leave them out, so an item of ``list_vpns`` may have
    none.
    """
    delete_protect: bool | None = None
    """Whether release protection is on (``deleteProtect``).

    A gateway is created with it off unless ``create_vpn`` says otherwise.
    """
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange of ``get_vpn``; an item of a page has none (the page holds it)."""


@frozen(kw_only=True)
class VpnPage(PageFields):
    """One page of ``list_vpns``; ``next_marker`` is None on the last page."""

    vpns: tuple[Vpn, ...] = ()
    """The page's gateways, in the service's order."""

    @property
    def items(self) -> tuple[Vpn, ...]:
        """The page's gateways under the name every page shares."""
        return self.vpns


@frozen(kw_only=True)
class CreateVpnResult:
    """The new gateway's id (``create_vpn``); it starts ``building``."""

    vpn_id: str
    """The new gateway's id (``vpnId``)."""
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange of ``create_vpn``."""
