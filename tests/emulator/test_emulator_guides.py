"""The emulator's faults and server guides say what the emulator does: each
```python block runs as written, in a fresh process, and the rule shown as JSON is the
control plane's own."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bce_vpn_async.testing import OPERATION_NAMES, FaultPlan

GUIDES = Path(__file__).resolve().parents[2] / "docs" / "guides"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[tuple[str, str]]:
    return [
        (f"{path.stem}-{index}", match.group(2))
        for path in (GUIDES / "emulator-faults.md", GUIDES / "emulator-server.md")
        for index, match in enumerate(_FENCE.finditer(path.read_text(encoding="utf-8")))
        if match.group(1) == language
    ]


PYTHON = _blocks("python")


def test_the_guides_have_python_to_run() -> None:
    assert len(PYTHON) >= 2


@pytest.mark.parametrize("code", [code for _, code in PYTHON], ids=[name for name, _ in PYTHON])
def test_each_python_block_runs_as_written(code: str, tmp_path: Path) -> None:
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_rule_shown_as_json_is_what_the_control_plane_lists() -> None:
    (shown,) = [json.loads(code) for _, code in _blocks("json")]
    rule = FaultPlan(operations=OPERATION_NAMES).add(
        "throttle", op="get_vpn", retry_after=2, times=2
    )
    assert shown == rule.as_json()
