"""A stateful emulator of the BCE VPN service, for tests and local development.

```python
from bce_vpn_async.testing import FakeClock, VpnEmulator

emulator = VpnEmulator(clock=FakeClock())  # accepts emulator.credentials
http = httpx.AsyncClient(transport=emulator.transport())
emulator.faults.add("drop_after", op="create_vpn", times=1)
emulator.advance(0.5)  # building -> unconfigured
```

Three ways in, one core: `emulator.transport()` (an in-process httpx transport),
`EmulatorServer` or `python -m bce_vpn_async.testing serve` (the emulator's own HTTP/1.1
server on loopback; the `[emulator]` extra), and `emulator.asgi_app` (for
`httpx.ASGITransport` or an ASGI server of your own, which cannot drop a connection the way
a fault asks). The pytest plugin (`bce_vpn_async.testing.pytest_plugin`) gives the
`vpn_emulator`, `vpn_client` and `vpn_emulator_server` fixtures. Served with `--control`
(`EmulatorServer(control=True)`), it also answers the unsigned `/_emulator/` control plane.
The guides: `docs/guides/emulator.md`, `emulator-rules.md` (what it accepts and refuses),
`emulator-faults.md` and `emulator-server.md`.

It follows the current API reference and invents no rule and no field value; where the
sources disagree it does what `docs/service/disagreements.md` says, and where no source
speaks it makes the choices listed in `docs/service/disagreements.md#not-found`:

- All 21 operations, per account (access key id), with ids `vpn-`, `vpnconn-`, `sslvpn-`,
  `vpn-ssl-user-` and 12 lowercase letters and digits from a seeded generator.
- Status: `building` for `build_seconds` after creation, `configuring` for
  `configure_seconds` after a bind, an unbind or a tunnel or SSL-VPN service change,
  `expired` when a prepaid term (30-day months) has run out, else `unconfigured` until the
  gateway is first configured and `active` from then on
  (`docs/service/disagreements.md#status-and-eip`). Computed from timestamps: nothing runs
  in the background.
- Refusals: 409 `OperationDenied` for a change or a release while a gateway is building,
  configuring or expired, and for what the seed guide forbids
  (`docs/service/disagreements.md#seed-guide-rules`); 404 `NoSuchObject` for an unknown id
  or another account's; 413 `LimitExceeded` past `max_vpns_per_vpc` gateways in a VPC.
- Input: a missing or ill-typed field is 400 `InappropriateJSON`, a broken rule 400
  `BadRequest` naming the field (the client's own rules), JSON it cannot store and answer
  400 `MalformedJSON`; `null` and `""` count as absent
  (`docs/service/disagreements.md#empty-strings`), unknown keys are ignored. An internal
  failure is a 500 `InternalError` in the service's shape, logged with its traceback, the
  state untouched.
- Signatures: `bce-auth-v1` in both signed-header modes
  (`docs/service/disagreements.md#signed-headers`); `RequestExpired` past
  `timestamp + expiration` or more than `skew_seconds` ahead.
- `clientToken` replay for `token_retention` (24 h:
  `docs/service/disagreements.md#client-token`); marker pagination (sorted by id, the
  marker inclusive, `maxKeys` 1-1000); an optional rate limit per account (`rate_limit`:
  429 `RequestLimitExceeded` with `Retry-After`); faults deterministic under `seed`.
"""

from __future__ import annotations

from bce_vpn_async._clock import FakeClock, SystemClock

from ._asgi import ConnectionDropped
from ._emulator import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, StateView, VpnEmulator
from ._faults import FAULT_KINDS, FaultPlan, FaultRule
from ._in_process import EmulatorTransport
from ._log import LoggedRequest, RequestLog
from ._routes import OPERATION_NAMES
from ._server import EmulatorServer

__all__ = [
    "FAULT_KINDS",
    "OPERATION_NAMES",
    "TEST_ACCESS_KEY_ID",
    "TEST_SECRET_ACCESS_KEY",
    "ConnectionDropped",
    "EmulatorServer",
    "EmulatorTransport",
    "FakeClock",
    "FaultPlan",
    "FaultRule",
    "LoggedRequest",
    "RequestLog",
    "StateView",
    "SystemClock",
    "VpnEmulator",
]
