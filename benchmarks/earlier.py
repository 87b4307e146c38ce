"""This tree's client side by side with an earlier commit's: client CPU per call.

The earlier commit's package is exported with ``git archive`` under
``build/bench/earlier/<sha>/`` and put first on the worker's ``PYTHONPATH``, so the same
reads worker (``reads.py``, contender ``sdk``: ``get_vpn`` of one gateway at concurrency
C) times both; each result names the file it imported, and the run stops if the earlier
copy was not the one imported. Both clients talk to one served emulator (this tree's), at
C = 50 and C = 1000, one after the other in every round with their order rotating, so
each round gives a ratio of two measurements taken moments apart: on a shared machine
those paired ratios move less than the two medians do.

With ``valgrind`` on PATH, each client's user-space instructions per call at C = 50 are
counted under callgrind too: the difference between a 1200-call and a 200-call run
(each after the same warm-up), divided by 1000, so start-up and imports cancel out. A
count is close to deterministic where CPU seconds are not; it leaves out the kernel's
share (sockets, epoll), which both clients pay alike.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import BUILD, HERE, ROOT, run_worker
from reads import worker_args

CONCURRENCY = (50, 1000)
# Calls per measurement at each C: a few seconds of each client per round.
CALLS = {50: 4000, 1000: 8000}
SIDES = ("this", "earlier")
_INSTRUCTION_CALLS = (200, 1200)


def export(ref: str) -> tuple[str, Path]:
    """The commit ``ref`` names, and a directory holding its ``bce_vpn_async`` package."""
    sha = _git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    home = BUILD / "earlier" / sha
    if not (home / "bce_vpn_async" / "__init__.py").exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha, "bce_vpn_async"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(home, filter="data")
    return sha, home


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def measure(
    ref: str,
    endpoint: str,
    vpn_id: str,
    server_pid: int,
    rounds: int,
    log: Callable[[str], None],
    *,
    calls: dict[int, int] | None = None,
) -> dict[str, Any]:
    """Both clients at every C for ``rounds`` rounds; instructions too if valgrind is here."""
    sha, home = export(ref)
    calls = CALLS if calls is None else calls
    this_sha = _git("rev-parse", "HEAD").strip()
    dirty = bool(_git("status", "--porcelain", "--", "bce_vpn_async").strip())
    results: list[dict[str, Any]] = []
    for round_ in range(rounds):
        for c in CONCURRENCY:
            order = SIDES if (round_ + c) % 2 == 0 else SIDES[::-1]
            for side in order:
                env = {"PYTHONPATH": str(home)} if side == "earlier" else None
                result = run_worker(
                    *worker_args("sdk", endpoint, vpn_id, calls[c], c, server_pid), env=env
                )
                _check_copy(result, home, side)
                result.update(round=round_, side=side)
                results.append(result)
                log(
                    f"earlier round {round_ + 1} C={c:<4} {side:<7} "
                    f"{result['cpu'] / result['n'] * 1e6:6.0f} us/call"
                )
    instructions = {}
    if shutil.which("valgrind"):
        for side in SIDES:
            instructions[side] = _instructions(
                None if side == "this" else home, endpoint, vpn_id, server_pid
            )
            log(f"earlier instructions {side:<7} {instructions[side]:,} per call at C=50")
    return {
        "ref": ref,
        "sha": sha,
        "this_sha": this_sha,
        "this_dirty": dirty,
        "runs": results,
        "instructions": instructions,
    }


def _check_copy(result: dict[str, Any], home: Path, side: str) -> None:
    imported = Path(result["sdk_file"]).resolve()
    earlier = imported.is_relative_to(home.resolve())
    if earlier != (side == "earlier"):
        raise RuntimeError(f"the {side} side imported {imported}")


def _instructions(home: Path | None, endpoint: str, vpn_id: str, server_pid: int) -> int:
    """User-space instructions per call at C = 50 (see the module's docstring)."""
    counts = []
    for n in _INSTRUCTION_CALLS:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(HERE / "worker.py"),
            *worker_args("sdk", endpoint, vpn_id, n, 50, server_pid),
        ]
        env = None if home is None else {**os.environ, "PYTHONPATH": str(home)}
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        if home is not None:
            _check_copy(json.loads(done.stdout.strip().splitlines()[-1]), home, "earlier")
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None:
            raise RuntimeError(f"callgrind gave no count:\n{done.stderr[-2000:]}")
        counts.append(int(found.group(1)))
    return (counts[1] - counts[0]) // (_INSTRUCTION_CALLS[1] - _INSTRUCTION_CALLS[0])


def summary(earlier: dict[str, Any]) -> dict[int, dict[str, float]]:
    """Per C: each side's median CPU per call (us) and the median of the paired ratios."""
    table: dict[int, dict[str, float]] = {}
    runs = earlier["runs"]
    for c in CONCURRENCY:
        per_round: dict[int, dict[str, float]] = {}
        for run in runs:
            if run["c"] == c:
                per_round.setdefault(run["round"], {})[run["side"]] = run["cpu"] / run["n"] * 1e6
        pairs = [r for r in per_round.values() if len(r) == 2]
        if not pairs:
            continue
        ratios = sorted(r["this"] / r["earlier"] for r in pairs)
        table[c] = {
            "this": statistics.median(r["this"] for r in pairs),
            "earlier": statistics.median(r["earlier"] for r in pairs),
            "ratio": statistics.median(ratios),
            "ratio_low": ratios[0],
            "ratio_high": ratios[-1],
            "rounds": len(pairs),
        }
    return table
