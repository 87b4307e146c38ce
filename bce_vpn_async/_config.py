"""Client configuration, endpoints and regions."""

from __future__ import annotations

import math
import os
import ssl
import sys
from collections.abc import Mapping
from typing import Literal

import httpx
from attrs import field, frozen

from . import _config_validators as validators
from ._clock import Clock, SystemClock
from ._errors import BceClientError, BceValidationError
from ._network import as_proxy, redacted
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._version import __version__

__all__ = ["ENDPOINT_VAR", "REGIONS", "ClientConfig", "endpoint_from_env", "resolve_endpoint"]

# The VPN API lives on the VPC/BCC host of each region (docs/service/api-facts.md#regions).
REGIONS: dict[str, str] = {
    "bj": "bcc.bj.baidubce.com",
    "bd": "bcc.bd.baidubce.com",
    "gz": "bcc.gz.baidubce.com",
    "su": "bcc.su.baidubce.com",
    "hkg": "bcc.hkg.baidubce.com",
    "fwh": "bcc.fwh.baidubce.com",
    "cd": "bcc.cd.baidubce.com",
    "fsh": "bcc.fsh.baidubce.com",
    "sin": "bcc.sin.baidubce.com",
}
"""The service's regions and the host that serves the VPN API in each:
`AsyncVpnClient(region="bj")` talks to `https://bcc.bj.baidubce.com`."""

# Where a client given neither ``endpoint=`` nor ``region=`` finds its endpoint.
ENDPOINT_VAR = "BCE_ENDPOINT"

DEFAULT_USER_AGENT = (
    f"bce-vpn-async/{__version__} python/{sys.version_info.major}.{sys.version_info.minor}"
)


def _timeout(instance: object, attribute: object, value: float | httpx.Timeout) -> None:
    if isinstance(value, httpx.Timeout):
        return
    rule = "timeout must be a positive number of seconds or an httpx.Timeout"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{rule}, not {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(rule)


def _retry(instance: object, attribute: object, value: RetryPolicy | None) -> None:
    if value is not None and not isinstance(value, RetryPolicy):
        raise TypeError(f"retry must be a RetryPolicy or None, not {type(value).__name__}")


def _rate_limit(instance: object, attribute: object, value: RateLimit | None) -> None:
    if value is not None and not isinstance(value, RateLimit):
        raise TypeError(f"rate_limit must be a RateLimit or None, not {type(value).__name__}")


def _max_concurrency(instance: object, attribute: object, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("max_concurrency must be an int or None")
    if value < 1:
        raise ValueError("max_concurrency must be >= 1 or None")


def _proxy(instance: object, attribute: object, value: str | httpx.Proxy | None) -> None:
    if value is None or isinstance(value, httpx.Proxy):
        return
    if not isinstance(value, str):
        raise TypeError(
            f"proxy must be a URL string, an httpx.Proxy or None, not {type(value).__name__}"
        )
    as_proxy(value)


def _proxy_repr(value: str | httpx.Proxy | None) -> str:
    # A proxy URL may carry credentials: shown without them (httpx.Proxy's repr masks
    # the password itself).
    if isinstance(value, str):
        return repr(redacted(value))
    return repr(value)


Verify = bool | str | os.PathLike[str] | ssl.SSLContext


def _verify(instance: object, attribute: object, value: Verify) -> None:
    if not isinstance(value, bool | str | os.PathLike | ssl.SSLContext):
        raise TypeError(
            "verify must be True, False, a CA bundle path or an ssl.SSLContext, "
            f"not {type(value).__name__}"
        )


@frozen(kw_only=True)
class ClientConfig:
    """How a client talks to the service: an immutable value, changed with `attrs.evolve`.

    Every field is keyword-only and checked when the value is made, so a wrong setting
    fails at once with a `TypeError` or `BceValidationError`, not on the first call.
    """

    retry: RetryPolicy | None = field(factory=RetryPolicy, validator=_retry)
    """The retry policy, or `None` for a single attempt per call.

    Its `budget` (a `RetryBudget`) keeps retries to a share of recent successful calls.
    """
    rate_limit: RateLimit | None = field(factory=RateLimit, validator=_rate_limit)
    """Client-side pacing: a `RateLimit`, or `None` for none.

    By default adaptive: it learns the service's rate from its throttling answers.
    """
    max_concurrency: int | None = field(default=None, validator=_max_concurrency)
    """At most this many calls in flight on the client; `None` (default) for no bound.

    A call holds its place through its retries, and the others wait their turn. A
    call's `total_timeout` starts when it gets its place. Without a bound,
    calls beyond the connection pool wait for a connection.
    """
    timeout: float | httpx.Timeout = field(default=30.0, validator=_timeout)
    """Seconds for each phase of one attempt, or an `httpx.Timeout`.

    The phases are connect, read, write and the wait for a pooled connection. The retry
    policy's `total_timeout` bounds the whole call.
    """
    max_connections: int = field(default=100, validator=validators.integer(1))
    """The connection pool's size.

    One client serves any number of concurrent tasks; calls beyond the pool wait for a
    connection.
    """
    max_keepalive_connections: int = field(default=100, validator=validators.integer(0))
    """How many idle connections the pool keeps open."""
    transport: Literal["aiohttp", "httpx"] = field(
        default="aiohttp", validator=validators.one_of("aiohttp", "httpx")
    )
    """`"aiohttp"` (default) or `"httpx"`: what carries the requests.

    `"aiohttp"` is an `httpx.AsyncClient` over the SDK's own aiohttp transport, whose
    pool stays cheap at high concurrency; `"httpx"` is httpx's own pool.
    """
    validate: bool = field(default=True, validator=validators.boolean)
    """Check arguments against the API's documented rules before sending.

    Ids are always checked, whatever this says: they become part of the URL path.
    """
    user_agent: str = field(default=DEFAULT_USER_AGENT, validator=validators.header_text)
    """The `User-Agent` header of every request."""
    signature_expiration: int = field(default=1800, validator=validators.integer(1))
    """Seconds a request's signature stays valid.

    The `expirationPeriodInSeconds` of `bce-auth-v1`.
    """
    clock: Clock = field(factory=SystemClock, validator=validators.clock)
    """Where time comes from: `SystemClock` by default.

    `bce_vpn_async.testing.FakeClock` makes retries, pacing and waiters instant in
    tests, and every bound holds on it.
    """
    proxy: str | httpx.Proxy | None = field(default=None, validator=_proxy, repr=_proxy_repr)
    """A proxy for every request, on either transport; `None` (default): the environment's.

    A URL such as `"http://proxy:3128"` (with credentials if it needs them) or an
    `httpx.Proxy`. Credentials never appear in a repr.
    """
    trust_env: bool = field(default=True, validator=validators.boolean)
    """Read proxies and CA certificates from the environment, as httpx does.

    `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY` (either case) and
    `SSL_CERT_FILE`/`SSL_CERT_DIR`, on both transports (default `True`).
    """
    verify: Verify = field(default=True, validator=_verify)
    """How the service's TLS certificate is checked.

    `True` (default: certifi's CA bundle, or the environment's), `False` (not at all), a
    CA bundle path, or an `ssl.SSLContext`. `proxy`, `trust_env` and `verify` apply to
    the SDK's own HTTP client, not to an `http_client` you pass, which has its own.
    """

    def httpx_timeout(self) -> httpx.Timeout:
        """`timeout` as httpx takes it.

        Returns:
            One `httpx.Timeout` for every phase, or the one given.
        """
        if isinstance(self.timeout, httpx.Timeout):
            return self.timeout
        return httpx.Timeout(self.timeout)

    def httpx_limits(self) -> httpx.Limits:
        """The connection pool's bounds as httpx takes them.

        Returns:
            `max_connections` and `max_keepalive_connections` as `httpx.Limits`.
        """
        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_keepalive_connections,
        )


def resolve_endpoint(endpoint: str | None, region: str | None) -> str | None:
    """The base URL (scheme and host, no trailing slash) for an endpoint or a region, or
    None when neither is given (the client reads ``BCE_ENDPOINT`` when it first needs one).

    A bare host gets ``https://``, which the service recommends; ``http://`` is kept when
    given (the local emulator serves plain HTTP on loopback).
    """
    if endpoint is not None and region is not None:
        raise BceValidationError("endpoint", "give an endpoint or a region, not both")
    if endpoint is None:
        if region is None:
            return None
        if region not in REGIONS:
            known = ", ".join(sorted(REGIONS))
            raise BceValidationError("region", f"must be one of: {known}")
        endpoint = REGIONS[region]
    return _base_url(endpoint, "endpoint")


def endpoint_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The base URL ``BCE_ENDPOINT`` names, for a client given neither an endpoint nor a
    region. Read when the client is opened, not when it is made: ``__init__`` reads no
    environment. Surrounding white space is dropped, and a blank variable counts as unset.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    value = env.get(ENDPOINT_VAR, "").strip()
    if not value:
        raise BceClientError(
            f"no endpoint: give endpoint= or region=, or set the environment variable "
            f"{ENDPOINT_VAR} (e.g. bcc.bj.baidubce.com)"
        )
    return _base_url(value, ENDPOINT_VAR)


def _base_url(endpoint: str, name: str) -> str:
    if not isinstance(endpoint, str):
        raise BceValidationError(name, "must be a host name or an http(s) URL")
    endpoint = endpoint.strip().rstrip("/")
    if "://" not in endpoint:
        endpoint = f"https://{endpoint}"
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise BceValidationError(name, "must be a host name or an http(s) URL")
    if url.path not in ("", "/") or url.query:
        raise BceValidationError(name, "must not hold a path or a query")
    return endpoint
