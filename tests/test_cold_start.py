"""What a program's start loads: only what the first call needs.

Run in a fresh interpreter, since this test session has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Loaded only on the paths that need them: httpx's own transports (h11, httpcore), the
# emulator, OpenTelemetry, hypothesis.
_NOT_AT_START = ("h11", "httpcore", "bce_vpn_async.testing", "opentelemetry", "hypothesis")

_START = """
import json, sys
from bce_vpn_async import AsyncVpnClient, Credentials
AsyncVpnClient(credentials=Credentials("ak", "sk"), endpoint="http://127.0.0.1:9")
print(json.dumps(sorted(sys.modules)))
"""


def test_a_default_client_loads_only_what_its_first_call_needs() -> None:
    # A proxy in the environment would make httpx build its own transport for it.
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    done = subprocess.run(
        [sys.executable, "-c", _START],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = set(json.loads(done.stdout))
    assert "aiohttp" in loaded  # the check can see a loaded package
    assert [name for name in _NOT_AT_START if name in loaded] == []
