"""The report's sections for throttled bulk, the outage and cold start: summaries (medians
over rounds) and their tables."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from targets import table


def _by_contender(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        grouped[result["contender"]].append(result)
    return grouped


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def calls_summary(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Throttled bulk or outage: medians per contender; failures summed over rounds."""
    summary = {}
    for contender, runs in _by_contender(results).items():
        summary[contender] = {
            "n": runs[0]["n"],
            "c": runs[0]["c"],
            "rounds": len(runs),
            "wall": _median(runs, "wall"),
            "cpu": _median(runs, "cpu"),
            "server_cpu": _median(runs, "server_cpu"),
            "per_call": statistics.median(r["requests"] / r["n"] for r in runs),
            "throttled_share": statistics.median(
                r.get("throttled", 0) / max(1, r["requests"]) for r in runs
            ),
            "failed": sum(r["failed"] for r in runs),
            "typed": sum(r.get("typed", 0) for r in runs),
            "calls": sum(r["n"] for r in runs),
            "failures": sorted({name for r in runs for name in r["failures"]}),
        }
    return summary


def coldstart_summary(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    return {
        contender: {
            "runs": len(runs),
            "import": _median(runs, "import"),
            "first_result": _median(runs, "first_result"),
            "process": _median(runs, "process"),
        }
        for contender, runs in _by_contender(results).items()
    }


def throttled_section(
    summary: dict[str, dict[str, Any]], order: tuple[str, ...], labels: dict[str, str], rate: float
) -> list[str]:
    any_row = next(iter(summary.values()))
    n = any_row["n"]
    ideal = n / rate
    lines = [
        "",
        "## Throttled bulk",
        "",
        f"{n} `create_vpn` calls (each a new gateway) against `serve --rate-limit {rate:g}` "
        f"(a token bucket per account, a burst of one second); the ideal wall time is "
        f"{n} / {rate:g} = {ideal:.2f} s. This SDK keeps 200 calls in flight (a pool of 200); "
        "the official SDK runs in 50 threads with its default retry policy. A failed call is "
        "one that raised; requests are every attempt sent, counted on the client, and a "
        "throttled request is one answered 429. Each contender starts with the bucket full "
        "(the runner waits 1.5 s between them); the last row's client starts just after "
        "another client of the account (C requests at once, not counted) has emptied it.",
        "",
    ]
    rows = []
    for contender in order:
        s = summary.get(contender)
        if s is None:
            continue
        failures = f" ({', '.join(s['failures'])})" if s["failures"] else ""
        rows.append(
            [
                labels[contender],
                f"{s['c']}",
                f"{s['wall']:.2f}",
                f"{s['wall'] / ideal:.2f}x",
                f"{s['failed']} of {s['calls']}{failures}",
                f"{s['per_call']:.2f}",
                f"{s['throttled_share']:.1%}",
                f"{s['cpu']:.2f}",
            ]
        )
    return lines + table(
        [
            "contender",
            "in flight",
            "wall s",
            "wall / ideal",
            "failed calls (all rounds)",
            "requests per call",
            "requests throttled",
            "client CPU s",
        ],
        rows,
    )


def outage_section(
    summary: dict[str, dict[str, Any]], order: tuple[str, ...], labels: dict[str, str]
) -> list[str]:
    any_row = next(iter(summary.values()))
    lines = [
        "",
        "## Outage",
        "",
        f"{any_row['n']} `get_vpn` calls at concurrency {any_row['c']} (coroutines for this "
        "SDK, threads for the official SDK) while the emulator answers every request 503: "
        "requests each call sent (every attempt, counted on the client), and whether every "
        "failure was the SDK's own error type (`BceError` for this SDK; the official SDK's "
        "`baidubce.exception.BceError`).",
        "",
    ]
    rows = []
    for contender in order:
        s = summary.get(contender)
        if s is None:
            continue
        rows.append(
            [
                labels[contender],
                f"{s['per_call']:.2f}",
                f"{s['typed']} of {s['calls']} ({', '.join(s['failures'])})",
                f"{s['wall']:.2f}",
                f"{s['cpu']:.2f}",
            ]
        )
    return lines + table(
        ["contender", "requests per call", "typed failures", "wall s", "client CPU s"], rows
    )


def coldstart_section(summary: dict[str, dict[str, float]], labels: dict[str, str]) -> list[str]:
    runs = min(s["runs"] for s in summary.values())
    lines = [
        "",
        "## Cold start",
        "",
        f"A fresh interpreter per measurement ({runs:.0f} each, alternating; medians): the "
        "import of the client, and start to first result (import, build a client, one "
        "`get_vpn` over loopback through the 20 ms server), both from the script's first "
        "line; the whole process adds the interpreter's start-up and exit."
        + (
            " The last row is the floor of an SDK on aiohttp and httpx: importing the two, "
            "and one plain aiohttp GET of the same path (unsigned: the answer is a 401 or 403)."
            if "transports" in summary
            else ""
        ),
        "",
    ]
    rows = [
        [
            labels[contender],
            f"{s['import'] * 1000:.0f}",
            f"{s['first_result'] * 1000:.0f}",
            f"{s['process'] * 1000:.0f}",
        ]
        for contender, s in summary.items()
    ]
    return lines + table(
        ["contender", "import ms", "start to first result ms", "whole process ms"], rows
    )
