"""adjudicate: every disagreement between two layers decided once in the log, applied to make
the adjudicated layer; refused when undecided or when a decision matches nothing; fresh."""

import json
import shutil

import pytest

from newsspans.curation.adjudicate import adjudicate, check, disagreements, keep_gold_as, pending, portable
from newsspans.curation.adopt import adopt
from newsspans.errors import CorpusError, InvalidCorpus
from newsspans.store.layout import Layout
from newsspans.store.writing import dumps_json
from newsspans.validation.validate import validate_corpus

from conftest import REPO, SEED_ID, snapshot

TROMSO = "mini-tromso-schools"
LOG = f"annotations/{TROMSO}/adjudication.jsonl"


def _two_passes(mini):
    """ann = gold; ben = gold with c3 categorised otherwise and c2 missing; alice set aside."""
    corpus = Layout(mini)
    (mini / "annotations" / TROMSO / "annotators" / "alice.json").unlink()
    shutil.copy2(REPO / "annotations" / "GUIDELINES.md", mini / "annotations" / "GUIDELINES.md")
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    ann = dict(gold, provenance=dict(gold["provenance"], annotators=["ann"], method="manual"))
    ben = json.loads(json.dumps(dict(gold, provenance=dict(gold["provenance"], annotators=["ben"],
                                                           method="manual"))))
    ben["claims"] = [c for c in ben["claims"] if c["id"] != "c2"]
    ben["claims"][-1].update(category="event", checkworthy=True)
    for name, data in (("ann", ann), ("ben", ben)):
        corpus.annotator_path(TROMSO, name).write_bytes(dumps_json(data))
    return gold


def _write_log(mini, entries):
    (mini / LOG).write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")


def _decide(entry, decision, **extra):
    return dict(entry, decision=decision, section="4.4", reason="the definition fits", **extra)


def test_portable_items_name_their_references_by_span(mini):
    gold = _two_passes(mini)
    claims = portable(gold)["claims"]
    assert claims[0]["claimant"] == {"start": 6, "end": 18, "text": "Zoë Ångström"}
    assert claims[0]["quote"]["start"] == 41 and "id" not in claims[0]


def test_pairs_by_span_then_overlap_and_lone_items():
    a = {"entities": [], "quotes": [], "claims": [
        {"start": 0, "end": 10, "text": "x", "category": "event"},
        {"start": 20, "end": 30, "text": "y", "category": "event"},
        {"start": 40, "end": 50, "text": "z", "category": "event"}]}
    b = {"entities": [], "quotes": [], "claims": [
        {"start": 0, "end": 10, "text": "x", "category": "event"},
        {"start": 20, "end": 30, "text": "y", "category": "evaluation"},
        {"start": 42, "end": 50, "text": "z'", "category": "event"},
        {"start": 60, "end": 70, "text": "w", "category": "event"}]}
    agreed, found = disagreements(a, b, "ann", "ben")
    assert agreed["claims"] == [a["claims"][0]]
    assert [(d["versions"]["ann"], d["versions"]["ben"]) for d in found] == [
        (a["claims"][1], b["claims"][1]), (a["claims"][2], b["claims"][2]), (None, b["claims"][3])]


def test_undecided_disagreements_are_refused_and_listed(mini, cli):
    _two_passes(mini)
    before = snapshot(mini)
    result = cli("adjudicate", "--doc", TROMSO, "--yes", "--root", mini)
    assert result.exit_code == 1
    assert "undecided: claims [95:122] 'We will build 3 new schools' ([95:122] vs absent)" in result.output
    assert "undecided: claims [207:224] 'the plan was late' ([207:224] vs [207:224])" in result.output
    assert "2 undecided, 0 decisions of nothing" in result.output
    assert snapshot(mini) == before
    todo = [json.loads(line) for line in cli("adjudicate", "--doc", TROMSO, "--pending", "--root", mini).output.splitlines()]
    assert [(t["layer"], t["decision"], t["versions"]["ben"] is None) for t in todo] == [
        ("claims", None, True), ("claims", None, False)]


def test_the_log_makes_the_adjudicated_layer_that_adopt_promotes(mini, cli):
    gold = _two_passes(mini)
    missing, recategorised = pending(mini, TROMSO)
    # "other": the adjudicator's own version (here the one gold has, written out in full).
    own = dict(recategorised["versions"]["ben"], category="evaluation", checkworthy=False)
    _write_log(mini, [_decide(missing, "ann"), _decide(recategorised, "other", result=own)])
    result = cli("adjudicate", "--doc", TROMSO, "--yes", "--root", mini)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"ann vs ben: {16 + 4 + 1} items agreed, 2 disagreements decided (1 for ann, 0 for ben, 1 other)",
        f"wrote annotations/{TROMSO}/annotators/adjudicated.json"]
    made = Layout(mini).read_json(Layout(mini).annotator_path(TROMSO, "adjudicated"))
    assert {k: made[k] for k in ("entities", "quotes", "claims")} == \
        {k: gold[k] for k in ("entities", "quotes", "claims")}
    assert made["provenance"]["annotators"] == ["ann", "ben"]
    assert made["provenance"]["method"] == "adjudicated"
    assert LOG in made["provenance"]["note"]
    assert made["provenance"]["guidelines"].startswith("annotations/GUIDELINES.md, version ")
    assert check(mini, TROMSO) == []
    again = cli("adjudicate", "--doc", TROMSO, "--yes", "--root", mini)
    assert again.output.splitlines()[-1].endswith("adjudicated.json unchanged")
    adopt(mini, "adjudicated", TROMSO, write=True, accept_lint=True)   # the fixture's own direct-comma
    assert validate_corpus(mini) == []
    # A layer that changes after the log was written makes both the log and the layer stale.
    corpus = Layout(mini)
    ben = corpus.read_json(corpus.annotator_path(TROMSO, "ben"))
    ben["claims"][0]["checkworthy"] = False
    corpus.annotator_path(TROMSO, "ben").write_bytes(dumps_json(ben))
    stale = check(mini, TROMSO)
    assert stale[0].startswith("undecided: claims [41:91]")
    assert stale[-1].startswith("1 undecided, 0 decisions of nothing")


def test_a_line_that_decides_nothing_is_refused_with_its_line_number(mini):
    _two_passes(mini)
    missing, recategorised = pending(mini, TROMSO)
    stray = json.loads(json.dumps(missing))
    stray["versions"]["ann"]["text"] = "no such claim"
    _write_log(mini, [_decide(missing, "ann"), _decide(recategorised, "ben"), _decide(stray, "ben")])
    with pytest.raises(CorpusError, match=f"{LOG} line 3: matches no disagreement"):
        adjudicate(mini, TROMSO, write=True)
    assert not Layout(mini).annotator_path(TROMSO, "adjudicated").exists()


def test_malformed_lines_are_every_one_located(mini):
    _two_passes(mini)
    missing, recategorised = pending(mini, TROMSO)
    bad_section = dict(_decide(missing, "ann"), section="99.9")
    no_result = _decide(recategorised, "other")
    (mini / LOG).write_text(json.dumps(bad_section) + "\n{oops\n" + json.dumps(no_result) + "\n", encoding="utf-8")
    with pytest.raises(InvalidCorpus) as caught:
        adjudicate(mini, TROMSO)
    messages = [p.format() for p in caught.value.problems]
    assert messages[0].startswith(f"{LOG} $: line 1: section '99.9' is not a numbered section")
    assert messages[1].startswith(f"{LOG} $: line 2: not JSON")
    assert messages[2] == (f"{LOG} $: line 3: a decision 'other' gives its 'result' (an item, or null "
                           f"for none); the others do not")


def test_a_result_that_refers_to_a_dropped_item_is_refused(mini):
    _two_passes(mini)
    missing, recategorised = pending(mini, TROMSO)
    orphan = dict(recategorised["versions"]["ann"], claimant={"start": 0, "end": 5, "text": "Mayor"})
    _write_log(mini, [_decide(missing, "ben"), _decide(recategorised, "other", result=orphan)])
    with pytest.raises(CorpusError, match=r"c2 \[207:224\] refers to 'Mayor' \[0:5\]: 0 adjudicated entities"):
        adjudicate(mini, TROMSO)


def test_keep_gold_as_writes_a_single_pass_once(mini):
    corpus = Layout(mini)
    with pytest.raises(CorpusError, match="is not ann's single pass"):
        keep_gold_as(mini, TROMSO, "ann")
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    gold["provenance"].update(annotators=["ann"], method="manual")
    corpus.gold_path(TROMSO).write_bytes(dumps_json(gold))
    assert keep_gold_as(mini, TROMSO, "ann") == f"annotations/{TROMSO}/annotators/ann.json"
    assert corpus.read_json(corpus.annotator_path(TROMSO, "ann")) == gold
    assert keep_gold_as(mini, TROMSO, "ann") == f"annotations/{TROMSO}/annotators/ann.json"


def test_the_committed_seed_adjudication_is_fresh_and_is_the_gold(cli):
    assert check(REPO, SEED_ID) == []
    result = cli("adjudicate", "--check", "--root", REPO)
    assert (result.exit_code, result.output) == (0, "1 adjudication fresh\n")
    corpus = Layout(REPO)
    made = corpus.read_json(corpus.annotator_path(SEED_ID, "adjudicated"))
    gold = corpus.read_json(corpus.gold_path(SEED_ID))
    assert {k: gold[k] for k in ("entities", "quotes", "claims")} == \
        {k: made[k] for k in ("entities", "quotes", "claims")}
    assert gold["provenance"]["annotators"] == made["provenance"]["annotators"] == ["newsspans-llm-1", "newsspans-llm-2"]
    assert f"annotations/{SEED_ID}/adjudication.jsonl" in gold["provenance"]["note"]
