"""Secrets never show: all 21 operations at DEBUG, with retries and errors, searched afterwards.

One scenario drives every operation with a session token, tunnel pre-shared keys and SSL
passwords from ``secrets_registry``; every operation's first attempt meets a fault (an
error, a throttle, a drop before or after applying, a stall), so every operation is
retried; it also provokes the errors a user meets (bad input holding a secret, 404, 409,
an auth failure, a clock too far behind, a waiter timing out with the last gateway seen,
and retry budgets spent on errors, drops and stalls). Then it searches:

- every log record of every logger, at DEBUG (message, arguments and exception text);
- ``str``, ``repr`` and the formatted traceback of every error, causes included;
- ``repr`` and ``str`` of every result and of every model inside it (never the fields'
  values themselves: a ``VpnConn`` carries its key, it must only not show it);
- the client, its config and credentials, and the emulator's request log.

It runs in-process on a fake clock, and over loopback with the default aiohttp transport.
The last tests check that the session-wide audit of ``conftest.py`` catches a leak.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from loopback import serving
from secrets_registry import (
    SECRETS,
    TRACE_PASSWORD,
    TRACE_PASSWORD_NEW,
    TRACE_PSK,
    TRACE_PSK_NEW,
    TRACE_SECRET_ACCESS_KEY,
    TRACE_SESSION_TOKEN,
    find_secrets,
)
from seed_examples import IKE, IPSEC

from bce_vpn_async import (
    AsyncVpnClient,
    BceError,
    Billing,
    ClientConfig,
    Credentials,
    RetryPolicy,
    SslVpnUserSpec,
    Tag,
)
from bce_vpn_async.testing import OPERATION_NAMES, FakeClock, VpnEmulator

TRACE = Credentials("ak-trace", TRACE_SECRET_ACCESS_KEY, session_token=TRACE_SESSION_TOKEN)
POSTPAID = Billing(payment_timing="Postpaid")
SETTLED = ("unconfigured", "active")
FIRST_ATTEMPT_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("error", {"status": 503}),
    ("throttle", {"retry_after": 0.01}),
    ("drop_before", {}),
    ("drop_after", {}),
    ("stall", {"seconds": 0.3}),
]


def tunnel(psk: str, **changes: Any) -> dict[str, Any]:
    return {
        "secret_key": psk,
        "local_subnets": ["192.168.0.0/20"],
        "remote_subnets": ["10.10.0.0/16"],
        "remote_ip": "203.0.113.7",
        "vpn_conn_name": "tunnel1",
        "ike_config": IKE,
        "ipsec_config": IPSEC,
        **changes,
    }


class Shown:
    """Everything a user could read from the calls: results, models and errors."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.errors: list[BceError] = []
        self.results = 0

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def result(self, value: object) -> None:
        self.results += 1
        self._walk(value)

    def _walk(self, value: object) -> None:
        if attrs.has(type(value)):
            name = type(value).__name__
            self.add(f"repr of a {name}", repr(value))
            self.add(f"str of a {name}", str(value))
            for item in attrs.fields(type(value)):
                self._walk(getattr(value, item.name))
        elif isinstance(value, tuple | list):
            for item in value:
                self._walk(item)

    def error(self, exc: BceError) -> None:
        self.errors.append(exc)
        self.add(f"traceback of a {type(exc).__name__}", "".join(traceback.format_exception(exc)))
        seen: BaseException | None = exc
        while seen is not None:
            name = type(seen).__name__
            self.add(f"str of a {name}", str(seen))
            self.add(f"repr of a {name}", repr(seen))
            for value in vars(seen).values():
                self._walk(value)  # a waiter error's last Vpn, say
            seen = seen.__cause__ or seen.__context__

    async def call(self, awaitable: Awaitable[Any]) -> Any:
        try:
            value = await awaitable
        except BceError as exc:
            self.error(exc)
            return None
        self.result(value)
        return value

    async def walk(self, paginator: Any) -> list[Any]:
        items: list[Any] = []
        try:
            async for page in paginator.pages():
                self.result(page)
                items.extend(page.items)
        except BceError as exc:
            self.error(exc)
        return items


async def scenario(
    client: AsyncVpnClient,
    shown: Shown,
    wait: Callable[[str, str | tuple[str, ...]], Awaitable[Any]],
) -> None:
    """Every operation, in the order a user would call them, plus the errors they meet."""
    call = shown.call
    c = client
    # Bad input that holds a secret: refused before anything is sent.
    await call(c.create_vpn_conn("vpn-x", **tunnel(TRACE_PSK + " x")))
    await call(
        c.create_vpn_sslusers("vpn-x", sslusers=[SslVpnUserSpec("u1", TRACE_PASSWORD + "&")])
    )
    await call(c.update_vpn_ssl_user("vpn-x", "u-1", password=TRACE_PASSWORD_NEW + "\n"))

    created = await call(
        c.create_vpn("vpc-trace", vpn_name="gw1", billing=POSTPAID, tags=[Tag("team", "net")])
    )
    vpn_id = created.vpn_id
    await call(c.create_vpn_conn(vpn_id, **tunnel(TRACE_PSK)))  # 409 if still building
    # Active instead when that tunnel came after the build (a slow machine, a slow call).
    await wait(vpn_id, SETTLED)
    await shown.walk(c.list_vpns("vpc-trace", max_keys=1))
    await call(c.update_vpn(vpn_id, vpn_name="gw1-renamed", description="traced"))
    await call(c.update_vpn_delete_protect(vpn_id, delete_protect=True))
    await call(c.bind_eip(vpn_id, eip="198.51.100.7"))
    await wait(vpn_id, "active")
    conn = await call(c.create_vpn_conn(vpn_id, **tunnel(TRACE_PSK)))
    await wait(vpn_id, "active")
    await call(c.get_vpn_conn(vpn_id))
    await call(c.get_vpn(vpn_id))
    await call(c.update_vpn_conn(conn.vpn_conn_id, vpn_id=vpn_id, **tunnel(TRACE_PSK_NEW)))
    await wait(vpn_id, "active")
    await call(c.renew_vpn(vpn_id, billing=Billing(reservation_length=1)))  # 409: postpaid
    await call(c.delete_vpn(vpn_id))  # 409: protected, and it has a tunnel
    await call(c.wait_until_status(vpn_id, "expired", timeout=0.3, poll_interval=0.05))
    await call(c.update_vpn_delete_protect(vpn_id, delete_protect=False))
    await call(c.delete_vpn_conn(conn.vpn_conn_id))
    await wait(vpn_id, "active")
    await call(c.unbind_eip(vpn_id))
    await wait(vpn_id, "active")
    await call(c.delete_vpn(vpn_id))
    await call(c.get_vpn_conn(vpn_id))  # 404

    prepaid = await call(
        c.create_vpn(
            "vpc-trace",
            vpn_name="gw2",
            billing=Billing(payment_timing="Prepaid", reservation_length=1),
        )
    )
    await wait(prepaid.vpn_id, "unconfigured")
    await call(c.renew_vpn(prepaid.vpn_id, billing=Billing(reservation_length=2)))

    ssl = await call(c.create_vpn("vpc-trace", vpn_name="ssl1", billing=POSTPAID, vpn_type="SSL"))
    ssl_id = ssl.vpn_id
    await wait(ssl_id, "unconfigured")
    server = await call(
        c.create_vpn_sslservice(
            ssl_id,
            sslservice_name="srv",
            local_routes=["192.168.0.0/24"],
            address_pool="172.16.0.0/16",
        )
    )
    await wait(ssl_id, "active")
    await call(c.get_vpn_sslservice(ssl_id))
    await call(
        c.update_vpn_sslservice(
            ssl_id,
            server.ssl_vpn_server_id,
            sslservice_name="srv",
            local_routes=["192.168.0.0/24"],
            address_pool="172.16.0.0/16",
            client_dns="8.8.8.8",
        )
    )
    await wait(ssl_id, "active")
    users = await call(
        c.create_vpn_sslusers(
            ssl_id,
            sslusers=[
                SslVpnUserSpec("alice", TRACE_PASSWORD, description="ops"),
                SslVpnUserSpec("bob", TRACE_PASSWORD),
            ],
        )
    )
    await call(c.create_vpn_sslusers(ssl_id, sslusers=[SslVpnUserSpec("bob", TRACE_PASSWORD)]))
    await shown.walk(c.get_vpn_ssl_user(ssl_id, max_keys=1))
    alice, bob = users.ssl_vpn_user_ids
    await call(c.update_vpn_ssl_user(ssl_id, alice, password=TRACE_PASSWORD_NEW))
    await call(c.update_vpn_ssl_user(ssl_id, "vpn-ssl-user-none", password=TRACE_PASSWORD_NEW))
    await call(c.delete_vpn_sslservice(ssl_id, server.ssl_vpn_server_id))  # 409: has users
    for user_id in (alice, bob):
        await call(c.delete_vpn_ssl_user(ssl_id, user_id))
    await call(c.delete_vpn_sslservice(ssl_id, server.ssl_vpn_server_id))
    await wait(ssl_id, "active")
    await call(c.delete_vpn(ssl_id))


async def spent_budgets(client: AsyncVpnClient, emulator: VpnEmulator, shown: Shown) -> None:
    """Retry budgets spent on errors, drops and stalls, with a secret in the request."""
    for kind, extra in (("error", {"status": 500}), ("drop_after", {}), ("stall", {"seconds": 1})):
        emulator.faults.clear()
        emulator.faults.add(kind, op="create_vpn_conn", **extra)
        await shown.call(client.create_vpn_conn("vpn-spent", **tunnel(TRACE_PSK)))
    emulator.faults.clear()


def first_attempt_faults(emulator: VpnEmulator) -> None:
    for index, operation in enumerate(sorted(OPERATION_NAMES)):
        kind, extra = FIRST_ATTEMPT_FAULTS[index % len(FIRST_ATTEMPT_FAULTS)]
        emulator.faults.add(kind, op=operation, times=1, **extra)


def leaks(shown: Shown, records: list[logging.LogRecord], *others: tuple[str, str]) -> list[str]:
    formatter = logging.Formatter()
    texts = list(shown.texts) + list(others)
    for record in records:
        texts.append((f"log record of {record.name}", record.getMessage()))
        texts.append((f"log arguments of {record.name}", repr(record.args)))
        if record.exc_info:
            texts.append(
                (f"log traceback of {record.name}", formatter.formatException(record.exc_info))
            )
    return [
        f"{', '.join(found)} in the {where}"
        for where, text in texts
        if (found := find_secrets(text))
    ]


def exercised(emulator: VpnEmulator) -> set[str]:
    return {e.operation for e in emulator.requests if e.operation and e.status == 200}


@asynccontextmanager
async def in_process(emulator: VpnEmulator, clock: FakeClock) -> AsyncIterator[AsyncVpnClient]:
    async with (
        httpx.AsyncClient(transport=emulator.transport()) as http,
        AsyncVpnClient(
            credentials=TRACE,
            endpoint="http://emulator.local",
            config=ClientConfig(clock=clock, timeout=0.1),
            http_client=http,
        ) as client,
    ):
        yield client


async def test_no_secret_shows_in_logs_errors_or_reprs_of_every_operation_in_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = FakeClock()
    emulator = VpnEmulator(clock=clock, accounts={TRACE.access_key_id: TRACE}, seed=11)
    first_attempt_faults(emulator)
    shown = Shown()

    async def wait(vpn_id: str, status: str | tuple[str, ...]) -> None:
        await shown.call(client.wait_until_status(vpn_id, status, poll_interval=0.5))

    async with in_process(emulator, clock) as client:
        await scenario(client, shown, wait)
        await spent_budgets(client, emulator, shown)
        others = [("repr of the client", repr(client)), ("repr of its config", repr(client.config))]
    # A client without the session token, and one whose clock is an hour behind.
    untokened = Credentials(TRACE.access_key_id, TRACE_SECRET_ACCESS_KEY)
    behind = FakeClock(clock.time() - 3600)
    for credentials, client_clock in ((untokened, clock), (TRACE, behind)):
        async with (
            httpx.AsyncClient(transport=emulator.transport()) as http,
            AsyncVpnClient(
                credentials=credentials,
                endpoint="http://emulator.local",
                config=ClientConfig(clock=client_clock),
                http_client=http,
            ) as other,
        ):
            await shown.call(other.list_vpns("vpc-trace"))
    others.append(("repr of the request log", repr(list(emulator.requests))))
    others.append(("repr of the credentials", repr(TRACE)))

    assert exercised(emulator) == OPERATION_NAMES
    assert sum(1 for entry in emulator.requests if entry.fault) >= len(OPERATION_NAMES)
    kinds = {type(exc).__name__ for exc in shown.errors}
    assert {"BceValidationError", "BceConflictError", "BceNotFoundError", "BceAuthError"} <= kinds
    assert {"BceServerError", "BceTransportError", "BceTimeoutError"} <= kinds
    assert "WaiterTimeoutError" in kinds
    assert any("RequestExpired" in r.getMessage() for r in caplog.records)
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert leaks(shown, caplog.records, *others) == []


async def test_no_secret_shows_in_logs_errors_or_reprs_of_every_operation_over_loopback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator = VpnEmulator(
        accounts={TRACE.access_key_id: TRACE}, build_seconds=0.02, configure_seconds=0.01, seed=12
    )
    first_attempt_faults(emulator)
    shown = Shown()
    policy = RetryPolicy(initial_delay=0.01, max_delay=0.05)

    async def wait(vpn_id: str, status: str | tuple[str, ...]) -> None:
        # Bounded well below the default 300 s: on a loaded machine a write can give up
        # after its attempts miss their 0.1 s timeout, and its status never comes.
        await shown.call(client.wait_until_status(vpn_id, status, poll_interval=0.01, timeout=10))

    async with (
        serving(emulator) as endpoint,
        AsyncVpnClient(
            credentials=TRACE,
            endpoint=endpoint,
            # No rate limiter: after the throttle fault it paces the rest of the scenario on
            # the real clock (seconds); the in-process run audits its path on a FakeClock.
            config=ClientConfig(timeout=0.1, retry=policy, rate_limit=None),
        ) as client,
    ):
        await scenario(client, shown, wait)
        await spent_budgets(client, emulator, shown)
    assert exercised(emulator) == OPERATION_NAMES
    assert (
        leaks(shown, caplog.records, ("repr of the request log", repr(list(emulator.requests))))
        == []
    )


# -- the session-wide audit catches what it says it catches ---------------------------------

LEAKY_TESTS = """
import logging

import pytest
from secrets_registry import TRACE_PSK

from bce_vpn_async import BceClientError, Credentials


def test_a_log_record():
    logging.getLogger("bce_vpn_async.leaky").debug("key is %s", TRACE_PSK)


def test_an_error_caught_by_the_test():
    with pytest.raises(BceClientError):
        raise BceClientError("the key was " + TRACE_PSK)


@pytest.fixture
def credentials():
    return Credentials("ak", "sk-long-enough", session_token=TRACE_PSK)


def test_a_fixture_whose_repr_is_clean(credentials):
    pass


def test_printed_output():
    print(TRACE_PSK)


def test_a_clean_test():
    logging.getLogger("bce_vpn_async.leaky").debug("nothing to see")
"""


def test_the_session_audit_fails_each_test_that_shows_a_secret(pytester: pytest.Pytester) -> None:
    here = Path(__file__).parent
    pytester.makeconftest((here / "conftest.py").read_text())
    pytester.makepyfile(secrets_registry=(here / "secrets_registry.py").read_text())
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    # Logging's and capture's own report sections would print the secret in this output.
    result = pytester.runpytest_subprocess("-p", "no:logging", "--show-capture=no", "-rA")
    result.assert_outcomes(passed=2, failed=3)
    for name in ("test_a_log_record", "test_an_error_caught_by_the_test", "test_printed_output"):
        result.stdout.fnmatch_lines([f"FAILED test_leaky.py::{name}*"])
    result.stdout.fnmatch_lines(["*trace.psk in a log record of 'bce_vpn_async.leaky' at DEBUG*"])
    result.stdout.fnmatch_lines(["*trace.psk in the message of a BceClientError*"])
    assert TRACE_PSK not in result.stdout.str()


def test_every_audited_secret_is_long_enough_to_match_only_itself() -> None:
    assert all(len(value) >= 8 for value in SECRETS.values())
    assert find_secrets("nothing secret here: vpn-1, 198.51.100.7, alice") == []
