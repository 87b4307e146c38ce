"""Reading a request body the way the service does.

Two kinds of refusal, as BCE makes them (``docs/service/api-facts.md#errors``): a field
that is missing or of the wrong JSON type is ``InappropriateJSON``; a well-typed value that
breaks a rule is ``BadRequest``, with the rule taken from the shared ``validation`` module:
the client's own. A test walks the table of operations and probes every field on both
sides, so they cannot drift apart; the few checks only the client makes (ones the API
reference does not state) are listed in ``docs/guides/emulator-rules.md``. A JSON ``null``
counts as absent (the official SDK sends ``"description": null`` for unset fields), so does
an empty string (the Go SDK sends ``"cgwId": ""``:
``docs/service/disagreements.md#empty-strings``), and unknown keys are ignored. Messages
name the wire field and the rule, never the value.

Handlers read fields by their Python names; the wire names come from the SDK's table of
operations (a top-level field or query key: its ``Param``) and from its converter (a field
of a nested object: the request model's). A name neither declares is a ``KeyError``, so the
emulator cannot read a key the SDK does not send.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from bce_vpn_async import _rules as validation
from bce_vpn_async._converter import wire_name
from bce_vpn_async._errors import BceValidationError
from bce_vpn_async._operations import Operation, Where

from .errors import ServiceError

__all__ = ["Body", "apply_rule", "declared", "lenient_lifetime"]

T = TypeVar("T")
# Where a Body's wire names come from: an operation's parameters, or a request model's fields.
Names = Operation[Any] | type


def declared(operation: Operation[Any], name: str, where: Where) -> str:
    """The wire name of ``operation``'s parameter ``name``, which travels in ``where``;
    ``KeyError`` if the table declares no such parameter there."""
    try:
        param = operation.param(name)
    except KeyError:
        raise KeyError(f"{operation.name} declares no parameter {name!r}") from None
    if param.where != where:
        raise KeyError(f"{operation.name}: {name!r} goes in the {param.where}, not the {where}")
    return param.wire


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
    """A JSON object of a request, one nested in it (``prefix`` names where), or the query
    (``where="query"``), read by Python field names looked up in ``names``."""

    def __init__(self, data: object, names: Names, prefix: str = "", where: Where = "body") -> None:
        if not isinstance(data, dict):
            at = prefix or "the request body"
            raise ServiceError.inappropriate_json(f"{at} must be a JSON object")
        self._data: dict[str, Any] = data
        self._names = names
        self._prefix = prefix
        self._where = where

    def _wire(self, field: str) -> str:
        if isinstance(self._names, Operation):
            return declared(self._names, field, self._where)
        return wire_name(self._names, field)

    def _at(self, wire: str) -> str:
        return f"{self._prefix}.{wire}" if self._prefix else wire

    def name(self, field: str) -> str:
        """The field's wire name, as messages give it (``ikeConfig.ikeLifeTime``)."""
        return self._at(self._wire(field))

    def _get(self, field: str, required: bool) -> object:
        # A dotted wire name is a field the wire nests (billing's reservation.*).
        *outer, key = self._wire(field).split(".")
        data, at = self._data, self._prefix
        for part in outer:
            at = f"{at}.{part}" if at else part
            inner = data.get(part)
            if inner is None or inner == "":
                data = {}
                break
            if not isinstance(inner, dict):
                raise ServiceError.inappropriate_json(f"{at} must be a JSON object")
            data = inner
        value = data.get(key)
        # An empty string counts as absent, like null: the Go SDK serialises every unset
        # string field, as cgwId "" and localIp "" beside a remoteIp on tunnel create, or
        # vpnName "" beside a description on update
        # (docs/service/disagreements.md#empty-strings).
        if value == "":
            value = None
        if value is None and required:
            raise ServiceError.inappropriate_json(f"{self.name(field)} is required")
        return value

    def _typed(self, field: str, kinds: tuple[type, ...], noun: str, required: bool) -> Any:
        value = self._get(field, required)
        if value is None:
            return None
        # JSON true is a Python int too; it is never a number here.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise ServiceError.inappropriate_json(f"{self.name(field)} must be {noun}")
        return value

    def text(self, field: str, *, required: bool = False) -> str | None:
        """The field as a string; None when absent (``InappropriateJSON`` if required)."""
        return cast("str | None", self._typed(field, (str,), "a string", required))

    def integer(self, field: str, *, required: bool = False) -> int | None:
        """The field as an integer (never a boolean); None when absent."""
        return cast("int | None", self._typed(field, (int,), "an integer", required))

    def flag(self, field: str) -> bool | None:
        """The field as true or false; None when absent."""
        return cast("bool | None", self._typed(field, (bool,), "true or false", False))

    def number_or_text(self, field: str) -> int | str | None:
        """The field as an integer or a string (a lifetime's two forms); None when absent."""
        value = self._typed(field, (int, str), "a number or a string", False)
        return cast("int | str | None", value)

    def texts(self, field: str, *, required: bool = False) -> list[str] | None:
        """The field as a list of strings; None when absent."""
        value = self._typed(field, (list,), "a list of strings", required)
        if value is not None and not all(isinstance(item, str) for item in value):
            raise ServiceError.inappropriate_json(f"{self.name(field)} must be a list of strings")
        return cast("list[str] | None", value)

    def child(self, field: str, model: type) -> Body | None:
        """The nested object, read by ``model``'s fields; None when absent."""
        value = self._get(field, False)
        return None if value is None else Body(value, model, self.name(field))

    def need_child(self, field: str, model: type) -> Body:
        """The nested object, read by ``model``'s fields; ``InappropriateJSON`` if absent."""
        return Body(self._get(field, True), model, self.name(field))

    def children(self, field: str, model: type, *, required: bool = False) -> list[Body] | None:
        """The list of nested objects, each read by ``model``'s fields; None when absent."""
        value = self._typed(field, (list,), "a list of objects", required)
        if value is None:
            return None
        at = self.name(field)
        return [Body(item, model, f"{at}[{index}]") for index, item in enumerate(value)]

    def rule(self, field: str, rule: Callable[[str, object], T]) -> T | None:
        """The string field checked by ``rule`` (``BadRequest`` if broken); None if absent."""
        value = self.text(field)
        return None if value is None else apply_rule(rule, self.name(field), value)

    def need(self, field: str, rule: Callable[[str, object], T]) -> T:
        """The required string field, checked by ``rule``."""
        return apply_rule(rule, self.name(field), self.text(field, required=True))

    def choice(self, field: str, allowed: frozenset[str]) -> str | None:
        """The string field, one of ``allowed`` (``BadRequest`` if not); None if absent."""
        value = self.text(field)
        return None if value is None else self.need_choice(field, allowed)

    def need_choice(self, field: str, allowed: frozenset[str]) -> str:
        """The required string field, one of ``allowed``."""
        value = self.text(field, required=True)
        return apply_rule(validation.choice, self.name(field), value, allowed)
