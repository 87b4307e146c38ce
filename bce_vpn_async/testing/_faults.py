"""Faults on demand, deterministic under a seed.

``emulator.faults.add("drop_after", op="create_vpn", rate=0.3)`` makes three in ten
``create_vpn`` calls lose their answer after the gateway was created; ``times=1`` makes a
rule fire once and then stay quiet. Rules are tried in the order they were added and the
first that fires decides the request's fault; each try draws from one random generator
seeded by ``seed``, so the same requests in the same order meet the same faults.

The kinds, the fields each one takes and what a client sees on the wire for each are in
``docs/guides/emulator-faults.md``. A rule keeps, shows and accepts only the fields its
kind uses (``KIND_FIELDS``); every value is checked here, once, for the Python API and the
control plane alike: finite numbers within bounds, strings any JSON parser can carry.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any, Final

from attrs import define, frozen

__all__ = [
    "ERROR_CODES",
    "FAULT_KINDS",
    "KIND_FIELDS",
    "MAX_FAULT_SECONDS",
    "MAX_FAULT_TIMES",
    "Fault",
    "FaultPlan",
    "FaultRule",
    "default_error",
    "draw_fault",
]

# Each kind's own fields, beside kind, op, rate and times, which every rule has.
KIND_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "latency": ("seconds",),
        "error": ("status", "code", "message"),
        "throttle": ("retry_after",),
        "drop_before": (),
        "drop_after": (),
        "stall": ("seconds",),
        # A mix picks throttle among others, whose Retry-After is the rule's.
        "mix": ("retry_after",),
    }
)
FAULT_KINDS: Final = frozenset(KIND_FIELDS)
"""The kinds of fault a rule can be: ``latency``, ``error``, ``throttle``, ``drop_before``,
``drop_after``, ``stall`` and ``mix`` (what each does: ``docs/guides/emulator-faults.md``)."""

MAX_FAULT_SECONDS: Final = 86400.0
"""The longest ``seconds`` (latency, stall) and ``retry_after`` a rule takes: one day."""
MAX_FAULT_TIMES: Final = 1_000_000_000
"""The largest ``times`` a rule takes."""
_MAX_CODE = 128
_MAX_MESSAGE = 1024
_DEFAULTS: Mapping[str, Any] = MappingProxyType({"seconds": 1.0, "status": 503, "retry_after": 1.0})

# Status -> (code, message) for faults that give none: the BCE and VPC tables of
# docs/service/api-facts.md#errors where they name the status; 429's code is the
# emulator's choice (docs/service/disagreements.md#not-found); 502, 503 and 504 have no BCE
# code, so these name the HTTP meaning.
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
    """The fault one request meets, drawn from the plan's rules (the wire applies it)."""

    kind: str
    seconds: float = 0.0
    status: int = 0
    retry_after: float = 0.0
    code: str = ""
    message: str = ""


@define(repr=False)
class FaultRule:
    """One rule of a ``FaultPlan``, as ``FaultPlan.add`` made it (see its arguments).

    The fields a kind does not use are None, and neither its repr nor ``as_json()`` shows
    them.
    """

    kind: str
    """One of ``FAULT_KINDS``."""
    op: str | None = None
    """The one operation it hits (an SDK method name), or None for every request."""
    rate: float = 1.0
    """The share of matching requests it hits, 0 to 1."""
    times: int | None = None
    """How many requests it hits at most (1 to ``MAX_FAULT_TIMES``), or None for no limit."""
    seconds: float | None = None
    """``latency`` and ``stall``: how long the answer is held, in seconds.

    0 to ``MAX_FAULT_SECONDS``.
    """
    status: int | None = None
    """``error``: the HTTP status answered, 400 to 599."""
    retry_after: float | None = None
    """``throttle`` and ``mix``: the ``Retry-After`` of a 429 answer, in seconds.

    0 to ``MAX_FAULT_SECONDS``.
    """
    code: str | None = None
    """``error``: the BCE code answered (the status's usual one unless given)."""
    message: str | None = None
    """``error``: the message answered (the code's usual one unless given)."""
    fired: int = 0
    """How many requests it has hit so far."""

    @property
    def spent(self) -> bool:
        """Whether the rule has fired its ``times`` and fires no more."""
        return self.times is not None and self.fired >= self.times

    def applies_to(self, operation: str | None) -> bool:
        """Whether the rule may still fire for a request to ``operation``.

        Args:
            operation: The SDK method name the request names, or None when it names none.

        Returns:
            False once it is spent, or when it names another operation.
        """
        return not self.spent and (self.op is None or self.op == operation)

    def as_json(self) -> dict[str, Any]:
        """The rule as ``GET /_emulator/faults`` lists it.

        Returns:
            ``kind``, ``op``, ``rate``, ``times``, the fields its kind uses, and ``fired``.
        """
        shown: dict[str, Any] = {
            "kind": self.kind,
            "op": self.op,
            "rate": self.rate,
            "times": self.times,
        }
        for name in KIND_FIELDS.get(self.kind, ()):
            shown[name] = getattr(self, name)
        shown["fired"] = self.fired
        return shown

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.as_json().items())
        return f"FaultRule({shown})"


class FaultPlan:
    """The emulator's fault rules (``emulator.faults``), tried in the order they were added.

    The first rule that fires decides a request's fault; every try draws from one random
    generator seeded by ``seed``, so the same requests in the same order meet the same
    faults.

    Args:
        seed: Seeds the draws (``VpnEmulator(seed=...)`` gives its own).
        operations: The operation names a rule may name (``OPERATION_NAMES``); empty
            takes any.
    """

    rules: list[FaultRule]
    """The rules, in the order they are tried."""

    def __init__(self, seed: int = 0, operations: Collection[str] = ()) -> None:
        self._rng = random.Random(f"{seed}:faults")
        self._operations = frozenset(operations)
        self.rules = []

    def add(
        self,
        kind: str,
        *,
        op: str | None = None,
        rate: float = 1.0,
        times: int | None = None,
        seconds: float | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> FaultRule:
        """Add a rule and return it (its ``fired`` counts the requests it hit).

        Args:
            kind: One of ``FAULT_KINDS``.
            op: The SDK method name of the one operation it hits (``"create_vpn"``); None
                for every request.
            rate: The share of matching requests it hits, 0 to 1.
            times: How many requests it hits at most (1 to ``MAX_FAULT_TIMES``); None for
                no limit.
            seconds: ``latency`` and ``stall``: how long the answer is held (default 1,
                at most ``MAX_FAULT_SECONDS``).
            status: ``error``: the status answered, 400-599 (default 503).
            retry_after: ``throttle`` and ``mix``: the ``Retry-After`` seconds (default 1,
                at most ``MAX_FAULT_SECONDS``).
            code: ``error``: the BCE code answered (default: the status's usual one, see
                ``ERROR_CODES``).
            message: ``error``: the message answered (default: the code's usual one).

        Returns:
            The rule, as it is kept in ``rules``.

        Raises:
            ValueError: A value out of its bounds or of the wrong type, an unknown kind or
                operation, or a field the kind does not use; the message names the field.
        """
        if not isinstance(kind, str) or kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        if op is not None and (
            not isinstance(op, str) or (self._operations and op not in self._operations)
        ):
            raise ValueError(f"unknown operation {op!r}; use an SDK method name such as create_vpn")
        _check_number("rate", rate, 1.0, "between 0 and 1")
        if times is not None and (
            isinstance(times, bool)
            or not isinstance(times, int)
            or not 1 <= times <= MAX_FAULT_TIMES
        ):
            raise ValueError(
                f"times must be an integer from 1 to {MAX_FAULT_TIMES} (or None for no limit)"
            )
        given: dict[str, Any] = {
            "seconds": seconds,
            "status": status,
            "retry_after": retry_after,
            "code": code,
            "message": message,
        }
        used = KIND_FIELDS[kind]
        for name, value in given.items():
            if value is not None and name not in used:
                takes = ", ".join(used) if used else "no field of its own"
                if name in ("code", "message"):
                    takes = f"{takes}; code and message shape error faults only"
                raise ValueError(f"{name} does not apply to a {kind} fault (it takes {takes})")
        fields: dict[str, Any] = {
            name: _DEFAULTS.get(name) if given[name] is None else given[name] for name in used
        }
        for name in ("seconds", "retry_after"):
            if name in fields:
                _check_number(
                    name, fields[name], MAX_FAULT_SECONDS, f"from 0 to {MAX_FAULT_SECONDS:g}"
                )
        if kind == "error":
            fields.update(_error_fields(fields["status"], code, message))
        rule = FaultRule(kind, op, float(rate), times, **fields)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def __repr__(self) -> str:
        return f"FaultPlan(rules={self.rules!r})"


def _check_number(name: str, value: object, most: float, bounds: str) -> None:
    # Comparisons, not math.isfinite: they refuse NaN and infinities alike, and an integer
    # too large for a float compares without overflowing.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= most:
        raise ValueError(f"{name} must be a number {bounds}, not {value!r}")


def _error_fields(status: object, code: str | None, message: str | None) -> dict[str, Any]:
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError(f"status: an error fault's status is a 4xx or 5xx code, not {status!r}")
    for name, text, longest in (("code", code, _MAX_CODE), ("message", message, _MAX_MESSAGE)):
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise ValueError(f"{name} must be a non-empty string")
        if text is not None and (len(text) > longest or not _encodable(text)):
            raise ValueError(
                f"{name} must be at most {longest} characters of text that UTF-8 can carry"
                " (no lone surrogate)"
            )
    code = default_error(status)[0] if code is None else code
    message = _MESSAGES.get(code, f"{code} (an emulator fault).") if message is None else message
    return {"status": status, "code": code, "message": message}


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def default_error(status: int) -> tuple[str, str]:
    """The BCE code and message an error fault of ``status`` answers when given none."""
    if status in ERROR_CODES:
        return ERROR_CODES[status]
    return ERROR_CODES[400] if status < 500 else ERROR_CODES[500]


def draw_fault(plan: FaultPlan, operation: str | None) -> Fault | None:
    """The fault the next request to ``operation`` meets, if a rule of ``plan`` fires."""
    for rule in plan.rules:
        if not rule.applies_to(operation):
            continue
        if rule.rate < 1.0 and plan._rng.random() >= rule.rate:
            continue
        rule.fired += 1
        return _fault(plan, rule)
    return None


def _fault(plan: FaultPlan, rule: FaultRule) -> Fault:
    kind = rule.kind
    if kind == "mix":
        kind, status = plan._rng.choice(_MIX)
    elif kind == "throttle":
        status = 429
    else:
        status = rule.status or 0
    code, message = default_error(status) if status else ("", "")
    if rule.code is not None and rule.message is not None:
        code, message = rule.code, rule.message
    return Fault(
        kind,
        seconds=rule.seconds or 0.0,
        status=status,
        retry_after=rule.retry_after or 0.0,
        code=code,
        message=message,
    )
