"""Access keys, and where a client gets them from.

A client asks a *provider* (an async callable) for credentials before signing each
attempt, so STS credentials can rotate under a long-lived client; a static
``Credentials`` is wrapped into a provider that always answers the same.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeAlias

from attrs import Attribute, field, frozen

from ._errors import BceClientError, BceValidationError

__all__ = [
    "Credentials",
    "CredentialsProvider",
    "EnvironmentProvider",
    "as_provider",
]

ACCESS_KEY_ID_VAR = "BCE_ACCESS_KEY_ID"
SECRET_ACCESS_KEY_VAR = "BCE_SECRET_ACCESS_KEY"
SESSION_TOKEN_VAR = "BCE_SESSION_TOKEN"


def _check_text(field: str, value: str) -> None:
    # Each value goes into a header (the signature, x-bce-security-token): a control
    # character would break or inject a header line, and surrounding white space (a token
    # file read without strip()) only shows up later as a signature mismatch. The rule
    # only, never the value: it may be a secret.
    if value != value.strip():
        raise BceValidationError(field, "must not start or end with white space")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise BceValidationError(field, "must not hold control characters (CR, LF, tab, NUL...)")


def _non_empty_str(_: object, attribute: Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise BceValidationError(attribute.name, "must be a non-empty str")
    _check_text(attribute.name, value)


def _optional_token(_: object, attribute: Attribute[str | None], value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value:
        raise BceValidationError(attribute.name, "must be None or a non-empty str")
    _check_text(attribute.name, value)


@frozen
class Credentials:
    """An access key pair, and the session token that comes with STS credentials.

    The secret access key and the session token never appear in its repr.

    Raises:
        BceValidationError: An empty value, or text that cannot go in a header.
    """

    access_key_id: str = field(validator=_non_empty_str)
    """The access key id (AK)."""
    secret_access_key: str = field(repr=False, validator=_non_empty_str)
    """The secret access key (SK)."""
    session_token: str | None = field(default=None, repr=False, validator=_optional_token)
    """The session token of STS credentials, or None."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read ``BCE_ACCESS_KEY_ID``, ``BCE_SECRET_ACCESS_KEY`` and, if set,
        ``BCE_SESSION_TOKEN``.

        Surrounding whitespace is dropped (a value pasted from a file usually ends in
        a newline, which would only show up later as a signature mismatch), and a
        blank variable counts as unset.

        Args:
            environ: Where to read the variables; ``os.environ`` when None.

        Returns:
            The credentials the variables hold.

        Raises:
            BceClientError: The access key id or the secret access key is not set.
            BceValidationError: A value that cannot go in a header.
        """
        env: Mapping[str, str] = os.environ if environ is None else environ
        access_key_id = env.get(ACCESS_KEY_ID_VAR, "").strip()
        secret_access_key = env.get(SECRET_ACCESS_KEY_VAR, "").strip()
        session_token = env.get(SESSION_TOKEN_VAR, "").strip() or None
        missing = [
            name
            for name, value in (
                (ACCESS_KEY_ID_VAR, access_key_id),
                (SECRET_ACCESS_KEY_VAR, secret_access_key),
            )
            if not value
        ]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise BceClientError(
                f"no BCE credentials: environment variable {' and '.join(missing)} {verb} not set"
            )
        return cls(access_key_id, secret_access_key, session_token)


CredentialsProvider: TypeAlias = Callable[[], Awaitable[Credentials]]
"""An async callable returning the current ``Credentials``, for credentials that rotate.

The client awaits it for every attempt it signs, so it should answer from a cache and
refresh ahead of expiry:

```python
async def credentials() -> Credentials:
    return await sts_cache.current()  # yours


client = AsyncVpnClient(credentials=credentials, region="bj")
```
"""


@frozen
class StaticProvider:
    """Fixed credentials as a provider: always the same."""

    credentials: Credentials

    async def __call__(self) -> Credentials:
        return self.credentials


class EnvironmentProvider:
    """The credentials of ``BCE_ACCESS_KEY_ID``, ``BCE_SECRET_ACCESS_KEY`` and
    ``BCE_SESSION_TOKEN``, read when first asked for (a client's ``__init__`` reads no
    environment), then kept."""

    def __init__(self) -> None:
        self._credentials: Credentials | None = None

    async def __call__(self) -> Credentials:
        if self._credentials is None:
            self._credentials = Credentials.from_env()
        return self._credentials


def as_provider(source: Credentials | CredentialsProvider | None) -> CredentialsProvider:
    """A provider for ``source``: None reads the environment on first use, static
    credentials are wrapped, a provider is returned as is."""
    if source is None:
        return EnvironmentProvider()
    if isinstance(source, Credentials):
        return StaticProvider(source)
    if callable(source):
        return source
    raise TypeError(
        "credentials must be Credentials or an async callable returning Credentials, "
        f"not {type(source).__name__}"
    )
