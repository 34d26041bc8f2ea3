"""The compiled pass over an annotation file's layers (`_fastcheck.layers_sound`) answers
"nothing to report" exactly where the Python reference (`_LayerChecks.run`) reports
nothing, on arbitrary layers; validation reports the same problems with it and without."""

import json
import shutil
import sysconfig

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from newsspans.store import compiled as fast
from newsspans.store.compiled import fastcheck
from newsspans.model import labels
from newsspans.store import reading
from newsspans.validation import checks
from newsspans.validation.validate import validate_corpus

from conftest import MINI, REPO
from test_validate_cache import DOCS, EDITS, _json_edit


def _edit_span(layer, field, change):
    def edit(root, doc):
        def apply(data):
            if data.get(layer):
                item = data[layer][len(data[layer]) // 2]
                item[field] = change(item[field])
        _json_edit(root / "annotations" / doc / "gold.json", apply)
    return edit


# Edits of one span's field, beside the cache test's edits of whole files.
SPAN_EDITS = {
    "mention text": _edit_span("entities", "text", lambda t: t + " "),
    "mention start": _edit_span("entities", "start", lambda n: n - 1),
    "mention unlinked": _edit_span("entities", "entity", lambda e: None),
    "quote speaker": _edit_span("quotes", "speaker", lambda s: "q1"),
    "quote cue": _edit_span("quotes", "cue", lambda c: c and {**c, "end": c["end"] + 1}),
    "claim quote": _edit_span("claims", "quote", lambda q: "m1"),
    "claim id": _edit_span("claims", "id", lambda i: "m1"),
    "claim end": _edit_span("claims", "end", lambda n: n + 10_000),
}

needs_compiled = pytest.mark.skipif(fastcheck is None, reason="the compiled checks are not built here")


def test_the_compiled_checks_are_built_where_a_compiler_is(monkeypatch):
    compiler = (sysconfig.get_config_var("CC") or "").split()
    if not compiler or shutil.which(compiler[0]) is None:
        pytest.skip("no C compiler here: validation runs its pure Python path")
    monkeypatch.delenv("NEWSSPANS_PURE_PYTHON", raising=False)
    assert fast._load() is not None, "src/newsspans/_fastcheck.c is not built, or is stale: run make setup"


def test_pure_python_is_chosen_by_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSSPANS_PURE_PYTHON", "1")
    assert fast._load() is None


def _reference(data, text, registry, links_required):
    saved = checks.fastcheck
    checks.fastcheck = None
    try:
        return checks._LayerChecks("f.json", "d@1", text, registry, links_required).run(data)
    finally:
        checks.fastcheck = saved


def _compiled(data, text, registry):
    return fastcheck.layers_sound(data, text, registry, checks._LINK_REQUIRED, checks._VALUE_TYPES,
                                  checks._SPEAKER_TYPES, labels.AUTHOR_ID)


REGISTRY = {"e-per": {"id": "e-per", "type": "PERSON"}, "e-org": {"id": "e-org", "type": "ORG"},
            "e-gpe": {"id": "e-gpe", "type": "GPE"}}
_LINKS = {"PERSON": "e-per", "ORG": "e-org", "GPE": "e-gpe"}
_WORDS = st.text(st.sampled_from("abé𠮷,.\u00a0"), min_size=1, max_size=4)
_GAPS = st.sampled_from([" ", " ", "\n", "\n\n", "\u2003"])


@st.composite
def _text(draw):
    words = draw(st.lists(_WORDS, max_size=8))
    return "".join(w + draw(_GAPS) for w in words)


@st.composite
def _span(draw, text, inline=False):
    """A span of `text`: mostly one the reference accepts, sometimes any offsets and any text."""
    sound = [(i, j) for i in range(len(text)) for j in range(i + 1, len(text) + 1)
             if text[i:j] == text[i:j].strip() and not (inline and "\n" in text[i:j])]
    if sound and draw(st.integers(0, 9)) < 8:
        start, end = draw(st.sampled_from(sound))
        return {"start": start, "end": end, "text": text[start:end]}
    start, end = draw(st.integers(0, len(text) + 2)), draw(st.integers(0, len(text) + 2))
    shown = text[start:end]
    return {"start": start, "end": end,
            "text": draw(st.sampled_from([shown, f" {shown}", f"{shown}\n", shown[:-1], "x"]))}


def _pick(draw, usual, unusual):
    """Mostly one of `usual` (when there is one), sometimes one of `unusual`."""
    if usual and draw(st.integers(0, 9)) < 8:
        return draw(st.sampled_from(usual))
    return draw(st.sampled_from(unusual))


@st.composite
def _layers(draw):
    text = draw(_text())
    entities = []
    for i in range(draw(st.integers(0, 4))):
        label = draw(st.sampled_from(["PERSON", "ORG", "GPE", "DATE", "EVENT", "LOC"]))
        link = _LINKS.get(label) if label not in ("LOC",) else None
        entity = _pick(draw, [link] if label in _LINKS else [None] if label in ("DATE", "EVENT") else [],
                       [None, "e-per", "e-org", "e-gpe", "gone"])
        entities.append(dict(draw(_span(text, inline=True)), id=_pick(draw, [f"m{i + 1}"], ["m1", "q1", "c1"]),
                             label=label, mention="NAM", entity=entity))
    mentions = [m["id"] for m in entities]
    quotes = [dict(draw(_span(text)), id=_pick(draw, [f"q{i + 1}"], ["q1", "m1", "c1"]), kind="direct",
                   speaker=_pick(draw, mentions + [None], [None, "q1", "c1", "@author", "zz", "m1"]),
                   cue=draw(st.one_of(st.none(), _span(text, inline=True))))
              for i in range(draw(st.integers(0, 3)))]
    claims = []
    for i in range(draw(st.integers(0, 3))):
        claim = dict(draw(_span(text)), id=_pick(draw, [f"c{i + 1}"], ["c1", "q1", "m1"]),
                     claimant=_pick(draw, mentions + [None, "@author"], ["q1", "zz", "m1", "@author"]),
                     quote=None, checkworthy=True, category="event")
        inside = [q["id"] for q in quotes if q["start"] <= claim["start"] and claim["end"] <= q["end"]]
        claim["quote"] = _pick(draw, inside + [None], [None, "q1", "q2", "m1", "c1"])
        claims.append(claim)
    data = {"doc_id": "d", "version": 1, "entities": entities, "quotes": quotes, "claims": claims}
    orphans = _pick(draw, [None, []], [[{"layer": "entities", "old_version": 1, "reason": "gone",
                                         "annotation": {"id": "m9", "text": "x"}}]])
    if orphans is not None:
        data["orphans"] = orphans
    return data, text


@needs_compiled
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_layers(), st.sampled_from([REGISTRY, None, {}]), st.booleans())
def test_the_compiled_pass_answers_sound_exactly_where_the_reference_reports_nothing(layers, registry,
                                                                                    links_required):
    data, text = layers
    before = json.dumps(data, sort_keys=True)
    event("sound" if _reference(data, text, registry, True) == [] else "with problems")
    sound = _compiled(data, text, registry)
    assert json.dumps(data, sort_keys=True) == before   # it changes nothing it reads
    problems = _reference(data, text, registry, links_required)
    if links_required:   # gold: a link left out is a problem there too
        assert sound == (problems == []), [p.format() for p in problems]
    else:                # an annotator's layer: an unlinked mention is left to the reference
        assert not sound or problems == [], [p.format() for p in problems]


@needs_compiled
@pytest.mark.parametrize("bad", [
    {"entities": "not a list"}, {"entities": [1]}, {"entities": [{"id": "m1"}]},
    {"entities": [{"id": "m1", "start": "0", "end": 1, "text": "a"}]},
    {"entities": [{"id": "m1", "start": 0, "end": 2**70, "text": "a"}]},
    {"entities": [{"id": "m1", "start": -1, "end": 1, "text": "a"}]},
    {"entities": [{"id": 1, "start": 0, "end": 1, "text": "a"}]},
    {"quotes": [{"id": "q1", "start": 0, "end": 1, "text": "a", "speaker": ["m1"], "cue": None}]},
    {"claims": [{"id": "c1", "start": 0, "end": 1, "text": "a", "claimant": None, "quote": 5}]},
    {"orphans": "none"},
])
def test_the_compiled_pass_leaves_what_it_does_not_expect_to_the_reference(bad):
    data = {"entities": [], "quotes": [], "claims": [], **bad}
    assert _compiled(data, "abc", REGISTRY) is False


@needs_compiled
def test_every_layer_of_the_repository_passes_the_compiled_pass():
    # The fast path is taken for sound files: the corpus, the fixtures (gold and annotators).
    for root in (REPO, MINI):
        registry = json.loads((root / "annotations" / "entities.json").read_text(encoding="utf-8"))
        registry = {e["id"]: e for e in registry["entities"]}
        for path in sorted((root / "annotations").glob("*/gold.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            text = (root / "corpus" / data["doc_id"] / f"v{data['version']}.txt").read_text(encoding="utf-8")
            assert _compiled(data, text, registry), path


def _both_ways(root):
    """validate_corpus's problems at `root` (formatted): with the compiled checks, and with
    the Python references alone."""
    compiled = [p.format() for p in validate_corpus(root, jobs=1)]
    saved = checks.fastcheck, reading.fastcheck
    checks.fastcheck = reading.fastcheck = None
    try:
        reference = [p.format() for p in validate_corpus(root, jobs=1)]
    finally:
        checks.fastcheck, reading.fastcheck = saved
    return compiled, reference


@needs_compiled
@pytest.mark.parametrize("edit", ["none", "shift", "text", "duplicate", "speaker", "link", "escape"])
def test_validation_reports_the_same_with_and_without_the_compiled_checks(tmp_path, edit):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    for path in sorted((root / "annotations").glob("*/**/*.json")):
        if path.name == "entities.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if edit == "shift" and data["entities"]:
            data["entities"][-1]["end"] += 1
        elif edit == "text" and data["quotes"]:
            data["quotes"][0]["text"] = data["quotes"][0]["text"] + " "
        elif edit == "duplicate" and len(data["entities"]) > 1:
            data["entities"][1]["id"] = data["entities"][0]["id"]
        elif edit == "speaker" and data["quotes"]:
            data["quotes"][0]["speaker"] = data["claims"][0]["id"] if data["claims"] else "zz"
        elif edit == "link" and data["entities"]:
            data["entities"][0]["entity"] = "no-such-entity"
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if edit == "escape":
            text = text.replace('"entities"', '"ent\\u0069ties"', 1).replace('"version": 1', '"version": 1.0', 1)
        path.write_text(text, encoding="utf-8")
    compiled, reference = _both_ways(root)
    assert compiled == reference
    assert (compiled == []) == (edit == "none")


def _storm():
    doc = MINI / "annotations" / "mini-brittany-storm" / "gold.json"
    data = json.loads(doc.read_text(encoding="utf-8"))
    text = (MINI / "corpus" / "mini-brittany-storm" / "v1.txt").read_text(encoding="utf-8")
    registry = json.loads((MINI / "annotations" / "entities.json").read_text(encoding="utf-8"))
    return data, text, {e["id"]: e for e in registry["entities"]}


def _span_over_a_break(text):
    at = text.index("\n\n", 20)
    return {"start": at - 1, "end": at + 3, "text": text[at - 1:at + 3]}


# One fault each, on a sound gold file: every rule of `_LayerChecks`, which the reference
# reports and the compiled pass must not call sound.
FAULTS = {
    "text differs": lambda d, t: d["entities"][0].update(text="Britany"),
    "ends in a space": lambda d, t: d["entities"][0].update(end=51, text=t[42:51]),
    "end past the text": lambda d, t: d["claims"][1].update(end=len(t) + 1),
    "reversed": lambda d, t: d["entities"][1].update(start=61, end=54),
    "mention over a paragraph break": lambda d, t: d["entities"][0].update(_span_over_a_break(t)),
    "cue over a paragraph break": lambda d, t: d["quotes"][0].update(cue=_span_over_a_break(t)),
    "cue text differs": lambda d, t: d["quotes"][0]["cue"].update(text="says"),
    "quote with a mention's id": lambda d, t: d["quotes"][1].update(id="m1"),
    "claim id of a quote": lambda d, t: d["claims"][0].update(id="q2"),
    "linked to another type": lambda d, t: d["entities"][5].update(entity="enedis"),
    "a value linked": lambda d, t: d["entities"][1].update(entity="brittany"),
    "no such registry entity": lambda d, t: d["entities"][3].update(entity="nowhere"),
    "a place left unlinked": lambda d, t: d["entities"][0].update(entity=None),
    "speaker is a quote": lambda d, t: d["quotes"][0].update(speaker="q2"),
    "speaker is a date": lambda d, t: d["quotes"][0].update(speaker="m2"),
    "speaker is the author": lambda d, t: d["quotes"][0].update(speaker="@author"),
    "claimant is a claim": lambda d, t: d["claims"][0].update(claimant="c2"),
    "claimant is nobody": lambda d, t: d["claims"][0].update(claimant="m99"),
    "claim's quote is a mention": lambda d, t: d["claims"][0].update(quote="m4"),
    "claim outside its quote": lambda d, t: d["claims"][0].update(quote="q2"),
    "an orphan": lambda d, t: d.update(orphans=[{"layer": "entities", "old_version": 1, "reason": "gone",
                                                 "annotation": {"id": "m9", "text": "x"}}]),
}


@needs_compiled
def test_the_storm_gold_is_sound_both_ways():
    data, text, registry = _storm()
    assert _compiled(data, text, registry) and _reference(data, text, registry, True) == []


@needs_compiled
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_no_single_fault_passes_the_compiled_pass(fault):
    data, text, registry = _storm()
    FAULTS[fault](data, text)
    assert _reference(data, text, registry, True) != []
    assert _compiled(data, text, registry) is False


@needs_compiled
@settings(max_examples=1000)
@given(st.text(st.one_of(st.sampled_from("\n\t\r\x00\x1f\x7f\x80\x85\x9f\xa0 a\u2028𠮷é"),
                         st.characters(codec="utf-8", exclude_categories=("Cs",))), max_size=30))
def test_the_compiled_control_scan_finds_what_the_expression_finds(text):
    from newsspans.model.normalize import _CONTROL
    found = _CONTROL.search(text)
    assert fastcheck.first_control(text) == (found.start() if found else -1)


# The comparison of a raw text with its version text (`normalizes_to`), against normalize.

_RAW = st.text(st.one_of(st.sampled_from("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029 \t\u3000\u2000\ufeff"
                                         "aeé.𠮷\u0301\u0308\u093c\u0915\u1100\u1161\u2126\u26a1\u200d"),
                         st.characters(codec="utf-8", exclude_categories=("Cs",))), max_size=40)


def _normalizes_to(raw, text):
    from newsspans.model.normalize import nfc
    return fastcheck.normalizes_to(raw, text, nfc)


@needs_compiled
@settings(max_examples=3000)
@given(_RAW, st.data())
def test_the_compiled_comparison_agrees_with_normalize(raw, data):
    from newsspans.model.normalize import normalize
    expected = normalize(raw)
    # The normalised text itself, near misses, or the raw text.
    text = data.draw(st.sampled_from([expected, expected, expected + "\n", expected[:-1], expected[1:],
                                      expected.replace(" ", "\n", 1), expected.replace("\n\n", "\n", 1),
                                      raw, raw.strip() + "\n"]))
    if "\ufeff" in raw:   # dropped by normalize: left to it
        assert _normalizes_to(raw, text) is False
    else:
        assert _normalizes_to(raw, text) == (expected == text)


@needs_compiled
@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_the_compiled_comparison_breaks_lines_where_splitlines_does(brk):
    raw = f" a{brk}b {brk}{brk}c"
    assert _normalizes_to(raw, "a b\n\nc\n")
    assert not _normalizes_to(raw, f"a{brk}b\n\nc\n")
    assert not _normalizes_to(f"a{brk}b", f"a{brk}b\n")


@needs_compiled
def test_the_compiled_comparison_composes_lines_that_need_it():
    assert _normalizes_to("Cafe\u0301\n\u2126 \u26a1", "Café \u03a9 \u26a1\n")
    assert not _normalizes_to("Cafe\u0301", "Cafe\u0301\n")
    # A U+FEFF, which normalize drops, is left to it: never a yes.
    assert not _normalizes_to("a\ufeffb", "a\ufeffb\n") and not _normalizes_to("a\ufeffb", "ab\n")


def _second_elements() -> set:
    """Code points that compose with a character before them (Hangul jamo algorithmically)."""
    import sys
    import unicodedata
    found = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            first, second = (chr(int(p, 16)) for p in parts)
            if unicodedata.normalize("NFC", first + second) == chr(code):
                found.add(ord(second))
    return found


@needs_compiled
def test_the_blocks_taken_as_nfc_stable_are():
    # Each code point: a starter, unchanged by NFC, neither it nor the start of its
    # decomposition composing with a character before it: a line of them is its own NFC.
    import unicodedata
    seconds = _second_elements()
    wrong = []
    for first, last in fastcheck.NFC_STABLE:
        for code in range(first, last + 1):
            char = chr(code)
            start = unicodedata.normalize("NFD", char)[:1] or char
            if (unicodedata.combining(char) or unicodedata.normalize("NFC", char) != char
                    or code in seconds or ord(start) in seconds):
                wrong.append(f"U+{code:04X}")
    assert wrong == []


@needs_compiled
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(EDITS) + sorted(SPAN_EDITS)), st.sampled_from(DOCS)),
                      min_size=1, max_size=5))
def test_validation_reports_the_same_with_and_without_the_compiled_checks_on_edited_corpora(
        tmp_path_factory, edits):
    # Arbitrary sequences of edits (the cache test's, and span edits) on a copy of the mini
    # corpus: the problems, in order and word for word, are the same either way.
    root = tmp_path_factory.mktemp("edited") / "mini"
    shutil.copytree(MINI, root)
    for name, doc in edits:
        try:
            (EDITS.get(name) or SPAN_EDITS[name])(root, doc)
        except (OSError, TypeError, KeyError, AttributeError, ValueError, IndexError):   # an earlier edit broke it
            pass
    compiled, reference = _both_ways(root)
    event("valid" if compiled == [] else "with problems")
    assert compiled == reference
