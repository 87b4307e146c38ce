"""Every ```python block of the documentation site (``docs/``) runs as a reader runs it.

The harness is ``tests/code_blocks.py``: a script runs unedited, twice in a row, against
an emulator served as ``python -m bce_vpn_async.testing serve`` serves it, with the
``BCE_ENDPOINT``, ``BCE_ACCESS_KEY_ID`` and ``BCE_SECRET_ACCESS_KEY`` a reader exports; a
test file runs under pytest with the page's own settings, warnings as errors; a block marked
``<!-- fragment -->`` is compiled only.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from code_blocks import ROOT, SERVE_DEFAULTS, Block, Run, blocks, exports

from bce_vpn_async.testing import EmulatorServer, VpnEmulator

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
BLOCKS = [block for page in PAGES for block in blocks(page)]
RUNNABLE = [block for block in BLOCKS if not block.fragment]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    # Every block starts at once, each on an emulator of its own with serve's defaults:
    # the file takes about as long as the slowest block, not the sum of them all.
    with contextlib.ExitStack() as stack:
        started: dict[str, Run] = {}
        for index, block in enumerate(RUNNABLE):
            server = stack.enter_context(EmulatorServer(VpnEmulator()))
            run = Run(server, tmp_path_factory.mktemp(f"docs{index}"), block, times=2)
            stack.callback(run.stop)
            started[block.id] = run
        yield started


def test_the_site_has_runnable_blocks_on_its_guides() -> None:
    pages = {block.page.relative_to(DOCS).as_posix() for block in RUNNABLE}
    assert {"getting-started.md", "guides/testing.md", "guides/pagination.md"} <= pages
    assert any(block.is_test_file for block in RUNNABLE)


def test_getting_started_exports_what_serve_prints_for_its_test_account() -> None:
    assert SERVE_DEFAULTS in exports(DOCS / "getting-started.md")


@pytest.mark.same_in_dev_mode(
    "a block runs in a process of its own, on client paths this pass tests in-process"
)
@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_a_docs_block_runs_as_written(block: Block, runs: dict[str, Run]) -> None:
    status, output = runs[block.id].result()
    assert status == 0, output
    if block.is_test_file:
        passed = re.search(r"\b(\d+) passed\b", output)
        assert passed is not None, output
        assert int(passed[1]) == len(re.findall(r"^(?:async )?def test_", block.code, re.M))
        assert "warning" not in output.lower(), output


def test_every_python_block_of_the_docs_compiles() -> None:
    # Fragments are only compiled; a runnable block that does not compile fails here too,
    # naming its page and line, before its run says so less directly.
    for block in BLOCKS:
        block.compile()
