"""README.md holds what it promises a newcomer: a short page with a Quickstart then testing,
the true commands and exported variables, and links that lead somewhere.

Its blocks run as written (the Quickstart twice in a row against one emulator served with
``serve``'s defaults, the test file under pytest with the README's ``pyproject.toml`` lines)
in ``tests/test_runs_as_shown.py``.
"""

from __future__ import annotations

import re

import pytest
from code_blocks import ROOT, SERVE_DEFAULTS, blocks, exports

pytestmark = pytest.mark.same_in_dev_mode(
    "it reads the README's text and the files it links: no event loop, no resources"
)

README = ROOT / "README.md"
PYTHON_BLOCKS = blocks(README)
# [text](target): a link of the README's Markdown.
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#+) (.+?)$", re.MULTILINE)
_FENCED = re.compile(r"^[ ]*```.*?^[ ]*```[ ]*$", re.MULTILINE | re.DOTALL)
_EXPLICIT_ID = re.compile(r"\{ ?#([\w-]+) ?\}\s*$")


def _headings(page: str) -> list[tuple[int, str]]:
    """The page's headings (level, text), outside its code blocks."""
    prose = _FENCED.sub("", page)
    return [(len(hashes), text) for hashes, text in _HEADING.findall(prose)]


def test_the_readme_is_short_and_has_a_quickstart_then_tests() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 260
    sections = [heading for level, heading in _headings(text) if level == 2]
    assert sections.index("Quickstart") + 1 == sections.index("Testing your code")
    kinds = [(block.heading, block.is_test_file, block.fragment) for block in PYTHON_BLOCKS]
    assert kinds == [("Quickstart", False, False), ("Testing your code", True, False)]
    assert len(blocks(README, "toml")) == 1


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
