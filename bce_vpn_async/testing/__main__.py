"""``python -m bce_vpn_async.testing serve``: the emulator over loopback, with uvicorn.

::

    python -m bce_vpn_async.testing serve --port 8080 \\
        --access-key-id AK --secret-access-key SK --build-seconds 0.5 \\
        [--latency-ms 20] [--fault-rate 0.1 --seed 1]

The first line printed is ``endpoint: http://HOST:PORT`` (``--port 0`` picks a free port,
and the line tells which); then the credentials it accepts. A secret given on the command
line is not printed back (it is "the one you passed"); the built-in test account's is.
Needs the ``[emulator]`` extra (uvicorn).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bce_vpn_async.testing._emulator import (
    TEST_ACCESS_KEY_ID,
    TEST_SECRET_ACCESS_KEY,
    VpnEmulator,
)
from bce_vpn_async.testing._server import endpoint_of, listening_socket, uvicorn_server


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bce_vpn_async.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the emulator over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--access-key-id", default=None)
    serve.add_argument("--secret-access-key", default=None)
    serve.add_argument("--session-token", default=None, help="require this STS token")
    serve.add_argument("--build-seconds", type=float, default=0.5)
    serve.add_argument("--configure-seconds", type=float, default=0.1)
    serve.add_argument("--latency-ms", type=float, default=0.0)
    serve.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of requests meeting a 'mix' fault"
    )
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument(
        "--relaxed",
        action="store_true",
        help="take any positive lifetime, outside the reference's 60/180-86400 s",
    )
    serve.add_argument("--log-level", default="warning")
    return parser


def _emulator(args: argparse.Namespace) -> tuple[VpnEmulator, list[str]]:
    from bce_vpn_async.credentials import Credentials

    if (args.access_key_id is None) != (args.secret_access_key is None):
        raise SystemExit("give both --access-key-id and --secret-access-key, or neither")
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
    )
    if args.fault_rate > 0:
        emulator.faults.add("mix", rate=args.fault_rate)
        lines.append(f"faults: {args.fault_rate:g} of requests (seed {args.seed})")
    return emulator, lines


def serve(args: argparse.Namespace) -> None:
    emulator, lines = _emulator(args)
    try:
        server = uvicorn_server(emulator, log_level=args.log_level, configure_logging=True)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
    # Bind first so that the printed endpoint is live and --port 0 can say which port.
    sock = listening_socket(args.host, args.port)
    print(f"endpoint: {endpoint_of(sock)}", flush=True)
    for line in lines:
        print(line, flush=True)
    asyncio.run(server.serve(sockets=[sock]))


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        serve(args)


if __name__ == "__main__":
    main(sys.argv[1:])
