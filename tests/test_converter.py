"""The converter: tolerant reading, strict typing, exact request bodies, round trips."""

from __future__ import annotations

import enum
import json
import typing
from types import NoneType, UnionType
from typing import Any

import attrs
import cattrs
import pytest
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.services.vpn import vpn_model
from baidubce.services.vpn.vpn_client import VpnClient
from baidubce.utils import pythonize_name
from hypothesis import given
from hypothesis import strategies as st
from seed_examples import REFERENCE_TUNNEL_ITEM

from bce_vpn_async import (
    BceValidationError,
    Billing,
    CreateSslVpnUsersResult,
    IkeConfig,
    IpsecConfig,
    OperationResult,
    ResponseMetadata,
    SslVpnServer,
    SslVpnUserPage,
    SslVpnUserSpec,
    Tag,
    Vpn,
    VpnConn,
    VpnConnList,
    VpnPage,
)
from bce_vpn_async._converter import MalformedResponse, structure, unstructure

pytestmark = pytest.mark.same_in_dev_mode(
    "the converter is pure functions: no event loop, no resources"
)

TUNNEL = json.loads(REFERENCE_TUNNEL_ITEM)
GATEWAY = {
    "vpnId": "vpn-1",
    "vpnName": "gw",
    "type": "IPSec",
    "status": "active",
    "eip": "1.2.3.4",
    "bandwidthInMbps": 10,
    "vpcId": "vpc-1",
    "subnetId": "sbn-1",
    "vpnConnNum": 1,
    "maxConnection": None,
    "createTime": "2021-04-25 17:22:34",
    "paymentTiming": "Postpaid",
    "vpnConns": [TUNNEL],
    "sslVpnServer": {"sslVpnServerId": "sslvpn-1", "localSubnets": ["10.0.0.0/24"]},
    "tags": [{"tagKey": "k", "tagValue": "v"}],
    "deleteProtect": False,
}
IKE = {"ikeVersion": "v1", "ikeMode": "main", "ikeEncAlg": "aes", "ikePfs": "group2"}


def _snake_everywhere(data: Any) -> Any:
    """The body as the official SDK hands it to its users: every key through pythonize_name."""
    return json.loads(
        json.dumps(data), object_hook=lambda d: {pythonize_name(k): v for k, v in d.items()}
    )


# --- key spellings ------------------------------------------------------------------------------


def test_the_official_sdks_snake_case_rendering_reads_the_same_as_the_wire() -> None:
    assert structure(_snake_everywhere(GATEWAY), Vpn) == structure(GATEWAY, Vpn)


def test_the_official_sdks_rendering_of_ike_lifetime_is_read() -> None:
    assert structure({**IKE, pythonize_name("ikeLifeTime"): 3600}, IkeConfig).ike_lifetime == 3600


def test_the_guides_ike_lifetime_spelling_is_read() -> None:
    assert structure({**IKE, "ike_lifeTime": "3600"}, IkeConfig).ike_lifetime == 3600


def test_camel_and_snake_case_keys_mix_in_one_object() -> None:
    conn = structure(
        {"vpn_conn_id": "c", "vpnId": "v", "health_status": "reachable", "localSubnets": []},
        VpnConn,
    )
    assert (conn.vpn_conn_id, conn.vpn_id, conn.health_status) == ("c", "v", "reachable")


def test_the_gateway_type_is_read_into_vpn_type() -> None:
    assert structure({"vpnId": "v", "type": "SSL"}, Vpn).vpn_type == "SSL"


def test_product_type_is_read_as_payment_timing_when_payment_timing_is_absent() -> None:
    assert structure({"vpnId": "v", "productType": "postpay"}, Vpn).payment_timing == "Postpaid"


@pytest.mark.parametrize(
    "body",
    [
        {"vpnId": "v", "productType": "postpay", "paymentTiming": "Postpaid"},
        {"vpnId": "v", "paymentTiming": "Postpaid", "product_type": "postpay"},
    ],
)
def test_payment_timing_wins_over_product_type_in_any_order(body: dict[str, Any]) -> None:
    assert structure(body, Vpn).payment_timing == "Postpaid"


def test_unknown_keys_are_ignored() -> None:
    assert structure({"vpnId": "v", "brandNewField": {"x": [1]}, "7": 1}, Vpn) == Vpn(vpn_id="v")


def test_pascal_case_and_acronym_keys_are_normalised() -> None:
    assert structure({"VpnId": "v", "VPNName": "n"}, Vpn) == Vpn(vpn_id="v", vpn_name="n")


def test_a_billing_reads_its_nested_reservation() -> None:
    body = {
        "paymentTiming": "Prepaid",
        "reservation": {"reservationLength": "3", "reservation_time_unit": "month"},
    }
    assert structure(body, Billing) == Billing("Prepaid", None, 3, "month")


# --- lifetimes, numbers, blanks -----------------------------------------------------------------


@pytest.mark.parametrize("form", [28800, "28800", "28800s", " 28800s ", "28800S", 28800.0])
def test_every_lifetime_form_reads_as_int_seconds(form: object) -> None:
    ipsec = structure(
        {"ipsecEncAlg": "aes", "ipsecAuthAlg": "sha1", "ipsecLifetime": form}, IpsecConfig
    )
    assert ipsec.ipsec_lifetime == 28800
    assert type(ipsec.ipsec_lifetime) is int


@pytest.mark.parametrize("form", ["10", " 10", "+10", 10.0])
def test_integers_accept_numeric_strings_and_whole_floats(form: object) -> None:
    assert structure({"vpnId": "v", "bandwidthInMbps": form}, Vpn).bandwidth_in_mbps == 10


@pytest.mark.parametrize("blank", ["", None])
@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("bandwidthInMbps", "bandwidth_in_mbps"),
        ("deleteProtect", "delete_protect"),
        ("sslVpnServer", "ssl_vpn_server"),
    ],
)
def test_a_blank_optional_non_string_reads_as_none(blank: object, key: str, field: str) -> None:
    assert getattr(structure({"vpnId": "v", key: blank}, Vpn), field) is None


def test_a_null_optional_string_reads_as_none() -> None:
    assert structure({"vpnId": "v", "expiredTime": None}, Vpn).expired_time is None


def test_an_empty_string_stays_an_empty_string() -> None:
    vpn = structure({"vpnId": "v", "eip": "", "description": ""}, Vpn)
    assert (vpn.eip, vpn.description) == ("", "")


def test_null_collections_read_as_empty_tuples() -> None:
    vpn = structure({"vpnId": "v", "vpnConns": None, "tags": None}, Vpn)
    users = structure({"sslVpnUserIds": None}, CreateSslVpnUsersResult)
    assert (vpn.vpn_conns, vpn.tags, users.ssl_vpn_user_ids) == ((), (), ())


def test_a_null_is_truncated_means_the_last_page() -> None:
    assert structure({"isTruncated": None}, VpnPage).is_truncated is False


@pytest.mark.parametrize(("word", "value"), [("true", True), ("False", False)])
def test_booleans_accept_their_json_words_as_strings(word: str, value: bool) -> None:
    assert structure({"isTruncated": word}, SslVpnUserPage).is_truncated is value


# --- wrong types --------------------------------------------------------------------------------

BAD = [
    (
        {"vpns": [{"vpnId": "a"}, {"vpnId": "b"}, {"vpnId": "c", "bandwidthInMbps": "ten"}]},
        VpnPage,
        "vpns[2].bandwidthInMbps: expected an integer",
    ),
    ({"vpnId": ["vpn-1"]}, Vpn, "vpnId: expected a string"),
    ({"vpnId": "v", "vpnName": {"a": 1}}, Vpn, "vpnName: expected a string"),
    ({"vpnId": "v", "vpnConnNum": True}, Vpn, "vpnConnNum: expected an integer"),
    ({"vpnId": "v", "maxConnection": 1.5}, Vpn, "maxConnection: expected an integer"),
    ({"vpnId": "v", "bandwidthInMbps": "1e3"}, Vpn, "bandwidthInMbps: expected an integer"),
    ({"vpnId": "v", "tags": {"tagKey": "k"}}, Vpn, "tags: expected a list"),
    (
        {"vpnId": "v", "tags": [{"tagKey": "k", "tagValue": "v"}, ["k", "v"]]},
        Vpn,
        "tags[1]: expected an object",
    ),
    ({"vpnId": "v", "sslVpnServer": []}, Vpn, "sslVpnServer: expected an object"),
    ({"vpnId": "v", "deleteProtect": "maybe"}, Vpn, "deleteProtect: expected a boolean"),
    ({"vpnId": "v", "deleteProtect": 1}, Vpn, "deleteProtect: expected a boolean"),
    (
        {"vpnConns": [{**TUNNEL, "ikeConfig": {**IKE, "ikeLifeTime": "8h"}}]},
        VpnConnList,
        "vpnConns[0].ikeConfig.ikeLifeTime: expected a lifetime",
    ),
    (
        {"vpnConns": [{**TUNNEL, "localSubnets": ["10.0.0.0/8", 5]}]},
        VpnConnList,
        r"vpnConns[0].localSubnets[1]: expected a string",
    ),
    (
        {"vpnConns": [{**TUNNEL, "remoteSubnets": "10.0.0.0/8"}]},
        VpnConnList,
        "vpnConns[0].remoteSubnets: expected a list",
    ),
    (
        {"vpnId": "v", "vpnConns": [TUNNEL, {"vpnId": "v"}]},
        Vpn,
        "vpnConns[1].vpnConnId: missing required field",
    ),
    (
        {"vpnId": "v", "sslVpnServer": {"sslVpnServerId": "s", "maxConnection": []}},
        Vpn,
        "sslVpnServer.maxConnection: expected an integer",
    ),
    ({"vpnName": "gw"}, Vpn, "vpnId: missing required field"),
    ({"vpnId": None}, Vpn, "vpnId: expected a string"),
    ({"isTruncated": 0}, SslVpnUserPage, "isTruncated: expected a boolean"),
    (
        {"sslVpnUserIds": "vpn-ssl-user-1"},
        CreateSslVpnUsersResult,
        "sslVpnUserIds: expected a list",
    ),
    ({"reservation": "1 month"}, Billing, "reservation: expected an object"),
    (
        {"reservation": {"reservationLength": "one"}},
        Billing,
        "reservation.reservationLength: expected an integer",
    ),
    ([{"vpnId": "v"}], Vpn, "Vpn: expected an object"),
    (None, OperationResult, "OperationResult: expected an object"),
    ("vpn-1", SslVpnServer, "SslVpnServer: expected an object"),
]


@pytest.mark.parametrize(("body", "cls", "message"), BAD, ids=[m for _, _, m in BAD])
def test_a_value_of_the_wrong_type_is_a_malformed_response_naming_its_path(
    body: object, cls: type[object], message: str
) -> None:
    with pytest.raises(MalformedResponse) as caught:
        structure(body, cls)
    assert str(caught.value).startswith(message)


def test_a_malformed_response_is_a_value_error_with_path_and_reason() -> None:
    with pytest.raises(ValueError, match="bandwidthInMbps") as caught:
        structure({"vpnId": "v", "bandwidthInMbps": "x"}, Vpn)
    assert (caught.value.path, caught.value.reason) == (  # type: ignore[attr-defined]
        "bandwidthInMbps",
        "expected an integer (got string)",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"secretKey": {"psk": "hunter2-secret"}},
        {"secretKey": ["hunter2-secret"]},
        {"ikeConfig": {**IKE, "ikeLifeTime": "hunter2-secret"}},
        {"localSubnets": ["hunter2-secret", {"x": "hunter2-secret"}]},
    ],
)
def test_a_malformed_value_never_appears_in_the_error(change: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponse) as caught:
        structure({"vpnConns": [{**TUNNEL, **change}]}, VpnConnList)
    assert "hunter2" not in str(caught.value)


def test_a_malformed_response_hides_the_internal_error_it_came_from() -> None:
    with pytest.raises(MalformedResponse) as caught:
        structure({"vpnId": "v", "bandwidthInMbps": "x"}, Vpn)
    assert (caught.value.__cause__, caught.value.__suppress_context__) == (None, True)


def test_structure_refuses_a_class_that_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="not a model"):
        structure({}, dict)


def test_the_global_cattrs_converter_is_left_alone() -> None:
    # No hook of ours is registered there: it fails on our models as on any unknown type.
    with pytest.raises(
        (cattrs.errors.ClassValidationError, cattrs.errors.StructureHandlerNotFoundError)
    ):
        cattrs.structure({"vpnId": "vpn-1"}, Vpn)


# --- unstructure --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "wire"),
    [
        (
            IkeConfig("v1", "main", "aes", "group2", "sha1", 28800),
            {
                "ikeVersion": "v1",
                "ikeMode": "main",
                "ikeEncAlg": "aes",
                "ikeAuthAlg": "sha1",
                "ikePfs": "group2",
                "ikeLifeTime": 28800,
            },
        ),
        (
            IkeConfig("v2", "aggressive", "3des", "group24"),
            {"ikeVersion": "v2", "ikeMode": "aggressive", "ikeEncAlg": "3des", "ikePfs": "group24"},
        ),
        (
            IpsecConfig("aes", "sha1", "group2", 28800),
            {
                "ipsecEncAlg": "aes",
                "ipsecAuthAlg": "sha1",
                "ipsecPfs": "group2",
                "ipsecLifetime": 28800,
            },
        ),
        (IpsecConfig("aes256", "md5"), {"ipsecEncAlg": "aes256", "ipsecAuthAlg": "md5"}),
        (Tag("env", ""), {"tagKey": "env", "tagValue": ""}),
        (SslVpnUserSpec("alice", "Pa55word!"), {"userName": "alice", "password": "Pa55word!"}),
        (
            SslVpnUserSpec("bob", "Pa55word!", "ops"),
            {"userName": "bob", "password": "Pa55word!", "description": "ops"},
        ),
        (Billing(payment_timing="Postpaid"), {"paymentTiming": "Postpaid"}),
        (
            Billing("Prepaid", "ByBandwidth", 12, "month"),
            {
                "paymentTiming": "Prepaid",
                "billingMethod": "ByBandwidth",
                "reservation": {"reservationLength": 12, "reservationTimeUnit": "month"},
            },
        ),
        (Billing(reservation_length=1), {"reservation": {"reservationLength": 1}}),
        (Billing(reservation_time_unit="month"), {"reservation": {"reservationTimeUnit": "month"}}),
        (Billing(), {}),
    ],
    ids=lambda v: type(v).__name__ if attrs.has(type(v)) else "",
)
def test_a_request_model_becomes_its_exact_wire_dict(model: object, wire: dict[str, Any]) -> None:
    assert unstructure(model) == wire


@pytest.mark.parametrize("form", ["28800", "28800s"])
def test_a_lifetime_given_as_text_is_sent_as_an_int(form: str) -> None:
    ike = IkeConfig("v1", "main", "aes", "group2", ike_lifetime=form)  # type: ignore[arg-type]
    assert unstructure(ike)["ikeLifeTime"] == 28800


def test_an_unreadable_lifetime_is_refused_naming_the_field() -> None:
    ipsec = IpsecConfig("aes", "sha1", ipsec_lifetime="8 hours")  # type: ignore[arg-type]
    with pytest.raises(BceValidationError, match=r"^ipsec_config\.ipsec_lifetime: "):
        unstructure(ipsec)


def test_the_create_tunnel_pages_configs_are_reproduced() -> None:
    assert (
        unstructure(IkeConfig("v1", "main", "aes", "group2", "sha1", 200)),
        unstructure(IpsecConfig("aes", "sha1", "group2", 28800)),
    ) == (
        {
            "ikeVersion": "v1",
            "ikeMode": "main",
            "ikeEncAlg": "aes",
            "ikeAuthAlg": "sha1",
            "ikePfs": "group2",
            "ikeLifeTime": 200,
        },
        {
            "ipsecEncAlg": "aes",
            "ipsecAuthAlg": "sha1",
            "ipsecPfs": "group2",
            "ipsecLifetime": 28800,
        },
    )


def _official_body(monkeypatch: pytest.MonkeyPatch, call: str, *args: Any) -> dict[str, Any]:
    client = VpnClient(
        BceClientConfiguration(
            credentials=BceCredentials("ak", "sk"), endpoint="bcc.bj.baidubce.com"
        )
    )
    sent: dict[str, Any] = {}
    monkeypatch.setattr(
        client, "_send_request", lambda *a, **kw: sent.update(json.loads(kw["body"]))
    )
    getattr(client, call)(*args)
    return sent


def test_ike_and_ipsec_configs_match_the_official_sdks_create_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ike = vpn_model.IkeConfig("v1", "main", "aes", None, "group2", 3600)
    ipsec = vpn_model.IpsecConfig("aes", "sha1", None, 7200)
    body = _official_body(
        monkeypatch, "create_vpn_conn", "vpn-1", "k", [], None, "1.1.1.1", [], "n", ike, ipsec
    )
    ours = (
        unstructure(IkeConfig("v1", "main", "aes", "group2", None, 3600)),
        unstructure(IpsecConfig("aes", "sha1", None, 7200)),
    )
    official = tuple(
        {k: v for k, v in body[key].items() if v is not None}
        for key in ("ikeConfig", "ipsecConfig")
    )
    assert ours == official


def test_billing_matches_the_official_sdks_renew_body(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _official_body(
        monkeypatch, "renew_vpn", "vpn-1", vpn_model.Billing("Prepaid", None, 3, "Month")
    )
    official = {k: v for k, v in body["billing"].items() if v is not None}
    assert unstructure(Billing("Prepaid", None, 3, "Month")) == official


def test_unstructure_refuses_an_object_that_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="not a model"):
        unstructure({"vpnId": "v"})


def test_a_result_unstructures_to_the_wire_names_without_metadata() -> None:
    vpn = structure(GATEWAY, Vpn, ResponseMetadata("rid", 200, {}))
    wire = unstructure(vpn)
    assert (wire["type"], wire["vpnConns"][0]["ikeConfig"]["ikeLifeTime"], "metadata" in wire) == (
        "IPSec",
        28800,
        False,
    )


# --- round trips --------------------------------------------------------------------------------


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    inner = [a for a in typing.get_args(tp) if a is not NoneType]
    if isinstance(tp, UnionType) or typing.get_origin(tp) is typing.Union:
        # VpnStatus | str | None: any of its parts.
        return st.one_of(
            [st.none()] * (len(inner) < len(typing.get_args(tp)))
            + [_strategy(part) for part in inner]
        )
    if typing.get_origin(tp) is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is str:
        return st.text(max_size=12)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers()
    if typing.get_origin(tp) is tuple:
        return st.lists(_strategy(inner[0]), max_size=3).map(tuple)
    # A nested model with nothing set is written {}, which reads back as absent
    # (docs/service/disagreements.md#reading).
    return _model_strategy(tp).filter(lambda model: unstructure(model) != {})


def _model_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(
        cls, **{a.name: _strategy(hints[a.name]) for a in attrs.fields(cls) if a.name != "metadata"}
    )


@given(
    st.one_of([_model_strategy(c) for c in (IkeConfig, IpsecConfig, Tag, SslVpnUserSpec, Billing)])
)
def test_a_request_model_survives_the_round_trip_through_the_wire(model: Any) -> None:
    assert structure(unstructure(model), type(model)) == model


@given(st.one_of([_model_strategy(c) for c in (Vpn, VpnPage, VpnConnList, SslVpnUserPage)]))
def test_a_result_survives_the_round_trip_through_json(model: Any) -> None:
    assert structure(json.loads(json.dumps(unstructure(model))), type(model)) == model
