"""Cold start, in a fresh interpreter: ``coldstart.py CONTENDER ENDPOINT VPN_ID AK SK``.

Times, from this script's first line: importing the client (``import``), then building a
client and making one ``get_vpn`` over loopback (``first_result``, counted from the same
start, so it includes the import). ``transports`` is what this SDK cannot go below:
importing the two HTTP libraries it runs on (aiohttp and httpx) and one plain aiohttp GET
of the same path, unsigned (the answer is the service's 401 or 403). Nothing of the SDK
or the benchmark is imported before the clock starts (the credentials come on the
command line for that reason); the driver adds the whole process's wall time,
interpreter start-up included. Prints one JSON line.
"""

import time

started = time.perf_counter()

import sys  # noqa: E402


def _sdk(endpoint: str, vpn_id: str, ak: str, sk: str) -> tuple[float, float]:
    import asyncio

    from bce_vpn_async import AsyncVpnClient, Credentials

    imported = time.perf_counter()

    async def first() -> None:
        async with AsyncVpnClient(credentials=Credentials(ak, sk), endpoint=endpoint) as client:
            await client.get_vpn(vpn_id)
            marks.append(time.perf_counter())

    marks: list[float] = []
    asyncio.run(first())
    return imported, marks[0]


def _official(endpoint: str, vpn_id: str, ak: str, sk: str) -> tuple[float, float]:
    from baidubce.auth.bce_credentials import BceCredentials
    from baidubce.bce_client_configuration import BceClientConfiguration
    from baidubce.services.vpn.vpn_client import VpnClient

    imported = time.perf_counter()
    config = BceClientConfiguration(credentials=BceCredentials(ak, sk), endpoint=endpoint)
    VpnClient(config).get_vpn(vpn_id)
    return imported, time.perf_counter()


def _transports(endpoint: str, vpn_id: str, ak: str, sk: str) -> tuple[float, float]:
    import asyncio

    import aiohttp
    import httpx  # noqa: F401  (imported, as the SDK imports it, not used)

    imported = time.perf_counter()

    async def first() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{endpoint}/v1/vpn/{vpn_id}") as response,
        ):
            await response.read()
            marks.append(time.perf_counter())

    marks: list[float] = []
    asyncio.run(first())
    return imported, marks[0]


def main(argv: list[str]) -> None:
    contender, endpoint, vpn_id, ak, sk = argv
    measure = {"sdk": _sdk, "official": _official, "transports": _transports}[contender]
    imported, first = measure(endpoint, vpn_id, ak, sk)
    import json

    print(json.dumps({"import": imported - started, "first_result": first - started}))


if __name__ == "__main__":
    main(sys.argv[1:])
