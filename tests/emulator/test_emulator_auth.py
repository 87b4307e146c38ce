"""bce-auth-v1 verification (docs/service/api-facts.md#signing): both signed-header modes, the
window, the failures."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials
from emulator_helpers import BASE_URL, VPC, error_of

from bce_vpn_async import BceV1Signer, Credentials
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


def _official(
    emulator: VpnEmulator, clock: FakeClock, headers_to_sign: list[bytes], extra: dict[str, str]
) -> httpx.Request:
    """A list request signed by the official SDK's ``bce_v1_signer.sign``."""
    timestamp = int(clock.time())
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
    headers = {"host": "bcc.bj.baidubce.com", "x-bce-date": date, **extra}
    credentials = emulator.credentials
    authorization = bce_v1_signer.sign(
        BceCredentials(credentials.access_key_id, credentials.secret_access_key),
        b"GET",
        b"/v1/vpn",
        {key.encode(): value.encode() for key, value in headers.items()},
        {b"vpcId": VPC.encode()},
        timestamp,
        1800,
        headers_to_sign,
    )
    return httpx.Request(
        "GET", BASE_URL + LIST, headers={**headers, "authorization": authorization.decode()}
    )


async def test_an_explicit_list_is_verified_with_exactly_the_listed_headers(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    """Point 10 [bce-auth-v1, docs/service/api-facts.md#signing: with a signedHeaders list the
    canonical headers are
    exactly the listed ones; PY auth/bce_v1_signer.py]: the official signer, listing every
    header it signs, is accepted."""
    request = _official(emulator, clock, [b"host", b"x-bce-date"], {})
    assert "/host;x-bce-date/" in request.headers["authorization"]
    assert (await raw.send(request)).status_code == 200


async def test_a_header_signed_but_not_listed_does_not_count(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    """Point 10 [docs/service/api-facts.md#signing,
    docs/service/disagreements.md#signed-headers]: the official signer also signs every
    x-bce-* header it does not list; the service verifies the list, so such a signature does
    not match."""
    request = _official(emulator, clock, [b"host", b"x-bce-date"], {"x-bce-request-id": "r-1"})
    assert "/host;x-bce-date/" in request.headers["authorization"]
    assert error_of(await raw.send(request)) == (400, "SignatureDoesNotMatch")


async def test_a_listed_header_the_request_lacks_is_not_signed(
    raw: httpx.AsyncClient, emulator: VpnEmulator, clock: FakeClock
) -> None:
    """Point 10 [bce-auth-v1, docs/service/api-facts.md#signing]: a listed name with no (or an
    empty) header adds no
    canonical line, on the signer's side and the verifier's alike."""
    signer = BceV1Signer(headers_to_sign=("host", "x-bce-date", "content-md5"))
    request = _signed(raw, emulator.credentials, clock, signer=signer)
    assert "content-md5" not in request.headers
    assert (await raw.send(request)).status_code == 200
