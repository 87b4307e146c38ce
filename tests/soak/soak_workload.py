"""The soak's workload: units of dependent calls that between them use every operation.

A unit is what a user script does with one gateway, in order, waiting for the gateway to
settle between changes (the service refuses changes while it is ``building`` or
``configuring``):

- ``ipsec``: create, rename, release protection on (and off again), bind an EIP, two
  tunnels, update one, delete the other; torn down (last tunnel, unbind, release) or kept.
- ``ssl``: create an SSL gateway, its SSL-VPN service, update it, two batches of users,
  update one user, delete another; torn down (users, service, gateway) or kept.
- ``prepaid``: create a prepaid gateway, renew it, describe it, bind and unbind an EIP
  (a prepaid gateway cannot be released, so it is always kept).

Each write is one logical call through the client with the default retry policy. A write
that fails (a typed error once its retry budget is spent) ends its unit: what the
service did is then unknown, and the rest of the unit is counted as abandoned. Waiting
for a status is the script's own loop: a poll that fails after its retries is counted and
the wait goes on, as a script would do.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from attrs import define, field
from secrets_registry import SOAK_PASSWORD, SOAK_PASSWORD_NEW, SOAK_PSK, SOAK_PSK_NEW
from seed_examples import IKE, IPSEC

from bce_vpn_async import (
    AsyncVpnClient,
    BceError,
    BceServerError,
    BceTimeoutError,
    BceTransportError,
    Billing,
    Handler,
    SslVpnUserSpec,
    WaiterFailedError,
    WaiterTimeoutError,
)

__all__ = ["KINDS", "AttemptCounter", "Soak", "Tally", "Unit", "plan_units"]

T = TypeVar("T")

POSTPAID = Billing(payment_timing="Postpaid")
PREPAID = Billing(payment_timing="Prepaid", reservation_length=1, reservation_time_unit="month")
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

# (kind, keep) -> the writes the unit makes when nothing fails.
KINDS: dict[tuple[str, bool], int] = {
    ("ipsec", False): 12,
    ("ssl", False): 12,
    ("prepaid", True): 5,
    ("ipsec", True): 8,
    ("ssl", True): 7,
}

_attempts: contextvars.ContextVar[list[int]] = contextvars.ContextVar("soak_attempts")


class AttemptCounter:
    """Middleware (inside the retry middleware): counts the attempts of the current call."""

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        box = _attempts.get(None)
        if box is not None:
            box[0] += 1
        return await call_next(request)


@define
class Unit:
    index: int
    kind: str
    keep: bool
    vpc_id: str
    name: str
    renamed: str
    eip: str
    planned: int
    certain: bool = True
    vpn_id: str | None = None
    tunnels: dict[str, str] = field(factory=dict)
    users: dict[str, str] = field(factory=dict)
    done: int = 0


def plan_units(target_writes: int) -> list[Unit]:
    """Units cycling through the kinds until they plan at least ``target_writes`` writes."""
    units: list[Unit] = []
    cycle = list(KINDS.items())
    planned = 0
    while planned < target_writes:
        index = len(units)
        (kind, keep), writes = cycle[index % len(cycle)]
        units.append(
            Unit(
                index=index,
                kind=kind,
                keep=keep,
                vpc_id=f"vpc-soak{index // 3}",  # a VPC holds at most 3 gateways
                name=f"soak{index:04d}",
                renamed=f"soak{index:04d}-r",
                eip=f"100.64.{index // 250}.{index % 250 + 1}",
                planned=writes,
            )
        )
        planned += writes
    return units


@define
class Tally:
    planned: int = 0
    attempted: int = 0
    succeeded: int = 0
    typed_failures: Counter[str] = field(factory=Counter)
    untyped: list[str] = field(factory=list)
    short_of_budget: list[str] = field(factory=list)
    abandoned: int = 0
    write_attempts: int = 0
    by_operation: dict[str, Counter[str]] = field(factory=dict)
    reads_ok: int = 0
    reads_failed: int = 0
    waits_retried: int = 0

    @property
    def success_rate(self) -> float:
        return self.succeeded / self.attempted if self.attempted else 0.0


class _Abandon(Exception):
    """A write of the unit failed; its later steps are not attempted."""


def _failure_name(exc: BceError) -> str:
    if isinstance(exc, BceServerError):
        return f"{type(exc).__name__}({exc.status_code} {exc.code})"
    return type(exc).__name__


class Soak:
    def __init__(
        self,
        client: AsyncVpnClient,
        *,
        concurrency: int,
        max_attempts: int,
        poll_interval: float,
        max_poll_interval: float,
    ) -> None:
        self.client = client
        self.tally = Tally()
        self._slots = asyncio.Semaphore(concurrency)
        self._max_attempts = max_attempts
        self._poll = {"poll_interval": poll_interval, "max_poll_interval": max_poll_interval}

    async def run(self, units: list[Unit]) -> Tally:
        self.tally.planned = sum(unit.planned for unit in units)
        await asyncio.gather(*(self._run_unit(unit) for unit in units))
        return self.tally

    async def _run_unit(self, unit: Unit) -> None:
        flows = {"ipsec": self._ipsec, "ssl": self._ssl, "prepaid": self._prepaid}
        try:
            await flows[unit.kind](unit)
        except _Abandon:
            unit.certain = False
            self.tally.abandoned += unit.planned - unit.done
        except Exception as exc:  # a bug of the workload or the SDK: report, don't hide
            unit.certain = False
            self.tally.untyped.append(f"unit {unit.index}: {type(exc).__name__}: {exc}")

    # -- one logical call ------------------------------------------------------------------

    async def write(self, unit: Unit, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        tally = self.tally
        counts = tally.by_operation.setdefault(operation, Counter())
        box = [0]
        token = _attempts.set(box)
        unit.done += 1
        tally.attempted += 1
        try:
            async with self._slots:
                result = await call()
        except BceError as exc:
            name = _failure_name(exc)
            tally.typed_failures[name] += 1
            counts["failed"] += 1
            if not self._budget_spent(exc, box[0]):
                tally.short_of_budget.append(f"{operation}: {name} after {box[0]} attempt(s)")
            raise _Abandon from exc
        except Exception as exc:
            tally.untyped.append(f"{operation}: {type(exc).__name__}: {exc}")
            counts["untyped"] += 1
            raise _Abandon from exc
        finally:
            _attempts.reset(token)
            tally.write_attempts += box[0]
        tally.succeeded += 1
        counts["ok"] += 1
        return result

    def _budget_spent(self, exc: BceError, attempts: int) -> bool:
        """Whether a failure came from transient faults that outlasted the retry budget."""
        if isinstance(exc, BceTimeoutError) and "total timeout" in str(exc):
            return True
        transient = isinstance(exc, BceTransportError) or (
            isinstance(exc, BceServerError) and exc.status_code in RETRYABLE_STATUSES
        )
        return transient and attempts >= self._max_attempts

    async def read(self, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            async with self._slots:
                await call()
        except BceError:
            self.tally.reads_failed += 1
        else:
            self.tally.reads_ok += 1

    async def wait(self, vpn_id: str, status: str) -> None:
        for _ in range(10):
            try:
                async with self._slots:
                    await self.client.wait_until_status(vpn_id, status, timeout=120, **self._poll)
                return
            except (WaiterTimeoutError, WaiterFailedError) as exc:
                raise _Abandon from exc
            except BceError:
                self.tally.waits_retried += 1
        raise _Abandon

    # -- the units -------------------------------------------------------------------------

    def _tunnel(self, name: str, psk: str, **extra: Any) -> dict[str, Any]:
        return {
            "secret_key": psk,
            "local_subnets": ["192.168.0.0/20"],
            "remote_subnets": ["10.10.0.0/16"],
            "remote_ip": "203.0.113.7",
            "vpn_conn_name": name,
            "ike_config": IKE,
            "ipsec_config": IPSEC,
            **extra,
        }

    async def _ipsec(self, unit: Unit) -> None:
        c = self.client
        created = await self.write(
            unit,
            "create_vpn",
            lambda: c.create_vpn(unit.vpc_id, vpn_name=unit.name, billing=POSTPAID),
        )
        vpn_id = unit.vpn_id = created.vpn_id
        await self.wait(vpn_id, "unconfigured")
        await self.write(
            unit,
            "update_vpn",
            lambda: c.update_vpn(vpn_id, vpn_name=unit.renamed, description="renamed"),
        )
        await self.write(
            unit,
            "update_vpn_delete_protect",
            lambda: c.update_vpn_delete_protect(vpn_id, delete_protect=True),
        )
        if not unit.keep:
            await self.write(
                unit,
                "update_vpn_delete_protect",
                lambda: c.update_vpn_delete_protect(vpn_id, delete_protect=False),
            )
        await self.write(unit, "bind_eip", lambda: c.bind_eip(vpn_id, eip=unit.eip))
        await self.wait(vpn_id, "active")
        for name in ("t1", "t2"):
            conn = await self.write(
                unit,
                "create_vpn_conn",
                lambda name=name: c.create_vpn_conn(vpn_id, **self._tunnel(name, SOAK_PSK)),
            )
            unit.tunnels[name] = conn.vpn_conn_id
            await self.wait(vpn_id, "active")
        await self.read(lambda: c.get_vpn_conn(vpn_id))
        changed = self._tunnel("t1u", SOAK_PSK_NEW, description="updated")
        await self.write(
            unit,
            "update_vpn_conn",
            lambda: c.update_vpn_conn(unit.tunnels["t1"], vpn_id=vpn_id, **changed),
        )
        await self.wait(vpn_id, "active")
        await self.write(unit, "delete_vpn_conn", lambda: c.delete_vpn_conn(unit.tunnels["t2"]))
        await self.wait(vpn_id, "active")
        await self.read(lambda: c.list_vpns(unit.vpc_id, max_keys=2).pages().__anext__())
        if unit.keep:
            return
        await self.write(unit, "delete_vpn_conn", lambda: c.delete_vpn_conn(unit.tunnels["t1"]))
        await self.wait(vpn_id, "active")
        await self.write(unit, "unbind_eip", lambda: c.unbind_eip(vpn_id))
        await self.wait(vpn_id, "active")
        await self.write(unit, "delete_vpn", lambda: c.delete_vpn(vpn_id))

    async def _ssl(self, unit: Unit) -> None:
        c = self.client
        created = await self.write(
            unit,
            "create_vpn",
            lambda: c.create_vpn(
                unit.vpc_id,
                vpn_name=unit.name,
                billing=POSTPAID,
                vpn_type="SSL",
                max_connections=10,
            ),
        )
        vpn_id = unit.vpn_id = created.vpn_id
        await self.wait(vpn_id, "unconfigured")
        service = await self.write(
            unit,
            "create_vpn_sslservice",
            lambda: c.create_vpn_sslservice(
                vpn_id,
                sslservice_name="srv",
                local_routes=["192.168.0.0/24"],
                address_pool="172.16.0.0/16",
            ),
        )
        server_id = service.ssl_vpn_server_id
        await self.wait(vpn_id, "active")
        await self.write(
            unit,
            "update_vpn_sslservice",
            lambda: c.update_vpn_sslservice(
                vpn_id,
                server_id,
                sslservice_name="srv2",
                local_routes=["192.168.0.0/24"],
                address_pool="172.16.0.0/16",
            ),
        )
        await self.wait(vpn_id, "active")
        await self.read(lambda: c.get_vpn_sslservice(vpn_id))
        for batch in (("user1", "user2", "user3"), ("user4",)):
            specs = [SslVpnUserSpec(name, SOAK_PASSWORD) for name in batch]
            made = await self.write(
                unit,
                "create_vpn_sslusers",
                lambda specs=specs: c.create_vpn_sslusers(vpn_id, sslusers=specs),
            )
            unit.users.update(zip(batch, made.ssl_vpn_user_ids, strict=True))
        await self.write(
            unit,
            "update_vpn_ssl_user",
            lambda: c.update_vpn_ssl_user(
                vpn_id, unit.users["user1"], password=SOAK_PASSWORD_NEW, description="updated"
            ),
        )
        await self.write(
            unit,
            "delete_vpn_ssl_user",
            lambda: c.delete_vpn_ssl_user(vpn_id, unit.users.pop("user2")),
        )
        await self.read(lambda: _drain(c.get_vpn_ssl_user(vpn_id, max_keys=2)))
        if unit.keep:
            return
        for name in ("user1", "user3", "user4"):
            await self.write(
                unit,
                "delete_vpn_ssl_user",
                lambda name=name: c.delete_vpn_ssl_user(vpn_id, unit.users[name]),
            )
            del unit.users[name]
        await self.write(
            unit, "delete_vpn_sslservice", lambda: c.delete_vpn_sslservice(vpn_id, server_id)
        )
        await self.wait(vpn_id, "active")
        await self.write(unit, "delete_vpn", lambda: c.delete_vpn(vpn_id))

    async def _prepaid(self, unit: Unit) -> None:
        c = self.client
        created = await self.write(
            unit,
            "create_vpn",
            lambda: c.create_vpn(unit.vpc_id, vpn_name=unit.name, billing=PREPAID),
        )
        vpn_id = unit.vpn_id = created.vpn_id
        await self.wait(vpn_id, "unconfigured")
        await self.write(
            unit,
            "renew_vpn",
            lambda: c.renew_vpn(vpn_id, billing=Billing(reservation_length=2)),
        )
        await self.write(unit, "update_vpn", lambda: c.update_vpn(vpn_id, description="renewed"))
        await self.write(unit, "bind_eip", lambda: c.bind_eip(vpn_id, eip=unit.eip))
        await self.wait(vpn_id, "active")
        await self.write(unit, "unbind_eip", lambda: c.unbind_eip(vpn_id))
        await self.wait(vpn_id, "unconfigured")


async def _drain(paginator: Any) -> None:
    async for _ in paginator:
        pass
