"""One measurement in a fresh process: ``worker.py SCENARIO [options]``; prints one JSON line.

A fresh process per measurement keeps each contender's CPU time and peak RSS its own
(the official SDK's threads, the SDK's event loop), and no contender inherits another's
warm caches or garbage.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings


def main(argv: list[str]) -> None:
    # The official SDK leaves each connection to the garbage collector; not news here.
    warnings.simplefilter("ignore", ResourceWarning)
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="scenario", required=True)
    reads = commands.add_parser("reads")
    reads.add_argument("--contender", required=True)
    reads.add_argument("--endpoint", required=True)
    reads.add_argument("--vpn-id", required=True)
    reads.add_argument("-n", type=int, required=True)
    reads.add_argument("-c", type=int, required=True)
    reads.add_argument("--server-pid", type=int, required=True)
    reads.add_argument("--sdk-timeouts", type=json.loads, default=None, help="as JSON")
    bulk = commands.add_parser("bulk")
    bulk.add_argument("--contender", required=True)
    bulk.add_argument("--endpoint", required=True)
    bulk.add_argument("--gateways", type=int, required=True)
    bulk.add_argument("-c", type=int, required=True)
    bulk.add_argument("--build-seconds", type=float, required=True)
    bulk.add_argument("--latency-ms", type=float, required=True)
    bulk.add_argument("--official-poll", type=float, required=True)
    bulk.add_argument("--prefix", required=True)
    bulk.add_argument("--server-pid", type=int, required=True)
    memory = commands.add_parser("memory")
    memory.add_argument("--endpoint", required=True)
    memory.add_argument("--vpn-id", required=True)
    memory.add_argument("-n", type=int, required=True)
    memory.add_argument("--server-pid", type=int, required=True)
    throttled = commands.add_parser("throttled")
    throttled.add_argument("--contender", required=True)
    throttled.add_argument("--endpoint", required=True)
    throttled.add_argument("-n", type=int, required=True)
    throttled.add_argument("-c", type=int, required=True)
    throttled.add_argument("--threads", type=int, required=True)
    throttled.add_argument("--prefix", required=True)
    throttled.add_argument("--server-pid", type=int, required=True)
    outage = commands.add_parser("outage")
    outage.add_argument("--contender", required=True)
    outage.add_argument("--endpoint", required=True)
    outage.add_argument("-n", type=int, required=True)
    outage.add_argument("-c", type=int, required=True)
    outage.add_argument("--server-pid", type=int, required=True)
    overhead = commands.add_parser("overhead")
    overhead.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)

    if args.scenario == "reads":
        import reads as module

        result = module.run(
            args.contender,
            args.endpoint,
            args.vpn_id,
            args.n,
            args.c,
            args.server_pid,
            args.sdk_timeouts,
        )
    elif args.scenario == "bulk":
        import bulk as module

        result = module.run(
            args.contender,
            args.endpoint,
            gateways=args.gateways,
            c=args.c,
            build_seconds=args.build_seconds,
            latency_ms=args.latency_ms,
            official_poll=args.official_poll,
            prefix=args.prefix,
            server_pid=args.server_pid,
        )
    elif args.scenario == "throttled":
        import throttled as module

        result = module.run(
            args.contender,
            args.endpoint,
            n=args.n,
            c=args.c,
            threads=args.threads,
            prefix=args.prefix,
            server_pid=args.server_pid,
        )
    elif args.scenario == "outage":
        import outage as module

        result = module.run(
            args.contender, args.endpoint, n=args.n, c=args.c, server_pid=args.server_pid
        )
    elif args.scenario == "memory":
        import memory as module

        result = module.run(args.endpoint, args.vpn_id, args.n, args.server_pid)
    else:
        import overhead as module

        result = module.run(quick=args.quick)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
