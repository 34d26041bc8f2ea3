"""adopt: an annotator's file becomes gold only when valid, with the changes printed."""

import json

import pytest

from newsspans.curation.adopt import adopt
from newsspans.store.layout import Layout
from newsspans.errors import InvalidCorpus
from newsspans.validation.validate import validate_corpus

TROMSO = "mini-tromso-schools"


def test_adopt_prints_the_changes_and_writes_adjudicated_gold(mini, cli):
    corpus = Layout(mini)
    alice = corpus.read_json(corpus.annotator_path(TROMSO, "alice"))
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--root", mini)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "entities: 0 added, 1 removed, 1 changed"
    assert lines[1].startswith("  - m14 [291:296] 'March' DATE/NAM")
    assert lines[2].startswith("  ~ m1 ")
    assert "quotes: 0 added, 0 removed, 0 changed" in lines
    assert "claims: 0 added, 1 removed, 0 changed" in lines
    assert lines[-1] == f"wrote annotations/{TROMSO}/gold.json"
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    assert {k: gold[k] for k in ("entities", "quotes", "claims")} == \
        {k: alice[k] for k in ("entities", "quotes", "claims")}
    assert gold["provenance"]["method"] == "adjudicated"
    assert gold["provenance"]["annotators"] == ["alice"]
    assert gold["provenance"]["note"] == f"adopted from annotations/{TROMSO}/annotators/alice.json"
    assert validate_corpus(mini) == []


def test_dry_run_writes_nothing(mini):
    before = (mini / "annotations" / TROMSO / "gold.json").read_bytes()
    result = adopt(mini, "alice", TROMSO, dry_run=True)
    assert result["written"] is False
    assert (mini / "annotations" / TROMSO / "gold.json").read_bytes() == before


def test_an_invalid_annotator_file_is_refused_with_every_problem(mini, cli):
    path = mini / "annotations" / TROMSO / "annotators" / "alice.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entities"][0]["end"] += 1
    data["quotes"][0]["speaker"] = "m404"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = (mini / "annotations" / TROMSO / "gold.json").read_bytes()
    with pytest.raises(InvalidCorpus) as caught:
        adopt(mini, "alice", TROMSO)
    messages = [p.format() for p in caught.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith(f"annotations/{TROMSO}/annotators/alice.json ({TROMSO}@1) $.entities[0].text")
    assert "speaker 'm404' is not a mention id" in messages[1]
    assert (mini / "annotations" / TROMSO / "gold.json").read_bytes() == before
    result = cli("adopt", "--from", "alice", "--doc", TROMSO, "--root", mini)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == messages
    assert result.output.endswith("Error: corpus is invalid (2 problems above); nothing was written\n")


def test_a_missing_annotator_file_is_a_clear_error(mini, cli):
    result = cli("adopt", "--from", "zed", "--doc", TROMSO, "--root", mini)
    assert result.exit_code == 1
    assert result.output == f"Error: no annotator 'zed' in annotations/{TROMSO}/annotators/ (annotators: alice)\n"
