"""`newsspans export`: the corpus as Parquet configs, the README card and croissant.json.

The corpus is validated first; nothing is written when it is invalid. Documents stream
through one at a time and every config's split is written by its own ShardWriter into a
staging folder; each config folder is then swapped in whole, so an interrupted export
leaves the previous files. `check=True` writes into a temporary folder outside the
repository instead and lists every committed file that differs.
"""

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from newsspans.metadata.card import render_readme, stale_readme_parts, text_free_card
from newsspans.store.layout import Layout
from newsspans.metadata.croissant import croissant
from newsspans.errors import ExportError, InvalidCorpus
from newsspans.export.features import CONFIGS, SPLITS, arrow_schema
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.store.reading import loads_json, read_file
from newsspans.export.ner import ner_rows
from newsspans.export.rows import document_row, is_annotated, iter_versions, layer_rows
from newsspans.export.shards import Limits, ShardWriter
from newsspans.export import textfree
from newsspans.validation.validate import validate_corpus

EXPORTS = "exports"
CROISSANT = "croissant.json"
README = "README.md"
DEFAULT_VERSION = "0.1.0"
_STAGING_PREFIX = ".staging-"
# Rough Python-object sizes of buffered rows (a dict of a dozen values, a token's string
# and three ints): they bound each writer's buffer, so memory stays flat with corpus size.
_SPAN_ROW_BYTES = 600
_TOKEN_BYTES = 200


def span_row_size(row: dict) -> int:
    """The buffer size estimate of an entities/quotes/claims row (`rehydrate` repeats it)."""
    return _SPAN_ROW_BYTES + row["end"] - row["start"]


def ner_row_size(row: dict) -> int:
    return _TOKEN_BYTES * len(row["token_starts"])


def dataset_version(root) -> str:
    """The dataset's release version: croissant.json's top-level "version", or 0.1.0."""
    path = Path(root) / CROISSANT
    if not path.is_file():
        return DEFAULT_VERSION
    version = loads_json(read_file(path, root=root, name=CROISSANT), CROISSANT).get("version")
    return version if isinstance(version, str) and version else DEFAULT_VERSION


def export_corpus(root, check=False, limits: Limits = None) -> list:
    """Regenerate exports/, croissant.json and the README card from the corpus at `root`.

    Returns the files written (paths relative to `root`). With `check=True` nothing in
    `root` is written; returns the stale items instead, one line each ("<path>: stale",
    "missing" or "extra"), empty when everything is fresh. Raises InvalidCorpus when the
    corpus does not validate.
    """
    root = Path(root)
    problems = validate_corpus(root)
    if problems:
        raise InvalidCorpus(problems)
    limits = limits or Limits()
    version = dataset_version(root)
    if check:
        with tempfile.TemporaryDirectory(prefix="newsspans-export-check-") as tmp:
            staging = Path(tmp) / EXPORTS
            summary = _write_configs(root, staging, limits, version=version)
            return _stale(root, staging, summary, version)
    exports = root / EXPORTS
    exports.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(exports)
    for name in (CROISSANT, README):
        # atomic_write's temporary files of an export killed before their rename.
        for stale in root.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=exports))
    try:
        summary = _write_configs(root, staging, limits, version=version)
        _swap_in(staging, exports)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    atomic_write(root / CROISSANT, dumps_json(croissant(root, summary, version)))
    readme = root / README
    current = readme.read_text(encoding="utf-8") if readme.is_file() else None
    atomic_write(readme, render_readme(current, summary).encode("utf-8"))
    written = [f"{EXPORTS}/{shard.relpath}" for shard in summary.shards()]
    return written + [CROISSANT, README]


class Summary:
    """What the export wrote: shards per config and split, paths relative to exports/."""

    def __init__(self, shards_by_config: dict, documents: int, languages: tuple, provenance=(),
                 version=DEFAULT_VERSION):
        self.by_config = shards_by_config   # {config: {split: [Shard]}}
        self.version = version   # the dataset version the card shows
        self.documents = documents
        self.languages = languages
        # ((method, annotators), number of exported gold files), sorted
        self.provenance = tuple(provenance)

    def splits(self):
        return [s for s in SPLITS if s in self.by_config[CONFIGS[0]]]

    def shards(self):
        for config in CONFIGS:
            for split in self.splits():
                yield from self.by_config[config][split]

    def rows(self, config, split):
        return sum(s.rows for s in self.by_config[config][split])

    def num_bytes(self, config, split):
        return sum(s.num_bytes for s in self.by_config[config][split])


class _RelShard:
    def __init__(self, shard, relpath):
        self.relpath, self.rows, self.num_bytes = relpath, shard.rows, shard.num_bytes
        self.file_bytes, self.sha256 = shard.file_bytes, shard.sha256


def _write_configs(root: Path, staging: Path, limits: Limits, text_free=False,
                   version=DEFAULT_VERSION) -> Summary:
    registry = Layout(root).registry()
    writers, documents, languages, provenance = {}, set(), set(), Counter()
    # The text-free writers get the same rows and size estimates as the full ones, so both
    # distributions have the same shards and row groups.

    def writer(config, split):
        if (config, split) not in writers:
            folder = staging / config
            folder.mkdir(parents=True, exist_ok=True)
            writers[config, split] = (
                _TextFreeWriter(config, folder, split, limits) if text_free
                else ShardWriter(folder, split, arrow_schema(config), limits))
        return writers[config, split]

    for dv in iter_versions(root):
        documents.add(dv.doc_id)
        languages.add(dv.language)
        for config in CONFIGS:   # every config gets every split that has a document
            writer(config, dv.split)
        if dv.gold is not None:
            provenance[dv.gold.provenance.get("method"),
                       ", ".join(dv.gold.provenance.get("annotators", ())) or "none"] += 1
        key = {"doc_id": dv.doc_id, "version": dv.version}
        layers = layer_rows(dv, registry)
        span_bytes = 0
        for config in ("entities", "quotes", "claims"):
            for row in layers[config]:
                size = span_row_size(row)
                span_bytes += size
                writer(config, dv.split).add({**key, **row}, size)
        writer("documents", dv.split).add(document_row(dv, layers), len(dv.text) + span_bytes)
        if is_annotated(dv):
            for row in ner_rows(dv.text, dv.gold.entities):
                writer("ner", dv.split).add({**key, **row}, ner_row_size(row))
    if not documents:
        raise ExportError("nothing to export: corpus/ has no documents")
    by_config = {config: {} for config in CONFIGS}
    for (config, split), w in sorted(writers.items()):
        by_config[config][split] = [
            _RelShard(s, f"{config}/{s.path.name}") for s in w.close()]
    return Summary(by_config, len(documents), tuple(sorted(languages)),
                   sorted(provenance.items()), version)


class _TextFreeWriter(ShardWriter):
    """A ShardWriter of a text-free config: strips each full row before buffering it."""

    def __init__(self, config, folder, split, limits):
        super().__init__(folder, split, textfree.arrow_schema(config), limits)
        self.config = config

    def add(self, row: dict, size: int) -> None:
        super().add(textfree.strip_row(self.config, row), size)


def export_without_text(root, out=None, limits: Limits = None) -> list:
    """Write the text-free distribution of the corpus at `root` into `out`.

    `out` defaults to `root`/exports-text-free; it may hold only config folders (they are
    replaced whole). Returns the files written. Raises InvalidCorpus when the corpus does
    not validate, ExportError when `out` holds anything else.
    """
    root = Path(root)
    out = Path(out) if out is not None else root / textfree.TEXT_FREE
    problems = validate_corpus(root)
    if problems:
        raise InvalidCorpus(problems)
    summary = write_into(out, lambda staging: _write_configs(
        root, staging, limits or Limits(), text_free=True, version=dataset_version(root)),
        keep=(README,))
    atomic_write(out / README, text_free_card(summary).encode("utf-8"))
    return [str(out / shard.relpath) for shard in summary.shards()] + [str(out / README)]


def write_into(out: Path, write, keep=()):
    """Run `write(staging)` in a staging folder inside `out`, then swap its config folders in.

    Refuses (ExportError) when `out` holds anything but config folders (and the files named
    in `keep`, which the caller rewrites), so nothing of the user's is replaced; when `write`
    raises, `out` is left as it was.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: not a folder")
    foreign = (sorted(e.name for e in out.iterdir()
                      if not e.name.startswith(".") and e.name not in CONFIGS + tuple(keep))
               if out.is_dir() else [])
    if foreign:
        raise ExportError(f"{out}: holds {', '.join(foreign)}, not export configs; "
                          f"choose an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out))
    try:
        result = write(staging)
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _remove_leftovers(exports: Path) -> None:
    """Staging folders of an interrupted export; a config folder it had moved aside is put back."""
    for config in CONFIGS:
        current, old = exports / config, exports / f".old-{config}"
        # Killed between the two renames of _swap_in: the previous files exist only here,
        # and this export may fail too before it swaps its own in.
        if old.is_dir() and not current.exists():
            os.replace(old, current)
    for entry in exports.iterdir():
        if entry.name.startswith((_STAGING_PREFIX, ".old-")) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def _swap_in(staging: Path, exports: Path) -> None:
    for config in CONFIGS:
        current, old = exports / config, exports / f".old-{config}"
        if current.exists():
            os.replace(current, old)
        os.replace(staging / config, current)
        shutil.rmtree(old, ignore_errors=True)
    for entry in exports.iterdir():
        # exports/ belongs to the export: anything else there is stale.
        if entry.name.startswith("."):
            continue
        if entry.name not in CONFIGS:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def _files_under(folder: Path) -> dict:
    """{relative posix path: Path} of the non-hidden files under `folder`."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found[rel.as_posix()] = path
    return found


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stale(root: Path, staging: Path, summary: Summary, version: str) -> list:
    stale = []
    expected, committed = _files_under(staging), _files_under(root / EXPORTS)
    for rel in sorted(set(expected) | set(committed)):
        name = f"{EXPORTS}/{rel}"
        if rel not in committed:
            stale.append(f"{name}: missing")
        elif rel not in expected:
            stale.append(f"{name}: extra (no longer produced by the corpus)")
        elif _sha256_file(committed[rel]) != _sha256_file(expected[rel]):
            stale.append(f"{name}: stale")
    path = root / CROISSANT
    if not path.is_file():
        stale.append(f"{CROISSANT}: missing")
    elif path.read_bytes() != dumps_json(croissant(root, summary, version)):
        stale.append(f"{CROISSANT}: stale")
    readme = root / README
    current = readme.read_text(encoding="utf-8") if readme.is_file() else None
    stale.extend(f"{README}: {part}" for part in stale_readme_parts(current, summary))
    return stale
