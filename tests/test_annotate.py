"""`newsspans annotate` and `newsspans registry add`: annotating by text, not by offsets."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from conftest import snapshot
from newsspans.curation.annotate import find
from newsspans.errors import AnnotateError
from newsspans.validation.validate import validate_corpus

STORM = "mini-brittany-storm"
TROMSO = "mini-tromso-schools"


def read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def gold(mini, doc=STORM):
    return read(mini / "annotations" / doc / "gold.json")


def test_an_entity_is_added_by_its_text_with_the_next_id_and_its_offsets(cli, mini):
    result = cli("annotate", STORM, "--entity", "20,000 homes", "--label", "QUANTITY", "--root", mini)
    assert result.exit_code == 0, result.output
    assert result.output == f"added m10 [80:92] '20,000 homes' QUANTITY/NAM to annotations/{STORM}/gold.json\n"
    data = gold(mini)
    assert data["entities"][-1] == {"id": "m10", "start": 80, "end": 92, "text": "20,000 homes",
                                    "label": "QUANTITY", "mention": "NAM", "entity": None}
    assert "curator" in data["provenance"]["annotators"]
    assert validate_corpus(mini) == []


def test_offsets_are_code_points_and_the_file_is_validated_before_writing(cli, mini):
    text = (mini / "corpus" / TROMSO / "v1.txt").read_text(encoding="utf-8")
    result = cli("annotate", TROMSO, "--entity", "new schools", "--label", "FAC", "--link", "tromso",
                 "--root", mini)
    assert "FAC mention 'new schools' links to 'tromso', a GPE in the registry" in result.output
    result = cli("annotate", TROMSO, "--entity", "the city", "--label", "GPE", "--link", "tromso",
                 "--mention", "NOM", "--root", mini)
    assert result.exit_code == 0, result.output
    item = gold(mini, TROMSO)["entities"][-1]
    assert text[item["start"]:item["end"]] == "the city"
    assert item["start"] == text.index("the city") == 41   # the emoji before it is one code point (two in UTF-16)


def test_nth_picks_an_occurrence_and_a_repeated_text_without_it_is_refused(cli, mini):
    before = snapshot(mini)
    result = cli("annotate", STORM, "--entity", "Storm", "--label", "EVENT", "--root", mini)
    assert result.exit_code == 0   # "Storm" once; "storm" is another text
    before = snapshot(mini)
    result = cli("annotate", STORM, "--entity", "the", "--label", "EVENT", "--root", mini)
    assert result.exit_code == 1
    assert "Error: text 'the' occurs 4 times in mini-brittany-storm@1 (1: [29:32], 2: [94:97]" in result.output
    assert result.output.rstrip().endswith("choose one with --nth")
    result = cli("annotate", STORM, "--entity", "the", "--label", "EVENT", "--nth", 9, "--root", mini)
    assert result.exit_code == 1 and "Error: --nth 9, but text 'the' occurs 4 times" in result.output
    assert snapshot(mini) == before


@pytest.mark.parametrize("args, message", [
    (["--entity", "Pyongyang", "--label", "GPE"], "Error: text 'Pyongyang' is not in mini-brittany-storm@1"),
    (["--entity", "Enedis", "--label", "ORG", "--link", "edf"],
     "Error: --link 'edf' is not in annotations/entities.json: add it first"),
    (["--quote", "Crews are working through the night", "--speaker", "m99"],
     "Error: --speaker 'm99' is not a mention of this file (mentions: m1 'Brittany'"),
    (["--claim", "It was the second storm", "--category", "event", "--claimant", "q1"],
     "Error: --claimant 'q1' is not a mention of this file"),
    (["--entity", "Enedis", "--label", "ORG", "--link", "enedis"],
     "Error: annotations/mini-brittany-storm/gold.json: m5 has the same start, end, label"),
    (["--entity", "Tuesday", "--label", "ORG"], "ORG mention 'Tuesday' [54:61] must link to a registry entity"),
    (["--entity", "Enedis", "--label", "ORG", "--claim", "x"], "give exactly one of --entity, --quote, --claim"),
    (["--claim", "It was the second storm"], "--claim needs --category"),
])
def test_bad_requests_are_clear_errors_and_write_nothing(cli, mini, args, message):
    before = snapshot(mini)
    result = cli("annotate", STORM, *args, "--root", mini)
    assert result.exit_code != 0
    assert message in result.output
    assert snapshot(mini) == before


def test_an_unknown_document_lists_the_documents(cli, mini):
    result = cli("annotate", "no-such-doc", "--entity", "x", "--label", "PERSON", "--root", mini)
    assert result.exit_code == 1
    assert f"no document 'no-such-doc' in corpus/ (documents: {STORM}, {TROMSO})" in result.output


def test_a_quote_with_speaker_and_cue_then_a_claim_inside_it_takes_the_quote_and_its_speaker(cli, mini):
    result = cli("annotate", STORM, "--quote", "It was the second storm in a week.", "--kind", "indirect",
                 "--speaker", "m5", "--root", mini)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added q3 [202:236] 'It was the second storm in a week.' indirect quote, "
                                    "speaker m5")
    result = cli("annotate", STORM, "--quote", "Crews are working through the night", "--speaker", "m7",
                 "--cue", "told", "--root", mini)
    assert ", cue [185:189] 'told'" in result.output
    result = cli("annotate", STORM, "--claim", "the second storm", "--category", "historical", "--root", mini)
    assert result.exit_code == 0, result.output
    claim = gold(mini)["claims"][-1]
    assert (claim["id"], claim["quote"], claim["claimant"], claim["checkworthy"]) == ("c3", "q3", "m5", True)
    assert validate_corpus(mini) == []


def test_a_claim_outside_quotes_is_the_authors(cli, mini):
    result = cli("annotate", STORM, "--claim", "the second storm", "--category", "event",
                 "--not-checkworthy", "--root", mini)
    assert result.exit_code == 0, result.output
    claim = gold(mini)["claims"][-1]
    assert (claim["claimant"], claim["quote"], claim["checkworthy"]) == ("@author", None, False)


def test_an_annotator_file_is_created_pinned_to_the_latest_version(cli, mini):
    result = cli("annotate", STORM, "--entity", "Brittany", "--label", "LOC", "--link", "brittany",
                 "--annotator", "bob", "--root", mini)
    assert result.exit_code == 0, result.output
    data = read(mini / "annotations" / STORM / "annotators" / "bob.json")
    doc = read(mini / "corpus" / STORM / "document.json")
    assert (data["version"], data["sha256"]) == (1, doc["versions"][-1]["sha256"])
    assert data["provenance"]["annotators"] == ["bob"] and data["provenance"]["method"] == "manual"
    assert [m["id"] for m in data["entities"]] == ["m1"]
    assert validate_corpus(mini) == []


def test_registry_add_then_link_it(cli, mini):
    result = cli("registry", "add", "quimper", "--name", "Quimper", "--type", "GPE", "--wikidata", "Q1234",
                 "--root", mini)
    assert (result.exit_code, result.output) == (0, "added GPE 'quimper' (Quimper, Q1234) to annotations/entities.json\n")
    assert read(mini / "annotations" / "entities.json")["entities"][-1] == \
        {"id": "quimper", "name": "Quimper", "type": "GPE", "wikidata": "Q1234"}


@pytest.mark.parametrize("args, message", [
    (["claire-martin", "--name", "C", "--type", "PERSON"],
     "Error: annotations/entities.json $.entities[10]: entity 'claire-martin' exists already (PERSON 'Claire Martin')"),
    (["Bad_Id", "--name", "C", "--type", "PERSON"], "Error: corpus is invalid"),
    (["x-1", "--name", "C", "--type", "PERSON", "--wikidata", "Z9"], "Error: corpus is invalid"),
    (["x-1", "--name", "C", "--type", "DATE"], "Invalid value for '--type'"),
])
def test_registry_add_refuses_duplicates_and_invalid_entries(cli, mini, args, message):
    before = snapshot(mini)
    result = cli("registry", "add", *args, "--root", mini)
    assert result.exit_code != 0 and message in result.output, result.output
    assert snapshot(mini) == before


def test_registry_add_creates_a_registry_only_with_an_id_policy(cli, mini):
    (mini / "annotations" / "entities.json").unlink()
    result = cli("registry", "add", "x-1", "--name", "X", "--type", "ORG", "--root", mini)
    assert result.exit_code == 1 and "give --id-policy" in result.output
    result = cli("registry", "add", "x-1", "--name", "X", "--type", "ORG", "--id-policy", "slugs", "--root", mini)
    assert result.exit_code == 0
    assert read(mini / "annotations" / "entities.json") == {
        "id_policy": "slugs", "entities": [{"id": "x-1", "name": "X", "type": "ORG", "wikidata": None}]}


def test_an_orphan_left_by_a_revision_is_re_annotated_and_resolved(cli, mini, tmp_path):
    text = (mini / "corpus" / STORM / "v1.txt").read_text(encoding="utf-8")
    new = tmp_path / "v2.txt"
    new.write_text(text.replace("20,000", "30,000"), encoding="utf-8")
    assert cli("revise", STORM, "--text", new, "--note", "figure", "--root", mini).exit_code == 0
    orphans = [o["annotation"]["id"] for o in gold(mini).get("orphans", [])]
    assert "m3" in orphans
    before = snapshot(mini)
    result = cli("annotate", STORM, "--entity", "30,000", "--label", "CARDINAL", "--resolves", "m99", "--root", mini)
    assert result.exit_code == 1 and "--resolves 'm99': " in result.output and "entities m3" in result.output
    assert snapshot(mini) == before
    result = cli("annotate", STORM, "--entity", "30,000", "--label", "CARDINAL", "--resolves", "m3", "--root", mini)
    assert result.exit_code == 0, result.output
    data = gold(mini)
    assert "m3" not in [o["annotation"]["id"] for o in data.get("orphans", [])]
    assert data["entities"][-1]["text"] == "30,000" and data["version"] == 2
    assert len(validate_corpus(mini)) == len(orphans) - 1   # the other orphans still wait


# Offsets by text, as a property ---------------------------------------------------------------
PIECES = st.sampled_from(["Kim", " ", "said", "🎉", "e\u0301", "محمد", "\n\n", "Zoë", "."])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=30).map("".join), st.lists(PIECES, min_size=1, max_size=3).map("".join),
       st.integers(1, 6))
def test_find_gives_code_point_offsets_of_the_nth_occurrence_or_a_clear_error(text, needle, nth):
    starts = [i for i in range(len(text)) if text.startswith(needle, i)]
    try:
        start, end = find(text, needle, nth)
    except AnnotateError as exc:
        assert needle != needle.strip() or not starts or nth > len(starts), exc
        return
    assert needle == needle.strip() and start == starts[nth - 1] and text[start:end] == needle
