"""Verifying ``bce-auth-v1`` as the service does (``docs/service/api-facts.md#signing``),
with the SDK's own canonicalisation functions so that the emulator and the signer cannot
drift apart.

Both signed-header modes: an empty slot signs by the default rule over the headers
received; a list signs exactly the headers it names. Time window: the request is
refused with ``RequestExpired`` once ``timestamp + expiration`` has passed, or when the
timestamp is more than ``skew_seconds`` (default 900, as AWS allows:
``docs/service/disagreements.md#not-found``) ahead of the clock.
An account registered with a session token must send it as ``x-bce-security-token``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence

from bce_vpn_async._credentials import Credentials
from bce_vpn_async._signing import (
    SECURITY_TOKEN_HEADER,
    AuthorizationHeader,
    compute_signature,
    parse_timestamp,
)

from ._service import ServiceError

__all__ = ["DEFAULT_SKEW_SECONDS", "verify"]

DEFAULT_SKEW_SECONDS = 900.0


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _invalid_header(reason: str) -> ServiceError:
    return ServiceError(400, "InvalidHTTPAuthHeader", f"The Authorization header {reason}.")


def _mismatch() -> ServiceError:
    return ServiceError(
        400,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
    )


def verify(
    *,
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
    accounts: Mapping[str, Credentials],
    now: float,
    skew_seconds: float = DEFAULT_SKEW_SECONDS,
) -> str:
    """The access key id that signed the request.

    Raises:
        ServiceError: The answer the service gives: a missing or malformed header, an
            unknown access key, an expired or future timestamp, a signature or session
            token that does not match.
    """
    value = _header(headers, "authorization")
    if not value:
        raise _invalid_header("is missing")
    try:
        auth = AuthorizationHeader.parse(value)
    except ValueError:
        # The parser's message quotes the header; the answer only says what is wrong.
        auth = None
    if auth is None:
        raise _invalid_header("is not bce-auth-v1/{ak}/{timestamp}/{expiration}/{headers}/{sig}")
    account = accounts.get(auth.access_key_id)
    if account is None:
        raise ServiceError(
            403, "InvalidAccessKeyId", "The access key id does not exist in our records."
        )
    signed_at = parse_timestamp(auth.timestamp)
    # Compared as a difference: the expiration is any positive integer, which may be past
    # what a float can hold (a sum would overflow).
    if now - signed_at > auth.expiration or signed_at > now + skew_seconds:
        raise ServiceError(
            400, "RequestExpired", f"Request has expired. Timestamp date is {auth.timestamp}."
        )
    expected = compute_signature(
        secret_access_key=account.secret_access_key,
        access_key_id=auth.access_key_id,
        timestamp=auth.timestamp,
        expiration=auth.expiration,
        method=method,
        path=path,
        query=query,
        headers=headers,
        signed_names=auth.signed_headers or None,
    )
    if not hmac.compare_digest(expected, auth.signature):
        raise _mismatch()
    if account.session_token is not None:
        token = _header(headers, SECURITY_TOKEN_HEADER)
        listed = {name.strip().lower() for name in auth.signed_headers}
        signed = not listed or SECURITY_TOKEN_HEADER in listed
        if (
            token is None
            or not signed
            or not hmac.compare_digest(token.encode(), account.session_token.encode())
        ):
            raise _mismatch()
    return auth.access_key_id
