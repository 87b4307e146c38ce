"""A stateful emulator of the BCE VPN service, for tests and local development.

::

    from bce_vpn_async.testing import FakeClock, VpnEmulator

    clock = FakeClock()
    emulator = VpnEmulator(clock=clock)          # accepts emulator.credentials
    http = httpx.AsyncClient(transport=emulator.transport(),
                             base_url="http://bcc.bj.baidubce.com")
    emulator.faults.add("drop_after", op="create_vpn", times=1)
    emulator.advance(0.5)                        # building -> unconfigured

Three ways in, one core: ``emulator.transport()`` (in-process httpx transport),
``python -m bce_vpn_async.testing serve`` or ``EmulatorServer`` (the emulator's own HTTP/1.1
server on loopback, in a thread; extra ``[emulator]``), and ``emulator.asgi_app`` (for
``httpx.ASGITransport`` or an ASGI server of your own, which cannot drop a connection the
way a fault asks). The pytest plugin (``pytest_plugin``) wraps them as fixtures. Served
with ``--control`` (``EmulatorServer(control=True)``), it also answers the unsigned
``/_emulator/`` control plane (``_control``: state, reset, faults, the request log).
Faults and what a client sees of each: ``docs/guides/emulator-faults.md``; serving, the
control plane, the limits and stopping: ``docs/guides/emulator-server.md``.

It follows the current API reference, and where that is silent it makes no claim: no
invented rule, no invented field value (spec section 11). Where sources conflict:

- Lifetimes: IKE 60-86400 s, IPSec 180-86400 s, ints or ``"Ns"`` [GEN ike_config.py,
  ipsec_config.py; JAVA]; no multiple-of-3600 or IPSec >= IKE rule (the seed guide's, which
  the seed create-tunnel page's own ``"ikeLifeTime": 200`` contradicts).
  ``strict_validation=False`` (``serve --relaxed``) lifts the ranges: any positive lifetime.
- Algorithms: the union of the sources: auth ``sha1 md5 sha2_256 sha2_384 sha2_512``
  [seed guide, GEN, TF], PFS ``group2/5/14/24`` and, for IPSec only, ``disabled`` [TF].
- ``update_vpn_sslservice`` needs ``sslVpnServerName``, ``localSubnets``, ``remoteSubnet``
  (400 ``InappropriateJSON`` without one) [D:Gl39u2j5r; JAVA checks all three].
- SSL user passwords: symbols ``!@#$%^*(_`` only [D:Kl3a3l8ga, GEN]; pre-shared keys
  ``!@#$%^*()_`` [seed create-tunnel page]. ``vpnName`` ``default`` is refused [GEN
  update_vpn_request.py, TF]. ``clientDns``: any string [D: "DNS address"]. No limit of
  its own on users per batch [no source].
- An empty string for an optional field counts as absent, like ``null`` (the Go SDK sends
  ``cgwId: ""``, ``localIp: ""``, ``vpnName: ""``); ``{}`` for delete protection changes
  nothing (it is optional [D:Dlzjsmzon]; Go's omitempty sends ``{}`` for false).
- Gateway ``createTime``/``expiredTime`` as ``YYYY-MM-DD HH:MM:SS`` in UTC (the zone is in
  no source), ``expiredTime`` null for postpaid [seed examples, D:Xk2ydminh].
- Status: no EIP rule [seed get_vpn example: ``active`` with ``eip: ""``]; see below.
- No ``healthStatus``, no ``bandwidthInMbps`` (the bound EIP's, unknown here), and no
  default for an unset ``ikeAuthAlg``, ``ipsecPfs`` or lifetime: omitted, not made up.
- An explicit ``signedHeaders`` list is verified with exactly the listed headers
  [bce-auth-v1, spec 7]; the official Python signer also signs unlisted ``x-bce-*``
  headers, which then do not match, as on the service.

What it emulates (spec sections 2-7) and the choices made where the spec is silent:

- All 21 operations, per account (access key id), with ids ``vpn-``, ``vpnconn-``,
  ``sslvpn-``, ``vpn-ssl-user-`` + 12 lowercase letters and digits from a seeded generator.
- Status: ``building`` for ``build_seconds`` after creation, ``configuring`` for
  ``configure_seconds`` after a bind, unbind or tunnel/SSL-VPN service change, ``expired``
  when a prepaid term (30-day months) has run out, else ``unconfigured`` until the gateway
  is first configured (an EIP bound, at creation or later, or a tunnel or SSL-VPN service
  created) and ``active`` from then on, whatever is later removed: the seed guide's
  "building becomes unconfigured, then configure it", and its example of an ``active``
  gateway with no EIP, tunnel or service. Computed from timestamps: nothing runs in the
  background.
- Refusals (409 ``OperationDenied``): configuration changes and release while building,
  configuring or expired; bind with an EIP, unbind without; release when delete-protected,
  prepaid, or with tunnels or an SSL-VPN service left; renew of a postpaid gateway; tunnels
  on an SSL gateway and an SSL-VPN service on an IPSec one; a second SSL-VPN service;
  deleting the service while it has users; a taken user name or EIP. 404 ``NoSuchObject``
  for an unknown id (or another account's); 413 ``LimitExceeded`` past 3 gateways per VPC.
- Input: missing or ill-typed fields are 400 ``InappropriateJSON``, rule violations 400
  ``BadRequest`` naming the field (the client's rules, from ``bce_vpn_async._rules``;
  the checks only the client makes are listed in docs/guides/emulator-rules.md), broken
  JSON 400 ``MalformedJSON`` (also nesting past 64 levels, ``NaN``/``Infinity``, numbers
  past a double and lone surrogates, so that what is stored can always be answered), a
  body that is not UTF-8 400 ``InvalidHTTPRequest``; ``null`` and ``""`` count as absent
  and unknown keys are ignored. A query key given twice, a gateway ``PUT`` naming no
  action or two (``?bind&unbind``), and a method the path does not take are 400
  ``BadRequest``. The interface type of an SSL-VPN service and a user's name cannot
  change (400).
- An internal failure is a 500 ``InternalError`` in the BCE shape, logged once with its
  traceback on the ``bce_vpn_async.testing`` logger; a write is all or nothing.
- Answers: lifetimes as strings with a unit (``"28800s"``, as the seed guide shows); every
  time as ``YYYY-MM-DD HH:MM:SS`` UTC; ``eip`` is ``""`` when none.
- Signatures: ``bce-auth-v1`` in both signed-header modes; ``RequestExpired`` once
  ``timestamp + expiration`` has passed or when the timestamp is more than 900 s ahead.
- Rate limit (``VpnEmulator(rate_limit=N)``, ``serve --rate-limit N``; off by default): a
  token bucket per account of ``N`` tokens (one second's burst) refilled at ``N`` per
  second, taken by every correctly signed request, checked after the signature and before
  anything is applied (a throttled write changes nothing and leaves its ``clientToken``
  unused). Past it: 429 ``RequestLimitExceeded`` with ``Retry-After`` in whole seconds
  until a token is back (at least 1). The spec documents no throttling code for VPC/VPN
  (section 6); ``RequestLimitExceeded`` is the one it suggests, and the ``throttle`` fault
  answers the same. Requests refused before the signature is checked are not counted.
- ``clientToken`` replay for 24 h; marker pagination (sorted by id, marker inclusive,
  ``maxKeys`` 1-1000, larger values capped); faults deterministic under ``seed``.
"""

from __future__ import annotations

from bce_vpn_async._clock import FakeClock, SystemClock

from ._app import Answer, ConnectionDropped, WireRequest
from ._emulator import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, StateView, VpnEmulator
from ._faults import FAULT_KINDS, Fault, FaultPlan, FaultRule
from ._log import LoggedRequest, RequestLog
from ._routes import OPERATION_NAMES
from ._server import EmulatorServer
from ._transport import EmulatorTransport

__all__ = [
    "FAULT_KINDS",
    "OPERATION_NAMES",
    "TEST_ACCESS_KEY_ID",
    "TEST_SECRET_ACCESS_KEY",
    "Answer",
    "ConnectionDropped",
    "EmulatorServer",
    "EmulatorTransport",
    "FakeClock",
    "Fault",
    "FaultPlan",
    "FaultRule",
    "LoggedRequest",
    "RequestLog",
    "StateView",
    "SystemClock",
    "VpnEmulator",
    "WireRequest",
]
