"""bce-auth-v1 for the baseline contenders, written from the protocol: no code of this SDK.

A baseline contender (raw httpx, raw aiohttp, the asyncio floor, the stub's raw httpx)
shows what a client costs that signs its own requests with the least code that does the
job. The signing key depends only on the second of the timestamp (and the access key and
expiration), so it is derived once a second; the canonical request (method, encoded path,
sorted query, the default signed headers) is built and HMAC'd on every call.

The official SDK's signer (``baidubce``) is the oracle: ``self_check`` signs a few
requests with both and raises if one Authorization differs; the driver runs it before it
measures anything, and ``tests/test_benchmark_signer.py`` runs the same comparison on
generated requests.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import string
import sys
import time
from collections.abc import Callable, Mapping
from urllib.parse import quote

AUTH_VERSION = "bce-auth-v1"
# Signed by default, besides every x-bce-* header: the rule the official SDKs follow.
_SIGNED = frozenset({"host", "content-length", "content-type", "content-md5"})
# Stripped from a header's name and value: ASCII white space only, as bytes on the wire.
_BLANKS = string.whitespace
# Not signed, so not part of what is compared; of about the SDK's own length.
USER_AGENT = f"raw-baseline/1.0 python/{sys.version_info.major}.{sys.version_info.minor}"


@functools.lru_cache(maxsize=1024)
def _encode(text: str, safe: str = "") -> str:
    # UTF-8, then %XX for every byte but A-Z a-z 0-9 - . _ ~ (quote keeps those four) and
    # ``safe``. Remembered: a client sends the same few names and values call after call.
    return quote(text, safe=safe)


class RawSigner:
    """Signs requests with one access key; the signed-headers slot stays empty (the
    default rule), as the official SDKs leave it."""

    def __init__(self, access_key_id: str, secret_access_key: str, expiration: int = 1800):
        self._access_key_id = access_key_id
        self._secret = secret_access_key.encode("utf-8")
        self._expiration = expiration
        self._second: int | None = None
        self._date = ""
        self._prefix = ""
        self._key = b""

    def sign(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None,
        headers: dict[str, str],
        now: float,
    ) -> None:
        """Add ``x-bce-date`` and ``Authorization`` to ``headers``, which hold every header
        sent (``Host`` included); ``path`` and ``query`` are decoded."""
        second = int(now)  # the floor: timestamps are positive
        if second != self._second:
            self._second = second
            self._date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
            prefix = f"{AUTH_VERSION}/{self._access_key_id}/{self._date}/{self._expiration}"
            key = hmac.new(self._secret, prefix.encode("utf-8"), hashlib.sha256).hexdigest()
            self._key = key.encode("ascii")
            self._prefix = prefix + "//"
        headers["x-bce-date"] = self._date
        lines = []
        for raw_name, raw_value in headers.items():
            name, value = raw_name.strip(_BLANKS).lower(), raw_value.strip(_BLANKS)
            if value and (name in _SIGNED or name.startswith("x-bce-")):
                lines.append(f"{_encode(name)}:{_encode(value)}")
        lines.sort()
        pairs = sorted(f"{_encode(k)}={_encode(v)}" for k, v in query.items()) if query else ()
        canonical = "\n".join(
            (method.upper(), _encode(path, "/"), "&".join(pairs), "\n".join(lines))
        )
        signature = hmac.digest(self._key, canonical.encode("utf-8"), "sha256")
        headers["Authorization"] = self._prefix + signature.hex()


def get_headers(host: str) -> dict[str, str]:
    """The headers of the contenders' GET before signing."""
    return {
        "Host": host,
        "Content-Type": "application/json;charset=utf-8",
        "Content-Length": "0",
        "User-Agent": USER_AGENT,
    }


def signed_get(
    endpoint: str, path: str, access_key_id: str, secret_access_key: str
) -> Callable[[], dict[str, str]]:
    """The headers of a signed GET of ``path`` at ``endpoint`` (``http://host:port``), made
    anew on every call: the request every baseline contender sends, the one this SDK sends
    for ``get_vpn`` but for the User-Agent."""
    signer = RawSigner(access_key_id, secret_access_key)
    base = get_headers(endpoint.split("://", 1)[1])

    def headers() -> dict[str, str]:
        fresh = dict(base)
        signer.sign("GET", path, None, fresh, time.time())
        return fresh

    return headers


def official_authorization(
    access_key_id: str,
    secret_access_key: str,
    method: str,
    path: str,
    query: Mapping[str, str] | None,
    headers: Mapping[str, str],
    second: int,
) -> str:
    """The Authorization the official SDK's signer gives the same request (the oracle):
    its ``sign`` takes the path already encoded, as its client hands it over."""
    from baidubce import utils
    from baidubce.auth import bce_v1_signer
    from baidubce.auth.bce_credentials import BceCredentials

    def raw(text: str) -> bytes:
        return text.encode("utf-8")

    authorization: bytes = bce_v1_signer.sign(
        BceCredentials(access_key_id, secret_access_key),
        raw(method.upper()),
        utils.normalize_string(raw(path), False),
        {raw(name): raw(value) for name, value in headers.items() if name != "Authorization"},
        {raw(k): raw(v) for k, v in (query or {}).items()},
        timestamp=second,
    )
    return authorization.decode("ascii")


def compare(
    method: str,
    path: str,
    query: Mapping[str, str] | None,
    headers: Mapping[str, str],
    now: float,
    access_key_id: str = "ak-check",
    secret_access_key: str = "sk-check",
) -> tuple[str, str]:
    """This signer's Authorization for one request, and the official signer's."""
    signed = dict(headers)
    RawSigner(access_key_id, secret_access_key).sign(method, path, query, signed, now)
    second = int(now)
    expected = official_authorization(
        access_key_id, secret_access_key, method, path, query, signed, second
    )
    return signed["Authorization"], expected


def self_check() -> None:
    """Raise if this signer and the official one disagree on a few requests: the GET the
    contenders send, and requests with a query, a header to encode and a path to encode."""
    cases: list[tuple[str, str, dict[str, str] | None, dict[str, str]]] = [
        ("GET", "/v1/vpn/vpn-abcdefgh", None, get_headers("127.0.0.1:8080")),
        (
            "GET",
            "/v1/vpn",
            {"vpcId": "vpc-1", "maxKeys": "1000", "marker": "a b/c~é"},
            {**get_headers("bcc.bj.baidubce.com"), "x-bce-request-id": "r 1/é"},
        ),
        (
            "PUT",
            "/v1/vpn/vpn-1/a b%é",
            {"clientToken": "t", "modify": ""},
            {"Host": "h", "Content-Type": " text/plain ", "x-bce-empty": " "},
        ),
    ]
    for seconds, (method, path, query, headers) in enumerate(cases):
        got, expected = compare(method, path, query, headers, 1_700_000_000.25 + 86_399 * seconds)
        if got != expected:
            raise RuntimeError(
                f"the baselines' signer disagrees with the official one on {method} {path}: "
                f"{got!r} against {expected!r}"
            )
