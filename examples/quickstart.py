"""A tour of the SDK: an IPSec gateway with an EIP and a tunnel, then an SSL-VPN gateway
with its service and users, each created, listed and cleaned up again.

    python examples/quickstart.py

With BCE_ACCESS_KEY_ID, BCE_SECRET_ACCESS_KEY and BCE_ENDPOINT set it uses the real service
(set VPC_ID and EIP to a VPC and a free EIP of yours; gateways are billed while they
exist). Without them it runs on the embedded emulator, whose gateways build in 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import textwrap
import time
from collections.abc import Callable

from _target import target

from bce_vpn_async import (
    AsyncVpnClient,
    BceError,
    Billing,
    IkeConfig,
    IpsecConfig,
    SslVpnUserSpec,
    Vpn,
)

VPC_ID = os.environ.get("VPC_ID", "vpc-quickstart")
EIP = os.environ.get("EIP", "106.12.1.10")
POSTPAID = Billing(payment_timing="Postpaid")
started = time.monotonic()
left: set[str] = set()  # gateways made and not yet deleted, named if the tour fails


def step(text: str) -> None:
    print(f"[{time.monotonic() - started:5.1f}s] {text}", flush=True)


def show_changes() -> Callable[[Vpn], None]:
    """An ``on_status`` callback that prints a gateway's status only when it changes."""
    last: str | None = None

    def on_status(vpn: Vpn) -> None:
        nonlocal last
        if vpn.status != last:
            last = vpn.status
            step(f"  {vpn.vpn_id} is {vpn.status}")

    return on_status


async def ipsec_tour(client: AsyncVpnClient) -> None:
    step("== IPSec gateway ==")
    created = await client.create_vpn(VPC_ID, vpn_name="quickstart-ipsec", billing=POSTPAID)
    vpn_id = created.vpn_id
    left.add(vpn_id)
    step(f"created {vpn_id} (request id {created.metadata.request_id})")
    # A new gateway is `building`; it can be configured once it is `unconfigured`.
    await client.wait_until_status(vpn_id, "unconfigured", on_status=show_changes())

    await client.bind_eip(vpn_id, eip=EIP)
    step(f"bound EIP {EIP}")
    # Every change passes through `configuring`; with an EIP bound it ends `active`.
    await client.wait_until_status(vpn_id, "active", on_status=show_changes())

    conn = await client.create_vpn_conn(
        vpn_id,
        vpn_conn_name="to-office",
        secret_key="Psk_2024!x",
        local_subnets=["192.168.0.0/20"],
        remote_ip="203.0.113.7",
        remote_subnets=["10.10.0.0/16"],
        ike_config=IkeConfig("v2", "main", "aes256", "group14", ike_lifetime=28800),
        ipsec_config=IpsecConfig("aes256", "sha1", ipsec_pfs="group14", ipsec_lifetime=28800),
    )
    step(f"created tunnel {conn.vpn_conn_id}")
    await client.wait_until_status(vpn_id, "active", on_status=show_changes())

    step(f"gateways in {VPC_ID}:")
    async for vpn in client.list_vpns(VPC_ID):  # every page, one gateway at a time
        print(f"    {vpn.vpn_id}  {vpn.vpn_name}  {vpn.vpn_type}  {vpn.status}  eip={vpn.eip}")
    tunnels = (await client.get_vpn_conn(vpn_id)).vpn_conns
    step(f"tunnels of {vpn_id}:")
    for tunnel in tunnels:
        # The service returns the pre-shared key; the model keeps it out of its repr.
        text = textwrap.wrap(repr(tunnel), 96, break_on_hyphens=False)
        print("    " + "\n      ".join(text))

    step("cleaning up: tunnel, EIP, gateway")
    await client.delete_vpn_conn(conn.vpn_conn_id)
    await client.wait_until_status(vpn_id, "active")
    await client.unbind_eip(vpn_id)
    await client.wait_until_status(vpn_id, "active")
    await client.delete_vpn(vpn_id)
    left.discard(vpn_id)
    step(f"deleted {vpn_id}")


async def ssl_tour(client: AsyncVpnClient) -> None:
    step("== SSL-VPN gateway ==")
    created = await client.create_vpn(
        VPC_ID,
        vpn_name="quickstart-ssl",
        vpn_type="SSL",
        max_connections=20,
        billing=POSTPAID,
    )
    vpn_id = created.vpn_id
    left.add(vpn_id)
    step(f"created {vpn_id}")
    await client.wait_until_status(vpn_id, "unconfigured", on_status=show_changes())

    service = await client.create_vpn_sslservice(
        vpn_id,
        sslservice_name="quickstart-svc",
        local_routes=["192.168.0.0/24"],  # what clients reach
        address_pool="172.16.0.0/16",  # where their addresses come from
    )
    server_id = service.ssl_vpn_server_id
    step(f"created SSL-VPN service {server_id}")
    await client.wait_until_status(vpn_id, {"unconfigured", "active"})

    specs = [
        SslVpnUserSpec(f"user{i}", f"Passw0rd_{i}", description="quickstart") for i in range(5)
    ]
    user_ids = (await client.create_vpn_sslusers(vpn_id, sslusers=specs)).ssl_vpn_user_ids
    step(f"created {len(user_ids)} users")

    # max_keys=2 makes the paginator fetch three pages; `async for` hides the markers.
    names = [user.user_name async for user in client.get_vpn_ssl_user(vpn_id, max_keys=2)]
    step(f"users: {', '.join(str(name) for name in names)}")
    pages = [page async for page in client.get_vpn_ssl_user(vpn_id, max_keys=2).pages()]
    step(f"  (listed in {len(pages)} pages of at most 2)")

    await client.update_vpn_ssl_user(vpn_id, user_ids[0], password="N3w_passw0rd", description="x")
    step(f"changed the password of {user_ids[0]}")

    step("cleaning up: users, service, gateway")
    # Independent calls run concurrently over the client's one connection pool.
    await asyncio.gather(*(client.delete_vpn_ssl_user(vpn_id, uid) for uid in user_ids))
    await client.delete_vpn_sslservice(vpn_id, server_id)
    await client.wait_until_status(vpn_id, {"unconfigured", "active"})
    await client.delete_vpn(vpn_id)
    left.discard(vpn_id)
    step(f"deleted {vpn_id}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--build-seconds",
        type=float,
        default=2.0,
        help="embedded emulator only: how long a new gateway stays building (default 2)",
    )
    args = parser.parse_args()
    async with target(build_seconds=args.build_seconds) as client:
        try:
            await ipsec_tour(client)
            await ssl_tour(client)
        except BceError as exc:
            # Errors never hold secrets, so printing them is safe.
            print(f"failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            if left:
                print(f"left behind, to delete by hand: {', '.join(sorted(left))}", file=sys.stderr)
            return 1
    step("done")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
