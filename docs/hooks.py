"""MkDocs hooks of the documentation site (``hooks:`` in mkdocs.yml).

- The files kept at the repository root, where GitHub readers and the tools that write
  them expect them, are pages of the site too: ``CHANGELOG.md`` as ``changelog.md``, and
  ``BENCHMARKS.md`` with its plot as ``benchmarks.md`` (written by ``nox -s bench``; the
  plot sits beside it, so its image link resolves in both places).
- What a page shows from those files is read from them at build time, so it has one
  source: ``<!-- include BENCHMARKS.md: Targets -->`` is the body of BENCHMARKS.md's
  section ``## Targets``.
- After the build, every name in the ``__all__`` of each public module must have an entry
  in the inventory mkdocstrings writes (``objects.inv``): a name added to a module but to
  no reference page fails the build.
"""

from __future__ import annotations

import importlib
import re
import zlib
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
# Page in the site -> file at the repository root.
ROOT_FILES = {
    "changelog.md": "CHANGELOG.md",
    "benchmarks.md": "BENCHMARKS.md",
    "benchmarks_calls_per_second.png": "benchmarks_calls_per_second.png",
}
INCLUDE = re.compile(r"^<!-- include (?P<file>[\w.]+): (?P<part>[^>]+?) -->$", re.MULTILINE)
PUBLIC_MODULES = ("bce_vpn_async", "bce_vpn_async.testing", "bce_vpn_async.otel")


def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    for page, source in ROOT_FILES.items():
        files.append(File.generated(config, page, abs_src_path=str(ROOT / source)))
    return files


def on_page_markdown(markdown: str, page: Page, **kwargs: Any) -> str:
    def included(match: re.Match[str]) -> str:
        name, part = match["file"], match["part"]
        path = ROOT / name
        if not path.is_file():
            raise PluginError(f"{page.file.src_uri}: no file {name} to include")
        return _section(path.read_text(encoding="utf-8"), part, page)

    return INCLUDE.sub(included, markdown)


def _section(text: str, heading: str, page: Page) -> str:
    """The body of the section ``## heading``, up to the next heading of its level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if match is None:
        raise PluginError(f"{page.file.src_uri}: no section '## {heading}' to include")
    return match[1].strip()


def on_post_build(config: MkDocsConfig, **kwargs: Any) -> None:
    documented = inventory(Path(config.site_dir) / "objects.inv")
    missing = [
        f"{name}.{member}"
        for name in PUBLIC_MODULES
        for member in importlib.import_module(name).__all__
        if f"{name}.{member}" not in documented
    ]
    if missing:
        raise PluginError(f"public names with no entry in the API reference: {missing}")


def inventory(path: Path) -> set[str]:
    """The object names of a Sphinx inventory (version 2): a four-line header, then
    zlib-compressed lines of ``name domain:role priority uri display-name``."""
    data = path.read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    lines = zlib.decompress(data[header_end:]).decode("utf-8").splitlines()
    return {line.split(" ", 1)[0] for line in lines if line.strip()}
