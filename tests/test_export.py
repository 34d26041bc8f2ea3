"""`newsspans export`: files, determinism, validation first, --check, interrupted exports."""

import json
import shutil

import pyarrow.parquet as pq
import pytest
from datasets import Features

from newsspans.export import shards
from newsspans.errors import InvalidCorpus
from newsspans.export.build import dataset_version, export_corpus
from newsspans.export.features import CONFIGS, arrow_schema, features
from newsspans.export.shards import Limits

from conftest import REPO, snapshot

EXPECTED_FILES = sorted(
    [f"exports/{c}/{s}-00000-of-00001.parquet" for c in CONFIGS for s in ("train", "validation")]
    + ["croissant.json", "README.md"])


def _exports(root):
    return {k: v for k, v in snapshot(root).items()
            if k.startswith("exports/") or k in ("croissant.json", "README.md")}


def test_export_writes_one_shard_per_config_and_split(mini, cli):
    result = cli("export", "--root", mini)
    assert result.exit_code == 0, result.output
    assert sorted(line.removeprefix("wrote ") for line in result.stdout.splitlines()) == EXPECTED_FILES
    assert sorted(_exports(mini)) == EXPECTED_FILES


def test_export_is_byte_identical_across_runs_and_checkouts(mini, tmp_path):
    export_corpus(mini)
    first = _exports(mini)
    export_corpus(mini)
    assert _exports(mini) == first
    elsewhere = shutil.copytree(mini, tmp_path / "other" / "checkout")
    shutil.rmtree(elsewhere / "exports")
    export_corpus(elsewhere)
    assert _exports(elsewhere) == first


def test_parquet_schema_carries_the_declared_features(mini):
    export_corpus(mini)
    for config in CONFIGS:
        schema = pq.read_schema(mini / "exports" / config / "train-00000-of-00001.parquet")
        assert schema.metadata == arrow_schema(config).metadata
        assert Features.from_arrow_schema(schema) == features(config)
        embedded = json.loads(schema.metadata[b"huggingface"])["info"]["features"]
        assert embedded == features(config).to_dict()


def test_invalid_corpus_writes_nothing_and_names_the_problem(mini, cli):
    gold = mini / "annotations" / "mini-brittany-storm" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["entities"][0]["end"] += 1
    gold.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    before = snapshot(mini)
    result = cli("export", "--root", mini)
    assert result.exit_code == 1
    assert "annotations/mini-brittany-storm/gold.json (mini-brittany-storm@1) $.entities[0].text" in result.stderr
    assert "Error: corpus is invalid (1 problem); nothing written" in result.stderr
    assert snapshot(mini) == before
    with pytest.raises(InvalidCorpus):
        export_corpus(mini, check=True)


def test_check_passes_when_fresh_and_writes_nothing(mini, cli):
    export_corpus(mini)
    before = snapshot(mini)
    result = cli("export", "--root", mini, "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "exports are fresh\n")
    assert snapshot(mini) == before


def test_check_names_every_stale_missing_and_extra_item(mini, cli):
    export_corpus(mini)
    # A changed annotation makes every config of its split stale, and the card and croissant.
    gold = mini / "annotations" / "mini-tromso-schools" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["claims"][0]["checkworthy"] = not data["claims"][0]["checkworthy"]
    gold.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (mini / "exports" / "ner" / "train-00000-of-00001.parquet").unlink()
    (mini / "exports" / "ner" / "train-00001-of-00002.parquet").write_bytes(b"old shard")
    readme = mini / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| `quotes` |", "| `quotes!` |"),
                      encoding="utf-8")
    before = snapshot(mini)
    result = cli("export", "--root", mini, "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "exports/claims/validation-00000-of-00001.parquet: stale",
        "exports/documents/validation-00000-of-00001.parquet: stale",
        "exports/ner/train-00000-of-00001.parquet: missing",
        "exports/ner/train-00001-of-00002.parquet: extra (no longer produced by the corpus)",
        "croissant.json: stale",
        "README.md: generated block 'splits' stale",
    ]
    assert result.stderr == "6 stale items: run `newsspans export`\n"
    assert snapshot(mini) == before


def test_check_reports_a_stale_front_matter_and_a_missing_block(mini):
    export_corpus(mini)
    readme = mini / "README.md"
    text = readme.read_text(encoding="utf-8")
    text = text.replace("num_examples: 16", "num_examples: 15")
    begin = text.index("<!-- newsspans:generated:columns:begin -->")
    end = text.index("<!-- newsspans:generated:columns:end -->")
    readme.write_text(text[:begin] + text[end + 40:], encoding="utf-8")
    assert export_corpus(mini, check=True) == [
        "README.md: YAML front matter stale", "README.md: generated block 'columns' missing"]
    export_corpus(mini)
    assert export_corpus(mini, check=True) == []


def test_export_keeps_the_prose_around_the_generated_parts(mini):
    (mini / "README.md").write_text(
        "---\nold: header\n---\n# mini\n\n## Quick start\n\nprose\n\n"
        "<!-- newsspans:generated:splits:begin -->\nold\n<!-- newsspans:generated:splits:end -->\n\n"
        "after\n", encoding="utf-8")
    export_corpus(mini)
    text = (mini / "README.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    assert body.startswith("# mini\n\n## Quick start\n\nprose\n\n<!-- newsspans:generated:splits:begin -->\n| config |")
    assert "\nafter\n" in body and "old: header" not in text
    assert body.rstrip().endswith("<!-- newsspans:generated:provenance:end -->")


def test_small_shard_limits_give_many_shards_and_remove_stale_ones(mini):
    export_corpus(mini, limits=Limits(max_rows=3, batch_rows=2))
    names = sorted(p.name for p in (mini / "exports" / "entities").iterdir())
    assert names == [f"train-{i:05d}-of-00003.parquet" for i in range(3)] + \
                    [f"validation-{i:05d}-of-00006.parquet" for i in range(6)]
    assert all(pq.read_metadata(mini / "exports" / "entities" / n).num_rows <= 3 for n in names)
    rows = sum(pq.read_metadata(mini / "exports" / "entities" / n).num_rows for n in names)
    assert rows == 9 + 16
    assert export_corpus(mini, check=True, limits=Limits(max_rows=3, batch_rows=2)) == []
    export_corpus(mini)
    assert sorted(p.name for p in (mini / "exports" / "entities").iterdir()) == [
        "train-00000-of-00001.parquet", "validation-00000-of-00001.parquet"]


def test_a_split_without_rows_is_neither_written_nor_declared(mini):
    """`datasets` cannot load an empty split eagerly: it is left out (tests/test_export_gaps.py)."""
    gold = mini / "annotations" / "mini-brittany-storm" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["quotes"], data["claims"] = [], []
    gold.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    export_corpus(mini)
    assert sorted(p.name for p in (mini / "exports" / "quotes").iterdir()) == [
        "validation-00000-of-00001.parquet"]
    table = pq.read_table(mini / "exports" / "quotes" / "validation-00000-of-00001.parquet")
    assert table.num_rows == 4 and table.schema.equals(arrow_schema("quotes"))
    assert "path: exports/quotes/train-*.parquet" not in (mini / "README.md").read_text(encoding="utf-8")


def test_interrupted_export_leaves_the_previous_files(mini, monkeypatch):
    export_corpus(mini)
    before = snapshot(mini)
    gold = mini / "annotations" / "mini-tromso-schools" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["claims"] = data["claims"][1:]
    gold.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    calls = []
    real_close = shards.ShardWriter.close

    def failing_close(self):
        calls.append(self.split)
        if len(calls) == 4:
            raise OSError("disk full")
        return real_close(self)

    monkeypatch.setattr(shards.ShardWriter, "close", failing_close)
    with pytest.raises(OSError, match="disk full"):
        export_corpus(mini)
    after = snapshot(mini)
    del before["annotations/mini-tromso-schools/gold.json"]
    del after["annotations/mini-tromso-schools/gold.json"]
    assert after == before
    assert [p.name for p in (mini / "exports").iterdir() if p.name.startswith(".")] == []


def test_dataset_version_comes_from_the_release_record_not_croissant(mini):
    assert dataset_version(mini) == "0.1.0"
    export_corpus(mini)
    croissant = json.loads((mini / "croissant.json").read_text(encoding="utf-8"))
    croissant["version"] = "1.2.0"
    (mini / "croissant.json").write_text(json.dumps(croissant), encoding="utf-8")
    # A generated file does not set the version: it is stale, and the export repairs it.
    assert dataset_version(mini) == "0.1.0"
    assert export_corpus(mini, check=True) == ["croissant.json: stale"]
    (mini / "releases").mkdir()
    (mini / "releases" / "releases.json").write_text(json.dumps(
        {"releases": [{"version": "1.2.0", "files": {}, "manifest_sha256": "0" * 64}]}), encoding="utf-8")
    assert dataset_version(mini) == "1.2.0"
    export_corpus(mini)   # a regenerated croissant.json shows the release version
    assert json.loads((mini / "croissant.json").read_text(encoding="utf-8"))["version"] == "1.2.0"
    assert export_corpus(mini, check=True) == []


def test_committed_exports_are_fresh(cli):
    result = cli("export", "--root", REPO, "--check")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_document_without_gold_has_a_row_but_no_annotations(mini):
    (mini / "annotations" / "mini-brittany-storm" / "gold.json").unlink()
    export_corpus(mini)
    docs = pq.read_table(mini / "exports" / "documents" / "train-00000-of-00001.parquet").to_pylist()
    assert [(d["doc_id"], d["entities"], d["quotes"], d["claims"]) for d in docs] == [
        ("mini-brittany-storm", [], [], [])]
    for config in ("entities", "quotes", "claims", "ner"):   # no rows: no train shard
        assert not (mini / "exports" / config / "train-00000-of-00001.parquet").exists()
    assert pq.read_metadata(mini / "exports" / "ner" / "validation-00000-of-00001.parquet").num_rows > 0


def test_an_empty_gold_gives_no_ner_rows(mini):
    gold = mini / "annotations" / "mini-brittany-storm" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data.update(entities=[], quotes=[], claims=[])
    data["provenance"]["method"] = "empty"
    gold.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    export_corpus(mini)
    # All-"O" sentences would claim the text has no names; an unannotated text has no rows.
    assert not (mini / "exports" / "ner" / "train-00000-of-00001.parquet").exists()
    assert (mini / "exports" / "ner" / "validation-00000-of-00001.parquet").exists()


def test_an_empty_corpus_is_an_error(tmp_path, cli):
    (tmp_path / "corpus").mkdir()
    result = cli("export", "--root", tmp_path)
    assert result.exit_code == 1
    assert result.stderr == "Error: nothing to export: corpus/ has no documents\n"
    assert not (tmp_path / "exports" / "documents").exists()
