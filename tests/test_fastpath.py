"""The fast paths must decide exactly as the reference paths do (the compiled schema
validator as jsonschema does; the strict JSON reader as json.loads does, refusing more)."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from newsspans.validation import validate as validate_module
from newsspans.errors import CorpusError
from newsspans.store.reading import lone_surrogate_path, loads_json
from newsspans.validation.schemas import is_valid, validator
from newsspans.validation.validate import validate_corpus

from conftest import MINI

SAMPLES = {
    "annotations": [json.loads(p.read_text(encoding="utf-8"))
                    for p in sorted(MINI.glob("annotations/*/**/*.json")) if p.name != "entities.json"],
    "document": [json.loads(p.read_text(encoding="utf-8")) for p in sorted(MINI.glob("corpus/*/document.json"))],
    "entities": [json.loads((MINI / "annotations" / "entities.json").read_text(encoding="utf-8"))],
}

_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.text(max_size=8),
    st.sampled_from(["PERSON", "DATE", "NAM", "direct", "statistic", "@author", "m1", "q1",
                     "0" * 64, "2026-11-28", "v1.txt", "test", "../x", "", "raw.txt", "Q42"]),
    st.lists(st.integers(0, 3), max_size=2), st.just({}), st.just({"start": 0}),
)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, prefix + (i,))


@st.composite
def _mutated(draw):
    kind = draw(st.sampled_from(sorted(SAMPLES)))
    data = copy.deepcopy(draw(st.sampled_from(SAMPLES[kind])))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(list(_paths(data))))
        if not path:
            continue
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set":
            parent[path[-1]] = copy.deepcopy(draw(_values))
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "id", "entity", "cue", "orphans"]))] = copy.deepcopy(draw(_values))
        else:
            parent.append(copy.deepcopy(draw(_values)))
    return kind, data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])   # the first call imports python-jsonschema
@given(_mutated())
def test_compiled_validator_agrees_with_the_reference(case):
    kind, data = case
    assert is_valid(kind, data) == (not list(validator(kind).iter_errors(data)))


def test_the_samples_are_valid_and_some_mutations_are_not():
    for kind, samples in SAMPLES.items():
        for sample in samples:
            assert is_valid(kind, sample)
            broken = dict(sample, unexpected=1)
            assert not is_valid(kind, broken) and list(validator(kind).iter_errors(broken))


_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
              st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["a", "b", '"', 'x":', "é"]), children, max_size=4),
    max_leaves=20)


@settings(max_examples=400)
@given(_json_values, st.booleans())
def test_strict_json_reading_equals_the_plain_parser_on_valid_files(value, indent):
    # The strict reader refuses more than json.loads, never reads anything differently.
    data = json.dumps(value, ensure_ascii=False, indent=2 if indent else None).encode("utf-8")
    assert loads_json(data, "f.json") == json.loads(data) == value


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_reading_arbitrary_bytes_parses_or_raises_a_corpus_error(data):
    try:
        loads_json(data, "f.json")
    except CorpusError as exc:
        assert str(exc).startswith("f.json")


@pytest.mark.parametrize("raw, message", [
    (b'{"a": 1, "b": {"a": 2, "a": 3}}', "f.json: duplicate key 'a' in one object"),
    (b'{"text": "he said \\": \\" twice", "a": 1}', None),
    # A duplicate key balanced by a quote-colon written with an escaped colon: the count of
    # `":` in the file equals the count in the re-serialised result. A heuristic that
    # compares those counts let it through; the exact parser does not.
    (b'{"a": 1, "a": 2, "s": "\\"\\u003a"}', "f.json: duplicate key 'a' in one object"),
    (b'{"a": 1, "\\u0061": 2}', "f.json: duplicate key 'a' in one object"),
    (b'{"start": 4.0}', "f.json $.start: 4.0 is not an integer: no number in these files has a fraction or an exponent"),
    (b'{"a": [0, {"end": 1e3}]}', "f.json $.a[1].end: 1e3 is not an integer: no number in these files has a fraction or an exponent"),
    (b'[1, Infinity]', "f.json: Infinity is not valid JSON"),
    (b'{"a": "\\ud800"}', "f.json $.a: '\\ud800' is not valid Unicode: lone surrogate U+D800 at character 0"),
    (b'{"a": "\\ud83d\\ude00"}', None),
    (b'{"a": "\\\\ud800"}', None),
    (b'\xef\xbb\xbf{}', "f.json: starts with a UTF-8 byte-order mark (remove it)"),
])
def test_json_reading_is_strict(raw, message):
    if message is None:
        assert loads_json(raw, "f.json") == json.loads(raw)
    else:
        with pytest.raises(CorpusError) as info:
            loads_json(raw, "f.json")
        assert str(info.value) == message


_surrogate_text = st.text(st.characters(min_codepoint=0xD7FE, max_codepoint=0xE001) | st.sampled_from("a😀\\"),
                          max_size=4)
_surrogate_values = st.recursive(
    st.one_of(st.integers(-5, 5), _surrogate_text),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_surrogate_text, children, max_size=3),
    max_leaves=12)


@settings(max_examples=400)
@given(_surrogate_values)
def test_the_fast_unicode_check_decides_as_the_walk_over_every_string(value):
    # Written with ensure_ascii, every surrogate is an escape; two adjacent ones may pair up.
    data = json.dumps(value, ensure_ascii=True).encode("ascii")
    reference = json.loads(data)
    bad = lone_surrogate_path(reference)
    if bad is None:
        assert loads_json(data, "f.json") == reference
    else:
        with pytest.raises(CorpusError) as info:
            loads_json(data, "f.json")
        assert info.value.path == bad and "is not valid Unicode: lone surrogate" in str(info.value)


def test_parallel_validation_reports_what_serial_validation_does(mini, monkeypatch):
    for doc in ("mini-tromso-schools", "mini-brittany-storm"):
        gold = mini / "annotations" / doc / "gold.json"
        data = json.loads(gold.read_text(encoding="utf-8"))
        data["entities"][0]["end"] += 999
        data["quotes"][0]["speaker"] = "nobody"
        gold.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    serial = validate_corpus(mini, jobs=1)
    monkeypatch.setattr(validate_module, "_PARALLEL_FROM", 1)
    assert validate_corpus(mini, jobs=2) == serial
    assert len(serial) == 4


@pytest.mark.parametrize("value", ["m1\n", "tiny-doc\n"])
def test_a_final_newline_fails_a_pattern_in_both_validators(value):
    # JSON Schema patterns are ECMA-262, where `$` does not match before a final newline.
    data = copy.deepcopy(SAMPLES["annotations"][0])
    data["entities"][0]["id"] = value
    data["doc_id"] = value if value.startswith("tiny") else data["doc_id"]
    assert not is_valid("annotations", data)
    assert list(validator("annotations").iter_errors(data))
