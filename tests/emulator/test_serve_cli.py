"""``python -m bce_vpn_async.testing serve`` as a process: how it ends, in one line."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest
from secrets_registry import OFFICIAL_SDK_SECRET_ACCESS_KEY

from bce_vpn_async.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY

SERVE = [sys.executable, "-m", "bce_vpn_async.testing", "serve", "--host", "127.0.0.1"]
PREFIX = "python -m bce_vpn_async.testing serve: "
TIMEOUT = 60  # bounds a hung child; never reached when the command works


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SERVE, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_taken_port_ends_with_one_line_and_status_1(taken_port: int) -> None:
    result = _run("--port", str(taken_port))
    assert result.returncode == 1
    assert _one_line(result.stderr) == (
        f"{PREFIX}error: cannot listen on 127.0.0.1:{taken_port}: Address already in use"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--port", "x"], "argument --port: invalid int value: 'x'"),
        (["--build-seconds", "-1"], "argument --build-seconds: must be a number >= 0, not '-1'"),
        (["--log-level", "loud"], "argument --log-level: invalid choice: 'loud'"),
        (
            ["--request-log-size", "-1"],
            "argument --request-log-size: must be a whole number >= 0, not '-1'",
        ),
    ],
)
def test_a_bad_option_ends_with_one_line_and_status_2(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert message in line
    assert line.endswith("(see --help)")


def test_a_setting_the_emulator_refuses_ends_with_one_line_and_status_1() -> None:
    result = _run("--port", "0", "--fault-rate", "2")
    assert result.returncode == 1
    assert (
        _one_line(result.stderr) == f"{PREFIX}error: rate must be a number between 0 and 1, not 2.0"
    )


def test_ctrl_c_stops_the_server_with_one_line_and_status_0() -> None:
    with subprocess.Popen(
        [*SERVE, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            ready = child.stdout.readline()
            assert ready.startswith("endpoint: http://127.0.0.1:")
            endpoint = ready.removeprefix("endpoint: ").strip()
            # An answer proves the server is serving, so its SIGINT handling is what stops it.
            assert httpx.get(f"{endpoint}/v1/vpn", timeout=TIMEOUT).status_code == 400
            child.send_signal(signal.SIGINT)
            _, stderr = child.communicate(timeout=TIMEOUT)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == 0
    assert _one_line(stderr) == f"{PREFIX}stopped (Ctrl-C)"


def test_serve_control_serves_the_control_plane_and_help_documents_it() -> None:
    help_text = _run("--help").stdout
    for route in ("GET    /_emulator/state", "POST   /_emulator/faults", "/_emulator/requests"):
        assert route in help_text
    with subprocess.Popen(
        [*SERVE, "--port", "0", "--control"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            endpoint = child.stdout.readline().removeprefix("endpoint: ").strip()
            lines = [child.stdout.readline().strip() for _ in range(3)]
            assert f"control plane: {endpoint}/_emulator/ (see serve --help)" in lines
            state = httpx.get(f"{endpoint}/_emulator/state", timeout=TIMEOUT)
            assert (state.status_code, state.json()["gateways"]) == (200, {})
            child.send_signal(signal.SIGINT)
            child.communicate(timeout=TIMEOUT)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == 0


def _printed_until_secret_line(*args: str) -> list[str]:
    """What ``serve`` prints up to its secret access key's export line, then stop it."""
    with subprocess.Popen(
        [*SERVE, "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        # A serve that never prints the line is killed, which ends the reading below.
        guard = threading.Timer(TIMEOUT, child.kill)
        guard.start()
        try:
            assert child.stdout is not None
            lines: list[str] = []
            while not lines or "BCE_SECRET_ACCESS_KEY=" not in lines[-1]:
                line = child.stdout.readline()
                assert line, f"serve printed no export line of the secret: {lines}"
                lines.append(line.rstrip("\n"))
            child.send_signal(signal.SIGINT)
            child.communicate(timeout=TIMEOUT)
        finally:
            guard.cancel()
            if child.poll() is None:
                child.kill()
    return lines


def _exported(printed: list[str]) -> dict[str, str]:
    """The BCE_* variables a shell has once the lines after the blank one are pasted in."""
    script = "\n".join([*printed[printed.index("") + 1 :], 'env | grep "^BCE_"'])
    shell = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, timeout=TIMEOUT, check=True, env={}
    )
    return dict(line.split("=", 1) for line in shell.stdout.splitlines())


def test_serve_prints_the_export_lines_of_its_endpoint_and_test_account() -> None:
    lines = _printed_until_secret_line()
    endpoint = lines[0].removeprefix("endpoint: ")
    assert _exported(lines) == {
        "BCE_ENDPOINT": endpoint,
        "BCE_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID,
        "BCE_SECRET_ACCESS_KEY": TEST_SECRET_ACCESS_KEY,
    }


def test_serve_quotes_what_it_exports_and_never_prints_a_secret_it_was_given() -> None:
    secret = OFFICIAL_SDK_SECRET_ACCESS_KEY
    lines = _printed_until_secret_line(
        "--access-key-id", "my key; $x", "--secret-access-key", secret
    )
    assert not any(secret in line for line in lines)
    assert (
        lines[-1] == "# export BCE_SECRET_ACCESS_KEY=<the one you passed with --secret-access-key>"
    )
    exported = _exported(lines)
    assert exported["BCE_ACCESS_KEY_ID"] == "my key; $x"
    assert "BCE_SECRET_ACCESS_KEY" not in exported
