"""Every secret value the tests hand to the SDK or the emulator, in one place.

``conftest.py`` searches the whole session's log records, exception strings, captured
output and the reprs of the SDK's objects for each of these values; ``test_secrets.py``
drives every operation with them. A test that needs a secret imports it from here, so a
new secret cannot escape the audit by living in one test module only.

Values shorter than eight characters are not audited: they would match by accident
(the rejected too-short keys of ``test_bad_input.py`` are such values). Labels, never
values, appear in the audit's own messages.
"""

from __future__ import annotations

from urllib.parse import quote

from bce_vpn_async.testing import TEST_SECRET_ACCESS_KEY

__all__ = [
    "CLIENT_OPS_PASSWORD_ALICE",
    "CLIENT_OPS_PASSWORD_BOB",
    "CLIENT_OPS_PASSWORD_NEW",
    "CLIENT_OPS_PSK",
    "CLIENT_OPS_SECRET_ACCESS_KEY",
    "CLIENT_OPS_SESSION_TOKEN",
    "EMULATOR_PSK",
    "EMULATOR_SECRET_ACCESS_KEY",
    "EMULATOR_SSL_PASSWORD",
    "OFFICIAL_SDK_SECRET_ACCESS_KEY",
    "PROXY_PASSWORD",
    "SECRETS",
    "SOAK_PASSWORD",
    "SOAK_PASSWORD_NEW",
    "SOAK_PSK",
    "SOAK_PSK_NEW",
    "STS_SECRET_ACCESS_KEY",
    "STS_SESSION_TOKEN",
    "TRACE_PASSWORD",
    "TRACE_PASSWORD_NEW",
    "TRACE_PSK",
    "TRACE_PSK_NEW",
    "TRACE_SECRET_ACCESS_KEY",
    "TRACE_SESSION_TOKEN",
    "find_secrets",
]

# tests/test_client_operations.py: the wire of each operation.
CLIENT_OPS_SECRET_ACCESS_KEY = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
CLIENT_OPS_SESSION_TOKEN = "sts-token-value"
CLIENT_OPS_PSK = "ddd22@www"
CLIENT_OPS_PASSWORD_ALICE = "Passw0rd!"
CLIENT_OPS_PASSWORD_BOB = "S3cret_(x"
CLIENT_OPS_PASSWORD_NEW = "N3w_pass!"

# tests/emulator: the emulator's default account and the bodies its tests send.
EMULATOR_SECRET_ACCESS_KEY = TEST_SECRET_ACCESS_KEY
EMULATOR_PSK = "Secret12!x"
EMULATOR_SSL_PASSWORD = CLIENT_OPS_PASSWORD_ALICE
OFFICIAL_SDK_SECRET_ACCESS_KEY = "official-sk"  # the served emulator's account, by argv

# STS credentials for the tests that sign with a session token.
STS_SECRET_ACCESS_KEY = "sts-secret-access-key-7d1f"
STS_SESSION_TOKEN = "sts-session-token-5c2e9a"

# tests/soak: tunnels and SSL users created under faults.
SOAK_PSK = "Soak_psk_1!"
SOAK_PSK_NEW = "Soak_psk_2!"
SOAK_PASSWORD = "Soak_pass1!"
SOAK_PASSWORD_NEW = "Soak_pass2!"

# tests/test_secrets.py: every operation at DEBUG, with retries and errors.
TRACE_SECRET_ACCESS_KEY = "trace-secret-access-key-91b3"
TRACE_SESSION_TOKEN = "trace-session-token-4aa07e"
TRACE_PSK = "Trace_psk_1!"
TRACE_PSK_NEW = "Trace_psk_2!"
TRACE_PASSWORD = "Trace_pass1!"
TRACE_PASSWORD_NEW = "Trace_pass2!"

# tests/test_proxies_and_tls.py: the password of a proxy's URL.
PROXY_PASSWORD = "proxy-pass-8f3c1e"

_MIN_AUDITED_LENGTH = 8

# label -> value. Values other test modules keep to themselves are listed too, so the
# session-wide audit covers them without those modules having to change.
SECRETS: dict[str, str] = {
    "client_ops.secret_access_key": CLIENT_OPS_SECRET_ACCESS_KEY,
    "client_ops.session_token": CLIENT_OPS_SESSION_TOKEN,
    "client_ops.psk": CLIENT_OPS_PSK,
    "client_ops.password_alice": CLIENT_OPS_PASSWORD_ALICE,
    "client_ops.password_bob": CLIENT_OPS_PASSWORD_BOB,
    "client_ops.password_new": CLIENT_OPS_PASSWORD_NEW,
    "emulator.secret_access_key": EMULATOR_SECRET_ACCESS_KEY,
    "emulator.psk": EMULATOR_PSK,
    "emulator.official_sdk_secret_access_key": OFFICIAL_SDK_SECRET_ACCESS_KEY,
    "sts.secret_access_key": STS_SECRET_ACCESS_KEY,
    "sts.session_token": STS_SESSION_TOKEN,
    "soak.psk": SOAK_PSK,
    "soak.psk_new": SOAK_PSK_NEW,
    "soak.password": SOAK_PASSWORD,
    "soak.password_new": SOAK_PASSWORD_NEW,
    "trace.secret_access_key": TRACE_SECRET_ACCESS_KEY,
    "trace.session_token": TRACE_SESSION_TOKEN,
    "trace.psk": TRACE_PSK,
    "trace.psk_new": TRACE_PSK_NEW,
    "trace.password": TRACE_PASSWORD,
    "trace.password_new": TRACE_PASSWORD_NEW,
    "proxy.password": PROXY_PASSWORD,
    # Kept in their own modules (owned by others):
    "credentials.secret_access_key": "sk-super-secret-value",  # test_credentials.py
    "credentials.session_token": "sts-session-token-value",  # test_credentials.py
    "pipeline.secret": "s3cr3t-Sk-do-not-log",  # test_pipeline.py
    "hostile.secret": "Sup3r!secret",  # test_hostile_responses.py
    "converter.secret": "hunter2-secret",  # test_converter.py
    "converter.password": "Pa55word!",  # test_converter.py
    "lifecycle.psk": "Psk_2024!x",  # test_lifecycle.py
    "lifecycle.password": "N3w_passw0rd",  # test_lifecycle.py
}


def _forms(value: str) -> tuple[str, ...]:
    # As written, percent-encoded (a value that reached a URL) and escaped as Python and
    # JSON write it (a value inside a repr or a dumped body).
    forms = {value, quote(value, safe=""), repr(value)[1:-1], value.replace('"', '\\"')}
    return tuple(forms)


_AUDITED: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (label, _forms(value)) for label, value in SECRETS.items() if len(value) >= _MIN_AUDITED_LENGTH
)


def find_secrets(text: str) -> list[str]:
    """The labels of the audited secrets that ``text`` holds, in any of their forms."""
    return [label for label, forms in _AUDITED if any(form in text for form in forms)]
