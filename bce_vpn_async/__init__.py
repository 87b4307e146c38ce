"""bce-vpn-async: an asyncio-native SDK for the Baidu AI Cloud (BCE) VPN API."""

from ._budget import RetryBudget
from ._ratelimit import RateLimit
from ._version import __version__
from .client import AsyncVpnClient
from .config import REGIONS, ClientConfig
from .credentials import Credentials, CredentialsProvider
from .errors import (
    BceAuthError,
    BceClientError,
    BceConflictError,
    BceError,
    BceNotFoundError,
    BcePaginationError,
    BceResponseError,
    BceServerError,
    BceThrottledError,
    BceTimeoutError,
    BceTransportError,
    BceValidationError,
    WaiterFailedError,
    WaiterTimeoutError,
)
from .models import (
    Billing,
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    CreateVpnConnResult,
    CreateVpnResult,
    IkeConfig,
    IpsecConfig,
    OperationResult,
    ResponseMetadata,
    SslVpnServer,
    SslVpnUser,
    SslVpnUserPage,
    SslVpnUserSpec,
    Tag,
    Vpn,
    VpnConn,
    VpnConnList,
    VpnPage,
)
from .pagination import AsyncPaginator
from .pipeline import Handler, LoggingMiddleware, Middleware
from .retry import RetryPolicy
from .signing import BceV1Signer, Signer

__all__ = [
    "REGIONS",
    "AsyncPaginator",
    "AsyncVpnClient",
    "BceAuthError",
    "BceClientError",
    "BceConflictError",
    "BceError",
    "BceNotFoundError",
    "BcePaginationError",
    "BceResponseError",
    "BceServerError",
    "BceThrottledError",
    "BceTimeoutError",
    "BceTransportError",
    "BceV1Signer",
    "BceValidationError",
    "Billing",
    "ClientConfig",
    "CreateSslVpnServerResult",
    "CreateSslVpnUsersResult",
    "CreateVpnConnResult",
    "CreateVpnResult",
    "Credentials",
    "CredentialsProvider",
    "Handler",
    "IkeConfig",
    "IpsecConfig",
    "LoggingMiddleware",
    "Middleware",
    "OperationResult",
    "RateLimit",
    "ResponseMetadata",
    "RetryBudget",
    "RetryPolicy",
    "Signer",
    "SslVpnServer",
    "SslVpnUser",
    "SslVpnUserPage",
    "SslVpnUserSpec",
    "Tag",
    "Vpn",
    "VpnConn",
    "VpnConnList",
    "VpnPage",
    "WaiterFailedError",
    "WaiterTimeoutError",
    "__version__",
]
