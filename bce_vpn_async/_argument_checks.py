"""The checks the table attaches to its parameters: a model where a model goes, the API's
rules inside the request models, and the rules over several arguments of one call.

Each is a pure function: a ``Check`` takes the Python name of the argument (for the
message) and its value, a ``Combined`` all of a call's arguments by name; both raise
``BceValidationError`` naming the field and the rule, never the value. The single-value
rules they build on are in ``_rules``, shared with the emulator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import _rules as rules
from ._errors import BceValidationError
from ._models import Billing, SslVpnUserSpec, Tag

# (field, value) -> anything; raises BceValidationError naming the field, never the value.
Check = Callable[[str, Any], object]
# Over all of an operation's arguments, by Python name.
Combined = Callable[[Mapping[str, Any]], None]


def model(kind: type) -> Check:
    def need_model(field: str, value: object) -> object:
        if not isinstance(value, kind):
            raise BceValidationError(field, f"must be a {kind.__name__}")
        return value

    return need_model


def model_list(kind: type, *, empty_ok: bool) -> Check:
    def need_models(field: str, value: object) -> object:
        # A str is a Sequence too; anything but a real list or tuple is a caller's mistake.
        if not isinstance(value, list | tuple) or not (value or empty_ok):
            adjective = "" if empty_ok else "non-empty "
            raise BceValidationError(field, f"must be a {adjective}list of {kind.__name__}")
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                raise BceValidationError(f"{field}[{index}]", f"must be a {kind.__name__}")
        return value

    return need_models


def billing_rules(field: str, billing: Billing) -> None:
    if billing.payment_timing is not None:
        rules.choice(f"{field}.payment_timing", billing.payment_timing, rules.PAYMENT_TIMINGS)
    if billing.reservation_length is not None:
        rules.reservation_length(billing.reservation_length)
    if billing.reservation_time_unit is not None:
        rules.choice(
            f"{field}.reservation_time_unit",
            billing.reservation_time_unit,
            rules.RESERVATION_TIME_UNITS,
        )


def billing_to_create(field: str, billing: object) -> None:
    model(Billing)(field, billing)
    if isinstance(billing, Billing) and billing.payment_timing is None:
        raise BceValidationError(f"{field}.payment_timing", "is required to create a gateway")


def billing_to_renew(field: str, billing: object) -> None:
    model(Billing)(field, billing)
    if isinstance(billing, Billing) and billing.reservation_length is None:
        raise BceValidationError(f"{field}.reservation_length", "is required to renew")


def tag_rules(field: str, tags: Sequence[Tag]) -> None:
    for index, tag in enumerate(tags):
        rules.tag_key(f"{field}[{index}].tag_key", tag.tag_key)
        rules.tag_value(f"{field}[{index}].tag_value", tag.tag_value)


def phase_rules(
    choices: Mapping[str, tuple[frozenset[str], bool]], lifetime: str, in_range: Check
) -> Check:
    """The rules of an IKE or IPSec config: each enumerated field (``True`` if required)
    among its documented values, and the lifetime in range (``in_range``)."""

    def check(field: str, config: object) -> None:
        for name, (allowed, required) in choices.items():
            value = getattr(config, name)
            if required or value is not None:
                rules.choice(f"{field}.{name}", value, allowed)
        value = getattr(config, lifetime)
        if value is not None:
            in_range(f"{field}.{lifetime}", value)

    return check


def phase_need(kind: type, required: tuple[str, ...]) -> Check:
    """A config model holding every field a request needs (the seed guide's "required"):
    always checked, since the model itself lets a response leave any field out."""

    def need(field: str, config: object) -> None:
        model(kind)(field, config)
        for name in required:
            if getattr(config, name) is None:
                raise BceValidationError(f"{field}.{name}", "is required")

    return need


ike_rules = phase_rules(
    {
        "ike_version": (rules.IKE_VERSIONS, True),
        "ike_mode": (rules.IKE_MODES, True),
        "ike_enc_alg": (rules.ENC_ALGS, True),
        "ike_pfs": (rules.PFS_GROUPS, True),
        "ike_auth_alg": (rules.AUTH_ALGS, False),
    },
    "ike_lifetime",
    rules.ike_lifetime,
)
ipsec_rules = phase_rules(
    {
        "ipsec_enc_alg": (rules.ENC_ALGS, True),
        "ipsec_auth_alg": (rules.AUTH_ALGS, True),
        "ipsec_pfs": (rules.IPSEC_PFS_GROUPS, False),
    },
    "ipsec_lifetime",
    rules.ipsec_lifetime,
)


def ssl_user_rules(field: str, users: Sequence[SslVpnUserSpec]) -> None:
    for index, user in enumerate(users):
        where = f"{field}[{index}]"
        rules.resource_name(f"{where}.user_name", user.user_name)
        rules.ssl_password(f"{where}.password", user.password)
        if user.description is not None:
            rules.description(f"{where}.description", user.description)
        if user.client_name is not None:
            rules.description(f"{where}.client_name", user.client_name)


def one_of(*names: str) -> Combined:
    """At least one of ``names`` given: an update that changes nothing is a mistake."""
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]

    def need_one(arguments: Mapping[str, Any]) -> None:
        if all(arguments.get(name) is None for name in names):
            raise BceValidationError(names[0], f"give {listed}")

    return need_one


def max_connections_for_ssl(arguments: Mapping[str, Any]) -> None:
    if arguments.get("max_connections") is not None and arguments.get("vpn_type") != "SSL":
        raise BceValidationError("max_connections", "applies to SSL gateways only")
