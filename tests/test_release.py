"""Dataset releases: the bump the changes need, the manifest, CHANGELOG, croissant version."""

import datetime
import json
import re
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspans.curation import release as release_module
from newsspans.export import shards
from newsspans.errors import InvalidCorpus, ReleaseError
from newsspans.export.build import export_corpus
from newsspans.export.features import CONFIGS
from newsspans.curation.release import bumped, compare, plan_release, read_exports, release, required_bump

from newsspans.curation.revise import revise
from newsspans.export.refresh import refresh

from conftest import SEED_ID
from test_revise import DAY, read, seed_revision

# Constructed exports ---------------------------------------------------------------------
ROWS = {
    "documents": [{"doc_id": "a", "version": 1, "text": "A."}, {"doc_id": "b", "version": 1, "text": "B."}],
    "entities": [{"doc_id": "a", "version": 1, "id": "m1", "start": 0, "end": 1, "text": "A"}],
    "quotes": [{"doc_id": "a", "version": 1, "id": "q1", "start": 0, "end": 2, "text": "A."}],
    "claims": [{"doc_id": "b", "version": 1, "id": "c1", "start": 0, "end": 2, "text": "B."}],
    "ner": [{"doc_id": "a", "version": 1, "sentence": 0, "tokens": ["A", "."]}],
}


def write_exports(root, rows, split_of=lambda row: "test", compression="zstd"):
    """Like the export: every config gets a file for every split that has a document."""
    shutil.rmtree(root / "exports", ignore_errors=True)
    splits = {split_of(row) for row in rows["documents"]}
    for config in CONFIGS:
        schema = pa.Table.from_pylist(rows[config] or ROWS[config]).schema
        for split in splits:
            split_rows = [row for row in rows[config] if split_of(row) == split]
            path = root / "exports" / config / f"{split}-00000-of-00001.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(split_rows, schema=schema), path, compression=compression)


def with_changes(**changes):
    rows = {config: [dict(r) for r in rs] for config, rs in ROWS.items()}
    for config, change in changes.items():
        change(rows[config])
    return rows


def bump_between(tmp_path, before, after, **kwargs):
    write_exports(tmp_path, before, **kwargs.get("before_args", {}))
    old_records, old_files = read_exports(tmp_path)
    write_exports(tmp_path, after, **kwargs.get("after_args", {}))
    records, files = read_exports(tmp_path)
    counts = compare(old_records, records)
    return required_bump(counts, files != old_files), counts


def test_identical_exports_need_no_release(tmp_path):
    assert bump_between(tmp_path, ROWS, ROWS)[0] is None


def test_the_same_records_reserialised_are_a_patch(tmp_path):
    bump, counts = bump_between(tmp_path, ROWS, ROWS, after_args={"compression": "gzip"})
    assert bump == "patch"
    assert all(c["added"] == c["changed"] == c["removed"] == c["moved"] == 0 for c in counts.values())
    reordered = with_changes(documents=lambda rs: rs.reverse())
    assert bump_between(tmp_path, ROWS, reordered)[0] == "patch"


def test_records_added_are_a_minor(tmp_path):
    after = with_changes(entities=lambda rs: rs.append(
        {"doc_id": "a", "version": 1, "id": "m2", "start": 1, "end": 2, "text": "."}))
    bump, counts = bump_between(tmp_path, ROWS, after)
    assert bump == "minor"
    assert counts["entities"] == {"added": 1, "changed": 0, "removed": 0, "moved": 0, "rows": 2}


@pytest.mark.parametrize("change, config, count", [
    (lambda rs: rs[0].update(end=2, text="A."), "entities", "changed"),
    (lambda rs: rs.pop(), "claims", "removed"),
    (lambda rs: rs.pop(0), "documents", "removed"),
])
def test_records_changed_or_removed_are_a_major(tmp_path, change, config, count):
    bump, counts = bump_between(tmp_path, ROWS, with_changes(**{config: change}))
    assert bump == "major"
    assert counts[config][count] == 1
    assert sum(c[k] for c in counts.values() for k in ("added", "changed", "removed", "moved")) == 1


def test_a_document_moved_to_another_split_is_a_major(tmp_path):
    bump, counts = bump_between(tmp_path, ROWS, ROWS,
                                after_args={"split_of": lambda r: "train" if r["doc_id"] == "b" else "test"})
    assert bump == "major"
    assert counts["documents"] == {"added": 0, "changed": 0, "removed": 0, "moved": 1, "rows": 2}
    assert counts["claims"]["moved"] == 1


def test_additions_beside_a_change_still_need_a_major(tmp_path):
    def change(rs):
        rs[0]["text"] = "A!"
        rs.append({"doc_id": "c", "version": 1, "text": "C."})
    assert bump_between(tmp_path, ROWS, with_changes(documents=change))[0] == "major"


def test_a_record_key_twice_is_refused(tmp_path):
    write_exports(tmp_path, with_changes(quotes=lambda rs: rs.append(dict(rs[0]))))
    with pytest.raises(ReleaseError, match=r'exports/quotes/test-00000-of-00001.parquet: record '
                                           r'\["a", "q1"\] appears twice in the quotes config'):
        read_exports(tmp_path)


def test_exports_that_cannot_be_read_are_refused(tmp_path):
    with pytest.raises(ReleaseError, match=r"exports/documents/ has no Parquet files: run `newsspans build` first"):
        read_exports(tmp_path)
    write_exports(tmp_path, with_changes(ner=lambda rs: rs[0].pop("sentence")))
    with pytest.raises(ReleaseError, match="exports/ner/test-00000-of-00001.parquet: no sentence column"):
        read_exports(tmp_path)
    write_exports(tmp_path, ROWS)
    (tmp_path / "exports" / "ner" / "test-00000-of-00001.parquet").rename(
        tmp_path / "exports" / "ner" / "sentences.parquet")
    with pytest.raises(ReleaseError, match="sentences.parquet: not named <split>-NNNNN-of-NNNNN.parquet"):
        read_exports(tmp_path)


def test_versions_bump_as_semver_says():
    assert [bumped("1.4.2", b) for b in ("patch", "minor", "major")] == ["1.4.3", "1.5.0", "2.0.0"]


def test_a_bump_too_small_is_refused_and_a_larger_one_allowed(tmp_path):
    write_exports(tmp_path, ROWS)
    records, files = read_exports(tmp_path)
    manifest = release_module._write_manifest(tmp_path, records)
    (tmp_path / "releases" / "releases.json").write_text(json.dumps(
        {"releases": [{"version": "1.2.3", "files": files, "manifest_sha256": manifest}]}), encoding="utf-8")
    with pytest.raises(ReleaseError, match="nothing changed since v1.2.3"):
        plan_release(tmp_path)
    assert plan_release(tmp_path, "patch")["version"] == "1.2.4"   # the card or metadata alone
    write_exports(tmp_path, with_changes(entities=lambda rs: rs.clear()))
    for bump in ("patch", "minor"):
        with pytest.raises(ReleaseError, match=f"--bump {bump} is too small: 1 records removed since "
                                               f"v1.2.3 needs a major release"):
            plan_release(tmp_path, bump)
    assert plan_release(tmp_path)["version"] == "2.0.0"
    write_exports(tmp_path, with_changes(entities=lambda rs: rs.append(dict(rs[0], id="m9"))))
    assert plan_release(tmp_path)["version"] == "1.3.0"
    assert plan_release(tmp_path, "major")["version"] == "2.0.0"
    release_module._write_manifest(tmp_path, {})
    with pytest.raises(ReleaseError, match=r"releases/manifest.parquet is not the one releases/releases.json "
                                           r"recorded for v1.2.3 \(an interrupted release\?\)"):
        plan_release(tmp_path)


# The repository: first release, revision of the seed, the release after it ---------------
@pytest.fixture
def checkout(repo, tmp_path):
    root = tmp_path / "repo"
    for folder in ("corpus", "annotations", "exports", "docs"):
        shutil.copytree(repo / folder, root / folder)
    for name in ("croissant.json", "README.md", "DATASHEET.md", "dataset.yaml"):
        shutil.copy2(repo / name, root / name)
    # Without the release record nothing was released: croissant.json has no datePublished.
    export_corpus(root)
    return root


def test_a_release_after_a_revision_of_the_seed_is_major_with_exact_counts(checkout, tmp_path, cli):
    sentences_before = pq.read_table(checkout / "exports" / "ner" / "test-00000-of-00001.parquet").num_rows
    first = release(checkout, today=DAY)
    declared = json.loads((checkout / "croissant.json").read_text(encoding="utf-8"))["version"]
    assert (first["tag"], first["bump"], first["previous"]) == (f"v{declared}", None, None)
    gold_before = read(checkout / "annotations" / SEED_ID / "gold.json")

    old, new, path = seed_revision(checkout, tmp_path)
    report = revise(checkout, SEED_ID, path, "AFP correction", today=DAY)
    lost = {(o["layer"], o["id"]) for o in report["files"][0]["orphaned"]}
    with pytest.raises(InvalidCorpus, match=r"\$\.orphans\[0\]: orphaned entities annotation 'm77'"):
        release(checkout, today=DAY)   # orphans await a person: no release before that
    # A person resolves the orphans (here: drops them) in gold and in each annotator's layer,
    # as validation demands before export.
    folder = checkout / "annotations" / SEED_ID
    files = [folder / "gold.json", *sorted((folder / "annotators").glob("*.json"))]
    for path in files:
        data = read(path)
        data.pop("orphans", None)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    refused = cli("release", "--root", checkout)   # the exports, statistics and pages are stale
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: the build is not green, nothing released: ")
    for stale in ("stale: exports/entities/test-00000-of-00001.parquet: stale",
                  "stale: DATASHEET.md: statistics stale",
                  f"stale: docs/documents/{SEED_ID}.html: out of date"):
        assert stale in refused.stderr
    assert re.search(r"^lint: annotations/entities.json \S+: \[unmentioned-entity\] ",
                     refused.stderr, re.M)
    assert not (checkout / "CHANGELOG.md").read_text(encoding="utf-8").count("\n## v") > 1
    # ... and the registry entries nobody mentions any more (lint says which) are removed.
    linked = {m["entity"] for path in files for m in read(path)["entities"] if m.get("entity")}
    registry_path = checkout / "annotations" / "entities.json"
    registry = read(registry_path)
    registry["entities"] = [e for e in registry["entities"] if e["id"] in linked]
    registry_path.write_text(json.dumps(registry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    refresh(checkout)

    too_small = cli("release", "--bump", "minor", "--root", checkout)
    assert too_small.exit_code == 1
    assert too_small.stderr.startswith("Error: --bump minor is too small: ")
    assert too_small.stderr.endswith(f" since v{declared} needs a major release\n")

    result = cli("release", "--root", checkout)
    assert result.exit_code == 0, result.output
    major = f"{int(declared.split('.')[0]) + 1}.0.0"
    sentences = pq.read_table(checkout / "exports" / "ner" / "test-00000-of-00001.parquet").num_rows
    kept = {layer: len(gold_before[layer]) - sum(1 for l, _ in lost if l == layer)
            for layer in ("entities", "quotes", "claims")}
    removed = {layer: sum(1 for l, _ in lost if l == layer) for layer in ("entities", "quotes", "claims")}
    table = [
        ("documents", 1, 1, 0, 0, 2),
        *[(layer, 0, kept[layer], removed[layer], 0, kept[layer]) for layer in ("entities", "quotes", "claims")],
        ("ner", sentences, 0, sentences_before, 0, sentences),
    ]
    assert result.stdout.splitlines() == [
        f"release v{major} (major, previous v{declared})",
        "  config       added changed removed   moved    rows",
        *[f"  {c:<10} {a:>7} {ch:>7} {r:>7} {m:>7} {n:>7}" for c, a, ch, r, m, n in table],
        f"create the tag: git tag -a v{major} -m \"newsspans dataset v{major}\"",
    ]
    assert json.loads((checkout / "croissant.json").read_text(encoding="utf-8"))["version"] == major
    changelog = (checkout / "CHANGELOG.md").read_text(encoding="utf-8")
    section = changelog[changelog.index(f"## v{major}"):changelog.index(f"## v{declared}")]
    assert section.splitlines() == [
        f"## v{major} ({datetime.date.today().isoformat()})", "",
        f"MAJOR: records changed, removed or moved between splits. Previous: v{declared}.", "",
        "| config | added | changed | removed | moved | rows |", "|---|---:|---:|---:|---:|---:|",
        *[f"| {c} | {a} | {ch} | {r} | {m} | {n} |" for c, a, ch, r, m, n in table], ""]
    assert export_corpus(checkout, check=True) == []

    nothing = cli("release", "--root", checkout)
    assert (nothing.exit_code, nothing.stderr) == (
        1, f"Error: nothing changed since v{major}: every export file is identical; nothing to "
           f"release (a release of the card or metadata alone needs an explicit --bump)\n")


def test_records_reserialised_by_a_new_writer_setting_are_a_patch(checkout, monkeypatch):
    first = release(checkout, today=DAY)
    monkeypatch.setitem(shards.WRITER_OPTIONS, "compression", "gzip")
    with pytest.raises(ReleaseError, match="the build is not green, nothing released: run "
                                           "`newsspans build` and `newsspans lint`, then release:\n"
                                           "stale: exports/claims/test-00000-of-00001.parquet: stale"):
        release(checkout, today=DAY)
    refresh(checkout)
    assert plan_release(checkout, "major")["version"] == bumped(first["version"], "major")
    summary = release(checkout, today=DAY)
    assert summary["bump"] == "patch"
    assert summary["version"] == bumped(first["version"], "patch")
    assert all(c["added"] == c["changed"] == c["removed"] == c["moved"] == 0 for c in summary["counts"].values())


def test_a_failed_export_during_a_release_restores_croissant_json(checkout, monkeypatch):
    from newsspans.export import build as export
    before = (checkout / "croissant.json").read_bytes()
    real = export.export_corpus

    def failing(root, check=False, limits=None):
        if not check:
            raise OSError("disk full")
        return real(root, check=check)

    monkeypatch.setattr(export, "export_corpus", failing)
    with pytest.raises(OSError, match="disk full"):
        release(checkout, "major", today=DAY)
    assert (checkout / "croissant.json").read_bytes() == before
    assert not (checkout / "releases").exists() and not (checkout / "CHANGELOG.md").exists()
