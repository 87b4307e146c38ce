"""Provision many IPSec gateways at once, each with a tunnel, and clean them up again.

    python examples/bulk_provision.py                    # 50 gateways, 20 at a time
    python examples/bulk_provision.py --count 200 --concurrency 50
    python examples/bulk_provision.py --cleanup          # delete what a run made

Gateway i is named ``{name-prefix}-{i:03d}`` and goes into VPC ``{vpc-prefix}-{i // 3:02d}``
(a VPC holds at most 3 gateways), or into the VPCs of ``--vpc-ids``, which the real service
needs: its VPC ids are assigned, not chosen.

Safe to re-run after a crash or Ctrl-C: every write carries a client token made from the run
id and the gateway's VPC and name, so a create the service applied but whose answer was lost is not
applied twice, and before creating anything the script lists each VPC and reuses the
gateways and tunnels that already carry its names. Run the same command again to resume.

Without BCE_ACCESS_KEY_ID, BCE_SECRET_ACCESS_KEY and BCE_ENDPOINT it runs on the embedded
emulator, which starts empty each time; there ``--cleanup`` provisions first, to have
something to clean up. To watch a re-run resume, serve the emulator in another terminal
(``python -m bce_vpn_async.testing serve --port 8080 --access-key-id AK
--secret-access-key SK``) and point the BCE_* variables at it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TextIO

from _target import missing_variables, target

from bce_vpn_async import (
    AsyncVpnClient,
    Billing,
    IkeConfig,
    IpsecConfig,
    Vpn,
    WaiterFailedError,
)

PROVISION_PHASES = ("create", "wait", "tunnel")
CLEANUP_PHASES = ("tunnels", "settle", "delete")
SETTLED = frozenset({"unconfigured", "active"})
IKE = IkeConfig("v2", "main", "aes256", "group14", ike_lifetime=28800)
IPSEC = IpsecConfig("aes256", "sha1", ipsec_pfs="group14", ipsec_lifetime=28800)
TOKEN_LIMIT = 64


class StaleRunIdError(Exception):
    """A create answered with a gateway that no longer exists: the service remembered the
    client token from an earlier run whose gateways were deleted since."""


@dataclass(frozen=True)
class Site:
    """One gateway to provision: where it goes and what it is called."""

    index: int
    vpc_id: str
    name: str

    @property
    def tunnel_name(self) -> str:
        return f"{self.name}-t1"


@dataclass
class Result:
    site: Site
    vpn_id: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    reused: set[str] = field(default_factory=set)  # "gateway", "tunnel": found, not made
    error: BaseException | None = None


def plan(count: int, vpc_ids: Sequence[str], name_prefix: str, per_vpc: int) -> list[Site]:
    return [Site(i, vpc_ids[i // per_vpc], f"{name_prefix}-{i:03d}") for i in range(count)]


def client_token(run_id: str, *parts: str) -> str:
    """``{run_id}-{parts}``, or when that is too long for a token (64 printable ASCII
    characters), its head and a digest of the whole: cutting it short instead could give
    two gateways one token, and the service would answer the second create with the
    first one's gateway."""
    token = "-".join((run_id, *parts))
    if len(token) <= TOKEN_LIMIT and token.isascii() and token.isprintable():
        return token
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    head = "".join(c for c in token if c.isascii() and c.isprintable() and c != " ")
    return f"{head[: TOKEN_LIMIT - 17]}-{digest}"


class Progress:
    """A progress bar on one ``\r``-updated line when ``stream`` is a terminal; otherwise a
    line at every tenth of the work and every 15 s (a CI log should not fill with carriage
    returns, nor go quiet for the minutes a real gateway takes to build)."""

    def __init__(self, total: int, label: str, stream: TextIO = sys.stdout) -> None:
        self.total = total
        self.label = label
        self.stream = stream
        self.tty = stream.isatty()
        self.done = self.failed = 0
        self.active: Counter[str] = Counter()
        self.started = self.shown = time.monotonic()
        self._width = 0
        self._step = max(1, total // 10)

    def enter(self, phase: str) -> None:
        self.active[phase] += 1
        if self.tty:
            self._show()

    def leave(self, phase: str) -> None:
        self.active[phase] -= 1

    def finish(self, ok: bool) -> None:
        self.done += 1
        self.failed += not ok
        if self.tty or self.done % self._step == 0 or self.done == self.total:
            self._show()

    async def tick(self) -> None:
        """Keep the elapsed time moving between events; cancelled when the work ends."""
        while True:
            await asyncio.sleep(0.5 if self.tty else 1.0)
            if self.tty or time.monotonic() - self.shown >= 15:
                self._show()

    def close(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self) -> None:
        filled = 30 * self.done // max(1, self.total)
        doing = " ".join(f"{phase} {n}" for phase, n in self.active.items() if n)
        line = (
            f"{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
            f"  failed {self.failed}  {time.monotonic() - self.started:5.1f}s"
            + (f"  ({doing})" if doing else "")
        )
        if self.tty:
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = time.monotonic()


@asynccontextmanager
async def phase(result: Result, name: str, progress: Progress) -> AsyncIterator[None]:
    progress.enter(name)
    started = time.monotonic()
    try:
        yield
    finally:
        result.timings[name] = time.monotonic() - started
        progress.leave(name)


async def inventory(
    client: AsyncVpnClient, vpc_ids: Iterable[str], name_prefix: str, concurrency: int
) -> dict[tuple[str, str], Vpn]:
    """The gateways already in these VPCs whose names start with the prefix, by (VPC, name)."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(vpc_id: str) -> list[Vpn]:
        async with semaphore:  # every page of the VPC, however many there are
            return [
                vpn
                async for vpn in client.list_vpns(vpc_id)
                if (vpn.vpn_name or "").startswith(name_prefix)
            ]

    found = await asyncio.gather(*(one(vpc_id) for vpc_id in sorted(set(vpc_ids))))
    return {(vpn.vpc_id or "", vpn.vpn_name or ""): vpn for vpns in found for vpn in vpns}


async def provision_one(
    client: AsyncVpnClient,
    site: Site,
    existing: Vpn | None,
    *,
    run_id: str,
    psk: str,
    progress: Progress,
) -> Result:
    result = Result(site)
    async with phase(result, "create", progress):
        if existing is not None:
            vpn_id = existing.vpn_id
            result.reused.add("gateway")
        else:
            created = await client.create_vpn(
                site.vpc_id,
                vpn_name=site.name,
                billing=Billing(payment_timing="Postpaid"),
                client_token=client_token(run_id, site.vpc_id, site.name, "create"),
            )
            vpn_id = created.vpn_id
        result.vpn_id = vpn_id
    async with phase(result, "wait", progress):
        # The SDK's default waiter (2 s growing by half to 15 s, jittered), as a script for
        # the real service should use it. On the emulator's 2 s builds it sees a gateway
        # ready at its third poll, 4-5 s after the create: 50 gateways, 20 at a time, take
        # about 14 s, so a shorter poll interval was not worth the less realistic script.
        try:
            await client.wait_until_status(vpn_id, SETTLED)
        except WaiterFailedError as exc:
            if exc.last is None and "gateway" not in result.reused:
                raise StaleRunIdError(
                    f"{vpn_id} was made by an earlier run with this run id and deleted "
                    "since: pass a new --run-id"
                ) from exc
            raise
    async with phase(result, "tunnel", progress):
        tunnels = (await client.get_vpn_conn(vpn_id)).vpn_conns
        if any(t.vpn_conn_name == site.tunnel_name for t in tunnels):
            result.reused.add("tunnel")
        else:
            i = site.index
            await client.create_vpn_conn(
                vpn_id,
                vpn_conn_name=site.tunnel_name,
                secret_key=psk,
                local_subnets=["192.168.0.0/20"],
                remote_ip=f"203.0.113.{i % 254 + 1}",
                remote_subnets=[f"10.{i // 256 % 256}.{i % 256}.0/24"],
                ike_config=IKE,
                ipsec_config=IPSEC,
                # The gateway id is in the token: a gateway made again after a cleanup
                # must not be answered with the tunnel of the one that was deleted.
                client_token=client_token(run_id, site.name, vpn_id, "tunnel"),
            )
    return result


async def cleanup_one(client: AsyncVpnClient, site: Site, vpn: Vpn, progress: Progress) -> Result:
    result = Result(site, vpn_id=vpn.vpn_id)
    async with phase(result, "tunnels", progress):
        # A gateway takes one change at a time: each delete makes it `configuring`.
        for tunnel in (await client.get_vpn_conn(vpn.vpn_id)).vpn_conns:
            await client.wait_until_status(vpn.vpn_id, SETTLED)
            await client.delete_vpn_conn(tunnel.vpn_conn_id)
    async with phase(result, "settle", progress):
        await client.wait_until_status(vpn.vpn_id, SETTLED)
    async with phase(result, "delete", progress):
        await client.delete_vpn(vpn.vpn_id)  # a bound EIP is unbound with it
    return result


async def run_bounded(
    sites: Sequence[Site],
    job: Callable[[Site], Awaitable[Result]],
    concurrency: int,
    progress: Progress,
) -> list[Result]:
    """``job`` for every site, at most ``concurrency`` at a time. A failure is recorded, not
    raised, so one bad gateway does not stop the other 49."""
    semaphore = asyncio.Semaphore(concurrency)

    async def guarded(site: Site) -> Result:
        async with semaphore:
            try:
                result = await job(site)
            except Exception as exc:
                result = Result(site, error=exc)
            progress.finish(result.error is None)
            return result

    ticker = asyncio.create_task(progress.tick())
    try:
        return await asyncio.gather(*(guarded(site) for site in sites))
    finally:
        ticker.cancel()
        await asyncio.wait([ticker])  # wait() does not raise the ticker's CancelledError
        progress.close()


async def provision(
    client: AsyncVpnClient,
    sites: Sequence[Site],
    *,
    run_id: str,
    name_prefix: str,
    concurrency: int,
    psk: str,
    progress: Progress,
) -> list[Result]:
    """Create, wait for and give a tunnel to every site's gateway, reusing what exists."""
    existing = await inventory(client, (s.vpc_id for s in sites), name_prefix, concurrency)

    def job(site: Site) -> Awaitable[Result]:
        found = existing.get((site.vpc_id, site.name))
        return provision_one(client, site, found, run_id=run_id, psk=psk, progress=progress)

    return await run_bounded(sites, job, concurrency, progress)


async def cleanup(
    client: AsyncVpnClient,
    vpc_ids: Iterable[str],
    *,
    name_prefix: str,
    concurrency: int,
    stream: TextIO = sys.stdout,
) -> list[Result]:
    """Delete the tunnels and gateways in these VPCs whose names start with the prefix."""
    found = await inventory(client, vpc_ids, name_prefix, concurrency)
    if not found:
        print(f"  no gateway named {name_prefix}* found", file=stream)
        return []
    progress = Progress(len(found), "cleanup  ", stream)
    sites = [Site(i, vpc_id, name) for i, (vpc_id, name) in enumerate(sorted(found))]

    def job(site: Site) -> Awaitable[Result]:
        return cleanup_one(client, site, found[site.vpc_id, site.name], progress)

    return await run_bounded(sites, job, concurrency, progress)


def summary(results: Sequence[Result], phases: Sequence[str], wall: float, out: TextIO) -> None:
    def row(name: str, values: list[float]) -> str:
        if not values:
            return f"  {name:<12}{0:>6}"
        return (
            f"  {name:<12}{len(values):>6}{min(values):>9.2f}{statistics.median(values):>9.2f}"
            f"{max(values):>9.2f}"
        )

    ok = [r for r in results if r.error is None]
    print(f"  {'phase':<12}{'count':>6}{'min s':>9}{'median s':>9}{'max s':>9}", file=out)
    for name in phases:
        print(row(name, [r.timings[name] for r in ok if name in r.timings]), file=out)
    print(row("per gateway", [sum(r.timings.values()) for r in ok]), file=out)
    reused = Counter(kind for r in ok for kind in r.reused)
    print(
        f"  wall time {wall:.1f} s: {len(ok)} succeeded, {len(results) - len(ok)} failed"
        + (f" (reused {reused['gateway']} gateways, {reused['tunnel']} tunnels)" if reused else ""),
        file=out,
    )
    errors = Counter(type(r.error).__name__ for r in results if r.error is not None)
    for kind, n in errors.most_common():
        first = next(r for r in results if type(r.error).__name__ == kind)
        # SDK errors never carry secrets, so their text is safe to print.
        print(f"  {kind} x{n}, e.g. {first.site.name}: {first.error}", file=out)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=50, help="gateways to provision")
    parser.add_argument("--concurrency", type=int, default=20, help="gateways in flight at once")
    parser.add_argument("--vpc-prefix", default="vpc-bulk", help="VPC ids are PREFIX-00, -01...")
    parser.add_argument("--vpc-ids", help="comma-separated VPC ids to use instead of --vpc-prefix")
    parser.add_argument("--per-vpc", type=int, default=3, help="gateways per VPC (service max 3)")
    parser.add_argument("--name-prefix", default="bulk", help="gateway names are PREFIX-000...")
    parser.add_argument(
        "--run-id",
        default="run1",
        help="part of every client token: re-run with the same one to resume, "
        "use a new one after --cleanup",
    )
    parser.add_argument("--cleanup", action="store_true", help="delete the gateways instead")
    parser.add_argument(
        "--build-seconds",
        type=float,
        default=2.0,
        help="embedded emulator only: how long a new gateway stays building",
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.concurrency < 1 or args.per_vpc < 1:
        parser.error("--count, --concurrency and --per-vpc must be at least 1")
    vpc_count = -(-args.count // args.per_vpc)
    if args.vpc_ids:
        args.vpcs = [v.strip() for v in args.vpc_ids.split(",") if v.strip()]
        if len(args.vpcs) < vpc_count:
            parser.error(f"--count {args.count} needs {vpc_count} VPCs at {args.per_vpc} each")
    else:
        args.vpcs = [f"{args.vpc_prefix}-{i:02d}" for i in range(vpc_count)]
    return args


async def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sites = plan(args.count, args.vpcs, args.name_prefix, args.per_vpc)
    name_prefix = f"{args.name_prefix}-"
    emulated = bool(missing_variables())
    results: list[Result] = []
    async with target(build_seconds=args.build_seconds) as client:
        if not args.cleanup or emulated:
            if args.cleanup:
                print("The embedded emulator starts empty: provisioning first.")
            # One key for every tunnel; get_vpn_conn returns it, so it can be looked up.
            psk = os.environ.get("BULK_TUNNEL_PSK") or f"Bk{secrets.token_hex(6)}_9"
            print(
                f"Provisioning {len(sites)} gateways in {len({s.vpc_id for s in sites})} VPCs, "
                f"{args.concurrency} at a time (run id {args.run_id!r})"
            )
            started = time.monotonic()
            provisioned = await provision(
                client,
                sites,
                run_id=args.run_id,
                name_prefix=name_prefix,
                concurrency=args.concurrency,
                psk=psk,
                progress=Progress(len(sites), "provision"),
            )
            summary(provisioned, PROVISION_PHASES, time.monotonic() - started, sys.stdout)
            results += provisioned
        if args.cleanup:
            print(f"Deleting the gateways named {name_prefix}* in {len(args.vpcs)} VPCs")
            started = time.monotonic()
            deleted = await cleanup(
                client, args.vpcs, name_prefix=name_prefix, concurrency=args.concurrency
            )
            if deleted:
                summary(deleted, CLEANUP_PHASES, time.monotonic() - started, sys.stdout)
            results += deleted
    failed = sum(r.error is not None for r in results)
    if failed:
        print(f"{failed} failed: run the same command again to retry them (nothing is made twice)")
        if any(isinstance(r.error, StaleRunIdError) for r in results):
            print(
                "(after a --cleanup, pass a new --run-id: the service remembers tokens for a day)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        print("\ninterrupted: run the same command again to resume", file=sys.stderr)
        sys.exit(130)
