"""bce-vpn-async: an asyncio-native SDK for the Baidu AI Cloud (BCE) VPN API."""

from . import _models
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

# The models: `_models.__all__` is their one list, and `__all__` below takes it whole. Type
# checkers read an export from a literal `__all__` or from an `X as X` import, hence the form.
from ._models import Billing as Billing
from ._models import CreateSslVpnServerResult as CreateSslVpnServerResult
from ._models import CreateSslVpnUsersResult as CreateSslVpnUsersResult
from ._models import CreateVpnConnResult as CreateVpnConnResult
from ._models import CreateVpnResult as CreateVpnResult
from ._models import IkeConfig as IkeConfig
from ._models import IpsecConfig as IpsecConfig
from ._models import OperationResult as OperationResult
from ._models import ResponseMetadata as ResponseMetadata
from ._models import SslVpnServer as SslVpnServer
from ._models import SslVpnUser as SslVpnUser
from ._models import SslVpnUserPage as SslVpnUserPage
from ._models import SslVpnUserSpec as SslVpnUserSpec
from ._models import Tag as Tag
from ._models import Vpn as Vpn
from ._models import VpnConn as VpnConn
from ._models import VpnConnList as VpnConnList
from ._models import VpnPage as VpnPage
from ._pagination import AsyncPaginator
from ._pipeline import Attempt, Handler, LoggingMiddleware, Middleware
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._rules import (
    AuthAlg,
    EncAlg,
    IkeMode,
    IkeVersion,
    InterfaceType,
    IpsecPfs,
    PaymentTiming,
    PfsGroup,
    ReservationTimeUnit,
    VpnStatus,
    VpnType,
)
from ._signing import BceV1Signer, Signer
from ._version import __version__

__all__ = [
    "REGIONS",
    "AsyncPaginator",
    "AsyncVpnClient",
    "Attempt",
    "AuthAlg",
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
    "ClientConfig",
    "Clock",
    "Credentials",
    "CredentialsProvider",
    "EncAlg",
    "Handler",
    "IkeMode",
    "IkeVersion",
    "InterfaceType",
    "IpsecPfs",
    "LoggingMiddleware",
    "Middleware",
    "PaymentTiming",
    "PfsGroup",
    "RateLimit",
    "ReservationTimeUnit",
    "RetryBudget",
    "RetryPolicy",
    "Signer",
    "VpnStatus",
    "VpnType",
    "WaiterFailedError",
    "WaiterTimeoutError",
    "__version__",
    *_models.__all__,
]
