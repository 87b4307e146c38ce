"""The examples run to the end on the embedded emulator, as a user with no Baidu account
would run them: as scripts, with no BCE_* variables set.

The three scripts start together (module fixture) and each test waits for its own, so the
file takes as long as the slowest (the quickstart, about 15 s) rather than their sum.
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from bce_vpn_async import AsyncVpnClient, Billing
from bce_vpn_async.testing import VpnEmulator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EMULATOR_LINE = "No BCE credentials set: running against the embedded emulator at http://127.0.0.1:"
COMMANDS = {
    # 1 s builds instead of 2: the same polls happen, the run is 5 s shorter.
    "quickstart": ["examples/quickstart.py", "--build-seconds", "1"],
    "bulk": ["examples/bulk_provision.py", "--count", "12", "--concurrency", "6"],
    "pytest": ["-m", "pytest", "examples/test_with_emulator.py", "-q", "-p", "no:cacheprovider"],
}
# The quickstart's tunnel key and user passwords: its output must show none of them.
QUICKSTART_SECRETS = ["Psk_2024!x", "N3w_passw0rd", *(f"Passw0rd_{i}" for i in range(5))]


class Run:
    def __init__(self, process: subprocess.Popen[bytes], output: Path) -> None:
        self._process = process
        self._output = output

    def result(self) -> tuple[int, str]:
        """The exit code and the combined stdout and stderr, once the script has ended.

        Under PYTHONDEVMODE=1 (which the child inherits), asyncio's debug mode logs every
        callback slower than 0.1 s ("Executing <Task ...> took 0.164 seconds"): timing
        noise on a loaded machine, not the script's output, so those lines are dropped."""
        code = self._process.wait(timeout=60)
        lines = self._output.read_text().splitlines(keepends=True)
        return code, "".join(line for line in lines if not line.startswith("Executing <"))

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BCE_")}
    folder = tmp_path_factory.mktemp("examples")
    started: dict[str, Run] = {}
    for name, args in COMMANDS.items():
        output = folder / f"{name}.txt"
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
            )
        started[name] = Run(process, output)
    yield started
    for run in started.values():
        run.stop()


@pytest.mark.same_in_dev_mode(
    "an example runs in a process of its own, on client paths this pass tests in-process"
)
def test_the_quickstart_runs_to_the_end_on_the_embedded_emulator(runs: dict[str, Run]) -> None:
    code, output = runs["quickstart"].result()

    assert code == 0, output
    lines = output.splitlines()
    assert sum(EMULATOR_LINE in line for line in lines) == 1
    assert lines[0].startswith(EMULATOR_LINE)
    for expected in (
        "== IPSec gateway ==",
        "is building",
        "is unconfigured",
        "bound EIP 106.12.1.10",
        "is active",
        "created tunnel vpnconn-",
        "quickstart-ipsec  IPSec  active  eip=106.12.1.10",
        "VpnConn(vpn_conn_id='vpnconn-",
        "== SSL-VPN gateway ==",
        "created SSL-VPN service sslvpn-",
        "created 5 users",
        "(listed in 3 pages of at most 2)",
        "changed the password of vpn-ssl-user-",
    ):
        assert expected in output
    assert output.count("deleted vpn-") == 2
    assert lines[-1].endswith("] done")


@pytest.mark.same_in_dev_mode(
    "an example runs in a process of its own, on client paths this pass tests in-process"
)
def test_the_quickstart_shows_no_key_or_password(runs: dict[str, Run]) -> None:
    _, output = runs["quickstart"].result()

    assert "secret_key" not in output
    assert [secret for secret in QUICKSTART_SECRETS if secret in output] == []


@pytest.mark.same_in_dev_mode(
    "an example runs in a process of its own, on client paths this pass tests in-process"
)
def test_bulk_provision_makes_every_gateway_on_the_embedded_emulator(
    runs: dict[str, Run],
) -> None:
    code, output = runs["bulk"].result()

    assert code == 0, output
    lines = output.splitlines()
    assert sum(EMULATOR_LINE in line for line in lines) == 1
    assert "Provisioning 12 gateways in 4 VPCs, 6 at a time (run id 'run1')" in lines
    assert any(line.startswith("provision [###") and "12/12" in line for line in lines)
    table = [line.split()[:2] for line in lines]
    for phase in ("create", "wait", "tunnel"):
        assert [phase, "12"] in table
    assert lines[-1].endswith("12 succeeded, 0 failed")


@pytest.mark.same_in_dev_mode(
    "an example runs in a process of its own, on client paths this pass tests in-process"
)
def test_the_fixture_examples_pass_under_pytest(runs: dict[str, Run]) -> None:
    code, output = runs["pytest"].result()

    assert code == 0, output
    assert "5 passed" in output


# -- bulk_provision's functions, in-process: a re-run after failures makes nothing twice ------


@pytest.fixture
def bulk() -> Iterator[ModuleType]:
    sys.path.insert(0, str(EXAMPLES))
    try:
        yield importlib.import_module("bulk_provision")
    finally:
        sys.path.remove(str(EXAMPLES))


async def test_bulk_provision_run_again_after_failures_finishes_without_duplicates(
    bulk: ModuleType, vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    sites = bulk.plan(12, [f"vpc-{i}" for i in range(4)], "bulk", 3)
    options = {"run_id": "r1", "name_prefix": "bulk-", "concurrency": 6, "psk": "Psk_2024!x"}
    # Lost answers to creates (the service made the gateway), and every tunnel failing:
    # the first run ends with 12 failures, the second finishes the job.
    vpn_emulator.faults.add("drop_after", op="create_vpn", rate=0.3)
    vpn_emulator.faults.add("error", op="create_vpn_conn", status=500)

    first = await bulk.provision(
        vpn_client, sites, progress=bulk.Progress(12, "p", io.StringIO()), **options
    )
    vpn_emulator.faults.clear()
    second = await bulk.provision(
        vpn_client, sites, progress=bulk.Progress(12, "p", io.StringIO()), **options
    )

    assert all(r.error is not None for r in first)
    assert [r.error for r in second] == [None] * 12
    assert all("gateway" in r.reused for r in second)
    assert len(vpn_emulator.state.gateways) == 12
    assert len(vpn_emulator.state.tunnels) == 12


async def test_bulk_cleanup_deletes_the_tunnels_and_gateways_it_made(
    bulk: ModuleType, vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    vpcs = ["vpc-0", "vpc-1", "vpc-2"]
    sites = bulk.plan(6, vpcs, "bulk", 2)
    await bulk.provision(
        vpn_client,
        sites,
        run_id="r1",
        name_prefix="bulk-",
        concurrency=3,
        psk="Psk_2024!x",
        progress=bulk.Progress(6, "p", io.StringIO()),
    )
    await vpn_client.create_vpn(
        "vpc-1", vpn_name="other", billing=Billing(payment_timing="Postpaid")
    )

    deleted = await bulk.cleanup(
        vpn_client, vpcs, name_prefix="bulk-", concurrency=3, stream=io.StringIO()
    )

    assert [r.error for r in deleted] == [None] * 6
    assert [g.vpn_name for g in vpn_emulator.state.gateways.values()] == ["other"]
    assert vpn_emulator.state.tunnels == {}
