"""One verified TLS context for the tests' clients that never make a TLS connection.

A client given ``verify=True`` (httpx's default and the SDK's) builds its own context, which
parses the whole CA bundle: tens of milliseconds a client. The clients that respx answers, or
that speak plain HTTP to a server on loopback, are made by the hundred in this suite; they
take this one context instead (``ClientConfig(verify=TLS)``, ``httpx.Client(verify=TLS)``).
The default path stays covered by ``test_proxies_and_tls.py`` and by every client built
without it.
"""

from __future__ import annotations

import httpx

TLS = httpx.create_ssl_context()
