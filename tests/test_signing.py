"""bce-auth-v1: the spec's worked examples, the pure steps, the signer, and the official
SDK's signer as an oracle over random requests."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl, quote, quote_plus, unquote_to_bytes

import attrs
import httpx
import pytest
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.utils import normalize_string
from hypothesis import given, settings
from hypothesis import strategies as st

from bce_vpn_async import BceV1Signer, Credentials, Signer
from bce_vpn_async._signing import (
    AuthorizationHeader,
    canonical_headers,
    canonical_query_string,
    canonical_uri,
    compute_signature,
    format_timestamp,
    parse_timestamp,
    signing_key,
    uri_encode,
)

AK = "a" * 32
SK = "b" * 32
CREDS = Credentials(AK, SK)

EX1_TS = 1430123029
EX1_URL = (
    "http://bj.bcebos.com/v1/test/myfolder/readme.txt"
    "?partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851"
)
EX1_HEADERS = {"Content-Type": "text/plain", "Content-Md5": "NFzcPqhviddjRNnSOGo4rw=="}
EX1_PREFIX = f"bce-auth-v1/{AK}/2015-04-27T08:23:49Z/1800"
EX1_SIGNATURE = "d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e"
EX1_CANONICAL = (
    "PUT\n/v1/test/myfolder/readme.txt\n"
    "partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851\n"
    "content-length:8\ncontent-md5:NFzcPqhviddjRNnSOGo4rw%3D%3D\ncontent-type:text%2Fplain\n"
    "host:bj.bcebos.com\nx-bce-date:2015-04-27T08%3A23%3A49Z"
)

VPN_TS = 1439266649
VPN_DATE = "2015-08-11T04:17:29Z"
BIND_URL = (
    "https://bcc.bj.baidubce.com/v1/vpn/vpn-119bd69b"
    "?bind=&clientToken=1849ef6b-f73c-4f5d-b88b-259ca47af849"
)

pytestmark = pytest.mark.same_in_dev_mode(
    "signing is pure functions of bytes and time: no event loop, no resources"
)
JSON_TYPE = "application/json;charset=utf-8"
LIST_URL = "https://bcc.bj.baidubce.com/v1/vpn?marker=vpn-IyWRtII7&maxKeys=10&vpcId=vpc-IyWRtII7"


def signed(request: httpx.Request, signer: BceV1Signer | None = None, **kwargs: object) -> str:
    creds = kwargs.pop("credentials", CREDS)
    assert isinstance(creds, Credentials)
    timestamp = kwargs.pop("timestamp", VPN_TS)
    assert isinstance(timestamp, (int, float))
    (signer or BceV1Signer()).sign(request, creds, timestamp)
    return request.headers["Authorization"]


def bind_request() -> httpx.Request:
    return httpx.Request(
        "PUT",
        BIND_URL,
        headers={"Content-Type": JSON_TYPE, "Accept": "*/*", "User-Agent": "test/1"},
        content=b'{"eip": "10.107.245.188"}',
    )


def list_request() -> httpx.Request:
    headers = {"Content-Type": JSON_TYPE, "Content-Length": "0", "Accept": "*/*"}
    return httpx.Request("GET", LIST_URL, headers=headers)


# -- the spec's worked examples ------------------------------------------------------------------


def test_example_1_signing_key_matches_the_spec() -> None:
    assert signing_key(SK, EX1_PREFIX) == (
        "1d5ce5f464064cbee060330d973218821825ac6952368a482a592e6615aef479"
    )


def test_example_1_canonical_request_matches_the_spec() -> None:
    headers = [*EX1_HEADERS.items(), ("Host", "bj.bcebos.com"), ("Content-Length", "8")]
    headers.append(("x-bce-date", "2015-04-27T08:23:49Z"))
    canonical = "\n".join(
        (
            "PUT",
            canonical_uri("/v1/test/myfolder/readme.txt"),
            canonical_query_string(
                [("uploadId", "a44cc9bab11cbd156984767aad637851"), ("partNumber", "9")]
            ),
            canonical_headers(headers, None)[0],
        )
    )
    assert canonical == EX1_CANONICAL
    key = signing_key(SK, EX1_PREFIX).encode()
    assert hmac.digest(key, canonical.encode(), "sha256").hex() == EX1_SIGNATURE


def test_example_1_signer_writes_the_published_authorization() -> None:
    request = httpx.Request("PUT", EX1_URL, headers=EX1_HEADERS, content=b"12345678")
    assert signed(request, timestamp=EX1_TS) == f"{EX1_PREFIX}//{EX1_SIGNATURE}"
    assert request.headers["x-bce-date"] == "2015-04-27T08:23:49Z"


def test_example_2_bind_eip_signature_matches_the_spec() -> None:
    assert signed(bind_request()) == (
        f"bce-auth-v1/{AK}/{VPN_DATE}/1800//"
        "15d1f3cbec1821a285f7b0ed56ef5f13169cc241ab127e5c9a0c0362a68fca01"
    )


def test_example_2_signing_key_matches_the_spec() -> None:
    assert signing_key(SK, f"bce-auth-v1/{AK}/{VPN_DATE}/1800") == (
        "75239f948fba6f347fd259833ca19512d2fc2959434d9d681567ead75bb4f3b2"
    )


def test_example_3_list_with_default_headers_matches_the_spec() -> None:
    assert signed(list_request()) == (
        f"bce-auth-v1/{AK}/{VPN_DATE}/1800//"
        "9adca80bca0341cfbdeb191ce342643a9b460af9e5cda523aea49e11d250824f"
    )


def test_example_3_list_with_an_explicit_header_list_matches_the_spec() -> None:
    signer = BceV1Signer(headers_to_sign=("x-bce-date", "Host"))
    assert signed(list_request(), signer) == (
        f"bce-auth-v1/{AK}/{VPN_DATE}/1800/host;x-bce-date/"
        "d6c2b27da22c22801db39ffe18f13b4db6bad02208a38f11a930dda4c8d6dc51"
    )


# -- the pure steps ------------------------------------------------------------------------------


def test_uri_encode_keeps_unreserved_and_escapes_the_rest_in_upper_case_hex() -> None:
    assert uri_encode("aZ09-._~ /:;=?&+%é") == "aZ09-._~%20%2F%3A%3B%3D%3F%26%2B%25%C3%A9"


def test_uri_encode_keeps_slashes_only_when_asked() -> None:
    assert uri_encode("/a b/", keep_slash=True) == "/a%20b/"


def test_canonical_uri_encodes_a_non_ascii_path_except_slashes() -> None:
    assert canonical_uri("/example/测试") == "/example/%E6%B5%8B%E8%AF%95"


def test_canonical_uri_of_an_empty_path_is_a_slash() -> None:
    assert canonical_uri("") == "/"


def test_canonical_query_string_sorts_encodes_and_gives_valueless_keys_an_equals_sign() -> None:
    items = [("b", "x y"), ("bind", ""), ("a", "1/2")]
    assert canonical_query_string(items) == "a=1%2F2&b=x%20y&bind="


@pytest.mark.parametrize("name", ["authorization", "Authorization", "AUTHORIZATION"])
def test_canonical_query_string_drops_authorization_in_any_case(name: str) -> None:
    assert canonical_query_string([(name, "x"), ("a", "1")]) == "a=1"


def test_canonical_query_string_of_no_parameters_is_empty() -> None:
    assert canonical_query_string([]) == ""


def test_canonical_headers_default_rule_signs_host_content_and_x_bce_headers_only() -> None:
    headers = [
        ("Host", "h"),
        ("Content-Type", "text/plain"),
        ("Content-Length", "3"),
        ("Content-MD5", "m"),
        ("X-Bce-Request-Id", "r"),
        ("Accept", "*/*"),
        ("User-Agent", "u"),
    ]
    text, names = canonical_headers(headers, None)
    assert text == (
        "content-length:3\ncontent-md5:m\ncontent-type:text%2Fplain\nhost:h\nx-bce-request-id:r"
    )
    assert names == ("content-length", "content-md5", "content-type", "host", "x-bce-request-id")


def test_canonical_headers_trims_names_and_values_and_skips_empty_values() -> None:
    headers = [(" X-Bce-A ", "  v  "), ("x-bce-empty", "   "), ("Host", "")]
    assert canonical_headers(headers, None) == ("x-bce-a:v", ("x-bce-a",))


def test_canonical_headers_with_a_list_signs_exactly_the_listed_headers() -> None:
    headers = [("Host", "h"), ("x-bce-date", "d"), ("Accept", "*/*"), ("x-bce-other", "o")]
    text, names = canonical_headers(headers, ["ACCEPT", "host", "content-md5"])
    assert text == "accept:%2A%2F%2A\nhost:h"
    assert names == ("accept", "host")


def test_format_timestamp_is_utc_to_the_second() -> None:
    assert format_timestamp(EX1_TS + 0.999) == "2015-04-27T08:23:49Z"


def test_parse_timestamp_inverts_format_timestamp() -> None:
    assert parse_timestamp("2015-04-27T08:23:49Z") == EX1_TS


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2015-04-27 08:23:49Z",
        "2015-04-27T08:23:49",
        "2015-04-27T08:23:49.000Z",
        "2015-4-27T08:23:490Z",
        "2015-13-27T08:23:49Z",
        "2015-04-27T24:00:00Z",
        "２０15-04-27T08:23:49Z",
    ],
)
def test_parse_timestamp_rejects_anything_but_the_exact_shape(text: str) -> None:
    with pytest.raises(ValueError, match=r"timestamp|date"):
        parse_timestamp(text)


def test_authorization_header_parses_what_the_signer_writes() -> None:
    value = signed(list_request(), BceV1Signer(headers_to_sign=("host", "x-bce-date")))
    parsed = AuthorizationHeader.parse(value)
    assert parsed == AuthorizationHeader(
        AK,
        VPN_DATE,
        1800,
        ("host", "x-bce-date"),
        "d6c2b27da22c22801db39ffe18f13b4db6bad02208a38f11a930dda4c8d6dc51",
    )


def test_authorization_header_with_an_empty_slot_has_no_signed_headers() -> None:
    assert AuthorizationHeader.parse(signed(bind_request())).signed_headers == ()


@pytest.mark.parametrize(
    "value",
    [
        f"bce-auth-v2/{AK}/{VPN_DATE}/1800//" + "0" * 64,
        f"bce-auth-v1/{AK}/{VPN_DATE}/1800/" + "0" * 64,
        f"bce-auth-v1//{VPN_DATE}/1800//" + "0" * 64,
        f"bce-auth-v1/{AK}/yesterday/1800//" + "0" * 64,
        f"bce-auth-v1/{AK}/{VPN_DATE}/-5//" + "0" * 64,
        f"bce-auth-v1/{AK}/{VPN_DATE}/1800/host;;x-bce-date/" + "0" * 64,
        f"bce-auth-v1/{AK}/{VPN_DATE}/1800//" + "0" * 63,
        f"bce-auth-v1/{AK}/{VPN_DATE}/1800//" + "G" * 64,
    ],
)
def test_authorization_header_rejects_a_bad_shape(value: str) -> None:
    with pytest.raises(ValueError, match=r"authorization|timestamp"):
        AuthorizationHeader.parse(value)


# -- the signer ----------------------------------------------------------------------------------


def test_bce_v1_signer_is_a_signer() -> None:
    assert isinstance(BceV1Signer(), Signer)


def test_signer_signs_a_valueless_query_flag_as_key_equals() -> None:
    bare = httpx.Request("PUT", "https://h/v1/vpn/v?unbind&clientToken=t")
    expected = compute_signature(
        secret_access_key=SK,
        access_key_id=AK,
        timestamp=VPN_DATE,
        expiration=1800,
        method="PUT",
        path="/v1/vpn/v",
        query=[("unbind", ""), ("clientToken", "t")],
        headers=[("host", "h"), ("x-bce-date", VPN_DATE), ("content-length", "0")],
        signed_names=None,
    )
    assert signed(bare).endswith("//" + expected)


def test_signer_reads_a_plus_in_the_query_as_a_space_like_httpx_writes_it() -> None:
    request = httpx.Request("GET", "https://h/v1/x", params={"a b": "c+d e"})
    assert request.url.query == b"a+b=c%2Bd+e"
    expected = compute_signature(
        secret_access_key=SK,
        access_key_id=AK,
        timestamp=VPN_DATE,
        expiration=1800,
        method="GET",
        path="/v1/x",
        query=[("a b", "c+d e")],
        headers=[("host", "h"), ("x-bce-date", VPN_DATE)],
        signed_names=None,
    )
    assert signed(request).endswith("//" + expected)


def test_signer_reads_a_second_equals_sign_in_a_parameter_as_part_of_its_value() -> None:
    raw = httpx.Request("GET", "https://h/v1/x?a=b=c&d")
    escaped = httpx.Request("GET", "https://h/v1/x?a=b%3Dc&d=")
    assert signed(raw) == signed(escaped)


def test_signer_signs_the_same_path_however_it_is_percent_encoded() -> None:
    plain = httpx.Request("GET", "https://h/v1/~x/%E6%B5%8B")
    escaped = httpx.Request("GET", "https://h/v1/%7ex/%e6%b5%8b")
    assert signed(plain) == signed(escaped)


def test_signer_leaves_out_an_authorization_query_parameter() -> None:
    with_param = httpx.Request("GET", "https://h/v1/x?a=1&AUTHORIZATION=zzz")
    without = httpx.Request("GET", "https://h/v1/x?a=1")
    assert signed(with_param) == signed(without)


def test_re_signing_a_request_replaces_its_date_and_authorization() -> None:
    request = list_request()
    first = signed(request, timestamp=VPN_TS)
    second = signed(request, timestamp=VPN_TS + 60)
    assert first != second
    assert request.headers.get_list("authorization") == [second]
    assert request.headers.get_list("x-bce-date") == ["2015-08-11T04:18:29Z"]


def test_signer_with_a_header_list_puts_the_sorted_lower_case_names_in_the_slot() -> None:
    signer = BceV1Signer(headers_to_sign=("X-Bce-Date", "Host", "host"))
    assert AuthorizationHeader.parse(signed(list_request(), signer)).signed_headers == (
        "host",
        "x-bce-date",
    )


def test_signer_uses_its_expiration() -> None:
    value = signed(list_request(), BceV1Signer(expiration_seconds=3600))
    assert AuthorizationHeader.parse(value).expiration == 3600


def test_one_signer_keeps_signing_correctly_for_alternating_credentials_and_times() -> None:
    other = Credentials("c" * 32, "d" * 32)
    signer = BceV1Signer()
    for timestamp in (VPN_TS, VPN_TS + 1, VPN_TS):
        for creds in (CREDS, other, CREDS):
            assert signed(list_request(), signer, credentials=creds, timestamp=timestamp) == (
                signed(list_request(), BceV1Signer(), credentials=creds, timestamp=timestamp)
            )


@pytest.mark.parametrize("headers", [(), ("host", ""), ("host", "x;y"), ("authorization",)])
def test_signer_rejects_a_header_list_it_cannot_write(headers: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="headers_to_sign"):
        BceV1Signer(headers_to_sign=headers)


@pytest.mark.parametrize("expiration", [0, -1, True])
def test_signer_rejects_an_expiration_that_is_not_a_positive_int(expiration: int) -> None:
    with pytest.raises(ValueError, match="expiration_seconds"):
        BceV1Signer(expiration_seconds=expiration)


def test_signer_is_an_immutable_value() -> None:
    signer = BceV1Signer()
    assert signer == BceV1Signer()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        signer.expiration_seconds = 60  # type: ignore[misc]


# -- STS ---------------------------------------------------------------------------------------


def test_sts_signer_sends_the_session_token() -> None:
    request = list_request()
    signed(request, credentials=Credentials(AK, SK, "token-1"))
    assert request.headers["x-bce-security-token"] == "token-1"


def test_sts_session_token_is_covered_by_the_signature() -> None:
    request = list_request()
    value = signed(request, credentials=Credentials(AK, SK, "token-1"))
    headers = [(k, v) for k, v in request.headers.multi_items() if k != "authorization"]
    common = {
        "secret_access_key": SK,
        "access_key_id": AK,
        "timestamp": VPN_DATE,
        "expiration": 1800,
        "method": "GET",
        "path": "/v1/vpn",
        "query": [("marker", "vpn-IyWRtII7"), ("maxKeys", "10"), ("vpcId", "vpc-IyWRtII7")],
        "signed_names": None,
    }
    with_token = compute_signature(headers=headers, **common)  # type: ignore[arg-type]
    tampered = [(k, "token-2" if k == "x-bce-security-token" else v) for k, v in headers]
    assert value.endswith("//" + with_token)
    assert compute_signature(headers=tampered, **common) != with_token  # type: ignore[arg-type]


def test_sts_token_is_signed_even_with_a_header_list_that_names_it() -> None:
    signer = BceV1Signer(headers_to_sign=("host", "x-bce-date", "x-bce-security-token"))
    a = signed(list_request(), signer, credentials=Credentials(AK, SK, "token-1"))
    b = signed(list_request(), signer, credentials=Credentials(AK, SK, "token-2"))
    assert AuthorizationHeader.parse(a).signature != AuthorizationHeader.parse(b).signature


def test_signing_without_a_session_token_removes_a_stale_one() -> None:
    request = list_request()
    signed(request, credentials=Credentials(AK, SK, "expired-token"))
    signed(request, credentials=CREDS)
    assert "x-bce-security-token" not in request.headers
    assert request.headers["Authorization"] == signed(list_request())


# -- the official SDK as an oracle ---------------------------------------------------------------

_PATH_SAFE = "!$&'()*+,;=:@~"  # characters a path may carry unescaped
_QUERY_SAFE = "!$'()*,;:@/?~"  # as above for a query, minus & = + #
_TOKEN = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from("/?#%&=+ ;:é测😀"), max_size=12
)
_HEADER_VALUE = st.text(st.characters(min_codepoint=32, max_codepoint=126) | st.just("\t"))


@attrs.frozen
class _Case:
    method: str
    url: str
    path: str  # decoded
    params: dict[str, str]  # decoded, without the authorization parameter
    headers: dict[str, str]
    listed: tuple[str, ...] | None
    timestamp: float
    expiration: int
    secret: str
    token: str | None


def _random_case(draw: st.DrawFn, name: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return "".join(c.upper() if flip else c for c, flip in zip(name, flips, strict=True))


def _wire_query(draw: st.DrawFn, params: dict[str, str]) -> str:
    safe = "".join(draw(st.lists(st.sampled_from(_QUERY_SAFE), unique=True)))
    parts = []
    for key, value in params.items():
        # A space goes out as "+" (httpx's way) or "%20"; an empty value as "k=" or a bare "k".
        enc = quote_plus if draw(st.booleans()) else quote
        if not value and draw(st.booleans()):
            parts.append(enc(key, safe=safe))
        else:
            parts.append(enc(key, safe=safe) + "=" + enc(value, safe=safe))
    auth_param = draw(st.none() | st.sampled_from(["authorization", "Authorization"]))
    if auth_param:
        parts.insert(draw(st.integers(0, len(parts))), f"{auth_param}=x")
    return "&".join(parts)


@st.composite
def _cases(draw: st.DrawFn) -> _Case:
    segments = draw(
        st.lists(_TEXT.filter(lambda s: "/" not in s and s not in (".", "..")), max_size=4)
    )
    path = "/" + "/".join(segments)
    path_safe = "/" + "".join(draw(st.lists(st.sampled_from(_PATH_SAFE), unique=True)))
    params = draw(
        st.dictionaries(
            _TEXT.filter(lambda k: k and k.lower() != "authorization"), _TEXT, max_size=5
        )
    )
    host = draw(st.sampled_from(["bcc.bj.baidubce.com", "127.0.0.1:8080", "h"]))
    url = f"https://{host}{quote(path, safe=path_safe)}"
    query = _wire_query(draw, params)
    if query:
        url += "?" + query

    names = ["host", "content-type", "content-length", "content-md5", "accept", "x-bce-date"]
    names += [f"x-bce-{t}" for t in draw(st.lists(_TOKEN, max_size=3))]
    names += [f"x-{t}" for t in draw(st.lists(_TOKEN, max_size=2))]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=6))
    headers = {}
    for name in chosen:
        padding = draw(st.sampled_from(["", " ", "\t ", "  "]))
        headers[_random_case(draw, name)] = padding + draw(_HEADER_VALUE) + padding
    listed = draw(
        st.none()
        | st.lists(st.sampled_from([*chosen, "host", "x-bce-date", "content-md5"]), min_size=1)
    )
    return _Case(
        method=draw(st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"])),
        url=url,
        path=path,
        params=params,
        headers=headers,
        listed=None if listed is None else tuple(_random_case(draw, n) for n in listed),
        timestamp=draw(st.integers(1, 4_000_000_000)) + draw(st.floats(0, 0.99)),
        expiration=draw(st.integers(1, 10**6)),
        # Credentials refuse control characters and surrounding white space.
        secret=draw(
            st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(
                lambda s: s == s.strip()
            )
        ),
        token=draw(st.none() | st.text("abcdefXYZ0123456789+/=", min_size=1)),
    )


def _official_authorization(case: _Case, request: httpx.Request) -> str:
    sent = {k: v for k, v in request.headers.raw if k.lower() != b"authorization"}
    names = None if case.listed is None else sorted({n.lower().encode() for n in case.listed})
    if names is not None:
        # The official signer adds every x-bce-* header to a list; show it only the listed ones.
        sent = {k: v for k, v in sent.items() if k.strip().lower() in names}
    authorization: bytes = bce_v1_signer.sign(
        BceCredentials(AK, case.secret),
        request.method.encode(),
        normalize_string(case.path, False),  # it signs the path as given, so give it encoded
        sent,
        case.params,
        int(case.timestamp),
        case.expiration,
        names,
    )
    return authorization.decode()


@settings(max_examples=300, deadline=None)
@given(_cases())
def test_signer_and_compute_signature_agree_with_the_official_sdk_signer(case: _Case) -> None:
    request = httpx.Request(case.method, case.url, headers=case.headers)
    # The oracle only means something if the wire carries the case's path and parameters.
    wire_path, _, wire_query = request.url.raw_path.partition(b"?")
    assert unquote_to_bytes(wire_path) == case.path.encode()
    sent_params = parse_qsl(wire_query.decode(), keep_blank_values=True)
    assert {k: v for k, v in sent_params if k.lower() != "authorization"} == case.params

    signer = BceV1Signer(expiration_seconds=case.expiration, headers_to_sign=case.listed)
    signer.sign(request, Credentials(AK, case.secret, case.token), case.timestamp)
    expected = _official_authorization(case, request)
    assert request.headers["Authorization"] == expected

    signature = compute_signature(
        secret_access_key=case.secret,
        access_key_id=AK,
        timestamp=format_timestamp(case.timestamp),
        expiration=case.expiration,
        method=case.method,
        path=case.path,
        query=[*case.params.items(), ("Authorization", "ignored")],
        headers=[(k, v) for k, v in request.headers.multi_items() if k != "authorization"],
        signed_names=case.listed,
    )
    assert expected.endswith("/" + signature)
