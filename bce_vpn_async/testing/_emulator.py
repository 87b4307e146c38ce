"""``VpnEmulator``: the state, the wire and the ways in, as one object."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any, Final, TypeVar

from bce_vpn_async._clock import Clock, FakeClock, SystemClock
from bce_vpn_async._converter import structure
from bce_vpn_async._credentials import Credentials
from bce_vpn_async._models import SslVpnServer, SslVpnUser, Vpn, VpnConn

from ._asgi import AsgiApp
from ._auth import DEFAULT_SKEW_SECONDS
from ._faults import FaultPlan
from ._in_process import EmulatorTransport
from ._log import REQUEST_LOG_SIZE, RequestLog
from ._routes import OPERATION_NAMES
from ._service import Backend
from ._service.views import gateway_view, ssl_server_view, tunnel_view, user_view
from ._throttle import AccountBuckets
from ._wire import WireApp

__all__ = [
    "TEST_ACCESS_KEY_ID",
    "TEST_SECRET_ACCESS_KEY",
    "StateView",
    "VpnEmulator",
    "backend_of",
    "wire_app_of",
]

TEST_ACCESS_KEY_ID: Final = "emulator-access-key-id"
"""The access key id of the account every emulator accepts unless given others."""
TEST_SECRET_ACCESS_KEY: Final = "emulator-secret-access-key"
"""The test account's secret access key: a published value, not a secret of anyone's."""

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

    Read it as ``emulator.state``; it is a live view, not a copy.
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
        """The gateway's status as of the emulator's clock.

        Args:
            vpn_id: The gateway's id (of any account).

        Returns:
            ``building``, ``configuring``, ``unconfigured``, ``active`` or ``expired``.

        Raises:
            KeyError: There is no such gateway.
        """
        return self._backend.gateways[vpn_id].status(self._backend.now())

    def wire(self) -> dict[str, dict[str, Json]]:
        """The state as the API's camelCase JSON (what ``GET /_emulator/state`` serves).

        Returns:
            ``{"gateways", "tunnels", "sslServers", "sslUsers"}``, each id -> JSON.
        """
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

    It follows the current API reference and invents no rule and no field value
    (``docs/service/disagreements.md``); what it does and answers is in the guide
    *The emulator*. Reach it in-process (``transport()``), as an ASGI app (``asgi_app``) or
    served on loopback (``EmulatorServer``, ``python -m bce_vpn_async.testing serve``). The
    example drives it in-process, with the SDK's client on the emulator's clock.

    Args:
        clock: Where time comes from (default ``SystemClock()``). Share a ``FakeClock``
            with the client to make time virtual.
        build_seconds: How long a new gateway stays ``building``.
        configure_seconds: How long a change keeps a gateway ``configuring``.
        seed: Seeds ids, request ids and faults: the same requests in the same order get
            the same answers.
        accounts: ``{access_key_id: secret_access_key or Credentials}`` whose signatures
            are accepted (a ``Credentials`` with a session token requires it); default the
            test account (``TEST_ACCESS_KEY_ID``, ``TEST_SECRET_ACCESS_KEY``).
        strict_validation: False lifts the reference's lifetime ranges (IKE 60-86400 s,
            IPSec 180-86400 s): any positive lifetime is taken, for code written against a
            service that accepts more than it documents.
        latency: Seconds added to every answer (``latency`` can be changed later).
        max_vpns_per_vpc: How many gateways a VPC holds; past it, 413 ``LimitExceeded``.
        skew_seconds: How far ahead of the clock a signature may be dated.
        token_retention: How long a ``clientToken``'s answer is remembered, in seconds.
        rate_limit: Requests per second per account (a token bucket with a burst of one
            second, on ``clock``; past it, 429 ``RequestLimitExceeded`` with
            ``Retry-After``); None for no limit.
        request_log_size: How many requests ``requests`` keeps, the oldest going first
            (``REQUEST_LOG_SIZE`` by default; 0 keeps none).

    Raises:
        ValueError: No account, a ``Credentials`` keyed by another access key id, a
            negative ``request_log_size``, or a ``rate_limit`` that is not a finite
            number above 0.
        TypeError: A ``rate_limit`` or ``request_log_size`` that is not a number.

    Example:
        ```python
        emulator = VpnEmulator(clock=FakeClock())
        async with (
            httpx.AsyncClient(transport=emulator.transport()) as http,
            AsyncVpnClient(
                credentials=emulator.credentials,
                endpoint="http://vpn-emulator.invalid",  # nothing leaves the process
                http_client=http,
                config=ClientConfig(clock=emulator.clock),
            ) as client,
        ):
            page = await client.list_vpns("vpc-1")
        ```
    """

    latency: float
    """Seconds added to every answer (a held answer, as the ``latency`` fault holds it)."""

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
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._backend = Backend(
            clock=self._clock,
            build_seconds=build_seconds,
            configure_seconds=configure_seconds,
            seed=seed,
            strict_validation=strict_validation,
            max_vpns_per_vpc=max_vpns_per_vpc,
        )
        self._faults = FaultPlan(seed, OPERATION_NAMES)
        self._requests = RequestLog(request_log_size)
        self._state = StateView(self._backend)
        self._app = WireApp(
            backend=self._backend,
            accounts=self._accounts,
            faults=self._faults,
            log=self._requests,
            seed=seed,
            latency=lambda: self.latency,
            skew_seconds=skew_seconds,
            token_retention=token_retention,
            rate_limit=rate_limit,
        )

    @property
    def clock(self) -> Clock:
        """The clock the emulator runs on: statuses, signatures' time window, held answers."""
        return self._clock

    @property
    def state(self) -> StateView:
        """Gateways, tunnels, SSL-VPN services and users, as the SDK's models, by id."""
        return self._state

    @property
    def requests(self) -> RequestLog:
        """The requests that arrived, oldest first (secrets left out)."""
        return self._requests

    @property
    def faults(self) -> FaultPlan:
        """The fault rules: ``emulator.faults.add("drop_after", op="create_vpn")``."""
        return self._faults

    @property
    def rate_limit(self) -> float | None:
        """Requests per second per account, or None for no limit.

        Setting it starts every account from a full bucket (one second's burst).

        Raises:
            ValueError: Set to a number that is not finite and above 0.
            TypeError: Set to something that is not a number or None.
        """
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
        """Accept signatures by ``credentials`` too, as an account of its own.

        Args:
            credentials: The account's keys (and session token, which it then requires);
                they replace an account with the same access key id.
        """
        self._accounts[credentials.access_key_id] = credentials

    def transport(self) -> EmulatorTransport:
        """An httpx transport to this emulator, in-process (no sockets).

        Returns:
            A new transport, for ``httpx.AsyncClient(transport=...)``.
        """
        return EmulatorTransport(self._app)

    @cached_property
    def asgi_app(self) -> AsgiApp:
        """This emulator as an ASGI 3 app, for ``httpx.ASGITransport`` or an ASGI server of
        your own. ASGI cannot close a connection without answering: a ``drop_*`` fault
        raises ``ConnectionDropped`` before any response starts; serve with
        ``EmulatorServer`` or ``serve`` for drops as they are on the wire."""
        return AsgiApp(self._app.handle, self._clock)

    def reset(self) -> None:
        """Forget every gateway, tunnel, SSL-VPN service and user, every remembered
        ``clientToken``, fault rule and logged request.

        Accounts, settings and the clock stay, and new ids stay unlike old ones.
        """
        self._backend.forget()
        self._app.forget_tokens()
        self._faults.clear()
        self._requests.clear()

    def advance(self, seconds: float) -> None:
        """Move the emulator's ``FakeClock`` on (gateways finish building, and so on).

        Args:
            seconds: How far, in seconds (at least 0).

        Raises:
            TypeError: The emulator does not run on a ``FakeClock``.
            ValueError: ``seconds`` is negative.
        """
        if not isinstance(self._clock, FakeClock):
            raise TypeError("advance() needs the emulator to run on a FakeClock")
        self._clock.advance(seconds)

    def __repr__(self) -> str:
        return (
            f"VpnEmulator(gateways={len(self._backend.gateways)}, "
            f"requests={len(self._requests)}, clock={self._clock!r})"
        )


def wire_app_of(emulator: VpnEmulator) -> WireApp:
    """The core every way into ``emulator`` calls (the server, the control plane, and the
    tests that send it requests no HTTP client can build)."""
    return emulator._app


def backend_of(emulator: VpnEmulator) -> Backend:
    """The stores behind ``emulator``, for the package's own tests of records that no view
    shows."""
    return emulator._backend
