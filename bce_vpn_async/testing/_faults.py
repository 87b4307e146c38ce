"""Faults on demand, deterministic under a seed.

``emulator.faults.add("drop_after", op="create_vpn", rate=0.3)`` makes three in ten
``create_vpn`` calls lose their answer after the gateway was created; ``times=1`` makes a
rule fire once and then stay quiet. Rules are tried in the order they were added and the
first that fires decides the request's fault; each try draws from one random generator
seeded by ``seed``, so the same requests in the same order meet the same faults.

Kinds:

- ``latency``: answer ``seconds`` late (on the emulator's clock);
- ``error``: answer ``status`` (500, 502, 503 or 504) without touching the state;
- ``throttle``: answer 429 with ``Retry-After: retry_after`` without touching the state;
- ``drop_before``: cut the connection before the request is applied;
- ``drop_after``: apply the request, then cut the connection instead of answering;
- ``stall``: apply the request, then hold the answer ``seconds`` (a client whose read
  timeout is shorter times out);
- ``mix``: one of ``error`` (500 or 503), ``throttle``, ``drop_before``, ``drop_after``,
  picked by the same generator: the transient failures a retrying client must survive.
"""

from __future__ import annotations

import random
from collections.abc import Collection

from attrs import define, frozen

__all__ = ["FAULT_KINDS", "Fault", "FaultPlan", "FaultRule"]

FAULT_KINDS = frozenset(
    {"latency", "error", "throttle", "drop_before", "drop_after", "stall", "mix"}
)
ERROR_STATUSES = frozenset({500, 502, 503, 504})
_MIX = (("error", 500), ("error", 503), ("throttle", 429), ("drop_before", 0), ("drop_after", 0))


@frozen
class Fault:
    """The fault one request meets."""

    kind: str
    seconds: float = 0.0
    status: int = 0
    retry_after: float = 0.0


@define
class FaultRule:
    """One rule of a plan; ``fired`` counts the requests it has hit so far."""

    kind: str
    op: str | None = None
    rate: float = 1.0
    times: int | None = None
    seconds: float = 1.0
    status: int = 503
    retry_after: float = 1.0
    fired: int = 0

    @property
    def spent(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def applies_to(self, operation: str | None) -> bool:
        return not self.spent and (self.op is None or self.op == operation)


class FaultPlan:
    """The emulator's fault rules (``emulator.faults``)."""

    def __init__(self, seed: int = 0, operations: Collection[str] = ()) -> None:
        self._rng = random.Random(f"{seed}:faults")
        self._operations = frozenset(operations)
        self.rules: list[FaultRule] = []

    def add(
        self,
        kind: str,
        *,
        op: str | None = None,
        rate: float = 1.0,
        times: int | None = None,
        seconds: float = 1.0,
        status: int = 503,
        retry_after: float = 1.0,
    ) -> FaultRule:
        """Add a rule; ``op`` None hits every operation. Returns the rule (see ``fired``)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        if op is not None and self._operations and op not in self._operations:
            raise ValueError(f"unknown operation {op!r}; use an SDK method name such as create_vpn")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for no limit)")
        if seconds < 0 or retry_after < 0:
            raise ValueError("seconds and retry_after must not be negative")
        if kind == "error" and status not in ERROR_STATUSES:
            raise ValueError(f"an error fault's status is one of {sorted(ERROR_STATUSES)}")
        rule = FaultRule(kind, op, rate, times, seconds, status, retry_after)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def draw(self, operation: str | None) -> Fault | None:
        """The fault for the next request to ``operation``, if a rule fires."""
        for rule in self.rules:
            if not rule.applies_to(operation):
                continue
            if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                continue
            rule.fired += 1
            return self._fault(rule)
        return None

    def _fault(self, rule: FaultRule) -> Fault:
        kind, status = rule.kind, rule.status
        if kind == "mix":
            kind, status = self._rng.choice(_MIX)
        elif kind == "throttle":
            status = 429
        return Fault(kind, seconds=rule.seconds, status=status, retry_after=rule.retry_after)

    def __repr__(self) -> str:
        return f"FaultPlan(rules={self.rules!r})"
