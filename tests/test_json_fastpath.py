"""The fast JSON reader (orjson, checked) answers exactly as the exact reader (the standard
library's parser with hooks): the same value, or the same error with the same message and
JSON path, on valid, hostile and broken files alike; with its check compiled
(`_fastcheck.exact_json`, where it was built) and with the Python reference alone."""

import json
from contextlib import contextmanager

import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from newsspans.errors import CorpusError
from newsspans.store.compiled import fastcheck
from newsspans.store import reading
from newsspans.store.reading import loads_json, loads_json_exact

GUARDS = ["compiled", "reference"]


@contextmanager
def _guard(name):
    """The reader's check as `name`: the compiled scan first, or the Python reference alone."""
    if name == "compiled" and fastcheck is None:
        pytest.skip("the compiled checks are not built here")
    saved = reading.fastcheck
    reading.fastcheck = fastcheck if name == "compiled" else None
    try:
        yield
    finally:
        reading.fastcheck = saved


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
@pytest.mark.parametrize("guard", GUARDS)
def test_fast_and_exact_readers_agree_on_generated_files(guard, value, indent, ascii_):
    with _guard(guard):
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
@pytest.mark.parametrize("guard", GUARDS)
def test_fast_and_exact_readers_agree_on_files_written_as_newsspans_writes(guard, value):
    # The layout of every file newsspans writes, which the fast reader recognises byte for
    # byte: floats, strings that look like numbers and escapes must still be told apart.
    with _guard(guard):
        _same((json.dumps(_plain(value), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


@settings(max_examples=500)
@given(_values, st.data())
@pytest.mark.parametrize("guard", GUARDS)
def test_fast_and_exact_readers_agree_on_damaged_files(guard, value, data):
    raw = bytearray(_write(value, True, False).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.sampled_from(
            [b'"', b"\\", b"\\u", b"\\ud800", b":", b",", b"1.0", b"1e3", b"NaN", b"\xef\xbb\xbf",
             b"\xed\xa0\x80", b"\xff", b"9" * 25, b"-0", b"}", b"]", b"{", b"[", b"\x00", b" "]))
    with _guard(guard):
        _same(bytes(raw))


@settings(max_examples=300)
@given(st.binary(max_size=80))
@pytest.mark.parametrize("guard", GUARDS)
def test_fast_and_exact_readers_agree_on_arbitrary_bytes(guard, raw):
    with _guard(guard):
        _same(raw)


@pytest.mark.parametrize("raw", [
    b'{"a": 1, "a": 1}', b'{"a": {"b": 1}, "a": {"b": 1}}', b'[1.0]', b'{"x": 123456789012345678901234567890}',
    b'{"x": 18446744073709551615}', b'{"x": -9223372036854775808}', b'{"x": -0}', b'{"k": "1.5", "t": true}',
    b'{"a": "x\\":y", "a": 2}', b'{"a": 1, "b": "\\u003a"}', b'[' * 300 + b']' * 300,
    b'[' * 2000 + b']' * 2000, b'{"e": false, "f": 1E2}', b'\xef\xbb\xbf[]', b'"\\ud800"',
])
@pytest.mark.parametrize("guard", GUARDS)
def test_fast_and_exact_readers_agree_on_the_hard_cases(guard, raw):
    with _guard(guard):
        _same(raw)


# The compiled scan on its own: wherever it vouches for orjson's parse, the exact reader
# returns the same value (it is asked only about files orjson parsed).

def _vouched_rightly(data):
    """exact_json's answer on `data`, after checking that it and exact_parse vouch rightly."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    vouched = fastcheck.exact_json(data)
    if vouched or fastcheck.exact_parse(data, obj):
        exact = loads_json_exact(data, "f.json")   # a refusal here fails the test
        assert json.dumps(obj, sort_keys=True) == json.dumps(exact, sort_keys=True)
    return vouched


needs_compiled = pytest.mark.skipif(fastcheck is None, reason="the compiled checks are not built here")


@needs_compiled
@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow])
@given(_values, st.booleans(), st.booleans(), st.data())
def test_the_compiled_scan_vouches_only_for_exact_parses(value, indent, ascii_, data):
    raw = bytearray(_write(value, indent, ascii_).encode("utf-8"))
    for _ in range(data.draw(st.integers(0, 2))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.sampled_from(
            [b'"', b"\\", b"\\/", b"\\u0041", b":", b",", b"1.0", b"1e3", b"1E3", b"9" * 19, b"-0",
             b'"a": 1, ', b'"a": 1', b"{", b"}", b"[", b"]", b" ", b"\n"]))
    _vouched_rightly(bytes(raw))


@needs_compiled
@settings(max_examples=500)
@given(st.binary(max_size=120))
def test_the_compiled_scan_reads_arbitrary_bytes_safely(raw):
    assert fastcheck.exact_json(raw) in (True, False)
    _vouched_rightly(raw)


@needs_compiled
@pytest.mark.parametrize("raw, vouched", [
    (b'{"a": 1, "b": [1, 2], "c": {"a": null, "b": true}}', True),
    (b'[{"a": 1}, {"a": 1}]', True),                       # one key in sibling objects
    (b'{"a": {"b": 1}, "b": 2}', True),                     # a nested object's key, then the same outside
    (b'{"a": 1, "b": {"a": 1}, "a": 2}', False),            # a key repeated after a nested object
    (b'{"a": [{"a": 1}], "a": 1}', False),
    (b'{"": 1, "": 2}', False),
    (b'{"a/": 1, "a\\/": 2}', False),                       # the same key once decoded
    (b'{"k\\"": 1}', False),                                # an escaped key: the reference decides
    (b'{"v": "a \\"quoted\\" 1.5 word"}', True),           # escapes and a fraction inside a string
    (b'{"v": "\\\\u0041"}', True),                          # a backslash, then "u0041"
    (b'{"v": "\\u0041"}', False),
    (b'{"x": 999999999999999999}', True),                   # 18 digits
    (b'{"x": 9999999999999999999}', False),                 # 19: the reference decides
    (b'{"x": -0}', True),
    (b'{"x": 1.0}', False), (b'{"x": 1e2}', False), (b'{"x": 1E2}', False),
    (b'[' * 255 + b']' * 255, True), (b'[' * 256 + b']' * 256, False),
    (b'{' + b", ".join(b'"k%d": 1' % i for i in range(64)) + b'}', True),
    (b'{' + b", ".join(b'"k%d": 1' % i for i in range(65)) + b'}', False),
    (b'{"a": "x\\":y", "a": 2}', False),
])
def test_the_compiled_scan_on_the_hard_cases(raw, vouched):
    assert _vouched_rightly(raw) is vouched


@needs_compiled
@pytest.mark.parametrize("raw, vouched", [
    (b'{"a": 1, "b": [1, 2], "c": {"a": null, "b": "x"}}', True),
    (b'{"a": 1, "a" : 2}', False),                         # a duplicate written another way
    (b'{"a": "x", "a": "x"}', False), (b'{"a": {"b": 1}, "a": {"b": 1}}', False),
    (b'[{"a": 1}, {"a": 1}]', True),
    (b'{"x": 18446744073709551615}', True),               # orjson's largest integer, exact
    (b'{"x": 18446744073709551616}', False),              # beyond it orjson gives a float
    (b'{"x": -9223372036854775809}', False),
    (b'{"x": 1.0}', False), (b'{"x": 1e2}', False),
    (b'[' * 255 + b']' * 255, True), (b'[' * 256 + b']' * 256, False),
    (b'{"k": "\\u0041", "k": 1}', False),                 # a backslash: the scan decides
    (b'{"k": "say \\"hi\\""}', True),
    (b'"only a string"', True), (b'7', True), (b'null', True),
])
def test_the_compiled_check_of_a_parse_on_the_hard_cases(raw, vouched):
    obj = orjson.loads(raw)
    assert fastcheck.exact_parse(raw, obj) is vouched
    _vouched_rightly(raw)
