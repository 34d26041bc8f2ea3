"""The exports read back with the real `datasets` library, offline, with a throw-away cache.

Checked on a fresh export of the mini fixture and on the committed exports of the
repository: features typed as declared, text slices, counts, resolved names, and the
lossless round trip annotation files -> export -> load -> annotation objects.
"""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from newsspans.model import labels
from newsspans.store.layout import Layout
from newsspans.export.build import export_corpus
from newsspans.export.features import CONFIGS, NER_TAGS, features
from newsspans.store.hashing import sha256_text
from newsspans.model.annotations import AnnotationFile
from rowobjects import claim_from_row, layers_from_document_row, mention_from_row, quote_from_row

from conftest import MINI, REPO

LABEL_SETS = {"label": labels.ENTITY_TYPES, "mention": labels.MENTION_KINDS,
              "kind": labels.QUOTE_KINDS, "category": labels.CLAIM_CATEGORIES}


@pytest.fixture(scope="module", params=["mini", "repo"])
def loaded(request, offline, tmp_path_factory):
    """(root, {config: DatasetDict}, {config: IterableDatasetDict})."""
    datasets, cache = offline
    if request.param == "mini":
        root = tmp_path_factory.mktemp("export") / "mini"
        shutil.copytree(MINI, root)
        export_corpus(root)
    else:
        root = REPO
    eager = {c: datasets.load_dataset(str(root), c, cache_dir=str(cache)) for c in CONFIGS}
    lazy = {c: datasets.load_dataset(str(root), c, streaming=True) for c in CONFIGS}
    return root, eager, lazy


def _gold_files(root):
    corpus = Layout(root)
    return {doc_id: AnnotationFile.fromdict(corpus.read_json(corpus.gold_path(doc_id)))
            for doc_id in corpus.doc_ids()}


def _rows(dsdict):
    return [row for split in sorted(dsdict) for row in dsdict[split]]


def test_every_config_is_typed_as_declared(loaded):
    _, eager, lazy = loaded
    for config in CONFIGS:
        splits = set(eager[config])
        assert splits == set(lazy[config])
        for split in splits:
            assert eager[config][split].features == features(config)
            assert lazy[config][split].features == features(config)


def test_class_label_names_are_the_full_label_sets(loaded):
    _, eager, _ = loaded
    for config in ("entities", "quotes", "claims"):
        feats = next(iter(eager[config].values())).features
        for column, names in LABEL_SETS.items():
            if column in feats:
                assert feats[column].names == list(names)
    docs = next(iter(eager["documents"].values())).features
    assert docs["entities"].feature["label"].names == list(labels.ENTITY_TYPES)
    ner = next(iter(eager["ner"].values())).features
    assert ner["ner_tags"].feature.names == list(NER_TAGS)
    assert len(NER_TAGS) == 1 + 2 * len(labels.ENTITY_TYPES)


def test_streaming_gives_the_same_rows(loaded):
    _, eager, lazy = loaded
    for config in CONFIGS:
        for split in eager[config]:
            assert list(lazy[config][split]) == list(eager[config][split])


def test_splits_follow_document_json(loaded):
    root, eager, _ = loaded
    corpus = Layout(root)
    expected = {d: corpus.document(d)["split"] for d in corpus.doc_ids()}
    found = {row["doc_id"]: split for split, ds in eager["documents"].items() for row in ds}
    assert found == expected


def test_span_texts_are_slices_of_their_document_text(loaded):
    _, eager, _ = loaded
    texts = {(r["doc_id"], r["version"]): r["text"] for r in _rows(eager["documents"])}
    for r in _rows(eager["documents"]):
        assert sha256_text(r["text"]) == r["text_sha256"]
    for config in ("entities", "quotes", "claims"):
        for r in _rows(eager[config]):
            assert texts[r["doc_id"], r["version"]][r["start"]:r["end"]] == r["text"]
            if config == "quotes" and r["cue_start"] is not None:
                assert texts[r["doc_id"], r["version"]][r["cue_start"]:r["cue_end"]] == r["cue_text"]
    for r in _rows(eager["ner"]):
        text = texts[r["doc_id"], r["version"]]
        assert [text[s:e] for s, e in zip(r["token_starts"], r["token_ends"])] == r["tokens"]


def test_counts_equal_the_gold_files(loaded):
    root, eager, _ = loaded
    gold = _gold_files(root)
    for config in ("entities", "quotes", "claims"):
        counted = Counter(r["doc_id"] for r in _rows(eager[config]))
        expected = Counter({d: len(getattr(g, config)) for d, g in gold.items() if getattr(g, config)})
        assert counted == expected
    versions = sum(len(Layout(root).document(d)["versions"]) for d in gold)
    assert len(_rows(eager["documents"])) == versions


def test_names_resolve_through_mentions_to_the_registry(loaded):
    root, eager, _ = loaded
    registry, gold = Layout(root).registry(), _gold_files(root)
    for r in _rows(eager["entities"]):
        entity = registry.get(r["entity_id"]) if r["entity_id"] else None
        assert r["entity_name"] == (entity["name"] if entity else None)
        assert r["wikidata"] == (entity.get("wikidata") if entity else None)
    authors = 0
    for config, role in (("quotes", "speaker"), ("claims", "claimant")):
        for r in _rows(eager[config]):
            ref = r[f"{role}_id"]
            if ref == labels.AUTHOR_ID:
                authors += 1
                assert (r[f"{role}_entity_id"], r[f"{role}_name"]) == (None, labels.AUTHOR_NAME)
            elif ref is not None:
                mention = gold[r["doc_id"]].mentions_by_id()[ref]
                assert r[f"{role}_entity_id"] == mention.entity
                assert r[f"{role}_name"] == registry[mention.entity]["name"]
    assert authors > 0, "the fixture and the seed both have a claim by the author"


def test_lossless_round_trip_through_documents(loaded):
    root, eager, _ = loaded
    gold = _gold_files(root)
    for split, ds in eager["documents"].items():
        for row in ds:
            layers = layers_from_document_row(row, ds.features)
            g = gold[row["doc_id"]]
            if row["version"] != g.version:
                assert layers == {"entities": (), "quotes": (), "claims": ()}
                continue
            rebuilt = AnnotationFile(row["doc_id"], row["version"], row["text_sha256"],
                                     g.provenance, **layers)
            assert rebuilt == g


def test_lossless_round_trip_through_flat_configs(loaded):
    root, eager, _ = loaded
    gold = _gold_files(root)
    make = {"entities": mention_from_row, "quotes": quote_from_row, "claims": claim_from_row}
    for config, build in make.items():
        by_doc = defaultdict(list)
        for split, ds in eager[config].items():
            for row in ds:
                by_doc[row["doc_id"]].append(build(row, ds.features))
        for doc_id, g in gold.items():
            assert tuple(by_doc.get(doc_id, ())) == getattr(g, config)


def test_check_load_command_offline_with_a_fresh_hf_home(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    export_corpus(root)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf-home")}
    cli = Path(sys.executable).with_name("newsspans")
    result = subprocess.run([str(cli), "check-load", "--root", str(root)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "documents/train: 1 rows", "documents/validation: 1 rows",
        "entities/train: 9 rows", "entities/validation: 16 rows",
        "quotes/train: 2 rows", "quotes/validation: 4 rows",
        "claims/train: 2 rows", "claims/validation: 3 rows",
        "ner/train: 4 rows", "ner/validation: 4 rows"]


def test_older_versions_are_rows_without_annotations(tmp_path, offline):
    datasets, cache = offline
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    doc_id = "mini-brittany-storm"
    folder = root / "corpus" / doc_id
    v2 = (folder / "v1.txt").read_text(encoding="utf-8") + "\nA later paragraph.\n"
    (folder / "v2.txt").write_text(v2, encoding="utf-8")
    doc = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    doc["versions"].append({"version": 2, "file": "v2.txt", "sha256": sha256_text(v2),
                            "created": "2026-11-28", "note": "a paragraph added"})
    (folder / "document.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    gold_path = root / "annotations" / doc_id / "gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["version"], gold["sha256"] = 2, sha256_text(v2)
    gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=2), encoding="utf-8")
    export_corpus(root)
    ds = datasets.load_dataset(str(root), "documents", cache_dir=str(cache))["train"]
    assert [(r["doc_id"], r["version"], len(r["entities"])) for r in ds] == [
        (doc_id, 1, 0), (doc_id, 2, len(gold["entities"]))]
    ents = datasets.load_dataset(str(root), "entities", cache_dir=str(cache))["train"]
    assert set(ents["version"]) == {2}


def test_check_load_names_a_count_the_card_gets_wrong(tmp_path, monkeypatch):
    from newsspans.errors import ExportError
    from newsspans.export.loadcheck import check_load
    import datasets
    # check_load switches datasets to offline mode; undo that after the test.
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    export_corpus(root)
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert text.count("num_examples: 16\n") == 1
    readme.write_text(text.replace("num_examples: 16\n", "num_examples: 17\n"), encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        check_load(root)
    message = str(caught.value)
    assert message.startswith("loading the exports back failed: entities: datasets cannot load it: "
                              "NonMatchingSplitsSizesError: ")
    assert "num_examples=17" in message and "num_examples=16" in message
    assert "entities/validation: declared in README.md but not loaded" in message


def test_many_shards_load_as_one_split(tmp_path, offline):
    from newsspans.export.shards import Limits
    datasets, cache = offline
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    export_corpus(root, limits=Limits(max_rows=2, batch_rows=1))
    assert len(list((root / "exports" / "entities").glob("validation-*-of-00008.parquet"))) == 8
    eager = datasets.load_dataset(str(root), "entities", cache_dir=str(cache / "shards"))
    lazy = datasets.load_dataset(str(root), "entities", streaming=True)
    gold = _gold_files(root)
    for split, ds in eager.items():
        assert list(lazy[split]) == list(ds)
    ids = [(r["doc_id"], r["id"]) for split in sorted(eager) for r in eager[split]]
    assert ids == [(d, m.id) for d in sorted(gold) for m in gold[d].entities]
