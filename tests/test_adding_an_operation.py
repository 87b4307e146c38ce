"""CONTRIBUTING.md's worked example stays true as the code moves.

``docs/adding-an-operation.diff`` adds a 22nd operation, ``create_cgw``, by CONTRIBUTING's
steps. Here it is applied to a copy of the tree and the test files it touches (and
``tests/test_operations.py``, which holds every method to the table) must pass there. The
product ships without it. When the diff stops applying, regenerate it:
``python docs/regenerate_adding_an_operation.py`` (see CONTRIBUTING.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bce_vpn_async
from bce_vpn_async import AsyncVpnClient
from bce_vpn_async._operations import OPERATIONS

ROOT = Path(__file__).resolve().parent.parent
PATCH = ROOT / "docs" / "adding-an-operation.diff"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
STAT_BEGIN = "<!-- stat: git apply --stat docs/adding-an-operation.diff -->"
STAT_END = "<!-- end of stat -->"
REGENERATE = "python docs/regenerate_adding_an_operation.py"
# What the tests in the copy read: the package, the tests, the site's pages (the table of
# operations) and pyproject.toml (pytest's settings).
COPIED = ("bce_vpn_async", "tests", "docs", "pyproject.toml")


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is not on PATH: it is needed to apply docs/adding-an-operation.diff")
    return git


def _touched() -> list[str]:
    return re.findall(r"^\+\+\+ b/(\S+)$", PATCH.read_text(encoding="utf-8"), re.MULTILINE)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_worked_example_is_not_shipped() -> None:
    assert "create_cgw" not in {operation.name for operation in OPERATIONS}
    assert not hasattr(AsyncVpnClient, "create_cgw")
    assert "CreateCgwResult" not in bce_vpn_async.__all__
    assert len(OPERATIONS) == 21


def test_contributing_shows_the_diffs_stat() -> None:
    stat = subprocess.run(
        [_git(), "apply", "--numstat", str(PATCH)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    changed = {}
    for line in stat.splitlines():
        added, deleted, path = line.split("\t")
        changed[path] = int(added) + int(deleted)
    text = CONTRIBUTING.read_text(encoding="utf-8")
    block = text.split(STAT_BEGIN, 1)[1].split(STAT_END, 1)[0]
    shown = {
        path: int(count)
        for path, count in re.findall(r"^ (\S+)\s+\|\s+(\d+) ", block, re.MULTILINE)
    }
    assert shown == changed, f"CONTRIBUTING.md's stat is stale: run {REGENERATE} --capture"


@pytest.mark.same_in_dev_mode(
    "it runs test files of this suite on a copy of the tree; this pass runs them here"
)
def test_the_worked_example_applies_and_its_tests_pass(tmp_path: Path) -> None:
    git = _git()
    copy = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy2(source, copy / name)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "BCE_VPN_WRITE_DOCS"}
    }
    # No repository above the copy is found: `git apply` patches the copy, relative to it.
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    env["PYTHONPATH"] = str(copy)

    for step in (["--check"], []):
        applied = _run([git, "apply", *step, str(PATCH)], copy, env)
        assert applied.returncode == 0, (
            f"docs/adding-an-operation.diff no longer applies to the tree:\n{applied.stderr}\n"
            f"regenerate it: {REGENERATE} (CONTRIBUTING.md, 'The worked example')"
        )

    imported = _run(
        [sys.executable, "-c", "import bce_vpn_async; print(bce_vpn_async.__file__)"], copy, env
    )
    assert Path(imported.stdout.strip()).is_relative_to(copy), imported.stdout + imported.stderr

    tests = [path for path in _touched() if re.fullmatch(r"tests/(.+/)?test_\w+\.py", path)]
    assert tests, "the example adds tests"
    files = sorted({*tests, "tests/test_operations.py"})
    ran = _run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *files], copy, env)
    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, f"with the example applied, its tests fail:\n{output}"
    summary = output.strip().splitlines()[-1]
    assert re.fullmatch(r"=+ \d+ passed in [\d.]+s( \(.*\))? =+", summary), summary
    for path in files:
        assert re.search(rf"^{re.escape(path)}::\S+ PASSED", output, re.MULTILINE), path
    assert re.search(r"::\S*create_cgw\S* PASSED", output), "the new operation's tests ran"
