"""The documentation site's pages (``docs/``) hold what they promise: the pages that claim
runnable blocks have them, their exports are what ``serve`` prints, and every block compiles.

The blocks themselves run, as a reader runs them, in ``tests/test_runs_as_shown.py``.
"""

from __future__ import annotations

import pytest
from code_blocks import ROOT, SERVE_DEFAULTS, blocks, exports

pytestmark = pytest.mark.same_in_dev_mode("it reads the pages' text: no event loop, no resources")

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
BLOCKS = [block for page in PAGES for block in blocks(page)]
RUNNABLE = [block for block in BLOCKS if not block.fragment]


def test_the_site_has_runnable_blocks_on_its_guides() -> None:
    pages = {block.page.relative_to(DOCS).as_posix() for block in RUNNABLE}
    assert {"getting-started.md", "guides/testing.md", "guides/pagination.md"} <= pages
    assert any(block.is_test_file for block in RUNNABLE)


def test_getting_started_exports_what_serve_prints_for_its_test_account() -> None:
    assert SERVE_DEFAULTS in exports(DOCS / "getting-started.md")


def test_every_python_block_of_the_docs_compiles() -> None:
    # Fragments are only compiled; a runnable block that does not compile fails here too,
    # naming its page and line, before its run says so less directly.
    for block in BLOCKS:
        block.compile()
