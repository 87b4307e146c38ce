"""After a soak: compare the emulator's state with what the calls intended, and report.

Gateways, tunnels and users are counted by name (each unit's names are its own), so a
write applied twice shows up as a second resource of the same name. A unit whose writes
all succeeded must have left exactly what it intended; a unit that stopped at a failed
write may have left either outcome of that write, but never two of anything.
"""

from __future__ import annotations

import calendar
import time
from collections import Counter
from typing import Any

from attrs import define, field
from secrets_registry import SOAK_PSK_NEW
from soak_workload import Tally, Unit

from bce_vpn_async.testing import VpnEmulator

__all__ = ["StateCheck", "check_state", "render"]

Json = dict[str, Any]
_DAY = 86400


@define
class StateCheck:
    duplicates: list[str] = field(factory=list)
    orphans: list[str] = field(factory=list)
    mismatches: list[str] = field(factory=list)


def _epoch(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def check_state(emulator: VpnEmulator, units: list[Unit]) -> StateCheck:
    check = StateCheck()
    # The wire form: each user there names its gateway (vpnId), which SslVpnUser does not.
    wire = emulator.state.wire()
    gateways = list(wire["gateways"].values())
    users = list(wire["sslUsers"].values())
    owner = {name: unit for unit in units for name in (unit.name, unit.renamed)}
    for gateway in gateways:
        if gateway["vpnName"] not in owner:
            check.orphans.append(f"{gateway['vpnId']} named {gateway['vpnName']!r}")
    for unit in units:
        mine = [g for g in gateways if g["vpnName"] in (unit.name, unit.renamed)]
        if len(mine) > 1:
            check.duplicates.append(f"unit {unit.index}: {len(mine)} gateways")
        for gateway in mine:
            _count_children(check, unit, gateway, users)
        if unit.certain:
            check.mismatches.extend(
                f"unit {unit.index} ({unit.kind}): {problem}"
                for problem in _intended(unit, mine, users)
            )
    return check


def _count_children(check: StateCheck, unit: Unit, gateway: Json, users: list[Json]) -> None:
    tunnels = Counter(t["vpnConnName"] for t in gateway["vpnConns"])
    names = Counter(u["userName"] for u in users if u["vpnId"] == gateway["vpnId"])
    for kind, counts in (("tunnel", tunnels), ("user", names)):
        for name, count in counts.items():
            if count > 1:
                check.duplicates.append(f"unit {unit.index}: {count} {kind}s named {name!r}")


def _intended(unit: Unit, mine: list[Json], users: list[Json]) -> list[str]:
    torn_down = not unit.keep
    if torn_down:
        return [] if not mine else ["released, yet still there"]
    if len(mine) != 1:
        return [f"expected one gateway, found {len(mine)}"]
    [gateway] = mine
    problems = []

    def expect(what: str, seen: object, wanted: object) -> None:
        if seen != wanted:
            problems.append(f"{what} is {seen!r}, intended {wanted!r}")

    expect("vpnId", gateway["vpnId"], unit.vpn_id)
    if unit.kind == "ipsec":
        expect("name", gateway["vpnName"], unit.renamed)
        expect("description", gateway["description"], "renamed")
        expect("eip", gateway["eip"], unit.eip)
        expect("deleteProtect", gateway["deleteProtect"], True)
        expect("tunnels", [t["vpnConnName"] for t in gateway["vpnConns"]], ["t1u"])
        for tunnel in gateway["vpnConns"]:
            expect("tunnel description", tunnel["description"], "updated")
            if tunnel["secretKey"] != SOAK_PSK_NEW:  # the value itself is never shown
                problems.append("the tunnel's pre-shared key is not the updated one")
    elif unit.kind == "ssl":
        server = gateway["sslVpnServer"] or {}
        expect("SSL-VPN service name", server.get("sslVpnServerName"), "srv2")
        mine_users = {u["userName"]: u for u in users if u["vpnId"] == gateway["vpnId"]}
        expect("users", sorted(mine_users), ["user1", "user3", "user4"])
        expect(
            "user ids",
            sorted(u["userId"] for u in mine_users.values()),
            sorted(unit.users.values()),
        )
        expect("user1 description", mine_users.get("user1", {}).get("description"), "updated")
    else:
        expect("description", gateway["description"], "renewed")
        expect("eip", gateway["eip"], "")
        # One month at creation and two by renewal: a renewal applied twice would add two more.
        term = _epoch(gateway["expiredTime"]) - _epoch(gateway["createTime"])
        expect("prepaid term in days", term // _DAY, 90)
    return problems


def _percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "n/a"


def render(
    title: str,
    *,
    tally: Tally,
    check: StateCheck,
    emulator: VpnEmulator,
    units: list[Unit],
    concurrency: int,
    elapsed: dict[str, float],
) -> str:
    requests = list(emulator.requests)
    faults = Counter(entry.fault for entry in requests if entry.fault)
    faulted = sum(faults.values())
    kinds = Counter(f"{u.kind}-{'kept' if u.keep else 'torn-down'}" for u in units)
    typed = sum(tally.typed_failures.values())
    operations = ", ".join(
        f"{name} {counts['ok']}/{sum(counts.values())}"
        for name, counts in sorted(tally.by_operation.items())
    )
    lines = [
        f"== bce-vpn-async fault soak: {title} ==",
        f"units: {len(units)} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), "
        f"at most {concurrency} calls in flight",
        f"requests: {len(requests)}, faulted {faulted} ({_percent(faulted, len(requests))}): "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(faults.items())),
        f"logical writes: planned {tally.planned}, attempted {tally.attempted}, "
        f"succeeded {tally.succeeded}, typed failures {typed}, untyped errors "
        f"{len(tally.untyped)}, abandoned after a failure {tally.abandoned}",
        f"typed failures: {dict(tally.typed_failures) or 'none'}",
        f"units finished with every write applied: {sum(u.certain for u in units)} of {len(units)}",
        f"success rate: {_percent(tally.succeeded, tally.attempted)} of attempted writes "
        f"(target 99%: {'met' if tally.success_rate >= 0.99 else 'NOT met'}; 1 - 0.3^4 = "
        f"99.19% expected with 4 attempts at 30% independent faults)",
        f"HTTP attempts per write: {tally.write_attempts / max(tally.attempted, 1):.2f}",
        f"state: duplicates {len(check.duplicates)}, orphans {len(check.orphans)}, "
        f"mismatches {len(check.mismatches)}",
        f"reads: {tally.reads_ok} ok, {tally.reads_failed} failed; waits re-polled after "
        f"a failed poll: {tally.waits_retried}",
        f"writes by operation (ok/attempted): {operations}",
        "time: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in elapsed.items()),
    ]
    for label, entries in (
        ("untyped", tally.untyped),
        ("short of budget", tally.short_of_budget),
        ("duplicate", check.duplicates),
        ("orphan", check.orphans),
        ("mismatch", check.mismatches),
    ):
        lines.extend(f"  {label}: {entry}" for entry in entries[:20])
    return "\n".join(lines)
