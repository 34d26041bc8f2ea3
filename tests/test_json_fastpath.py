"""The fast JSON reader (orjson, checked) answers exactly as the exact reader (the standard
library's parser with hooks): the same value, or the same error with the same message and
JSON path, on valid, hostile and broken files alike."""

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from newsspans.errors import CorpusError
from newsspans.store.reading import loads_json, loads_json_exact


def _answer(reader, data):
    try:
        return "value", reader(data, "f.json")
    except CorpusError as exc:
        return "error", str(exc), getattr(exc, "path", None)


def _same(data):
    fast, exact = _answer(loads_json, data), _answer(loads_json_exact, data)
    assert fast == exact
    if fast[0] == "value":   # equal values of equal types: 1 and 1.0, True and 1 compare equal
        assert json.dumps(fast[1], sort_keys=True) == json.dumps(exact[1], sort_keys=True)


_keys = st.sampled_from(["a", "b", "a", "id", '"', "x:", ":", "é", "\\", "true", "e", "1.5"])
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
    st.sampled_from(["1.5", "e", "true", "a:b", '"', "\\", "\\u0041", "\n", "1e5"]))
_values = st.recursive(_scalars, lambda children: st.lists(children, max_size=4)
                       | st.lists(st.tuples(_keys, children), max_size=4).map(lambda p: ("pairs", p)),
                       max_leaves=16)


def _write(value, indent, ascii_):
    """JSON text of `value`, where ("pairs", [...]) is an object that may repeat a key."""
    if isinstance(value, tuple) and value[0] == "pairs":
        items = [f"{json.dumps(k, ensure_ascii=ascii_)}: {_write(v, indent, ascii_)}" for k, v in value[1]]
        return "{" + (",\n " if indent else ",").join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_write(v, indent, ascii_) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_)


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow])
@given(_values, st.booleans(), st.booleans())
def test_fast_and_exact_readers_agree_on_generated_files(value, indent, ascii_):
    _same(_write(value, indent, ascii_).encode("utf-8"))


def _plain(value):
    """`value` with its objects as dicts (a repeated key keeps its last value)."""
    if isinstance(value, tuple) and value[0] == "pairs":
        return {k: _plain(v) for k, v in value[1]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(_values)
def test_fast_and_exact_readers_agree_on_files_written_as_newsspans_writes(value):
    # The layout of every file newsspans writes, which the fast reader recognises byte for
    # byte: floats, strings that look like numbers and escapes must still be told apart.
    _same((json.dumps(_plain(value), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


@settings(max_examples=500)
@given(_values, st.data())
def test_fast_and_exact_readers_agree_on_damaged_files(value, data):
    raw = bytearray(_write(value, True, False).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.sampled_from(
            [b'"', b"\\", b"\\u", b"\\ud800", b":", b",", b"1.0", b"1e3", b"NaN", b"\xef\xbb\xbf",
             b"\xed\xa0\x80", b"\xff", b"9" * 25, b"-0", b"}", b"]", b"{", b"[", b"\x00", b" "]))
    _same(bytes(raw))


@settings(max_examples=300)
@given(st.binary(max_size=80))
def test_fast_and_exact_readers_agree_on_arbitrary_bytes(raw):
    _same(raw)


@pytest.mark.parametrize("raw", [
    b'{"a": 1, "a": 1}', b'{"a": {"b": 1}, "a": {"b": 1}}', b'[1.0]', b'{"x": 123456789012345678901234567890}',
    b'{"x": 18446744073709551615}', b'{"x": -9223372036854775808}', b'{"x": -0}', b'{"k": "1.5", "t": true}',
    b'{"a": "x\\":y", "a": 2}', b'{"a": 1, "b": "\\u003a"}', b'[' * 300 + b']' * 300,
    b'[' * 2000 + b']' * 2000, b'{"e": false, "f": 1E2}', b'\xef\xbb\xbf[]', b'"\\ud800"',
])
def test_fast_and_exact_readers_agree_on_the_hard_cases(raw):
    _same(raw)
