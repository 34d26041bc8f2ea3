"""croissant.json: mlcroissant validates it and its record sets read the Parquet, offline."""

import hashlib
import json
import shutil

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest

from newsspans.export.build import export_corpus
from newsspans.export.features import CONFIGS, features

from conftest import MINI, REPO


def _strip(record, prefix):
    out = {}
    for key, value in record.items():
        name = key.removeprefix(prefix)
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        elif isinstance(value, list):
            value = [v.decode("utf-8") if isinstance(v, bytes) else
                     _strip(v, f"{prefix}{name}/") if isinstance(v, dict) else v for v in value]
        out[name] = value
    return out


@pytest.fixture(scope="module", params=["repo", "mini", "gaps"])
def root(request, tmp_path_factory):
    """The seed, the mini fixture, and one whose train split has no claims."""
    if request.param == "repo":
        return REPO
    root = tmp_path_factory.mktemp("croissant") / "mini"
    shutil.copytree(MINI if request.param == "mini" else REPO / "tests" / "fixtures" / "gaps", root)
    export_corpus(root)
    return root


@pytest.fixture(scope="module")
def dataset(root):
    return mlc.Dataset(jsonld=root / "croissant.json")


def test_mlcroissant_reports_no_errors(dataset):
    issues = dataset.metadata.ctx.issues
    assert issues.errors == set()


def test_every_shard_is_a_file_object_with_its_sha256(root):
    data = json.loads((root / "croissant.json").read_text(encoding="utf-8"))
    objects = {d["contentUrl"]: d for d in data["distribution"] if d["@type"] == "cr:FileObject"}
    shards = sorted(p.relative_to(root).as_posix() for p in (root / "exports").rglob("*.parquet"))
    assert sorted(objects) == shards
    for path, obj in objects.items():
        assert obj["sha256"] == hashlib.sha256((root / path).read_bytes()).hexdigest()
    assert data["conformsTo"] == "http://mlcommons.org/croissant/1.0"


def test_record_sets_read_the_parquet(root, dataset):
    for config in CONFIGS:
        records = [_strip(r, f"{config}/") for r in dataset.records(config)]
        table = pq.ParquetDataset(sorted((root / "exports" / config).glob("*.parquet"))).read()
        rows = table.to_pylist()
        assert len(records) == len(rows)
        key = {"documents": ("doc_id", "version"),
               "ner": ("doc_id", "version", "sentence")}.get(config, ("doc_id", "version", "id"))

        def order(r):
            return tuple(r[k] for k in key)

        for record, row in zip(sorted(records, key=order), sorted(rows, key=order)):
            assert record == {name: row[name] for name in features(config)}


def _fields(fields):
    for field in fields:
        yield field
        yield from _fields(field.get("subField", ()))


def test_every_field_description_is_a_sentence_about_its_column(root):
    data = json.loads((root / "croissant.json").read_text(encoding="utf-8"))
    for record_set in data["recordSet"]:
        for field in _fields(record_set["field"]):
            description = field["description"]
            assert description[0].isupper() and description.endswith("."), field["@id"]
            assert not description.lower().startswith(f"{field['name']}:"), field["@id"]
            assert ": of " not in description and ":." not in description, field["@id"]
    fields = {f["@id"]: f["description"] for rs in data["recordSet"] for f in _fields(rs["field"])}
    assert fields["documents/text"] == "The canonical text of the document version."
    assert fields["entities/text"] == fields["documents/entities/text"] == (
        "The span's text, equal to text[start:end] of its document version's text.")
    assert fields["quotes/kind"] == (
        "The quote kind, as a class index into [direct, indirect, mixed] (the names are also "
        "in each Parquet file's `labels` metadata).")


def test_date_published_is_the_last_release_date(root, tmp_path):
    data = json.loads((root / "croissant.json").read_text(encoding="utf-8"))
    record = root / "releases" / "releases.json"
    if record.is_file():
        releases = json.loads(record.read_text(encoding="utf-8"))["releases"]
        assert data["datePublished"] == releases[-1]["date"]
    else:
        assert "datePublished" not in data   # nothing released yet
    copy = tmp_path / "copy"
    shutil.copytree(MINI, copy)
    (copy / "releases").mkdir()
    (copy / "releases" / "releases.json").write_text(json.dumps({"releases": [
        {"version": "0.3.0", "date": "2026-12-24", "files": {}, "manifest_sha256": "0" * 64}]}),
        encoding="utf-8")
    export_corpus(copy)
    data = json.loads((copy / "croissant.json").read_text(encoding="utf-8"))
    assert (data["version"], data["datePublished"]) == ("0.3.0", "2026-12-24")
    assert mlc.Dataset(jsonld=copy / "croissant.json").metadata.ctx.issues.errors == set()
