"""The service behind the wire: its state, its records and its rules, one handler per
operation.

A handler is named after its operation (the SDK's method name) and is a function
``(backend, call) -> JSON body | None`` (None for the operations that answer an empty
200) that raises ``ServiceError`` to refuse. The handlers live in ``gateway_handlers``,
``tunnel_handlers`` and ``ssl_vpn_handlers``; ``handler_for`` finds each operation's, and
the routes (``testing._routes``) map the wire onto them from the SDK's table of
operations. Signatures, ``clientToken`` replay, faults and the HTTP framing are the wire's
(``testing._wire``): nothing here knows about them.

- ``backend``: ``Backend`` (the stores and what the handlers share), ``Call`` (one
  operation's input), marker pages;
- ``records``: the records and the gateway's status machine; ``views``: the JSON answered;
- ``inputs``: reading a body or a query the way the service does; ``errors``:
  ``ServiceError``.
"""

from __future__ import annotations

from . import gateway_handlers, ssl_vpn_handlers, tunnel_handlers
from .backend import Backend, Call, Handler
from .errors import ServiceError

__all__ = ["Backend", "Call", "Handler", "ServiceError", "handler_for"]

_MODULES = (gateway_handlers, tunnel_handlers, ssl_vpn_handlers)


def handler_for(operation: str) -> Handler:
    """The handler of ``operation`` (the function of that name in one handler module).

    Raises:
        RuntimeError: No handler module, or more than one, defines it.
    """
    found = [getattr(module, operation) for module in _MODULES if hasattr(module, operation)]
    if len(found) != 1:
        raise RuntimeError(f"the emulator needs one handler for {operation}, found {len(found)}")
    handler: Handler = found[0]
    return handler
