"""The served emulator's control plane: inspect, reset and fault it over HTTP.

For code under test that is not Python (a Go or Java service, a docker-compose suite), as
moto's ``/moto-api/``. Off unless asked for (``serve --control``,
``EmulatorServer(control=True)``); then every path under ``/_emulator/`` is answered here,
without a signature, and every other path goes to the emulator as before:

- ``GET /_emulator/state``: ``{"gateways", "tunnels", "sslServers", "sslUsers"}``, each
  keyed by id, in the API's wire form (``emulator.state.wire()``), with pre-shared
  keys as ``"***"`` (passwords are never kept in a view);
- ``POST /_emulator/reset``: forget every resource, remembered ``clientToken``, fault
  rule and logged request (``VpnEmulator.reset``); accounts and settings stay;
- ``POST /_emulator/faults``: add a rule from a JSON object with ``faults.add``'s fields
  (``kind``, ``op``, ``rate``, ``times``, ``seconds``, ``status``, ``retry_after``,
  ``code``, ``message``); 201 with the rule, 400 naming a bad field;
  ``GET /_emulator/faults`` lists the rules with their ``fired`` counts, each with the
  fields its kind uses; ``DELETE /_emulator/faults`` removes them all;
- ``GET /_emulator/requests``: the request log, oldest first, as ``emulator.requests``
  keeps it (no Authorization or session-token header; ``secretKey`` and ``password``
  values in bodies are ``"***"``).

Bodies are read by the emulator's strict JSON reader (``_json``), so what a rule holds is
always something the listing can write back, and every answer is RFC 8259 JSON. Errors
are the service's shape, ``{"code", "message", "requestId"}`` with ``x-bce-request-id``:
400 ``MalformedJSON`` (not JSON, nested deeper than ``MAX_DEPTH``, ``NaN``, a number out
of range, a lone surrogate), 400 ``BadRequest`` (a bad field, named), 404 ``NoSuchPath``,
405 ``MethodNotAllowed``; an unexpected failure is a 500 ``InternalError``, logged once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._json import JsonRefused, dumps, loads
from ._log import LoggedRequest, redact
from ._wire import Answer, Handler, WireRequest, bce_answer, bce_error

if TYPE_CHECKING:
    from ._emulator import VpnEmulator

__all__ = ["PREFIX", "ControlPlane"]

PREFIX = "/_emulator/"

logger = logging.getLogger("bce_vpn_async.testing")

# faults.add's keyword arguments and the JSON types each accepts (True: null allowed, for
# the kind's default). faults.add checks the values.
_NUMBER = (int, float)
_FAULT_FIELDS: Mapping[str, tuple[tuple[type, ...], bool]] = {
    "kind": ((str,), False),
    "op": ((str,), True),
    "rate": (_NUMBER, False),
    "times": ((int,), True),
    "seconds": (_NUMBER, True),
    "status": ((int,), True),
    "retry_after": (_NUMBER, True),
    "code": ((str,), True),
    "message": ((str,), True),
}


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ControlPlane:
    """``/_emulator/`` paths answered here, the rest passed to ``api``; ``handle`` is a
    ``Handler`` like ``WireApp.handle``."""

    def __init__(self, emulator: VpnEmulator, api: Handler) -> None:
        self._emulator = emulator
        self._api = api
        self._routes: dict[tuple[str, str], Callable[[bytes], tuple[int, object]]] = {
            ("GET", "state"): self._state,
            ("POST", "reset"): self._reset,
            ("GET", "faults"): self._rules,
            ("POST", "faults"): self._add_fault,
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "requests"): self._requests,
        }

    async def handle(self, request: WireRequest) -> Answer:
        """Answer a control-plane request, or pass any other to the API."""
        path = request.path
        if not (path.startswith(PREFIX) or path == PREFIX[:-1]):
            return await self._api(request)
        request_id = str(uuid.uuid4())
        now = self._emulator.clock.time()
        try:
            status, payload = self._dispatch(request.method, path[len(PREFIX) :], request.body)
            return bce_answer(status, b"" if payload is None else dumps(payload), request_id, now)
        except _Refused as refused:
            return bce_error(refused.status, refused.code, refused.message, request_id, now)
        except Exception:
            logger.exception("the control plane failed to answer %s %s", request.method, path)
            message = "The emulator failed to answer."
            return bce_error(500, "InternalError", message, request_id, now)

    def _dispatch(self, method: str, name: str, body: bytes) -> tuple[int, object]:
        name = name.rstrip("/")
        handler = self._routes.get((method, name))
        if handler is not None:
            return handler(body)
        allowed = sorted(verb for verb, known in self._routes if known == name)
        if allowed:
            raise _Refused(
                405, "MethodNotAllowed", f"{PREFIX}{name} takes {', '.join(allowed)}, not {method}"
            )
        names = sorted({known for _, known in self._routes})
        raise _Refused(404, "NoSuchPath", f"no {PREFIX}{name}; one of {names}")

    def _state(self, _body: bytes) -> tuple[int, object]:
        # Tunnels carry their pre-shared key (the API answers it); this page does not.
        return 200, redact(self._emulator.state.wire())

    def _reset(self, _body: bytes) -> tuple[int, object]:
        self._emulator.reset()
        return 204, None

    def _rules(self, _body: bytes) -> tuple[int, object]:
        return 200, {"rules": [rule.as_json() for rule in self._emulator.faults.rules]}

    def _add_fault(self, body: bytes) -> tuple[int, object]:
        fields = _fault_fields(body)
        try:
            rule = self._emulator.faults.add(**fields)
        except ValueError as exc:
            raise _Refused(400, "BadRequest", str(exc)) from None
        return 201, {"rule": rule.as_json()}

    def _clear_faults(self, _body: bytes) -> tuple[int, object]:
        self._emulator.faults.clear()
        return 204, None

    def _requests(self, _body: bytes) -> tuple[int, object]:
        return 200, {"requests": [_entry(entry) for entry in self._emulator.requests]}


def _entry(entry: LoggedRequest) -> dict[str, object]:
    return {
        "method": entry.method,
        "path": entry.path,
        "query": [list(pair) for pair in entry.query],
        "operation": entry.operation,
        "headers": dict(entry.headers),
        "body": entry.body,
        "body_size": entry.body_size,
        "status": entry.status,
        "fault": entry.fault,
        "request_id": entry.request_id,
        "access_key_id": entry.access_key_id,
    }


def _fault_fields(body: bytes) -> dict[str, Any]:
    try:
        fields = loads(body) if body.strip() else None
    except JsonRefused as refused:
        raise _Refused(400, refused.code, refused.message) from None
    if not isinstance(fields, dict):
        raise _Refused(
            400, "BadRequest", 'the body must be a JSON object such as {"kind": "error"}'
        )
    if "kind" not in fields:
        raise _Refused(400, "BadRequest", "kind is required")
    for name, value in fields.items():
        if name not in _FAULT_FIELDS:
            raise _Refused(
                400, "BadRequest", f"unknown field {name!r}; fields are {sorted(_FAULT_FIELDS)}"
            )
        types, nullable = _FAULT_FIELDS[name]
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            wanted = "a number" if float in types else "an integer" if int in types else "a string"
            raise _Refused(
                400, "BadRequest", f"{name} must be {wanted}{' or null' if nullable else ''}"
            )
    return fields
