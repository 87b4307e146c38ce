"""The fault rule the faults guide shows as JSON is the control plane's own (its python
blocks run in tests/test_runs_as_shown.py, with every other page's)."""

from __future__ import annotations

import json
import re
from pathlib import Path

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


def test_the_rule_shown_as_json_is_what_the_control_plane_lists() -> None:
    (shown,) = [json.loads(code) for _, code in _blocks("json")]
    rule = FaultPlan(operations=OPERATION_NAMES).add(
        "throttle", op="get_vpn", retry_after=2, times=2
    )
    assert shown == rule.as_json()
