"""Every ```python block of README.md runs as written, so the README cannot drift.

Each block runs in a fresh Python process (so ``asyncio.run(...)`` works as in a user's
script), with a timeout, against an emulator of its own served on loopback, through the
harness the documentation's blocks use (``tests/code_blocks.py``). The one change made to
a block's text is a plain substitution of the README's placeholders by the emulator's
values (``substitutions``):

- ``access_key_id="..."`` and ``secret_access_key="..."``: the emulator's credentials;
- ``endpoint="bcc.bj.baidubce.com"``: ``endpoint="http://127.0.0.1:<port>"``.

A block that defines a top-level ``test_`` function is a pytest test file: it runs under
``python -m pytest`` in a directory of its own, configured by the README's ```toml block
(the lines the README tells users to add), with the package's pytest plugin as installed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from code_blocks import ROOT, Block, Run, blocks

from bce_vpn_async.testing import EmulatorServer, VpnEmulator

README = ROOT / "README.md"
PYTHON_BLOCKS = blocks(README)
IDS = [
    f"{index}-{block.heading.lower().replace(' ', '-')}"
    for index, block in enumerate(PYTHON_BLOCKS)
]


def substitutions(server: EmulatorServer) -> dict[str, str]:
    credentials = server.credentials
    return {
        'access_key_id="..."': f"access_key_id={credentials.access_key_id!r}",
        'secret_access_key="..."': f"secret_access_key={credentials.secret_access_key!r}",
        'endpoint="bcc.bj.baidubce.com"': f"endpoint={server.endpoint!r}",
    }


def substituted(block: Block, server: EmulatorServer) -> str:
    code = block.code
    for placeholder, value in substitutions(server).items():
        code = code.replace(placeholder, value)
    return code


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Run]]:
    # All blocks start together, each on an emulator of its own: the file takes about
    # as long as the slowest block (the Quickstart's waits), not the sum of them all.
    with contextlib.ExitStack() as stack:
        started: list[Run] = []
        for index, block in enumerate(PYTHON_BLOCKS):
            server = stack.enter_context(EmulatorServer(VpnEmulator(build_seconds=0.2)))
            folder = tmp_path_factory.mktemp(f"block{index}")
            run = Run(server, folder, block, code=substituted(block, server))
            stack.callback(run.stop)
            started.append(run)
        yield started


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    headings = [block.heading for block in PYTHON_BLOCKS]
    assert len(PYTHON_BLOCKS) >= 10
    assert {"Quickstart", "Per-call options", "Testing your code"} <= set(headings)
    assert len(blocks(README, "toml")) == 1


@pytest.mark.same_in_dev_mode(
    "a block runs in a process of its own, on client paths this pass tests in-process"
)
@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)), ids=IDS)
def test_a_readme_block_runs_as_written(index: int, runs: list[Run]) -> None:
    status, output = runs[index].result()
    assert status == 0, output
    if PYTHON_BLOCKS[index].is_test_file:
        assert re.search(r"\b1 passed\b", output), output


@pytest.mark.same_in_dev_mode(
    "a block runs in a process of its own, on client paths this pass tests in-process"
)
def test_the_quickstart_is_sent_to_the_emulator_and_leaves_its_gateway_there(
    runs: list[Run],
) -> None:
    # The substitution reaches the blocks: no block passes by talking to something else.
    (index,) = [i for i, block in enumerate(PYTHON_BLOCKS) if block.heading == "Quickstart"]
    status, output = runs[index].result()
    assert status == 0, output
    state = runs[index].server.emulator.state
    (gateway,) = state.gateways.values()
    assert gateway.eip == "106.12.1.10"
    assert [tunnel.vpn_id for tunnel in state.tunnels.values()] == [gateway.vpn_id]
