"""``wait_until_status``: poll a gateway until it reaches a status, with backoff and jitter.

The decisions (what a seen status means, how long to wait next) are pure functions;
the loop around them is thin, and sleeps through the client's clock, so a
``FakeClock`` makes a three-minute build take no real time in tests.

A client remembers when its earlier waits saw their change (``Transitions``): a
gateway builds in about the same time as the last ones did, so once a wait of the same
kind has finished, the next polls at the interval around that time instead of across it
at a grown interval. A three-minute build is then seen within ``poll_interval`` of its
end (plus the jitter) rather than up to ``max_poll_interval`` after it.
"""

from __future__ import annotations

import enum
import inspect
import random
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from statistics import median
from typing import TYPE_CHECKING, Any

from ._errors import (
    BceNotFoundError,
    BceTimeoutError,
    BceValidationError,
    WaiterFailedError,
    WaiterTimeoutError,
)

if TYPE_CHECKING:
    from ._clock import Clock
    from ._models import Vpn

__all__ = [
    "DEFAULT_FAILURE_STATUSES",
    "Outcome",
    "Transitions",
    "decide",
    "next_poll_delay",
    "normalise_failures",
    "normalise_targets",
    "poll_delay",
    "wait_for_status",
]

DEFAULT_FAILURE_STATUSES: frozenset[str] = frozenset(
    {"expired", "deleting", "deleted", "failed", "error"}
)

OnStatus = Callable[["Vpn"], Awaitable[Any] | Any]


class Outcome(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    CONTINUE = "continue"


def decide(status: str | None, targets: Collection[str], failures: Collection[str]) -> Outcome:
    """What a status seen while waiting means. A target wins over a failure status."""
    if status in targets:
        return Outcome.DONE
    if status in failures:
        return Outcome.FAILED
    return Outcome.CONTINUE


# The first waits stay at the interval itself: most changes finish within a few of them,
# and each poll past the transition adds to the lateness of the wait. Their jitter, upward
# only, is a fortieth of the interval: 50 ms of a 2 s interval spreads waiters started
# together, and costs a change expected near the interval about the poll's round trip.
_FLAT_WAITS = 2
_FLAT_JITTER = 0.025


def poll_delay(attempt: int, initial: float, maximum: float, rng: random.Random) -> float:
    """The wait between the start of poll ``attempt + 1`` and the start of the next one.

    The first two waits are ``initial`` plus up to a fortieth (a jitter upward only, so a
    poll lands soon after a transition expected near the interval); from then on the wait grows
    by half each time up to ``maximum``, jittered by a fifth either way. Either way many
    waiters started together spread out instead of polling in lockstep.

    The jitter never goes below ``initial`` nor above ``maximum``: ``poll_interval`` is a
    promise to the service (no faster than this), and polling just before the interval
    ends would often find a change not yet done, and wait a whole interval more.
    """
    if attempt < _FLAT_WAITS:
        return _flat_delay(initial, maximum, rng)
    base = min(maximum, initial * 1.5 ** (attempt - _FLAT_WAITS + 1))
    return rng.uniform(max(initial, 0.8 * base), min(maximum, 1.2 * base))


def _flat_delay(initial: float, maximum: float, rng: random.Random) -> float:
    return rng.uniform(initial, min(maximum, (1.0 + _FLAT_JITTER) * initial))


def next_poll_delay(
    attempt: int,
    elapsed: float,
    initial: float,
    maximum: float,
    rng: random.Random,
    expected: tuple[float, float] | None,
) -> float:
    """``poll_delay``, brought in around the time the change is expected.

    ``elapsed`` is when the poll that just answered started, in seconds from the wait's
    first poll; ``expected`` is when earlier waits of the same kind last saw no change and
    first saw it, on the same scale (None if none has finished). A backoff wait that would
    carry the next poll past the start of that span stops just after its start (jittered
    as a first wait is, so waits started together do not meet there; never sooner than
    ``initial``); inside the span every wait is a first wait's (``initial`` plus up to a
    fortieth). The span counts for at most ``maximum`` from its start, so a wide one (a
    wait with a longer ``max_poll_interval`` saw the change late) keeps this wait at the
    interval for no longer than its own ``max_poll_interval``. Past it the change is late
    and the backoff goes on at the step it has reached.
    """
    delay = poll_delay(attempt, initial, maximum, rng)
    if expected is None:
        return delay
    start, end = expected
    end = min(end, start + maximum)
    if elapsed + delay <= start or elapsed >= end:
        return delay
    flat = _flat_delay(initial, maximum, rng)
    return max(flat, min(delay, start - elapsed + flat - initial))


# Seconds within which a poll's deadline and the waiter's count as one.
_SAME_MOMENT = 0.001

# Waits remembered per kind, and kinds remembered per client.
_REMEMBERED_WAITS = 8
_REMEMBERED_KINDS = 32

Kind = tuple[str | None, frozenset[str]]


class Transitions:
    """When a client's waits saw their change: for each kind of wait (the status its
    first poll saw, and the targets), the last few spans from the wait's last poll that
    saw no change to its poll that saw a target, in seconds from its first poll.

    One per client, shared by its ``with_options`` copies and all their tasks.
    """

    def __init__(self) -> None:
        self._spans: dict[Kind, deque[tuple[float, float]]] = {}

    def record(self, kind: Kind, unchanged_at: float, changed_at: float) -> None:
        spans = self._spans.get(kind)
        if spans is None:
            if len(self._spans) >= _REMEMBERED_KINDS:
                del self._spans[next(iter(self._spans))]  # the kind first seen
            spans = self._spans[kind] = deque(maxlen=_REMEMBERED_WAITS)
        spans.append((unchanged_at, changed_at))

    def expected(self, kind: Kind) -> tuple[float, float] | None:
        """The median span of the remembered waits of this kind, or None."""
        spans = self._spans.get(kind)
        if not spans:
            return None
        return median(span[0] for span in spans), median(span[1] for span in spans)

    def __repr__(self) -> str:
        return f"Transitions({len(self._spans)} kinds)"


def normalise_targets(status: str | Collection[str]) -> frozenset[str]:
    candidates: object = (status,) if isinstance(status, str) else status
    return _status_names(
        "status", candidates, "must be a status name or a non-empty set of them", empty_ok=False
    )


def normalise_failures(statuses: Collection[str]) -> frozenset[str]:
    """The failure statuses: a collection of names, possibly empty (never fail fast)."""
    return _status_names(
        "failure_statuses", statuses, "must be a set of status names", empty_ok=True
    )


def _status_names(field: str, value: object, rule: str, *, empty_ok: bool) -> frozenset[str]:
    # Checked before a frozenset is built: a number or None would raise TypeError there,
    # and a lone string would become the set of its characters.
    if isinstance(value, str) or not isinstance(value, Collection):
        raise BceValidationError(field, rule)
    if not (value or empty_ok) or not all(isinstance(s, str) and s for s in value):
        raise BceValidationError(field, rule)
    return frozenset(s for s in value if isinstance(s, str))


async def wait_for_status(
    get_vpn: Callable[[str], Awaitable[Vpn]],
    vpn_id: str,
    targets: frozenset[str],
    *,
    clock: Clock,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    failure_statuses: Collection[str],
    on_status: OnStatus | None,
    rng: random.Random,
    transitions: Transitions,
) -> Vpn:
    first_polled_at = clock.monotonic()
    deadline = first_polled_at + timeout
    last: Vpn | None = None
    kind: Kind | None = None
    unchanged_at = first_polled_at  # when the last poll that saw no change started
    attempt = 0
    while True:
        polled_at = clock.monotonic()
        remaining = deadline - polled_at
        # The time left bounds the poll in flight too (a get_vpn that hangs, a slow
        # on_status), on the client's clock: the caller's timeout is the waiter's whole
        # budget.
        scope = clock.timeout(remaining)
        try:
            async with scope:
                vpn = await _poll(get_vpn, vpn_id, targets, last, on_status)
        except TimeoutError as exc:
            if not scope.expired():
                raise
            raise _timed_out(vpn_id, targets, timeout, last) from exc
        except BceTimeoutError as exc:
            # The poll's own total timeout ran out with the waiter's (at the same moment,
            # or just before it): the wait is what ran out of time.
            if deadline - clock.monotonic() > _SAME_MOMENT:
                raise
            raise _timed_out(vpn_id, targets, timeout, last) from exc
        last = vpn
        outcome = decide(vpn.status, targets, failure_statuses)
        if outcome is Outcome.DONE:
            if kind is not None:  # seen changing, not already there
                transitions.record(
                    kind, unchanged_at - first_polled_at, polled_at - first_polled_at
                )
            return vpn
        if outcome is Outcome.FAILED:
            raise WaiterFailedError(
                f"gateway {vpn_id} reached {_shown(vpn.status)} "
                f"while waiting for {sorted(targets)}",
                last=vpn,
            )
        if kind is None:
            kind = (vpn.status, targets)
        unchanged_at = polled_at
        now = clock.monotonic()
        remaining = deadline - now
        if remaining > 0:
            # Spaced from the start of the poll that just answered: its own round trip
            # counts towards the interval, which bounds how often requests start.
            delay = next_poll_delay(
                attempt,
                polled_at - first_polled_at,
                poll_interval,
                max_poll_interval,
                rng,
                transitions.expected(kind),
            ) - (now - polled_at)
            await clock.sleep(min(remaining, max(0.0, delay)))
            attempt += 1
        if deadline - clock.monotonic() <= 0:
            raise _timed_out(vpn_id, targets, timeout, last)


async def _poll(
    get_vpn: Callable[[str], Awaitable[Vpn]],
    vpn_id: str,
    targets: frozenset[str],
    last: Vpn | None,
    on_status: OnStatus | None,
) -> Vpn:
    try:
        vpn = await get_vpn(vpn_id)
    except BceNotFoundError as exc:
        raise WaiterFailedError(
            f"gateway {vpn_id} vanished while waiting for {sorted(targets)}", last=last
        ) from exc
    if on_status is not None:
        result = on_status(vpn)
        if inspect.isawaitable(result):
            await result
    return vpn


def _timed_out(
    vpn_id: str, targets: frozenset[str], timeout: float, last: Vpn | None
) -> WaiterTimeoutError:
    seen = "answered no poll" if last is None else f"was still {_shown(last.status)}"
    return WaiterTimeoutError(
        f"gateway {vpn_id} {seen} after {timeout:g} s (waiting for {sorted(targets)})",
        last=last,
    )


def _shown(status: str | None) -> str:
    # As the service wrote it ('active'), not as the enumeration's repr.
    return repr(None if status is None else str(status))
