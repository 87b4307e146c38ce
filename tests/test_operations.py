"""The table of operations against what it drives: the client's methods, the emulator's
routes, and the table of operations on the documentation site's page
``docs/service/operations.md`` (regenerate it with
``BCE_VPN_WRITE_DOCS=1 pytest tests/test_operations.py``)."""

from __future__ import annotations

import inspect
import os
import re
import typing
from pathlib import Path

import pytest

from bce_vpn_async import AsyncPaginator, AsyncVpnClient
from bce_vpn_async._operations import OPERATIONS, Operation
from bce_vpn_async.testing import OPERATION_NAMES
from bce_vpn_async.testing._routes import match

pytestmark = pytest.mark.same_in_dev_mode(
    "it compares the table with signatures, routes and the docs: no event loop, no resources"
)

PAGE = Path(__file__).resolve().parent.parent / "docs" / "service" / "operations.md"
BEGIN = (
    "<!-- operations: generated from bce_vpn_async/_operations.py (tests/test_operations.py) -->"
)
END = "<!-- end of operations -->"

# The seed guide's 21 method names (docs/service/sources.md#seed-guide), in its order: the one
# list of them
# kept by hand, as the oracle the table is held to.
SEED_GUIDE_NAMES = (
    "create_vpn", "list_vpns", "get_vpn", "bind_eip", "unbind_eip", "update_vpn",
    "delete_vpn", "renew_vpn", "create_vpn_conn", "get_vpn_conn", "update_vpn_conn",
    "delete_vpn_conn", "create_vpn_sslservice", "get_vpn_sslservice",
    "update_vpn_sslservice", "delete_vpn_sslservice", "create_vpn_sslusers",
    "get_vpn_ssl_user", "update_vpn_ssl_user", "delete_vpn_ssl_user",
    "update_vpn_delete_protect",
)  # fmt: skip

PAGINATION = ("marker", "max_keys", "max_items")
by_name = pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)


def test_the_table_opens_with_the_seed_guides_21_operations_in_its_order() -> None:
    # The guide's operations first, in its order (the site's table's); an operation the guide
    # does not document (CONTRIBUTING.md's worked example, create_cgw) comes after them.
    names = tuple(operation.name for operation in OPERATIONS)
    assert names[: len(SEED_GUIDE_NAMES)] == SEED_GUIDE_NAMES
    assert len(set(names)) == len(names), "one entry per operation"


@by_name
def test_each_method_takes_exactly_the_tables_parameters(operation: Operation[object]) -> None:
    method = getattr(AsyncVpnClient, operation.name)
    parameters = list(inspect.signature(method).parameters.values())[1:]  # less self
    positional = [p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    keyword = {p.name: p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert len(positional) + len(keyword) == len(parameters), "no *args or **kwargs"
    # The ids are positional, in the table's order; everything else is by keyword.
    assert positional == [p.name for p in operation.params if p.positional]
    expected = {p.name for p in operation.params if not p.positional}
    if operation.takes_token:
        expected.add("client_token")
    if operation.paginated:
        expected.update(PAGINATION)
    assert set(keyword) == expected
    for param in operation.params:
        declared = inspect.signature(method).parameters[param.name]
        has_default = declared.default is not inspect.Parameter.empty
        assert has_default is not param.required, param.name


@by_name
def test_each_method_returns_the_tables_result(operation: Operation[object]) -> None:
    method = getattr(AsyncVpnClient, operation.name)
    returned = typing.get_type_hints(method)["return"]
    if operation.paginated:
        assert typing.get_origin(returned) is AsyncPaginator
        assert typing.get_args(returned)[0] is operation.result
        assert not inspect.iscoroutinefunction(method), "arguments are checked at the call"
    else:
        assert returned is operation.result
        assert inspect.iscoroutinefunction(method)


@by_name
def test_the_emulator_routes_each_operation_as_the_table_declares(
    operation: Operation[object],
) -> None:
    path = "/v1" + re.sub(r"\{\w+\}", "x-1", operation.path)
    query = {} if operation.flag is None else {operation.flag: ""}
    routed = match(operation.method, path, query)
    assert routed.operation is operation
    assert set(routed.path_ids) == set(re.findall(r"\{(\w+)\}", operation.path))


def test_the_emulators_names_and_reads_are_the_tables() -> None:
    assert {operation.name for operation in OPERATIONS} == OPERATION_NAMES
    # Every read is a GET and every write is not: the emulator replays tokens of writes only.
    assert all((op.method == "GET") is (not op.write) for op in OPERATIONS)


def _signature(operation: Operation[object]) -> str:
    method = getattr(AsyncVpnClient, operation.name)
    positional, keyword = [], []
    for parameter in list(inspect.signature(method).parameters.values())[1:]:
        if parameter.name == "client_token":
            continue
        text = parameter.name
        if parameter.default not in (None, inspect.Parameter.empty):
            text += f"={parameter.default!r}".replace("'", '"')
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keyword.append(text)
        else:
            positional.append(text)
    arguments = ", ".join([*positional, *(["*", *keyword] if keyword else [])])
    return f"{operation.name}({arguments})"


def operations_table() -> str:
    """The docs' table of operations, from the table."""
    rows = [
        "| Operation | Wire | This SDK | What differs from the official SDK |",
        "|---|---|---|---|",
    ]
    for operation in OPERATIONS:
        flag = "" if operation.flag is None else f"?{operation.flag}"
        wire = f"`{operation.method} /v1{operation.path}{flag}`"
        rows.append(
            f"| {operation.title} | {wire} | `{_signature(operation)}` | {operation.note} |"
        )
    return "\n".join(rows)


def test_the_docs_table_of_operations_is_the_tables() -> None:
    text = PAGE.read_text(encoding="utf-8")
    before, rest = text.split(BEGIN + "\n", 1)
    current, after = rest.split("\n" + END, 1)
    expected = operations_table()
    if os.environ.get("BCE_VPN_WRITE_DOCS") == "1" and current != expected:
        PAGE.write_text(f"{before}{BEGIN}\n{expected}\n{END}{after}", encoding="utf-8")
        current = expected
    assert current == expected
