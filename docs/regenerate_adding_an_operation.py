"""Regenerate ``docs/adding-an-operation.diff``, CONTRIBUTING.md's worked example
(``create_cgw``, a 22nd operation the SDK does not ship), on the current tree.

    python docs/regenerate_adding_an_operation.py            # apply, refresh, capture, revert
    python docs/regenerate_adding_an_operation.py --capture  # after resolving by hand

Run it from a checkout with nothing uncommitted, with the project's Python (it runs pytest
to refresh the site's table of operations). It applies the patch with ``git apply --3way``,
so the example is merged around code that moved since it was made; regenerates the table
of operations on ``docs/service/operations.md``; writes ``git diff`` of the result over the
patch; puts every file back as committed; and writes the patch's ``git apply --stat`` into
CONTRIBUTING.md.

If the merge conflicts, it stops with the tree as git left it: resolve the conflicts (or
make the example show something new: edit it like any change), ``git add`` the files, and
run it again with ``--capture``. Then run ``pytest tests/test_adding_an_operation.py`` and
commit the patch and CONTRIBUTING.md.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PATCH = Path("docs/adding-an-operation.diff")
CONTRIBUTING = Path("CONTRIBUTING.md")
STAT_BEGIN = "<!-- stat: git apply --stat docs/adding-an-operation.diff -->"
STAT_END = "<!-- end of stat -->"
# Two lines of context: enough to place each hunk, few enough that code moving nearby
# (another branch's clean-up) leaves the patch applying.
# What the example may touch: anything but its own documentation (this script, the patch
# and CONTRIBUTING.md); the site's table of operations is part of it.
EXAMPLE = (
    ".",
    f":(exclude){PATCH.as_posix()}",
    ":(exclude)docs/regenerate_adding_an_operation.py",
    f":(exclude){CONTRIBUTING.as_posix()}",
)
DIFF = (
    "diff",
    "--unified=2",
    "--full-index",
    "--no-color",
    "--no-ext-diff",
    "--no-renames",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


def git(*args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def apply() -> None:
    if git("status", "--porcelain", "--untracked-files=no"):
        sys.exit("commit or stash your changes first: the example is applied to the tree")
    done = subprocess.run(
        ["git", "apply", "--3way", str(PATCH)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(
            f"{done.stderr}\nThe example does not merge cleanly. Resolve the conflicts "
            f"(git status lists them), git add the files, then run\n"
            "    python docs/regenerate_adding_an_operation.py --capture"
        )


def capture() -> None:
    if git("diff", "--name-only", "--diff-filter=U"):
        sys.exit("unresolved conflicts: resolve and git add them, then run with --capture")
    # The site's table of operations is generated from the table; refresh its new row.
    env = {**os.environ, "BCE_VPN_WRITE_DOCS": "1", "PYTHONPATH": str(Path.cwd())}
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if subprocess.run([*pytest, "tests/test_operations.py"], env=env, check=False).returncode:
        sys.exit("tests/test_operations.py fails with the example applied: fix the example")
    # Tracked files only (the table's refreshed row too): files `git apply --3way` adds are
    # in the index already, and a stray untracked file is not part of the example.
    git("add", "--update", "--", *EXAMPLE)
    diff = git(*DIFF, "--cached", "HEAD", "--", *EXAMPLE)
    if not diff:
        sys.exit("nothing to capture: the example is not applied")
    if re.search(r"^\+(<{7}|>{7}|={7})( |$)", diff, re.MULTILINE):
        sys.exit("conflict markers left in the example: resolve them, then run with --capture")
    # Put every file back as committed (a file the example adds is removed).
    changed = git("diff", "--cached", "--name-status", "--no-renames", "HEAD", "--", *EXAMPLE)
    for line in changed.splitlines():
        status, path = line.split("\t", 1)
        if status == "A":
            git("rm", "-q", "--cached", "--force", "--", path)
            Path(path).unlink()
        else:
            git("checkout", "HEAD", "--", path)
    PATCH.write_text(diff, encoding="utf-8")
    stat = git("apply", "--stat", str(PATCH)).rstrip("\n")
    text = CONTRIBUTING.read_text(encoding="utf-8")
    before, rest = text.split(STAT_BEGIN + "\n", 1)
    _, after = rest.split(STAT_END, 1)
    block = f"```text\n{stat}\n```\n"
    CONTRIBUTING.write_text(f"{before}{STAT_BEGIN}\n{block}{STAT_END}{after}", encoding="utf-8")
    print(f"wrote {PATCH} and its stat in {CONTRIBUTING}:\n{stat}")
    print("now: pytest tests/test_adding_an_operation.py, and commit both")


def main() -> None:
    os.chdir(git("rev-parse", "--show-toplevel").strip())
    if sys.argv[1:] not in ([], ["--capture"]):
        sys.exit(__doc__)
    if not sys.argv[1:]:
        apply()
    capture()


if __name__ == "__main__":
    main()
