from __future__ import annotations

import ast
import re
import sys
import typing
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bce_vpn_async import BceValidationError
from bce_vpn_async import _rules as v

pytestmark = pytest.mark.same_in_dev_mode(
    "the input rules are pure functions: no event loop, no resources"
)

_SAME: Any = object()


def ok(id_: str, func: Callable[..., Any], *args: Any, expected: Any = _SAME) -> Any:
    """An accepted case; by default the value (the argument after the field) comes back."""
    if expected is _SAME:
        expected = args[1] if len(args) >= 2 else args[0]
    return pytest.param(func, args, expected, id=id_)


def bad(id_: str, rule: str, func: Callable[..., Any], *args: Any, field: str = "") -> Any:
    """A rejected case: the error names ``field`` (by default the first argument) and ``rule``."""
    return pytest.param(func, args, field or args[0], rule, id=id_)


ACCEPTED = [
    ok("id-gateway", v.resource_id, "vpn_id", "vpn-shkgan7et1vx"),
    ok("id-old-gateway", v.resource_id, "vpn_id", "vpn-119bd69b"),
    ok("id-uuid", v.resource_id, "vpc_id", "83edd0d2-8a68-4ce5-a396-9d2917d58a57"),
    ok("id-mixed-case", v.resource_id, "vpc_id", "vpc-IyWRtII7"),
    ok("id-unreserved-marks", v.resource_id, "user_id", "a.b_c~d"),
    ok("id-three-dots", v.resource_id, "vpn_id", "..."),
    ok("id-128-chars", v.resource_id, "vpn_id", "x" * 128),
    ok("name-short", v.resource_name, "vpn_name", "gw1"),
    ok("name-one-letter", v.resource_name, "vpn_name", "A"),
    ok("name-doc-example", v.resource_name, "vpn_name", "VPN_aoko_2"),
    ok("name-marks", v.resource_name, "vpn_conn_name", "a-b_c/d.e"),
    ok("name-65-chars", v.resource_name, "user_name", "u" * 65),
    ok("description-empty", v.description, "description", ""),
    ok("description-200", v.description, "description", "d" * 200),
    ok("description-chinese", v.description, "description", "北京 网关"),
    ok("description-wide-space", v.description, "description", "a\u3000b"),
    ok("psk-doc-example", v.secret_key, "secret_key", "ddd22@www"),
    ok("psk-8-chars", v.secret_key, "secret_key", "Ab1!Ab1!"),
    ok("psk-17", v.secret_key, "secret_key", "Ab1!" * 4 + "x"),
    ok("psk-symbols", v.secret_key, "secret_key", "a1()_^*%$#"),
    ok("password-paren", v.ssl_password, "password", "pass(word(1"),
    ok("password-underscore", v.ssl_password, "password", "Zz9_Zz9_"),
    ok("cidr-doc", v.cidr, "remote_subnet", "192.168.0.0/20"),
    ok("cidr-default-route", v.cidr, "remote_subnet", "0.0.0.0/0"),
    ok("cidr-host-route", v.cidr, "remote_subnet", "10.1.2.3/32"),
    ok("cidr-list-one", v.cidr_list, "local_subnets", ["10.0.0.0/8"]),
    ok(
        "cidr-list-tuple-to-list",
        v.cidr_list,
        "local_subnets",
        ("10.0.0.0/8", "172.16.0.0/12"),
        expected=["10.0.0.0/8", "172.16.0.0/12"],
    ),
    ok("ip-doc", v.ip_address, "remote_ip", "10.107.245.188"),
    ok("ip-zero", v.ip_address, "eip", "0.0.0.0"),
    ok("choice-ike-version", v.choice, "ike_version", "v2", v.IKE_VERSIONS),
    ok("choice-pfs", v.choice, "ike_pfs", "group24", v.PFS_GROUPS),
    ok("choice-vpn-type", v.choice, "vpn_type", "IPSec", v.VPN_TYPES),
    ok("choice-unit-Month", v.choice, "unit", "Month", v.RESERVATION_TIME_UNITS),
    ok("choice-unit-month", v.choice, "unit", "month", v.RESERVATION_TIME_UNITS),
    ok("lifetime-int-min", v.ike_lifetime, "ike_lifetime", 3600),
    ok("lifetime-int-max", v.ike_lifetime, "ike_lifetime", 86400),
    ok("lifetime-numeric-str", v.ike_lifetime, "ike_lifetime", "28800", expected=28800),
    ok("lifetime-seconds-str", v.ike_lifetime, "ike_lifetime", "28800s", expected=28800),
    # One reader for requests and responses: a padded number is the number (sent as an int).
    ok("lifetime-padded-str", v.ike_lifetime, "ike_lifetime", " 3600 ", expected=3600),
    ok("max-keys-1", v.max_keys, 1),
    ok("max-keys-1000", v.max_keys, 1000),
    ok("token-uuid", v.client_token, "1849ef6b-f73c-4f5d-b88b-259ca47af849"),
    ok("token-64", v.client_token, "t" * 64),
    ok("token-punctuation", v.client_token, "!~{}"),
    ok("max-connection-5", v.max_connection, 5),
    ok("max-connection-1000", v.max_connection, 1000),
    ok("reservation-9", v.reservation_length, 9),
    ok("reservation-36", v.reservation_length, 36),
    ok("bool-false", v.boolean, "delete_protect", False),
    ok("bool-true", v.boolean, "delete_protect", True),
]

REJECTED = [
    bad("id-empty", "must not be empty", v.resource_id, "vpn_id", ""),
    bad("id-none", "must be a string", v.resource_id, "vpn_id", None),
    bad("id-int", "must be a string", v.resource_id, "vpn_id", 7),
    bad("id-slash", "may hold only", v.resource_id, "vpn_id", "a/b"),
    bad("id-query", "may hold only", v.resource_id, "vpn_id", "a?bind"),
    bad("id-fragment", "may hold only", v.resource_id, "vpn_id", "a#b"),
    bad("id-percent", "may hold only", v.resource_id, "vpn_id", "%2e%2e"),
    bad("id-backslash", "may hold only", v.resource_id, "vpn_id", "a\\b"),
    bad("id-space", "may hold only", v.resource_id, "vpn_id", "a b"),
    bad("id-newline", "may hold only", v.resource_id, "vpn_id", "a\nb"),
    bad("id-nul", "may hold only", v.resource_id, "vpn_id", "a\x00"),
    bad("id-non-ascii", "may hold only", v.resource_id, "vpn_id", "vpné"),
    bad("id-semicolon", "may hold only", v.resource_id, "vpn_id", "a;b=c"),
    bad("id-dot", "must not be . or ..", v.resource_id, "vpn_id", "."),
    bad("id-dot-dot", "must not be . or ..", v.resource_id, "vpn_id", ".."),
    bad("id-129", "at most 128", v.resource_id, "vpn_id", "x" * 129),
    bad("name-empty", "start with a letter", v.resource_name, "vpn_name", ""),
    bad("name-digit-first", "start with a letter", v.resource_name, "vpn_name", "1gw"),
    bad("name-mark-first", "start with a letter", v.resource_name, "vpn_name", "_gw"),
    bad("name-space", "(1-65 characters)", v.resource_name, "vpn_name", "g w"),
    bad("name-trailing-newline", "(1-65 characters)", v.resource_name, "vpn_name", "gw\n"),
    bad("name-chinese", "start with a letter", v.resource_name, "vpn_name", "网关"),
    bad("name-66", "(1-65 characters)", v.resource_name, "vpn_name", "u" * 66),
    bad("name-bytes", "must be a string", v.resource_name, "user_name", b"user"),
    bad("description-201", "at most 200", v.description, "description", "d" * 201),
    bad("description-newline", "no line breaks", v.description, "description", "a\nb"),
    bad("description-tab", "control characters", v.description, "description", "a\tb"),
    bad("description-escape", "control characters", v.description, "description", "\x1b[2J"),
    bad("description-line-sep", "line breaks", v.description, "description", "a\u2028b"),
    bad("description-none", "must be a string", v.description, "description", None),
    bad("psk-7", "8-17 characters", v.secret_key, "secret_key", "Ab1!Ab1"),
    bad("psk-18", "8-17 characters", v.secret_key, "secret_key", "Ab1!" * 4 + "xy"),
    bad("psk-no-symbol", "must contain", v.secret_key, "secret_key", "abcdefgh1"),
    bad("psk-no-digit", "must contain", v.secret_key, "secret_key", "abcdefgh!"),
    bad("psk-no-letter", "must contain", v.secret_key, "secret_key", "12345678!"),
    bad("psk-ampersand", "may hold only", v.secret_key, "secret_key", "abcd123&!"),
    bad("psk-space", "may hold only", v.secret_key, "secret_key", "abcd 123!"),
    bad("psk-non-ascii", "may hold only", v.secret_key, "secret_key", "abcdé123!"),
    bad("psk-arabic-digits", "may hold only", v.secret_key, "secret_key", "abcd١٢٣!"),
    bad("psk-int", "must be a string", v.secret_key, "secret_key", 12345678),
    bad("password-letters-only", "must contain", v.ssl_password, "password", "password"),
    bad("password-dash", "may hold only", v.ssl_password, "password", "pass-w0rd"),
    bad("cidr-host-bits", "no host bits", v.cidr, "remote_subnet", "10.0.0.1/24"),
    bad("cidr-bare-address", "CIDR form", v.cidr, "remote_subnet", "10.0.0.0"),
    bad("cidr-netmask", "CIDR form", v.cidr, "remote_subnet", "10.0.0.0/255.0.0.0"),
    bad("cidr-padded-prefix", "CIDR form", v.cidr, "remote_subnet", "10.0.0.0/08"),
    bad("cidr-prefix-33", "CIDR form", v.cidr, "remote_subnet", "10.0.0.0/33"),
    bad("cidr-ipv6", "IPv4 network", v.cidr, "remote_subnet", "fd00::/8"),
    bad("cidr-space", "CIDR form", v.cidr, "remote_subnet", " 10.0.0.0/8"),
    bad("cidr-int", "must be a string", v.cidr, "remote_subnet", 167772160),
    bad("cidr-list-empty", "at least one", v.cidr_list, "local_subnets", []),
    bad("cidr-list-str", "must be a list", v.cidr_list, "local_subnets", "10.0.0.0/8"),
    bad("cidr-list-set", "must be a list", v.cidr_list, "local_subnets", {"10.0.0.0/8"}),
    bad(
        "cidr-list-bad-item-indexed",
        "CIDR form",
        v.cidr_list,
        "local_subnets",
        ["10.0.0.0/8", "bad"],
        field="local_subnets[1]",
    ),
    bad("ip-octet-256", "IPv4 address", v.ip_address, "remote_ip", "10.0.0.256"),
    bad("ip-leading-zero", "IPv4 address", v.ip_address, "remote_ip", "010.0.0.1"),
    bad("ip-ipv6", "IPv4 address", v.ip_address, "remote_ip", "::1"),
    bad("ip-with-prefix", "IPv4 address", v.ip_address, "remote_ip", "10.0.0.1/32"),
    bad("ip-int", "must be a string", v.ip_address, "remote_ip", 167772161),
    bad("choice-case", "one of v1, v2", v.choice, "ike_version", "V1", v.IKE_VERSIONS),
    bad("choice-empty", "main, aggressive", v.choice, "ike_mode", "", v.IKE_MODES),
    bad(
        "choice-pfs-listed-in-order",
        "one of group2, group5, group14, group24",
        v.choice,
        "ike_pfs",
        "group1",
        v.PFS_GROUPS,
    ),
    bad("choice-trailing-space", "must be one of", v.choice, "enc", "aes ", v.ENC_ALGS),
    bad("choice-unknown", "one of md5, sha1, sha2_256", v.choice, "auth", "sha256", v.AUTH_ALGS),
    bad("choice-vpn-type-case", "SSL, IPSec", v.choice, "vpn_type", "ipsec", v.VPN_TYPES),
    bad("choice-unit-upper", "one of", v.choice, "unit", "MONTH", v.RESERVATION_TIME_UNITS),
    bad("choice-none", "tap, tun", v.choice, "iface", None, v.INTERFACE_TYPES),
    bad("lifetime-zero", "from 60", v.ike_lifetime, "ike_lifetime", 0),
    bad("lifetime-below-ike-floor", "from 60", v.ike_lifetime, "ike_lifetime", 59),
    bad("lifetime-below-ipsec-floor", "from 180", v.ipsec_lifetime, "ipsec_lifetime", 179),
    bad("lifetime-negative", "from 60", v.ike_lifetime, "ike_lifetime", -3600),
    bad("lifetime-above-max", "to 86400", v.ike_lifetime, "ike_lifetime", 86401),
    bad("lifetime-bool", "whole seconds", v.ike_lifetime, "ike_lifetime", True),
    bad("lifetime-float", "whole seconds", v.ike_lifetime, "ike_lifetime", 3600.0),
    bad("lifetime-ms", "whole seconds", v.ike_lifetime, "ike_lifetime", "3600ms"),
    bad("lifetime-minus-str", "whole seconds", v.ike_lifetime, "ike_lifetime", "-3600"),
    bad("lifetime-huge-str", "whole seconds", v.ike_lifetime, "ike_lifetime", "9" * 5000),
    bad("lifetime-none", "whole seconds", v.ike_lifetime, "ike_lifetime", None),
    bad("max-keys-0", "from 1 to 1000", v.max_keys, 0, field="max_keys"),
    bad("max-keys-1001", "from 1 to 1000", v.max_keys, 1001, field="max_keys"),
    bad("max-keys-bool", "from 1 to 1000", v.max_keys, True, field="max_keys"),
    bad("max-keys-str", "from 1 to 1000", v.max_keys, "10", field="max_keys"),
    bad("token-empty", "1-64 printable", v.client_token, "", field="client_token"),
    bad("token-65", "1-64 printable", v.client_token, "t" * 65, field="client_token"),
    bad("token-tab", "printable ASCII", v.client_token, "a\tb", field="client_token"),
    bad("token-crlf", "1-64 printable", v.client_token, "a\r\nb", field="client_token"),
    bad("token-non-ascii", "ASCII", v.client_token, "tökén", field="client_token"),
    bad("token-none", "must be a string", v.client_token, None, field="client_token"),
    bad("max-connection-7", "5, 10, 20", v.max_connection, 7, field="max_connections"),
    bad("max-connection-str", "one of", v.max_connection, "100", field="max_connections"),
    bad("max-connection-bool", "one of", v.max_connection, True, field="max_connections"),
    bad(
        "reservation-10",
        "1-9, 12, 24, 36",
        v.reservation_length,
        10,
        field="billing.reservation_length",
    ),
    bad("reservation-0", "1-9", v.reservation_length, 0, field="billing.reservation_length"),
    bad("reservation-48", "36", v.reservation_length, 48, field="billing.reservation_length"),
    bad(
        "reservation-float", "months", v.reservation_length, 1.0, field="billing.reservation_length"
    ),
    bad("bool-str", "True or False", v.boolean, "delete_protect", "false"),
    bad("bool-int", "True or False", v.boolean, "delete_protect", 0),
    bad("bool-none", "True or False", v.boolean, "delete_protect", None),
]


def _raise_message(func: Callable[..., Any], args: tuple[Any, ...]) -> BceValidationError:
    with pytest.raises(BceValidationError) as info:
        func(*args)
    return info.value


@pytest.mark.parametrize(("func", "args", "expected"), ACCEPTED)
def test_a_valid_value_is_returned_with_its_normalised_type(
    func: Callable[..., Any], args: tuple[Any, ...], expected: object
) -> None:
    result = func(*args)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(("func", "args", "field", "rule"), REJECTED)
def test_an_invalid_value_is_rejected_naming_the_field_and_the_rule(
    func: Callable[..., Any], args: tuple[Any, ...], field: str, rule: str
) -> None:
    with pytest.raises(BceValidationError, match=rf"^{re.escape(field)}: .*{re.escape(rule)}"):
        func(*args)


@pytest.mark.parametrize(("func", "args", "field", "rule"), REJECTED)
def test_a_rejection_carries_the_field_and_rule_as_attributes_and_chains_nothing(
    func: Callable[..., Any], args: tuple[Any, ...], field: str, rule: str
) -> None:
    error = _raise_message(func, args)
    assert error.field == field
    assert rule in error.rule
    # ipaddress quotes its input; a chained exception would carry the value into tracebacks.
    assert error.__context__ is None
    assert error.__cause__ is None


LEAKY = [
    pytest.param(v.secret_key, "secret_key", "hunter2\nX-Admin: yes", id="psk-header-injection"),
    pytest.param(v.secret_key, "secret_key", "Sup3r(Secret)Key!!", id="psk-one-too-long"),
    pytest.param(v.secret_key, "secret_key", "onlyletterskey", id="psk-weak"),
    pytest.param(v.ssl_password, "password", "Passw0rd&x", id="password-bad-symbol"),
    pytest.param(v.ssl_password, "password", "pa55\r\nword!", id="password-crlf"),
    pytest.param(v.resource_id, "vpn_id", "vpn-1\nX-Injected: 1", id="id-newline"),
    pytest.param(v.resource_name, "vpn_name", "gw\nERROR forged line", id="name-newline"),
    pytest.param(v.description, "description", "ok\nERROR forged line", id="description-newline"),
    pytest.param(v.cidr, "remote_subnet", "10.0.0.0/8\nforged", id="cidr-newline"),
    pytest.param(v.ip_address, "remote_ip", "10.0.0.1\nforged", id="ip-newline"),
    pytest.param(v.ike_lifetime, "ike_lifetime", "3600\nforged", id="lifetime-newline"),
]


@pytest.mark.parametrize(("func", "field", "value"), LEAKY)
def test_a_rejection_message_never_contains_the_rejected_value(
    func: Callable[..., Any], field: str, value: str
) -> None:
    error = _raise_message(func, (field, value))
    for text in (str(error), repr(error), error.rule):
        assert value not in text
        assert "\n" not in text
        assert "\r" not in text


@pytest.mark.parametrize("value", ["S3cret!x\nA", "tok\nen"], ids=["secret", "newline"])
def test_a_rejected_client_token_is_not_quoted_in_the_message(value: str) -> None:
    error = _raise_message(v.client_token, (value,))
    assert value not in str(error)
    assert "\n" not in str(error)


_PATH_HOSTILE = "abcXYZ019-._~/?#%\\ \t\n;:@&=+$,'()*!é\x00"


@given(st.one_of(st.text(), st.text(alphabet=_PATH_HOSTILE, max_size=12)))
def test_an_accepted_resource_id_is_its_own_url_encoding(value: str) -> None:
    try:
        accepted = v.resource_id("vpn_id", value)
    except BceValidationError:
        return
    # Unchanged by percent-encoding: raw and canonical paths agree and no character can
    # end the segment, start a query or fragment, or be read as an escape.
    assert urllib.parse.quote(accepted, safe="-._~") == accepted
    assert accepted not in {".", ".."}
    assert 1 <= len(accepted) <= 128


@given(st.text(alphabet="abcXYZ019-._~", min_size=1, max_size=128))
def test_any_string_of_unreserved_characters_is_an_accepted_resource_id(value: str) -> None:
    if value in {".", ".."}:
        return
    assert v.resource_id("vpn_id", value) == value


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (v.ike_lifetime, 200),  # the seed create-tunnel page's own example
        (v.ike_lifetime, 25500),  # GO doc/VPN.md and client_test.go
        (v.ike_lifetime, 100),  # TF resource_baiducloud_vpn_conn_test.go
        (v.ike_lifetime, 60),
        (v.ipsec_lifetime, 180),
        (v.ipsec_lifetime, "200s"),
        (v.ipsec_lifetime, 86400),
    ],
    ids=["tunnel-page-200", "go-25500", "tf-100", "ike-floor", "ipsec-floor", "str", "max"],
)
def test_lifetimes_follow_the_current_references_ranges(
    check: Callable[[str, object], int], value: object
) -> None:
    """The ranges of the Go and Java SDKs and the current reference: no multiple-of-3600
    rule, whatever the seed guide says (docs/service/disagreements.md#lifetimes)."""
    assert check("lifetime", value) == v.lifetime_seconds(value)


def test_no_rule_ties_the_ipsec_lifetime_to_the_ike_lifetime() -> None:
    """The seed guide's "not less than ike_lifeTime" is in no other source
    (docs/service/disagreements.md#seed-guide-rules)."""
    assert not hasattr(v, "lifetimes")


@pytest.mark.parametrize(
    ("constant", "expected"),
    [
        (v.IKE_VERSIONS, {"v1", "v2"}),
        (v.IKE_MODES, {"main", "aggressive"}),
        (v.ENC_ALGS, {"aes", "aes192", "aes256", "3des"}),
        (v.AUTH_ALGS, {"sha1", "md5", "sha2_256", "sha2_384", "sha2_512"}),
        (v.PFS_GROUPS, {"group2", "group5", "group14", "group24"}),
        (v.IPSEC_PFS_GROUPS, {"group2", "group5", "group14", "group24", "disabled"}),
        (v.INTERFACE_TYPES, {"tap", "tun"}),
        (v.VPN_TYPES, {"IPSec", "SSL"}),
        (v.PAYMENT_TIMINGS, {"Prepaid", "Postpaid"}),
        (v.RESERVATION_TIME_UNITS, {"month", "Month"}),
    ],
    ids=[
        "ike-versions",
        "ike-modes",
        "enc-algs",
        "auth-algs",
        "pfs-groups",
        "ipsec-pfs-groups",
        "interface-types",
        "vpn-types",
        "payment-timings",
        "reservation-time-units",
    ],
)
def test_each_enumeration_holds_exactly_the_documented_values(
    constant: frozenset[str], expected: set[str]
) -> None:
    assert isinstance(constant, frozenset)
    assert constant == expected


@pytest.mark.parametrize("length", [*range(1, 10), 12, 24, 36])
def test_every_documented_reservation_length_is_accepted(length: int) -> None:
    assert v.reservation_length(length) == length


@pytest.mark.parametrize("limit", [5, 10, 20, 50, 100, 200, 500, 1000])
def test_every_documented_max_connection_is_accepted(limit: int) -> None:
    assert v.max_connection(limit) == limit


@pytest.mark.parametrize("hours", range(1, 25))
def test_every_whole_hour_up_to_a_day_is_an_accepted_lifetime(hours: int) -> None:
    assert v.ipsec_lifetime("ipsec_lifetime", f"{hours * 3600}s") == hours * 3600


def test_the_module_imports_only_the_standard_library_and_errors() -> None:
    # The emulator runs without the HTTP stack and must not pull in the models.
    tree = ast.parse(Path(v.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    allowed = {"._errors", "bce_vpn_async._errors", "__future__"}
    outside = {name for name in imported if name not in allowed}
    assert {name.split(".")[0] for name in outside} <= sys.stdlib_module_names


def test_every_public_function_and_enumeration_is_listed_in_all() -> None:
    public = {
        name
        for name, obj in vars(v).items()
        if not name.startswith("_")
        and (
            getattr(obj, "__module__", None) == v.__name__
            or isinstance(obj, frozenset)
            or typing.get_origin(obj) is typing.Literal
        )
    }
    assert set(v.__all__) == public


@pytest.mark.parametrize(
    ("rule", "value", "accepted"),
    [
        (v.tag_key, "team", True),
        (v.tag_key, "部门 net-1/a_b.c", True),
        (v.tag_key, "", False),
        (v.tag_key, "k" * 66, False),
        (v.tag_key, "a:b", False),
        (v.tag_key, "bad\ud800", False),
        (v.tag_value, "", True),
        (v.tag_value, "v" * 65, True),
        (v.tag_value, "v" * 66, False),
        (v.tag_value, "x\ny", False),
    ],
)
def test_tag_keys_and_values_follow_the_documented_rules(
    rule: Callable[[str, object], str], value: str, accepted: bool
) -> None:
    if accepted:
        assert rule("tags[0].tag_key", value) == value
    else:
        with pytest.raises(BceValidationError, match=r"tags\[0\]\.tag_key"):
            rule("tags[0].tag_key", value)
