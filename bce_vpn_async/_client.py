"""``AsyncVpnClient``: every operation of the BCE VPN API, as its users call it.

Each operation is one method, typed and documented here, whose body is one call into the
engine with the method's own arguments (``locals()``) and its entry of the table
(``_operations``); the engine (``_engine``) checks, sends and answers every call the same
way. ``tests/test_operations.py`` checks each signature against its table entry.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Mapping, Sequence
from types import TracebackType
from typing import Self

import attrs
import httpx

from . import _operations as ops
from . import _rules as rules
from ._config import ClientConfig
from ._credentials import Credentials, CredentialsProvider
from ._engine import ClientEngine
from ._errors import BceValidationError
from ._models import (
    Billing,
    CreateSslVpnServerResult,
    CreateSslVpnUsersResult,
    CreateVpnConnResult,
    CreateVpnResult,
    IkeConfig,
    IpsecConfig,
    OperationResult,
    SslVpnServer,
    SslVpnUser,
    SslVpnUserPage,
    SslVpnUserSpec,
    Tag,
    Vpn,
    VpnConnList,
    VpnPage,
)
from ._options import OMITTED, Omitted, extra_headers
from ._pagination import AsyncPaginator
from ._pipeline import Middleware
from ._retry import RetryPolicy
from ._rules import InterfaceType, VpnType
from ._signing import Signer
from ._waiters import (
    DEFAULT_FAILURE_STATUSES,
    OnStatus,
    normalise_failures,
    normalise_targets,
    wait_for_status,
)

__all__ = ["AsyncVpnClient"]


class AsyncVpnClient:
    """An asyncio client for the BCE VPN API.

    ```python
    async with AsyncVpnClient() as client:  # BCE_ENDPOINT and the BCE_* keys
        created = await client.create_vpn(
            "vpc-1", vpn_name="gw1", billing=Billing(payment_timing="Postpaid")
        )
        vpn = await client.wait_until_status(created.vpn_id, "unconfigured")
    ```

    One client serves any number of concurrent tasks over one connection pool: create it
    once per event loop, and close it with ``async with`` or ``aclose``. Method names
    are the official SDK's; parameters are keyword-only after the ids. Every write sends a
    ``clientToken`` (``client_token=``, or a fresh uuid4 per call) that stays the same
    across retries, so a retried write is applied once.

    Making a client reads no environment and sends nothing: the endpoint (when neither
    ``endpoint`` nor ``region`` is given) and the credentials (when none are given) are
    read when they are first needed.

    Every method raises a ``BceError`` or returns its result: ``BceValidationError``
    (also a ``ValueError``) for an argument that breaks a documented rule, before anything
    is sent; a ``BceServerError`` subclass for a refusal of the service
    (``BceNotFoundError``, ``BceConflictError``, ``BceThrottledError``, ``BceAuthError``,
    ``BceResponseError`` for an answer the SDK cannot read); ``BceTransportError`` or
    ``BceTimeoutError`` when the request could not be sent or answered in time, after the
    retries; ``BceClientError`` for a client that is closed or has no endpoint or
    credentials.

    Args:
        credentials: A ``Credentials``, or an async callable returning them (STS
            credentials that rotate), or None to read ``BCE_ACCESS_KEY_ID``,
            ``BCE_SECRET_ACCESS_KEY`` and ``BCE_SESSION_TOKEN`` on first use.
        endpoint: The service's host (``"bcc.bj.baidubce.com"``, https by default) or an
            http(s) URL of one (``"http://127.0.0.1:8080"`` for the emulator).
        region: A region of ``REGIONS`` instead of an endpoint (``"bj"``). With neither,
            ``BCE_ENDPOINT`` is read when the client is opened.
        config: Timeouts, retries, rate limit, pool and the rest (``ClientConfig``).
        http_client: An ``httpx.AsyncClient`` of yours to send through; the SDK never
            closes it, and its pool settings are yours (``config``'s pool, proxy and TLS
            fields then do not apply).
        signer: What signs each attempt (``BceV1Signer`` by default).
        middleware: Your middleware, run on every attempt between the retry and the
            signing steps (see ``Middleware``).

    Raises:
        BceValidationError: An endpoint or region that cannot be used, both given, or a
            proxy the transport cannot use.
    """

    def __init__(
        self,
        *,
        credentials: Credentials | CredentialsProvider | None = None,
        endpoint: str | None = None,
        region: str | None = None,
        config: ClientConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        signer: Signer | None = None,
        middleware: Sequence[Middleware] = (),
    ) -> None:
        self._engine = ClientEngine.create(
            credentials=credentials,
            endpoint=endpoint,
            region=region,
            config=config,
            http_client=http_client,
            signer=signer,
            middleware=middleware,
        )

    # -- the client itself -----------------------------------------------------------------

    @property
    def config(self) -> ClientConfig:
        """The configuration this client (or copy) was made with."""
        return self._engine.config

    @property
    def endpoint(self) -> str:
        """The base URL calls go to (scheme and host).

        For a client given neither ``endpoint`` nor ``region``, ``BCE_ENDPOINT`` is read
        now if the client has not read it yet.

        Raises:
            BceClientError: ``BCE_ENDPOINT`` is not set (or blank).
            BceValidationError: ``BCE_ENDPOINT`` is not a host or an http(s) URL.
        """
        return self._engine.endpoint()

    async def __aenter__(self) -> Self:
        """Open the client on the running event loop (the first call would, too)."""
        self._engine.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client and its connection pool (not an ``http_client`` of yours).

        Safe to call twice; a closed client refuses calls with ``BceClientError``, and a
        call in flight when the client closes fails so too. Closing a ``with_options``
        copy leaves the pool open for the client it was made from.

        A pool's connections belong to the event loop that opened them: closing from
        another loop closes them on theirs if it still runs (in another thread).

        Raises:
            BceClientError: The loop the client was opened on has ended, so its
                connections could not be closed.
        """
        await self._engine.close()

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Omitted = OMITTED,
        retry: RetryPolicy | Omitted | None = OMITTED,
        headers: Mapping[str, str] | None = None,
        validate: bool | Omitted = OMITTED,
    ) -> Self:
        """A copy of this client with some options changed, for one part of your code.

        ```python
        fast = client.with_options(timeout=5.0, retry=None)
        await fast.get_vpn(vpn_id)
        ```

        The copy shares this client's connection pool, credentials, signer, middleware,
        clock offset, and what it has learnt about the service: the adaptive rate
        limiter, the places for calls in flight, and the retry budget's balance (with a
        ``RetryPolicy`` of another ``budget``, the copy keeps a balance of its own).
        Making a copy is cheap and sends nothing. Closing the copy leaves the pool open;
        closing the client it was made from closes it, and the copy then refuses calls.

        Args:
            timeout: Replaces ``ClientConfig.timeout`` (each phase of one attempt).
            retry: Replaces ``ClientConfig.retry``; None for one attempt per call.
            headers: Added to every request of the copy (on top of this client's own extra
                headers, if it is itself a copy) and signed like any other header. Names
                the SDK writes (``Authorization``, ``Host``, ``Content-Length``,
                ``Content-Type``, ``Transfer-Encoding``, ``x-bce-date``,
                ``x-bce-security-token``) are refused, and so are values that are not
                ASCII text without control characters.
            validate: Replaces ``ClientConfig.validate``.

        Returns:
            The copy, an ``AsyncVpnClient`` of its own.

        Raises:
            BceValidationError: A header the SDK writes, or a value it cannot send.
            TypeError: ``headers`` that do not map str to str, or an option of the wrong
                type.
            ValueError: An option ``ClientConfig`` refuses (a timeout <= 0).
        """
        # attrs.evolve runs ClientConfig's validators: a bad value fails as it would there.
        config = self.config
        if not isinstance(timeout, Omitted):
            config = attrs.evolve(config, timeout=timeout)
        if not isinstance(retry, Omitted):
            config = attrs.evolve(config, retry=retry)
        if not isinstance(validate, Omitted):
            config = attrs.evolve(config, validate=validate)
        extra = {} if headers is None else extra_headers(headers)
        copy = type(self).__new__(type(self))
        copy._engine = self._engine.derive(config, extra)
        return copy

    def __repr__(self) -> str:
        return self._engine.describe()

    # -- gateways --------------------------------------------------------------------------

    async def create_vpn(
        self,
        vpc_id: str,
        *,
        vpn_name: str,
        billing: Billing,
        vpn_type: VpnType | None = None,
        max_connections: int | None = None,
        description: str | None = None,
        eip: str | None = None,
        subnet_id: str | None = None,
        tags: Sequence[Tag] | None = None,
        resource_group_id: str | None = None,
        delete_protect: bool | None = None,
        client_token: str | None = None,
    ) -> CreateVpnResult:
        """Create a VPN gateway in a VPC (``POST /v1/vpn``).

        The gateway starts ``building``: wait for ``unconfigured`` with
        ``wait_until_status`` before you bind an EIP or create tunnels on it.

        Args:
            vpc_id: The VPC the gateway belongs to.
            vpn_name: Its name: a letter first, then letters, digits and ``-_/.``, at most
                65 characters; not ``default``.
            billing: How it is paid for; ``payment_timing`` is required (``"Postpaid"``,
                or ``"Prepaid"`` with ``reservation_length`` months).
            vpn_type: ``"IPSec"`` (the service's default) or ``"SSL"``.
            max_connections: For an SSL gateway, how many clients may connect: 5, 10, 20,
                50, 100, 200, 500 or 1000 (the wire's ``maxConnection``).
            description: Free text, at most 200 characters, on one line.
            eip: An EIP address to bind at creation.
            subnet_id: The subnet the gateway sits in.
            tags: Tags to put on the gateway.
            resource_group_id: The resource group it belongs to.
            delete_protect: True to turn release protection on from the start.
            client_token: The idempotency token (a fresh uuid4 when None): a repeated
                token returns the gateway the first call created.

        Returns:
            The new gateway's ``vpn_id``, with the response's ``metadata``.

        Raises:
            BceValidationError: An argument breaks a documented rule; nothing was sent.
            BceServerError: The service refused it (a ``BceConflictError`` when the VPC
                has no room for another gateway, say).
            BceTransportError: It could not be sent or answered (``BceTimeoutError`` when
                time ran out), after the retries.
        """
        return await self._engine.call(ops.CREATE_VPN, locals())

    def list_vpns(
        self,
        vpc_id: str,
        *,
        eip: str | None = None,
        vpn_type: VpnType | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[VpnPage, Vpn]:
        """The gateways of a VPC (``GET /v1/vpn``), page by page.

        ```python
        page = await client.list_vpns("vpc-1", max_keys=10)  # one page
        async for vpn in client.list_vpns("vpc-1"):  # every gateway
            print(vpn.vpn_id, vpn.status)
        ```

        Args:
            vpc_id: The VPC whose gateways to list.
            eip: Only the gateway with this EIP.
            vpn_type: Only ``"IPSec"`` or only ``"SSL"`` gateways.
            marker: Start from this marker (a ``next_marker`` an earlier page gave).
            max_keys: Gateways per page, 1 to 1000 (the service's default is 1000).
            max_items: Stop after this many gateways, whatever the pages hold.

        Returns:
            A paginator: ``await`` it for one ``VpnPage``, ``async for`` it for every
            ``Vpn``, or walk ``.pages()``. Nothing is sent until you do.

        Raises:
            BceValidationError: An argument breaks a documented rule (raised here, before
                the paginator is returned).
        """
        return self._engine.paginate(ops.LIST_VPNS, locals())

    async def get_vpn(self, vpn_id: str) -> Vpn:
        """One gateway, with its tunnels and its SSL-VPN service (``GET /v1/vpn/{vpnId}``).

        Args:
            vpn_id: The gateway's id.

        Returns:
            The gateway.

        Raises:
            BceValidationError: An id that cannot be a gateway's; nothing was sent.
            BceNotFoundError: No such gateway.
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.GET_VPN, locals())

    async def update_vpn(
        self,
        vpn_id: str,
        *,
        vpn_name: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Rename a gateway or change its description; nothing else of it can change.

        Args:
            vpn_id: The gateway's id.
            vpn_name: Its new name (the rules of ``create_vpn``).
            description: Its new description (may be empty).
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: Neither ``vpn_name`` nor ``description`` given, or one
                that breaks a documented rule; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such gateway).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.UPDATE_VPN, locals())

    async def delete_vpn(self, vpn_id: str, *, client_token: str | None = None) -> OperationResult:
        """Release a postpaid gateway.

        Its tunnels and its SSL-VPN service must be deleted first, and release protection
        must be off; a bound EIP is unbound with it.

        Args:
            vpn_id: The gateway's id.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An id that cannot be a gateway's; nothing was sent.
            BceServerError: The service refused it (``BceConflictError`` while tunnels,
                an SSL-VPN service or release protection hold it).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.DELETE_VPN, locals())

    async def bind_eip(
        self, vpn_id: str, *, eip: str, client_token: str | None = None
    ) -> OperationResult:
        """Bind an EIP to a gateway that has none (``PUT /v1/vpn/{vpnId}?bind``).

        Args:
            vpn_id: The gateway's id.
            eip: The EIP's address (``"106.12.1.10"``).
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An argument breaks a documented rule; nothing was sent.
            BceServerError: The service refused it (``BceConflictError``: the gateway
                already has an EIP, or the EIP is bound elsewhere).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.BIND_EIP, locals())

    async def unbind_eip(self, vpn_id: str, *, client_token: str | None = None) -> OperationResult:
        """Unbind the gateway's EIP (``PUT /v1/vpn/{vpnId}?unbind``).

        Args:
            vpn_id: The gateway's id.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An id that cannot be a gateway's; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such gateway).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.UNBIND_EIP, locals())

    async def renew_vpn(
        self, vpn_id: str, *, billing: Billing, client_token: str | None = None
    ) -> OperationResult:
        """Renew a prepaid gateway (``PUT /v1/vpn/{vpnId}?purchaseReserved``).

        Args:
            vpn_id: The gateway's id.
            billing: The renewal: ``reservation_length`` (1-9, 12, 24 or 36 months) is
                required, ``reservation_time_unit`` defaults to ``"month"``.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An argument breaks a documented rule; nothing was sent.
            BceServerError: The service refused it (a postpaid gateway, say).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.RENEW_VPN, locals())

    async def update_vpn_delete_protect(
        self, vpn_id: str, *, delete_protect: bool, client_token: str | None = None
    ) -> OperationResult:
        """Turn a gateway's release protection on or off.

        Args:
            vpn_id: The gateway's id.
            delete_protect: True to protect the gateway from release, False to allow it
                (``false`` is sent too, unlike the Go SDK).
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: ``delete_protect`` is not a bool, or the id cannot be a
                gateway's; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such gateway).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.UPDATE_VPN_DELETE_PROTECT, locals())

    async def wait_until_status(
        self,
        vpn_id: str,
        status: str | Collection[str],
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 15.0,
        failure_statuses: Collection[str] = DEFAULT_FAILURE_STATUSES,
        on_status: OnStatus | None = None,
    ) -> Vpn:
        """Poll ``get_vpn`` until the gateway's status is ``status`` (or one of a set).

        Polls start at least ``poll_interval`` apart: the first waits stay near it, later
        ones grow to ``max_poll_interval``, all with jitter, under a total ``timeout`` on
        the client's clock. Around the time this client's earlier waits of the same kind
        saw their change, polls come back to ``poll_interval``.

        Args:
            vpn_id: The gateway's id.
            status: The status to wait for (``"unconfigured"``), or a set of them.
            timeout: Seconds the whole wait may take, the poll in flight included.
            poll_interval: Seconds between the starts of two polls, at least.
            max_poll_interval: The longest wait between polls as they back off.
            failure_statuses: Statuses that end the wait at once; an empty set never
                fails fast. A target status wins over a failure status.
            on_status: Called (sync or async) with every ``Vpn`` a poll returns.

        Returns:
            The gateway as the poll that saw the status returned it.

        Raises:
            WaiterFailedError: The gateway reached a failure status, or vanished (404);
                ``.last`` holds the last ``Vpn`` seen.
            WaiterTimeoutError: ``timeout`` passed first; ``.last`` holds the last ``Vpn``
                seen, or None if no poll answered.
            BceValidationError: An argument breaks its rule; nothing was sent.
            BceError: A poll failed otherwise (after its own retries).
        """
        rules.resource_id("vpn_id", vpn_id)
        targets = normalise_targets(status)
        for name, value in (
            ("timeout", timeout),
            ("poll_interval", poll_interval),
            ("max_poll_interval", max_poll_interval),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value < math.inf
            ):
                raise BceValidationError(name, "must be a positive number of seconds")
        failures = normalise_failures(failure_statuses)
        if on_status is not None and not callable(on_status):
            raise BceValidationError("on_status", "must be a callable that takes a Vpn")
        return await wait_for_status(
            self.get_vpn,
            vpn_id,
            targets,
            clock=self.config.clock,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max(poll_interval, max_poll_interval),
            failure_statuses=failures,
            on_status=on_status,
            rng=random.Random(),
            transitions=self._engine.shared.transitions,
        )

    # -- IPSec tunnels ---------------------------------------------------------------------

    async def create_vpn_conn(
        self,
        vpn_id: str,
        *,
        secret_key: str,
        local_subnets: Sequence[str],
        remote_subnets: Sequence[str],
        vpn_conn_name: str,
        ike_config: IkeConfig,
        ipsec_config: IpsecConfig,
        remote_ip: str | None = None,
        cgw_id: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> CreateVpnConnResult:
        """Create a policy-based IPSec tunnel on a gateway.

        Args:
            vpn_id: The gateway's id.
            secret_key: The pre-shared key: 8-17 characters holding a letter, a digit and
                one of ``!@#$%^*()_``. Never shown in a repr, log line or error.
            local_subnets: The CIDRs on the gateway's side.
            remote_subnets: The CIDRs on the peer's side.
            vpn_conn_name: The tunnel's name (the rules of a gateway's name).
            ike_config: Phase 1: ``ike_version``, ``ike_mode``, ``ike_enc_alg`` and
                ``ike_pfs`` required.
            ipsec_config: Phase 2: ``ipsec_enc_alg`` and ``ipsec_auth_alg`` required.
            remote_ip: The peer's public IP (the seed API); give it or ``cgw_id``.
            cgw_id: The peer's customer gateway (the current API); give it or
                ``remote_ip``.
            description: Free text, at most 200 characters, on one line.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The new tunnel's ``vpn_conn_id``, with the response's ``metadata``.

        Raises:
            BceValidationError: An argument breaks a documented rule, or neither peer is
                given; nothing was sent.
            BceServerError: The service refused it (``BceConflictError``: the gateway is
                not ready for a tunnel).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.CREATE_VPN_CONN, locals())

    async def get_vpn_conn(self, vpn_id: str, *, client_token: str | None = None) -> VpnConnList:
        """Every tunnel of a gateway (``GET /v1/vpn/vpnconn/{vpnId}``; not paginated).

        Args:
            vpn_id: The gateway's id.
            client_token: Sent when given (the API documents one on this read).

        Returns:
            The tunnels (``vpn_conns``); each ``VpnConn`` holds its pre-shared key, which
            its repr hides.

        Raises:
            BceValidationError: An id that cannot be a gateway's; nothing was sent.
            BceNotFoundError: No such gateway.
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.GET_VPN_CONN, locals())

    async def update_vpn_conn(
        self,
        vpn_conn_id: str,
        *,
        vpn_id: str,
        secret_key: str,
        local_subnets: Sequence[str],
        remote_subnets: Sequence[str],
        vpn_conn_name: str,
        ike_config: IkeConfig,
        ipsec_config: IpsecConfig,
        remote_ip: str | None = None,
        cgw_id: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Replace a tunnel's whole configuration: every field is sent, as the API requires.

        Args:
            vpn_conn_id: The tunnel's id.
            vpn_id: The gateway it belongs to.
            secret_key: The pre-shared key (the rules of ``create_vpn_conn``).
            local_subnets: The CIDRs on the gateway's side.
            remote_subnets: The CIDRs on the peer's side.
            vpn_conn_name: The tunnel's name.
            ike_config: Phase 1, as for ``create_vpn_conn``.
            ipsec_config: Phase 2, as for ``create_vpn_conn``.
            remote_ip: The peer's public IP; give it or ``cgw_id``.
            cgw_id: The peer's customer gateway; give it or ``remote_ip``.
            description: Free text, at most 200 characters, on one line.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An argument breaks a documented rule, or neither peer is
                given; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such tunnel).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.UPDATE_VPN_CONN, locals())

    async def delete_vpn_conn(
        self, vpn_conn_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete a tunnel.

        Args:
            vpn_conn_id: The tunnel's id.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An id that cannot be a tunnel's; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such tunnel).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.DELETE_VPN_CONN, locals())

    # -- SSL-VPN ---------------------------------------------------------------------------

    async def create_vpn_sslservice(
        self,
        vpn_id: str,
        *,
        sslservice_name: str,
        local_routes: Sequence[str],
        address_pool: str,
        interface_type: InterfaceType = "tap",
        client_dns: str | None = None,
        client_token: str | None = None,
    ) -> CreateSslVpnServerResult:
        """Create the SSL-VPN service of an SSL gateway (one per gateway).

        Args:
            vpn_id: The SSL gateway's id.
            sslservice_name: The service's name (the rules of a gateway's name).
            local_routes: The CIDRs its clients reach.
            address_pool: The CIDR its clients' addresses come from.
            interface_type: ``"tap"`` (the API's default, which the official SDK replaces
                with ``"tun"``) or ``"tun"``; it cannot change later.
            client_dns: The DNS server its clients use.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The new service's ``ssl_vpn_server_id``, with the response's ``metadata``.

        Raises:
            BceValidationError: An argument breaks a documented rule; nothing was sent.
            BceServerError: The service refused it (``BceConflictError``: the gateway
                already has one, or is not an SSL gateway).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.CREATE_VPN_SSLSERVICE, locals())

    async def get_vpn_sslservice(
        self, vpn_id: str, *, client_token: str | None = None
    ) -> SslVpnServer:
        """The gateway's SSL-VPN service.

        Args:
            vpn_id: The SSL gateway's id.
            client_token: Sent when given (the API documents one on this read).

        Returns:
            The service.

        Raises:
            BceValidationError: An id that cannot be a gateway's; nothing was sent.
            BceNotFoundError: No such gateway, or it has no SSL-VPN service.
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.GET_VPN_SSLSERVICE, locals())

    async def update_vpn_sslservice(
        self,
        vpn_id: str,
        sslservice_id: str,
        *,
        sslservice_name: str,
        local_routes: Sequence[str],
        address_pool: str,
        client_dns: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Set the SSL-VPN service's name, routes and address pool (all three required, as
        the API documents) and, optionally, its client DNS.

        Connected clients are disconnected. The interface type cannot change.

        Args:
            vpn_id: The SSL gateway's id.
            sslservice_id: The service's id.
            sslservice_name: Its name.
            local_routes: The CIDRs its clients reach.
            address_pool: The CIDR its clients' addresses come from.
            client_dns: The DNS server its clients use.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An argument breaks a documented rule; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such service).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.UPDATE_VPN_SSLSERVICE, locals())

    async def delete_vpn_sslservice(
        self, vpn_id: str, sslservice_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete the SSL-VPN service; its users must be deleted first.

        Args:
            vpn_id: The SSL gateway's id.
            sslservice_id: The service's id.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An id that cannot be used; nothing was sent.
            BceServerError: The service refused it (``BceConflictError`` while it has
                users).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.DELETE_VPN_SSLSERVICE, locals())

    async def create_vpn_sslusers(
        self,
        vpn_id: str,
        *,
        sslusers: Sequence[SslVpnUserSpec],
        client_token: str | None = None,
    ) -> CreateSslVpnUsersResult:
        """Create SSL-VPN users in one batch.

        Args:
            vpn_id: The SSL gateway's id.
            sslusers: The users (at least one): each a name (the rules of a gateway's
                name), a password (8-17 characters holding a letter, a digit and one of
                ``!@#$%^*(_``; never shown in a repr, log line or error), and optionally a
                description and a client name.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The new users' ids (``ssl_vpn_user_ids``), in the order given.

        Raises:
            BceValidationError: An argument breaks a documented rule; nothing was sent.
            BceServerError: The service refused it (``BceConflictError``: a name taken).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.CREATE_VPN_SSLUSERS, locals())

    def get_vpn_ssl_user(
        self,
        vpn_id: str,
        *,
        user_name: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[SslVpnUserPage, SslVpnUser]:
        """The SSL-VPN users of a gateway, page by page.

        Args:
            vpn_id: The SSL gateway's id.
            user_name: Only the user of this name.
            marker: Start from this marker (a ``next_marker`` an earlier page gave).
            max_keys: Users per page, 1 to 1000 (the service's default is 1000).
            max_items: Stop after this many users, whatever the pages hold.

        Returns:
            A paginator: ``await`` it for one ``SslVpnUserPage``, ``async for`` it for
            every ``SslVpnUser``, or walk ``.pages()``. Nothing is sent until you do.

        Raises:
            BceValidationError: An argument breaks a documented rule (raised here, before
                the paginator is returned).
        """
        return self._engine.paginate(ops.GET_VPN_SSL_USER, locals())

    async def update_vpn_ssl_user(
        self,
        vpn_id: str,
        ssluser_id: str,
        *,
        password: str | None = None,
        description: str | None = None,
        client_name: str | None = None,
        client_token: str | None = None,
    ) -> OperationResult:
        """Change a user's password, description or client name; its name cannot change.

        Args:
            vpn_id: The SSL gateway's id.
            ssluser_id: The user's id.
            password: The new password (the rules of ``create_vpn_sslusers``).
            description: The new description (may be empty).
            client_name: The new client name.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: None of the three given, or one that breaks a documented
                rule; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such user).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.UPDATE_VPN_SSL_USER, locals())

    async def delete_vpn_ssl_user(
        self, vpn_id: str, ssluser_id: str, *, client_token: str | None = None
    ) -> OperationResult:
        """Delete a user: an open session is not cut, its next login fails.

        Args:
            vpn_id: The SSL gateway's id.
            ssluser_id: The user's id.
            client_token: The idempotency token (a fresh uuid4 when None).

        Returns:
            The response's ``metadata``.

        Raises:
            BceValidationError: An id that cannot be used; nothing was sent.
            BceServerError: The service refused it (``BceNotFoundError``: no such user).
            BceTransportError: It could not be sent or answered, after the retries.
        """
        return await self._engine.call(ops.DELETE_VPN_SSL_USER, locals())
