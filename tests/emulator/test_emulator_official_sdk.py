"""The official SDK (bce-python-sdk) against ``python -m bce_vpn_async.testing serve``.

The emulator is only worth trusting if a client written by the service's own team, with
its own signer and its own quirks (snake_case tunnel updates, ``Month``, nulls), talks to
it as it would to the service. The server runs as a subprocess on a free loopback port
with no build or configure delay, so no test has to wait.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.exception import BceHttpClientError
from baidubce.retry.retry_policy import NoRetryPolicy
from baidubce.services.vpn import vpn_model
from baidubce.services.vpn.vpn_client import VpnClient
from secrets_registry import EMULATOR_PSK, EMULATOR_SSL_PASSWORD, OFFICIAL_SDK_SECRET_ACCESS_KEY

# The official SDK opens a connection per request and leaves closing it to the garbage
# collector; that is its habit, not a fault of the emulator.
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

AK, SK = "official-ak", OFFICIAL_SDK_SECRET_ACCESS_KEY
PSK = EMULATOR_PSK


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    command = [
        sys.executable,
        "-m",
        "bce_vpn_async.testing",
        "serve",
        "--port",
        "0",
        "--access-key-id",
        AK,
        "--secret-access-key",
        SK,
        "--build-seconds",
        "0",
        "--configure-seconds",
        "0",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        if not first.startswith("endpoint: http://"):
            server.kill()
            pytest.fail(f"the emulator did not start: {first!r} {server.stderr!r}")
        credentials = [server.stdout.readline() for _ in range(2)]
        assert credentials == [
            f"access key id: {AK}\n",
            "secret access key: the one you passed with --secret-access-key\n",
        ]
        yield first.removeprefix("endpoint: http://").strip()
    finally:
        server.terminate()
        server.wait(timeout=10)
        for stream in (server.stdout, server.stderr):
            if stream is not None:
                stream.close()


def _client(endpoint: str, ak: str = AK, sk: str = SK) -> VpnClient:
    config = BceClientConfiguration(
        credentials=BceCredentials(ak, sk), endpoint=endpoint, retry_policy=NoRetryPolicy()
    )
    return VpnClient(config)


def _ike() -> vpn_model.IkeConfig:
    return vpn_model.IkeConfig("v1", "main", "aes", "sha1", "group2", 28800)


def _ipsec() -> vpn_model.IpsecConfig:
    return vpn_model.IpsecConfig("aes", "sha1", "group2", 28800)


def _refusal(excinfo: pytest.ExceptionInfo[BceHttpClientError]) -> tuple[int, str]:
    return excinfo.value.status_code, excinfo.value.code


def test_the_official_sdk_completes_every_operation(endpoint: str) -> None:
    vpn = _client(endpoint)
    postpaid = vpn_model.Billing("Postpaid")

    gw = vpn.create_vpn("vpc-official", "gw1", postpaid).vpn_id
    assert vpn.get_vpn(gw).status == "unconfigured"
    assert [item.vpn_id for item in vpn.list_vpns("vpc-official", max_Keys=10).vpns] == [gw]
    vpn.update_vpn(gw, vpn_name="renamed", description="by the official sdk")
    vpn.bind_eip(gw, eip="10.1.1.1")
    assert vpn.get_vpn(gw).status == "active"
    conn = vpn.create_vpn_conn(
        gw,
        PSK,
        ["192.168.0.0/20"],
        None,
        "10.107.245.188",
        ["192.168.100.0/24"],
        "t1",
        _ike(),
        _ipsec(),
    ).vpn_conn_id
    listed = vpn.get_vpn_conn(gw).vpn_conns
    assert [item.vpn_conn_id for item in listed] == [conn]
    assert listed[0].ike_config.ike_life_time == "28800s"
    with pytest.raises(BceHttpClientError) as excinfo:
        vpn.update_vpn_conn(
            conn,
            gw,
            PSK,
            ["192.168.0.0/20"],
            None,
            "10.107.245.188",
            ["192.168.100.0/24"],
            "t1",
            _ike(),
            _ipsec(),
        )
    assert _refusal(excinfo) == (400, "InappropriateJSON")
    vpn.delete_vpn_conn(conn)
    vpn.unbind_eip(gw)
    vpn.update_vpn_delete_protect(gw, delete_protect=False)
    vpn.delete_vpn(gw)

    prepaid = vpn_model.Billing("Prepaid", reservation_length=1)
    paid = vpn.create_vpn("vpc-official", "gw2", prepaid).vpn_id
    vpn.renew_vpn(paid, prepaid)

    ssl = vpn.create_vpn("vpc-official", "ssl1", postpaid, vpn_type="SSL", max_connections=10)
    ssl_id = ssl.vpn_id
    server = vpn.create_vpn_sslservice(
        ssl_id, "srv1", ["192.168.0.0/24"], "172.168.0.0/16"
    ).ssl_vpn_server_id
    got = vpn.get_vpn_sslservice(ssl_id)
    assert (got.ssl_vpn_server_id, got.interface_type) == (server, "tun")
    # The reference requires name, routes and pool on update
    # (docs/service/sources.md#update-ssl-vpn-server); the official
    # SDK sends what it is given, so a caller must give all three.
    vpn.update_vpn_sslservice(ssl_id, server, "srv2", ["192.168.0.0/24"], "172.168.0.0/16")
    alice = vpn_model.SSLUser("alice", EMULATOR_SSL_PASSWORD, "a")
    users = vpn.create_vpn_sslusers(ssl_id, [alice])
    user = users.ssl_vpn_user_ids[0]
    page = vpn.get_vpn_ssl_user(ssl_id, max_keys=10)
    assert [item.user_id for item in page.ssl_vpn_users] == [user]
    vpn.update_vpn_ssl_user(ssl_id, user, description="changed")
    vpn.delete_vpn_ssl_user(ssl_id, user)
    vpn.delete_vpn_sslservice(ssl_id, server)
    vpn.delete_vpn(ssl_id)


def test_the_emulator_refuses_the_official_sdks_snake_case_tunnel_update(endpoint: str) -> None:
    vpn = _client(endpoint)
    gw = vpn.create_vpn("vpc-update", "gw", vpn_model.Billing("Postpaid")).vpn_id
    args = (PSK, ["192.168.0.0/20"], None, "10.1.1.1", ["192.168.100.0/24"], "t1")
    conn = vpn.create_vpn_conn(gw, *args, _ike(), _ipsec()).vpn_conn_id
    with pytest.raises(BceHttpClientError) as excinfo:
        vpn.update_vpn_conn(conn, gw, *args, _ike(), _ipsec())
    assert _refusal(excinfo) == (400, "InappropriateJSON")
    assert "ikeConfig.ikeVersion" in str(excinfo.value.last_error)


def test_the_emulator_refuses_the_official_sdk_with_a_wrong_secret(endpoint: str) -> None:
    with pytest.raises(BceHttpClientError) as excinfo:
        _client(endpoint, sk="wrong").list_vpns("vpc-x")
    assert _refusal(excinfo) == (400, "SignatureDoesNotMatch")


def test_the_emulator_refuses_the_official_sdk_with_an_unknown_key(endpoint: str) -> None:
    with pytest.raises(BceHttpClientError) as excinfo:
        _client(endpoint, ak="unknown").list_vpns("vpc-x")
    assert _refusal(excinfo) == (403, "InvalidAccessKeyId")


def test_the_emulator_refuses_to_release_a_delete_protected_gateway(endpoint: str) -> None:
    vpn = _client(endpoint)
    gw = vpn.create_vpn("vpc-protected", "gw", vpn_model.Billing("Postpaid")).vpn_id
    vpn.update_vpn_delete_protect(gw, delete_protect=True)
    with pytest.raises(BceHttpClientError) as excinfo:
        vpn.delete_vpn(gw)
    assert _refusal(excinfo) == (409, "OperationDenied")


def test_the_emulator_refuses_a_second_ssl_service(endpoint: str) -> None:
    vpn = _client(endpoint)
    gw = vpn.create_vpn("vpc-ssl", "ssl", vpn_model.Billing("Postpaid"), vpn_type="SSL").vpn_id
    vpn.create_vpn_sslservice(gw, "srv1", ["192.168.0.0/24"], "172.168.0.0/16")
    with pytest.raises(BceHttpClientError) as excinfo:
        vpn.create_vpn_sslservice(gw, "srv2", ["192.168.0.0/24"], "172.168.0.0/16")
    assert _refusal(excinfo) == (409, "OperationDenied")
