"""The async paginator: one page when awaited, every item when iterated, guarded markers."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bce_vpn_async import AsyncPaginator, BcePaginationError


@attrs.frozen
class FakePage:
    items: tuple[int, ...]
    is_truncated: bool
    next_marker: str | None


def pages_of(items: list[int], size: int) -> dict[str | None, FakePage]:
    """Marker pagination as the service does it: the marker is the first item of a page."""
    pages: dict[str | None, FakePage] = {}
    chunks = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
    for index, chunk in enumerate(chunks):
        marker = None if index == 0 else f"m{chunk[0]}"
        last = index == len(chunks) - 1
        next_marker = None if last else f"m{chunks[index + 1][0]}"
        pages[marker] = FakePage(tuple(chunk), not last, next_marker)
    return pages


class Recorder:
    def __init__(self, pages: dict[str | None, FakePage]) -> None:
        self.pages = pages
        self.markers: list[str | None] = []

    async def __call__(self, marker: str | None) -> FakePage:
        self.markers.append(marker)
        return self.pages[marker]


def paginator(fetch: Recorder, **kwargs: object) -> AsyncPaginator[FakePage, int]:
    return AsyncPaginator(fetch, lambda page: page.items, **kwargs)  # type: ignore[arg-type]


async def test_awaiting_a_paginator_fetches_exactly_one_page() -> None:
    fetch = Recorder(pages_of(list(range(10)), 3))
    page = await paginator(fetch)
    assert page.items == (0, 1, 2)
    assert fetch.markers == [None]


async def test_iterating_yields_every_item_across_pages_in_order() -> None:
    fetch = Recorder(pages_of(list(range(10)), 3))
    assert [item async for item in paginator(fetch)] == list(range(10))
    assert fetch.markers == [None, "m3", "m6", "m9"]


async def test_pages_yields_each_page_once() -> None:
    fetch = Recorder(pages_of(list(range(7)), 3))
    pages = [page async for page in paginator(fetch).pages()]
    assert [len(page.items) for page in pages] == [3, 3, 1]


async def test_max_items_stops_the_walk_without_fetching_more_pages() -> None:
    fetch = Recorder(pages_of(list(range(10)), 3))
    assert [item async for item in paginator(fetch, max_items=4)] == [0, 1, 2, 3]
    assert fetch.markers == [None, "m3"]


async def test_max_items_zero_sends_nothing() -> None:
    fetch = Recorder(pages_of(list(range(10)), 3))
    assert [item async for item in paginator(fetch, max_items=0)] == []
    assert fetch.markers == []


async def test_a_start_marker_is_sent_with_the_first_request() -> None:
    fetch = Recorder(pages_of(list(range(10)), 3))
    assert [item async for item in paginator(fetch, marker="m6")] == [6, 7, 8, 9]
    assert fetch.markers[0] == "m6"


async def test_a_repeated_marker_raises_instead_of_looping_forever() -> None:
    looping = {
        None: FakePage((1,), True, "a"),
        "a": FakePage((2,), True, "b"),
        "b": FakePage((3,), True, "a"),
    }
    with pytest.raises(BcePaginationError, match="repeated the page marker"):
        [item async for item in paginator(Recorder(looping))]


async def test_a_truncated_page_without_a_marker_raises() -> None:
    broken = {None: FakePage((1,), True, None)}
    with pytest.raises(BcePaginationError, match="gave no marker"):
        [item async for item in paginator(Recorder(broken))]


async def test_a_paginator_can_be_iterated_twice() -> None:
    fetch = Recorder(pages_of(list(range(5)), 2))
    walker = paginator(fetch)
    first = [item async for item in walker]
    second = [item async for item in walker]
    assert first == second == list(range(5))


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.integers(0, 10_000), unique=True, max_size=60).map(sorted),
    size=st.integers(1, 20),
)
async def test_every_item_is_returned_exactly_once_for_any_page_size(
    items: list[int], size: int
) -> None:
    seen = [item async for item in paginator(Recorder(pages_of(items, size)))]
    assert seen == items
