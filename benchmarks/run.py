"""The benchmark driver: ``python benchmarks/run.py`` (or ``nox -s bench``).

Serves the emulator in a process of its own on loopback, then runs every scenario with
its contenders alternating (their order rotates each round), each measurement in a
fresh process, for several rounds; writes medians to a report (markdown), a plot of calls
per second against concurrency and the raw figures (JSON). Nothing here asserts a time:
it measures and reports.

The report goes under ``build/bench/`` (untracked), so a run never rewrites a checkout's
tracked files; ``--record`` writes the tracked BENCHMARKS.md and its plot at the root
instead (the raw JSON stays under ``build/bench/``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bulk
import earlier
import outage
import raw_signer
import reads
import report
import throttled
from common import AK, BUILD, HERE, ROOT, SK, Server, run_worker, sdk_client

CONCURRENCY = (1, 10, 50, 200, 500, 1000, 5000)
SCENARIOS = (
    "overhead",
    "reads",
    "earlier",
    "bulk",
    "throttled",
    "outage",
    "coldstart",
    "memory",
)
# The last commit before the client moved onto httpx's public API only: the reference
# the "earlier" scenario compares this tree's client CPU per call with.
EARLIER = "ba333e01f95d0fe2efb69cdf02b78b98a028cb56"
COLD_CONTENDERS = ("sdk", "official", "transports")


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _rotated(items: tuple[str, ...], by: int) -> list[str]:
    by %= len(items)
    return [*items[by:], *items[:by]]


async def _one_gateway(endpoint: str) -> str:
    from bce_vpn_async import Billing

    async with sdk_client(endpoint) as client:
        created = await client.create_vpn(
            "vpc-reads", vpn_name="reads", billing=Billing(payment_timing="Postpaid")
        )
        return str(created.vpn_id)


def _calls(args: argparse.Namespace, contender: str, c: int) -> int:
    """N for one reads measurement: fewer where a contender is slow for a reason the table
    already shows (httpx's own pool at C >= 50, the to_thread executor's 6 threads), so
    the whole run stays within its time; from C = 1000 on, two calls per worker at least."""
    if c == 1:
        return int(args.n_c1)
    if c >= reads.HIGH_C:
        # At least two calls per worker, so the figure is not only the first wave.
        return max(int(args.n), 2 * c)
    if c >= 50 and contender in reads.SLOW_AT_HIGH_C:
        return int(args.n_slow)
    if c >= 10 and contender == "official-to_thread":
        return int(args.n_slow)
    return int(args.n)


def _reads(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    # Read here, from the SDK, so that the contender's process imports none of it.
    timeouts = ["--sdk-timeouts", json.dumps(reads.sdk_timeouts())]
    with Server(latency_ms=args.latency_ms) as server:
        vpn_id = asyncio.run(_one_gateway(server.endpoint))
        for round_ in range(args.rounds):
            for c in args.concurrency:
                contenders = reads.AT_HIGH_C if c >= reads.HIGH_C else reads.CONTENDERS
                for contender in _rotated(contenders, round_ + c):
                    n = _calls(args, contender, c)
                    result = run_worker(
                        *reads.worker_args(contender, server.endpoint, vpn_id, n, c, server.pid),
                        *(timeouts if contender == "aiohttp-raw-timeouts" else ()),
                    )
                    result["round"] = round_
                    results.append(result)
                    _log(
                        f"reads round {round_ + 1} C={c:<3} {contender:<19} "
                        f"{result['wall']:7.3f} s  {result['cpu'] / n * 1e6:6.0f} us/call  "
                        f"server {result['server_cpu'] / result['wall']:.2f} cores"
                    )
    return results


def _earlier(args: argparse.Namespace) -> dict[str, Any]:
    """This tree's client and an earlier commit's, side by side: see earlier.py."""
    with Server(latency_ms=args.latency_ms) as server:
        vpn_id = asyncio.run(_one_gateway(server.endpoint))
        return earlier.measure(
            args.against,
            server.endpoint,
            vpn_id,
            server.pid,
            args.earlier_rounds,
            _log,
            calls={50: 1000, 1000: 2000} if args.quick else None,
        )


def _bulk(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with Server(latency_ms=args.latency_ms, build_seconds=args.build_seconds) as server:
        for round_ in range(args.rounds):
            for contender in _rotated(bulk.CONTENDERS, round_):
                result = run_worker(
                    "bulk",
                    "--contender",
                    contender,
                    "--endpoint",
                    server.endpoint,
                    "--gateways",
                    str(args.gateways),
                    "-c",
                    "50",
                    "--build-seconds",
                    str(args.build_seconds),
                    "--latency-ms",
                    str(args.latency_ms),
                    "--official-poll",
                    str(args.official_poll),
                    "--prefix",
                    f"r{round_}-{contender}",
                    "--server-pid",
                    str(server.pid),
                )
                result["round"] = round_
                results.append(result)
                _log(
                    f"bulk round {round_ + 1} {contender:<17} {result['wall']:6.2f} s  "
                    f"{result['requests'] / result['gateways']:.2f} requests/gateway  "
                    f"late median {result['late_median']:.2f} s"
                )
    return results


def _throttled(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with Server(latency_ms=args.latency_ms, rate_limit=args.rate_limit) as server:
        for round_ in range(args.rounds):
            for contender in _rotated(throttled.CONTENDERS, round_):
                # The same start for every contender: the account's bucket full again
                # (it refills from empty in one second) after the one before emptied it.
                time.sleep(1.5)
                result = run_worker(
                    "throttled",
                    "--contender",
                    contender,
                    "--endpoint",
                    server.endpoint,
                    "-n",
                    str(args.throttled_calls),
                    "-c",
                    "200",
                    "--threads",
                    "50",
                    "--prefix",
                    f"r{round_}-{contender}",
                    "--server-pid",
                    str(server.pid),
                )
                result["round"] = round_
                result["rate_limit"] = args.rate_limit
                results.append(result)
                _log(
                    f"throttled round {round_ + 1} {contender:<17} {result['wall']:6.2f} s "
                    f"(ideal {result['n'] / args.rate_limit:.2f} s)  "
                    f"{result['failed']} failed  "
                    f"{result['throttled'] / max(1, result['requests']):.1%} of "
                    f"{result['requests']} requests throttled"
                )
    return results


def _outage(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with Server(latency_ms=args.latency_ms, error_status=503) as server:
        for round_ in range(args.rounds):
            for contender in _rotated(outage.CONTENDERS, round_):
                result = run_worker(
                    "outage",
                    "--contender",
                    contender,
                    "--endpoint",
                    server.endpoint,
                    "-n",
                    str(args.outage_calls),
                    "-c",
                    "100",
                    "--server-pid",
                    str(server.pid),
                )
                result["round"] = round_
                results.append(result)
                _log(
                    f"outage round {round_ + 1} {contender:<17} {result['wall']:6.2f} s  "
                    f"{result['requests'] / result['n']:.2f} requests/call  "
                    f"{result['typed']}/{result['failed']} failures typed"
                )
    return results


def _coldstart(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Fresh interpreters, the contenders alternating: see coldstart.py."""
    results = []
    # Bytecode cached, as a pip install leaves it: with PYTHONDONTWRITEBYTECODE set (as in
    # some shells and containers) an editable checkout would compile its sources in every
    # run while site-packages keeps the .pyc pip wrote. One untimed run of each contender
    # writes what is missing (and warms the page cache alike).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with Server(latency_ms=args.latency_ms) as server:
        vpn_id = asyncio.run(_one_gateway(server.endpoint))
        for run in range(-1, args.cold_runs):
            for contender in _rotated(COLD_CONTENDERS, run):
                command = [sys.executable, str(HERE / "coldstart.py"), contender]
                started = time.perf_counter()
                done = subprocess.run(
                    [*command, server.endpoint, vpn_id, AK, SK],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=True,
                    env=env,
                )
                if run < 0:
                    continue
                result = json.loads(done.stdout.strip().splitlines()[-1])
                result["process"] = time.perf_counter() - started
                result["contender"] = contender
                results.append(result)
        for contender in COLD_CONTENDERS:
            mine = [r for r in results if r["contender"] == contender]
            _log(
                f"cold start {contender:<9} import "
                f"{statistics.median(r['import'] for r in mine) * 1000:4.0f} ms, first result "
                f"{statistics.median(r['first_result'] for r in mine) * 1000:4.0f} ms, "
                f"whole process {statistics.median(r['process'] for r in mine) * 1000:4.0f} ms"
            )
    return results


def _memory(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with Server(latency_ms=args.memory_latency_ms) as server:
        vpn_id = asyncio.run(_one_gateway(server.endpoint))
        for round_ in range(args.rounds):
            result = run_worker(
                "memory",
                "--endpoint",
                server.endpoint,
                "--vpn-id",
                vpn_id,
                "-n",
                str(args.in_flight),
                "--server-pid",
                str(server.pid),
            )
            result["latency_ms"] = args.memory_latency_ms
            results.append(result)
            _log(
                f"memory round {round_ + 1}: {args.in_flight} in flight, "
                f"peak RSS {result['peak_rss_mb']:.0f} MB"
            )
    return results


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("-n", type=int, default=2000, help="calls per reads measurement")
    parser.add_argument("--n-c1", type=int, default=100, help="calls at concurrency 1")
    parser.add_argument(
        "--n-slow", type=int, default=500, help="calls for httpx's pool at C >= 50, to_thread"
    )
    parser.add_argument(
        "--concurrency", type=lambda text: tuple(int(c) for c in text.split(",")), default=None
    )
    parser.add_argument(
        "--against", default=EARLIER, help="the earlier commit of the side-by-side scenario"
    )
    parser.add_argument("--earlier-rounds", type=int, default=7)
    parser.add_argument("--gateways", type=int, default=200)
    parser.add_argument("--build-seconds", type=float, default=2.0)
    parser.add_argument("--official-poll", type=float, default=2.0)
    parser.add_argument("--throttled-calls", type=int, default=600)
    parser.add_argument("--rate-limit", type=float, default=100.0, help="throttled bulk's")
    parser.add_argument("--outage-calls", type=int, default=500)
    parser.add_argument("--cold-runs", type=int, default=10, help="fresh processes each")
    parser.add_argument("--in-flight", type=int, default=10_000)
    parser.add_argument("--memory-latency-ms", type=float, default=1000.0)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small and short")
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the tracked BENCHMARKS.md and plot at the repository root",
    )
    parser.add_argument("--output", type=Path, default=None, help="the markdown report")
    parser.add_argument("--plot", type=Path, default=None, help="the calls-per-second plot")
    parser.add_argument("--json", type=Path, default=None, help="the raw results")
    return parser


def _destinations(args: argparse.Namespace) -> None:
    """Where the report, plot and raw JSON go: build/bench/ unless recording."""
    home = ROOT if args.record else BUILD
    if args.output is None:
        args.output = home / "BENCHMARKS.md"
    if args.plot is None:
        args.plot = home / "benchmarks_calls_per_second.png"
    if args.json is None:
        args.json = BUILD / "benchmarks.json"
    for path in (args.output, args.plot, args.json):
        path.parent.mkdir(parents=True, exist_ok=True)


def main(argv: list[str]) -> None:
    args = _parser().parse_args(argv)
    if args.quick and args.record:
        raise SystemExit("--record keeps full runs only; a --quick run reports under build/bench/")
    _destinations(args)
    if args.quick:
        args.rounds, args.n, args.n_c1, args.gateways, args.in_flight = 1, 300, 50, 30, 1000
        args.n_slow, args.throttled_calls, args.outage_calls, args.cold_runs = 150, 300, 200, 3
        args.earlier_rounds = 1
    if args.concurrency is None:
        args.concurrency = (10, 50, 1000) if args.quick else CONCURRENCY
    scenarios = set(args.scenarios.split(","))
    # The baselines' own signer, against the official SDK's, before anything is measured.
    raw_signer.self_check()
    started = time.perf_counter()
    results: dict[str, Any] = {"settings": {k: str(v) for k, v in vars(args).items()}}
    if "overhead" in scenarios:
        _log("per-call overhead (no network)")
        results["overhead"] = run_worker("overhead", *(["--quick"] if args.quick else []))
    if "reads" in scenarios:
        results["reads"] = _reads(args)
    if "earlier" in scenarios:
        results["earlier"] = _earlier(args)
    if "bulk" in scenarios:
        results["bulk"] = _bulk(args)
    if "throttled" in scenarios:
        results["throttled"] = _throttled(args)
    if "outage" in scenarios:
        results["outage"] = _outage(args)
    if "coldstart" in scenarios:
        results["coldstart"] = _coldstart(args)
    if "memory" in scenarios:
        results["memory"] = _memory(args)
    results["elapsed"] = time.perf_counter() - started
    args.json.write_text(json.dumps(results, indent=1))
    report.write(results, args, args.output, args.plot)
    _log(f"done in {results['elapsed']:.0f} s: {args.output}, {args.plot} and {args.json}")


if __name__ == "__main__":
    main(sys.argv[1:])
