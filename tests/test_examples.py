"""The examples' functions, in-process on the emulator: bulk_provision run again after
failures makes nothing twice, and its cleanup removes what it made. The example scripts run
to the end, as a user with no Baidu account runs them, in ``tests/test_runs_as_shown.py``.
"""

from __future__ import annotations

import importlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from bce_vpn_async import AsyncVpnClient, Billing
from bce_vpn_async.testing import VpnEmulator

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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
