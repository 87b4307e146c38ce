"""The benchmarks' baselines sign with a minimal signer of their own (benchmarks/raw_signer.py),
so that they contain no code of this SDK: it gives the official SDK's Authorization for any
request, or the bench would compare this SDK with a client that the service refuses."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.same_in_dev_mode(
    "signing is pure functions of bytes and time: no event loop, no resources"
)

SIGNER = Path(__file__).resolve().parent.parent / "benchmarks" / "raw_signer.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("raw_signer", SIGNER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


raw_signer = _load()

# What encoding and stripping can get wrong: the unreserved marks, reserved ones, ASCII
# blanks and Latin-1's (kept: only ASCII white space is stripped), multi-byte UTF-8.
_tricky = st.sampled_from("aZ09-._~ /;=&%+\t\xa0\x85é中")
_values = st.text(_tricky) | st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
)
_text = st.text(_tricky, min_size=1) | st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1
)


def test_the_benchmark_checks_its_signer_before_measuring() -> None:
    raw_signer.self_check()


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    segments=st.lists(_text.filter(lambda s: "/" not in s), min_size=1, max_size=3),
    query=st.dictionaries(_text, st.text(), max_size=3),
    content_type=_values,
    bce_header=_values,
    now=st.floats(min_value=1e9, max_value=4e9),
)
def test_the_minimal_signer_signs_as_the_official_one(
    method: str,
    segments: list[str],
    query: dict[str, str],
    content_type: str,
    bce_header: str,
    now: float,
) -> None:
    headers = {
        "Host": "127.0.0.1:8080",
        "Content-Type": content_type,
        "Content-Length": "0",
        "User-Agent": "not signed",
        "x-bce-request-id": bce_header,
    }
    got, expected = raw_signer.compare(method, "/" + "/".join(segments), query, headers, now)
    assert got == expected
