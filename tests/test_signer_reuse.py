"""What BceV1Signer reuses between calls (the day's date, each second's keyed HMAC, the
x-bce-date line) never changes what it writes: every signature equals the pure one."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bce_vpn_async import BceV1Signer, Credentials
from bce_vpn_async._signing import AuthorizationHeader, compute_signature, format_timestamp

pytestmark = pytest.mark.same_in_dev_mode(
    "signing is pure functions of bytes and time: no event loop, no resources"
)

CREDS = Credentials("a" * 32, "b" * 32)
OTHER = Credentials("c" * 32, "d" * 32)
START = 1_709_164_795  # 2024-02-28T23:59:55Z: a leap day and a new month follow


def _request() -> httpx.Request:
    return httpx.Request(
        "PUT",
        "https://bcc.bj.baidubce.com/v1/vpn/vpn-1?bind=&clientToken=t-1",
        headers={"Content-Type": "application/json", "x-bce-meta": "m", "Content-Length": "2"},
        content=b"{}",
    )


def _expected(
    request: httpx.Request, credentials: Credentials, signer: BceV1Signer, timestamp: int
) -> str:
    stamp = format_timestamp(timestamp)
    names = signer.headers_to_sign
    signature = compute_signature(
        secret_access_key=credentials.secret_access_key,
        access_key_id=credentials.access_key_id,
        timestamp=stamp,
        expiration=signer.expiration_seconds,
        method=request.method,
        path="/v1/vpn/vpn-1",
        query=[("bind", ""), ("clientToken", "t-1")],
        headers=[*request.headers.items(), ("x-bce-date", stamp)],
        signed_names=names,
    )
    slot = "" if names is None else ";".join(sorted(n.lower() for n in names))
    return f"bce-auth-v1/{credentials.access_key_id}/{stamp}/1800/{slot}/{signature}"


@given(st.integers(min_value=0, max_value=2**34))
def test_the_date_a_signer_writes_is_format_timestamp(timestamp: int) -> None:
    request = _request()
    BceV1Signer().sign(request, CREDS, timestamp + 0.75)
    assert request.headers["x-bce-date"] == format_timestamp(timestamp)


def test_signatures_over_midnight_a_leap_day_and_repeated_seconds_match_the_pure_ones() -> None:
    signers = [
        BceV1Signer(),
        BceV1Signer(headers_to_sign=("host", "x-bce-date")),
        BceV1Signer(headers_to_sign=("host", "content-type")),
    ]
    for signer in signers:
        for offset in (0, 0, 4, 5, 5, 6, 86_400 + 5, 4):
            for credentials in (CREDS, OTHER, CREDS):
                request = _request()
                signer.sign(request, credentials, START + offset + 0.5)
                expected = _expected(_request(), credentials, signer, START + offset)
                assert request.headers["Authorization"] == expected


def test_a_header_list_without_the_date_leaves_it_unsigned() -> None:
    request = _request()
    BceV1Signer(headers_to_sign=("host",)).sign(request, CREDS, START)
    assert AuthorizationHeader.parse(request.headers["Authorization"]).signed_headers == ("host",)
    assert request.headers["Authorization"] == _expected(
        _request(), CREDS, BceV1Signer(headers_to_sign=("host",)), START
    )


def test_a_rotated_secret_under_the_same_key_id_is_used_within_the_same_second() -> None:
    signer = BceV1Signer()
    rotated = Credentials(CREDS.access_key_id, "e" * 32)
    first, second = _request(), _request()
    signer.sign(first, CREDS, START)
    signer.sign(second, rotated, START)
    assert second.headers["Authorization"] == _expected(_request(), rotated, signer, START)
    assert first.headers["Authorization"] != second.headers["Authorization"]
