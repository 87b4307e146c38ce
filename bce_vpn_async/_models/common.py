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
    """What the HTTP exchange said besides the body: request id, status, headers.

    Every result of a call carries one as ``metadata``; it takes no part in the result's
    equality or repr.
    """

    request_id: str | None = None
    """The service's id for the request (the ``x-bce-request-id`` header), or None.

    Quote it to support; None when the response has none.
    """
    status_code: int = 0
    """The HTTP status of the response: a 2xx, since an error status raises instead.

    0 where no response is behind the value: one made by hand, or an item of a page.
    """
    # A Mapping, so a case-insensitive httpx.Headers can be kept as it is; left out of the
    # hash because a plain dict is not hashable.
    headers: Mapping[str, str] = field(factory=dict, hash=False)
    """The response headers, as received; in a call's result, names match in any case."""


# One shared instance: a page of 1000 gateways would otherwise build 1000 empty ones.
# Read-only headers, so sharing it is safe.
EMPTY_METADATA = ResponseMetadata(request_id=None, status_code=0, headers=MappingProxyType({}))


@frozen
class Tag:
    """A resource tag (``tagKey`` / ``tagValue`` on the wire)."""

    tag_key: str
    """The key (``tagKey``): 1 to 65 letters, digits, spaces and ``-_/.``.

    Letters include Chinese ones.
    """
    tag_value: str
    """The value (``tagValue``): as a key, but may be empty (0 to 65 characters)."""


# Fields: docs/service/api-facts.md#create-vpn-gateway and docs/service/api-facts.md#renew.
@frozen
class Billing:
    """How a gateway is paid for; the wire nests the reservation fields in ``reservation``.

    ``create_vpn`` needs ``payment_timing``; ``renew_vpn`` needs ``reservation_length``
    and sends only the reservation (the payment timing is the gateway's own). A field left
    None is not sent.
    """

    payment_timing: PaymentTiming | None = None
    """``Prepaid`` or ``Postpaid`` (``paymentTiming``).

    Only a postpaid gateway can be released, and only a prepaid one renewed.
    """
    billing_method: str | None = None
    """The billing method (``billingMethod``), sent as given.

    The API reference lists no values for it; the Java SDK's default is ``ByBandwidth``.
    """
    reservation_length: int | None = None
    """A prepaid term in months, 1 to 9, 12, 24 or 36 (``reservation.reservationLength``)."""
    reservation_time_unit: ReservationTimeUnit | None = None
    """The term's unit, ``month`` or ``Month`` (``reservation.reservationTimeUnit``).

    ``month`` is the API reference's spelling, ``Month`` the one the official Python SDK
    and Terraform send. ``renew_vpn`` sends ``month`` when it is None.
    """


# Fields: docs/service/api-facts.md#list-vpn-gateways and
# docs/service/api-facts.md#ssl-vpn-users.
@frozen(kw_only=True)
class PageFields:
    """What every page of a marker listing says besides its items.

    ``marker`` is where the page started; ``next_marker`` (None on the last page) is where
    the next one starts.
    """

    marker: str | None = None
    """Where this page starts: a resource id, that of the page's first item.

    A page includes its marker; the reference's examples answer it even when the request
    gave no marker.
    """
    next_marker: str | None = None
    """Where the next page starts (``nextMarker``); None on the last page, which has none."""
    is_truncated: bool = False
    """Whether more pages follow (``isTruncated``)."""
    max_keys: int | None = None
    """The most items a page holds (``maxKeys``): the request's, or 1000 by default."""
    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange that brought this page."""


@frozen(kw_only=True)
class OperationResult:
    """The result of an operation whose response has no body."""

    metadata: ResponseMetadata = field(default=EMPTY_METADATA, eq=False, repr=False)
    """The HTTP exchange: its request id above all."""
