"""Sessions for the SDK: tests, tests_lowest, lint, typecheck, docs, types, soak, bench and
examples. ``nox`` runs the first checks (tests, lint, typecheck); CI (``.ci/run``) runs
those, then tests_lowest, docs and types.

Each session runs on the interpreter that runs nox (``python=False`` would skip
the virtualenv; we want one, but on *this* interpreter), so a machine with only
one Python passes even with ``CI=true``, where nox treats a missing interpreter
as an error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

# virtualenv (a dependency of nox) makes an environment in about a second, from wheels it
# keeps; the standard library's venv takes four and bootstraps the interpreter's own pip.
nox.options.default_venv_backend = "virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
# The default sessions run side by side, as many at a time as there are cores: lint and
# typecheck are done while the tests' environment installs, which keeps one core busy.
# Each session's output is printed whole when it ends; `nox -j 1` runs them in turn.
# (Sessions that do not allow it, such as tests_lowest, docs and types, run alone.)
nox.needs_version = ">=2026.10.20"
nox.options.parallel = "auto"

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
PYPROJECT = nox.project.load_toml(Path(__file__).with_name("pyproject.toml"))


def _install(session: nox.Session, *groups: str, package: bool = True) -> None:
    # nox reads the dependency groups (PEP 735), so any pip installs them, in one command.
    args = list(nox.project.dependency_groups(PYPROJECT, *groups))
    if package:
        args += ["-e", ".[emulator]"]
    session.install(*args)


# On every core, each test file in one worker (a file's module fixtures, such as the runs
# of test_runs_as_shown.py started together, are made once).
PARALLEL = ("-n", "auto", "--dist", "loadfile")
# The suite starts about a hundred Python processes (xdist's workers, the docs' blocks,
# pytester's runs, the served emulator): each loads what the first one compiled, pytest's
# rewritten test and plugin modules included, even where the environment asks Python to
# write no bytecode (then every pytest process rewrites hypothesis and the suite anew).
BYTECODE = {"PYTHONDONTWRITEBYTECODE": None}


@nox.session(python=PYTHON, allow_parallel=True)
def tests(session: nox.Session) -> None:
    """The test suite, warnings as errors (ResourceWarning included), on every core: once as
    is, and once in Python's development mode (asyncio's debug mode included), which catches
    what the default mode hides (duplicate headers refused by aiohttp, unclosed resources).
    The second pass skips the tests marked ``same_in_dev_mode``, each saying why."""
    _install(session, "test")
    command = ("python", "-W", "error::ResourceWarning", "-m", "pytest", *PARALLEL)
    session.run(*command, *session.posargs, env=BYTECODE)
    session.run(*command, *session.posargs, env={**BYTECODE, "PYTHONDEVMODE": "1"})


def _lowest_constraints(session: nox.Session) -> str:
    """A pip constraints file holding every dependency the package declares, its extras'
    included, at the lower bound pyproject.toml gives it (``>=X`` becomes ``==X``)."""
    from packaging.requirements import Requirement

    project = PYPROJECT["project"]
    declared = [
        *project["dependencies"],
        *(item for extra in project["optional-dependencies"].values() for item in extra),
    ]
    pins = set()
    for text in declared:
        requirement = Requirement(text)
        lowest = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if not lowest:
            session.error(f"pyproject.toml declares no lower bound for {text!r}")
        marker = f"; {requirement.marker}" if requirement.marker else ""
        pins.add(f"{requirement.name}=={lowest[0]}{marker}")
    # Beside the virtualenv: session.create_tmp() would also point TMPDIR into the checkout,
    # where pytester's runs would pick up the project's pytest configuration.
    path = Path(session.virtualenv.location) / "lowest-constraints.txt"
    path.write_text("\n".join(sorted(pins)) + "\n")
    session.log("lowest declared versions: " + ", ".join(sorted(pins)))
    return str(path)


@nox.session(python=PYTHON)
def tests_lowest(session: nox.Session) -> None:
    """The test suite once, on the lowest version of each runtime dependency (extras
    included) that pyproject.toml declares; the test tools themselves resolve as usual."""
    extras = ",".join(PYPROJECT["project"]["optional-dependencies"])
    test = nox.project.dependency_groups(PYPROJECT, "test")
    session.install("-c", _lowest_constraints(session), *test, "-e", f".[{extras}]")
    session.run(
        "python",
        "-W",
        "error::ResourceWarning",
        "-m",
        "pytest",
        *PARALLEL,
        *session.posargs,
        env=BYTECODE,
    )


@nox.session(python=PYTHON)
def soak(session: nox.Session) -> None:
    """The soaks at full length: the fault soak's 1000 logical writes across every write
    operation under 30% faults, in-process and over loopback, with the reports printed (the
    normal test run makes about 150); 3000 freshly random hostile requests at each way into
    the emulator (the normal test run sends the same 120 each time); and the emulator's
    memory over 30,000 requests after a warm-up of 12,000, with its default bounds (the
    normal run: 4,000 after 2,000, with small ones)."""
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
        env={
            "BCE_VPN_SOAK_WRITES": "1000",
            "BCE_VPN_SOAK_EXAMPLES": "3000",
            "BCE_VPN_SOAK_REQUESTS": "30000",
        },
    )


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmarks against the official SDK (benchmarks/run.py): writes its report
    (BENCHMARKS.md, benchmarks_calls_per_second.png and benchmarks.json with the raw
    figures) under build/bench/. ``nox -s bench -- --record`` writes the tracked
    BENCHMARKS.md and plot at the repository root instead (the README's figures come from
    that recorded run); ``nox -s bench -- --quick`` is a short smoke run of every scenario.
    The served emulator runs on uvloop (``serve`` takes it when it is installed, as the test
    group does), so the server on the shared two cores costs as little as it can; every
    client runs on the stock asyncio loop."""
    _install(session, "test")
    session.install("matplotlib")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python=PYTHON, allow_parallel=True)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    _install(session, "lint", package=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON, allow_parallel=True)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package."""
    # mypy reads the package from the checkout: it needs the package's dependencies, not an
    # install of the package (whose isolated build takes seconds).
    project = PYPROJECT["project"]
    session.install(
        *nox.project.dependency_groups(PYPROJECT, "typecheck"),
        *project["dependencies"],
        *project["optional-dependencies"]["emulator"],
    )
    session.run("mypy", "--strict", "bce_vpn_async")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs.yml, docs/), built with --strict into build/site: a
    broken link or anchor, a docstring the handler cannot parse, or a public name with no
    entry in the API reference fails it (docs/hooks.py). The code blocks of its pages run
    in the tests (tests/test_runs_as_shown.py)."""
    _install(session, "docs")
    # Material's banner about its successor is news, not a finding about these pages.
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", "build/site", *session.posargs, env=env
    )


@nox.session(python=PYTHON)
def types(session: nox.Session) -> None:
    """How complete the public types are for editors and type checkers: pyright
    --verifytypes over the package, failing below 100% (an unannotated or partly unknown
    public symbol)."""
    _install(session, "types")
    session.run("pyright", "--verifytypes", "bce_vpn_async", "--ignoreexternal")


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """The quickstart and bulk_provision (50 gateways) on the embedded emulator, as a user
    with no Baidu account runs them: the BCE_* variables are cleared for the session."""
    _install(session)
    env = dict.fromkeys(("BCE_ACCESS_KEY_ID", "BCE_SECRET_ACCESS_KEY", "BCE_ENDPOINT"), "")
    session.run("python", "examples/quickstart.py", env=env)
    session.run("python", "examples/bulk_provision.py", env=env)
