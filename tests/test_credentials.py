"""Credentials: redaction, the environment lookup, and providers."""

from __future__ import annotations

import attrs
import pytest

from bce_vpn_async import BceClientError, BceValidationError, Credentials
from bce_vpn_async._credentials import as_provider

AK = "ak-0123456789"
SK = "sk-super-secret-value"
TOKEN = "sts-session-token-value"
FULL_ENV = {
    "BCE_ACCESS_KEY_ID": AK,
    "BCE_SECRET_ACCESS_KEY": SK,
    "BCE_SESSION_TOKEN": TOKEN,
}


def test_credentials_take_positional_or_keyword_arguments() -> None:
    positional = Credentials(AK, SK, TOKEN)
    keyword = Credentials(access_key_id=AK, secret_access_key=SK, session_token=TOKEN)
    assert positional == keyword


def test_credentials_have_no_session_token_by_default() -> None:
    assert Credentials(AK, SK).session_token is None


def test_repr_shows_the_access_key_id_but_neither_the_secret_nor_the_token() -> None:
    text = repr(Credentials(AK, SK, TOKEN))
    assert AK in text
    assert SK not in text
    assert TOKEN not in text


def test_credentials_are_immutable() -> None:
    creds = Credentials(AK, SK)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        creds.secret_access_key = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"access_key_id": "", "secret_access_key": SK}, "access_key_id"),
        ({"access_key_id": AK, "secret_access_key": ""}, "secret_access_key"),
        ({"access_key_id": AK, "secret_access_key": b"bytes"}, "secret_access_key"),
        ({"access_key_id": AK, "secret_access_key": SK, "session_token": ""}, "session_token"),
    ],
)
def test_credentials_reject_an_empty_or_non_str_value_by_field_name(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(BceValidationError, match=f"^{field}: ") as caught:
        Credentials(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_credentials_validation_error_never_shows_the_secret() -> None:
    with pytest.raises(BceValidationError) as caught:
        Credentials("", SK)
    assert SK not in str(caught.value)


def test_from_env_reads_all_three_variables() -> None:
    assert Credentials.from_env(FULL_ENV) == Credentials(AK, SK, TOKEN)


def test_from_env_without_a_session_token_gives_static_credentials() -> None:
    env = {"BCE_ACCESS_KEY_ID": AK, "BCE_SECRET_ACCESS_KEY": SK}
    assert Credentials.from_env(env) == Credentials(AK, SK)


def test_from_env_treats_a_blank_session_token_as_none() -> None:
    assert Credentials.from_env({**FULL_ENV, "BCE_SESSION_TOKEN": "  "}).session_token is None


def test_from_env_drops_whitespace_around_the_values() -> None:
    env = {"BCE_ACCESS_KEY_ID": f" {AK}\n", "BCE_SECRET_ACCESS_KEY": f"{SK}\n"}
    assert Credentials.from_env(env) == Credentials(AK, SK)


def test_from_env_reads_the_process_environment_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in FULL_ENV.items():
        monkeypatch.setenv(name, value)
    assert Credentials.from_env() == Credentials(AK, SK, TOKEN)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"BCE_SECRET_ACCESS_KEY": SK, "BCE_SESSION_TOKEN": TOKEN},
            "no BCE credentials: environment variable BCE_ACCESS_KEY_ID is not set",
        ),
        (
            {"BCE_ACCESS_KEY_ID": AK, "BCE_SESSION_TOKEN": TOKEN},
            "no BCE credentials: environment variable BCE_SECRET_ACCESS_KEY is not set",
        ),
        (
            {"BCE_SESSION_TOKEN": TOKEN},
            "no BCE credentials: environment variable BCE_ACCESS_KEY_ID and "
            "BCE_SECRET_ACCESS_KEY are not set",
        ),
        (
            {"BCE_ACCESS_KEY_ID": AK, "BCE_SECRET_ACCESS_KEY": "   "},
            "no BCE credentials: environment variable BCE_SECRET_ACCESS_KEY is not set",
        ),
    ],
)
def test_from_env_names_exactly_the_missing_variables(env: dict[str, str], message: str) -> None:
    with pytest.raises(BceClientError) as caught:
        Credentials.from_env(env)
    assert str(caught.value) == message


@pytest.mark.parametrize("missing", ["BCE_ACCESS_KEY_ID", "BCE_SECRET_ACCESS_KEY"])
def test_from_env_error_never_shows_a_secret_value(missing: str) -> None:
    env = {k: v for k, v in FULL_ENV.items() if k != missing}
    with pytest.raises(BceClientError) as caught:
        Credentials.from_env(env)
    assert SK not in str(caught.value)
    assert TOKEN not in str(caught.value)


async def test_as_provider_wraps_static_credentials_into_an_async_callable() -> None:
    creds = Credentials(AK, SK, TOKEN)
    provider = as_provider(creds)
    assert await provider() is creds
    assert await provider() is creds


def test_as_provider_wrapper_repr_never_shows_a_secret() -> None:
    text = repr(as_provider(Credentials(AK, SK, TOKEN)))
    assert SK not in text
    assert TOKEN not in text


async def test_as_provider_returns_a_provider_as_is() -> None:
    rotated = Credentials(AK, SK, TOKEN)

    async def provider() -> Credentials:
        return rotated

    assert as_provider(provider) is provider
    assert await as_provider(provider)() is rotated


@pytest.mark.parametrize("source", ["ak:sk", ("ak", "sk")])
def test_as_provider_rejects_anything_else(source: object) -> None:
    with pytest.raises(TypeError, match="Credentials or an async callable"):
        as_provider(source)  # type: ignore[arg-type]


FIELDS = ("access_key_id", "secret_access_key", "session_token")
BAD_VALUES = {
    "a CR/LF pair": "STS-tok3n\r\nX-Injected: 1",
    "a lone LF": "STS-tok3n\nmore",
    "a NUL": "STS-tok3n\x00",
    "a DEL": "STS-tok3n\x7f",
    "a C1 control": "STS-tok3n\x85",
    "a tab inside": "STS\ttok3n",
    "a trailing newline": "STS-tok3n\n",
    "a leading space": " STS-tok3n",
    "a trailing space": "STS-tok3n ",
}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_credentials_refuse_control_characters_and_surrounding_space_by_field_name(
    field: str, value: str
) -> None:
    kwargs = {"access_key_id": AK, "secret_access_key": SK, field: value}
    with pytest.raises(BceValidationError, match=f"^{field}: ") as caught:
        Credentials(**kwargs)
    assert caught.value.field == field
    assert "tok3n" not in str(caught.value)
    assert "tok3n" not in repr(caught.value)


def test_from_env_still_strips_a_token_read_with_its_newline() -> None:
    env = {
        "BCE_ACCESS_KEY_ID": AK,
        "BCE_SECRET_ACCESS_KEY": SK,
        "BCE_SESSION_TOKEN": " STS-token\n",
    }
    assert Credentials.from_env(env).session_token == "STS-token"
