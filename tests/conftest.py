"""A session-wide audit: no known test secret may show up where a user could read it.

The secrets are those of ``secrets_registry.py`` (secret access keys, session tokens,
tunnel pre-shared keys, SSL-VPN passwords used by the tests). For the whole session:

- **Log records.** A handler on the root logger at DEBUG, with the ``bce_vpn_async``
  loggers set to DEBUG, reads every record that reaches the root: its formatted message
  and its exception text. (Other libraries' loggers keep their levels; their records are
  read when they are emitted.)
- **Exception strings.** Every ``BceError`` the SDK constructs: its ``str`` and ``repr``
  are read as it is made, so an error caught by ``pytest.raises`` is covered as well as
  one that fails a test. ``BceError.__init__`` is wrapped for the session to see them; the
  wrapper only observes. Beyond the SDK's own errors, the text of every test report is
  read: a failure's exception chain and the reprs pytest shows of the values compared.
- **Reprs and output.** The repr of every fixture value whose type the SDK defines
  (clients, configs, credentials, emulators, models), the captured stdout, stderr and
  log sections of every test, and every warning's message.

Not covered: a string or repr that a test builds and never shows, and exceptions other
than ``BceError`` that are raised and caught inside a test. ``test_secrets.py`` closes
most of that gap for the SDK by reading the repr of every result, model and error of
full call sequences.

A finding fails the test it happened in (the audit's message names the secret by its
label and says where it was seen, never the value); a finding outside any test (during
collection, say) fails the session.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest
import respx
from secrets_registry import find_secrets

from bce_vpn_async import BceError

# pytester runs tests/test_secrets.py's check of this very audit.
pytest_plugins = ["pytester"]


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    """respx on every httpx client of the test (the client's ``transport="httpx"``), for
    tests that give the service's answers; a route may stay unused."""
    with respx.mock(using="httpx", assert_all_called=False) as router:
        yield router


_SDK_LOGGER = "bce_vpn_async"
_OUTSIDE = "<outside any test>"


class SecretAudit:
    def __init__(self) -> None:
        self.current = _OUTSIDE
        self.findings: dict[str, list[str]] = {}

    def check(self, text: str, where: str) -> None:
        labels = find_secrets(text)
        if labels:
            found = self.findings.setdefault(self.current, [])
            found.append(f"{', '.join(labels)} in {where}")

    def take(self, nodeid: str) -> list[str]:
        return self.findings.pop(nodeid, [])


_AUDIT = SecretAudit()


class _AuditHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + self._formatter.formatException(record.exc_info)
        except Exception:  # a record that cannot be formatted is the logging module's problem
            return
        _AUDIT.check(text, f"a log record of {record.name!r} at {record.levelname}")


_HANDLER = _AuditHandler()
_saved: dict[str, Any] = {}


def _observing_init(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: BceError, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        # Subclasses set their attributes before calling up, so str() is complete here.
        where = f"a {type(self).__name__}"
        _AUDIT.check(str(self), f"the message of {where}")
        _AUDIT.check(repr(self), f"the repr of {where}")

    return __init__


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    root.addHandler(_HANDLER)
    sdk = logging.getLogger(_SDK_LOGGER)
    _saved["level"] = sdk.level
    sdk.setLevel(logging.DEBUG)
    _saved["init"] = BceError.__dict__.get("__init__")
    BceError.__init__ = _observing_init(BceError.__init__)  # type: ignore[method-assign]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``same_in_dev_mode(reason)``: skipped under ``PYTHONDEVMODE=1`` (nox -s tests' second
    pass), with its reason; a mark without one is a usage error in either pass."""
    for item in items:
        marker = item.get_closest_marker("same_in_dev_mode")
        if marker is None:
            continue
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: same_in_dev_mode needs a reason")
        if sys.flags.dev_mode:
            item.add_marker(pytest.mark.skip(reason=f"the same in dev mode: {reason}"))


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger().removeHandler(_HANDLER)
    logging.getLogger(_SDK_LOGGER).setLevel(_saved.get("level", logging.NOTSET))
    original = _saved.get("init")
    if original is None:
        del BceError.__init__
    else:  # pragma: no cover - BceError defines no __init__ of its own today
        BceError.__init__ = original  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    _AUDIT.current = item.nodeid
    try:
        return (yield)
    finally:
        _AUDIT.current = _OUTSIDE


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Any:
    value = yield
    if type(value).__module__.startswith(_SDK_LOGGER):
        _AUDIT.check(repr(value), f"the repr of fixture {fixturedef.argname!r}")
    return value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    where = f"the {report.when} report"
    if report.longrepr is not None:
        _AUDIT.check(report.longreprtext, where)
    for title, content in report.sections:
        if title.endswith(f" {report.when}"):  # later reports repeat earlier phases' sections
            _AUDIT.check(content, f"{where} section {title!r}")
    found = _AUDIT.take(item.nodeid)
    if found:
        message = "a known test secret was seen (see tests/secrets_registry.py):\n" + "\n".join(
            f"  - {entry}" for entry in found
        )
        if report.failed:
            # Keep the failure itself readable; it is often why the secret was shown.
            report.sections.append(("secret audit", message))
        else:
            report.outcome = "failed"
            report.longrepr = message
    return report


def pytest_warning_recorded(warning_message: Any, when: str, nodeid: str, location: Any) -> None:
    _AUDIT.check(str(warning_message.message), f"a warning ({when})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if any(_AUDIT.findings.values()):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    for where, found in _AUDIT.findings.items():
        for entry in found:
            terminalreporter.write_line(f"SECRET AUDIT: {where}: {entry}", red=True)
