"""Dataset releases with semantic versions that mean something about the data.

PATCH: the same records, re-serialised (a Parquet file's bytes changed, no row did).
MINOR: records added, none changed. MAJOR: a record changed, was removed, or moved to
another split. A record is one Parquet row, named by its key (`KEYS`); its fingerprint is
the sha256 of its canonical JSON. Annotation rows are keyed by document and id, not by
version, so a revision that re-anchors an annotation shows as "changed".

Each release keeps the keys and fingerprints of every row in `releases/manifest.parquet`
and a summary in `releases/releases.json`; the next release compares the exports with them.
That record is also the dataset version (metadata.record): a release writes itself into
the record, then regenerates croissant.json and the card from it.
"""

import datetime as _dt
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsspans.errors import ReleaseError
from newsspans.model.corpus import Corpus
from newsspans.export.features import CONFIGS
from newsspans.metadata.record import DEFAULT_VERSION, HISTORY, read_releases
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.store.reading import read_file, read_text
from newsspans.export.shards import SHARD_NAME
from newsspans.store.hashing import sha256_bytes, sha256_file, sha256_text

KEYS = {"documents": ("doc_id", "version"), "entities": ("doc_id", "id"),
        "quotes": ("doc_id", "id"), "claims": ("doc_id", "id"),
        "ner": ("doc_id", "version", "sentence")}
BUMPS = ("patch", "minor", "major")
MANIFEST = "releases/manifest.parquet"
CHANGELOG = "CHANGELOG.md"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_MEANING = {"major": "records changed, removed or moved between splits",
            "minor": "records added, none changed or removed",
            "patch": "the same records, re-serialised"}
_PREAMBLE = (
    "# Changelog\n\n"
    "Releases of the newsspans dataset. The version has data meanings: MAJOR when records\n"
    "changed, were removed or moved between splits; MINOR when records were only added;\n"
    "PATCH when the same records were re-serialised. Counts are Parquet rows per config.\n")


def read_exports(root) -> tuple:
    """({(config, key): (split, fingerprint)}, {file: sha256}) of the current exports."""
    root = Path(root)
    records, files = {}, {}
    for config in CONFIGS:
        folder = root / "exports" / config
        shards = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        # A config with no rows at all has no files; `documents` always has some.
        if not shards and config == "documents":
            raise ReleaseError(f"exports/{config}/ has no Parquet files: run `newsspans build` first")
        for path in shards:
            match = SHARD_NAME.match(path.name)
            rel = f"exports/{config}/{path.name}"
            if not match:
                raise ReleaseError(f"{rel}: not named <split>-NNNNN-of-NNNNN.parquet")
            files[rel] = sha256_file(path)[1]
            for key, fingerprint in _fingerprints(path, rel, config):
                if (config, key) in records:
                    raise ReleaseError(f"{rel}: record {key} appears twice in the {config} config")
                records[config, key] = (match["split"], fingerprint)
    return records, files


def _fingerprints(path, rel, config):
    table = pq.read_table(path)
    missing = [c for c in KEYS[config] if c not in table.column_names]
    if missing:
        raise ReleaseError(f"{rel}: no {', '.join(missing)} column: cannot name its records")
    for batch in table.to_batches(max_chunksize=10_000):
        for row in batch.to_pylist():
            key = json.dumps([row[c] for c in KEYS[config]], ensure_ascii=False)
            canonical = json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
            yield key, sha256_text(canonical)[:32]


def compare(before: dict, after: dict) -> dict:
    """{config: {"added", "changed", "removed", "moved", "rows"}} between two record maps."""
    counts = {c: dict(added=0, changed=0, removed=0, moved=0, rows=0) for c in CONFIGS}
    for (config, key), (split, fingerprint) in after.items():
        counts[config]["rows"] += 1
        old = before.get((config, key))
        if old is None:
            counts[config]["added"] += 1
        elif old[0] != split:
            counts[config]["moved"] += 1
        elif old[1] != fingerprint:
            counts[config]["changed"] += 1
    for config, key in before.keys() - after.keys():
        counts.setdefault(config, dict(added=0, changed=0, removed=0, moved=0, rows=0))
        counts[config]["removed"] += 1
    return counts


def required_bump(counts: dict, files_changed: bool):
    """The smallest bump the changes need: "major", "minor", "patch", or None for none."""
    totals = _totals(counts)
    if totals["changed"] or totals["removed"] or totals["moved"]:
        return "major"
    if totals["added"]:
        return "minor"
    return "patch" if files_changed else None


def bumped(version: str, bump: str) -> str:
    major, minor, patch = (int(x) for x in _SEMVER.match(version).groups())
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def plan_release(root, bump="auto") -> dict:
    """What `release` would do, written nowhere: versions, bump, counts, records, files."""
    if bump not in ("auto",) + BUMPS:
        raise ReleaseError(f"--bump {bump!r}: choose auto, major, minor or patch")
    root = Path(root)
    records, files = read_exports(root)
    history = _history(root)
    if history:
        previous = history[-1]
        before = _read_manifest(root, previous)
        counts = compare(before, records)
        files_changed = files != previous["files"]
        needed = required_bump(counts, files_changed)
        if needed is None and bump == "auto":
            raise ReleaseError(f"nothing changed since v{previous['version']}: every export file "
                               f"is identical; nothing to release (a release of the card or "
                               f"metadata alone needs an explicit --bump)")
        if needed is not None and bump != "auto" and BUMPS.index(bump) < BUMPS.index(needed):
            raise ReleaseError(f"--bump {bump} is too small: {_describe(counts)} since "
                               f"v{previous['version']} needs a {needed} release")
        chosen = needed if bump == "auto" else bump
        base = previous["version"]
    else:
        counts = compare({}, records)
        needed, base = None, DEFAULT_VERSION   # no record: no release yet
        chosen = None if bump == "auto" else bump
    version = bumped(base, chosen) if chosen else base
    return {"version": version, "tag": f"v{version}", "previous": history[-1]["version"] if history else None,
            "bump": chosen, "required": needed, "counts": counts, "records": records, "files": files}


def release(root, bump="auto", *, today=None) -> dict:
    """Compare the exports with the last release, pick the version, record it, re-export.

    Writes the manifest, then the release into releases/releases.json (it names the
    manifest's hash), then CHANGELOG.md, then regenerates croissant.json and the card from
    the record. A failure on the way puts back every file the release had written; a
    release killed on the way is detected: a manifest the record does not name (the next
    release refuses it), or croissant.json and the card stale against the record
    (`build --check`; `newsspans build` completes them). Refuses a bump smaller than the
    changes need, a release with nothing changed, and a corpus whose build is not green:
    invalid, gold with lint findings, a generated file stale (exports, card, croissant.json,
    statistics, docs/ pages), or check-load failing (export.refresh.release_blockers).
    """
    from newsspans.export.build import export_corpus
    from newsspans.export.refresh import release_blockers
    corpus = Corpus.of(root)
    root = corpus.root
    blockers = release_blockers(corpus)
    if blockers:
        raise ReleaseError(f"the build is not green, nothing released: run `newsspans build` "
                           f"and `newsspans lint`, then release:\n" + "\n".join(blockers))
    plan = plan_release(root, bump)
    summary = {"version": plan["version"], "tag": plan["tag"], "date": today or _dt.date.today().isoformat(),
               "previous": plan["previous"], "bump": plan["bump"], "required": plan["required"],
               "counts": plan["counts"], "files": plan["files"]}
    saved = _save(root, (MANIFEST, HISTORY, CHANGELOG, "croissant.json", "README.md"))
    try:
        summary["manifest_sha256"] = _write_manifest(root, plan["records"])
        atomic_write(root / HISTORY, dumps_json({"releases": _history(root) + [summary]}), root=root)
        atomic_write(root / CHANGELOG, _changelog(root, summary).encode("utf-8"), root=root)
        export_corpus(corpus)   # croissant.json and the card, from the record just written
        # The Parquet files do not carry the version: the record's checksums (taken before
        # the export) must still be theirs.
        if read_exports(root) != (plan["records"], plan["files"]):
            raise ReleaseError("the exports changed while releasing; run `newsspans export` and retry")
    except BaseException:
        _restore(root, saved)
        raise
    return summary


def _save(root: Path, names) -> dict:
    """{name: bytes, or None when absent} of the files a release is about to write."""
    return {name: read_file(root / name, root=root, name=name) if (root / name).is_file() else None
            for name in names}


def _restore(root: Path, saved: dict) -> None:
    """Put back what `_save` kept; a file that did not exist is removed, and its new folder."""
    for name, data in saved.items():
        path = root / name
        if data is not None:
            atomic_write(path, data, root=root)
        elif path.is_file():
            path.unlink()
            try:
                path.parent.rmdir() if path.parent != root else None
            except OSError:
                pass   # not empty: it held other files before


def _history(root) -> list:
    """The record's releases, validated (a malformed record is a located CorpusError)."""
    return read_releases(root)


def _read_manifest(root, previous) -> dict:
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise ReleaseError(f"{MANIFEST} is missing but {HISTORY} lists releases: restore it from git")
    data = read_file(path, root=root, name=MANIFEST)
    if sha256_bytes(data) != previous.get("manifest_sha256"):
        raise ReleaseError(f"{MANIFEST} is not the one {HISTORY} recorded for v{previous['version']} "
                           f"(an interrupted release?): restore both from git")
    table = pq.read_table(pa.BufferReader(data))
    return {(c, k): (s, f) for c, s, k, f in zip(*(table[n].to_pylist()
                                                   for n in ("config", "split", "key", "fingerprint")))}


def _write_manifest(root, records: dict) -> str:
    items = sorted(records.items())
    table = pa.table({"config": [c for (c, _), _ in items], "split": [s for _, (s, _) in items],
                      "key": [k for (_, k), _ in items], "fingerprint": [f for _, (_, f) in items]})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    atomic_write(Path(root) / MANIFEST, data, root=root)
    return sha256_bytes(data)


def _totals(counts) -> dict:
    return {k: sum(c[k] for c in counts.values()) for k in ("added", "changed", "removed", "moved")}


def _describe(counts) -> str:
    return ", ".join(f"{n} records {what}" for what, n in _totals(counts).items() if n)


def _changelog(root, summary) -> str:
    current = read_text(root, CHANGELOG, default=_PREAMBLE)
    kind = summary["bump"] or "initial"
    meaning = _MEANING.get(summary["bump"], "the first release")
    lines = [f"## {summary['tag']} ({summary['date']})", "",
             f"{kind.upper()}: {meaning}." + (f" Previous: v{summary['previous']}." if summary["previous"] else ""),
             "", "| config | added | changed | removed | moved | rows |",
             "|---|---:|---:|---:|---:|---:|"]
    for config in CONFIGS:
        c = summary["counts"][config]
        lines.append(f"| {config} | {c['added']} | {c['changed']} | {c['removed']} | {c['moved']} | {c['rows']} |")
    section = "\n".join(lines) + "\n"
    at = current.find("\n## ")
    if at < 0:
        return current.rstrip("\n") + "\n\n" + section
    return current[:at + 1] + section + "\n" + current[at + 1:]
