"""``VpnEmulator``: the state, the wire and the ways in, as one object."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

from bce_vpn_async._clock import Clock, FakeClock, SystemClock
from bce_vpn_async.credentials import Credentials

from ._app import Answer, AsgiApp, WireApp, WireRequest
from ._auth import DEFAULT_SKEW_SECONDS
from ._backend import Backend
from ._faults import FaultPlan
from ._log import RequestLog
from ._routes import OPERATION_NAMES
from ._state import gateway_view, ssl_server_view, tunnel_view, user_view
from ._transport import EmulatorTransport

__all__ = ["TEST_ACCESS_KEY_ID", "TEST_SECRET_ACCESS_KEY", "StateView", "VpnEmulator"]

# The account every emulator accepts unless given others; not a secret of anyone's.
TEST_ACCESS_KEY_ID = "emulator-access-key-id"
TEST_SECRET_ACCESS_KEY = "emulator-secret-access-key"

Json = dict[str, Any]


class StateView:
    """Read-only snapshots of the emulator's state, as the API would show them (for asserts).

    Each property builds fresh dicts keyed by id, across every account, with statuses as of
    the clock's current time. SSL users carry ``vpnId`` and ``sslVpnServerId`` beside the
    API's fields; passwords never appear.
    """

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    @property
    def gateways(self) -> dict[str, Json]:
        now = self._backend.now()
        return {key: gateway_view(g, now) for key, g in sorted(self._backend.gateways.items())}

    @property
    def tunnels(self) -> dict[str, Json]:
        return {
            key: tunnel_view(tunnel, g)
            for g in self._backend.gateways.values()
            for key, tunnel in g.tunnels.items()
        }

    @property
    def ssl_servers(self) -> dict[str, Json]:
        return {
            g.ssl_server.server_id: ssl_server_view(g.ssl_server, g)
            for g in self._backend.gateways.values()
            if g.ssl_server is not None
        }

    @property
    def ssl_users(self) -> dict[str, Json]:
        return {
            key: {**user_view(user), "vpnId": g.vpn_id, "sslVpnServerId": g.ssl_server.server_id}
            for g in self._backend.gateways.values()
            if g.ssl_server is not None
            for key, user in g.ssl_server.users.items()
        }

    def status(self, vpn_id: str) -> str:
        """The gateway's status now; ``KeyError`` if there is no such gateway."""
        return self._backend.gateways[vpn_id].status(self._backend.now())


def _credentials(access_key_id: str, secret: str | Credentials) -> Credentials:
    if isinstance(secret, Credentials):
        if secret.access_key_id != access_key_id:
            raise ValueError("accounts: a Credentials value must be keyed by its access key id")
        return secret
    return Credentials(access_key_id, secret)


class VpnEmulator:
    """A stateful emulator of the BCE VPN service.

    ::

        emulator = VpnEmulator(clock=FakeClock())
        async with httpx.AsyncClient(transport=emulator.transport(),
                                     base_url="http://bcc.bj.baidubce.com") as http: ...

    Arguments (keyword-only): ``clock`` (default ``SystemClock``; share a ``FakeClock`` with
    the client to make time virtual); ``build_seconds`` a new gateway stays ``building``;
    ``configure_seconds`` a change keeps it ``configuring``; ``seed`` for ids, request ids
    and faults; ``accounts`` ``{access_key_id: secret_access_key or Credentials}`` (a
    ``Credentials`` with a session token requires it), default the test account
    (``TEST_ACCESS_KEY_ID``/``TEST_SECRET_ACCESS_KEY``); ``strict_validation`` False
    lifts the API reference's lifetime ranges (IKE 60-86400 s, IPSec 180-86400 s): any
    positive lifetime is taken, for a service that accepts more than it documents;
    ``latency`` seconds added to every answer; ``max_vpns_per_vpc`` (3);
    ``skew_seconds`` how far ahead of the clock a signature may be dated (900);
    ``token_retention`` how long a clientToken is remembered (86400).
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        build_seconds: float = 0.5,
        configure_seconds: float = 0.1,
        seed: int = 0,
        accounts: Mapping[str, str | Credentials] | None = None,
        strict_validation: bool = True,
        latency: float = 0.0,
        max_vpns_per_vpc: int = 3,
        skew_seconds: float = DEFAULT_SKEW_SECONDS,
        token_retention: float = 86400.0,
    ) -> None:
        if accounts is None:
            accounts = {TEST_ACCESS_KEY_ID: TEST_SECRET_ACCESS_KEY}
        if not accounts:
            raise ValueError("accounts: the emulator needs at least one account")
        self._accounts = {key: _credentials(key, value) for key, value in accounts.items()}
        self.latency = latency
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.backend = Backend(
            clock=self.clock,
            build_seconds=build_seconds,
            configure_seconds=configure_seconds,
            seed=seed,
            strict_validation=strict_validation,
            max_vpns_per_vpc=max_vpns_per_vpc,
        )
        self.faults = FaultPlan(seed, OPERATION_NAMES)
        self.requests = RequestLog()
        self.state = StateView(self.backend)
        self._app = WireApp(
            backend=self.backend,
            accounts=self._accounts,
            faults=self.faults,
            log=self.requests,
            seed=seed,
            latency=lambda: self.latency,
            skew_seconds=skew_seconds,
            token_retention=token_retention,
        )

    @property
    def accounts(self) -> Mapping[str, Credentials]:
        return MappingProxyType(self._accounts)

    @property
    def credentials(self) -> Credentials:
        """The first account's credentials (the test account unless others were given)."""
        return next(iter(self._accounts.values()))

    def add_account(self, credentials: Credentials) -> None:
        self._accounts[credentials.access_key_id] = credentials

    def transport(self) -> EmulatorTransport:
        """An in-process httpx transport to this emulator (no sockets)."""
        return EmulatorTransport(self._app)

    @cached_property
    def asgi_app(self) -> AsgiApp:
        """This emulator as an ASGI app (``httpx.ASGITransport``, uvicorn)."""
        return AsgiApp(self._app)

    async def handle(self, request: WireRequest) -> Answer:
        """The core every way in goes through."""
        return await self._app.handle(request)

    def advance(self, seconds: float) -> None:
        """Move the emulator's ``FakeClock`` on (gateways finish building, and so on)."""
        if not isinstance(self.clock, FakeClock):
            raise TypeError("advance() needs the emulator to run on a FakeClock")
        self.clock.advance(seconds)

    def __repr__(self) -> str:
        return (
            f"VpnEmulator(gateways={len(self.backend.gateways)}, "
            f"requests={len(self.requests)}, clock={self.clock!r})"
        )
