"""The user's network: the SDK's own HTTP client, which proxy a request goes through, and
how TLS is verified.

The default transport (the SDK's aiohttp one) follows exactly the rules of httpx's own
transport, so a user of any httpx-based library finds the same behaviour here:

- ``proxy_mounts`` gives the same mount patterns httpx builds (``"http://"``,
  ``"https://"``, ``"all://"`` from ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, and one
  pattern with no proxy per ``NO_PROXY`` entry, read by ``urllib.request.getproxies()`` in
  either case), and the client is given them as ``httpx.AsyncClient(mounts=...)``, so
  httpx's own pattern matching picks a request's transport: ``NO_PROXY=example.com``
  exempts ``example.com`` and its subdomains but not ``wwwexample.com``,
  ``.example.com`` only the subdomains, ``*`` everything; an IP address or ``localhost``
  only itself. An explicit ``ClientConfig(proxy=...)`` takes every request, as httpx's
  ``proxy=`` does; ``trust_env=False`` reads no environment.
- ``ssl_context`` gives the one verified context both transports use: certifi's bundle
  (httpx's default), or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when the environment is
  trusted, or what ``verify=`` says (False, a CA bundle path, an ``ssl.SSLContext``).

``make_http_client`` builds the client a client makes when it is given no ``http_client``:
an ``httpx.AsyncClient`` over the SDK's aiohttp transport (``ClientConfig(transport=
"aiohttp")``, the default) or over httpx's own pool (``transport="httpx"``).

Proxy credentials ride in the proxy URL (``http://user:secret@proxy:3128``); the SDK
keeps them out of every repr, log line and error (``redacted``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
import urllib.request
from typing import TYPE_CHECKING

import httpx

from ._aiohttp import AiohttpTransport
from ._errors import BceClientError, BceValidationError

if TYPE_CHECKING:
    from ._config import ClientConfig

__all__ = [
    "as_proxy",
    "environment_proxies",
    "make_http_client",
    "proxy_mounts",
    "redacted",
    "ssl_context",
]

_USERINFO = re.compile(r"(?<=//)[^/@\s]*@")


def redacted(text: str) -> str:
    """``text`` with the credentials of any URL in it replaced by ``***``."""
    return _USERINFO.sub("***@", text)


def as_proxy(proxy: str | httpx.Proxy, name: str = "proxy") -> httpx.Proxy:
    """``proxy`` as an ``httpx.Proxy`` (credentials taken out of its URL), or a
    ``BceValidationError`` naming ``name`` that never quotes the URL."""
    if isinstance(proxy, httpx.Proxy):
        return proxy
    try:
        return httpx.Proxy(proxy)
    except (ValueError, TypeError, httpx.InvalidURL):
        raise BceValidationError(
            name, "must be a proxy URL: http://, https://, socks5:// or socks5h://"
        ) from None


def _is_address(host: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(host.split("/")[0])
    except ValueError:
        return False
    return True


def environment_proxies() -> dict[str, str | None]:
    """The mount patterns httpx's own client makes from the environment: a proxy URL per
    scheme pattern, ``None`` (no proxy) per ``NO_PROXY`` entry; empty for ``NO_PROXY=*``."""
    found = urllib.request.getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        url = found.get(scheme)
        if url:
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for entry in found.get("no", "").split(","):
        host = entry.strip()
        if host == "*":
            return {}
        if not host:
            continue
        if "://" in host:
            mounts[host] = None
        elif _is_address(host, ipaddress.IPv4Address) or host.lower() == "localhost":
            mounts[f"all://{host}"] = None
        elif _is_address(host, ipaddress.IPv6Address):
            mounts[f"all://[{host}]"] = None
        else:
            # "example.com" exempts it and its subdomains; ".example.com" the subdomains.
            mounts[f"all://*{host}"] = None
    return mounts


def proxy_mounts(config: ClientConfig) -> dict[str, httpx.Proxy | None]:
    """The mounts of the SDK's client under ``config``: pattern -> proxy (None: direct)."""
    if config.proxy is not None:
        return {"all://": as_proxy(config.proxy)}
    if not config.trust_env:
        return {}
    return {
        pattern: None if url is None else as_proxy(url, f"the {pattern[:-3].upper()}_PROXY setting")
        for pattern, url in environment_proxies().items()
    }


def ssl_context(config: ClientConfig) -> ssl.SSLContext:
    """The verified TLS context of the SDK's client, as httpx would make it."""
    verify = config.verify
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is False:
        return httpx.create_ssl_context(verify=False)
    if verify is True:
        try:
            return httpx.create_ssl_context(trust_env=config.trust_env)
        except (OSError, ssl.SSLError):
            raise BceClientError(
                "the CA certificates named by SSL_CERT_FILE or SSL_CERT_DIR could not be read"
            ) from None
    path = os.fspath(verify)
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError):
        raise BceValidationError(
            "verify", "must be True, False, an ssl.SSLContext or a readable CA bundle path"
        ) from None


def make_http_client(config: ClientConfig, base_url: str) -> httpx.AsyncClient:
    """The SDK's own HTTP client for ``base_url`` under ``config``: its pool, timeouts,
    proxies and TLS verification, on either transport.

    Raises:
        BceValidationError: a SOCKS proxy on the aiohttp transport (it speaks to http(s)
            proxies only), named by where it came from.
    """
    limits = config.httpx_limits()
    if config.transport == "httpx":
        return httpx.AsyncClient(
            limits=limits,
            timeout=config.httpx_timeout(),
            follow_redirects=False,
            verify=ssl_context(config),
            trust_env=config.trust_env,
            proxy=config.proxy,
        )
    mounts = proxy_mounts(config)
    for pattern, proxy in mounts.items():
        if proxy is not None and proxy.url.scheme not in ("http", "https"):
            where = "proxy" if config.proxy is not None else f"{pattern[:-3].upper()}_PROXY"
            raise BceValidationError(
                where,
                "the aiohttp transport speaks to http(s) proxies; for a SOCKS proxy "
                "use ClientConfig(transport='httpx') with httpx[socks]",
            )
    # The verified context takes tens of milliseconds to build: only for TLS.
    tls = base_url.startswith("https:") or any(
        proxy is not None and proxy.url.scheme == "https" for proxy in mounts.values()
    )
    context: ssl.SSLContext | bool = ssl_context(config) if tls else True
    return httpx.AsyncClient(
        transport=AiohttpTransport(limits, ssl=context),
        mounts={
            pattern: None if proxy is None else AiohttpTransport(limits, ssl=context, proxy=proxy)
            for pattern, proxy in mounts.items()
        },
        limits=limits,
        timeout=config.httpx_timeout(),
        follow_redirects=False,
    )
