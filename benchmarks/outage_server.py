"""``serve`` in an outage: ``outage_server.py STATUS [serve options]``.

The emulator's ``serve`` command can add only its ``mix`` of faults (``--fault-rate``);
the outage scenario needs every request answered with one error status, so this launcher
builds the emulator from the same options, adds that rule, and serves it the same way.
"""

from __future__ import annotations

import sys

from bce_vpn_async.testing._serve import configured_emulator, parser, serve_emulator


def main(argv: list[str]) -> None:
    status, options = int(argv[0]), argv[1:]
    args = parser().parse_args(["serve", *options])
    emulator, lines = configured_emulator(args)
    emulator.faults.add("error", status=status)
    serve_emulator(emulator, lines, args)


if __name__ == "__main__":
    main(sys.argv[1:])
