"""``python -m bce_vpn_async.testing serve``: the emulator over loopback, on its own server.

::

    python -m bce_vpn_async.testing serve --port 8080 \\
        --access-key-id AK --secret-access-key SK --build-seconds 0.5 \\
        [--latency-ms 20] [--fault-rate 0.1 --seed 1] [--rate-limit 100] \\
        [--request-log-size 10000] [--control]

The first line printed is ``endpoint: http://HOST:PORT`` (``--port 0`` picks a free port,
and the line tells which); then the credentials it accepts and the settings; then the
``export BCE_ENDPOINT=... BCE_ACCESS_KEY_ID=... BCE_SECRET_ACCESS_KEY=...`` lines a reader
pastes into the shell that runs the client, shell-quoted. A secret given on the command
line is never printed back (it is "the one you passed", and its export line a comment);
the built-in test account's is. The server is ``_http`` (httptools, the ``[emulator]``
extra), on uvloop when it is installed.

Failures end with one line on stderr and no traceback: a bad option (status 2), a port
that is taken or an address that cannot be bound (status 1). SIGTERM or Ctrl-C stops the
server at once, whatever faults hold (held answers are cancelled, connections closed),
with one line on stderr and status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import math
import shlex
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from bce_vpn_async._credentials import (
    ACCESS_KEY_ID_VAR,
    SECRET_ACCESS_KEY_VAR,
    SESSION_TOKEN_VAR,
    Credentials,
)

from ._emulator import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, VpnEmulator
from ._log import REQUEST_LOG_SIZE
from ._server import BACKLOG, emulator_server, endpoint_of, listening_socket

if TYPE_CHECKING:
    from ._http import HttpServer

__all__ = ["PROG", "configured_emulator", "export_lines", "main", "parser", "serve_emulator"]

PROG = "python -m bce_vpn_async.testing"
# The variable the client reads its endpoint from, beside the credentials' own.
ENDPOINT_VAR = "BCE_ENDPOINT"


class _OneLineParser(argparse.ArgumentParser):
    """argparse, with its usage block replaced by a pointer to --help: one line per error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


CONTROL_HELP = """\
control plane (with --control; unsigned, under the reserved prefix /_emulator/):
  GET    /_emulator/state     the whole state as JSON: gateways, tunnels, sslServers,
                              sslUsers, each keyed by id (no passwords or keys)
  POST   /_emulator/reset     forget every resource, clientToken, fault and logged request
  POST   /_emulator/faults    add a fault rule: a JSON object with faults.add's fields,
                              e.g. {"kind": "error", "op": "delete_vpn", "status": 409,
                              "code": "OperationDenied"}; 400 names a bad field
  GET    /_emulator/faults    the rules, with how often each has fired
  DELETE /_emulator/faults    remove every rule
  GET    /_emulator/requests  the request log (secrets redacted)
Without --control, /_emulator/ paths are answered as any unknown, unsigned API path.
The limits and what the control plane refuses: docs/guides/emulator-server.md.
"""


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 0:  # NaN included
        raise argparse.ArgumentTypeError(f"must be a number >= 0, not {text!r}")
    return value


def _fail(message: str) -> NoReturn:
    raise SystemExit(f"{PROG} serve: error: {message}")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, not {text!r}")
    return value


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a number of requests per second") from None
    if not (math.isfinite(rate) and rate > 0):
        raise argparse.ArgumentTypeError("a number of requests per second, > 0")
    return rate


def parser() -> argparse.ArgumentParser:
    """The command line's parser: ``serve`` and its options."""
    parser = _OneLineParser(prog=PROG)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the emulator over HTTP",
        description="Serve the emulator over HTTP on loopback (or --host).",
        epilog=CONTROL_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--access-key-id", default=None)
    serve.add_argument("--secret-access-key", default=None)
    serve.add_argument("--session-token", default=None, help="require this STS token")
    serve.add_argument("--build-seconds", type=_non_negative, default=0.5)
    serve.add_argument("--configure-seconds", type=_non_negative, default=0.1)
    serve.add_argument("--latency-ms", type=_non_negative, default=0.0)
    serve.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of requests meeting a 'mix' fault"
    )
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument(
        "--rate-limit",
        type=_rate,
        default=None,
        help="requests per second per account; past it, 429 with Retry-After",
    )
    serve.add_argument(
        "--relaxed",
        action="store_true",
        help="take any positive lifetime, outside the reference's 60/180-86400 s",
    )
    serve.add_argument(
        "--request-log-size",
        type=_count,
        default=REQUEST_LOG_SIZE,
        help=f"how many requests the log keeps, oldest out first (default {REQUEST_LOG_SIZE})",
    )
    serve.add_argument(
        "--control", action="store_true", help="serve the /_emulator/ control plane (below)"
    )
    serve.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )
    return parser


def configured_emulator(args: argparse.Namespace) -> tuple[VpnEmulator, list[str]]:
    """The emulator ``serve``'s options describe, and the lines that tell what it accepts
    (no secret given on the command line among them)."""
    if (args.access_key_id is None) != (args.secret_access_key is None):
        _fail("give both --access-key-id and --secret-access-key, or neither")
    if args.access_key_id is None:
        credentials = Credentials(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, args.session_token)
        lines = [
            f"access key id: {TEST_ACCESS_KEY_ID}",
            f"secret access key: {TEST_SECRET_ACCESS_KEY} (the emulator's test account)",
        ]
    else:
        credentials = Credentials(args.access_key_id, args.secret_access_key, args.session_token)
        lines = [
            f"access key id: {args.access_key_id}",
            "secret access key: the one you passed with --secret-access-key",
        ]
    if args.session_token is not None:
        lines.append("session token: the one you passed with --session-token")
    emulator = VpnEmulator(
        build_seconds=args.build_seconds,
        configure_seconds=args.configure_seconds,
        seed=args.seed,
        accounts={credentials.access_key_id: credentials},
        strict_validation=not args.relaxed,
        latency=args.latency_ms / 1000.0,
        rate_limit=args.rate_limit,
        request_log_size=args.request_log_size,
    )
    if args.rate_limit is not None:
        lines.append(f"rate limit: {args.rate_limit:g} requests per second per account")
    if args.fault_rate > 0:
        emulator.faults.add("mix", rate=args.fault_rate)
        lines.append(f"faults: {args.fault_rate:g} of requests (seed {args.seed})")
    return emulator, lines


def export_lines(endpoint: str, args: argparse.Namespace) -> list[str]:
    """The shell lines that give a client this server's endpoint and credentials, as the
    client reads them from the environment. A secret given on the command line stays out:
    its line is a comment naming the option."""
    access_key_id = TEST_ACCESS_KEY_ID if args.access_key_id is None else args.access_key_id
    lines = [
        f"export {ENDPOINT_VAR}={shlex.quote(endpoint)}",
        f"export {ACCESS_KEY_ID_VAR}={shlex.quote(access_key_id)}",
    ]
    if args.secret_access_key is None:
        lines.append(f"export {SECRET_ACCESS_KEY_VAR}={shlex.quote(TEST_SECRET_ACCESS_KEY)}")
    else:
        lines.append(
            f"# export {SECRET_ACCESS_KEY_VAR}=<the one you passed with --secret-access-key>"
        )
    if args.session_token is not None:
        lines.append(f"# export {SESSION_TOKEN_VAR}=<the one you passed with --session-token>")
    return lines


def serve(args: argparse.Namespace) -> None:
    """Run the ``serve`` command: build the emulator its options describe and serve it."""
    try:
        emulator, lines = configured_emulator(args)
    except ValueError as exc:  # a setting the emulator refuses (a negative time, a rate > 1)
        _fail(str(exc))
    serve_emulator(emulator, lines, args)


def serve_emulator(emulator: VpnEmulator, lines: list[str], args: argparse.Namespace) -> None:
    """Serve ``emulator`` as the serve command's ``args`` say, printing ``lines`` after the
    endpoint, until SIGTERM or Ctrl-C."""
    try:
        server = emulator_server(emulator, control=args.control)
    except RuntimeError as exc:  # httptools is missing
        _fail(str(exc))
    # Bind first so that the printed endpoint is live and --port 0 can say which port.
    try:
        sock = listening_socket(args.host, args.port)
    except (OSError, OverflowError) as exc:  # OverflowError: a port past 65535
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _fail(f"cannot listen on {args.host}:{args.port}: {reason}")
    logging.basicConfig(format="%(levelname)s: %(name)s: %(message)s")
    logging.getLogger("bce_vpn_async.testing").setLevel(args.log_level.upper())
    with sock:
        endpoint = endpoint_of(sock)
        print(f"endpoint: {endpoint}", flush=True)
        if args.control:
            lines.append(f"control plane: {endpoint}/_emulator/ (see serve --help)")
        lines += ["", "# For a client in another shell:", *export_lines(endpoint, args)]
        for line in lines:
            print(line, flush=True)
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            reason = runner.run(_serve_until_stopped(server, sock))
    print(f"{PROG} serve: stopped ({reason})", file=sys.stderr, flush=True)


async def _serve_until_stopped(server: HttpServer, sock: socket.socket) -> str:
    """Serve until SIGINT or SIGTERM; returns which one stopped it."""
    loop = asyncio.get_running_loop()
    stopped: asyncio.Future[str] = loop.create_future()

    def stop(reason: str) -> None:
        if not stopped.done():
            stopped.set_result(reason)

    signals = ((signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM"))
    for signum, reason in signals:
        # NotImplementedError: no signal handlers on this loop (Windows); Ctrl-C then
        # cancels this coroutine through asyncio.Runner, and main() says so.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop, reason)
    await server.start(sock, BACKLOG)
    try:
        return await stopped
    finally:
        await server.stop()
        for signum, _ in signals:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(signum)


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when it is installed (the ``[uvloop]`` extra), else asyncio's."""
    try:
        # By name: uvloop is optional, and not there to type-check against everywhere.
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        return None
    new_event_loop: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return new_event_loop


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: ``python -m bce_vpn_async.testing serve [options]``.

    Args:
        argv: The arguments after the program's name; default ``sys.argv[1:]``.
    """
    args = parser().parse_args(argv)
    if args.command == "serve":
        try:
            serve(args)
        except KeyboardInterrupt:
            # Only where the loop cannot handle signals itself: the server has stopped.
            print(f"{PROG} serve: stopped (Ctrl-C)", file=sys.stderr, flush=True)
