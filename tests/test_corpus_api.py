"""The Corpus API: typed, immutable objects read once; validation kept; names checked."""

import dataclasses
import json
import os
import shutil
import tempfile

import pytest

from newsspans import Corpus, CorpusError, Document, InvalidCorpus, Version
from newsspans.curation.adopt import adopt
from newsspans.curation.release import release
from newsspans.curation.revise import revise
from newsspans.export.build import export_corpus
from newsspans.export.refresh import refresh
from newsspans.store.writing import dumps_json
from newsspans.validation import validate as validate_module

from conftest import REPO, snapshot

TROMSO, STORM = "mini-tromso-schools", "mini-brittany-storm"


def test_documents_are_typed_and_immutable(mini):
    corpus = Corpus.open(mini)
    docs = list(corpus.documents())
    assert [d.id for d in docs] == [STORM, TROMSO] == list(corpus.doc_ids)
    doc = corpus.document(TROMSO)
    assert isinstance(doc, Document) and isinstance(doc.latest, Version)
    assert doc.latest.text == (mini / "corpus" / TROMSO / "v1.txt").read_text(encoding="utf-8")
    assert doc.version(1) is doc.latest and doc.split == doc.metadata["split"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.gold = None
    with pytest.raises(TypeError):
        doc.metadata["split"] = "train"
    with pytest.raises(TypeError):
        corpus.registry["x"] = {}
    with pytest.raises(CorpusError, match=f"{TROMSO} has no version 2 \\(versions 1 to 1\\)"):
        doc.version(2)
    assert sorted(doc.annotators) == ["alice"]


def test_every_span_of_every_document_slices_its_text(mini):
    for doc in Corpus.open(mini).require_valid().documents():
        for annotations in [doc.gold, *doc.annotators.values()]:
            text = doc.version(annotations.version).text
            for layer in ("entities", "quotes", "claims"):
                for item in getattr(annotations, layer):
                    assert text[item.start:item.end] == item.text


def test_references_resolve_through_the_model(mini):
    doc = Corpus.open(mini).document(TROMSO)
    gold = doc.gold
    for quote in gold.quotes:
        speaker = gold.speaker(quote)
        assert (speaker is None) == (quote.speaker is None)
        if speaker is not None:
            assert speaker.id == quote.speaker and speaker in gold.entities


def test_validate_returns_every_problem_and_require_valid_raises_them(mini):
    gold = mini / "annotations" / TROMSO / "gold.json"
    text = gold.read_text(encoding="utf-8")
    gold.write_text(text.replace('"end": 18,', '"end": 400,', 1), encoding="utf-8")
    corpus = Corpus.open(mini)
    problems = corpus.validate()
    assert [p.path for p in problems] == ["$.entities[0].end"]
    with pytest.raises(InvalidCorpus) as caught:
        corpus.require_valid()
    assert caught.value.problems == problems


def test_a_command_validates_the_corpus_once(mini, monkeypatch):
    real, calls = validate_module.validate_corpus, []

    def counting(root, jobs=None):
        calls.append(root)
        return real(root, jobs)

    monkeypatch.setattr(validate_module, "validate_corpus", counting)
    gaps = mini.parent / "gaps"   # lint-clean gold: a release's gate lets it through
    shutil.copytree(REPO / "tests" / "fixtures" / "gaps", gaps)
    corpus = Corpus.open(gaps)
    corpus.require_valid()
    refresh(corpus)
    assert export_corpus(corpus, check=True) == []
    release(corpus, today="2024-01-01")   # checks the build (lint, stats, pages), then exports again
    assert len(calls) == 1


def test_unknown_names_list_what_exists(mini):
    corpus = Corpus.open(mini)
    with pytest.raises(CorpusError, match=rf"no document 'ghost-doc' in corpus/ \(documents: {STORM}, {TROMSO}\)"):
        corpus.document("ghost-doc")
    with pytest.raises(CorpusError, match=rf"is not a slug .* \(documents: {STORM}, {TROMSO}\)"):
        corpus.document("../../etc")
    with pytest.raises(CorpusError, match=r"no annotator 'ghost' in annotations/\*/annotators/ \(annotators: alice\)"):
        corpus.check_annotator("ghost")
    with pytest.raises(CorpusError, match=rf"no annotator 'bob' in annotations/{TROMSO}/annotators/ \(annotators: alice\)"):
        corpus.document(TROMSO).annotator("bob")


@pytest.mark.parametrize("args", [["agreement", "--doc", "../../etc"], ["agreement", "--doc", "ghost-doc"],
                                  ["render", "--compare", "ghost"], ["adopt", "--from", "ghost", "--doc", TROMSO],
                                  ["adopt", "--from", "alice", "--doc", "ghost-doc"],
                                  ["doccano", "push", "--doc", "ghost-doc"]])
def test_commands_refuse_names_that_exist_nowhere(mini, cli, args):
    before = snapshot(mini)
    result = cli(*args, "--root", mini)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: no ") or "is not a slug" in result.stderr, result.stderr
    assert "(documents: " in result.stderr or "alice" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(mini) == before


def test_a_corpus_is_its_folder_for_path_functions(mini):
    corpus = Corpus.open(mini)
    assert os.fspath(corpus) == str(mini) and Corpus.of(corpus) is corpus
    with pytest.raises(CorpusError, match="not a folder"):
        Corpus.open(mini / "dataset.yaml")


def test_adopt_and_revise_check_in_memory_without_temporary_files(mini, tmp_path, monkeypatch):
    def no_temporary(*args, **kwargs):
        raise AssertionError("a temporary copy was made to validate data held in memory")

    for name in ("mkstemp", "mkdtemp", "TemporaryDirectory", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temporary)
    monkeypatch.setattr("newsspans.store.writing.tempfile.mkstemp", _plain_mkstemp)
    result = adopt(mini, "alice", TROMSO, accept_lint=True)
    assert result["written"] is False
    revised = tmp_path / "new.txt"
    revised.write_text((mini / "corpus" / STORM / "v1.txt").read_text(encoding="utf-8")
                       + "\nOne more paragraph.\n", encoding="utf-8")
    report = revise(mini, STORM, revised, "a paragraph added", today="2024-01-01", dry_run=True)
    assert report["version"] == 2


def _plain_mkstemp(prefix="", suffix="", dir=None):
    """atomic_write's own temporary file beside its target: allowed (it is the write itself)."""
    path = os.path.join(dir, f"{prefix}plain{suffix}")
    return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), path


def test_a_corpus_with_an_invalid_annotator_file_is_refused_by_every_reader(mini, cli):
    path = mini / "annotations" / TROMSO / "annotators" / "alice.json"
    path.write_bytes(dumps_json({"doc_id": TROMSO}))
    before = snapshot(mini)
    for args in (["lint"], ["stats"], ["agreement"], ["render", "--out", mini / "site"], ["export"]):
        result = cli(*args, "--root", mini)
        assert result.exit_code == 1, (args, result.output)
        assert "annotations/mini-tromso-schools/annotators/alice.json" in result.stderr, (args, result.stderr)
    assert snapshot(mini) == before


def test_commands_that_need_only_gold_read_no_annotator_file(mini, monkeypatch):
    from newsspans.store.layout import Layout
    corpus = Corpus.open(mini).require_valid()   # validation reads every file, once
    real, read = Layout.read_json, []

    def recording(self, path):
        read.append(os.fspath(path))
        return real(self, path)

    monkeypatch.setattr(Layout, "read_json", recording)
    export_corpus(corpus)
    doc = corpus.document(TROMSO)
    assert read and not [p for p in read if "/annotators/" in p]
    assert doc.annotator("alice").doc_id == TROMSO                # read when asked for
    assert [p for p in read if "/annotators/" in p] == [str(mini / "annotations" / TROMSO / "annotators" / "alice.json")]
    assert doc.annotator("alice") is doc.annotator("alice")      # and kept


def test_adopt_reports_an_off_schema_annotator_file_with_its_locations(mini):
    path = mini / "annotations" / TROMSO / "annotators" / "alice.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["claims"]
    data["entities"][0]["start"] = "0"
    path.write_bytes(dumps_json(data))
    before = snapshot(mini)
    with pytest.raises(InvalidCorpus) as caught:
        adopt(mini, "alice", TROMSO)
    shown = [p.format() for p in caught.value.problems]
    assert any("annotators/alice.json" in s and "'claims' is a required property" in s for s in shown), shown
    assert snapshot(mini) == before


def test_a_malformed_annotation_file_read_without_validation_is_named(mini):
    path = mini / "annotations" / TROMSO / "annotators" / "alice.json"
    path.write_bytes(dumps_json({"doc_id": TROMSO}))
    doc = Corpus.open(mini).document(TROMSO)          # nothing of alice's is read yet
    with pytest.raises(CorpusError, match=rf"annotations/{TROMSO}/annotators/alice.json: not an annotation file"):
        doc.annotator("alice")
