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
  fields its kind uses;
  ``DELETE /_emulator/faults`` removes them all;
- ``GET /_emulator/requests``: the request log, oldest first, as ``emulator.requests``
  keeps it (no Authorization or session-token header; ``secretKey`` and ``password``
  values in bodies are ``"***"``).

Errors are ``{"code", "message"}`` JSON: 400 ``BadRequest``, 404 ``NoSuchPath``, 405
``MethodNotAllowed``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._log import LoggedRequest, redact

if TYPE_CHECKING:
    from ._app import Receive, Scope, Send
    from ._emulator import VpnEmulator

__all__ = ["PREFIX", "ControlPlane"]

PREFIX = "/_emulator/"

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
    """An ASGI app: ``/_emulator/`` paths answered here, the rest passed to ``app``."""

    def __init__(self, emulator: VpnEmulator, app: Callable[..., Any]) -> None:
        self._emulator = emulator
        self._app = app
        self._routes: dict[tuple[str, str], Callable[[bytes], tuple[int, object]]] = {
            ("GET", "state"): self._state,
            ("POST", "reset"): self._reset,
            ("GET", "faults"): self._rules,
            ("POST", "faults"): self._add_fault,
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "requests"): self._requests,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith(PREFIX) or path == PREFIX[:-1]):
            await self._app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        try:
            status, payload = self._dispatch(scope["method"], path[len(PREFIX) :], body)
        except _Refused as refused:
            status, payload = refused.status, {"code": refused.code, "message": refused.message}
        content = b"" if payload is None else json.dumps(payload, sort_keys=True).encode()
        headers = [(b"content-length", str(len(content)).encode())]
        if content:
            headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

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
        fields = json.loads(body) if body.strip() else None
    except ValueError:
        raise _Refused(400, "BadRequest", "the body is not valid JSON") from None
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
