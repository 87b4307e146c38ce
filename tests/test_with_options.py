"""``client.with_options(...)``: a copy with other per-call options, sharing the pool."""

from __future__ import annotations

import gc
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bce_vpn_async import (
    AsyncVpnClient,
    BceClientError,
    BceServerError,
    BceValidationError,
    Billing,
    ClientConfig,
    RetryBudget,
    RetryPolicy,
)
from bce_vpn_async.testing import EmulatorServer, FakeClock, VpnEmulator

ENDPOINT = "http://vpn.emulator.test"
POSTPAID = Billing(payment_timing="Postpaid")


class Recorder:
    """A middleware that keeps each attempt's request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request, call_next: Any) -> httpx.Response:
        self.requests.append(request)
        response: httpx.Response = await call_next(request)
        return response


@pytest.fixture
def emulator() -> VpnEmulator:
    return VpnEmulator(clock=FakeClock(), build_seconds=0.0)


@pytest.fixture
async def http_client(emulator: VpnEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=emulator.transport()) as client:
        yield client


def make_client(
    emulator: VpnEmulator, http_client: httpx.AsyncClient, **config: Any
) -> AsyncVpnClient:
    return AsyncVpnClient(
        credentials=emulator.credentials,
        endpoint=ENDPOINT,
        config=ClientConfig(clock=emulator.clock, **config),
        http_client=http_client,
    )


async def test_a_copy_has_the_changed_options_and_the_original_keeps_its_own(
    emulator: VpnEmulator, http_client: httpx.AsyncClient
) -> None:
    async with make_client(emulator, http_client) as client:
        fast = client.with_options(timeout=5.0, retry=None, validate=False)
        assert (fast.config.timeout, fast.config.retry, fast.config.validate) == (5.0, None, False)
        assert client.config == ClientConfig(clock=emulator.clock)
        assert fast.endpoint == client.endpoint
        assert isinstance(fast, AsyncVpnClient)


async def test_options_left_out_are_kept_from_the_client_copied(
    emulator: VpnEmulator, http_client: httpx.AsyncClient
) -> None:
    policy = RetryPolicy(max_attempts=2)
    async with make_client(emulator, http_client, retry=policy, timeout=7.0) as client:
        copy = client.with_options(validate=False).with_options(headers={"x-bce-a": "1"})
        assert copy.config == ClientConfig(
            clock=emulator.clock, retry=policy, timeout=7.0, validate=False
        )


async def test_a_copys_timeout_is_the_one_its_requests_carry(emulator: VpnEmulator) -> None:
    recorder = Recorder()
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http_client,
        AsyncVpnClient(
            credentials=emulator.credentials,
            endpoint=ENDPOINT,
            config=ClientConfig(clock=emulator.clock, retry=None, timeout=30.0),
            http_client=http_client,
            middleware=[recorder],
        ) as client,
    ):
        await client.with_options(timeout=httpx.Timeout(2.0, connect=1.0)).list_vpns("vpc-1")
        await client.list_vpns("vpc-1")
    first, second = (request.extensions["timeout"] for request in recorder.requests)
    assert first == {"connect": 1.0, "read": 2.0, "write": 2.0, "pool": 2.0}
    assert second == {"connect": 30.0, "read": 30.0, "write": 30.0, "pool": 30.0}


async def test_a_copy_without_retries_fails_where_the_original_retries(
    emulator: VpnEmulator, http_client: httpx.AsyncClient
) -> None:
    async with make_client(emulator, http_client) as client:
        emulator.faults.add("error", op="list_vpns", status=503, times=1)
        with pytest.raises(BceServerError) as raised:
            await client.with_options(retry=None).list_vpns("vpc-1")
        assert raised.value.status_code == 503
        emulator.faults.add("error", op="list_vpns", status=503, times=1)
        await client.list_vpns("vpc-1")
    assert [entry.status for entry in emulator.requests] == [503, 503, 200]


async def test_a_copy_without_validation_sends_what_the_original_refuses(
    emulator: VpnEmulator, http_client: httpx.AsyncClient
) -> None:
    long_name = "g" * 100
    async with make_client(emulator, http_client) as client:
        with pytest.raises(BceValidationError, match="vpn_name"):
            await client.create_vpn("vpc-1", vpn_name=long_name, billing=POSTPAID)
        assert len(emulator.requests) == 0
        with pytest.raises(BceServerError) as raised:
            await client.with_options(validate=False).create_vpn(
                "vpc-1", vpn_name=long_name, billing=POSTPAID
            )
    assert raised.value.status_code == 400
    assert len(emulator.requests) == 1


async def test_a_copys_headers_go_with_every_request_of_the_copy_only() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"vpns": [], "isTruncated": False})

    emulator = VpnEmulator()
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http_client,
        make_client(emulator, http_client) as client,
    ):
        tagged = client.with_options(headers={"x-bce-trace": "t-1", "X-Team": "network"})
        await tagged.list_vpns("vpc-1")
        await client.list_vpns("vpc-1")
    tagged_request, plain_request = seen
    assert tagged_request.headers["x-bce-trace"] == "t-1"
    assert tagged_request.headers["x-team"] == "network"
    assert "x-bce-trace" not in plain_request.headers
    assert "x-team" not in plain_request.headers


class Tamper(httpx.AsyncBaseTransport):
    """Changes one header after the request was signed, then passes it on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, name: str) -> None:
        self._inner = inner
        self._name = name

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers[self._name] = "changed"
        return await self._inner.handle_async_request(request)


@pytest.mark.parametrize(("name", "status"), [("x-bce-trace", 400), ("X-Team", 200)])
async def test_a_copys_x_bce_headers_are_signed_as_the_signer_signs_any_header(
    emulator: VpnEmulator, name: str, status: int
) -> None:
    # bce-auth-v1's default rule signs x-bce-* headers, not others: changing a signed
    # header after signing breaks the signature.
    async with (
        httpx.AsyncClient(transport=Tamper(emulator.transport(), name)) as http_client,
        make_client(emulator, http_client, retry=None) as client,
    ):
        tagged = client.with_options(headers={name: "original"})
        if status == 200:
            await tagged.list_vpns("vpc-1")
        else:
            with pytest.raises(BceServerError, match="SignatureDoesNotMatch"):
                await tagged.list_vpns("vpc-1")
    assert [entry.status for entry in emulator.requests] == [status]


async def test_the_emulator_accepts_a_copys_signed_extra_headers(
    emulator: VpnEmulator, http_client: httpx.AsyncClient
) -> None:
    async with make_client(emulator, http_client) as client:
        await client.with_options(headers={"x-bce-trace": "t-1"}).list_vpns("vpc-1")
    (entry,) = emulator.requests
    assert (entry.status, entry.headers["x-bce-trace"]) == (200, "t-1")


async def test_a_copy_of_a_copy_adds_its_headers_and_replaces_same_named_ones() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"vpns": [], "isTruncated": False})

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http_client,
        make_client(VpnEmulator(), http_client) as client,
    ):
        first = client.with_options(headers={"X-Team": "network", "X-Stage": "one"})
        await first.with_options(headers={"x-stage": "two"}).list_vpns("vpc-1")
    (request,) = seen
    assert request.headers["x-team"] == "network"
    assert request.headers.get_list("x-stage") == ["two"]


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "host",
        "Content-Length",
        "content-type",
        "Transfer-Encoding",
        "X-Bce-Date",
        "x-bce-security-token",
    ],
)
async def test_headers_the_sdk_writes_are_refused(
    emulator: VpnEmulator, http_client: httpx.AsyncClient, name: str
) -> None:
    async with make_client(emulator, http_client) as client:
        with pytest.raises(BceValidationError, match="is written by the SDK") as raised:
            client.with_options(headers={name: "SECRET-VALUE"})
    assert "SECRET-VALUE" not in str(raised.value)


@pytest.mark.parametrize(
    "value", ["a\r\nX-Injected: 1", "line\nbreak", "nul\x00", "caf\u00e9", "tab\there"]
)
async def test_header_values_with_control_characters_or_outside_ascii_are_refused(
    emulator: VpnEmulator, http_client: httpx.AsyncClient, value: str
) -> None:
    async with make_client(emulator, http_client) as client:
        with pytest.raises(BceValidationError, match="control characters") as raised:
            client.with_options(headers={"X-Team": value})
    assert raised.value.field == "headers['X-Team']"
    assert value not in str(raised.value)


@pytest.mark.parametrize("name", ["", "X Team", "X-Team: secret", "x-\u00e9"])
async def test_header_names_that_are_not_tokens_are_refused_without_being_echoed(
    emulator: VpnEmulator, http_client: httpx.AsyncClient, name: str
) -> None:
    async with make_client(emulator, http_client) as client:
        with pytest.raises(BceValidationError, match="HTTP token") as raised:
            client.with_options(headers={name: "v"})
    assert raised.value.field == "headers"


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"timeout": -1.0}, ValueError),
        ({"timeout": "5"}, TypeError),
        ({"retry": 3}, TypeError),
        ({"validate": 1}, TypeError),
        ({"headers": [("X-Team", "a")]}, TypeError),
        ({"headers": {"X-Team": 1}}, TypeError),
    ],
)
async def test_a_wrong_option_is_refused_as_the_config_refuses_it(
    emulator: VpnEmulator, http_client: httpx.AsyncClient, options: dict[str, Any], error: type
) -> None:
    async with make_client(emulator, http_client) as client:
        with pytest.raises(error):
            client.with_options(**options)


async def test_a_copy_shares_the_retry_budgets_balance(
    emulator: VpnEmulator, http_client: httpx.AsyncClient
) -> None:
    # A balance of one retry, earning none: whoever spends it, the other has none left.
    budget = RetryBudget(ratio=0.0, min_per_second=0.1, window=10.0)
    policy = RetryPolicy(max_attempts=4, budget=budget)
    emulator.faults.add("error", op="list_vpns", status=503)
    async with make_client(emulator, http_client, retry=policy) as client:
        with pytest.raises(BceServerError):
            await client.with_options(timeout=5.0).list_vpns("vpc-1")
        assert len(emulator.requests) == 2  # the first attempt and the one retry
        with pytest.raises(BceServerError):
            await client.list_vpns("vpc-1")
        assert len(emulator.requests) == 3  # the balance is spent: no retry
        # A budget of its own is a balance of its own.
        own = RetryPolicy(budget=RetryBudget(ratio=0.0, min_per_second=0.2, window=5.0))
        with pytest.raises(BceServerError):
            await client.with_options(retry=own).list_vpns("vpc-1")
        assert len(emulator.requests) == 5


async def test_closing_a_copy_leaves_the_pool_open_and_closing_the_original_closes_it() -> None:
    emulator = VpnEmulator(build_seconds=0.0)
    with EmulatorServer(emulator) as server:
        client = AsyncVpnClient(credentials=server.credentials, endpoint=server.endpoint)
        async with client:
            async with client.with_options(timeout=5.0) as copy:
                await copy.list_vpns("vpc-1")
            with pytest.raises(BceClientError, match="this client is closed"):
                await copy.list_vpns("vpc-1")
            await client.list_vpns("vpc-1")  # the pool is still open
            later = client.with_options(retry=None)
            await later.list_vpns("vpc-1")
        with pytest.raises(BceClientError, match=r"made from \(with_options\) is closed"):
            await later.list_vpns("vpc-1")
        with pytest.raises(BceClientError, match="with_options"):
            await client.with_options(retry=None).list_vpns("vpc-1")
    assert [entry.status for entry in emulator.requests] == [200, 200, 200]


async def test_a_copy_used_first_opens_the_pool_that_its_original_then_closes() -> None:
    emulator = VpnEmulator(build_seconds=0.0)
    with EmulatorServer(emulator) as server:
        client = AsyncVpnClient(credentials=server.credentials, endpoint=server.endpoint)
        copy = client.with_options(timeout=5.0)
        await copy.list_vpns("vpc-1")
        await copy.aclose()
        await client.list_vpns("vpc-1")  # the copy opened the original's pool
        await client.aclose()
        await client.aclose()  # still safe twice
    assert len(emulator.requests) == 2


async def test_only_the_original_warns_when_left_open(
    emulator: VpnEmulator, http_client: httpx.AsyncClient
) -> None:
    client = make_client(emulator, http_client)
    copy = client.with_options(retry=None)
    await copy.list_vpns("vpc-1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del copy
        gc.collect()
        assert caught == []
        del client
        gc.collect()
    assert [str(w.message).startswith("unclosed AsyncVpnClient") for w in caught] == [True]
