"""BENCHMARKS.md and the calls-per-second plot, from one run's raw results."""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import os
import platform
import statistics
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import bulk
import earlier
import outage
import reads
import sections
import throttled
from common import ROOT
from targets import evaluate, limits, overhead_section, table

PACKAGES = (
    "bce-vpn-async",
    "httpx",
    "httpx-aiohttp",
    "aiohttp",
    "attrs",
    "cattrs",
    "bce-python-sdk",
    "httptools",
    "uvloop",
)
LABELS = {
    "sdk": "bce-vpn-async (aiohttp transport, default)",
    "sdk-uvloop": "bce-vpn-async on uvloop",
    "sdk-httpx": 'bce-vpn-async (transport="httpx")',
    "official-threads": "official SDK, ThreadPoolExecutor(C)",
    "official-to_thread": "official SDK, asyncio.to_thread",
    "httpx-raw": "raw httpx, native pool",
    "httpx-aiohttp-raw": "raw httpx over httpx_aiohttp",
    "sdk-poll-2.5": "bce-vpn-async, wait_until_status(poll_interval=2.5)",
    "sdk-fixed-poll": "bce-vpn-async, the script's fixed-interval loop",
    "sdk-50-tasks": "bce-vpn-async, 50 gateways at a time (50 in progress, as 50 threads)",
    "aiohttp-raw": "raw aiohttp.ClientSession",
    "aiohttp-raw-timeouts": "raw aiohttp.ClientSession, the SDK's timeouts",
    "asyncio-floor": "raw asyncio streams (the floor)",
    "sdk-no-rate-limit": "bce-vpn-async, ClientConfig(rate_limit=None)",
    "sdk-drained": "bce-vpn-async (default), the bucket emptied by another client first",
    "sdk-no-budget": "bce-vpn-async, RetryPolicy(budget=None)",
    "official": "official SDK (baidubce)",
    "transports": "aiohttp + httpx alone (imported; one unsigned aiohttp GET)",
}


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _machine() -> list[str]:
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"- Date: {now}; commit `{commit or 'unknown'}`",
        f"- Machine: {os.cpu_count()} CPUs ({model}), {memory} memory, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- Packages: {', '.join(versions)}",
    ]


def _other_load(results: dict[str, Any]) -> str:
    """How busy other processes kept the cores while this run measured."""
    measured = [*results.get("earlier", {}).get("runs", [])]
    for key in ("reads", "bulk", "throttled", "outage", "memory"):
        measured += results.get(key, [])
    loads = [r.get("other_cpu", 0.0) / r["wall"] for r in measured if r.get("wall")]
    overhead = results.get("overhead", {}).get("beside_worker_cores")
    parts = []
    if loads:
        parts.append(
            f"Other processes used at most {max(loads):.2f} cores (median "
            f"{_median(loads):.2f}) during the measured blocks"
        )
    if overhead is not None:
        parts.append(f"{overhead:.2f} cores during the microbenchmarks")
    return "; ".join(parts) + "." if parts else ""


def _server_stack() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"the emulator's own HTTP server (httptools) on {loop}"


def _reads_summary(results: list[dict[str, Any]]) -> dict[tuple[int, str], dict[str, float]]:
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        grouped[result["c"], result["contender"]].append(result)
    summary = {}
    for key, runs in grouped.items():
        n = runs[0]["n"]
        wall = _median([r["wall"] for r in runs])
        middle = sorted(runs, key=lambda r: r["cpu"])[(len(runs) - 1) // 2]
        summary[key] = {
            "n": n,
            "rounds": len(runs),
            "wall": wall,
            "calls_per_s": n / wall,
            "cpu_us": middle["cpu"] / n * 1e6,
            # The user/system split of that same run, so the two add up to its total.
            "user_us": middle["user"] / n * 1e6,
            "system_us": middle["system"] / n * 1e6,
            "server_us": _median([r["server_cpu"] / n * 1e6 for r in runs]),
            "server_load": _median([r["server_cpu"] / r["wall"] for r in runs]),
            "client_load": _median([r["cpu"] / r["wall"] for r in runs]),
            "retries": sum(r.get("retries", 0) for r in runs),
            "rss": _median([r["peak_rss_mb"] for r in runs]),
        }
    return summary


def _bulk_summary(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        grouped[result["contender"]].append(result)
    return {
        contender: {
            "wall": _median([r["wall"] for r in runs]),
            "requests": _median([r["requests"] / r["gateways"] for r in runs]),
            "late_median": _median([r["late_median"] for r in runs]),
            "late_p90": _median([r["late_p90"] for r in runs]),
            "late_p95": _median([r["late_p95"] for r in runs]),
            "late_max": _median([r["late_max"] for r in runs]),
            "cpu": _median([r["cpu"] for r in runs]),
            "server_cpu": _median([r["server_cpu"] for r in runs]),
            "rounds": len(runs),
        }
        for contender, runs in grouped.items()
    }


def _baselines_section(
    summary: dict[tuple[int, str], dict[str, float]], signer: dict[str, float] | None
) -> list[str]:
    """How the baselines sign, and bce-vpn-async's client CPU per call against each."""
    cost = (
        f" (a signature costs it {signer['raw_same_second']:.1f} µs in the same second, "
        f"{signer['raw_new_second']:.1f} µs in a new one; this SDK's signer "
        f"{signer['sdk_same_second']:.1f} µs: see the per-call overhead)"
        if signer and "raw_same_second" in signer
        else ""
    )
    lines = [
        "",
        "### The baselines, and this SDK against them",
        "",
        "The baselines (raw httpx, raw httpx over httpx_aiohttp, raw aiohttp, the asyncio "
        "floor) contain no code of this SDK: their process imports none of it (the worker "
        "checks), and each signs every request with the benchmark's own minimal bce-auth-v1 "
        "signer, `benchmarks/raw_signer.py`" + cost + ". It derives the signing key once a "
        "second (the key depends only on the timestamp's second), and on every call builds "
        "the canonical request (method, encoded path, sorted query, the default signed "
        "headers: Host, Content-Type, Content-Length and x-bce-date) and HMACs it; encoded "
        "header names and values are remembered. Before it measures anything, the run checks "
        "that signer's Authorization against the official SDK's signer on the same requests. "
        "The baselines send the GET this SDK sends for `get_vpn`, with the same signed "
        "headers and their own User-Agent. bce-vpn-async's client CPU per call, and its "
        "ratio to each baseline's at the same C (the median-CPU run of each):",
        "",
    ]
    baselines = ("aiohttp-raw", "aiohttp-raw-timeouts", "httpx-aiohttp-raw", "asyncio-floor")
    rows = []
    for c in sorted({c for c, _ in summary}):
        sdk = summary.get((c, "sdk"))
        if sdk is None:
            continue
        row = [f"{c}", f"{sdk['cpu_us']:.0f}"]
        for baseline in baselines:
            other = summary.get((c, baseline))
            row.append(
                f"{other['cpu_us']:.0f} ({sdk['cpu_us'] / other['cpu_us']:.2f}x)"
                if other
                else "n/a"
            )
        rows.append(row)
    return lines + table(
        [
            "C",
            "bce-vpn-async µs/call",
            "raw aiohttp µs (SDK / it)",
            "raw aiohttp, the SDK's timeouts, µs",
            "raw httpx over httpx_aiohttp µs",
            "asyncio floor µs",
        ],
        rows,
    )


def _reads_section(summary: dict[tuple[int, str], dict[str, float]], latency: float) -> list[str]:
    lines: list[str] = []
    for c in sorted({c for c, _ in summary}):
        lines += ["", f"**C = {c}**", ""]
        rows = []
        aiohttp, lean = summary.get((c, "aiohttp-raw")), summary.get((c, "asyncio-floor"))
        for contender in reads.CONTENDERS:
            s = summary.get((c, contender))
            if s is None:
                continue
            floor = s["n"] / c * latency
            vs_aiohttp = f"{s['cpu_us'] / aiohttp['cpu_us']:.2f}x" if aiohttp else "n/a"
            vs_floor = f"{s['cpu_us'] / lean['cpu_us']:.2f}x" if lean else "n/a"
            server = f"{s['server_load']:.2f} ({s['server_us']:.0f} µs/call)"
            if s["server_load"] >= 0.9:
                server += " **saturated**"
            client = f"{s['client_load']:.2f}"
            if s["client_load"] >= 0.9:
                client += " **saturated**"
            rows.append(
                [
                    LABELS[contender] + (f" ({s['retries']:.0f} retries)" if s["retries"] else ""),
                    f"{s['n']:.0f}",
                    f"{s['wall']:.3f}",
                    f"{floor:.3f}",
                    f"{s['wall'] / floor:.2f}x",
                    f"{s['calls_per_s']:.0f}",
                    f"{s['cpu_us']:.0f} ({s['user_us']:.0f} + {s['system_us']:.0f})",
                    vs_aiohttp,
                    vs_floor,
                    client,
                    server,
                    f"{s['rss']:.0f}",
                ]
            )
        lines += table(
            [
                "contender",
                "N",
                "wall s",
                "floor s",
                "wall / floor",
                "calls/s",
                "client CPU µs/call (user + sys)",
                "CPU/call vs raw aiohttp",
                "vs asyncio floor",
                "client cores",
                "server cores",
                "peak RSS MB",
            ],
            rows,
        )
    return lines


def _plot(summary: dict[tuple[int, str], dict[str, float]], latency: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    figure, axes = plt.subplots(figsize=(9, 5.5), dpi=110)
    levels = sorted({c for c, _ in summary})
    for contender in reads.CONTENDERS:
        points = [
            (c, summary[c, contender]["calls_per_s"]) for c in levels if (c, contender) in summary
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker="o", label=LABELS[contender])
    axes.plot(
        levels,
        [c / latency for c in levels],
        "k:",
        label=f"latency bound C / {latency * 1000:g} ms",
    )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(levels, [str(c) for c in levels])
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_major_formatter(ScalarFormatter())
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("concurrency C (calls in flight)")
    axes.set_ylabel("get_vpn calls per second (median)")
    axes.set_title("get_vpn against the served emulator on loopback, 2 cores")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _earlier_section(measured: dict[str, Any]) -> list[str]:
    summary = earlier.summary(measured)
    this = measured["this_sha"][:7] + (
        " with uncommitted changes" if measured["this_dirty"] else ""
    )
    lines = [
        "",
        "## Against an earlier commit",
        "",
        f"This tree's client ({this}) and commit {measured['sha'][:7]}'s (`--against "
        f"{measured['ref']}`), side by side in this run: `get_vpn` of one gateway on the "
        "same served emulator, each measurement in a fresh process, the two clients one "
        "after the other in every round with their order rotating "
        "(`benchmarks/earlier.py`). Client CPU is `resource.getrusage` over the measured "
        "calls; the ratio is this tree's over the earlier one's, the median of the "
        "per-round ratios, with the lowest and highest.",
        "",
    ]
    rows = [
        [
            f"{c}",
            f"{row['this']:.0f}",
            f"{row['earlier']:.0f}",
            f"{row['ratio']:.3f} ({row['ratio_low']:.2f}-{row['ratio_high']:.2f})",
            f"{row['rounds']:.0f}",
        ]
        for c, row in summary.items()
    ]
    lines += table(["C", "this tree, us/call", "earlier, us/call", "ratio (range)", "rounds"], rows)
    counted = measured.get("instructions") or {}
    if len(counted) == 2:
        lines += [
            "",
            "User-space instructions per call at C = 50, counted under callgrind (a 1200-call "
            "run less a 200-call run, over 1000): "
            f"this tree {counted['this']:,}, the earlier commit {counted['earlier']:,} "
            f"({counted['this'] / counted['earlier']:.3f}x).",
        ]
    return lines


def write(results: dict[str, Any], args: argparse.Namespace, output: Path, plot: Path) -> None:
    latency = args.latency_ms / 1000
    lines = [
        "# Benchmarks",
        "",
        "Written by `nox -s bench` (`benchmarks/run.py`); "
        "every figure below comes from the run described here.",
        "",
    ]
    lines += _machine()
    lines += [
        f"- Server: the emulator (`python -m bce_vpn_async.testing serve`) in its own process "
        f"on 127.0.0.1, {_server_stack()}, {args.latency_ms:g} ms added latency, no faults "
        "and no rate limit except in the throttled bulk (`--rate-limit`) and the outage "
        "(every request answered 503). It shares the 2 cores with the client.",
        f"- Each figure is the median of {args.rounds} round(s); contenders alternate within a "
        "round and their order rotates between rounds; every measurement runs in a fresh "
        "process, after a warm-up of C calls (so pooled clients have their connections).",
        f"- Whole run: {results.get('elapsed', 0):.0f} s. {_other_load(results)}",
    ]
    reads_summary = _reads_summary(results.get("reads", []))
    bulk_summary = _bulk_summary(results.get("bulk", []))
    throttled_summary = sections.calls_summary(results.get("throttled", []))
    outage_summary = sections.calls_summary(results.get("outage", []))
    cold_summary = sections.coldstart_summary(results.get("coldstart", []))
    lines += ["", "## Targets", ""]
    lines += evaluate(
        results,
        reads_summary,
        bulk_summary,
        latency,
        throttled=throttled_summary,
        outage=outage_summary,
        cold=cold_summary,
        rate_limit=args.rate_limit,
    )
    if reads_summary:
        lines += [
            "",
            "## Concurrent reads",
            "",
            f"N `get_vpn` calls of one gateway at concurrency C; N = {args.n}, except "
            f"N = {args.n_c1} at C = 1, and N = {args.n_slow} for httpx's own pool at "
            "C >= 50 and for `asyncio.to_thread` at C >= 10 (both are slow for reasons the "
            "table shows, and the whole run has to stay short); the floor is N / C x latency "
            "for each row. Pooled clients get "
            "max(100, C) connections; `asyncio.to_thread` runs on the loop's default executor "
            f"({min(32, (os.cpu_count() or 1) + 4)} threads here), as a user gets it. Client CPU "
            "is `resource.getrusage` of the client process over the measured calls; server "
            "cores are its utime + stime from `/proc/<pid>/stat` over the same span, divided "
            "by the wall time (1.00 = one core busy). The raw contenders (the baselines, below) "
            "send the same GET and decode the JSON: through httpx's `AsyncClient.send`, through "
            "`aiohttp.ClientSession.get`, and on asyncio streams (the floor: one keep-alive "
            "HTTP/1.1 connection per worker, the answer read by its Content-Length). Raw "
            "aiohttp runs twice: with one total timeout of 30 s (the ratio column's "
            "reference, as the issue measured it), and with the timeouts the SDK enforces on "
            "every call by default (30 s for the pool wait and connect, the socket connect and "
            "each socket read; 60 s in all), which arm a loop timer or two per request; the "
            "ratio columns divide a row's client CPU per call by raw aiohttp's and by the "
            "floor's at the same C. From C = 1000 on, N is at least 2 x C and only the "
            "contenders near the latency bound run, with the official SDK in threads. Client "
            "CPU is the run with the median CPU time, split into user and system time.",
        ]
        lines += _baselines_section(reads_summary, results.get("overhead", {}).get("signer"))
        lines += _reads_section(reads_summary, latency)
        lines += ["", *limits(reads_summary)]
        lines += ["", f"![calls per second]({plot.name})"]
        _plot(reads_summary, latency, plot)
    if "earlier" in results:
        lines += _earlier_section(results["earlier"])
    if bulk_summary:
        lines += ["", "## Bulk provisioning", ""]
        poll = f"{args.official_poll:g} s"
        lines += [
            f"{args.gateways} gateways (3 per VPC) created, waited to `unconfigured` (the "
            f"emulator builds for {args.build_seconds:g} s) and given a tunnel, with at most "
            "50 requests in flight on each side:",
            "",
            "- bce-vpn-async: every gateway's task starts at once on one client whose pool "
            "holds 50 connections; it waits with `wait_until_status` and its default settings. "
            "The same requests in flight (50) as the official SDK, but not the same work in "
            f"progress: {args.gateways} gateways at once against the official SDK's 50, which "
            "is what async buys, not a like-for-like race (the first three rows).",
            "- poll_interval=2.5: the same, but its first re-poll falls 2.5-2.56 s after the "
            "first poll.",
            "- the script's loop: the same client and tasks, waiting with the official "
            f"script's loop below (`get_vpn`, then sleep {poll}).",
            "- 50 gateways at a time: `wait_until_status` again, but a semaphore lets only 50 "
            "gateways be in progress, the shape threads are forced into: the same requests "
            "in flight and the same work in progress as the official SDK's 50 threads (the "
            "like-for-like row).",
            f"- official SDK: 50 threads, one gateway per thread at a time, waiting with the "
            f"loop a script would write: `get_vpn`, then `time.sleep({args.official_poll:g})`, "
            "until `unconfigured`.",
            "",
            "Requests are counted on the client (every attempt). Lateness is how long after "
            "its gateway turned `unconfigured` (its create answer, less the added latency, plus "
            "the build time) a "
            "waiter returned.",
            "",
        ]
        rows = []
        for contender in bulk.CONTENDERS:
            s = bulk_summary.get(contender)
            if s is not None:
                rows.append(
                    [
                        LABELS[contender],
                        f"{s['wall']:.2f}",
                        f"{s['requests']:.2f}",
                        f"{s['late_median']:.2f} / {s['late_p90']:.2f} / {s['late_max']:.2f}",
                        f"{s['cpu']:.2f}",
                        f"{s['server_cpu']:.2f}",
                    ]
                )
        lines += table(
            [
                "contender",
                "wall s",
                "requests per gateway",
                "waiter lateness s (median / p90 / max)",
                "client CPU s",
                "server CPU s",
            ],
            rows,
        )
    if throttled_summary:
        lines += sections.throttled_section(
            throttled_summary, throttled.CONTENDERS, LABELS, args.rate_limit
        )
    if outage_summary:
        lines += sections.outage_section(outage_summary, outage.CONTENDERS, LABELS)
    if cold_summary:
        lines += sections.coldstart_section(cold_summary, LABELS)
    if "overhead" in results:
        lines += ["", "## Per-call overhead (no network)", ""]
        lines += overhead_section(results["overhead"])
    if results.get("memory"):
        runs = results["memory"]
        m = runs[0]
        lines += [
            "",
            "## Memory",
            "",
            f"{m['n']} `get_vpn` calls started at once on one client (pool of {m['n']} "
            f"connections) against the emulator answering after {m['latency_ms']:g} ms; "
            f"in every round all {min(r['most_in_flight'] for r in runs)} were in flight "
            "together. One row per round.",
            "",
        ]
        lines += table(
            [
                "RSS before MB",
                "peak RSS (VmHWM) MB",
                "per call in flight KB",
                "wall s",
                "client CPU s",
                "server CPU s",
            ],
            [
                [
                    f"{r['rss_before_mb']:.0f}",
                    f"{r['peak_rss_mb']:.0f}",
                    f"{(r['peak_rss_mb'] - r['rss_before_mb']) * 1024 / r['n']:.1f}",
                    f"{r['wall']:.1f}",
                    f"{r['cpu']:.1f}",
                    f"{r['server_cpu']:.1f}",
                ]
                for r in runs
            ],
        )
    output.write_text("\n".join(lines) + "\n")
