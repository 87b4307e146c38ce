"""Reading a request body the way the service does.

Two kinds of refusal, as BCE makes them (spec 6): a field that is missing or of the wrong
JSON type is ``InappropriateJSON``; a well-typed value that breaks a rule is
``BadRequest``, with the rule taken from the shared ``validation`` module so that the
client and the emulator can never disagree. A JSON ``null`` counts as absent (the
official SDK sends ``"description": null`` for unset fields), so does an empty string (the
Go SDK sends ``"cgwId": ""``), and unknown keys are ignored. Messages name the wire
field and the rule, never the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from bce_vpn_async import _validation as validation
from bce_vpn_async._errors import BceValidationError

from ._state import ServiceError

__all__ = ["Body", "apply_rule", "lenient_lifetime"]

T = TypeVar("T")


def apply_rule(rule: Callable[..., T], *args: object) -> T:
    """Run a ``validation`` rule, answering its refusal as ``BadRequest``."""
    try:
        return rule(*args)
    except BceValidationError as exc:
        error = ServiceError.bad_request(str(exc))
    # Raised outside the except block: no chained BceValidationError rides along.
    raise error


def lenient_lifetime(field: str, value: object) -> int:
    """A lifetime when the reference's range is relaxed (``strict_validation=False``, ``serve
    --relaxed``): any positive whole number of seconds, for code written against a service
    that accepts more than the API reference documents."""
    seconds = validation.lifetime_seconds(value) if isinstance(value, int | str) else None
    if seconds is not None and seconds > 0:
        return seconds
    raise ServiceError.bad_request(f"{field}: must be a positive whole number of seconds")


class Body:
    """A JSON object of a request, or one nested in it (``prefix`` names where)."""

    def __init__(self, data: object, prefix: str = "") -> None:
        if not isinstance(data, dict):
            where = prefix or "the request body"
            raise ServiceError.inappropriate_json(f"{where} must be a JSON object")
        self._data: dict[str, Any] = data
        self._prefix = prefix

    def name(self, key: str) -> str:
        return f"{self._prefix}.{key}" if self._prefix else key

    def _get(self, key: str, required: bool) -> object:
        value = self._data.get(key)
        # An empty string counts as absent, like null (spec 11): the Go SDK serialises every
        # unset string field, as cgwId "" and localIp "" beside a remoteIp on tunnel
        # create, or vpnName "" beside a description on update.
        if value == "":
            value = None
        if value is None and required:
            raise ServiceError.inappropriate_json(f"{self.name(key)} is required")
        return value

    def _typed(self, key: str, kinds: tuple[type, ...], noun: str, required: bool) -> Any:
        value = self._get(key, required)
        if value is None:
            return None
        # JSON true is a Python int too; it is never a number here.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise ServiceError.inappropriate_json(f"{self.name(key)} must be {noun}")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        return cast("str | None", self._typed(key, (str,), "a string", required))

    def integer(self, key: str) -> int | None:
        return cast("int | None", self._typed(key, (int,), "an integer", False))

    def flag(self, key: str) -> bool | None:
        return cast("bool | None", self._typed(key, (bool,), "true or false", False))

    def number_or_text(self, key: str) -> int | str | None:
        return cast("int | str | None", self._typed(key, (int, str), "a number or a string", False))

    def texts(self, key: str, *, required: bool = False) -> list[str] | None:
        value = self._typed(key, (list,), "a list of strings", required)
        if value is not None and not all(isinstance(item, str) for item in value):
            raise ServiceError.inappropriate_json(f"{self.name(key)} must be a list of strings")
        return cast("list[str] | None", value)

    def child(self, key: str) -> Body | None:
        value = self._get(key, False)
        return None if value is None else Body(value, self.name(key))

    def need_child(self, key: str) -> Body:
        return Body(self._get(key, True), self.name(key))

    def children(self, key: str, *, required: bool = False) -> list[Body] | None:
        value = self._typed(key, (list,), "a list of objects", required)
        if value is None:
            return None
        return [Body(item, f"{self.name(key)}[{index}]") for index, item in enumerate(value)]

    # A string checked by a validation rule, in one call.
    def rule(self, key: str, rule: Callable[[str, object], T]) -> T | None:
        value = self.text(key)
        return None if value is None else apply_rule(rule, self.name(key), value)

    def need(self, key: str, rule: Callable[[str, object], T]) -> T:
        return apply_rule(rule, self.name(key), self.text(key, required=True))

    def choice(self, key: str, allowed: frozenset[str]) -> str | None:
        value = self.text(key)
        return None if value is None else self.need_choice(key, allowed)

    def need_choice(self, key: str, allowed: frozenset[str]) -> str:
        value = self.text(key, required=True)
        return apply_rule(validation.choice, self.name(key), value, allowed)
