"""What arrived at the emulator, for tests to assert on (``emulator.requests``).

Entries keep what a test needs and nothing that must stay secret: the Authorization
header and the session token are left out, and tunnel keys and passwords in bodies are
replaced by ``"***"``.

The log is a ring: it keeps the last ``REQUEST_LOG_SIZE`` requests (``VpnEmulator(
request_log_size=...)``, ``serve --request-log-size``), and of each body at most
``LOG_BODY_BYTES``, so a server left running keeps the same memory whatever it is sent.
A body is kept only as strict JSON whose secrets are masked before anything is stored:
a longer body, or one that is not JSON, is kept as its size alone, since no prefix of
it can be masked with certainty.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any, Final

from attrs import frozen

from ._json import JsonRefused, dumps, loads

__all__ = [
    "LOG_BODY_BYTES",
    "REQUEST_LOG_SIZE",
    "LoggedRequest",
    "RequestLog",
    "logged_body",
    "redact",
]

REQUEST_LOG_SIZE: Final = 10_000
"""How many requests the log keeps by default (the oldest go first)."""
LOG_BODY_BYTES: Final = 16 * 1024
"""The longest body the log keeps (in bytes as received); longer ones keep their size."""

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
    """``headers`` without the Authorization and session-token headers."""
    return {name: value for name, value in headers.items() if name not in _HIDDEN_HEADERS}


def logged_body(body: bytes) -> str | None:
    """``body`` as the log keeps it: compact JSON with the secrets masked, or None when it
    is empty, longer than ``LOG_BODY_BYTES`` or not strict JSON."""
    if not body or len(body) > LOG_BODY_BYTES:
        return None
    try:
        value = loads(body)
    except JsonRefused:
        return None
    return dumps(redact(value)).decode("utf-8")


@frozen(kw_only=True)
class LoggedRequest:
    """One request as the emulator saw it (an entry of ``emulator.requests``).

    It holds no secret: no Authorization header, no session token, and the tunnel keys
    and passwords of the body masked as ``"***"``.
    """

    method: str
    """The HTTP method, such as ``"POST"``."""
    path: str
    """The path, percent-decoded (``/v1/vpn/vpn-...``)."""
    query: tuple[tuple[str, str], ...]
    """The query's ``(name, value)`` pairs, in the order sent.

    A valueless key reads as ``("bind", "")``.
    """
    operation: str | None
    """The SDK method name the request named (``"create_vpn"``), or None."""
    headers: Mapping[str, str]
    """The headers, names in lower case, without Authorization and the session token."""
    body_size: int
    """The body's length in bytes, as received."""
    body_json: str | None
    """The body as compact JSON with secrets masked, or None when it was not kept.

    Not kept: an empty body, one that is not strict JSON, or one longer than
    ``LOG_BODY_BYTES`` (16 KiB). ``body`` parses it.
    """
    status: int | None
    """The HTTP status the emulator answered, or None when it answered none.

    Kept when a ``drop_after`` fault then lost the answer; None when a ``drop_before``
    fault closed the connection first.
    """
    fault: str | None
    """The kind of fault the request met, or None.

    A ``mix`` rule logs the kind it drew: ``error``, ``throttle``, ``drop_before`` or
    ``drop_after``.
    """
    request_id: str
    """The ``x-bce-request-id`` of the answer."""
    access_key_id: str | None
    """The access key id that signed it, or None when the signature was refused."""

    @property
    def body(self) -> Any:
        """The body as parsed JSON, secrets masked (None when it was not kept)."""
        return None if self.body_json is None else loads(self.body_json.encode("utf-8"))


class RequestLog:
    """The last requests the emulator received, oldest first (``emulator.requests``).

    Iterable, sized and indexable (``emulator.requests[-1]`` is the latest).

    Args:
        maxlen: How many requests it keeps; the oldest go first (0 keeps none).

    Raises:
        ValueError: ``maxlen`` is not an integer >= 0.
    """

    def __init__(self, maxlen: int = REQUEST_LOG_SIZE) -> None:
        if isinstance(maxlen, bool) or not isinstance(maxlen, int) or maxlen < 0:
            raise ValueError(f"request_log_size must be an integer >= 0, not {maxlen!r}")
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)

    @property
    def maxlen(self) -> int:
        """How many requests the log keeps; the oldest go first."""
        return self._entries.maxlen or 0

    def append(self, entry: LoggedRequest) -> None:
        """Record one request (the emulator does, as each arrives).

        Args:
            entry: The request; past ``maxlen`` entries, the oldest goes.
        """
        self._entries.append(entry)

    def for_operation(self, operation: str) -> list[LoggedRequest]:
        """The requests that named one operation.

        Args:
            operation: An SDK method name (``"create_vpn"``).

        Returns:
            Those requests, in arrival order.
        """
        return [entry for entry in self._entries if entry.operation == operation]

    @property
    def operations(self) -> list[str | None]:
        """Each request's operation in arrival order (None where none matched)."""
        return [entry.operation for entry in self._entries]

    def clear(self) -> None:
        """Forget every logged request."""
        self._entries.clear()

    def __iter__(self) -> Iterator[LoggedRequest]:
        """The requests, oldest first (a snapshot: the log may grow meanwhile)."""
        return iter(list(self._entries))

    def __len__(self) -> int:
        """How many requests the log holds now."""
        return len(self._entries)

    def __getitem__(self, index: int) -> LoggedRequest:
        """The request at ``index`` (0 the oldest kept, -1 the latest).

        Args:
            index: Its position, counted from the oldest kept, or from the end when
                negative.

        Returns:
            The logged request.

        Raises:
            IndexError: No request at ``index``.
        """
        return self._entries[index]

    def __repr__(self) -> str:
        return f"RequestLog({len(self._entries)} requests, maxlen={self.maxlen})"
