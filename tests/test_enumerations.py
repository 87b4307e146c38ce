"""Enum-like fields are typed: mypy catches a typo, and results keep what the SDK does not know."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

from bce_vpn_async import AsyncVpnClient, Billing, IkeConfig, IpsecPfs, PfsGroup, Vpn, VpnStatus
from bce_vpn_async._converter import structure


def test_a_vpn_status_equals_its_wire_string() -> None:
    assert VpnStatus.ACTIVE == "active"
    assert {status.value for status in VpnStatus} == {
        "active",
        "building",
        "unconfigured",
        "configuring",
    }


def test_a_known_status_is_read_as_the_enumeration_and_an_unknown_one_as_the_string() -> None:
    assert structure({"vpnId": "vpn-1", "status": "active"}, Vpn).status is VpnStatus.ACTIVE
    # Results still accept a status the SDK does not know (a service adds one later).
    assert structure({"vpnId": "vpn-1", "status": "upgrading"}, Vpn).status == "upgrading"


def test_an_algorithm_the_sdk_does_not_know_is_still_read_from_a_response() -> None:
    config = structure({"ikeVersion": "v3", "ikeEncAlg": "sm4"}, IkeConfig)
    assert (config.ike_version, config.ike_enc_alg) == ("v3", "sm4")


def test_phase_two_may_turn_pfs_off_but_phase_one_may_not() -> None:
    assert "disabled" in typing.get_args(IpsecPfs)
    assert "disabled" not in typing.get_args(PfsGroup)


async def test_the_wait_accepts_the_enumeration(vpn_client: AsyncVpnClient) -> None:
    created = await vpn_client.create_vpn(
        "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
    )
    vpn = await vpn_client.wait_until_status(created.vpn_id, VpnStatus.UNCONFIGURED)
    assert vpn.status is VpnStatus.UNCONFIGURED


# Two files a user might write, checked by one mypy run (a run takes seconds): one with a
# typo in each enum-like field, one with documented values only.
TYPOS = """
from bce_vpn_async import Billing, IkeConfig, IpsecConfig
Billing(payment_timing="Postpayed")
IkeConfig("v2", "main", "aes256", "group15")
IpsecConfig("aes256", "sha256")
"""
DOCUMENTED = """
from bce_vpn_async import Billing, IkeConfig, IpsecConfig, VpnStatus
Billing(payment_timing="Postpaid", reservation_time_unit="Month")
IkeConfig("v1", "aggressive", "3des", "group24", ike_auth_alg="sha2_512")
IpsecConfig("aes", "md5", ipsec_pfs="disabled")
status: str = VpnStatus.ACTIVE
"""


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """mypy --strict's report on both files."""
    pytest.importorskip("mypy")
    folder = tmp_path_factory.mktemp("user_code")
    for name, code in (("typos.py", TYPOS), ("documented.py", DOCUMENTED)):
        (folder / name).write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "typos.py", "documented.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.stdout


@pytest.mark.same_in_dev_mode("mypy reads the code; it does not run it")
def test_mypy_catches_a_typo_in_an_enum_like_field(mypy_output: str) -> None:
    for line in (3, 4, 5):
        assert f"typos.py:{line}: error" in mypy_output, mypy_output


@pytest.mark.same_in_dev_mode("mypy reads the code; it does not run it")
def test_mypy_accepts_every_documented_value(mypy_output: str) -> None:
    assert "documented.py:" not in mypy_output, mypy_output
