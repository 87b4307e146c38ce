"""What every benchmark process shares: the served emulator, CPU clocks, the two clients.

The emulator runs in a process of its own (``python -m bce_vpn_async.testing serve``) so
that the client's CPU and memory figures are the client's alone; its own CPU is read from
``/proc/<pid>/stat``, because on two cores a saturated server is the first thing that
bends a throughput figure.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# The account the served emulator accepts (``serve --access-key-id --secret-access-key``):
# the bench's own, so that a baseline's process needs nothing of this SDK to sign.
AK = "bench-access-key-id"
SK = "bench-secret-access-key"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Where an unrecorded run's report goes (build/ is not tracked).
BUILD = ROOT / "build" / "bench"
_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (utime + stime in /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may hold spaces; the fields after its closing parenthesis do not.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def machine_busy() -> float:
    """CPU seconds all processes spent busy, from the first line of /proc/stat."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    # user nice system idle iowait irq softirq steal: everything but idle and iowait.
    busy = sum(int(value) for index, value in enumerate(fields[:8]) if index not in (3, 4))
    return busy / _TICKS


def peak_rss_mb() -> float:
    """This process's peak resident set (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vm_hwm_mb() -> float:
    """VmHWM from /proc/self/status: the same peak, readable mid-run."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


class Server:
    """``serve`` in a child process; ``endpoint`` is ``http://127.0.0.1:PORT``."""

    def __init__(
        self,
        *,
        latency_ms: float,
        build_seconds: float = 0.0,
        rate_limit: float | None = None,
        error_status: int | None = None,
    ) -> None:
        # ``serve`` has no option for a fault rule; an outage is served by a launcher that
        # takes the same options and adds one (outage_server.py).
        launcher = (
            ["-m", "bce_vpn_async.testing", "serve"]
            if error_status is None
            else [str(HERE / "outage_server.py"), str(error_status)]
        )
        command = [
            sys.executable,
            *launcher,
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--access-key-id",
            AK,
            "--secret-access-key",
            SK,
            "--latency-ms",
            str(latency_ms),
            "--build-seconds",
            str(build_seconds),
            "--configure-seconds",
            "0",
            *([] if rate_limit is None else ["--rate-limit", str(rate_limit)]),
        ]
        self.latency_ms = latency_ms
        self.build_seconds = build_seconds
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if not first.startswith("endpoint: "):
            self.stop()
            raise RuntimeError(f"the emulator did not start: {first!r}")
        self.endpoint = first.removeprefix("endpoint: ").strip()

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        return process_cpu(self.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Meter:
    """Wall time, this process's CPU time and the server's CPU time over a block."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.wall = self.cpu = self.user = self.system = self.server_cpu = self.other = 0.0

    @contextmanager
    def measure(self) -> Iterator[Meter]:
        server0 = process_cpu(self.server_pid) if self.server_pid else 0.0
        busy0 = machine_busy()
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        cpu0 = time.process_time()
        wall0 = time.perf_counter()
        try:
            yield self
        finally:
            self.wall = time.perf_counter() - wall0
            self.cpu = time.process_time() - cpu0
            usage = resource.getrusage(resource.RUSAGE_SELF)
            self.user = usage.ru_utime - usage0.ru_utime
            self.system = usage.ru_stime - usage0.ru_stime
            if self.server_pid:
                self.server_cpu = process_cpu(self.server_pid) - server0
            # Whatever else ran meanwhile (another job on the machine) competes for the cores.
            self.other = max(0.0, machine_busy() - busy0 - self.cpu - self.server_cpu)


def sdk_client(endpoint: str, middleware: Sequence[Any] = (), **config: Any) -> Any:
    from bce_vpn_async import AsyncVpnClient, ClientConfig, Credentials

    return AsyncVpnClient(
        credentials=Credentials(AK, SK),
        endpoint=endpoint,
        config=ClientConfig(**config),
        middleware=middleware,
    )


def official_client(endpoint: str) -> Any:
    """The official SDK's client, as its guide configures it (its default retry policy)."""
    from baidubce.auth.bce_credentials import BceCredentials
    from baidubce.bce_client_configuration import BceClientConfiguration
    from baidubce.services.vpn.vpn_client import VpnClient

    config = BceClientConfiguration(credentials=BceCredentials(AK, SK), endpoint=endpoint)
    return VpnClient(config)


def run_worker(
    *args: str, timeout: float = 600, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run ``worker.py`` with ``args`` in a fresh process; its last stdout line is JSON.
    ``env`` is added to this process's environment for it."""
    command = [sys.executable, str(HERE / "worker.py"), *args]
    busy = machine_busy()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    # Busy CPU on the machine besides the worker (the server's share included, if any).
    result["beside_worker_cores"] = max(0.0, machine_busy() - busy - worker_cpu) / (
        time.perf_counter() - started
    )
    return result
