"""``serve`` in an outage: ``outage_server.py STATUS [serve options]``.

The emulator's ``serve`` command can add only its ``mix`` of faults (``--fault-rate``);
the outage scenario needs every request answered with one error status, so this launcher
builds the emulator from the same options, adds that rule, and serves it the same way.
"""

from __future__ import annotations

import asyncio
import sys

from bce_vpn_async.testing.__main__ import _emulator, _parser
from bce_vpn_async.testing._server import endpoint_of, listening_socket, uvicorn_server


def main(argv: list[str]) -> None:
    status, options = int(argv[0]), argv[1:]
    args = _parser().parse_args(["serve", *options])
    emulator, _ = _emulator(args)
    emulator.faults.add("error", status=status)
    server = uvicorn_server(emulator, log_level=args.log_level, configure_logging=True)
    sock = listening_socket(args.host, args.port)
    print(f"endpoint: {endpoint_of(sock)}", flush=True)
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    main(sys.argv[1:])
