"""The emulator's rate limit: a token bucket per account, on the emulator's clock.

Each account (access key id) gets a bucket holding ``rate`` tokens (a burst of one
second), refilled at ``rate`` per second; every signed request takes one. An empty bucket
answers 429 with ``Retry-After``: the whole seconds until a token is back (at least 1, as
the header carries only whole seconds).
"""

from __future__ import annotations

import math

__all__ = ["AccountBuckets"]


class AccountBuckets:
    """Per-account token buckets; ``take`` is driven by the caller's ``now``."""

    def __init__(self, rate: float) -> None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise TypeError("rate_limit must be a number of requests per second or None")
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError("rate_limit must be a finite number > 0 or None")
        self.rate: float = float(rate)
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, account: str, now: float) -> int | None:
        """Take a token for ``account``: None if there was one, else the Retry-After."""
        tokens, at = self._buckets.get(account, (self.rate, now))
        tokens = min(self.rate, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[account] = (tokens - 1.0, now)
            return None
        self._buckets[account] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))
