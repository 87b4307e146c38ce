"""The front door: what users import, and the client's lifecycle."""

from __future__ import annotations

import asyncio
import inspect
import threading

import httpx
import pytest
import respx

import bce_vpn_async
from bce_vpn_async import (
    AsyncVpnClient,
    BceClientError,
    BceError,
    BceValidationError,
    ClientConfig,
    Credentials,
)
from bce_vpn_async import _errors as errors_module
from bce_vpn_async._operations import OPERATIONS

HOST = "bcc.bj.baidubce.com"


def test_all_lists_exactly_the_public_names_the_package_exports() -> None:
    public = {name for name in vars(bce_vpn_async) if not name.startswith("_")}
    modules = {name for name, value in vars(bce_vpn_async).items() if inspect.ismodule(value)}
    assert set(bce_vpn_async.__all__) - {"__version__"} == public - modules
    for name in bce_vpn_async.__all__:
        assert hasattr(bce_vpn_async, name)


def test_every_exception_the_sdk_defines_is_exported() -> None:
    defined = {
        name
        for name, value in vars(errors_module).items()
        if inspect.isclass(value) and issubclass(value, BceError) and not name.startswith("_")
    }
    assert defined <= set(bce_vpn_async.__all__)


def test_validation_errors_are_also_value_errors() -> None:
    assert issubclass(BceValidationError, ValueError)


def test_a_region_resolves_to_its_https_endpoint() -> None:
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"), region="gz")
    assert client.endpoint == "https://bcc.gz.baidubce.com"


def test_an_http_endpoint_is_kept_for_the_local_emulator() -> None:
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint="http://127.0.0.1:8080")
    assert client.endpoint == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"region": "mars"}, "region"),
        ({"region": "bj", "endpoint": HOST}, "endpoint"),
        ({"endpoint": "https://bcc.bj.baidubce.com/v1"}, "endpoint"),
        ({"endpoint": "ftp://bcc.bj.baidubce.com"}, "endpoint"),
        ({"endpoint": "https://[::1"}, "endpoint"),
    ],
)
def test_a_bad_endpoint_is_refused_when_the_client_is_made(
    kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(BceValidationError, match=field):
        AsyncVpnClient(credentials=Credentials("ak", "sk"), **kwargs)


def test_making_a_client_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BCE_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("BCE_SECRET_ACCESS_KEY", raising=False)
    monkeypatch.delenv("BCE_ENDPOINT", raising=False)
    AsyncVpnClient(endpoint=HOST)  # credentials are looked up on first use, not here
    client = AsyncVpnClient()  # and the endpoint when the client is opened
    assert "state='unopened'" in repr(client)


async def test_the_endpoint_comes_from_bce_endpoint_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BCE_ENDPOINT", raising=False)
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"))
    monkeypatch.setenv("BCE_ENDPOINT", f" {HOST}\n")  # set after the client was made
    with respx.mock(using="httpx") as mock:
        route = mock.get(f"https://{HOST}/v1/vpn/vpn-1").respond(
            json={"vpnId": "vpn-1", "status": "active"}
        )
        async with client:
            vpn = await client.get_vpn("vpn-1")
    assert vpn.vpn_id == "vpn-1"
    assert route.call_count == 1
    assert client.endpoint == f"https://{HOST}"


async def test_an_explicit_endpoint_or_region_wins_over_bce_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BCE_ENDPOINT", "http://127.0.0.1:9")
    async with AsyncVpnClient(credentials=Credentials("ak", "sk"), region="gz") as client:
        assert client.endpoint == "https://bcc.gz.baidubce.com"
    async with AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint=HOST) as client:
        assert client.endpoint == f"https://{HOST}"


@pytest.mark.parametrize("value", [None, "", "   "])
async def test_a_missing_bce_endpoint_is_named_when_the_client_is_opened(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("BCE_ENDPOINT", raising=False)
    else:
        monkeypatch.setenv("BCE_ENDPOINT", value)
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"))
    with pytest.raises(BceClientError, match="BCE_ENDPOINT"):
        await client.__aenter__()
    with pytest.raises(BceClientError, match="BCE_ENDPOINT"):
        await client.get_vpn("vpn-1")
    # Nothing was opened: setting it later and opening again works.
    monkeypatch.setenv("BCE_ENDPOINT", HOST)
    async with client:
        assert client.endpoint == f"https://{HOST}"


async def test_a_bad_bce_endpoint_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BCE_ENDPOINT", "https://bcc.bj.baidubce.com/v1")
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"))
    with pytest.raises(BceValidationError, match="BCE_ENDPOINT: must not hold a path"):
        await client.__aenter__()


async def test_a_copy_of_a_client_reading_bce_endpoint_reads_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BCE_ENDPOINT", HOST)
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"))
    copy = client.with_options(timeout=5.0)
    with respx.mock(using="httpx") as mock:
        route = mock.get(f"https://{HOST}/v1/vpn/vpn-1").respond(json={"vpnId": "vpn-1"})
        async with client:
            await copy.get_vpn("vpn-1")
    assert route.call_count == 1
    assert copy.endpoint == client.endpoint == f"https://{HOST}"


async def test_missing_environment_credentials_are_named_on_first_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BCE_ACCESS_KEY_ID", raising=False)
    monkeypatch.setenv("BCE_SECRET_ACCESS_KEY", "secret-from-env")
    with respx.mock(using="httpx", assert_all_called=False) as mock:
        route = mock.route()
        async with AsyncVpnClient(endpoint=HOST, config=ClientConfig(transport="httpx")) as c:
            with pytest.raises(BceClientError, match="BCE_ACCESS_KEY_ID") as info:
                await c.get_vpn("vpn-1")
    assert "secret-from-env" not in str(info.value)
    assert route.call_count == 0


async def test_closing_twice_is_safe_and_a_closed_client_refuses_calls() -> None:
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint=HOST)
    async with client:
        pass
    await client.aclose()
    with pytest.raises(BceClientError, match="closed"):
        await client.get_vpn("vpn-1")


async def test_a_callers_http_client_is_never_closed_by_the_sdk() -> None:
    async with httpx.AsyncClient() as http_client:
        async with AsyncVpnClient(
            credentials=Credentials("ak", "sk"), endpoint=HOST, http_client=http_client
        ):
            pass
        assert not http_client.is_closed


def test_a_client_used_from_a_second_event_loop_fails_clearly() -> None:
    client = AsyncVpnClient(
        credentials=Credentials("ak", "sk"), endpoint=HOST, config=ClientConfig(transport="httpx")
    )

    async def enter() -> None:
        await client.__aenter__()

    asyncio.run(enter())
    errors: list[BaseException] = []

    def other_thread() -> None:
        async def use() -> None:
            await client.get_vpn("vpn-1")

        try:
            asyncio.run(use())
        except BaseException as exc:  # recorded and asserted below
            errors.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], BceClientError)
    assert "another event loop" in str(errors[0])
    with pytest.raises(BceClientError, match="another event loop"):
        asyncio.run(client.aclose())


def test_the_repr_of_a_client_and_its_credentials_hides_the_secret() -> None:
    client = AsyncVpnClient(credentials=Credentials("ak", "s3cr3t-value"), endpoint=HOST)
    assert "s3cr3t-value" not in repr(client)
    assert "s3cr3t-value" not in repr(Credentials("ak", "s3cr3t-value", "tok3n-value"))
    assert "tok3n-value" not in repr(Credentials("ak", "s3cr3t-value", "tok3n-value"))


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), float("inf")])
def test_a_bad_timeout_is_refused_when_the_config_is_made(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        ClientConfig(timeout=timeout)


def test_every_operation_is_named_as_users_call_it() -> None:
    # Tracebacks, help() and the reference name AsyncVpnClient, not an internal base class.
    for operation in OPERATIONS:
        method = getattr(AsyncVpnClient, operation.name)
        assert method.__qualname__ == f"AsyncVpnClient.{operation.name}"


async def test_a_wrong_call_names_the_clients_method() -> None:
    client = AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint="http://127.0.0.1:9")
    async with client:
        with pytest.raises(TypeError, match=r"^AsyncVpnClient\.create_vpn\(\) missing"):
            await client.create_vpn()  # type: ignore[call-arg]
