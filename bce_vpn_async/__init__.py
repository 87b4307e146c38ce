"""bce-vpn-async: an asyncio-native SDK for the Baidu AI Cloud (BCE) VPN API."""

from ._budget import RetryBudget
from ._client import AsyncVpnClient
from ._clock import Clock
from ._config import REGIONS, ClientConfig
from ._credentials import Credentials, CredentialsProvider
from ._errors import (
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
from ._models import (
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
from ._pagination import AsyncPaginator
from ._pipeline import Handler, LoggingMiddleware, Middleware
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._signing import BceV1Signer, Signer
from ._version import __version__

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
    "Clock",
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
