"""``VpnEmulator``: the state, the wire and the ways in, as one object."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any, TypeVar

from bce_vpn_async._clock import Clock, FakeClock, SystemClock
from bce_vpn_async._converter import structure
from bce_vpn_async._credentials import Credentials
from bce_vpn_async._models import SslVpnServer, SslVpnUser, Vpn, VpnConn

from ._app import Answer, AsgiApp, WireApp, WireRequest
from ._auth import DEFAULT_SKEW_SECONDS
from ._backend import Backend
from ._faults import FaultPlan
from ._log import REQUEST_LOG_SIZE, RequestLog
from ._routes import OPERATION_NAMES
from ._state import gateway_view, ssl_server_view, tunnel_view, user_view
from ._throttle import AccountBuckets
from ._transport import EmulatorTransport

__all__ = ["TEST_ACCESS_KEY_ID", "TEST_SECRET_ACCESS_KEY", "StateView", "VpnEmulator"]

# The account every emulator accepts unless given others; not a secret of anyone's.
TEST_ACCESS_KEY_ID = "emulator-access-key-id"
TEST_SECRET_ACCESS_KEY = "emulator-secret-access-key"

Json = dict[str, Any]
ModelT = TypeVar("ModelT")


class StateView:
    """The emulator's state, as the SDK's own result models (for asserts).

    ``gateways`` (``Vpn``), ``tunnels`` (``VpnConn``), ``ssl_servers`` (``SslVpnServer``)
    and ``ssl_users`` (``SslVpnUser``) are read-only mappings keyed by id, across every
    account, with statuses as of the clock's current time. Each is built afresh through
    the SDK's converter from the JSON the API would answer, so a test reads exactly what
    ``get_vpn`` and the other calls would return. Passwords are never kept; a tunnel's
    ``secret_key`` is there (the API answers it) but out of every repr.

    ``wire()`` gives the same state as that camelCase JSON (what ``GET /_emulator/state``
    serves), with each SSL user's ``vpnId`` and ``sslVpnServerId`` beside its fields.
    """

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    @property
    def gateways(self) -> Mapping[str, Vpn]:
        """Every account's gateways, by id, as ``get_vpn`` would return them."""
        return _models(self._gateways(), Vpn)

    @property
    def tunnels(self) -> Mapping[str, VpnConn]:
        """Every tunnel, by id, as ``get_vpn_conn`` lists them."""
        return _models(self._tunnels(), VpnConn)

    @property
    def ssl_servers(self) -> Mapping[str, SslVpnServer]:
        """Every SSL-VPN service, by id, as ``get_vpn_sslservice`` returns it."""
        return _models(self._ssl_servers(), SslVpnServer)

    @property
    def ssl_users(self) -> Mapping[str, SslVpnUser]:
        """Every SSL-VPN user, by id, as ``get_vpn_ssl_user`` lists them (no password)."""
        return _models(self._ssl_users(), SslVpnUser)

    def status(self, vpn_id: str) -> str:
        """The gateway's status now; ``KeyError`` if there is no such gateway."""
        return self._backend.gateways[vpn_id].status(self._backend.now())

    def wire(self) -> dict[str, dict[str, Json]]:
        """``{"gateways", "tunnels", "sslServers", "sslUsers"}``: id -> the API's JSON."""
        return {
            "gateways": self._gateways(),
            "tunnels": self._tunnels(),
            "sslServers": self._ssl_servers(),
            "sslUsers": self._ssl_users(),
        }

    def _gateways(self) -> dict[str, Json]:
        now = self._backend.now()
        return {key: gateway_view(g, now) for key, g in sorted(self._backend.gateways.items())}

    def _tunnels(self) -> dict[str, Json]:
        return {
            key: tunnel_view(tunnel, g)
            for g in self._backend.gateways.values()
            for key, tunnel in g.tunnels.items()
        }

    def _ssl_servers(self) -> dict[str, Json]:
        return {
            g.ssl_server.server_id: ssl_server_view(g.ssl_server, g)
            for g in self._backend.gateways.values()
            if g.ssl_server is not None
        }

    def _ssl_users(self) -> dict[str, Json]:
        return {
            key: {**user_view(user), "vpnId": g.vpn_id, "sslVpnServerId": g.ssl_server.server_id}
            for g in self._backend.gateways.values()
            if g.ssl_server is not None
            for key, user in g.ssl_server.users.items()
        }


def _models(wire: Mapping[str, Json], model: type[ModelT]) -> Mapping[str, ModelT]:
    return MappingProxyType({key: structure(value, model) for key, value in wire.items()})


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
    ``token_retention`` how long a clientToken is remembered (86400); ``rate_limit``
    requests per second per account (a token bucket with a burst of one second, on
    ``clock``; past it a 429 ``RequestLimitExceeded`` with ``Retry-After``), None for no
    limit. ``rate_limit`` can be changed later (``emulator.rate_limit = 20``).
    ``request_log_size`` how many requests ``requests`` keeps, the oldest going first
    (``REQUEST_LOG_SIZE``, 10,000; 0 keeps none).

    ``state`` (``StateView``) shows gateways, tunnels, SSL-VPN services and users as the
    SDK's models (``Vpn``, ``VpnConn``, ``SslVpnServer``, ``SslVpnUser``) keyed by id;
    ``requests`` logs what arrived; ``faults`` injects failures; ``reset()`` starts over.
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
        rate_limit: float | None = None,
        request_log_size: int = REQUEST_LOG_SIZE,
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
        self.requests = RequestLog(request_log_size)
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
            rate_limit=rate_limit,
        )

    @property
    def rate_limit(self) -> float | None:
        """Requests per second per account, or None for no limit."""
        buckets = self._app.buckets
        return None if buckets is None else buckets.rate

    @rate_limit.setter
    def rate_limit(self, value: float | None) -> None:
        # New, full buckets: a limit changed mid-test starts from its burst.
        self._app.buckets = None if value is None else AccountBuckets(value)

    @property
    def accounts(self) -> Mapping[str, Credentials]:
        """The accounts whose signatures are accepted, by access key id (read-only)."""
        return MappingProxyType(self._accounts)

    @property
    def credentials(self) -> Credentials:
        """The first account's credentials (the test account unless others were given)."""
        return next(iter(self._accounts.values()))

    def add_account(self, credentials: Credentials) -> None:
        """Accept signatures by ``credentials`` too, as an account of its own."""
        self._accounts[credentials.access_key_id] = credentials

    def transport(self) -> EmulatorTransport:
        """An in-process httpx transport to this emulator (no sockets)."""
        return EmulatorTransport(self._app)

    @cached_property
    def asgi_app(self) -> AsgiApp:
        """This emulator as an ASGI app, for ``httpx.ASGITransport`` or an ASGI server of
        your own. ASGI cannot close a connection without answering: a ``drop_*`` fault
        raises ``ConnectionDropped`` before any response starts (see ``AsgiApp``); serve
        with ``EmulatorServer`` or ``serve`` for drops as they are on the wire."""
        return AsgiApp(self._app.handle, self.clock)

    async def handle(self, request: WireRequest) -> Answer:
        """The core every way in goes through."""
        return await self._app.handle(request)

    def reset(self) -> None:
        """Forget every gateway, tunnel, SSL-VPN service and user, every remembered
        ``clientToken``, fault rule and logged request; accounts, settings and the clock
        stay, and new ids stay unlike old ones."""
        self.backend.forget()
        self._app.forget_tokens()
        self.faults.clear()
        self.requests.clear()

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
