"""The Markdown code blocks that claim to run, run as a reader runs them.

Used by ``tests/test_runs_as_shown.py`` (which runs them), ``tests/test_docs.py`` and
``tests/test_readme.py``. Every ```python block of a page is one of three kinds:

- **a script**: pasted into a file and run with ``python``, in a fresh process, against the
  emulator served on loopback as ``python -m bce_vpn_async.testing serve`` serves it, with
  the three variables a reader exports after starting it (``BCE_ENDPOINT``,
  ``BCE_ACCESS_KEY_ID``, ``BCE_SECRET_ACCESS_KEY``; every other ``BCE_*`` variable is
  cleared). It must exit with status 0.
- **a test file**: a block that defines a top-level ``test_`` function. It runs under
  ``python -m pytest -W error`` in a folder of its own, whose ``pyproject.toml`` is the
  nearest ```toml block above it on its page: the settings the page tells readers to use,
  so a setting that makes pytest or pytest-asyncio warn fails the block.
- **a fragment**: a block the page marks with the line ``<!-- fragment -->`` right above
  it (an HTML comment, which neither the site nor GitHub shows). It is part of a larger
  program, so it is only compiled.

``exports`` reads the ``export BCE_...=...`` lines a page tells readers to paste, so a test
can hold them to what ``serve`` serves (``SERVE_DEFAULTS``).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bce_vpn_async.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 90.0
# Blocks run at most this many at a time, so TIMEOUT bounds a block's own run, not its
# wait behind every other block of the file on a busy machine: two a core, as the
# quickstarts spend most of their run asleep between polls of a gateway's status.
_RUNNING = threading.BoundedSemaphore(2 * (os.cpu_count() or 2))
FRAGMENT = "<!-- fragment -->"

# A fence at any indentation (blocks inside list items are indented), closed by a fence of
# the same indentation.
_FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<language>\w*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ ]*$",
    re.MULTILINE | re.DOTALL,
)
_HEADING = re.compile(r"^#+ (.+?)(?: \{[^}]*\})?$", re.MULTILINE)
_TEST_FUNCTION = re.compile(r"^(async )?def test_", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown page."""

    page: Path
    line: int
    heading: str
    language: str
    code: str
    fragment: bool
    # The nearest ```toml block above this one on the page, if any.
    config: str | None

    @property
    def is_test_file(self) -> bool:
        return bool(_TEST_FUNCTION.search(self.code))

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")
        return f"{self.page.stem}:{self.line}-{slug}"

    def compile(self) -> None:
        """Compile the block (a syntax error fails here, with the page and line)."""
        ast.parse(self.code, filename=f"{self.page.name}, the block at line {self.line}")


def blocks(page: Path, language: str | None = "python") -> list[Block]:
    """The page's fenced blocks (in ``language``, or all), in order."""
    text = page.read_text(encoding="utf-8")
    found: list[Block] = []
    config: str | None = None
    for match in _FENCE.finditer(text):
        indent = len(match["indent"])
        code = "".join(line[indent:] + "\n" for line in match["body"].splitlines())
        before = text[: match.start()]
        if match["language"] == "toml":
            config = code
        if language is not None and match["language"] != language:
            continue
        headings = _HEADING.findall(before)
        previous = before.rstrip().rsplit("\n", 1)[-1].strip()
        found.append(
            Block(
                page=page,
                line=before.count("\n") + 1,
                heading=headings[-1] if headings else "top",
                language=match["language"],
                code=code,
                fragment=previous == FRAGMENT,
                config=config,
            )
        )
    return found


_EXPORT = re.compile(r"^export (BCE_\w+)=(\S+)$", re.MULTILINE)
# What `python -m bce_vpn_async.testing serve` serves with no option, as the variables a
# reader exports: its default port and the built-in test account.
SERVE_DEFAULTS = {
    "BCE_ENDPOINT": "http://127.0.0.1:8080",
    "BCE_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID,
    "BCE_SECRET_ACCESS_KEY": TEST_SECRET_ACCESS_KEY,
}


def exports(page: Path) -> list[dict[str, str]]:
    """The ``BCE_*`` variables each ```bash block of the page that exports some tells a
    reader to export (or each ```text block showing ``serve``'s output), one mapping per
    block."""
    shown = [*blocks(page, "bash"), *blocks(page, "text")]
    found = [dict(_EXPORT.findall(block.code)) for block in shown]
    return [variables for variables in found if variables]


def served_environment(server: EmulatorServer) -> dict[str, str]:
    """The environment of a reader who started ``serve`` and exported what it accepts."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BCE_")}
    credentials = server.credentials
    env["BCE_ENDPOINT"] = server.endpoint
    env["BCE_ACCESS_KEY_ID"] = credentials.access_key_id
    env["BCE_SECRET_ACCESS_KEY"] = credentials.secret_access_key
    return env


class Run:
    """One block running in the background, in processes of its own, against ``server``.

    A script runs ``times`` times in a row (each run after the last has ended), against the
    same emulator: a reader runs an example again, so it must clean up after itself or use
    fresh names. A test file runs once. ``code`` is the text to run (the block's own,
    unless the caller substitutes placeholders).
    """

    def __init__(
        self,
        server: EmulatorServer,
        folder: Path,
        block: Block,
        *,
        code: str | None = None,
        times: int = 1,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.server = server
        self.block = block
        code = block.code if code is None else code
        if block.is_test_file:
            if block.config is None:
                raise ValueError(f"{block.id}: a test file needs a ```toml block above it")
            (folder / "pyproject.toml").write_text(block.config, encoding="utf-8")
            (folder / "test_block.py").write_text(code, encoding="utf-8")
            self._args = ["-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider"]
            times = 1
        else:
            (folder / "block.py").write_text(code, encoding="utf-8")
            self._args = ["block.py"]
        self._folder = folder
        self._env = dict(served_environment(server) if env is None else env)
        self._times = times
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self._outcome: tuple[int, str] | None = None
        self._thread = threading.Thread(target=self._run, name=block.id, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        outputs = []
        status = 0
        for attempt in range(1, self._times + 1):
            sink_path = self._folder / f"output-{attempt}.txt"
            with _RUNNING:
                with sink_path.open("wb") as sink, self._lock:
                    if self._stopped:
                        status = -1
                        break
                    self._process = subprocess.Popen(
                        [sys.executable, *self._args],
                        cwd=self._folder,
                        env=self._env,
                        stdout=sink,
                        stderr=subprocess.STDOUT,
                    )
                try:
                    status = self._process.wait(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.stop()
                    status = -1
            outputs.append(f"--- run {attempt} of {self._times} ---\n{_read(sink_path)}")
            if status != 0:
                break
        self._outcome = (status, "\n".join(outputs))

    def result(self) -> tuple[int, str]:
        """The exit status (of the last run made) and the output of every run. Each run is
        bounded by TIMEOUT, so the wait ends."""
        self._thread.join()
        assert self._outcome is not None
        return self._outcome

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()


def _read(path: Path) -> str:
    """A run's output. Under PYTHONDEVMODE=1 asyncio's debug mode reports slow callbacks
    ("Executing <Task ...> took 0.1 s"): timing noise on a loaded machine, so those lines
    are dropped."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(line for line in lines if not line.startswith("Executing <"))
