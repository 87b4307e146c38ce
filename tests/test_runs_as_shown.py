"""What the project shows a reader runs as the reader runs it: every ```python block of
README.md and of the documentation site (``docs/``), and the scripts of ``examples/``.

The blocks run through ``tests/code_blocks.py``: a script unedited, twice in a row, against an
emulator served as ``python -m bce_vpn_async.testing serve`` serves it, with the
``BCE_ENDPOINT``, ``BCE_ACCESS_KEY_ID`` and ``BCE_SECRET_ACCESS_KEY`` a reader exports; a test
file under pytest with its page's own settings, warnings as errors (a block marked
``<!-- fragment -->`` is only compiled, in ``test_docs.py``). The examples run as a user with
no Baidu account runs them: as scripts, with no ``BCE_*`` variable set, on the embedded
emulator.

Every run starts at once (one module fixture), each block on an emulator of its own. The
quickstarts spend most of their run waiting, on the real clock, for gateways to build and
settle, while the other runs work: the file takes about as long as its slowest run, not the
sum of them. What the pages say is checked in ``test_docs.py`` and ``test_readme.py``; the
examples' functions are tested in-process in ``test_examples.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from code_blocks import ROOT, Block, Run, blocks

from bce_vpn_async.testing import EmulatorServer, VpnEmulator

pytestmark = pytest.mark.same_in_dev_mode(
    "each run is a process of its own, on client paths this pass tests in-process"
)

README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
RUNNABLE = [block for page in PAGES for block in blocks(page) if not block.fragment]

EMULATOR_LINE = "No BCE credentials set: running against the embedded emulator at http://127.0.0.1:"
EXAMPLES = {
    # 1 s builds instead of 2: the same polls happen, the run is 5 s shorter.
    "quickstart": ["examples/quickstart.py", "--build-seconds", "1"],
    "bulk": ["examples/bulk_provision.py", "--count", "12", "--concurrency", "6"],
    "pytest": ["-m", "pytest", "examples/test_with_emulator.py", "-q", "-p", "no:cacheprovider"],
}
# The quickstart's tunnel key and user passwords: its output must show none of them.
QUICKSTART_SECRETS = ["Psk_2024!x", "N3w_passw0rd", *(f"Passw0rd_{i}" for i in range(5))]


class ExampleRun:
    """One example script running in the background, in a process of its own."""

    def __init__(self, args: list[str], output: Path) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("BCE_")}
        self._output = output
        with output.open("wb") as sink:
            self._process = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
            )

    def result(self) -> tuple[int, str]:
        """The exit code and the combined stdout and stderr, once the script has ended.

        Under PYTHONDEVMODE=1 (which the child inherits), asyncio's debug mode logs every
        callback slower than 0.1 s ("Executing <Task ...> took 0.164 seconds"): timing
        noise on a loaded machine, not the script's output, so those lines are dropped."""
        code = self._process.wait(timeout=60)
        lines = self._output.read_text().splitlines(keepends=True)
        return code, "".join(line for line in lines if not line.startswith("Executing <"))

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


@dataclass(frozen=True)
class Runs:
    blocks: dict[str, Run]
    examples: dict[str, ExampleRun]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    with contextlib.ExitStack() as stack:
        folder = tmp_path_factory.mktemp("examples")
        examples: dict[str, ExampleRun] = {}
        for name, args in EXAMPLES.items():
            examples[name] = ExampleRun(args, folder / f"{name}.txt")
            stack.callback(examples[name].stop)
        started: dict[str, Run] = {}
        for index, block in enumerate(RUNNABLE):
            server = stack.enter_context(EmulatorServer(VpnEmulator()))
            run = Run(server, tmp_path_factory.mktemp(f"block{index}"), block, times=2)
            stack.callback(run.stop)
            started[block.id] = run
        yield Runs(started, examples)


# -- the blocks of README.md and docs/ -----------------------------------------------------------


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_a_block_runs_as_written(block: Block, runs: Runs) -> None:
    status, output = runs.blocks[block.id].result()
    assert status == 0, output
    if block.is_test_file:
        passed = re.search(r"\b(\d+) passed\b", output)
        assert passed is not None, output
        assert int(passed[1]) == len(re.findall(r"^(?:async )?def test_", block.code, re.M))
        assert "warning" not in output.lower(), output


def test_the_readme_quickstart_runs_twice_against_the_served_emulator_and_cleans_up(
    runs: Runs,
) -> None:
    (block,) = [
        block for block in RUNNABLE if block.page == README and block.heading == "Quickstart"
    ]
    run = runs.blocks[block.id]
    status, output = run.result()
    assert status == 0, output
    assert output.count("deleted vpn-") == 2, output
    emulator = run.server.emulator
    # Both runs reached this emulator, and left nothing behind for a third.
    assert emulator.requests.operations.count("create_vpn") == 2
    assert dict(emulator.state.gateways) == {}
    assert dict(emulator.state.tunnels) == {}


# -- the scripts of examples/ ----------------------------------------------------------------------


def test_the_quickstart_example_runs_to_the_end_on_the_embedded_emulator(runs: Runs) -> None:
    code, output = runs.examples["quickstart"].result()

    assert code == 0, output
    lines = output.splitlines()
    assert sum(EMULATOR_LINE in line for line in lines) == 1
    assert lines[0].startswith(EMULATOR_LINE)
    for expected in (
        "== IPSec gateway ==",
        "is building",
        "is unconfigured",
        "bound EIP 106.12.1.10",
        "is active",
        "created tunnel vpnconn-",
        "quickstart-ipsec  IPSec  active  eip=106.12.1.10",
        "VpnConn(vpn_conn_id='vpnconn-",
        "== SSL-VPN gateway ==",
        "created SSL-VPN service sslvpn-",
        "created 5 users",
        "(listed in 3 pages of at most 2)",
        "changed the password of vpn-ssl-user-",
    ):
        assert expected in output
    assert output.count("deleted vpn-") == 2
    assert lines[-1].endswith("] done")


def test_the_quickstart_example_shows_no_key_or_password(runs: Runs) -> None:
    _, output = runs.examples["quickstart"].result()

    assert "secret_key" not in output
    assert [secret for secret in QUICKSTART_SECRETS if secret in output] == []


def test_bulk_provision_makes_every_gateway_on_the_embedded_emulator(runs: Runs) -> None:
    code, output = runs.examples["bulk"].result()

    assert code == 0, output
    lines = output.splitlines()
    assert sum(EMULATOR_LINE in line for line in lines) == 1
    assert "Provisioning 12 gateways in 4 VPCs, 6 at a time (run id 'run1')" in lines
    assert any(line.startswith("provision [###") and "12/12" in line for line in lines)
    table = [line.split()[:2] for line in lines]
    for phase in ("create", "wait", "tunnel"):
        assert [phase, "12"] in table
    assert lines[-1].endswith("12 succeeded, 0 failed")


def test_the_fixture_examples_pass_under_pytest(runs: Runs) -> None:
    code, output = runs.examples["pytest"].result()

    assert code == 0, output
    assert "5 passed" in output
