"""What a client shares with the copies ``with_options`` makes, and the checks on the
extra headers a copy sends.

A copy is a second view of one client: the same connection pool, credentials, signer
and clock offset, and the same state learnt about the service (the adaptive rate
limiter, the retry budget's balance, the ``max_concurrency`` places), because those
describe the service and the account, not one part of the caller's code. What differs
is per call: the timeout, the retry policy, argument validation and extra headers.
"""

from __future__ import annotations

import asyncio
import enum
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

from attrs import define, field

from ._budget import RetryBudget, RetryTokens
from ._errors import BceValidationError
from ._pipeline import ClockSkew, LoggingMiddleware, Middleware, SigningMiddleware
from ._ratelimit import RateLimitMiddleware
from ._retry import RetryMiddleware
from ._signing import BceV1Signer, Signer
from ._waiters import Transitions

if TYPE_CHECKING:
    from ._clock import Clock
    from ._config import ClientConfig
    from ._credentials import CredentialsProvider

__all__ = [
    "OMITTED",
    "RESERVED_HEADERS",
    "Omitted",
    "SharedParts",
    "extra_headers",
    "merged_headers",
]


class Omitted(enum.Enum):
    """The type of ``OMITTED``: an option left as it is (``None`` means something)."""

    OMITTED = "OMITTED"

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Final = Omitted.OMITTED

# Headers the SDK writes itself: a copy of the caller's would be dropped, duplicated or
# would break the signature or the body's framing.
RESERVED_HEADERS: Final = frozenset(
    {
        "authorization",
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "x-bce-date",
        "x-bce-security-token",
    }
)

# RFC 9110's token: what a header name may be made of.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def extra_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` checked for use on every request: names are tokens the SDK does not
    own, values are strings without control characters (CR and LF would split the
    header) outside ASCII. Errors name the header, never its value (it may be a secret)."""
    if not isinstance(headers, Mapping):
        raise TypeError(f"headers must be a mapping of str to str, not {type(headers).__name__}")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("headers must map str names to str values")
        if not _TOKEN.fullmatch(name):
            # Not echoed: a malformed name may be a whole "Name: value" line.
            raise BceValidationError("headers", "a header name must be a non-empty HTTP token")
        if name.lower() in RESERVED_HEADERS:
            raise BceValidationError(
                f"headers[{name!r}]", "is written by the SDK and cannot be set"
            )
        if not value.isascii() or any(unicodedata.category(c) == "Cc" for c in value):
            # ASCII because httpx encodes header values so (anything else fails at send).
            raise BceValidationError(
                f"headers[{name!r}]",
                "the value must be ASCII text without control characters (CR, LF...)",
            )
        checked[name] = value
    return checked


@define(kw_only=True, eq=False)
class SharedParts:
    """What a client and all its ``with_options`` copies hold in common."""

    provider: CredentialsProvider
    signing: SigningMiddleware
    skew: ClockSkew
    rate_limit: RateLimitMiddleware | None
    middleware: tuple[Middleware, ...]
    gate: asyncio.Semaphore | None
    _clock: Clock
    # One balance per budget: calls under the same budget earn into and spend from one
    # balance whichever copy made them; a copy with a budget of its own keeps its own (a
    # balance only means something in its budget's units).
    _tokens: dict[RetryBudget, RetryTokens] = field(factory=dict, init=False)
    # When earlier waits saw their change, for every copy's wait_until_status.
    transitions: Transitions = field(factory=Transitions, init=False)

    @classmethod
    def of(
        cls,
        config: ClientConfig,
        provider: CredentialsProvider,
        signer: Signer | None,
        middleware: Sequence[Middleware],
        *,
        own_pool: bool,
    ) -> SharedParts:
        """The parts of a new client made with ``config``; ``own_pool`` says the SDK makes
        the connection pool (of ``config.max_connections``), not the caller."""
        if signer is None:
            signer = BceV1Signer(expiration_seconds=config.signature_expiration)
        skew = ClockSkew()
        return cls(
            provider=provider,
            signing=SigningMiddleware(signer, provider, config.clock, skew),
            skew=skew,
            rate_limit=(
                None
                if config.rate_limit is None
                else RateLimitMiddleware(
                    config.rate_limit,
                    config.clock,
                    connections=config.max_connections if own_pool else None,
                )
            ),
            middleware=tuple(middleware),
            # Per call, not per attempt: a call waiting out a backoff keeps its place, so
            # the bound is on work in progress, not only on requests on the wire.
            gate=(
                None
                if config.max_concurrency is None
                else asyncio.Semaphore(config.max_concurrency)
            ),
            clock=config.clock,
        )

    def chain(self, config: ClientConfig) -> list[Middleware]:
        """The middleware of a client (or copy) made with ``config``: retry, rate limit,
        the caller's middleware, logging, signing."""
        chain: list[Middleware] = []
        retry = config.retry
        if retry is not None:
            tokens = None if retry.budget is None else self.tokens(retry.budget)
            chain.append(RetryMiddleware(retry, config.clock, self.skew, tokens=tokens))
        if self.rate_limit is not None:
            chain.append(self.rate_limit)
        chain.extend(self.middleware)
        chain.append(LoggingMiddleware())
        chain.append(self.signing)
        return chain

    def tokens(self, budget: RetryBudget) -> RetryTokens:
        tokens = self._tokens.get(budget)
        if tokens is None:
            tokens = self._tokens[budget] = RetryTokens(budget, self._clock.monotonic())
        return tokens


def merged_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``base`` with ``extra`` on top, names compared without regard to case."""
    replaced = {name.lower() for name in extra}
    merged = {name: value for name, value in base.items() if name.lower() not in replaced}
    merged.update(extra)
    return merged
