"""ClientConfig and RetryPolicy check every field when they are made, naming the field:
a TypeError for a value of the wrong type, a ValueError for one out of range."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bce_vpn_async import ClientConfig, RetryPolicy
from bce_vpn_async.testing import FakeClock

pytestmark = pytest.mark.same_in_dev_mode(
    "configs are values checked when made: no event loop, no resources"
)

NAN = float("nan")
INF = float("inf")

CONFIG_CASES = [
    ("timeout", "5", TypeError),
    ("timeout", None, TypeError),
    ("timeout", True, TypeError),
    ("timeout", 0, ValueError),
    ("timeout", NAN, ValueError),
    ("timeout", INF, ValueError),
    ("retry", 3, TypeError),
    ("retry", {"max_attempts": 3}, TypeError),
    ("max_connections", "100", TypeError),
    ("max_connections", True, TypeError),
    ("max_connections", 1.5, TypeError),
    ("max_connections", 0, ValueError),
    ("max_keepalive_connections", None, TypeError),
    ("max_keepalive_connections", -1, ValueError),
    ("transport", "requests", ValueError),
    ("transport", None, ValueError),
    ("validate", "no", TypeError),
    ("validate", 0, TypeError),
    ("validate", None, TypeError),
    ("user_agent", 5, TypeError),
    ("user_agent", "sdk/1\r\nX-Injected: 1", ValueError),
    ("user_agent", "", ValueError),
    ("user_agent", "caf\u00e9/1", ValueError),  # httpx writes header values as ASCII
    ("user_agent", "x\ud800", ValueError),
    ("signature_expiration", "1800", TypeError),
    ("signature_expiration", 1800.0, TypeError),
    ("signature_expiration", False, TypeError),
    ("signature_expiration", 0, ValueError),
    ("clock", "system", TypeError),
    ("clock", object(), TypeError),
]


@pytest.mark.parametrize(("field", "value", "error"), CONFIG_CASES)
def test_a_bad_config_value_is_refused_by_field_name(
    field: str, value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match=f"^{field} ") as caught:
        ClientConfig(**{field: value})
    assert type(caught.value) is error


def test_good_config_values_are_accepted() -> None:
    config = ClientConfig(
        retry=None,
        timeout=httpx.Timeout(5.0),
        max_connections=1,
        max_keepalive_connections=0,
        transport="httpx",
        validate=False,
        user_agent="my-app/1.0",
        signature_expiration=60,
        clock=FakeClock(),
    )
    assert config.retry is None
    assert ClientConfig(timeout=2).timeout == 2


POLICY_CASES = [
    ("max_attempts", "4", TypeError),
    ("max_attempts", True, TypeError),
    ("max_attempts", 2.0, TypeError),
    ("max_attempts", 0, ValueError),
    ("initial_delay", "0.5", TypeError),
    ("initial_delay", True, TypeError),
    ("initial_delay", NAN, ValueError),
    ("initial_delay", -1, ValueError),
    ("max_delay", None, TypeError),
    ("max_delay", INF, ValueError),
    ("total_timeout", "60", TypeError),
    ("total_timeout", False, TypeError),
    ("total_timeout", NAN, ValueError),
    ("total_timeout", INF, ValueError),
    ("total_timeout", 0, ValueError),
]


@pytest.mark.parametrize(("field", "value", "error"), POLICY_CASES)
def test_a_bad_retry_policy_value_is_refused_by_field_name(
    field: str, value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match=f"^{field} ") as caught:
        RetryPolicy(**{field: value})
    assert type(caught.value) is error
