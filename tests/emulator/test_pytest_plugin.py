"""The pytest plugin as a user's project meets it: in pytest-asyncio's modes, and without it."""

from __future__ import annotations

import pytest

from bce_vpn_async.testing.pytest_plugin import MISSING_ASYNCIO

USER_TESTS = """
import pytest
from bce_vpn_async import Billing

{marker}
async def test_a_gateway_builds(vpn_client, vpn_emulator):
    created = await vpn_client.create_vpn(
        "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
    )
    vpn = await vpn_client.wait_until_status(created.vpn_id, "unconfigured")
    assert vpn.vpn_id in vpn_emulator.state.gateways
"""


def _ini(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeini(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
    )


@pytest.mark.parametrize(
    ("mode", "marker"), [("strict", "@pytest.mark.asyncio"), ("auto", "")], ids=["strict", "auto"]
)
def test_vpn_client_works_in_each_pytest_asyncio_mode(
    pytester: pytest.Pytester, mode: str, marker: str
) -> None:
    _ini(pytester, mode)
    pytester.makepyfile(test_user=USER_TESTS.format(marker=marker))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_without_pytest_asyncio_vpn_client_says_what_to_install(pytester: pytest.Pytester) -> None:
    # As if pytest-asyncio were not installed: its plugin is off and it cannot be imported.
    pytester.makeconftest("import sys\nsys.modules['pytest_asyncio'] = None\n")
    pytester.makepyfile(
        test_user=USER_TESTS.format(marker="")
        + "\n\ndef test_the_emulator_fixture_needs_no_asyncio(vpn_emulator):\n"
        "    assert vpn_emulator.state.gateways == {}\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:asyncio", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*{MISSING_ASYNCIO}*"])
    result.stdout.no_fnmatch_line("*fixture 'vpn_client' not found*")
