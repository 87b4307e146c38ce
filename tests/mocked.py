"""A client of the real endpoint for tests whose answers respx gives (the ``mock`` fixture of
``conftest.py``): one place for its host, credentials and construction."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from shared_tls import TLS

from bce_vpn_async import AsyncVpnClient, ClientConfig, Credentials, Middleware

HOST = "bcc.bj.baidubce.com"
URL = f"http://{HOST}"
# Not a secret: 32 characters each, the shape of a real key pair.
CREDENTIALS = Credentials("a" * 32, "b" * 32)


def mocked_client(config: ClientConfig, *, middleware: Sequence[Middleware] = ()) -> AsyncVpnClient:
    """A client of ``HOST`` with ``config`` (and ``middleware``), not yet opened. It never
    connects (respx answers), so unless ``config`` says how to verify TLS it takes the
    shared context of ``shared_tls.py``."""
    if config.verify is True:
        config = attrs.evolve(config, verify=TLS)
    return AsyncVpnClient(
        credentials=CREDENTIALS, endpoint=HOST, config=config, middleware=middleware
    )
