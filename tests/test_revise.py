"""Revising a document: the new version, re-anchored files, orphans, references, the report."""

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsspans.curation import revise as revise_module
from newsspans.errors import CorpusError, InvalidCorpus, RevisionError
from newsspans.curation.ingest import ingest
from newsspans.model.normalize import normalize
from newsspans.curation.revise import format_report, revise
from newsspans.validation.validate import validate_corpus

from conftest import MINI, snapshot

STORM = "mini-brittany-storm"
DAY = "2026-11-28"


def read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def storm_revision(mini, tmp_path):
    """A spokeswoman's name withdrawn and a figure corrected: the storm story, version 2."""
    text = (mini / "corpus" / STORM / "v1.txt").read_text(encoding="utf-8")
    text = text.replace("20,000 homes", "25,000 homes")
    text = text.replace("spokeswoman Claire Martin told", "a spokeswoman told")
    path = tmp_path / "storm-v2.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_revision_adds_the_version_and_reanchors_gold(mini, tmp_path):
    report = revise(mini, STORM, storm_revision(mini, tmp_path), "AFP corrected the figure", today=DAY)
    doc = read(mini / "corpus" / STORM / "document.json")
    v2 = (mini / "corpus" / STORM / "v2.txt").read_text(encoding="utf-8")
    assert doc["versions"][1] == {"version": 2, "file": "v2.txt", "sha256": report["sha256"],
                                  "created": DAY, "note": "AFP corrected the figure"}
    assert "reanchor_pending" not in doc
    assert (mini / "corpus" / STORM / "v1.txt").is_file()
    gold = read(mini / "annotations" / STORM / "gold.json")
    assert (gold["version"], gold["sha256"]) == (2, report["sha256"])
    for layer in ("entities", "quotes", "claims"):
        for item in gold[layer]:
            assert v2[item["start"]:item["end"]] == item["text"]
    assert gold["provenance"]["method"] == "reanchored"
    assert gold["provenance"]["note"].endswith(
        "re-anchored from version 1 (adjudicated) to version 2: 4 unchanged, 4 moved, 5 orphaned")


def test_the_report_lists_every_orphan_and_cleared_reference(mini, tmp_path):
    report = revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    [gold] = report["files"]
    assert (gold["file"], gold["from_version"], gold["version"], gold["unchanged"]) == \
        (f"annotations/{STORM}/gold.json", 1, 2, 4)
    assert gold["moved"] == [
        {"layer": "entities", "id": "m8", "status": "moved", "text": "second",
         "span": {"old": [213, 219], "new": [201, 207]}, "how": "unique context"},
        {"layer": "entities", "id": "m9", "status": "moved", "text": "a week",
         "span": {"old": [229, 235], "new": [217, 223]}, "how": "unique context"},
        {"layer": "quotes", "id": "q2", "status": "moved", "text": "Crews are working through the night,",
         "span": {"old": [121, 157], "new": [121, 157]}, "cue": {"old": [185, 199], "new": [173, 187]},
         "how": "unique context"},
        {"layer": "claims", "id": "c2", "status": "moved", "text": "It was the second storm in a week.",
         "span": {"old": [202, 236], "new": [190, 224]}, "how": "unique context"},
    ]
    assert [(o["layer"], o["id"], o["span"]["old"], o["reason"]) for o in gold["orphaned"]] == [
        ("entities", "m3", [80, 86], "not found: text \'20,000\' is no longer in the new version"),
        ("entities", "m6", [159, 184], "not found: text \'spokeswoman Claire Martin\' is no longer in the new version"),
        ("entities", "m7", [171, 184], "not found: text \'Claire Martin\' is no longer in the new version"),
        ("quotes", "q1", [14, 92], "not found: text 'Heavy rain hit the coast of Brittany on Tuesday, cutting power "
                                   "to 20,000 homes' is no longer in the new version"),
        ("claims", "c1", [63, 92], "not found: text \'cutting power to 20,000 homes\' is no longer in the new version"),
    ]
    assert gold["relations"] == [{"layer": "quotes", "id": "q2", "field": "speaker", "target": "m6",
                                  "action": "set to null"}]


def test_orphans_keep_their_old_anchor_context_and_the_cleared_references(mini, tmp_path):
    revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    gold = read(mini / "annotations" / STORM / "gold.json")
    before = read(MINI / "annotations" / STORM / "gold.json")
    assert [q["speaker"] for q in gold["quotes"]] == [None]
    m6 = next(o for o in gold["orphans"] if o["annotation"]["id"] == "m6")
    assert m6 == {"layer": "entities", "annotation": before["entities"][5], "old_version": 1,
                  "prefix": "are working through the night,\" ",
                  "suffix": " told reporters.\n\nIt was the sec",
                  "reason": "not found: text \'spokeswoman Claire Martin\' is no longer in the new version; "
                            "reference quotes q2.speaker set to null"}
    kept = {item["id"] for layer in ("entities", "quotes", "claims") for item in gold[layer]}
    lost = {o["annotation"]["id"] for o in gold["orphans"]}
    assert kept | lost == {item["id"] for layer in ("entities", "quotes", "claims") for item in before[layer]}
    assert not kept & lost


def test_validation_reports_exactly_the_orphans_afterwards(mini, tmp_path):
    revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    problems = validate_corpus(mini)
    assert [p.path for p in problems] == [f"$.orphans[{i}]" for i in range(5)]
    assert problems[1].format() == (
        f"annotations/{STORM}/gold.json ({STORM}@2) $.orphans[1]: orphaned entities annotation 'm6' "
        f"('spokeswoman Claire Martin' in version 1): not found: text 'spokeswoman Claire Martin' is no longer "
        f"in the new version; reference quotes q2.speaker set to null; a person must re-annotate or drop it")


def test_a_revision_touches_only_the_documents_own_files(mini, tmp_path):
    before = snapshot(mini)
    revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    after = snapshot(mini)
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed == {f"corpus/{STORM}/v2.txt", f"corpus/{STORM}/document.json",
                       f"annotations/{STORM}/gold.json"}
    assert set(before) <= set(after)


def test_annotator_files_are_reanchored_too(mini, tmp_path):
    doc = "mini-tromso-schools"
    text = (mini / "corpus" / doc / "v1.txt").read_text(encoding="utf-8")
    path = tmp_path / "new.txt"
    path.write_text("Update, 5 March.\n\n" + text, encoding="utf-8")
    report = revise(mini, doc, path, "dateline added", today=DAY)
    assert [f["file"] for f in report["files"]] == [f"annotations/{doc}/gold.json",
                                                    f"annotations/{doc}/annotators/alice.json"]
    alice = read(mini / "annotations" / doc / "annotators" / "alice.json")
    assert alice["version"] == 2 and "orphans" not in alice
    assert all(len(f["orphaned"]) == 0 and f["unchanged"] == 0 for f in report["files"])
    assert validate_corpus(mini) == []


def test_a_second_revision_keeps_the_first_ones_orphans(mini, tmp_path):
    revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    v2 = (mini / "corpus" / STORM / "v2.txt").read_text(encoding="utf-8")
    path = tmp_path / "v3.txt"
    path.write_text(v2.replace("Storm Report", "Storm report"), encoding="utf-8")
    report = revise(mini, STORM, path, "heading case", today=DAY)
    gold = read(mini / "annotations" / STORM / "gold.json")
    assert report["version"] == 3 and gold["version"] == 3
    assert [o["old_version"] for o in gold["orphans"]] == [1] * 5
    assert report["files"][0]["orphaned"] == []


def test_the_table_names_every_moved_and_orphaned_annotation(mini, tmp_path):
    report = revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    lines = format_report(report).splitlines()
    assert lines[0] == f"{STORM}: version 2 added (sha256 {report['sha256']}, {DAY}): corrected"
    assert lines[1] == (f"annotations/{STORM}/gold.json: version 1 -> 2: 4 at the same offset, 4 moved "
                        f"(each to the one place its context confirms), 5 orphaned, 1 references cleared")
    assert lines[2].split() == ["outcome", "layer", "id", "old", "new", "text", "how", "/", "why"]
    assert lines[3].split() == ["moved", "entities", "m8", "[213:219]", "[201:207]", "'second'", "unique", "context"]
    assert lines[5].split() == ["moved", "quotes", "q2", "[121:157]", "cue", "[185:199]", "[121:157]",
                                "cue", "[173:187]", "'Crews", "are", "working", "through", "the",
                                "night,'", "unique", "context"]
    assert lines[7].split()[:5] == ["orphaned", "entities", "m3", "[80:86]", "-"]
    assert lines[-1].split() == ["reference", "quotes", "q2", "speaker", "'m6'", "set", "to", "null:",
                                 "m6", "was", "orphaned"]
    assert len(lines) == 3 + 4 + 5 + 1


def test_cli_revise_prints_the_table_or_json(cli, mini, tmp_path):
    new = storm_revision(mini, tmp_path)
    result = cli("revise", STORM, "--text", new, "--note", "corrected", "--format", "json", "--root", mini)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["version"] == 2 and len(report["files"][0]["orphaned"]) == 5
    again = cli("revise", STORM, "--text", new, "--note", "again", "--root", mini)
    assert again.exit_code == 1
    assert again.stderr == (f"Error: {new}: its canonical text is identical to {STORM}@2: "
                            f"nothing to revise\n")


def test_a_dry_run_reports_the_same_and_writes_nothing(cli, mini, tmp_path):
    new = storm_revision(mini, tmp_path)
    before = snapshot(mini)
    result = cli("revise", STORM, "--text", new, "--note", "corrected", "--dry-run", "--format", "json",
                 "--root", mini)
    assert (result.exit_code, result.stderr) == (0, "dry run: nothing was written\n")
    assert snapshot(mini) == before
    assert json.loads(result.stdout) == revise(mini, STORM, new, "corrected")


def test_refuses_to_revise_an_invalid_document_and_writes_nothing(mini, tmp_path):
    gold_path = mini / "annotations" / STORM / "gold.json"
    gold = read(gold_path)
    gold["entities"][0]["end"] += 1
    gold_path.write_text(json.dumps(gold), encoding="utf-8")
    before = snapshot(mini)
    with pytest.raises(InvalidCorpus) as error:
        revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    assert "$.entities[0].text" in str(error.value)
    assert snapshot(mini) == before


@pytest.mark.parametrize("doc_id, note, message", [
    ("no-such-document", "x", "no document 'no-such-document' in corpus/ (documents: mini-brittany-storm, mini-tromso-schools)"),
    ("../etc", "x", "document id '../etc' is not a slug"),
    (STORM, "  ", f"{STORM}: a revision needs a note saying why the text changed"),
])
def test_refuses_bad_arguments(mini, tmp_path, doc_id, note, message):
    with pytest.raises(RevisionError, match=message.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)")):
        revise(mini, doc_id, storm_revision(mini, tmp_path), note, today=DAY)


def test_refuses_an_empty_or_undecodable_text(mini, tmp_path):
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\n ", encoding="utf-8")
    with pytest.raises(RevisionError, match="no text after normalisation"):
        revise(mini, STORM, blank, "x", today=DAY)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Brest été\n".encode("latin-1"))
    with pytest.raises(RevisionError, match=r"latin.txt: invalid UTF-8 at byte 6: b.\\xe9t"):
        revise(mini, STORM, latin, "x", today=DAY)


def test_nothing_is_written_when_the_result_would_not_validate(mini, tmp_path, monkeypatch):
    # Fault injection: the check of the new version finds a problem the re-anchoring did not foresee.
    real = revise_module.check_document_data
    calls = []

    def failing(doc_id, *data):
        calls.append(doc_id)
        problems = real(doc_id, *data)
        if len(calls) == 2:
            from newsspans.validation.validate import Problem
            problems.append(Problem("annotations/x/gold.json", "injected", "$.entities[0]", doc_id))
        return problems

    monkeypatch.setattr(revise_module, "check_document_data", failing)
    before = snapshot(mini)
    with pytest.raises(RevisionError, match="would leave the document invalid, nothing was written: "
                                            r"annotations/x/gold.json \(mini-brittany-storm\) "
                                            r"\$.entities\[0\]: injected"):
        revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    assert snapshot(mini) == before


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_a_crash_part_way_leaves_a_corpus_that_validates_and_can_be_revised_again(
        mini, tmp_path, monkeypatch, fail_at):
    real = revise_module.atomic_write
    calls = []

    def crashing(path, data, **kwargs):
        calls.append(path)
        if len(calls) == fail_at:
            raise CorpusError(f"{path}: cannot write: disk full")
        real(path, data, **kwargs)

    monkeypatch.setattr(revise_module, "atomic_write", crashing)
    with pytest.raises(CorpusError, match="disk full"):
        revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    problems = validate_corpus(mini)
    assert all(p.path.startswith("$.orphans[") for p in problems), [p.format() for p in problems]
    monkeypatch.setattr(revise_module, "atomic_write", real)
    # The document may already list version 2 (marked reanchor_pending) with gold still on
    # version 1: the next revision re-anchors gold from the version it is pinned to.
    text = (mini / "corpus" / STORM / "v1.txt").read_text(encoding="utf-8")
    path = tmp_path / "again.txt"
    path.write_text(text.replace("a week", "eight days"), encoding="utf-8")
    report = revise(mini, STORM, path, "second correction", today=DAY)
    assert "reanchor_pending" not in read(mini / "corpus" / STORM / "document.json")
    assert report["files"][0]["version"] == report["version"]
    assert all(p.path.startswith("$.orphans[") for p in validate_corpus(mini))


# The seed article ------------------------------------------------------------------------
SEED = "afp-20240619-putin-kim-defence-treaty"
FIGURE = ("roughly 28,000 US troops", "roughly 28,500 US troops")
INSERT_AFTER = "where Putin was making his first visit in 24 years.\n\n"
INSERTED = ("North Korean state media published the full text of the treaty on Thursday, "
            "a day after the summit.\n\n")
REMOVED = "The two also visited an Orthodox Church in Pyongyang, it added.\n\n"


@pytest.fixture
def seed_copy(repo, tmp_path):
    """The repository's corpus and annotations, copied: the seed with its real gold."""
    root = tmp_path / "repo"
    for folder in ("corpus", "annotations"):
        shutil.copytree(repo / folder, root / folder)
    return root


def seed_revision(root, tmp_path):
    old = (root / "corpus" / SEED / "v1.txt").read_text(encoding="utf-8")
    assert old.count(FIGURE[0]) == old.count(INSERT_AFTER) == old.count(REMOVED) == 1
    new = old.replace(*FIGURE).replace(INSERT_AFTER, INSERT_AFTER + INSERTED).replace(REMOVED, "")
    path = tmp_path / "seed-v2.txt"
    path.write_text(new, encoding="utf-8")
    return old, new, path


def test_a_realistic_revision_of_the_seed_loses_nothing_and_reports_exactly(seed_copy, tmp_path):
    old, new, path = seed_revision(seed_copy, tmp_path)
    gold_before = read(seed_copy / "annotations" / SEED / "gold.json")
    report = revise(seed_copy, SEED, path, "AFP correction: troop figure; treaty text paragraph "
                                          "added; church visit removed", today=DAY)
    # The oracle: where each edit is, every annotation's fate follows from its old offsets.
    inserted_at = old.index(INSERT_AFTER) + len(INSERT_AFTER)
    removed = (old.index(REMOVED), old.index(REMOVED) + len(REMOVED))
    figure = (old.index(FIGURE[0]) + len("roughly 28,"), old.index(FIGURE[0]) + len("roughly 28,0"))

    def expected(start, end):
        if start < figure[1] and figure[0] < end or start < removed[1] and removed[0] < end:
            return None
        shift = len(INSERTED) if start >= inserted_at else 0
        shift -= len(REMOVED) if start >= removed[1] else 0
        return [start + shift, end + shift]

    moved, lost, unchanged = [], [], 0
    for layer in ("entities", "quotes", "claims"):
        for item in gold_before[layer]:
            spans = {"span": item} if not item.get("cue") else {"span": item, "cue": item["cue"]}
            fates = {name: expected(s["start"], s["end"]) for name, s in spans.items()}
            if None in fates.values():
                lost.append((layer, item["id"]))
            elif all(fates[n] == [s["start"], s["end"]] for n, s in spans.items()):
                unchanged += 1
            else:
                entry = {"layer": layer, "id": item["id"], "status": "moved", "text": item["text"]}
                for name, s in spans.items():
                    entry[name] = {"old": [s["start"], s["end"]], "new": fates[name]}
                moved.append(entry)
    # gold first, then each annotator's file (the seed has several).
    gold = report["files"][0]
    assert gold["file"] == f"annotations/{SEED}/gold.json"
    assert {m.pop("how") for m in gold["moved"]} == {"unique context"}
    assert (gold["unchanged"], gold["moved"]) == (unchanged, moved)
    def elsewhere(word):
        times = sum(new.startswith(word, i) for i in range(len(new)))
        return f"context mismatch: text {word!r} occurs {times} times in the new version, but nowhere in its old context"

    assert [(o["layer"], o["id"], o["text"], o["reason"]) for o in gold["orphaned"]] == [
        ("entities", "m77", "two", elsewhere("two")),
        ("entities", "m78", "Orthodox", "not found: text \'Orthodox\' is no longer in the new version"),
        ("entities", "m79", "Pyongyang", elsewhere("Pyongyang")),
        ("entities", "m80", "it", elsewhere("it")),
        ("entities", "m105", "28,000", "not found: text \'28,000\' is no longer in the new version"),
        ("quotes", "q17", "The two also visited an Orthodox Church in Pyongyang",
         "not found: text \'The two also visited an Orthodox Church in Pyongyang\' is no longer in the new version"),
        ("claims", "c18", "The two also visited an Orthodox Church in Pyongyang",
         "not found: text \'The two also visited an Orthodox Church in Pyongyang\' is no longer in the new version"),
        ("claims", "c27", "roughly 28,000 US troops based in South Korea",
         "not found: text \'roughly 28,000 US troops based in South Korea\' is no longer in the new version"),
    ]
    assert [(o["layer"], o["id"]) for o in gold["orphaned"]] == lost
    assert gold["relations"] == []
    total = sum(len(gold_before[layer]) for layer in ("entities", "quotes", "claims"))
    assert unchanged + len(moved) + len(lost) == total
    after = read(seed_copy / "annotations" / SEED / "gold.json")
    assert [o["annotation"] for o in after["orphans"]] == [
        next(i for i in gold_before[layer] if i["id"] == id_) for layer, id_ in lost]
    problems = validate_corpus(seed_copy)
    # Gold's orphans await a person; each annotator's file reports its own the same way.
    in_gold = [p.path for p in problems if p.file.endswith("/gold.json")]
    assert in_gold == [f"$.orphans[{i}]" for i in range(len(lost))]
    assert all(p.path.startswith("$.orphans[") for p in problems)


# Property: re-anchor, then validate ------------------------------------------------------
WORDS = st.sampled_from(["Kim", "said", "the", "treaty", "28,000", "Zoë", "Ọ̀ṣun", "🎉", "محمد",
                         "שלום", "e\u0301t\u00e9", "Pyongyang", "on", "Wednesday", "\"We", "win,\""])
PARAGRAPHS = st.lists(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), min_size=1, max_size=4)


@st.composite
def annotated_revision(draw):
    text = normalize("\n\n".join(draw(PARAGRAPHS)))
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    paragraph_of = [text.count("\n\n", 0, s) for s, _ in tokens]
    entities, quotes, claims = [], [], []
    for n, i in enumerate(draw(st.lists(st.integers(0, len(tokens) - 1), max_size=8))):
        s, e = tokens[i]
        person = draw(st.booleans())
        entities.append({"id": f"m{n}", "start": s, "end": e, "text": text[s:e],
                         "label": "PERSON" if person else "CARDINAL", "mention": "NAM",
                         "entity": "p1" if person else None})
    people = [m["id"] for m in entities if m["label"] == "PERSON"]
    for n in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(tokens) - 1))
        j = draw(st.integers(i, min(len(tokens) - 1, i + 5)))
        cue = draw(st.integers(0, len(tokens) - 1))
        speaker = draw(st.sampled_from([None] + people))
        s, e = tokens[i][0], tokens[j][1]
        quotes.append({"id": f"q{n}", "start": s, "end": e, "text": text[s:e], "kind": "direct",
                       "speaker": speaker, "cue": {"start": tokens[cue][0], "end": tokens[cue][1],
                                                   "text": text[tokens[cue][0]:tokens[cue][1]]}})
        if draw(st.booleans()):
            claimant = draw(st.sampled_from(["@author"] + people))
            claims.append({"id": f"c{n}", "start": s, "end": e, "text": text[s:e], "claimant": claimant,
                           "quote": f"q{n}", "checkworthy": True, "category": "event"})
    # The edit: some words replaced (or removed, or inserted) somewhere.
    i = draw(st.integers(0, len(tokens)))
    j = draw(st.integers(i, min(len(tokens), i + 4)))
    start = tokens[i][0] if i < len(tokens) else len(text)
    end = tokens[j - 1][1] if j > i else start
    inserted = draw(st.lists(WORDS, max_size=5).map(" ".join))
    sep = draw(st.sampled_from([" ", "\n\n"]))
    new = normalize(text[:start] + (inserted + sep if inserted and j == i else inserted) + text[end:])
    assume(new and new != text)
    return text, new, {"entities": entities, "quotes": quotes, "claims": claims}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(annotated_revision())
def test_reanchoring_then_validating_reports_exactly_the_orphans(case):
    text, new, layers = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "raw.txt").write_text(text, encoding="utf-8")
        ingest(root, root / "raw.txt", "prop-doc", today=DAY)
        (root / "annotations" / "entities.json").write_text(json.dumps(
            {"id_policy": "test", "entities": [{"id": "p1", "name": "P", "type": "PERSON"}]}), encoding="utf-8")
        gold_path = root / "annotations" / "prop-doc" / "gold.json"
        gold = dict(read(gold_path), **layers)
        gold_path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        assert validate_corpus(root) == []
        (root / "new.txt").write_text(new, encoding="utf-8")
        revise(root, "prop-doc", root / "new.txt", "edit", today=DAY)
        after = read(gold_path)
        problems = validate_corpus(root)
        orphans = after.get("orphans", [])
        assert [p.path for p in problems] == [f"$.orphans[{i}]" for i in range(len(orphans))]
        ids = lambda d: sorted(a["id"] for layer in ("entities", "quotes", "claims") for a in d[layer])
        assert sorted(ids(after) + [o["annotation"]["id"] for o in orphans]) == ids(gold)


# Guards --------------------------------------------------------------------------------------
class _FixedPlaces:
    """A TextMap stand-in that places spans where told: injects a placement no diff makes."""

    def __init__(self, old, places):
        self.old, self.places = old, places

    def place(self, start, end, text):
        from newsspans.curation.reanchor import Placed
        new = self.places.get((start, end), (start, end))
        return Placed(*new, "search")


def test_a_claim_placed_outside_its_placed_quote_is_orphaned_and_its_quote_kept(mini):
    gold = read(mini / "annotations" / STORM / "gold.json")
    old = (mini / "corpus" / STORM / "v1.txt").read_text(encoding="utf-8")
    claim = gold["claims"][0]
    places = {(claim["start"], claim["end"]): (claim["start"] + 100, claim["end"] + 100)}
    new_data, report = revise_module.reanchor_file(gold, _FixedPlaces(old, places), 2, "0" * 64, DAY)
    assert [c["id"] for c in new_data["claims"]] == ["c2"]
    assert [q["id"] for q in new_data["quotes"]] == ["q1", "q2"]
    [orphan] = new_data["orphans"]
    assert orphan["annotation"] == claim
    assert orphan["reason"] == "its text was placed at [163:192], outside its quote 'q1' placed at [14:92]"
    assert [(o["id"], o["span"]) for o in report["orphaned"]] == [("c1", {"old": [63, 92], "new": None})]


def test_a_document_without_annotations_keeps_its_empty_gold(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text("Storm hits Brest.\n", encoding="utf-8")
    ingest(tmp_path, raw, "empty-doc", today=DAY)
    new = tmp_path / "new.txt"
    new.write_text("Storm hits Brest and Quimper.\n", encoding="utf-8")
    report = revise(tmp_path, "empty-doc", new, "second town", today=DAY)
    gold = read(tmp_path / "annotations" / "empty-doc" / "gold.json")
    assert (gold["version"], gold["provenance"]["method"], gold["provenance"]["modified"]) == (2, "empty", DAY)
    assert report["files"][0]["unchanged"] == 0 and "orphans" not in gold
    assert validate_corpus(tmp_path) == []


def test_revise_never_lists_the_corpus(mini, tmp_path, monkeypatch):
    # What keeps a revision in a corpus of 10,000 documents as cheap as in a corpus of two.
    from newsspans.store.layout import Layout

    def listing(self):
        raise AssertionError("revise listed every document of the corpus")

    monkeypatch.setattr(Layout, "doc_ids", listing)
    report = revise(mini, STORM, storm_revision(mini, tmp_path), "corrected", today=DAY)
    assert report["version"] == 2


def test_repeated_paragraphs_one_deleted_orphan_their_spans_as_ambiguous_and_the_rest_is_placed(cli, tmp_path):
    """Through the commands: spans added by text on three copies of a paragraph; a revision
    that deletes one copy cannot say which, so the copies' spans are orphans, with the reason,
    but the one whose context is unique (before the last paragraph) and the span of the
    paragraph that is not repeated move to their one place."""
    shutil.copytree(MINI, tmp_path / "c")
    root = tmp_path / "c"
    raw = tmp_path / "raw.txt"
    copy = "Storm hits Brest again, the mayor of Brest said."
    raw.write_text(f"Intro.\n\n{copy}\n\n{copy}\n\n{copy}\n\nThe port of Quimper stays shut.\n", encoding="utf-8")
    assert cli("ingest", raw, "--id", "repeated-storm", "--root", root).exit_code == 0
    assert cli("registry", "add", "brest", "--name", "Brest", "--type", "GPE", "--root", root).exit_code == 0
    assert cli("registry", "add", "quimper", "--name", "Quimper", "--type", "GPE", "--root", root).exit_code == 0
    for nth in range(1, 7):
        result = cli("annotate", "repeated-storm", "--entity", "Brest", "--label", "GPE", "--link", "brest",
                     "--nth", nth, "--root", root)
        assert result.exit_code == 0, result.output
    assert cli("annotate", "repeated-storm", "--entity", "Quimper", "--label", "GPE", "--link", "quimper",
               "--root", root).exit_code == 0
    new = tmp_path / "new.txt"
    new.write_text(f"Intro, longer now.\n\n{copy}\n\n{copy}\n\nThe port of Quimper stays shut.\n", encoding="utf-8")
    result = cli("revise", "repeated-storm", "--text", new, "--note", "one copy removed", "--format", "json",
                 "--root", root)
    assert result.exit_code == 0, result.output
    [gold] = json.loads(result.stdout)["files"]
    assert gold["placed"] == {"same offset": 0, "unique context": 2, "orphaned": 5}
    assert [(o["id"], o["how"]) for o in gold["moved"]] == [("m6", "unique context"), ("m7", "unique context")]
    assert all(o["reason"].startswith("ambiguous: ") for o in gold["orphaned"])
    assert [p.path for p in validate_corpus(root)] == [f"$.orphans[{i}]" for i in range(5)]
