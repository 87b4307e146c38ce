"""Requests counted on the client, the same way for every contender: each attempt sent and
the status it got (0 for an attempt that got no answer).

For this SDK a middleware (user middleware sits inside the retry and rate-limit
middleware, so it sees every attempt actually sent, and none the limiter held back); for
the official SDK a wrapper around ``bce_http_client._send_http_request``, which its retry
loop calls once per attempt.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Requests:
    """Attempts sent, by status; safe to add to from threads."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    def add(self, status: int) -> None:
        with self._lock:
            self.statuses[status] += 1


class CountingMiddleware:
    """A middleware counting every attempt the SDK sends, with its status."""

    def __init__(self, requests: Requests) -> None:
        self._requests = requests

    async def __call__(self, request: Any, call_next: Any) -> Any:
        try:
            response = await call_next(request)
        except BaseException:
            self._requests.add(0)
            raise
        self._requests.add(response.status_code)
        return response


def count_official(requests: Requests) -> None:
    """Count every attempt the official SDK sends from now on (in this process)."""
    from baidubce.http import bce_http_client

    send = bce_http_client._send_http_request

    def counting_send(*args: Any, **kwargs: Any) -> Any:
        try:
            response = send(*args, **kwargs)
        except BaseException:
            requests.add(0)
            raise
        requests.add(response.status)
        return response

    bce_http_client._send_http_request = counting_send


def result(
    contender: str, n: int, c: int, meter: Any, failures: list[str], requests: Requests
) -> dict[str, Any]:
    """One measurement of a scenario whose requests were counted: what every such
    scenario reports (the caller adds its own figures)."""
    from common import peak_rss_mb

    return {
        "contender": contender,
        "n": n,
        "c": c,
        "wall": meter.wall,
        "cpu": meter.cpu,
        "server_cpu": meter.server_cpu,
        "other_cpu": meter.other,
        "failed": len(failures),
        "failures": sorted(set(failures)),
        "requests": requests.count,
        "statuses": {str(k): v for k, v in sorted(requests.statuses.items())},
        "peak_rss_mb": peak_rss_mb(),
    }
