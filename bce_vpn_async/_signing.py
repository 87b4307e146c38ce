"""``bce-auth-v1`` request signing (docs/service/api-facts.md#signing).

The canonicalisation steps are pure functions so the emulator's verifier and the
tests can call them one by one. ``BceV1Signer`` runs them on the bytes of an
``httpx.Request`` (what goes on the wire, not what the caller meant), and is on
the path of every call, so it works on bytes with a precomputed encoding table
and remembers the signing key of the current second and the canonical line of
each header value it has seen (a client sends the same few, call after call).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import string
import time
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable
from urllib.parse import unquote_to_bytes

from attrs import field, frozen

from ._signer_memory import Second, SignerMemory

if TYPE_CHECKING:
    import httpx

    from ._credentials import Credentials

__all__ = [
    "AuthorizationHeader",
    "BceV1Signer",
    "Signer",
    "canonical_headers",
    "canonical_query_string",
    "canonical_uri",
    "compute_signature",
    "format_timestamp",
    "parse_timestamp",
    "signing_key",
    "uri_encode",
]

AUTH_VERSION: Final = "bce-auth-v1"
DATE_HEADER: Final = "x-bce-date"
SECURITY_TOKEN_HEADER: Final = "x-bce-security-token"

_UNRESERVED: Final = (string.ascii_letters + string.digits + "-._~").encode("ascii")
_UNRESERVED_OR_SLASH: Final = _UNRESERVED + b"/"
# A query made of these alone needs no decoding and no encoding.
_PLAIN_QUERY: Final = _UNRESERVED + b"=&"
_ENCODED: Final = tuple(bytes([b]) if b in _UNRESERVED else b"%%%02X" % b for b in range(256))
_ENCODED_KEEP_SLASH: Final = tuple(b"/" if b == ord("/") else _ENCODED[b] for b in range(256))

_DEFAULT_SIGNED: Final = frozenset({b"host", b"content-length", b"content-type", b"content-md5"})
_BCE_PREFIX: Final = b"x-bce-"
_HEX: Final = frozenset("0123456789abcdef")
_KEY_CACHE_SIZE: Final = 16
_LINE_CACHE_SIZE: Final = 512


@runtime_checkable
class Signer(Protocol):
    """What signs each attempt: `BceV1Signer` by default, or your own, given as
    `AsyncVpnClient(signer=...)`.

    The client calls `sign` once per attempt, after the caller's middleware has run, so a
    retried request carries a fresh date and signature.
    """

    def sign(self, request: httpx.Request, credentials: Credentials, timestamp: float) -> None:
        """Sign one attempt in place.

        Args:
            request: The request to sign; set `x-bce-date`, `x-bce-security-token` (when
                the credentials carry a session token) and `Authorization` on its headers.
            credentials: The key pair, with the session token if any.
            timestamp: Epoch seconds, corrected for the clock skew the service reported.
        """
        ...


# -- the canonical request, step by step -------------------------------------------------------


def format_timestamp(epoch: float) -> str:
    """UTC, second precision: ``2015-04-27T08:23:49Z``."""
    t = time.gmtime(math.floor(epoch))
    return f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}T{t[3]:02d}:{t[4]:02d}:{t[5]:02d}Z"


def parse_timestamp(text: str) -> float:
    """The inverse of ``format_timestamp``; only that exact shape is accepted."""
    shape_ok = (
        len(text) == 20
        and text.isascii()
        and text[4] == text[7] == "-"
        and text[10] == "T"
        and text[13] == text[16] == ":"
        and text[19] == "Z"
    )
    fields = (text[0:4], text[5:7], text[8:10], text[11:13], text[14:16], text[17:19])
    if not shape_ok or not all(part.isdigit() for part in fields):
        raise ValueError(f"not a {AUTH_VERSION} timestamp (YYYY-MM-DDThh:mm:ssZ): {text!r}")
    year, month, day, hour, minute, second = (int(part) for part in fields)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"not a valid date: {text!r}") from exc
    return moment.timestamp()


def _encode(data: bytes, table: tuple[bytes, ...], safe: bytes) -> bytes:
    # rstrip runs in C: an empty remainder means every byte is already safe, the usual case.
    if not data.rstrip(safe):
        return data
    return b"".join(map(table.__getitem__, data))


def uri_encode(text: str, *, keep_slash: bool = False) -> str:
    """UTF-8, then ``%XX`` (upper-case hex) for every byte but ``A-Z a-z 0-9 - . _ ~``."""
    data = text.encode("utf-8")
    if keep_slash:
        return _encode(data, _ENCODED_KEEP_SLASH, _UNRESERVED_OR_SLASH).decode("ascii")
    return _encode(data, _ENCODED, _UNRESERVED).decode("ascii")


def _canonical_uri(path: bytes) -> bytes:
    encoded = _encode(path, _ENCODED_KEEP_SLASH, _UNRESERVED_OR_SLASH)
    return encoded if encoded.startswith(b"/") else b"/" + encoded


def canonical_uri(path: str) -> str:
    """The decoded path, encoded except ``/``; always starts with ``/``."""
    return _canonical_uri(path.encode("utf-8")).decode("ascii")


def _is_authorization(key: bytes) -> bool:
    return len(key) == 13 and key.lower() == b"authorization"


def _query_line(key: bytes, value: bytes) -> bytes:
    return _encode(key, _ENCODED, _UNRESERVED) + b"=" + _encode(value, _ENCODED, _UNRESERVED)


def canonical_query_string(items: Iterable[tuple[str, str]]) -> str:
    """``key=value`` pairs of decoded parameters, encoded, sorted, ``&``-joined; a
    parameter named ``authorization`` (any case) is left out, a valueless one is ``key=``."""
    lines = []
    for key, value in items:
        raw_key = key.encode("utf-8")
        if not _is_authorization(raw_key):
            lines.append(_query_line(raw_key, value.encode("utf-8")))
    lines.sort()
    return b"&".join(lines).decode("ascii")


def _form_decode(part: bytes) -> bytes:
    # httpx writes a space in a query as "+" (form encoding), and servers read it back that way.
    if b"+" in part:
        part = part.replace(b"+", b" ")
    return unquote_to_bytes(part) if b"%" in part else part


def _canonical_raw_query(query: bytes) -> bytes:
    """The canonical form of a query as sent: ``?bind&a=%7E`` signs as ``a=~&bind=``."""
    plain = not query.rstrip(_PLAIN_QUERY)
    lines = []
    for part in query.split(b"&"):
        if not part:
            continue
        key, equals, value = part.partition(b"=")
        if plain and b"=" not in value:
            if not _is_authorization(key):
                lines.append(part if equals else part + b"=")
            continue
        key = _form_decode(key)
        if not _is_authorization(key):
            lines.append(_query_line(key, _form_decode(value)))
    lines.sort()
    return b"&".join(lines)


def _header_line(raw_name: bytes, raw_value: bytes, names: frozenset[bytes] | None) -> bytes | None:
    """The canonical line of one header, or None when it is not signed."""
    name = raw_name.strip().lower()
    if names is None:
        if name not in _DEFAULT_SIGNED and not name.startswith(_BCE_PREFIX):
            return None
    elif name not in names:
        return None
    value = raw_value.strip()
    if not value:
        return None
    return _encode(name, _ENCODED, _UNRESERVED) + b":" + _encode(value, _ENCODED, _UNRESERVED)


def _normalise_names(names: Collection[str]) -> frozenset[bytes]:
    return frozenset(name.strip().lower().encode("utf-8") for name in names)


def canonical_headers(
    headers: Iterable[tuple[str, str]], names: Collection[str] | None
) -> tuple[str, tuple[str, ...]]:
    """The canonical header lines, and the lower-case names they sign (sorted).

    ``names`` None is the default rule: host, content-length, content-type,
    content-md5 and every ``x-bce-*``. Headers with an empty value are never signed.
    """
    wanted = None if names is None else _normalise_names(names)
    lines = []
    signed = set()
    for name, value in headers:
        line = _header_line(name.encode("utf-8"), value.encode("utf-8"), wanted)
        if line is not None:
            lines.append(line)
            signed.add(name.strip().lower())
    lines.sort()
    return b"\n".join(lines).decode("ascii"), tuple(sorted(signed))


def signing_key(secret_access_key: str, auth_prefix: str) -> str:
    """Lower-case hex HMAC-SHA256 of the auth prefix, keyed by the secret access key."""
    secret = secret_access_key.encode("utf-8")
    return hmac.digest(secret, auth_prefix.encode("utf-8"), hashlib.sha256).hex()


def _signature(key_hex: str, canonical_request: bytes) -> str:
    # The signing key's hex text, not its bytes, keys the second HMAC.
    return hmac.digest(key_hex.encode("ascii"), canonical_request, hashlib.sha256).hex()


def compute_signature(
    *,
    secret_access_key: str,
    access_key_id: str,
    timestamp: str,
    expiration: int,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Iterable[tuple[str, str]],
    signed_names: Collection[str] | None,
) -> str:
    """The hex signature of a request given by its decoded parts."""
    prefix = f"{AUTH_VERSION}/{access_key_id}/{timestamp}/{expiration}"
    canonical = "\n".join(
        (
            method.upper(),
            canonical_uri(path),
            canonical_query_string(query),
            canonical_headers(headers, signed_names)[0],
        )
    )
    return _signature(signing_key(secret_access_key, prefix), canonical.encode("ascii"))


# -- the Authorization header --------------------------------------------------------------------


@frozen
class AuthorizationHeader:
    """A parsed ``bce-auth-v1/{ak}/{timestamp}/{expiration}/{signedHeaders}/{signature}``."""

    access_key_id: str
    timestamp: str
    expiration: int
    signed_headers: tuple[str, ...]
    signature: str

    @classmethod
    def parse(cls, value: str) -> AuthorizationHeader:
        parts = value.strip().split("/")
        if len(parts) != 6 or parts[0] != AUTH_VERSION:
            raise ValueError(f"not a {AUTH_VERSION} authorization: expected 6 '/'-separated parts")
        _, access_key_id, timestamp, expiration, signed, signature = parts
        if not access_key_id:
            raise ValueError("authorization has an empty access key id")
        parse_timestamp(timestamp)
        if not (expiration.isascii() and expiration.isdigit()) or int(expiration) <= 0:
            raise ValueError("authorization expiration is not a positive integer")
        names = tuple(signed.split(";")) if signed else ()
        if not all(names):
            raise ValueError("authorization signed headers has an empty name")
        if len(signature) != 64 or not _HEX.issuperset(signature):
            raise ValueError("authorization signature is not 64 lower-case hex digits")
        return cls(access_key_id, timestamp, int(expiration), names, signature)


# -- the signer ----------------------------------------------------------------------------------


_DATE_NAME: Final = DATE_HEADER.encode("ascii")


def _check_expiration(_: object, __: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("expiration_seconds must be a positive int")


def _check_headers_to_sign(_: object, __: object, value: tuple[str, ...] | None) -> None:
    if value is None:
        return
    # An empty list would leave the signedHeaders slot empty, which means the default rule.
    if not isinstance(value, tuple) or not value:
        raise ValueError("headers_to_sign must be None or a non-empty tuple of header names")
    for name in value:
        lowered = name.strip().lower() if isinstance(name, str) else ""
        if not lowered or ";" in lowered or "/" in lowered or lowered == "authorization":
            raise ValueError(f"headers_to_sign holds an invalid header name: {name!r}")


@frozen(kw_only=True)
class BceV1Signer:
    """Signs with `bce-auth-v1`, the service's signature.

    Raises:
        ValueError: `expiration_seconds` is not a positive int, or `headers_to_sign`
            holds an empty name, one with `;` or `/`, or `authorization`.
    """

    expiration_seconds: int = field(default=1800, validator=_check_expiration)
    """How long a signature stays valid, in seconds (`expirationPeriodInSeconds`)."""
    headers_to_sign: tuple[str, ...] | None = field(default=None, validator=_check_headers_to_sign)
    """The headers to sign: `None` (default) for the default rule.

    `None` signs by the default rule and leaves the signedHeaders slot empty, as the
    official Python and Java SDKs do; a tuple signs exactly those headers (when present
    and non-empty) and lists them, sorted, in the slot.
    """
    _slot: str = field(init=False, repr=False, eq=False)
    _names: frozenset[bytes] | None = field(init=False, repr=False, eq=False)
    _date_signed: bool = field(init=False, repr=False, eq=False)
    _state: SignerMemory = field(init=False, repr=False, eq=False, factory=SignerMemory)

    @_slot.default
    def _default_slot(self) -> str:
        names = self.headers_to_sign
        return "" if names is None else ";".join(sorted({n.strip().lower() for n in names}))

    @_names.default
    def _default_names(self) -> frozenset[bytes] | None:
        names = self.headers_to_sign
        return None if names is None else _normalise_names(names)

    @_date_signed.default
    def _default_date_signed(self) -> bool:
        return self._names is None or _DATE_NAME in self._names

    def _key(self, second: Second, credentials: Credentials) -> tuple[str, hmac.HMAC]:
        """The Authorization prefix and keyed HMAC of one access key for one second."""
        secret = credentials.secret_access_key
        secrets = self._state.secrets
        keyed_by_secret = secrets.get(secret)
        if keyed_by_secret is None:
            if len(secrets) >= _KEY_CACHE_SIZE:
                secrets.clear()
            keyed_by_secret = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)
            secrets[secret] = keyed_by_secret
        prefix = (
            f"{AUTH_VERSION}/{credentials.access_key_id}/{second.stamp}/{self.expiration_seconds}"
        )
        derive = keyed_by_secret.copy()
        derive.update(prefix.encode("utf-8"))
        # The signing key's hex text, not its bytes, keys the second HMAC.
        signing = hmac.new(derive.hexdigest().encode("ascii"), digestmod=hashlib.sha256)
        entry = (f"{prefix}/{self._slot}/", signing)
        if len(second.keys) >= _KEY_CACHE_SIZE:
            second.keys.clear()
        second.keys[credentials.access_key_id, secret] = entry
        return entry

    def sign(self, request: httpx.Request, credentials: Credentials, timestamp: float) -> None:
        """Sign one attempt as `bce-auth-v1` says (docs/service/api-facts.md#signing).

        Sets `x-bce-date`, `x-bce-security-token` when the credentials carry a session
        token (and removes a stale one when they no longer do), and `Authorization`.

        Args:
            request: The request to sign, changed in place; its URL, method and headers
                are final.
            credentials: The key pair, with the session token if any.
            timestamp: Epoch seconds, corrected for the clock skew the service reported.
        """
        epoch = math.floor(timestamp)
        second = self._state.second
        if second.epoch != epoch:
            second = self._state.new_second(epoch, date_signed=self._date_signed)
        headers = request.headers
        headers[DATE_HEADER] = second.stamp
        token = credentials.session_token
        if token:
            headers[SECURITY_TOKEN_HEADER] = token
        elif SECURITY_TOKEN_HEADER in headers:
            # Re-signing a retried request after the credentials rotated away from STS.
            del headers[SECURITY_TOKEN_HEADER]

        path, _, query = request.url.raw_path.partition(b"?")
        if b"%" in path:
            path = unquote_to_bytes(path)
        lines = []
        cache = self._state.lines
        for item in headers.raw:
            line = cache.get(item)
            if line is None:
                if item[0] == _DATE_NAME and item[1] == second.stamp_bytes:
                    # New every second: kept out of the cache so it never fills with them.
                    line = second.date_line
                else:
                    line = _header_line(item[0], item[1], self._names) or b""
                    if len(cache) >= _LINE_CACHE_SIZE:
                        cache.clear()
                    cache[item] = line
            if line:
                lines.append(line)
        lines.sort()
        canonical = b"\n".join(
            (
                request.method.upper().encode("ascii"),
                _canonical_uri(path),
                _canonical_raw_query(query) if query else b"",
                b"\n".join(lines),
            )
        )
        entry = second.keys.get((credentials.access_key_id, credentials.secret_access_key))
        if entry is None:
            entry = self._key(second, credentials)
        authorization, keyed = entry
        signature = keyed.copy()
        signature.update(canonical)
        headers["Authorization"] = authorization + signature.hexdigest()
