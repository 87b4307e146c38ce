"""What a ``BceV1Signer`` remembers between calls, so that a busy client signs cheaply.

A client signs many requests a second with the same few keys and headers. Per second it
needs the timestamp, the ``x-bce-date`` line, and per access key the Authorization prefix
and an HMAC keyed by that second's signing key; per secret, an HMAC keyed by the secret
to derive signing keys from; and the canonical line of each header value it has seen.
None of it is part of the signer's value or repr.
"""

from __future__ import annotations

import hmac
import time
from typing import Final

__all__ = ["Second", "SignerMemory"]

_TWO_DIGITS: Final = tuple(f"{n:02d}" for n in range(60))


class Second:
    """One second's timestamp (``2015-04-27T08:23:49Z``), its ``x-bce-date`` line (empty
    when the date is not signed) and, per (access key id, secret), the Authorization
    header up to the signature with an HMAC keyed by the signing key."""

    __slots__ = ("date_line", "epoch", "keys", "stamp", "stamp_bytes")

    def __init__(self, epoch: int, stamp: str, date_line: bytes) -> None:
        self.epoch = epoch
        self.stamp = stamp
        self.stamp_bytes = stamp.encode("ascii")
        self.date_line = date_line
        self.keys: dict[tuple[str, str], tuple[str, hmac.HMAC]] = {}


class SignerMemory:
    __slots__ = ("day", "lines", "second", "secrets")

    def __init__(self) -> None:
        self.second = Second(-1, "", b"")
        # Day number -> "YYYY-MM-DDT": the date part of a timestamp changes once a day.
        self.day: tuple[int, str] = (-1, "")
        # Secret -> an HMAC keyed by it, copied to derive each second's signing key.
        self.secrets: dict[str, hmac.HMAC] = {}
        # (raw name, raw value) -> canonical line, b"" when not signed. Calls repeat the same
        # few headers, and encoding a value byte by byte is the dearest step of signing.
        self.lines: dict[tuple[bytes, bytes], bytes] = {}

    def new_second(self, epoch: int, *, date_signed: bool) -> Second:
        """Make ``epoch`` the current second: its timestamp is the day's date (formatted
        once a day) and the time of day, the same text ``format_timestamp`` writes."""
        day, seconds = divmod(epoch, 86400)
        if self.day[0] != day:
            t = time.gmtime(day * 86400)
            self.day = (day, f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}T")
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        stamp = f"{self.day[1]}{_TWO_DIGITS[hours]}:{_TWO_DIGITS[minutes]}:{_TWO_DIGITS[seconds]}Z"
        # Of a timestamp's characters only ":" needs encoding in a canonical header line.
        line = b"x-bce-date:" + stamp.replace(":", "%3A").encode("ascii") if date_signed else b""
        self.second = Second(epoch, stamp, line)
        return self.second
