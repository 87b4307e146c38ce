"""The emulator's state: the stores of records, the settings, and what every handler
shares (ids, the caller's gateway, the idle check, pages). Pure and synchronous, on an
injectable clock.

Choices where no source speaks (``docs/service/disagreements.md#not-found``): a prepaid
month is 30 days; configuration changes (bind, unbind, tunnels, the SSL-VPN service and
its users) and release are refused with 409 ``OperationDenied`` while the gateway is
building, configuring or expired, while renaming, delete protection and renewal are not.
"""

from __future__ import annotations

import bisect
import copy
import random
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from attrs import frozen

from bce_vpn_async import _rules as validation
from bce_vpn_async._clock import Clock
from bce_vpn_async._operations import MARKER, MAX_KEYS, Operation

from .errors import ServiceError
from .inputs import Body, apply_rule, declared
from .records import Gateway, Json

__all__ = ["MONTH_SECONDS", "Backend", "Call", "Handler", "max_keys", "paginate"]

MONTH_SECONDS = 30 * 86400
RECENT_IDS = 65_536
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SETTLED = frozenset({"active", "unconfigured"})

T = TypeVar("T")


@frozen
class Call:
    """One operation's input: which operation (the route's), who asks, the ids from the
    path, the query and the JSON body. Handlers read them by the table's Python names."""

    operation: Operation[Any]
    access_key_id: str
    path_ids: Mapping[str, str]
    query: Mapping[str, str]
    body: object

    def path_id(self, name: str) -> str:
        """The id in the path placeholder of parameter ``name`` (``vpn_id``)."""
        return self.path_ids[declared(self.operation, name, "path")]

    def fields(self) -> Body:
        """The JSON body, read by the operation's parameter names."""
        return Body(self.body, self.operation)

    def query_fields(self) -> Body:
        """The query, read by the operation's parameter names."""
        return Body(dict(self.query), self.operation, where="query")


Handler = Callable[["Backend", Call], "Json | None"]


class Backend:
    """The state of every account, and the settings the handlers read (``VpnEmulator``'s)."""

    def __init__(
        self,
        *,
        clock: Clock,
        build_seconds: float,
        configure_seconds: float,
        seed: int,
        strict_validation: bool,
        max_vpns_per_vpc: int,
    ) -> None:
        # The settings' defaults are VpnEmulator's, its one constructor.
        self.clock: Clock = clock
        self.build_seconds: float = build_seconds
        self.configure_seconds: float = configure_seconds
        self.strict_validation: bool = strict_validation
        self.max_vpns_per_vpc: int = max_vpns_per_vpc
        self._ids = random.Random(f"{seed}:ids")
        # The last RECENT_IDS ids minted, never minted again. Any older one comes back with
        # a chance of one in 36**12 (4.7e18) a draw: memory stays bounded by this window,
        # not by every id a long-running server has made.
        self._recent: set[str] = set()
        self._recent_order: deque[str] = deque()
        # The ids minted by the write in progress (all_or_nothing), else None.
        self._minted: list[str] | None = None
        self.forget()

    def forget(self) -> None:
        """Start with no records (``VpnEmulator.reset``): the one place that lists the
        emulator's stores, each a dict keyed by id. The generator of ids goes on, so new
        ones stay unlike old ones."""
        self.gateways: dict[str, Gateway] = {}
        # A tunnel's id -> its gateway's id (a tunnel's path names only the tunnel).
        self.tunnel_gateways: dict[str, str] = {}
        # Every store, for all_or_nothing to undo a failed write in.
        self.stores: tuple[dict[str, Any], ...] = (self.gateways, self.tunnel_gateways)

    # -- helpers shared by the handlers ----------------------------------------------------

    def now(self) -> float:
        """The emulator's clock, in seconds since the epoch."""
        return self.clock.time()

    def new_id(self, prefix: str) -> str:
        """A fresh id: ``prefix`` and 12 lowercase letters and digits, from the seeded
        generator (``docs/service/disagreements.md#not-found``)."""
        while True:
            ident = prefix + "".join(self._ids.choices(_ID_ALPHABET, k=12))
            if ident not in self._recent:
                break
        self._recent.add(ident)
        self._recent_order.append(ident)
        if len(self._recent_order) > RECENT_IDS:
            self._recent.discard(self._recent_order.popleft())
        if self._minted is not None:
            self._minted.append(ident)
        return ident

    @contextmanager
    def all_or_nothing(self, call: Call) -> Iterator[None]:
        """Run one write: if it raises, the state is put back as it was.

        A write adds resources only under ids it mints, and changes only the records its
        path names (a tunnel through the gateway that holds it), so the undo is a copy of
        those records and the list of minted ids: it costs the size of what the path
        names, not of the state. Handlers check before they change anything; this covers
        what a check cannot foresee (a bug, a clock that fails mid-write).
        """
        saved = self._named_records(call)
        minted: list[str] = []
        self._minted = minted
        try:
            yield
        except BaseException:
            for store in self.stores:
                for ident in minted:
                    store.pop(ident, None)
            for store, ident, record in saved:
                store[ident] = record
            raise
        finally:
            self._minted = None

    def _named_records(self, call: Call) -> list[tuple[dict[str, Any], str, Any]]:
        """(store, id, a deep copy of the record) for each id in the call's path, and for
        each id an index leads to (``tunnel_gateways``: a tunnel's gateway)."""
        saved = []
        names = list(call.path_ids.values())
        seen = set()
        while names:
            ident = names.pop()
            if ident in seen:
                continue
            seen.add(ident)
            for store in self.stores:
                if ident in store:
                    record = store[ident]
                    saved.append((store, ident, copy.deepcopy(record)))
                    if isinstance(record, str):
                        names.append(record)
        return saved

    def gateway(self, call: Call) -> Gateway:
        """The gateway the call's path names, in the caller's account; else 404."""
        vpn_id = call.path_id("vpn_id")
        gateway = self.gateways.get(vpn_id)
        # Another account's gateway is as invisible as one that never existed.
        if gateway is None or gateway.access_key_id != call.access_key_id:
            raise ServiceError.not_found("VPN gateway", vpn_id)
        return gateway

    def require_idle(self, gateway: Gateway) -> None:
        """409 unless the gateway is settled (``active`` or ``unconfigured``)."""
        status = gateway.status(self.now())
        if status not in _SETTLED:
            raise ServiceError.denied(
                f"The VPN gateway {gateway.vpn_id} is {status}; "
                "try again when it is active or unconfigured."
            )

    def start_configuring(self, gateway: Gateway) -> None:
        """The gateway was changed: ``configuring`` for a while, configured from then on."""
        gateway.busy_until = self.now() + self.configure_seconds
        gateway.configured = True

    def require_free_eip(self, access_key_id: str, eip: str) -> None:
        """409 if another gateway of the account has ``eip`` bound."""
        for other in self.gateways.values():
            if other.access_key_id == access_key_id and other.eip == eip:
                raise ServiceError.denied(f"The EIP {eip} is bound to {other.vpn_id}.")


def max_keys(query: Mapping[str, str]) -> int:
    """``maxKeys`` from the query: 1000 when absent, and a larger value is capped at 1000."""
    text = query.get(MAX_KEYS)
    if text is None or text == "":
        return 1000
    try:
        value: object = int(text)
    except ValueError:
        value = text
    if isinstance(value, int) and value > 1000:
        return 1000
    return apply_rule(validation.max_keys, value)


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    call: Call,
    name: str,
    view: Callable[[T], Any],
) -> Json:
    """A marker page (``docs/service/api-facts.md#emulator-checklist``): sorted by id, the
    marker inclusive.

    An unknown marker (say, the id of a deleted item) starts the page where it would have
    sorted, so a paginator never loses its place when the list changes under it.
    """
    if not call.operation.paginated:
        raise KeyError(f"{call.operation.name} is not paginated: it takes no {MARKER}")
    query = call.query
    ordered = sorted(items, key=key)
    ids = [key(item) for item in ordered]
    marker = query.get(MARKER) or None
    size = max_keys(query)
    start = bisect.bisect_left(ids, marker) if marker else 0
    page = ordered[start : start + size]
    truncated = start + size < len(ordered)
    answer: Json = {
        "marker": marker if marker else (ids[0] if ids else ""),
        "maxKeys": size,
        "isTruncated": truncated,
        name: [view(item) for item in page],
    }
    if truncated:
        answer["nextMarker"] = ids[start + size]
    return answer
