"""Values shared by every part of the API: response metadata, tags, billing, page shape."""

# No `from __future__ import annotations`: the converter reads these annotations as
# types, and strings would be compiled one by one inside the first call (~5 ms).
from collections.abc import Mapping
from types import MappingProxyType

from attrs import field, frozen

from bce_vpn_async._rules import PaymentTiming, ReservationTimeUnit

__all__ = [
    "EMPTY_METADATA",
    "Billing",
    "OperationResult",
    "PageFields",
    "ResponseMetadata",
    "Tag",
]


@frozen
class ResponseMetadata:
    """What the HTTP exchange said besides the body: request id, status, headers."""

    request_id: str | None = None
    status_code: int = 0
    # A Mapping, so a case-insensitive httpx.Headers can be kept as it is; left out of the
    # hash because a plain dict is not hashable.
    headers: Mapping[str, str] = field(factory=dict, hash=False)


# One shared instance: a page of 1000 gateways would otherwise build 1000 empty ones.
# Read-only headers, so sharing it is safe.
EMPTY_METADATA = ResponseMetadata(request_id=None, status_code=0, headers=MappingProxyType({}))


@frozen
class Tag:
    """A resource tag (``tagKey`` / ``tagValue`` on the wire)."""

    tag_key: str
    tag_value: str


@frozen
class Billing:
    """How a gateway is paid for; the wire nests the reservation fields in ``reservation``."""

    payment_timing: PaymentTiming | None = None
    billing_method: str | None = None
    reservation_length: int | None = None
    reservation_time_unit: ReservationTimeUnit | None = None


@frozen(kw_only=True)
class PageFields:
    """What every page of a marker listing says besides its items (spec 3.2, 3.14).

    ``marker`` is where the page started; ``next_marker`` (None on the last page) is where
    the next one starts.
    """

    marker: str | None = None
    next_marker: str | None = None
    is_truncated: bool = False
    max_keys: int | None = None
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)


@frozen(kw_only=True)
class OperationResult:
    """The result of an operation whose response has no body."""

    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
