"""The served emulator stops when asked, whatever its faults hold: ``EmulatorServer.stop()``,
``serve`` on one SIGTERM or the first Ctrl-C, and the pytest fixture's teardown.

Times are measured and bounded generously (a few seconds, where stopping takes well under
one), so a loaded machine does not fail them while a stop that waits for a held answer
(30 s here) does.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from emulator_helpers import RawConnection, SignWith

from bce_vpn_async.testing import EmulatorServer, SystemClock, VpnEmulator

HELD = 30.0
BOUND = 5.0  # seconds: "within about a second", given room on a loaded shared machine
SERVE = [sys.executable, "-m", "bce_vpn_async.testing", "serve", "--host", "127.0.0.1"]
LIST = b"GET /v1/vpn?vpcId=vpc-1 HTTP/1.1\r\nHost: emulator\r\n\r\n"


@pytest.mark.parametrize("kind", ["stall", "latency"])
def test_stop_ends_at_once_while_a_fault_holds_requests(kind: str) -> None:
    emulator = VpnEmulator()
    emulator.faults.add(kind, seconds=HELD)
    before = set(threading.enumerate())
    server = EmulatorServer(emulator).start()
    try:
        auth = SignWith(server.credentials, SystemClock())
        # One client gave up on its held request; another is still waiting for its answer.
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{server.endpoint}/v1/vpn", params={"vpcId": "v"}, auth=auth, timeout=0.2)
        waiting = RawConnection(server.endpoint)
        waiting.send(LIST)
        assert waiting.received(wait=0.2) == b""
        started = time.monotonic()
    finally:
        server.stop()
    took = time.monotonic() - started
    assert took < BOUND
    # The waiting client's connection is closed, without an answer.
    assert waiting.received(wait=BOUND) == b""
    waiting.close()
    assert set(threading.enumerate()) <= before  # the server's thread has ended


def test_stop_twice_and_restart_are_fine() -> None:
    server = EmulatorServer(VpnEmulator())
    server.stop()  # not started: nothing to do
    with server:
        first = server.endpoint
        assert httpx.get(f"{first}/v1/vpn").status_code == 400
    server.stop()
    with server:
        assert httpx.get(f"{server.endpoint}/v1/vpn").status_code == 400


def _serve_holding_a_request() -> tuple[subprocess.Popen[str], RawConnection]:
    child = subprocess.Popen(
        [*SERVE, "--port", "0", "--control"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    endpoint = child.stdout.readline().removeprefix("endpoint: ").strip()
    rule = {"kind": "stall", "seconds": HELD}
    assert httpx.post(f"{endpoint}/_emulator/faults", json=rule).status_code == 201
    held = RawConnection(endpoint)
    held.send(LIST)
    assert held.received(wait=0.3) == b""
    return child, held


@pytest.mark.parametrize(
    ("signum", "reason"), [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "Ctrl-C")]
)
def test_serve_stops_on_one_signal_while_a_stall_holds_a_request(
    signum: signal.Signals, reason: str
) -> None:
    child, held = _serve_holding_a_request()
    try:
        started = time.monotonic()
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=HELD)
        took = time.monotonic() - started
    finally:
        held.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0
    assert stderr == f"python -m bce_vpn_async.testing serve: stopped ({reason})\n"
    assert took < BOUND


USER_TEST = """
import httpx
import pytest


def test_a_held_request(vpn_emulator_server):
    vpn_emulator_server.emulator.faults.add("stall", seconds=30)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{vpn_emulator_server.endpoint}/v1/vpn", timeout=0.2)
"""


def test_the_fixtures_teardown_ends_at_once_while_a_stall_holds_a_request(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--durations=0", "-vv")
    result.assert_outcomes(passed=1)
    text = result.stdout.str()
    (teardown,) = re.findall(r"([\d.]+)s teardown\s+test_user.py::test_a_held_request", text)
    assert float(teardown) < BOUND, text
