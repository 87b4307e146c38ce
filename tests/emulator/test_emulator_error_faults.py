"""Error faults: any 4xx or 5xx with a BCE code and message, as a user's code meets them."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import VPC

from bce_vpn_async import AsyncVpnClient, BceAuthError, BceConflictError, Billing
from bce_vpn_async.testing import VpnEmulator

GATEWAY = {"vpcId": VPC, "vpnName": "gw1", "billing": {"paymentTiming": "Postpaid"}}


async def test_a_409_fault_reaches_the_client_as_a_conflict_and_changes_nothing(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    created = await vpn_client.create_vpn(
        VPC, vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
    )
    await vpn_client.wait_until_status(created.vpn_id, "unconfigured")
    rule = vpn_emulator.faults.add(
        "error", op="delete_vpn", status=409, code="OperationDenied", message="held by a test"
    )
    with pytest.raises(BceConflictError) as caught:
        await vpn_client.delete_vpn(created.vpn_id)
    error = caught.value
    assert (error.status_code, error.code, error.message) == (
        409,
        "OperationDenied",
        "held by a test",
    )
    assert error.request_id == vpn_emulator.requests[-1].request_id
    assert list(vpn_emulator.state.gateways) == [created.vpn_id]
    assert rule.fired == 1


async def test_a_403_fault_with_only_a_status_gets_access_denied(
    vpn_client: AsyncVpnClient, vpn_emulator: VpnEmulator
) -> None:
    vpn_emulator.faults.add("error", op="create_vpn", status=403)
    with pytest.raises(BceAuthError) as caught:
        await vpn_client.create_vpn(VPC, vpn_name="gw1", billing=Billing(payment_timing="Postpaid"))
    assert (caught.value.status_code, caught.value.code) == (403, "AccessDenied")
    assert vpn_emulator.state.gateways == {}


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (400, "BadRequest", "Bad request parameters or illegal request."),
        (404, "NoSuchObject", "The specified object is not found or resource do not exist."),
        (409, "OperationDenied", "Operation not available."),
        (413, "LimitExceeded", "Limit exceeded for current request."),
        (418, "BadRequest", "Bad request parameters or illegal request."),
        (500, "InternalError", "We encountered an internal error. Please try again."),
        (599, "InternalError", "We encountered an internal error. Please try again."),
    ],
)
async def test_each_status_has_a_default_code_and_message(
    http: httpx.AsyncClient, emulator: VpnEmulator, status: int, code: str, message: str
) -> None:
    emulator.faults.add("error", op="create_vpn", status=status)
    response = await http.post("/v1/vpn", json=GATEWAY)
    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (status, code, message)
    assert body["requestId"] == response.headers["x-bce-request-id"]
    assert emulator.state.gateways == {}


async def test_a_code_of_the_callers_gets_a_message_naming_it(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("error", status=403, code="QualifyNotPass")
    body = (await http.get("/v1/vpn", params={"vpcId": VPC})).json()
    assert (body["code"], body["message"]) == (
        "QualifyNotPass",
        "QualifyNotPass (an emulator fault).",
    )


async def test_a_known_code_under_another_status_keeps_its_own_message(
    http: httpx.AsyncClient, emulator: VpnEmulator
) -> None:
    emulator.faults.add("error", status=400, code="OperationDenied")
    response = await http.get("/v1/vpn", params={"vpcId": VPC})
    assert (response.status_code, response.json()["message"]) == (400, "Operation not available.")


@pytest.mark.parametrize("status", [200, 302, 399, 600, True, "409", 409.0])
def test_an_error_status_outside_4xx_and_5xx_is_refused(
    emulator: VpnEmulator, status: object
) -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        emulator.faults.add("error", status=status)  # type: ignore[arg-type]


def test_code_and_message_shape_error_faults_only(emulator: VpnEmulator) -> None:
    with pytest.raises(ValueError, match="error faults only"):
        emulator.faults.add("throttle", code="TooManyRequests")


@pytest.mark.parametrize("field", ["code", "message"])
def test_an_empty_code_or_message_is_refused(emulator: VpnEmulator, field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must be a non-empty string"):
        emulator.faults.add("error", status=409, **{field: " "})  # type: ignore[arg-type]
