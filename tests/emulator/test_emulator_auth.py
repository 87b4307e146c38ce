"""bce-auth-v1 verification (spec 7): both signed-header modes, the window, the failures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from emulator_helpers import BASE_URL, VPC, error_of

from bce_vpn_async._credentials import Credentials
from bce_vpn_async._signing import BceV1Signer
from bce_vpn_async.testing import FakeClock, VpnEmulator

LIST = f"/v1/vpn?vpcId={VPC}"


@pytest.fixture
async def raw(emulator: VpnEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=emulator.transport(), base_url=BASE_URL) as client:
        yield client


def _signed(
    raw: httpx.AsyncClient,
    credentials: Credentials,
    clock: FakeClock,
    url: str = LIST,
    *,
    signer: BceV1Signer | None = None,
    offset: float = 0.0,
) -> httpx.Request:
    request = raw.build_request("GET", url)
    (signer or BceV1Signer()).sign(request, credentials, clock.time() + offset)
    return request


def _moved(request: httpx.Request, url: str) -> httpx.Request:
    """The same headers (signature included) on another URL."""
    return httpx.Request(request.method, BASE_URL + url, headers=request.headers)


async def test_a_request_signed_with_the_default_rule_is_accepted(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    response = await raw.send(_signed(raw, emulator.credentials, clock))
    assert response.status_code == 200


async def test_a_request_signed_with_an_explicit_header_list_is_accepted(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    signer = BceV1Signer(headers_to_sign=("host", "x-bce-date"))
    request = _signed(raw, emulator.credentials, clock, signer=signer)
    assert "/host;x-bce-date/" in request.headers["authorization"]
    assert (await raw.send(request)).status_code == 200


async def test_a_header_outside_the_explicit_list_may_change(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    signer = BceV1Signer(headers_to_sign=("host", "x-bce-date"))
    request = _signed(raw, emulator.credentials, clock, signer=signer)
    request.headers["x-bce-request-id"] = "added-after-signing"
    assert (await raw.send(request)).status_code == 200


async def test_a_header_of_the_default_rule_may_not_change(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    request = _signed(raw, emulator.credentials, clock)
    request.headers["x-bce-request-id"] = "added-after-signing"
    assert error_of(await raw.send(request)) == (400, "SignatureDoesNotMatch")


async def test_a_listed_header_may_not_change(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    signer = BceV1Signer(headers_to_sign=("host", "x-bce-date"))
    request = _signed(raw, emulator.credentials, clock, signer=signer)
    request.headers["host"] = "bcc.gz.baidubce.com"
    assert error_of(await raw.send(request)) == (400, "SignatureDoesNotMatch")


async def test_a_wrong_secret_is_signature_does_not_match(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    wrong = Credentials(emulator.credentials.access_key_id, "not-the-secret")
    response = await raw.send(_signed(raw, wrong, clock))
    assert error_of(response) == (400, "SignatureDoesNotMatch")


async def test_an_unknown_access_key_is_invalid_access_key_id(
    raw: httpx.AsyncClient, clock: FakeClock
) -> None:
    response = await raw.send(_signed(raw, Credentials("nobody", "x"), clock))
    assert error_of(response) == (403, "InvalidAccessKeyId")


async def test_a_tampered_path_is_refused(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    request = _signed(raw, emulator.credentials, clock, "/v1/vpn/vpn-aaaaaaaaaaaa")
    response = await raw.send(_moved(request, "/v1/vpn/vpn-bbbbbbbbbbbb"))
    assert error_of(response) == (400, "SignatureDoesNotMatch")


async def test_a_tampered_query_is_refused(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    request = _signed(raw, emulator.credentials, clock)
    response = await raw.send(_moved(request, "/v1/vpn?vpcId=vpc-other"))
    assert error_of(response) == (400, "SignatureDoesNotMatch")


async def test_a_signature_past_its_expiration_is_request_expired(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    request = _signed(raw, emulator.credentials, clock, offset=-1801)
    response = await raw.send(request)
    assert error_of(response) == (400, "RequestExpired")
    stamp = request.headers["x-bce-date"]
    assert response.json()["message"] == f"Request has expired. Timestamp date is {stamp}."


async def test_the_expiration_comes_from_the_header(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    signer = BceV1Signer(expiration_seconds=3600)
    request = _signed(raw, emulator.credentials, clock, signer=signer, offset=-1801)
    assert (await raw.send(request)).status_code == 200


async def test_a_signature_dated_too_far_ahead_is_request_expired(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    response = await raw.send(_signed(raw, emulator.credentials, clock, offset=901))
    assert error_of(response) == (400, "RequestExpired")


async def test_a_little_clock_skew_is_tolerated(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    response = await raw.send(_signed(raw, emulator.credentials, clock, offset=600))
    assert response.status_code == 200


async def test_a_missing_authorization_is_invalid_http_auth_header(
    raw: httpx.AsyncClient,
) -> None:
    assert error_of(await raw.get(LIST)) == (400, "InvalidHTTPAuthHeader")


async def test_a_malformed_authorization_is_invalid_http_auth_header(
    raw: httpx.AsyncClient,
) -> None:
    response = await raw.get(LIST, headers={"Authorization": "Bearer abc"})
    assert error_of(response) == (400, "InvalidHTTPAuthHeader")
    assert "Bearer" not in response.json()["message"]


async def test_an_sts_account_requires_its_session_token(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.add_account(Credentials("sts-ak", "sts-sk", "the-token"))
    without = Credentials("sts-ak", "sts-sk")
    assert error_of(await raw.send(_signed(raw, without, clock))) == (
        400,
        "SignatureDoesNotMatch",
    )


async def test_an_sts_account_accepts_its_signed_session_token(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    credentials = Credentials("sts-ak", "sts-sk", "the-token")
    emulator.add_account(credentials)
    response = await raw.send(_signed(raw, credentials, clock))
    assert response.status_code == 200
    assert response.json()["vpns"] == []


async def test_an_sts_account_refuses_another_session_token(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    emulator.add_account(Credentials("sts-ak", "sts-sk", "the-token"))
    response = await raw.send(_signed(raw, Credentials("sts-ak", "sts-sk", "other"), clock))
    assert error_of(response) == (400, "SignatureDoesNotMatch")
