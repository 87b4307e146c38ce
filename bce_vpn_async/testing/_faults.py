"""Faults on demand, deterministic under a seed.

``emulator.faults.add("drop_after", op="create_vpn", rate=0.3)`` makes three in ten
``create_vpn`` calls lose their answer after the gateway was created; ``times=1`` makes a
rule fire once and then stay quiet. Rules are tried in the order they were added and the
first that fires decides the request's fault; each try draws from one random generator
seeded by ``seed``, so the same requests in the same order meet the same faults.

Kinds:

- ``latency``: answer ``seconds`` late (on the emulator's clock);
- ``error``: answer ``status`` (any 4xx or 5xx, default 503) with the BCE error ``code``
  and ``message`` without touching the state: ``faults.add("error", op="delete_vpn",
  status=409, code="OperationDenied")``. With no ``code``, the status's usual one
  (``ERROR_CODES``: the BCE and VPC codes of the spec, section 6; ``BadRequest`` or
  ``InternalError`` for a status they do not name); with no ``message``, that code's
  (or ``"<code> (an emulator fault)."`` for a code of the caller's);
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
from collections.abc import Collection, Mapping
from types import MappingProxyType

from attrs import define, frozen

__all__ = ["ERROR_CODES", "FAULT_KINDS", "Fault", "FaultPlan", "FaultRule", "default_error"]

FAULT_KINDS = frozenset(
    {"latency", "error", "throttle", "drop_before", "drop_after", "stall", "mix"}
)
# Status -> (code, message) for faults that give none: the spec's BCE and VPC tables
# (section 6) where they name the status; 429's code is the emulator's choice (the spec
# finds none); 502, 503 and 504 have no BCE code, so these name the HTTP meaning.
ERROR_CODES: Mapping[int, tuple[str, str]] = MappingProxyType(
    {
        400: ("BadRequest", "Bad request parameters or illegal request."),
        403: ("AccessDenied", "Access denied."),
        404: ("NoSuchObject", "The specified object is not found or resource do not exist."),
        409: ("OperationDenied", "Operation not available."),
        412: ("PreconditionFailed", "The precondition of the request failed."),
        413: ("LimitExceeded", "Limit exceeded for current request."),
        429: ("RequestLimitExceeded", "Too many requests. Please slow down and try again."),
        500: ("InternalError", "We encountered an internal error. Please try again."),
        502: ("BadGateway", "The gateway received an invalid response. Please try again."),
        503: ("ServiceUnavailable", "The service is temporarily unavailable. Please try again."),
        504: ("GatewayTimeout", "The gateway timed out. Please try again."),
    }
)
_MESSAGES = dict(ERROR_CODES.values())
_MIX = (("error", 500), ("error", 503), ("throttle", 429), ("drop_before", 0), ("drop_after", 0))


@frozen
class Fault:
    """The fault one request meets."""

    kind: str
    seconds: float = 0.0
    status: int = 0
    retry_after: float = 0.0
    code: str = ""
    message: str = ""


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
    code: str | None = None
    message: str | None = None
    fired: int = 0

    @property
    def spent(self) -> bool:
        """Whether the rule has fired its ``times`` and fires no more."""
        return self.times is not None and self.fired >= self.times

    def applies_to(self, operation: str | None) -> bool:
        """Whether the rule may fire for ``operation`` (its own, or any when it names none)."""
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
        code: str | None = None,
        message: str | None = None,
    ) -> FaultRule:
        """Add a rule; ``op`` None hits every operation. Returns the rule (see ``fired``).

        ``status``, ``code`` and ``message`` shape an ``error`` fault's answer (``code``
        and ``message`` default to the status's usual ones, see ``ERROR_CODES``).
        """
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
        if kind == "error" and (
            isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
        ):
            raise ValueError(f"an error fault's status is a 4xx or 5xx code, not {status!r}")
        if kind != "error" and (code is not None or message is not None):
            raise ValueError("code and message shape error faults only")
        for name, text in (("code", code), ("message", message)):
            if text is not None and (not isinstance(text, str) or not text.strip()):
                raise ValueError(f"{name} must be a non-empty string")
        if kind == "error":
            code = default_error(status)[0] if code is None else code
            message = (
                _MESSAGES.get(code, f"{code} (an emulator fault).") if message is None else message
            )
        rule = FaultRule(kind, op, rate, times, seconds, status, retry_after, code, message)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
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
        code, message = default_error(status) if status else ("", "")
        if rule.kind == "error" and rule.code is not None and rule.message is not None:
            code, message = rule.code, rule.message
        return Fault(
            kind,
            seconds=rule.seconds,
            status=status,
            retry_after=rule.retry_after,
            code=code,
            message=message,
        )

    def __repr__(self) -> str:
        return f"FaultPlan(rules={self.rules!r})"


def default_error(status: int) -> tuple[str, str]:
    """The BCE code and message an error fault of ``status`` answers when given none."""
    if status in ERROR_CODES:
        return ERROR_CODES[status]
    return ERROR_CODES[400] if status < 500 else ERROR_CODES[500]
