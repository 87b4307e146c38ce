"""Per-call overhead without a network: each step of a call, timed with timeit.

The bodies are real: an in-process emulator answers a ``get_vpn`` and a ``list_vpns`` of
1000 gateways, and those bytes and headers are what both SDKs parse. The official SDK's
steps are the ones its ``send_request`` runs around the socket: headers and URI, its
signer (twice per request: once before its retry loop and again inside it), then the
response headers into ``BceResponse.metadata`` and ``handler.parse_json`` (``json.loads``
with ``dict_to_python_object`` as the object hook, which is its whole structuring).

Times are the median of several timeit repeats, in microseconds per call.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

from common import AK, SK

VPC = "vpc-bench"
ENDPOINT = "http://bcc.bj.baidubce.com"


def _per_call(function: Callable[[], object], *, repeat: int, budget: float) -> float:
    """Median microseconds of CPU per call over ``repeat`` runs of about ``budget`` seconds
    each. CPU time, not wall time: another process sharing the core does not count."""
    timer = timeit.Timer(function, timer=time.process_time)
    number, _ = timer.autorange()
    number = max(1, int(number * budget / 0.2))
    return statistics.median(timer.repeat(repeat=repeat, number=number)) / number * 1e6


class _Captured:
    """Keeps the bytes and raw headers of the last response (a middleware)."""

    def __init__(self) -> None:
        self.body = b""
        self.headers: list[tuple[bytes, bytes]] = []

    async def __call__(self, request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        self.body = response.content
        self.headers = list(response.headers.raw)
        return response


async def _bodies(gateways: int) -> dict[str, Any]:
    """Real answers from the in-process emulator: one gateway, and a page of them."""
    import httpx

    from bce_vpn_async import AsyncVpnClient, Billing, Credentials
    from bce_vpn_async.testing import VpnEmulator

    emulator = VpnEmulator(build_seconds=0.0, max_vpns_per_vpc=gateways, accounts={AK: SK})
    captured = _Captured()
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=Credentials(AK, SK),
            endpoint=ENDPOINT,
            http_client=http,
            middleware=[captured],
        ) as client,
    ):
        billing = Billing(payment_timing="Postpaid")
        ids = [
            (await client.create_vpn(VPC, vpn_name=f"gw{i}", billing=billing)).vpn_id
            for i in range(gateways)
        ]
        await client.get_vpn(ids[0])
        one = (captured.body, captured.headers)
        page = await client.list_vpns(VPC, max_keys=gateways)
        if len(page.vpns) != gateways:
            raise RuntimeError(f"expected a page of {gateways}, got {len(page.vpns)}")
        many = (captured.body, captured.headers)
    return {"vpn_id": ids[0], "get_vpn": one, "list_vpns": many}


def _sdk_steps(data: dict[str, Any], repeat: int, budget: float) -> dict[str, dict[str, float]]:
    import httpx

    from bce_vpn_async import AsyncVpnClient, Credentials
    from bce_vpn_async._converter import structure
    from bce_vpn_async._errors import REQUEST_ID_HEADER
    from bce_vpn_async._models import ResponseMetadata, Vpn, VpnPage
    from bce_vpn_async._operations import GET_VPN, LIST_VPNS, MAX_KEYS
    from bce_vpn_async._requests import RequestBuilder, lay_out, query_pair
    from bce_vpn_async._signing import BceV1Signer

    credentials = Credentials(AK, SK)
    engine = AsyncVpnClient(credentials=credentials, endpoint=ENDPOINT)._engine
    builder = RequestBuilder(ENDPOINT, engine._request_headers)
    signer = BceV1Signer()
    vpn_id = data["vpn_id"]
    cases = {
        "get_vpn": (GET_VPN, {"vpn_id": vpn_id}, Vpn),
        "list_vpns": (LIST_VPNS, {"vpc_id": VPC, "max_keys": 1000}, VpnPage),
    }
    results = {}
    for operation, (declared, given, model) in cases.items():
        body, raw_headers = data[operation]
        headers = httpx.Headers(raw_headers)
        # The method's locals: every parameter, None where the caller gave nothing.
        arguments = {param.name: None for param in declared.params} | given

        def build(declared: Any = declared, arguments: Any = arguments) -> Any:
            # What the client's engine does before the chain: lay the arguments out, then
            # make the request (a listing adds its page size as its paginator does).
            path, query, content = lay_out(declared, arguments, validate=True)
            if arguments.get("max_keys") is not None:
                query = [*query, query_pair(MAX_KEYS, str(arguments["max_keys"]))]
            return builder.build(declared.method, path, query, content)

        request = build()

        def sign(request: Any = request) -> None:
            signer.sign(request, credentials, time.time())

        def parse(body: bytes = body) -> Any:
            return json.loads(body)

        parsed = parse()

        def structured(parsed: Any = parsed, headers: Any = headers, model: Any = model) -> Any:
            metadata = ResponseMetadata(
                request_id=headers.get(REQUEST_ID_HEADER), status_code=200, headers=headers
            )
            return structure(parsed, model, metadata)

        steps = {
            "build": _per_call(build, repeat=repeat, budget=budget),
            "sign": _per_call(sign, repeat=repeat, budget=budget),
            "parse": _per_call(parse, repeat=repeat, budget=budget),
            "structure": _per_call(structured, repeat=repeat, budget=budget),
        }
        steps["total"] = sum(steps.values())
        results[operation] = steps
    return results


class _FakeHttpResponse:
    """What ``handler.parse_json`` reads from an ``http.client.HTTPResponse``."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self.status = 200

    def read(self) -> bytes:
        return self._body

    def close(self) -> None:
        pass


def _official_steps(
    data: dict[str, Any], repeat: int, budget: float
) -> dict[str, dict[str, float]]:
    import baidubce
    from baidubce import compat, utils
    from baidubce.auth import bce_v1_signer
    from baidubce.auth.bce_credentials import BceCredentials
    from baidubce.bce_response import BceResponse
    from baidubce.http import handler, http_headers, http_methods
    from baidubce.services.vpn.vpn_client import VpnClient

    credentials = BceCredentials(AK, SK)
    endpoint = b"bcc.bj.baidubce.com"
    vpn_id = data["vpn_id"]
    cases = {
        "get_vpn": (VpnClient.prefix + VpnClient.path + b"/" + vpn_id.encode(), None),
        "list_vpns": (VpnClient.prefix + VpnClient.path, {b"vpcId": VPC, b"maxKeys": 1000}),
    }
    results = {}
    for operation, (path, params) in cases.items():
        body, raw_headers = data[operation]
        header_list = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers]

        def build(path: bytes = path, params: Any = params) -> Any:
            # send_request's steps before its first signature, in its order.
            headers = {b"Accept": b"*/*", b"Content-Type": b"application/json;charset=utf-8"}
            version = compat.convert_to_string(baidubce.SDK_VERSION)
            agent = f"bce-sdk-python/{version}/{sys.version}/{sys.platform}"
            headers[http_headers.USER_AGENT] = compat.convert_to_bytes(agent.replace("\n", ""))
            headers[http_headers.CONTENT_LENGTH] = 0
            _, host, _ = utils.parse_host_port(endpoint, baidubce.protocol.HTTP)
            headers[http_headers.HOST] = host
            encoded = utils.get_canonical_querystring(params, False)
            uri = path + b"?" + encoded if encoded else path
            headers[http_headers.BCE_DATE] = utils.get_canonical_time()
            return headers, uri

        headers, _ = build()

        def sign_once(path: bytes = path, params: Any = params, headers: Any = headers) -> Any:
            return bce_v1_signer.sign(credentials, http_methods.GET, path, headers, params)

        def parse_and_structure(body: bytes = body, header_list: Any = header_list) -> Any:
            decoded = [
                (k.encode("latin-1").decode("utf-8").lower(), v.encode("latin-1").decode("utf-8"))
                for k, v in header_list
            ]
            response = BceResponse()
            response.set_metadata_from_headers(dict(decoded))
            handler.parse_json(_FakeHttpResponse(body), response)
            return response

        signed = _per_call(sign_once, repeat=repeat, budget=budget)
        steps = {
            "build": _per_call(build, repeat=repeat, budget=budget),
            "sign": 2 * signed,
            "parse+structure": _per_call(parse_and_structure, repeat=repeat, budget=budget),
        }
        steps["total"] = sum(steps.values())
        steps["sign_once"] = signed
        results[operation] = steps
    return results


def _signers(repeat: int, budget: float) -> dict[str, float]:
    """One signature of a get_vpn request: this SDK warm (same second) and cold (a new
    second every call, so nothing time-dependent is reused), the baselines' minimal signer
    alike, and the official signer."""
    import httpx
    from baidubce.auth import bce_v1_signer
    from baidubce.auth.bce_credentials import BceCredentials
    from baidubce.http import http_methods
    from raw_signer import RawSigner, get_headers

    from bce_vpn_async._credentials import Credentials
    from bce_vpn_async._signing import BceV1Signer

    credentials = Credentials(AK, SK)
    request = httpx.Request(
        "GET",
        "http://bcc.bj.baidubce.com/v1/vpn/vpn-abcdefgh",
        headers={"Content-Type": "application/json;charset=utf-8", "User-Agent": "ua/1.0"},
        content=b"",
    )
    request.headers["Content-Length"] = "0"
    signer = BceV1Signer()
    now = time.time()
    seconds = iter(range(int(now), int(now) + 10**9))

    official_credentials = BceCredentials(AK, SK)
    official_headers = {
        b"Host": b"bcc.bj.baidubce.com",
        b"Content-Type": b"application/json;charset=utf-8",
        b"User-Agent": b"ua/1.0",
        b"Content-Length": 0,
        b"Accept": b"*/*",
        b"x-bce-date": b"2026-01-01T00:00:00Z",
    }
    path = b"/v1/vpn/vpn-abcdefgh"
    raw = RawSigner(AK, SK)
    raw_headers = get_headers("bcc.bj.baidubce.com")
    raw_seconds = iter(range(int(now), int(now) + 10**9))

    def raw_sign(second: float) -> None:
        # A fresh dict, as the contenders sign one per request.
        raw.sign("GET", "/v1/vpn/vpn-abcdefgh", None, dict(raw_headers), second)

    return {
        "raw_same_second": _per_call(lambda: raw_sign(now), repeat=repeat, budget=budget),
        "raw_new_second": _per_call(
            lambda: raw_sign(float(next(raw_seconds))), repeat=repeat, budget=budget
        ),
        "sdk_same_second": _per_call(
            lambda: signer.sign(request, credentials, now), repeat=repeat, budget=budget
        ),
        "sdk_new_second": _per_call(
            lambda: signer.sign(request, credentials, float(next(seconds))),
            repeat=repeat,
            budget=budget,
        ),
        "official": _per_call(
            lambda: bce_v1_signer.sign(
                official_credentials, http_methods.GET, path, official_headers, None
            ),
            repeat=repeat,
            budget=budget,
        ),
    }


def _httpx_public(data: dict[str, Any], repeat: int, budget: float) -> dict[str, float]:
    """What httpx's public constructors cost on a get_vpn's path: parsing its URL, a
    request from an already parsed URL and shared headers (read at once), and the answer
    as a response read into memory (its real headers and body)."""
    import httpx

    vpn_id = data["vpn_id"]
    url = f"{ENDPOINT}/v1/vpn/{vpn_id}"
    parsed = httpx.URL(url)
    shared = httpx.Headers(
        {"Host": parsed.netloc.decode(), "Content-Type": "application/json", "User-Agent": "ua"}
    )
    body, raw_headers = data["get_vpn"]

    def request() -> None:
        httpx.Request("GET", parsed, headers=shared, stream=httpx.ByteStream(b"")).read()

    def response() -> None:
        httpx.Response(200, headers=raw_headers, stream=httpx.ByteStream(body)).read()

    return {
        "url": _per_call(lambda: httpx.URL(url), repeat=repeat, budget=budget),
        "request": _per_call(request, repeat=repeat, budget=budget),
        "response_read": _per_call(response, repeat=repeat, budget=budget),
    }


def run(*, quick: bool = False) -> dict[str, Any]:
    repeat, budget = (3, 0.05) if quick else (5, 0.1)
    data = asyncio.run(_bodies(1000))
    from stub import full_calls

    return {
        "sdk": _sdk_steps(data, repeat, budget),
        "official": _official_steps(data, repeat, budget),
        "signer": _signers(repeat, budget),
        "httpx_public": _httpx_public(data, repeat, budget),
        "full_call": full_calls(data["get_vpn"], repeat=repeat, budget=budget),
        "body_bytes": {"get_vpn": len(data["get_vpn"][0]), "list_vpns": len(data["list_vpns"][0])},
    }
