"""What the code cites resolves inside the repository: every ``docs/...md#anchor`` named in
the package's source (docstrings and comments) and in the tests is a page of ``docs/`` with
that anchor, so a reader can follow it and a renamed section cannot leave it dangling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.same_in_dev_mode(
    "it reads the source's citations and the pages they name: no event loop, no resources"
)

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"docs/(?P<page>[\w/-]+\.md)(?:#(?P<anchor>[\w-]+))?")
# A heading's explicit anchor ("## Title { #anchor }") or an HTML one (<a id="anchor">).
ANCHOR = re.compile(r"\{ #(?P<heading>[\w-]+) \}|<a id=\"(?P<html>[\w-]+)\">")


def _anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    return {match["heading"] or match["html"] for match in ANCHOR.finditer(text)}


def _citations() -> list[tuple[str, str, str | None]]:
    found = []
    for folder in ("bce_vpn_async", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for match in CITATION.finditer(text):
                where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
                found.append((where, match["page"], match["anchor"]))
    return found


def test_the_code_cites_the_service_pages() -> None:
    pages = {page for _, page, _ in _citations()}
    assert {"service/disagreements.md", "service/api-facts.md"} <= pages


def test_every_page_and_anchor_the_code_cites_exists() -> None:
    missing = []
    for where, page, anchor in _citations():
        path = ROOT / "docs" / page
        if not path.is_file():
            missing.append(f"{where}: no page docs/{page}")
        elif anchor is not None and anchor not in _anchors(path):
            missing.append(f"{where}: no anchor #{anchor} on docs/{page}")
    assert missing == []


# What a citation looked like before the facts were vendored under docs/: a section number
# of a document outside the repository, or a bare id of a Baidu page.
OUTSIDE = re.compile(r"\bspec (?:section )?\d|\[D:\w+|\bD:[A-Za-z0-9]{9}\b|\.\./shared")


def test_no_citation_points_outside_the_repository() -> None:
    found = []
    for folder in ("bce_vpn_async", "tests", "examples", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if OUTSIDE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
