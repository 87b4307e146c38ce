"""Input rules of the VPN API, shared by the client and the emulator.

Every function is pure: it returns the value (normalised where the API allows more than
one form) or raises ``BceValidationError(field, rule)``. A rule refuses only what every source
refuses; where sources disagree the widest documented form is accepted
(docs/service/disagreements.md#rule),
and each rule names its source. The client checks them before it sends anything, and the
emulator checks the same rules on what it receives, so a test against the emulator fails
the way the service would.

A message names the field and the rule, never the rejected value: the value may be a
pre-shared key or a password, and a value carrying a line break would forge lines in
whatever log prints the error. For the same reason no rejection is raised inside an
``except`` block, so no chained exception (``ipaddress`` quotes its input) carries the
value into a traceback.

Only the standard library and ``errors`` are imported: the emulator runs without the
HTTP stack.
"""

from __future__ import annotations

import enum
import ipaddress
import math
import re
import typing
from collections.abc import Collection
from typing import Literal, TypeAlias

from ._errors import BceValidationError

__all__ = [
    "AUTH_ALGS",
    "ENC_ALGS",
    "IKE_MODES",
    "IKE_VERSIONS",
    "INTERFACE_TYPES",
    "IPSEC_PFS_GROUPS",
    "PAYMENT_TIMINGS",
    "PFS_GROUPS",
    "RESERVATION_TIME_UNITS",
    "VPN_TYPES",
    "AuthAlg",
    "EncAlg",
    "IkeMode",
    "IkeVersion",
    "InterfaceType",
    "IpsecPfs",
    "PaymentTiming",
    "PfsGroup",
    "ReservationTimeUnit",
    "VpnStatus",
    "VpnType",
    "boolean",
    "choice",
    "cidr",
    "cidr_list",
    "client_dns",
    "client_token",
    "description",
    "ike_lifetime",
    "ip_address",
    "ipsec_lifetime",
    "lifetime",
    "lifetime_seconds",
    "max_connection",
    "max_keys",
    "reservation_length",
    "resource_id",
    "resource_name",
    "secret_key",
    "ssl_password",
    "tag_key",
    "tag_value",
    "vpn_name",
    "whole_number",
]

# Each enumeration once, as the type users annotate with (mypy catches a typo) and, from
# it, the set a rule checks against.
IkeVersion: TypeAlias = Literal["v1", "v2"]
"""The IKE version of a tunnel's phase 1 (``IkeConfig.ike_version``)."""
IkeMode: TypeAlias = Literal["main", "aggressive"]
"""The negotiation mode of phase 1 (``IkeConfig.ike_mode``)."""
EncAlg: TypeAlias = Literal["aes", "aes192", "aes256", "3des"]
"""An encryption algorithm of phase 1 or 2 (``ike_enc_alg``, ``ipsec_enc_alg``)."""
# The seed guide and GEN list sha1 and md5; Terraform's resource_baiducloud_vpn_conn.go also
# sha2_256/384/512. The union is accepted (docs/service/disagreements.md#algorithms).
AuthAlg: TypeAlias = Literal["sha1", "md5", "sha2_256", "sha2_384", "sha2_512"]
"""An authentication algorithm of phase 1 or 2 (``ike_auth_alg``, ``ipsec_auth_alg``)."""
PfsGroup: TypeAlias = Literal["group2", "group5", "group14", "group24"]
"""A Diffie-Hellman group of phase 1 (``IkeConfig.ike_pfs``)."""
# Phase 2 may also turn PFS off [TF resource_baiducloud_vpn_conn.go].
IpsecPfs: TypeAlias = Literal[PfsGroup, "disabled"]
"""Phase 2's perfect forward secrecy: a ``PfsGroup``, or ``"disabled"``
(``IpsecConfig.ipsec_pfs``)."""
InterfaceType: TypeAlias = Literal["tap", "tun"]
"""The virtual interface an SSL-VPN service gives its clients (``interface_type``)."""
VpnType: TypeAlias = Literal["IPSec", "SSL"]
"""The kind of a VPN gateway (``create_vpn(vpn_type=...)``, ``Vpn.vpn_type``)."""
PaymentTiming: TypeAlias = Literal["Prepaid", "Postpaid"]
"""How a gateway is paid for (``Billing.payment_timing``)."""
# The API reference documents "month"; the official Python SDK and Terraform send "Month"
# (docs/service/api-facts.md#create-vpn-gateway). Both are accepted so that code ported
# from either keeps working.
ReservationTimeUnit: TypeAlias = Literal["month", "Month"]
"""The unit of a prepaid term (``Billing.reservation_time_unit``); both spellings
mean months."""


def _values(kind: object) -> frozenset[str]:
    return frozenset(typing.get_args(kind))


IKE_VERSIONS = _values(IkeVersion)
IKE_MODES = _values(IkeMode)
ENC_ALGS = _values(EncAlg)
AUTH_ALGS = _values(AuthAlg)
PFS_GROUPS = _values(PfsGroup)
IPSEC_PFS_GROUPS = _values(IpsecPfs)
INTERFACE_TYPES = _values(InterfaceType)
VPN_TYPES = _values(VpnType)
PAYMENT_TIMINGS = _values(PaymentTiming)
RESERVATION_TIME_UNITS = _values(ReservationTimeUnit)


class VpnStatus(enum.StrEnum):
    """The gateway statuses the sources document; each equals its wire string
    (``vpn.status == VpnStatus.ACTIVE``). A status the SDK does not know is kept as the
    string the service sent."""

    BUILDING = "building"
    """Just created; becomes ``unconfigured`` within about 3 minutes
    (docs/service/api-facts.md#statuses)."""
    UNCONFIGURED = "unconfigured"
    """Built, not yet configured (docs/service/api-facts.md#statuses)."""
    ACTIVE = "active"
    """Configured and usable (docs/service/api-facts.md#statuses)."""
    CONFIGURING = "configuring"
    """Applying a change [GO model.go VPN_STATUS_CONFIGURING]."""


_MAX_CONNECTIONS = (5, 10, 20, 50, 100, 200, 500, 1000)
_RESERVATION_LENGTHS = (*range(1, 10), 12, 24, 36)

_NOT_A_STRING = "must be a string"

# Only RFC 3986 unreserved characters. An id is pasted into the URL path, so anything else
# either changes the path's structure (/ ? # % \, dot segments, and ";", which Java servlet
# containers strip as a path parameter) or is written differently by different signers:
# the official Python SDK signs the raw path while the spec's canonical URI percent-encodes
# every other character, so an id holding ":" or "+" would fail signature checks for one
# of them. Every documented id (vpn-shkgan7et1vx, a UUID, vpc-IyWRtII7) fits.
_ID = re.compile(r"[A-Za-z0-9._~-]+")
_ID_MAX = 128
_ID_CHARS = (
    "may hold only letters, digits and - . _ ~ (no / ? # % \\, spaces or control characters)"
)

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_./-]{0,64}")
_NAME_RULE = "must start with a letter and hold only letters, digits and - _ / . (1-65 characters)"

_DESCRIPTION_MAX = 200
# C0 controls (line breaks and tabs included), DEL, C1 controls and the Unicode line and
# paragraph separators. A description is a one-line label shown in the console and echoed
# by every list call; a line break or terminal escape stored in it would forge lines in
# the logs and terminals that print it later. No source shows a multi-line description.
# Other Unicode text (Chinese descriptions, ideographic spaces, emoji) is allowed. A lone
# surrogate (from a bad decode) cannot be written as UTF-8, so it could never be sent.
_DESCRIPTION_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_DESCRIPTION_RULE = (
    "must be at most 200 characters with no line breaks, control characters or lone surrogates"
)

# The seed create-tunnel page lists the symbols !@#$%^*()_ for a pre-shared key; the SSL
# user pages and the generated SDK list !@#$%^*(_ for a
# password, without ")". Every source agrees on each list, so each is kept as written
# (docs/service/disagreements.md#secret-symbols).
_TUNNEL_SYMBOLS = "!@#$%^*()_"
_PASSWORD_SYMBOLS = "!@#$%^*(_"
_SECRET_LENGTH = "must be 8-17 characters"

_CIDR_RULE = "must be an IPv4 network in CIDR form, such as 192.168.0.0/24"
_CIDR_HOST_BITS = "must have no host bits set (give the network address, such as 192.168.0.0/24)"

# Bounded so that a huge digit string cannot cost a big-integer conversion.
_LIFETIME_TEXT = re.compile(r"\s*([0-9]{1,19})\s*[sS]?\s*", re.ASCII)
_LIFETIME_FORM = "must be whole seconds: an int, a numeric string or a string such as '28800s'"
# The current API reference (GEN ike_config.py / ipsec_config.py) and the Java SDK: IKE
# 60-86400 s, IPSec 180-86400 s. The seed guide's multiple-of-3600 and ordering rules are
# not kept: the seed create-tunnel page's own example sends 200, the Go SDK's docs 25500
# and Terraform's tests 100/200 (docs/service/disagreements.md#lifetimes).
_IKE_LIFETIME = (60, 86400)
_IPSEC_LIFETIME = (180, 86400)

_CLIENT_TOKEN = re.compile(r"[\x20-\x7e]{1,64}")


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise BceValidationError(field, _NOT_A_STRING)
    return value


def _integer(field: str, value: object, rule: str) -> int:
    # bool is an int subclass; True where a number belongs is a caller's mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise BceValidationError(field, rule)
    return value


def resource_id(field: str, value: object) -> str:
    """An id that goes into the URL path (gateway, tunnel, SSL service, user, VPC ...).

    The check is an allow-list rather than the list of dangerous characters, for the
    reasons given at ``_ID``: an accepted id is the same string raw and percent-encoded.
    """
    text = _text(field, value)
    if not text:
        raise BceValidationError(field, "must not be empty")
    if len(text) > _ID_MAX:
        raise BceValidationError(field, f"must be at most {_ID_MAX} characters")
    if text in {".", ".."}:
        # Dot segments are resolved away by URL normalisation: /v1/vpn/.. is /v1.
        raise BceValidationError(field, "must not be . or ..")
    if not _ID.fullmatch(text):
        raise BceValidationError(field, _ID_CHARS)
    return text


def resource_name(field: str, value: object) -> str:
    """A gateway, tunnel, SSL service or SSL user name."""
    text = _text(field, value)
    if not _NAME.fullmatch(text):
        raise BceValidationError(field, _NAME_RULE)
    return text


def vpn_name(field: str, value: object) -> str:
    """A gateway name: a ``resource_name`` other than ``default``, which GEN
    update_vpn_request.py ("不能取值default") and Terraform say is reserved."""
    text = resource_name(field, value)
    if text == "default":
        raise BceValidationError(field, "must not be default (reserved)")
    return text


def client_dns(field: str, value: object) -> str:
    """An SSL-VPN service's client DNS: the API says "DNS address" and no source gives its
    form, so any non-empty string (docs/service/disagreements.md#client-dns)."""
    text = _text(field, value)
    if not text:
        raise BceValidationError(field, "must not be empty (leave it out instead)")
    return text


def description(field: str, value: object) -> str:
    """A free-text description; may be empty."""
    text = _text(field, value)
    if len(text) > _DESCRIPTION_MAX or _DESCRIPTION_FORBIDDEN.search(text):
        raise BceValidationError(field, _DESCRIPTION_RULE)
    return text


_TAG_SYMBOLS = frozenset("-_ /.")
_TAG_RULE = "may hold only letters (Chinese included), digits, spaces and - _ / ."


def _tag_text(field: str, value: object, shortest: int) -> str:
    text = _text(field, value)
    if not shortest <= len(text) <= 65:
        raise BceValidationError(field, f"must be {shortest}-65 characters")
    if not all(c.isalnum() or c in _TAG_SYMBOLS for c in text):
        raise BceValidationError(field, _TAG_RULE)
    return text


def tag_key(field: str, value: object) -> str:
    """A tag's key: 1-65 letters (Chinese included), digits and ``-_ /.``
    (docs/service/api-facts.md#models)."""
    return _tag_text(field, value, 1)


def tag_value(field: str, value: object) -> str:
    """A tag's value: like a key, but may be empty."""
    return _tag_text(field, value, 0)


def _secret(field: str, value: object, symbols: str) -> str:
    text = _text(field, value)
    if not 8 <= len(text) <= 17:
        raise BceValidationError(field, _SECRET_LENGTH)
    if not all((c.isascii() and c.isalnum()) or c in symbols for c in text):
        raise BceValidationError(field, f"may hold only letters, digits and the symbols {symbols}")
    has_letter = any(c.isascii() and c.isalpha() for c in text)
    has_digit = any(c.isascii() and c.isdigit() for c in text)
    has_symbol = any(c in symbols for c in text)
    if not (has_letter and has_digit and has_symbol):
        raise BceValidationError(
            field, f"must contain a letter, a digit and a symbol from {symbols}"
        )
    return text


def secret_key(field: str, value: object) -> str:
    """A tunnel's pre-shared key: symbols from ``!@#$%^*()_`` (seed create-tunnel page)."""
    return _secret(field, value, _TUNNEL_SYMBOLS)


def ssl_password(field: str, value: object) -> str:
    """An SSL-VPN user's password: symbols from ``!@#$%^*(_``, no ``)``
    (docs/service/disagreements.md#secret-symbols)."""
    return _secret(field, value, _PASSWORD_SYMBOLS)


_Parsed = typing.TypeVar("_Parsed", ipaddress.IPv4Interface, ipaddress.IPv4Address)


def _parsed(kind: type[_Parsed], text: str) -> _Parsed | None:
    """``kind(text)``, or None where ``ipaddress`` refuses it: the caller raises its own
    error outside the ``except``, so ``ipaddress``'s (which quotes the text) is not chained."""
    try:
        return kind(text)
    except ValueError:
        return None


def cidr(field: str, value: object) -> str:
    """An IPv4 network, written the one way every parser reads alike.

    ``ipaddress`` also reads a bare address as a /32 and a netmask after the slash
    (``10.0.0.0/255.0.0.0``); Go's ``net.ParseCIDR`` and most Java parsers do not, so only
    the canonical ``a.b.c.d/n`` text is accepted. Host bits set (``10.0.0.1/24``) are an
    error rather than silently masked: the caller most likely mistyped the network.
    """
    text = _text(field, value)
    interface = _parsed(ipaddress.IPv4Interface, text)
    if interface is None or str(interface) != text:
        raise BceValidationError(field, _CIDR_RULE)
    if interface.ip != interface.network.network_address:
        raise BceValidationError(field, _CIDR_HOST_BITS)
    return text


def cidr_list(field: str, value: object) -> list[str]:
    """A non-empty list or tuple of CIDRs; an item's error names it as ``field[i]``."""
    # A str is a sequence too; "10.0.0.0/8" must not be read as a list of characters.
    if not isinstance(value, list | tuple):
        raise BceValidationError(field, "must be a list of IPv4 CIDRs")
    if not value:
        raise BceValidationError(field, "must hold at least one CIDR")
    return [cidr(f"{field}[{index}]", item) for index, item in enumerate(value)]


def ip_address(field: str, value: object) -> str:
    """An IPv4 address in dotted decimal (``ipaddress`` refuses leading zeros and spaces)."""
    text = _text(field, value)
    if _parsed(ipaddress.IPv4Address, text) is None:
        raise BceValidationError(field, "must be an IPv4 address, such as 10.107.245.188")
    return text


def choice(field: str, value: object, allowed: Collection[str]) -> str:
    """One of ``allowed``, compared exactly: the service's enumerations are case-sensitive."""
    # Shorter first reads naturally for these sets: group2, group5, group14, group24.
    listed = ", ".join(sorted(allowed, key=lambda item: (len(item), item)))
    if not isinstance(value, str) or value not in allowed:
        raise BceValidationError(field, f"must be one of {listed}")
    return value


def whole_number(value: object, text: re.Pattern[str]) -> int | None:
    """The integer ``value`` stands for, or None: an int (not a bool), an integral float, or
    a string ``text`` matches in full (its first group, if it has one, holds the digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        match = text.fullmatch(value)
        return None if match is None else int(match.group(match.lastindex or 0))
    return None


def lifetime_seconds(value: object) -> int | None:
    """The whole seconds a lifetime stands for, or None if it stands for none.

    The one reader of every form a lifetime takes: an int (requests), a numeric string or
    one with a unit (``"28800s"``, as responses give it), an integral float.
    """
    return whole_number(value, _LIFETIME_TEXT)


def lifetime(field: str, value: object, bounds: tuple[int, int]) -> int:
    """An IKE or IPSec lifetime in seconds, within ``bounds`` (``_IKE_LIFETIME`` or
    ``_IPSEC_LIFETIME``, the current API reference's:
    docs/service/disagreements.md#lifetimes).

    Requests carry ints, responses strings such as ``"28800s"``
    (docs/service/api-facts.md#models), and a value read back from one is often sent again,
    so all three forms are read.
    """
    seconds = lifetime_seconds(value) if isinstance(value, int | str) else None
    if seconds is None:
        raise BceValidationError(field, _LIFETIME_FORM)
    low, high = bounds
    if not low <= seconds <= high:
        raise BceValidationError(field, f"must be from {low} to {high} seconds")
    return seconds


def ike_lifetime(field: str, value: object) -> int:
    """A phase 1 lifetime: 60 to 86400 seconds (docs/service/disagreements.md#lifetimes)."""
    return lifetime(field, value, _IKE_LIFETIME)


def ipsec_lifetime(field: str, value: object) -> int:
    """A phase 2 lifetime: 180 to 86400 seconds (docs/service/disagreements.md#lifetimes)."""
    return lifetime(field, value, _IPSEC_LIFETIME)


def max_keys(value: object) -> int:
    """A page size; the service caps pages at 1000
    (docs/service/api-facts.md#list-vpn-gateways)."""
    rule = "must be an integer from 1 to 1000"
    keys = _integer("max_keys", value, rule)
    if not 1 <= keys <= 1000:
        raise BceValidationError("max_keys", rule)
    return keys


def client_token(value: object) -> str:
    """An idempotency token: "an ASCII string of at most 64 characters"
    (docs/service/disagreements.md#client-token).

    Printable ASCII, spaces included (the docs exclude none): a control character could
    forge a line in a log that prints the query, and no source shows one.
    """
    text = _text("client_token", value)
    if not _CLIENT_TOKEN.fullmatch(text):
        raise BceValidationError("client_token", "must be 1-64 printable ASCII characters")
    return text


def max_connection(value: object) -> int:
    """An SSL gateway's client limit; ``create_vpn`` calls the parameter ``max_connections``."""
    rule = "must be one of " + ", ".join(map(str, _MAX_CONNECTIONS))
    connections = _integer("max_connections", value, rule)
    if connections not in _MAX_CONNECTIONS:
        raise BceValidationError("max_connections", rule)
    return connections


def reservation_length(value: object) -> int:
    """A prepaid term in months: 1 to 9, or one, two or three years
    (docs/service/api-facts.md#create-vpn-gateway)."""
    rule = "must be one of 1-9, 12, 24, 36 (months)"
    months = _integer("billing.reservation_length", value, rule)
    if months not in _RESERVATION_LENGTHS:
        raise BceValidationError("billing.reservation_length", rule)
    return months


def boolean(field: str, value: object) -> bool:
    """A real bool: ``"false"`` is truthy and 0/1 are likely a different field's value."""
    if not isinstance(value, bool):
        raise BceValidationError(field, "must be True or False")
    return value
