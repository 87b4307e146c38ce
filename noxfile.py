"""Sessions for the SDK: tests, lint, typecheck, soak, bench and examples.

Each session runs on the interpreter that runs nox (``python=False`` would skip
the virtualenv; we want one, but on *this* interpreter), so a machine with only
one Python passes even with ``CI=true``, where nox treats a missing interpreter
as an error.
"""

from __future__ import annotations

import sys

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _install(session: nox.Session, *groups: str, package: bool = True) -> None:
    # Dependency groups (PEP 735) need pip 25.1; a new venv carries the interpreter's own pip.
    session.install("--quiet", "pip>=25.1")
    args = [arg for group in groups for arg in ("--group", group)]
    if package:
        args += ["-e", ".[emulator]"]
    session.install(*args)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite, warnings as errors (ResourceWarning included): once as is, and once
    in Python's development mode (asyncio's debug mode included), which catches what the
    default mode hides (duplicate headers refused by aiohttp, unclosed resources)."""
    _install(session, "test")
    command = ("python", "-W", "error::ResourceWarning", "-m", "pytest", *session.posargs)
    session.run(*command)
    session.run(*command, env={"PYTHONDEVMODE": "1"})


@nox.session(python=PYTHON)
def soak(session: nox.Session) -> None:
    """The soaks at full length: the fault soak's 1000 logical writes across every write
    operation under 30% faults, in-process and over uvicorn, with the reports printed (the
    normal test run makes about 150); and 3000 freshly random hostile requests at each way
    into the emulator (the normal test run sends the same 120 each time)."""
    _install(session, "test")
    session.run(
        "python",
        "-W",
        "error::ResourceWarning",
        "-m",
        "pytest",
        "tests/soak",
        "-m",
        "soak",
        "-s",
        *session.posargs,
        env={"BCE_VPN_SOAK_WRITES": "1000", "BCE_VPN_SOAK_EXAMPLES": "3000"},
    )


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmarks against the official SDK (tests/benchmarks/run.py): writes its report
    (BENCHMARKS.md, benchmarks_calls_per_second.png and benchmarks.json with the raw
    figures) under build/bench/. ``nox -s bench -- --record`` writes the tracked
    BENCHMARKS.md and plot at the repository root instead (the README's figures come from
    that recorded run); ``nox -s bench -- --quick`` is a short smoke run of every scenario.
    The served emulator gets httptools and uvloop, as uvicorn[standard] would, so the server
    on the shared two cores is as fast as uvicorn makes it; every client runs on the stock
    asyncio loop."""
    _install(session, "test")
    session.install("matplotlib", "httptools", "uvloop")
    session.run("python", "tests/benchmarks/run.py", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    _install(session, "lint", package=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package."""
    _install(session, "typecheck")
    session.run("mypy", "--strict", "bce_vpn_async")


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """The quickstart and bulk_provision (50 gateways) on the embedded emulator, as a user
    with no Baidu account runs them: the BCE_* variables are cleared for the session."""
    _install(session)
    env = dict.fromkeys(("BCE_ACCESS_KEY_ID", "BCE_SECRET_ACCESS_KEY", "BCE_ENDPOINT"), "")
    session.run("python", "examples/quickstart.py", env=env)
    session.run("python", "examples/bulk_provision.py", env=env)
