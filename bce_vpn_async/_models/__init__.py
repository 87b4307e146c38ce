"""The SDK's data: request values and the results the service returns.

Models are plain frozen attrs classes and know nothing about JSON keys; the wire
names live in ``bce_vpn_async._converter``.
"""

from __future__ import annotations

from bce_vpn_async._models.common import Billing, OperationResult, ResponseMetadata, Tag
from bce_vpn_async._models.gateways import CreateVpnResult, Vpn, VpnPage
from bce_vpn_async._models.ssl import (
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    SslVpnServer,
    SslVpnUser,
    SslVpnUserPage,
    SslVpnUserSpec,
)
from bce_vpn_async._models.tunnels import (
    CreateVpnConnResult,
    IkeConfig,
    IpsecConfig,
    VpnConn,
    VpnConnList,
)

__all__ = [
    "Billing",
    "CreateSslVpnServerResult",
    "CreateSslVpnUsersResult",
    "CreateVpnConnResult",
    "CreateVpnResult",
    "IkeConfig",
    "IpsecConfig",
    "OperationResult",
    "ResponseMetadata",
    "SslVpnServer",
    "SslVpnUser",
    "SslVpnUserPage",
    "SslVpnUserSpec",
    "Tag",
    "Vpn",
    "VpnConn",
    "VpnConnList",
    "VpnPage",
]
