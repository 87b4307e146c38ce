"""Time, as one injectable object.

Signing reads the wall clock, retries and waiters read the monotonic clock and
sleep, and the emulator ages its gateways. Routing all of it through a ``Clock``
lets tests swap in ``FakeClock``: sleeps return at once and advance virtual time,
so backoff and polling are instant yet still observable, and an in-process
emulator sharing the same clock sees the same time pass.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Where time comes from (``ClientConfig(clock=...)``, ``VpnEmulator(clock=...)``):
    ``SystemClock`` by default, ``bce_vpn_async.testing.FakeClock`` in tests."""

    def time(self) -> float:
        """Wall-clock seconds since the epoch (for signatures and service timestamps)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for deadlines)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """The real wall clock: ``time.time()``."""
        return time.time()

    def monotonic(self) -> float:
        """The real monotonic clock: ``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep``; a negative time sleeps not at all."""
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that only moves when told to, or when something sleeps on it.

    ``sleep`` advances the clock by the time asked and yields to the event loop
    once, so concurrent tasks still interleave. Wall and monotonic time move
    together.
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._wall = float(start)
        self._mono = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        """Virtual wall-clock seconds since the epoch (``start`` plus what has passed)."""
        return self._wall

    def monotonic(self) -> float:
        """Virtual seconds passed since the clock was made."""
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by ``seconds`` (never back)."""
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        self._wall += seconds
        self._mono += seconds

    async def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` at once (recorded in ``sleeps``), then yield to the loop once."""
        seconds = max(0.0, seconds)
        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"FakeClock(time={self._wall!r})"
