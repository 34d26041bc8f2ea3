"""adopt: an annotator's layers become gold only when valid and lint-clean (or accepted), after
a preview, with --yes; --layers, --merge; the previous gold's provenance is kept."""

import json

import pytest

from newsspans.curation.adopt import adopt
from newsspans.errors import CorpusError, InvalidCorpus
from newsspans.store.layout import Layout
from newsspans.validation.validate import validate_corpus
from tests.conftest import snapshot

TROMSO = "mini-tromso-schools"
LINT = f"annotations/{TROMSO}/annotators/alice.json ({TROMSO}@1) $.quotes[1].end: [direct-comma]"


def _gold(mini):
    corpus = Layout(mini)
    return corpus.read_json(corpus.gold_path(TROMSO))


def _write_alice(mini, change):
    corpus = Layout(mini)
    path = corpus.annotator_path(TROMSO, "alice")
    data = corpus.read_json(path)
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def test_without_yes_adopt_only_shows_the_changes(mini, cli):
    before = snapshot(mini)
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--accept-lint", "--root", mini)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "entities: 0 added, 1 removed, 1 changed"
    assert lines[1].startswith("  - m14 [291:296] 'March' DATE/NAM")
    assert lines[2].startswith("  ~ m1 ")
    assert "quotes: 0 added, 0 removed, 0 changed" in lines
    assert "claims: 0 added, 1 removed, 0 changed" in lines
    assert lines[-1] == f"nothing written: run again with --yes to write annotations/{TROMSO}/gold.json"
    assert snapshot(mini) == before


def test_lint_findings_on_the_adopted_layers_refuse_unless_accepted(mini, cli):
    before = snapshot(mini)
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--yes", "--root", mini)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {LINT}")
    assert "1 lint finding on the layers to adopt (above)" in result.output
    assert "--accept-lint" in result.output
    assert snapshot(mini) == before
    # The finding is on a quote: adopting the entities alone is not refused.
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--layers", "entities", "--yes", "--root", mini)
    assert result.exit_code == 0, result.output


def test_yes_writes_adjudicated_gold_and_keeps_the_old_provenance(mini, cli):
    corpus = Layout(mini)
    alice = corpus.read_json(corpus.annotator_path(TROMSO, "alice"))
    old = _gold(mini)
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--accept-lint", "--yes", "--root", mini)
    assert result.exit_code == 0, result.output
    assert f"adopting despite 1 lint finding:\n  {LINT}" in result.output
    assert result.output.splitlines()[-1] == f"wrote annotations/{TROMSO}/gold.json"
    gold = _gold(mini)
    assert {k: gold[k] for k in ("entities", "quotes", "claims")} == \
        {k: alice[k] for k in ("entities", "quotes", "claims")}
    assert gold["provenance"]["method"] == "adjudicated"
    assert gold["provenance"]["annotators"] == ["alice"]
    assert gold["provenance"]["note"] == \
        f"adopted every layer from annotations/{TROMSO}/annotators/alice.json, replacing gold's. " \
        f"The adopted file says: {alice['provenance']['note']}"
    assert gold["provenance"]["history"] == [old["provenance"]]
    assert validate_corpus(mini) == []
    # A second adoption appends: the history is never dropped.
    adopt(mini, "alice", TROMSO, layers=["entities"], write=True)
    again = _gold(mini)
    assert again["provenance"]["history"] == [old["provenance"],
                                              {k: v for k, v in gold["provenance"].items() if k != "history"}]
    assert validate_corpus(mini) == []


def test_some_layers_only(mini):
    old = _gold(mini)
    data = _write_alice(mini, lambda d: None)
    result = adopt(mini, "alice", TROMSO, layers=["entities"], write=True)
    gold = _gold(mini)
    assert gold["entities"] == data["entities"]
    # Gold's quotes and claims stay; their references follow the mentions by span.
    assert [q["id"] for q in gold["quotes"]] == [q["id"] for q in old["quotes"]]
    assert [c["id"] for c in gold["claims"]] == [c["id"] for c in old["claims"]]
    assert result["diff"]["quotes"] == {"added": [], "removed": [], "changed": []}
    assert sorted(gold["provenance"]["annotators"]) == sorted(set(old["provenance"]["annotators"]) | {"alice"})
    assert validate_corpus(mini) == []


def test_merge_adds_to_gold_and_updates_items_on_the_same_span(mini):
    old = _gold(mini)
    march = next(m for m in old["entities"] if m["text"] == "March")

    def change(d):
        # alice lacks gold's "March" and adds a mention gold lacks, under an id gold uses.
        d["entities"].append({"id": "m14", "start": 0, "end": 5, "text": "Mayor",
                              "label": "PERSON", "mention": "NOM", "entity": "zoe-angstrom"})
    data = _write_alice(mini, change)
    result = adopt(mini, "alice", TROMSO, layers=["entities"], merge=True, write=True, accept_lint=True)
    gold = _gold(mini)
    ids = [m["id"] for m in gold["entities"]]
    assert march["id"] in ids, "a gold item the annotator lacks stays"
    added = result["diff"]["entities"]["added"]
    # alice's m1 spans "Mayor Zoë Ångström", gold's "Zoë Ångström": a merge matches by span,
    # so both are added (under fresh ids), and gold's m1 stays.
    assert sorted(m["text"] for m in added) == ["Mayor", "Mayor Zoë Ångström"]
    assert not {m["id"] for m in added} & {m["id"] for m in old["entities"]}
    assert len(ids) == len(set(ids))
    assert len(gold["entities"]) == len(old["entities"]) + 2
    assert any(m["id"] == "m14" for m in data["entities"])
    assert validate_corpus(mini) == []


def test_a_reference_without_a_counterpart_is_refused(mini):
    # alice's q2 is spoken by a mention at a span gold has no mention on.
    def change(d):
        d["entities"].append({"id": "m99", "start": 0, "end": 5, "text": "Mayor",
                              "label": "PERSON", "mention": "NOM", "entity": "zoe-angstrom"})
        d["quotes"][0]["speaker"] = "m99"
    _write_alice(mini, change)
    before = snapshot(mini)
    with pytest.raises(CorpusError) as caught:
        adopt(mini, "alice", TROMSO, layers=["quotes"], accept_lint=True, write=True)
    message = str(caught.value)
    assert f"annotations/{TROMSO}/annotators/alice.json: quotes q1" in message
    assert "speaker 'm99' has no counterpart (same span, or same id overlapping) in the adopted entities" in message
    assert snapshot(mini) == before


def test_unknown_layers_are_an_error(mini, cli):
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--layers", "entities,tokens", "--root", mini)
    assert result.exit_code == 1
    assert result.output == "Error: unknown layer 'tokens': the layers are entities, quotes, claims\n"


def test_credentials_in_a_recorded_server_never_reach_gold(mini):
    def change(d):
        d["provenance"]["doccano"] = {"server": "http://ann:s3cret@127.0.0.1:8000", "project": "7",
                                      "user": "alice", "pulled": "2026-01-01T00:00:00Z"}
    _write_alice(mini, change)
    adopt(mini, "alice", TROMSO, layers=["entities"], write=True)
    raw = (mini / "annotations" / TROMSO / "gold.json").read_text(encoding="utf-8")
    assert "s3cret" not in raw and "ann:" not in raw
    assert "Doccano http://127.0.0.1:8000 project 7" in raw


def test_an_invalid_annotator_file_is_refused_with_every_problem(mini, cli):
    path = mini / "annotations" / TROMSO / "annotators" / "alice.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entities"][0]["end"] += 1
    data["quotes"][0]["speaker"] = "m404"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = (mini / "annotations" / TROMSO / "gold.json").read_bytes()
    with pytest.raises(InvalidCorpus) as caught:
        adopt(mini, "alice", TROMSO, write=True)
    messages = [p.format() for p in caught.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith(f"annotations/{TROMSO}/annotators/alice.json ({TROMSO}@1) $.entities[0].text")
    assert "speaker 'm404' is not a mention id" in messages[1]
    assert (mini / "annotations" / TROMSO / "gold.json").read_bytes() == before
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--yes", "--root", mini)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == messages
    assert result.output.endswith("Error: corpus is invalid (2 problems above); nothing was written\n")


def test_a_missing_annotator_file_is_a_clear_error(mini, cli):
    result = cli("adopt", "--from", "zed", "--doc", TROMSO, "--root", mini)
    assert result.exit_code == 1
    assert result.output == f"Error: no annotator 'zed' in annotations/{TROMSO}/annotators/ (annotators: alice)\n"
