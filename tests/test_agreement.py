"""Agreement: span F1 (exact and overlap) per layer and label, Cohen's kappa on tokens."""

import json

from newsspans.curation.agreement import agreement, cohen_kappa, format_table, token_labels
from newsspans.curation.revise import revise
from newsspans.store.layout import Layout
from newsspans.store.writing import dumps_json

TROMSO = "mini-tromso-schools"


def _write_bob(root):
    """bob = gold minus its first mention, with the second mention one character shorter."""
    corpus = Layout(root)
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    text = corpus.text(TROMSO, gold["version"])
    bob = json.loads(json.dumps(gold))
    # Drop a mention nothing speaks or claims through, so bob's file stays valid.
    used = {q["speaker"] for q in bob["quotes"]} | {c["claimant"] for c in bob["claims"]}
    dropped = bob["entities"].pop(next(i for i, m in enumerate(bob["entities"]) if m["id"] not in used))
    shortened = bob["entities"][0]
    shortened["end"] -= 1
    shortened["text"] = text[shortened["start"]:shortened["end"]]
    bob["provenance"] = dict(bob["provenance"], annotators=["bob"], method="manual")
    corpus.annotator_path(TROMSO, "bob").write_bytes(dumps_json(bob))
    return gold, dropped, shortened


def _pair(report, a, b):
    return next(p for p in report["pairs"] if (p["a"], p["b"]) == (a, b))


def test_f1_counts_exact_and_overlapping_matches(mini):
    gold, dropped, shortened = _write_bob(mini)
    n = len(gold["entities"])
    report = agreement(mini, [TROMSO])
    assert report["sources"] == ["alice", "bob", "gold"]
    scores = _pair(report, "bob", "gold")["layers"]["entities"]
    assert scores["all"] == {"a": n - 1, "b": n, "exact_f1": round(2 * (n - 2) / (2 * n - 1), 4),
                             "overlap_f1": round(2 * (n - 1) / (2 * n - 1), 4)}
    label = scores["labels"][shortened["label"]]
    assert label["overlap_f1"] > label["exact_f1"]
    assert _pair(report, "bob", "gold")["layers"]["quotes"]["all"]["exact_f1"] == 1.0
    assert _pair(report, "bob", "gold")["layers"]["quotes"]["kappa"] == 1.0
    assert 0 < scores["kappa"] < 1
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("alice", "bob"), ("alice", "gold"), ("bob", "gold")]


def test_an_identical_copy_agrees_perfectly(mini):
    corpus = Layout(mini)
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    corpus.annotator_path(TROMSO, "carol").write_bytes(dumps_json(gold))
    layers = _pair(agreement(mini, [TROMSO]), "carol", "gold")["layers"]
    for layer, scores in layers.items():
        assert scores["all"]["exact_f1"] in (1.0, None), layer
        assert scores["kappa"] == 1.0, layer


def test_files_pinned_to_another_version_are_skipped(mini, tmp_path):
    corpus = Layout(mini)
    old = corpus.read_json(corpus.gold_path(TROMSO))
    revised = tmp_path / "v2.txt"
    revised.write_text(corpus.text(TROMSO, 1) + "\n\nA sentence added in version 2.\n", encoding="utf-8")
    revise(mini, TROMSO, revised, "a sentence added", today="2024-01-01")
    # dave's layer arrives pinned to version 1 while the document awaits re-anchoring.
    corpus.annotator_path(TROMSO, "dave").write_bytes(dumps_json(old))
    doc = corpus.document(TROMSO)
    corpus.document_path(TROMSO).write_bytes(dumps_json(dict(doc, reanchor_pending=True)))
    report = agreement(mini, [TROMSO])
    assert "dave" not in report["sources"]
    assert report["skipped"] == [f"{TROMSO}: dave is pinned to version 1, others to 2"]


def test_cohen_kappa_by_hand():
    assert cohen_kappa(["P", "P", "O", "O"], ["P", "O", "O", "O"]) == 0.5
    assert cohen_kappa(["O", "O"], ["O", "O"]) == 1.0
    assert cohen_kappa([], []) is None


def test_token_labels_take_the_innermost_span():
    text = "Prime Minister Kim spoke"
    spans = [(0, 18, "PERSON"), (15, 18, "GPE")]
    assert token_labels(text, spans) == ["PERSON", "PERSON", "GPE", "O"]


def test_cli_table_and_json(mini, cli):
    _write_bob(mini)
    table = cli("agreement", "--root", mini, "--doc", TROMSO)
    assert table.exit_code == 0
    assert table.output.startswith("alice vs bob (1 document)\n")
    assert "  entities ALL" in table.output and "exact F1" in table.output
    as_json = cli("agreement", "--root", mini, "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output)["sources"] == ["alice", "bob", "gold"]


def test_nothing_to_compare():
    assert format_table({"pairs": [], "skipped": []}).startswith("no two sources")


def test_an_annotator_called_gold_is_not_mistaken_for_gold(mini):
    corpus = Layout(mini)
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    corpus.annotator_path(TROMSO, "gold").write_bytes(dumps_json(dict(gold, entities=[], quotes=[], claims=[])))
    report = agreement(mini, [TROMSO])
    assert report["sources"] == ["alice", "annotators/gold", "gold"]
    assert _pair(report, "annotators/gold", "gold")["layers"]["entities"]["all"]["a"] == 0


def test_span_f1_ignores_the_label_and_the_pair_has_its_alpha(mini):
    """A claim with the same span but another category disagrees on the label, not the span."""
    corpus = Layout(mini)
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    erin = json.loads(json.dumps(gold))
    claim = erin["claims"][0]
    claim["category"] = next(c for c in ("evaluation", "event") if c != claim["category"])
    claim["checkworthy"] = False
    erin["provenance"] = dict(erin["provenance"], annotators=["erin"], method="manual")
    corpus.annotator_path(TROMSO, "erin").write_bytes(dumps_json(erin))
    pair = _pair(agreement(mini, [TROMSO]), "erin", "gold")
    claims, n = pair["layers"]["claims"], len(gold["claims"])
    assert claims["span"] == {"a": n, "b": n, "exact_f1": 1.0, "overlap_f1": 1.0}
    assert claims["all"]["exact_f1"] == round(2 * (n - 1) / (2 * n), 4)
    assert claims["alpha"] < 1 and pair["layers"]["entities"]["alpha"] == 1.0


def test_an_adjudicated_layer_is_not_a_source(mini):
    corpus = Layout(mini)
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    merged = dict(gold, provenance=dict(gold["provenance"], annotators=["alice", "bob"], method="adjudicated"))
    corpus.annotator_path(TROMSO, "adjudicated").write_bytes(dumps_json(merged))
    corpus.annotator_path(TROMSO, "carol").write_bytes(dumps_json(merged))
    assert agreement(mini, [TROMSO])["sources"] == ["alice", "carol", "gold"]
