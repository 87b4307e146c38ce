"""The retry budget: retries limited to a share of recent successes, plus a trickle.

The anchors are gRPC's retry throttling and Finagle's ``RetryBudget``: tokens are earned
by calls and spent by retries, so that when a service is down the client stops
multiplying its load by ``max_attempts`` and fails fast instead. Here the tokens are
earned by calls the service answered properly (any answer not worth a retry, a 404
included), not by every call: a service that fails 30% of requests independently still
gets every retry it needs (0.3 + 0.09 + 0.027 per call, under ``ratio``), while one that
fails everything earns nothing and only gets the ``min_per_second`` trickle.

The balance ``b`` follows ``db/dt = min_per_second - b / window`` between events (a leak
with time constant ``window``, so old successes stop counting), gains ``ratio`` per
success and loses 1 per retry. An idle client holds ``min_per_second * window`` tokens.
"""

from __future__ import annotations

import math

from attrs import Attribute, field, frozen

__all__ = ["RetryBudget", "RetryTokens"]


def _finite(instance: object, attribute: Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{attribute.name} must be a number")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{attribute.name} must be a finite number >= 0")


def _positive(instance: object, attribute: Attribute[float], value: float) -> None:
    _finite(instance, attribute, value)
    if value == 0:
        raise ValueError(f"{attribute.name} must be > 0")


@frozen(kw_only=True)
class RetryBudget:
    """How many retries a client may make: `RetryPolicy(budget=...)`, or `None` there for
    no limit.

    Retries of throttled requests (429 or a throttling code) are not charged: they wait
    for their `Retry-After` and the rate limiter paces them. A retry refused by the
    budget is not made; the call fails at once with the error of its last attempt.

    Raises:
        TypeError: A field is not a number.
        ValueError: A field is negative or not finite, or `window` is 0.
    """

    ratio: float = field(default=0.5, validator=_finite)
    """Retries earned by each call the service answered properly.

    0.5: at most one retry for every two such calls over the recent `window`.
    """
    min_per_second: float = field(default=1.0, validator=_finite)
    """Retries allowed per second whatever happens.

    So a client that has seen no success yet can still retry a little.
    """
    window: float = field(default=10.0, validator=_positive)
    """Seconds over which earned retries fade."""


class RetryTokens:
    """A client's budget balance, driven by the caller's ``now`` (monotonic seconds)."""

    def __init__(self, budget: RetryBudget, now: float) -> None:
        self.budget = budget
        self._balance = budget.min_per_second * budget.window
        self._at = now

    def balance(self, now: float) -> float:
        self._leak(now)
        return self._balance

    def earn(self, now: float) -> None:
        """A call the service answered properly."""
        self._leak(now)
        self._balance += self.budget.ratio

    def spend(self, now: float) -> bool:
        """Take a token for one retry; False (and nothing taken) when none is left."""
        self._leak(now)
        if self._balance < 1.0:
            return False
        self._balance -= 1.0
        return True

    def _leak(self, now: float) -> None:
        elapsed = now - self._at
        if elapsed <= 0:
            return
        self._at = now
        budget = self.budget
        steady = budget.min_per_second * budget.window
        kept = math.exp(-elapsed / budget.window)
        self._balance = steady + (self._balance - steady) * kept

    def __repr__(self) -> str:
        return f"RetryTokens({self.budget!r}, balance={self._balance:.2f})"
