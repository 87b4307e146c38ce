"""What arrived at the emulator, for tests to assert on (``emulator.requests``).

Entries keep what a test needs and nothing that must stay secret: the Authorization
header and the session token are left out, and tunnel keys and passwords in bodies are
replaced by ``"***"``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attrs import frozen

__all__ = ["LoggedRequest", "RequestLog", "redact"]

REDACTED = "***"
_SECRET_KEYS = frozenset({"secretKey", "secret_key", "password"})
_HIDDEN_HEADERS = frozenset({"authorization", "x-bce-security-token"})


def redact(value: object) -> Any:
    """``value`` (parsed JSON) with every secret field's value replaced."""
    if isinstance(value, dict):
        return {
            key: REDACTED if key in _SECRET_KEYS and item is not None else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def visible_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in _HIDDEN_HEADERS}


@frozen(kw_only=True)
class LoggedRequest:
    """One request as the emulator saw it.

    ``status`` is what the emulator answered (also when a ``drop_after`` fault then
    lost the answer), or None when the connection was dropped before anything was done.
    ``fault`` is the kind of fault the request met, if any. ``body`` is the parsed JSON
    (None when empty or not JSON).
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    operation: str | None
    headers: Mapping[str, str]
    body: Any
    status: int | None
    fault: str | None
    request_id: str
    access_key_id: str | None


class RequestLog:
    """Every request, oldest first; iterable, sized, indexable."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []

    def append(self, entry: LoggedRequest) -> None:
        """Record one request (the emulator does, as each arrives)."""
        self._entries.append(entry)

    def for_operation(self, operation: str) -> list[LoggedRequest]:
        """The requests that named ``operation``, in arrival order."""
        return [entry for entry in self._entries if entry.operation == operation]

    @property
    def operations(self) -> list[str | None]:
        """Each request's operation in arrival order (None where none matched)."""
        return [entry.operation for entry in self._entries]

    def clear(self) -> None:
        """Forget every logged request."""
        self._entries.clear()

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> LoggedRequest:
        return self._entries[index]

    def __repr__(self) -> str:
        return f"RequestLog({len(self._entries)} requests)"
