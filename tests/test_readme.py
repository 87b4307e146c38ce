"""Every ```python block of README.md runs as written, so the README cannot drift.

Each block runs in a fresh Python process (so ``asyncio.run(...)`` works as in a user's
script), with a timeout, against an emulator of its own served on loopback. The one
change made to a block's text is a plain substitution of the README's placeholders by
the emulator's values (``substitutions``):

- ``access_key_id="..."`` and ``secret_access_key="..."``: the emulator's credentials;
- ``endpoint="bcc.bj.baidubce.com"``: ``endpoint="http://127.0.0.1:<port>"``.

A block that defines a top-level ``test_`` function is a pytest test file: it runs under
``python -m pytest`` in a directory of its own, configured by the README's ```toml block
(the line the README tells users to add), with the package's pytest plugin as installed.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bce_vpn_async.testing import EmulatorServer, VpnEmulator

README = Path(__file__).resolve().parent.parent / "README.md"
TIMEOUT = 90.0
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_TEST_FILE = re.compile(r"^(async )?def test_", re.MULTILINE)


def blocks(language: str) -> list[tuple[str, str]]:
    """The README's blocks in ``language``, each with the heading it sits under."""
    text = README.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        if match.group(1) != language:
            continue
        headings = re.findall(r"^#+ (.+)$", text[: match.start()], re.MULTILINE)
        found.append((headings[-1] if headings else "top", match.group(2)))
    return found


PYTHON_BLOCKS = blocks("python")
IDS = [
    f"{index}-{heading.lower().replace(' ', '-')}"
    for index, (heading, _) in enumerate(PYTHON_BLOCKS)
]


def substitutions(server: EmulatorServer) -> dict[str, str]:
    credentials = server.credentials
    return {
        'access_key_id="..."': f"access_key_id={credentials.access_key_id!r}",
        'secret_access_key="..."': f"secret_access_key={credentials.secret_access_key!r}",
        'endpoint="bcc.bj.baidubce.com"': f"endpoint={server.endpoint!r}",
    }


def substituted(code: str, server: EmulatorServer) -> str:
    for placeholder, value in substitutions(server).items():
        code = code.replace(placeholder, value)
    return code


class Run:
    """One block running in its own process, against its own emulator."""

    def __init__(self, server: EmulatorServer, folder: Path, code: str) -> None:
        self.server = server
        code = substituted(code, server)
        env = {key: value for key, value in os.environ.items() if not key.startswith("BCE_")}
        if _TEST_FILE.search(code):
            (folder / "pyproject.toml").write_text(blocks("toml")[0][1], encoding="utf-8")
            (folder / "test_block.py").write_text(code, encoding="utf-8")
            args = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
        else:
            (folder / "block.py").write_text(code, encoding="utf-8")
            args = ["block.py"]
        self._output = folder / "output.txt"
        with self._output.open("wb") as sink:
            self._process = subprocess.Popen(
                [sys.executable, *args], cwd=folder, env=env, stdout=sink, stderr=subprocess.STDOUT
            )

    def result(self) -> tuple[int, str]:
        """The exit code and the output, once the block has ended. Under PYTHONDEVMODE=1
        asyncio's debug mode reports slow callbacks ("Executing <Task ...> took 0.1 s"):
        timing noise on a loaded machine, so those lines are dropped."""
        code = self._process.wait(timeout=TIMEOUT)
        lines = self._output.read_text(encoding="utf-8", errors="replace").splitlines()
        return code, "\n".join(line for line in lines if not line.startswith("Executing <"))

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Run]]:
    # All blocks start together, each on an emulator of its own: the file takes about
    # as long as the slowest block (the Quickstart's waits), not the sum of them all.
    with contextlib.ExitStack() as stack:
        started: list[Run] = []
        for index, (_, code) in enumerate(PYTHON_BLOCKS):
            server = stack.enter_context(EmulatorServer(VpnEmulator(build_seconds=0.2)))
            run = Run(server, tmp_path_factory.mktemp(f"block{index}"), code)
            stack.callback(run.stop)
            started.append(run)
        yield started


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    headings = [heading for heading, _ in PYTHON_BLOCKS]
    assert len(PYTHON_BLOCKS) >= 10
    assert {"Quickstart", "Per-call options", "Testing your code"} <= set(headings)
    assert len(blocks("toml")) == 1


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)), ids=IDS)
def test_a_readme_block_runs_as_written(index: int, runs: list[Run]) -> None:
    status, output = runs[index].result()
    assert status == 0, output
    if _TEST_FILE.search(PYTHON_BLOCKS[index][1]):
        assert re.search(r"\b1 passed\b", output), output


def test_the_quickstart_is_sent_to_the_emulator_and_leaves_its_gateway_there(
    runs: list[Run],
) -> None:
    # The substitution reaches the blocks: no block passes by talking to something else.
    (index,) = [i for i, (heading, _) in enumerate(PYTHON_BLOCKS) if heading == "Quickstart"]
    status, output = runs[index].result()
    assert status == 0, output
    state = runs[index].server.emulator.state
    (gateway,) = state.gateways.values()
    assert gateway.eip == "106.12.1.10"
    assert [tunnel.vpn_id for tunnel in state.tunnels.values()] == [gateway.vpn_id]
