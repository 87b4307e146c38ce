"""README.md holds what it promises a newcomer: its blocks run as written, its commands and
the variables it exports are the true ones, and its links lead somewhere.

The blocks run through the harness of the documentation's blocks (``tests/code_blocks.py``),
unedited: the Quickstart is pasted into a file and run twice in a row against one emulator
served with ``serve``'s defaults, with the three ``BCE_*`` variables the README exports; the
test file runs under pytest with the README's ``pyproject.toml`` lines, warnings as errors.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from code_blocks import ROOT, SERVE_DEFAULTS, Run, blocks, exports

from bce_vpn_async.testing import EmulatorServer, VpnEmulator

README = ROOT / "README.md"
PYTHON_BLOCKS = blocks(README)
IDS = [block.id for block in PYTHON_BLOCKS]
# [text](target): a link of the README's Markdown.
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#+) (.+?)$", re.MULTILINE)
_FENCED = re.compile(r"^[ ]*```.*?^[ ]*```[ ]*$", re.MULTILINE | re.DOTALL)
_EXPLICIT_ID = re.compile(r"\{ ?#([\w-]+) ?\}\s*$")


def _headings(page: str) -> list[tuple[int, str]]:
    """The page's headings (level, text), outside its code blocks."""
    prose = _FENCED.sub("", page)
    return [(len(hashes), text) for hashes, text in _HEADING.findall(prose)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Run]]:
    # Every block starts at once, each on an emulator of its own.
    with contextlib.ExitStack() as stack:
        started: list[Run] = []
        for index, block in enumerate(PYTHON_BLOCKS):
            server = stack.enter_context(EmulatorServer(VpnEmulator()))
            run = Run(server, tmp_path_factory.mktemp(f"readme{index}"), block, times=2)
            stack.callback(run.stop)
            started.append(run)
        yield started


def test_the_readme_is_short_and_has_a_quickstart_then_tests() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 260
    sections = [heading for level, heading in _headings(text) if level == 2]
    assert sections.index("Quickstart") + 1 == sections.index("Testing your code")
    kinds = [(block.heading, block.is_test_file, block.fragment) for block in PYTHON_BLOCKS]
    assert kinds == [("Quickstart", False, False), ("Testing your code", True, False)]
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
        assert "warning" not in output.lower(), output


@pytest.mark.same_in_dev_mode(
    "a block runs in a process of its own, on client paths this pass tests in-process"
)
def test_the_quickstart_runs_twice_against_the_served_emulator_and_cleans_up(
    runs: list[Run],
) -> None:
    (index,) = [i for i, block in enumerate(PYTHON_BLOCKS) if block.heading == "Quickstart"]
    status, output = runs[index].result()
    assert status == 0, output
    assert output.count("deleted vpn-") == 2, output
    emulator = runs[index].server.emulator
    # Both runs reached this emulator, and left nothing behind for a third.
    assert emulator.requests.operations.count("create_vpn") == 2
    assert dict(emulator.state.gateways) == {}
    assert dict(emulator.state.tunnels) == {}


def test_the_readme_exports_what_serve_prints_for_its_test_account() -> None:
    assert exports(README) == [SERVE_DEFAULTS]


def test_the_readmes_test_command_is_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    readme = README.read_text(encoding="utf-8").splitlines()
    assert any(line in ci for line in readme if line.endswith(".venv/bin/nox"))


def _anchors(page: str) -> set[str]:
    """The anchors of a Markdown page, as GitHub makes them from its headings, and the
    ``{ #id }`` the site gives some of them."""
    found = set()
    for _, heading in _headings(page):
        explicit = _EXPLICIT_ID.search(heading)
        if explicit:
            found.add(explicit[1])
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_every_link_of_the_readme_leads_to_a_file_and_a_heading_of_it() -> None:
    targets = _LINK.findall(README.read_text(encoding="utf-8"))
    local = [target for target in targets if "://" not in target]
    assert len(local) >= 20
    for target in local:
        path, _, anchor = target.partition("#")
        file = ROOT / path
        assert file.is_file(), target
        if anchor:
            assert anchor in _anchors(file.read_text(encoding="utf-8")), target
