"""The rate limiter's and the retry budget's pure cores, under a fake ``now``."""

from __future__ import annotations

import math

import pytest

from bce_vpn_async import RateLimit, RetryBudget
from bce_vpn_async._budget import RetryTokens
from bce_vpn_async._ratelimit import AdaptiveRate

pytestmark = pytest.mark.same_in_dev_mode(
    "the limiter's and the budget's arithmetic on given times: no event loop, no resources"
)


def throttled_at(accepted: int, now: float = 10.0) -> AdaptiveRate:
    """A limiter whose first throttle came at ``now`` after ``accepted`` answers that second."""
    limiter = AdaptiveRate(RateLimit())
    for _ in range(accepted):
        limiter.on_accepted(now)
    assert limiter.on_throttle(now, limiter.epoch)
    return limiter


def test_an_adaptive_limiter_is_inactive_until_something_throttles() -> None:
    limiter = AdaptiveRate(RateLimit())
    assert not limiter.active
    limiter.on_accepted(1.0)
    assert not limiter.active
    assert limiter.rate(1.0) == math.inf


def test_a_throttle_cuts_to_a_fraction_of_what_the_service_accepted() -> None:
    limiter = throttled_at(accepted=50)
    assert limiter.active
    assert limiter.rate(10.0) == pytest.approx(35.0)  # 0.7 x 50 accepted in the last second


def test_the_rate_regrows_along_a_cubic_curve_back_to_the_throttled_rate() -> None:
    limiter = throttled_at(accepted=50)
    k = (50 * 0.3 / 0.4) ** (1 / 3)
    rates = [limiter.rate(10.0 + t) for t in (0.5, 1.0, 2.0, 3.0)]
    assert rates == sorted(rates)
    assert all(35.0 < r < 50.0 for r in rates)
    # Concave: it climbs fast at first and flattens near the rate that was throttled.
    assert rates[1] - rates[0] > rates[3] - rates[2]
    assert limiter.rate(10.0 + k) == pytest.approx(50.0)
    assert limiter.rate(10.0 + k + 1.0) == pytest.approx(50.4)  # then it probes beyond


def test_one_throttle_event_cuts_once_however_many_answers_it_has() -> None:
    limiter = AdaptiveRate(RateLimit())
    for _ in range(50):
        limiter.on_accepted(0.0)
    sent_in = limiter.epoch
    cuts = [limiter.on_throttle(0.0, sent_in) for _ in range(50)]
    assert cuts == [True] + [False] * 49
    assert limiter.rate(0.0) == pytest.approx(35.0)
    # A request sent after the cut that is throttled again cuts again.
    assert limiter.on_throttle(0.5, limiter.epoch)
    assert limiter.rate(0.5) < 35.0


def test_throttles_of_requests_sent_within_a_window_of_the_cut_do_not_cut_again() -> None:
    limiter = throttled_at(accepted=50, now=0.0)
    epoch = limiter.epoch
    # The service's bucket was empty at the cut: the first paced requests may still meet it.
    assert not limiter.on_throttle(0.6, epoch, sent=0.5)
    assert limiter.rate(0.6) > 35.0  # still regrowing from the one cut
    assert limiter.on_throttle(1.3, epoch, sent=1.2)
    assert limiter.rate(1.3) < 35.0


def test_answers_to_requests_from_before_the_cut_extend_its_hold() -> None:
    limiter = throttled_at(accepted=50, now=0.0)
    before = limiter.epoch - 1
    # A slow service still answering requests sent before the cut: they drained its bucket.
    limiter.on_accepted(1.5, before)
    assert not limiter.on_throttle(1.6, limiter.epoch, sent=1.4)
    assert limiter.on_throttle(1.7, limiter.epoch, sent=1.55)


def test_slots_are_spaced_by_the_rate_and_the_first_waits_after_a_cut() -> None:
    limiter = throttled_at(accepted=10, now=0.0)  # 7 per second
    delays = [limiter.reserve(0.0) for _ in range(4)]
    assert delays == pytest.approx([1 / 7, 2 / 7, 3 / 7, 4 / 7], rel=1e-3)


def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    limiter = throttled_at(accepted=10, now=0.0)
    first = limiter.reserve(0.0)
    limiter.reserve(0.0)
    limiter.refund()
    assert limiter.reserve(0.0) == pytest.approx(2 * first, rel=1e-3)


def test_the_limiter_stands_down_once_the_curve_has_doubled_without_a_throttle() -> None:
    limiter = throttled_at(accepted=50, now=0.0)
    limiter.reserve(5.0)
    assert limiter.active
    late = 20.0  # 0.4 * (20 - 3.35)^3 + 50 is far past 100
    assert limiter.reserve(late) == 0.0
    assert not limiter.active
    # The next throttle starts over from what the service accepts then.
    for _ in range(80):
        limiter.on_accepted(late)
    assert limiter.on_throttle(late, limiter.epoch)
    assert limiter.rate(late) == pytest.approx(56.0)


def test_accepted_answers_are_counted_over_a_sliding_second() -> None:
    limiter = AdaptiveRate(RateLimit())
    for _ in range(40):
        limiter.on_accepted(3.2)
    assert limiter.accepted_rate(3.9) == 40
    assert limiter.accepted_rate(4.5) == pytest.approx(20)  # half the last window left
    assert limiter.accepted_rate(6.0) == 0


def test_a_throttle_with_nothing_accepted_falls_to_the_minimum_rate() -> None:
    limiter = AdaptiveRate(RateLimit(min_rate=0.5))
    limiter.on_throttle(0.0, limiter.epoch)
    assert limiter.rate(0.0) == pytest.approx(0.5)


def test_a_fixed_maximum_rate_is_always_active_and_never_exceeded() -> None:
    limiter = AdaptiveRate(RateLimit(max_rate=4, adaptive=False))
    assert limiter.active
    delays = [limiter.reserve(0.0) for _ in range(9)]
    # A tenth of a second of the rate may go at once; after that, one per quarter second.
    assert delays[0] == 0.0
    assert delays[-1] == pytest.approx(2.0 - 0.1)
    assert not limiter.on_throttle(0.0, limiter.epoch)  # not adaptive: nothing learned


def test_an_adaptive_rate_under_a_fixed_maximum_stays_under_it() -> None:
    limiter = AdaptiveRate(RateLimit(max_rate=20))
    for _ in range(100):
        limiter.on_accepted(0.0)
    limiter.on_throttle(0.0, limiter.epoch)
    assert limiter.rate(0.0) == pytest.approx(14.0)  # 0.7 x min(20, 100)
    assert limiter.rate(1000.0) == 20
    limiter.reserve(1000.0)
    assert limiter.active  # past twice the throttled rate, the fixed maximum keeps it on


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"max_rate": None, "adaptive": False}, ValueError),
        ({"max_rate": 0}, ValueError),
        ({"max_rate": float("nan")}, ValueError),
        ({"max_rate": float("inf")}, ValueError),
        ({"max_rate": "10"}, TypeError),
        ({"max_rate": True}, TypeError),
        ({"adaptive": 1}, TypeError),
        ({"decrease": 1.0}, ValueError),
        ({"decrease": 0}, ValueError),
        ({"growth": -1}, ValueError),
        ({"min_rate": 0}, ValueError),
    ],
)
def test_a_rate_limit_refuses_what_cannot_pace(arguments: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        RateLimit(**arguments)  # type: ignore[arg-type]


# -- the retry budget ------------------------------------------------------------------


def test_a_fresh_budget_holds_a_window_of_the_minimum() -> None:
    tokens = RetryTokens(RetryBudget(min_per_second=1.0, window=10.0), now=0.0)
    spent = 0
    while tokens.spend(0.0):
        spent += 1
    assert spent == 10


def test_retries_are_earned_by_answered_calls_at_the_ratio() -> None:
    tokens = RetryTokens(RetryBudget(ratio=0.5, min_per_second=0.0), now=0.0)
    assert not tokens.spend(0.0)
    for _ in range(10):
        tokens.earn(0.0)
    assert [tokens.spend(0.0) for _ in range(6)] == [True] * 5 + [False]


def test_earned_retries_fade_over_the_window() -> None:
    tokens = RetryTokens(RetryBudget(ratio=1.0, min_per_second=0.0, window=10.0), now=0.0)
    for _ in range(100):
        tokens.earn(0.0)
    assert tokens.balance(10.0) == pytest.approx(100 / math.e)
    assert tokens.balance(100.0) < 0.01


def test_a_spent_budget_refills_at_the_minimum_per_second() -> None:
    tokens = RetryTokens(RetryBudget(ratio=0.0, min_per_second=2.0, window=10.0), now=0.0)
    while tokens.spend(0.0):
        pass
    assert not tokens.spend(0.1)
    assert tokens.spend(0.6)  # about one token back after half a second at 2 per second
    assert tokens.balance(1000.0) == pytest.approx(20.0)  # and no more than a window's worth


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"ratio": -0.1}, ValueError),
        ({"ratio": float("nan")}, ValueError),
        ({"min_per_second": float("inf")}, ValueError),
        ({"window": 0}, ValueError),
        ({"ratio": "0.2"}, TypeError),
    ],
)
def test_a_retry_budget_refuses_what_cannot_count(
    arguments: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        RetryBudget(**arguments)  # type: ignore[arg-type]
