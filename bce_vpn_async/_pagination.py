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

    A listing method (``list_vpns``, ``list_vpn_ssl_users``) returns one; nothing is sent
    until it is used:

    ```python
    page = await client.list_vpns("vpc-1")  # the first page
    async for vpn in client.list_vpns("vpc-1"):  # every item, page by page
        ...
    async for page in client.list_vpns("vpc-1").pages():  # every page
        ...
    ```

    A marker the service already gave raises ``BcePaginationError`` instead of looping.

    Args:
        fetch: Fetches the page at a marker (None for the first).
        items: The items of a page.
        marker: The marker to start from, or None for the first page.
        max_items: Stop the walk (of items, and of pages) once this many items were seen.
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
        """``await paginator``: the first page (from ``marker``), as one call."""
        return self._fetch(self._marker).__await__()

    async def pages(self) -> AsyncIterator[PageT]:
        """Every page, from the first marker, until the listing is complete or
        ``max_items`` items were seen.

        Yields:
            Each page, in order.

        Raises:
            BcePaginationError: The service said a page was truncated but gave no marker,
                or gave a marker it had given before.
            BceError: A page's call failed (as any call of the client fails).
        """
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
        """``async for item in paginator``: every item of every page, in order."""
        return self._walk()
