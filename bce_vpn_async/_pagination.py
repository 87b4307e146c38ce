"""Marker pagination as one object that is both awaitable and async-iterable.

``await client.list_vpns(...)`` gives one page; ``async for vpn in client.list_vpns(...)``
walks every item across pages; ``.pages()`` walks the pages. Nothing is sent until the
paginator is awaited or iterated, and each iteration starts again from the first marker,
so a paginator can be reused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Sequence
from typing import Generic, Protocol, TypeVar

from ._errors import BcePaginationError

__all__ = ["AsyncPaginator", "Page"]


class Page(Protocol):
    @property
    def is_truncated(self) -> bool | None: ...

    @property
    def next_marker(self) -> str | None: ...


PageT = TypeVar("PageT", bound=Page)
ItemT = TypeVar("ItemT")


class AsyncPaginator(Generic[PageT, ItemT]):
    """Pages fetched by marker until the service says the listing is complete.

    ``fetch(marker)`` fetches one page; ``items(page)`` returns that page's items.
    ``max_items`` stops the item walk (and the page walk) once that many items were seen.
    A marker the service already gave raises ``BcePaginationError`` instead of looping.
    """

    def __init__(
        self,
        fetch: Callable[[str | None], Awaitable[PageT]],
        items: Callable[[PageT], Sequence[ItemT]],
        *,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._items = items
        self._marker = marker
        self._max_items = max_items

    def __await__(self) -> Generator[object, None, PageT]:
        return self._fetch(self._marker).__await__()

    async def pages(self) -> AsyncIterator[PageT]:
        """Every page, from the first marker, until the listing is complete or
        ``max_items`` items were seen."""
        marker = self._marker
        seen: set[str] = set()
        remaining = self._max_items
        while True:
            page = await self._fetch(marker)
            yield page
            if remaining is not None:
                remaining -= len(self._items(page))
                if remaining <= 0:
                    return
            if not page.is_truncated:
                return
            marker = page.next_marker
            if not marker:
                raise BcePaginationError(
                    "the service said the listing is truncated but gave no marker"
                )
            if marker in seen or marker == self._marker:
                raise BcePaginationError(
                    f"the service repeated the page marker {marker!r}; stopping instead of looping"
                )
            seen.add(marker)

    async def _walk(self) -> AsyncIterator[ItemT]:
        remaining = self._max_items
        if remaining is not None and remaining <= 0:
            return
        async for page in self.pages():
            for item in self._items(page):
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return self._walk()
