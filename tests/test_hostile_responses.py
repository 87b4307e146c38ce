"""Bad answers from the server: each one becomes a typed ``BceError`` subclass.

Whatever comes back (garbage, truncated or deeply nested JSON, the wrong shape, an HTML
page from a proxy, a redirect, a mislabelled encoding, an unknown status), the caller
sees the exact error class with the status and the request id the response carried,
and a short readable message; never a KeyError, TypeError, json or cattrs error.
Retries run on a ``FakeClock``, so a case that exhausts them takes no real time.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx
from mocked import HOST, mocked_client

from bce_vpn_async import (
    AsyncVpnClient,
    BceAuthError,
    BceConflictError,
    BceError,
    BceNotFoundError,
    BceResponseError,
    BceServerError,
    BceThrottledError,
    Billing,
    ClientConfig,
    SslVpnUserSpec,
    VpnPage,
)
from bce_vpn_async.testing import FakeClock

REQUEST_ID = "req-hostile-1"
SECRET = "Sup3r!secret"

Call = Callable[[AsyncVpnClient], Awaitable[Any]]
Respond = Callable[[], httpx.Response]


def get_vpn(client: AsyncVpnClient) -> Awaitable[Any]:
    return client.get_vpn("vpn-1")


def list_vpns(client: AsyncVpnClient) -> Awaitable[Any]:
    return client.list_vpns("vpc-1")


def get_vpn_conn(client: AsyncVpnClient) -> Awaitable[Any]:
    return client.get_vpn_conn("vpn-1")


def get_vpn_ssl_user(client: AsyncVpnClient) -> Awaitable[Any]:
    return client.get_vpn_ssl_user("vpn-1")


def get_vpn_sslservice(client: AsyncVpnClient) -> Awaitable[Any]:
    return client.get_vpn_sslservice("vpn-1")


def create_vpn_sslusers(client: AsyncVpnClient) -> Awaitable[Any]:
    return client.create_vpn_sslusers("vpn-1", sslusers=[SslVpnUserSpec("user1", "Passw0rd!")])


def delete_vpn(client: AsyncVpnClient) -> Awaitable[Any]:
    return client.delete_vpn("vpn-1")


def raw(
    status: int,
    content: bytes | str = b"",
    *,
    request_id: str | None = REQUEST_ID,
    headers: dict[str, str] | None = None,
) -> Respond:
    """A response with exactly these bytes; the request id header unless told otherwise."""
    body = content.encode() if isinstance(content, str) else content
    all_headers = dict(headers or {})
    if request_id is not None:
        all_headers["x-bce-request-id"] = request_id
    return lambda: httpx.Response(status, content=body, headers=all_headers)


def as_json(status: int, data: Any, **kwargs: Any) -> Respond:
    return raw(status, json.dumps(data), **kwargs)


def bce_error(status: int, code: str, message: str = "m", **kwargs: Any) -> Respond:
    return as_json(status, {"code": code, "message": message, "requestId": REQUEST_ID}, **kwargs)


class _NotGzip(httpx.AsyncByteStream):
    """A body labelled gzip that is not: what a misconfigured proxy sends."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"this is not gzip data"


def mislabelled_gzip(status: int) -> Respond:
    return lambda: httpx.Response(
        status,
        headers={"content-encoding": "gzip", "x-bce-request-id": REQUEST_ID},
        stream=_NotGzip(),
    )


HTML_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
DEEP = "[" * 100_000 + "]" * 100_000
# About 5 MB: a list page whose items are not objects. It must fail on the first item
# rather than walk (or hang on) the rest.
OVERSIZED_PAGE = '{"vpns": [' + "1," * (5 * 1024 * 1024 // 2) + "1]}"
TUNNEL = {
    "vpnConnId": "vpnconn-1",
    "secretKey": SECRET,
    "ikeConfig": {"ikeVersion": "v1", "ikeMode": "main", "ikeEncAlg": "aes", "ikePfs": "group2"},
    "ipsecConfig": {"ipsecEncAlg": "aes", "ipsecAuthAlg": "sha1"},
}

ANY_CODE: Any = object()
FAST_RETRIES = ClientConfig(transport="httpx", clock=FakeClock())
NO_RETRIES = ClientConfig(transport="httpx", clock=FakeClock(), retry=None)


def case(
    name: str,
    respond: Respond,
    error: type[BceServerError],
    status: int,
    *,
    call: Call = get_vpn,
    request_id: str | None = REQUEST_ID,
    code: str | None = ANY_CODE,
    attempts: int = 1,
    config: ClientConfig = FAST_RETRIES,
    not_in_message: tuple[str, ...] = (),
) -> Any:
    return pytest.param(
        respond,
        call,
        error,
        status,
        request_id,
        code,
        attempts,
        config,
        not_in_message,
        id=name,
    )


CASES = [
    # -- 2xx bodies that are not JSON, or not whole --------------------------------------
    case("200 with a plain-text body", raw(200, "OK"), BceResponseError, 200),
    case("200 with truncated JSON", raw(200, '{"vpnId": "vpn-1", "sta'), BceResponseError, 200),
    case(
        "200 with an HTML page from a proxy",
        raw(200, HTML_PAGE, headers={"content-type": "text/html"}),
        BceResponseError,
        200,
        not_in_message=("<html", "nginx"),
    ),
    case(
        "200 with invalid UTF-8 inside a JSON string",
        raw(200, b'{"vpnId": "vpn-\xff\xfe"}'),
        BceResponseError,
        200,
    ),
    case("200 with JSON nested 100000 deep", raw(200, DEEP), BceResponseError, 200),
    case(
        "200 with a body labelled gzip that is not",
        mislabelled_gzip(200),
        BceResponseError,
        200,
    ),
    case(
        "200 with an empty body where the gateway belongs",
        raw(200, b""),
        BceResponseError,
        200,
    ),
    case("204 with no body where the gateway belongs", raw(204), BceResponseError, 204),
    # -- JSON of the wrong shape ---------------------------------------------------------
    case(
        "a JSON list where the gateway object belongs",
        as_json(200, [{"vpnId": "vpn-1"}]),
        BceResponseError,
        200,
    ),
    case("a JSON string at the top level", as_json(200, "vpn-1"), BceResponseError, 200),
    case("a JSON number at the top level", as_json(200, 42), BceResponseError, 200),
    case("a JSON null at the top level", raw(200, "null"), BceResponseError, 200),
    case("a JSON true at the top level", raw(200, "true"), BceResponseError, 200),
    case(
        "a JSON list where a no-content result's object belongs",
        as_json(200, [1, 2]),
        BceResponseError,
        200,
        call=delete_vpn,
    ),
    case("vpnId is a number", as_json(200, {"vpnId": 12345}), BceResponseError, 200),
    case(
        "the created gateway's id is missing",
        as_json(200, {"id": "vpn-1"}),
        BceResponseError,
        200,
        call=lambda c: c.create_vpn(
            "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
        ),
    ),
    case(
        "vpns is an object",
        as_json(200, {"vpns": {"vpnId": "vpn-1"}, "isTruncated": False}),
        BceResponseError,
        200,
        call=list_vpns,
    ),
    case(
        "isTruncated is a word other than true or false",
        as_json(200, {"vpns": [], "isTruncated": "maybe"}),
        BceResponseError,
        200,
        call=list_vpns,
    ),
    case(
        "bandwidthInMbps is not a number",
        as_json(200, {"vpnId": "vpn-1", "bandwidthInMbps": "abc"}),
        BceResponseError,
        200,
    ),
    case(
        "bandwidthInMbps is NaN",
        raw(200, '{"vpnId": "vpn-1", "bandwidthInMbps": NaN}'),
        BceResponseError,
        200,
    ),
    case(
        "vpnConnNum has more digits than Python reads",
        raw(200, '{"vpnId": "vpn-1", "vpnConnNum": ' + "9" * 5000 + "}"),
        BceResponseError,
        200,
    ),
    case(
        "tags is a string",
        as_json(200, {"vpnId": "vpn-1", "tags": "team=net"}),
        BceResponseError,
        200,
    ),
    case(
        "a tag without its value",
        as_json(200, {"vpnId": "vpn-1", "tags": [{"tagKey": "team"}]}),
        BceResponseError,
        200,
    ),
    case(
        "sslVpnServer is a string",
        as_json(200, {"vpnId": "vpn-1", "sslVpnServer": "sslvpn-1"}),
        BceResponseError,
        200,
    ),
    case(
        "deleteProtect is a number",
        as_json(200, {"vpnId": "vpn-1", "deleteProtect": 2}),
        BceResponseError,
        200,
    ),
    case(
        "ikeConfig is a list",
        as_json(200, {"vpnConns": [{**TUNNEL, "ikeConfig": ["v1", "main"]}]}),
        BceResponseError,
        200,
        call=get_vpn_conn,
        not_in_message=(SECRET,),
    ),
    case(
        "a lifetime that is not seconds, next to a pre-shared key",
        as_json(
            200,
            {
                "vpnConns": [
                    {**TUNNEL, "ipsecConfig": {**TUNNEL["ipsecConfig"], "ipsecLifetime": "forever"}}
                ]
            },
        ),
        BceResponseError,
        200,
        call=get_vpn_conn,
        not_in_message=(SECRET, "forever"),
    ),
    case(
        "secretKey is a number",
        as_json(200, {"vpnConns": [{**TUNNEL, "secretKey": 12345678}]}),
        BceResponseError,
        200,
        call=get_vpn_conn,
        not_in_message=("12345678",),
    ),
    case(
        "vpnConns holds a number",
        as_json(200, {"vpnConns": [TUNNEL, 1]}),
        BceResponseError,
        200,
        call=get_vpn_conn,
    ),
    case(
        "a tunnel without its id, nested in a gateway",
        as_json(200, {"vpnId": "vpn-1", "vpnConns": [{"secretKey": SECRET}]}),
        BceResponseError,
        200,
        not_in_message=(SECRET,),
    ),
    case(
        "localSubnets holds numbers",
        as_json(200, {"vpnConns": [{**TUNNEL, "localSubnets": [10, 0, 0, 0]}]}),
        BceResponseError,
        200,
        call=get_vpn_conn,
    ),
    case(
        "sslVpnUserIds is a string",
        as_json(200, {"sslVpnUserIds": "vpn-ssl-user-1"}),
        BceResponseError,
        200,
        call=create_vpn_sslusers,
    ),
    case(
        "a user page's items are strings",
        as_json(200, {"sslVpnUsers": ["user1"], "isTruncated": False}),
        BceResponseError,
        200,
        call=get_vpn_ssl_user,
    ),
    case(
        "localSubnets of the SSL service is an object",
        as_json(200, {"sslVpnServerId": "sslvpn-1", "localSubnets": {"a": "10.0.0.0/8"}}),
        BceResponseError,
        200,
        call=get_vpn_sslservice,
    ),
    case(
        "5 MB of array elements in a list page",
        raw(200, OVERSIZED_PAGE),
        BceResponseError,
        200,
        call=list_vpns,
    ),
    # -- error responses that are not the BCE shape ----------------------------------------
    case(
        "502 with an HTML page from a proxy, after every retry",
        raw(502, HTML_PAGE, headers={"content-type": "text/html"}, request_id=None),
        BceResponseError,
        502,
        request_id=None,
        attempts=4,
        not_in_message=("<html", "nginx"),
    ),
    case(
        "400 with invalid UTF-8 in the error body",
        raw(400, b'{"code": "BadRequest", "message": "\xff\xfe"}'),
        BceResponseError,
        400,
    ),
    case("400 with a truncated error body", raw(400, '{"code": "Bad'), BceResponseError, 400),
    case(
        "400 with an error body nested 100000 deep",
        raw(400, DEEP),
        BceResponseError,
        400,
    ),
    case(
        "400 with a JSON list as the error body",
        as_json(400, [{"code": "BadRequest"}]),
        BceResponseError,
        400,
    ),
    case(
        "502 with a body labelled gzip that is not",
        mislabelled_gzip(502),
        BceResponseError,
        502,
    ),
    case(
        "an error body with a code and no message",
        as_json(404, {"code": "NoSuchObject"}),
        BceNotFoundError,
        404,
        code="NoSuchObject",
    ),
    case(
        "an error body whose fields have the wrong types",
        as_json(400, {"code": 123, "message": ["bad"], "requestId": 5}, request_id=None),
        BceServerError,
        400,
        request_id=None,
        code=None,
    ),
    case(
        "an error body that is an empty object",
        as_json(400, {}),
        BceServerError,
        400,
        code=None,
    ),
    # -- request ids -----------------------------------------------------------------------
    case(
        "no request id anywhere",
        raw(404, request_id=None),
        BceNotFoundError,
        404,
        request_id=None,
        code=None,
    ),
    case(
        "the request id only in the error body",
        as_json(
            404, {"code": "NoSuchObject", "message": "m", "requestId": "body-id"}, request_id=None
        ),
        BceNotFoundError,
        404,
        request_id="body-id",
        code="NoSuchObject",
    ),
    case(
        "the header's request id wins over the body's",
        as_json(404, {"code": "NoSuchObject", "message": "m", "requestId": "body-id"}),
        BceNotFoundError,
        404,
        code="NoSuchObject",
    ),
    case(
        "a request id header that is not UTF-8",
        lambda: httpx.Response(
            404, headers=[(b"x-bce-request-id", b"\xff\xfe")], json={"code": "NoSuchObject"}
        ),
        BceNotFoundError,
        404,
        request_id="\xff\xfe",
        code="NoSuchObject",
    ),
    # -- redirects are answers, never followed ---------------------------------------------
    case(
        "302 to another host",
        raw(302, headers={"location": "http://evil.example/v1/vpn/vpn-1"}),
        BceServerError,
        302,
        code=None,
    ),
    case(
        "301 to another path on the same host",
        raw(301, headers={"location": f"https://{HOST}/v1/vpn/vpn-2"}),
        BceServerError,
        301,
        code=None,
    ),
    case(
        "307 on a write",
        raw(307, headers={"location": f"https://{HOST}/v1/vpn"}),
        BceServerError,
        307,
        code=None,
        call=delete_vpn,
    ),
    # -- unknown statuses ------------------------------------------------------------------
    case("418 with a BCE body", bce_error(418, "Teapot"), BceServerError, 418, code="Teapot"),
    case("599 with no body", raw(599), BceServerError, 599, code=None),
    case("999 with a BCE body", bce_error(999, "Odd"), BceServerError, 999, code="Odd"),
    # -- the documented errors, typed ------------------------------------------------------
    case(
        "404 NoSuchObject",
        bce_error(404, "NoSuchObject", "The specified object is not found"),
        BceNotFoundError,
        404,
        code="NoSuchObject",
    ),
    case(
        "409 OperationDenied",
        bce_error(409, "OperationDenied", "the gateway is building"),
        BceConflictError,
        409,
        code="OperationDenied",
        call=delete_vpn,
    ),
    case(
        "403 SignatureDoesNotMatch",
        bce_error(403, "SignatureDoesNotMatch"),
        BceAuthError,
        403,
        code="SignatureDoesNotMatch",
    ),
    case(
        "400 SignatureDoesNotMatch",
        bce_error(400, "SignatureDoesNotMatch"),
        BceAuthError,
        400,
        code="SignatureDoesNotMatch",
    ),
    case("401 with no body", raw(401), BceAuthError, 401, code=None),
    case(
        "400 RequestExpired twice, with an absurd Date",
        bce_error(400, "RequestExpired", headers={"date": "Fri, 31 Dec 9999 23:59:59 GMT"}),
        BceAuthError,
        400,
        code="RequestExpired",
        attempts=2,
    ),
    case(
        "429 with retries disabled",
        bce_error(429, "RequestLimitExceeded"),
        BceThrottledError,
        429,
        code="RequestLimitExceeded",
        config=NO_RETRIES,
    ),
    case(
        "429 after every retry",
        raw(429, headers={"retry-after": "1"}),
        BceThrottledError,
        429,
        code=None,
        attempts=4,
    ),
    case(
        "500 after every retry",
        bce_error(500, "InternalError", "We encountered an internal error"),
        BceServerError,
        500,
        code="InternalError",
        attempts=4,
    ),
    case(
        "503 with an infinite Retry-After, after every retry",
        raw(503, headers={"retry-after": "1e999"}),
        BceServerError,
        503,
        code=None,
        attempts=4,
    ),
    case(
        "503 asking to retry in the year 9999",
        raw(503, headers={"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"}),
        BceServerError,
        503,
        code=None,
    ),
]


def _assert_readable(error: BceServerError, not_in_message: tuple[str, ...]) -> None:
    text = str(error)
    assert text.startswith(f"[{error.status_code}")
    assert f"request id: {error.request_id}" in text
    assert text.isprintable()
    assert len(text) < 300, text
    for fragment in not_in_message:
        assert fragment not in text
        assert fragment not in repr(error)


@pytest.mark.parametrize(
    (
        "respond",
        "call",
        "error",
        "status",
        "request_id",
        "code",
        "attempts",
        "config",
        "not_in_message",
    ),
    CASES,
)
async def test_a_hostile_response_becomes_the_typed_error_with_status_and_request_id(
    mock: respx.MockRouter,
    respond: Respond,
    call: Call,
    error: type[BceServerError],
    status: int,
    request_id: str | None,
    code: str | None,
    attempts: int,
    config: ClientConfig,
    not_in_message: tuple[str, ...],
) -> None:
    route = mock.route().mock(side_effect=lambda request: respond())
    async with mocked_client(config) as client:
        with pytest.raises(BceError) as info:
            await call(client)
    raised = info.value
    assert type(raised) is error, repr(raised)
    assert isinstance(raised, BceServerError)
    assert raised.status_code == status
    assert raised.request_id == request_id
    if code is not ANY_CODE:
        assert raised.code == code
    assert route.call_count == attempts
    _assert_readable(raised, not_in_message)


def test_the_table_has_at_least_25_cases() -> None:
    assert len(CASES) >= 25


async def test_a_redirect_is_never_followed(mock: respx.MockRouter) -> None:
    route = mock.route().respond(302, headers={"location": "http://evil.example/steal"})
    async with mocked_client(FAST_RETRIES) as client:
        with pytest.raises(BceServerError):
            await client.get_vpn("vpn-1")
    assert route.call_count == 1
    assert mock.calls.last.request.url.host == HOST


async def test_an_unknown_2xx_status_with_a_good_body_is_a_success(
    mock: respx.MockRouter,
) -> None:
    mock.route().respond(299, json={"vpnId": "vpn-1"}, headers={"x-bce-request-id": "r"})
    async with mocked_client(FAST_RETRIES) as client:
        vpn = await client.get_vpn("vpn-1")
    assert vpn.vpn_id == "vpn-1"
    assert vpn.metadata.status_code == 299


async def test_a_five_megabyte_page_of_gateways_parses(mock: respx.MockRouter) -> None:
    # Few large items rather than many small ones: the point is the body's size, and
    # building a quarter of a million models would make the test slow, not stronger.
    count = 5 * 1024
    page = {
        "vpns": [{"vpnId": f"vpn-{i}", "description": "d" * 1000} for i in range(count)],
        "isTruncated": False,
    }
    body = json.dumps(page).encode()
    assert len(body) > 5 * 1024 * 1024
    mock.route().respond(200, content=body)
    async with mocked_client(FAST_RETRIES) as client:
        result = await client.list_vpns("vpc-1")
    assert isinstance(result, VpnPage)
    assert len(result.vpns) == count


async def test_a_response_error_keeps_the_parse_failure_as_its_cause(
    mock: respx.MockRouter,
) -> None:
    mock.route().respond(200, content=b"{not json")
    async with mocked_client(FAST_RETRIES) as client:
        with pytest.raises(BceResponseError) as info:
            await client.get_vpn("vpn-1")
    assert isinstance(info.value.__cause__, ValueError)


async def test_a_huge_service_message_is_cut_in_the_error() -> None:
    from bce_vpn_async._errors import MAX_MESSAGE, error_from_response

    response = httpx.Response(400, json={"code": "BadRequest", "message": "x" * 100_000})
    error = error_from_response(response)
    assert len(error.message) < MAX_MESSAGE + 50
    assert error.message.endswith("(100000 characters)")
