"""`newsspans export`: the corpus as Parquet configs, the README card and croissant.json.

The corpus is validated first; nothing is written when it is invalid. Documents stream
through one at a time and every config's split is written by its own ShardWriter into a
staging folder; croissant.json and the README are computed in memory and written to
temporary files beside them. Only then is everything renamed in, as one `Swap`: a failure
before or during the renames leaves the previous set whole (croissant.json's checksums
always describe the Parquet files beside it). `check=True` writes into a temporary
folder outside the repository instead and lists every committed file that differs.

The dataset version comes from the release record (metadata.record), never from a
generated file.
"""

import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from newsspans.metadata.card import render_readme, stale_readme_parts, text_free_card
from newsspans.model.corpus import Corpus
from newsspans.metadata.croissant import croissant
from newsspans.metadata.facts import load_facts
from newsspans.errors import ExportError
from newsspans.export.features import CONFIGS, SPLITS, arrow_schema
from newsspans.metadata.record import DEFAULT_VERSION, record_version
from newsspans.store.outputs import check_output_dir
from newsspans.store.transaction import Swap, remove_temp_files, restore_moved_aside
from newsspans.store.writing import dumps_json
from newsspans.export.ner import ner_rows
from newsspans.export.rows import document_row, is_annotated, iter_versions, layer_rows
from newsspans.export.shards import Limits, ShardWriter
from newsspans.export import textfree
from newsspans.model.labels import LAYERS
from newsspans.store.reading import read_file, read_text
from newsspans.store.hashing import sha256_file

EXPORTS = "exports"
CROISSANT = "croissant.json"
README = "README.md"
_STAGING_PREFIX = ".staging-"
_NOTHING = "nothing to export: corpus/ has no documents"
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
    """The dataset's release version: the last one in releases/releases.json, or 0.1.0.

    Never read from croissant.json: that file is generated from this value.
    """
    return record_version(root)


def export_corpus(root, check=False, limits: Limits = None, progress=None) -> list:
    """Regenerate exports/, croissant.json and the README card from the corpus at `root`.

    Returns the files written (paths relative to `root`). With `check=True` nothing in
    `root` is written; returns the stale items instead, one line each ("<path>: stale",
    "missing" or "extra"), empty when everything is fresh. Raises InvalidCorpus when the
    corpus does not validate.
    """
    corpus = Corpus.of(root).require_valid()
    root = corpus.root
    facts = _checked_facts(corpus)
    limits = limits or Limits()
    version = dataset_version(root)
    if check:
        with tempfile.TemporaryDirectory(prefix="newsspans-export-check-") as tmp:
            staging = Path(tmp) / EXPORTS
            summary = _write_configs(corpus, staging, limits, version=version, progress=progress)
            return _stale(root, staging, summary, version, facts)
    exports = root / EXPORTS
    check_output_dir(root, exports, allow_exports=True)
    exports.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(exports)
    remove_temp_files(root, (CROISSANT, README))

    def files(summary):
        readme = root / README
        current = read_text(root, README) if os.path.lexists(readme) else None
        return {CROISSANT: dumps_json(croissant(root, summary, version, facts)),
                README: render_readme(current, summary, facts).encode("utf-8")}

    summary = _transaction(root, exports, lambda staging: _write_configs(
        corpus, staging, limits, version=version, progress=progress), files, files_dir=root)
    written = [f"{EXPORTS}/{shard.relpath}" for shard in summary.shards()]
    return written + [CROISSANT, README]


def _checked_facts(corpus: Corpus) -> dict:
    """The facts (dataset.yaml) of a valid corpus, read before anything is written.

    An empty corpus is refused first: it has nothing to describe.
    """
    if not corpus.doc_ids:
        raise ExportError(_NOTHING)
    return load_facts(corpus.root)


def _transaction(root, out: Path, write, files, files_dir: Path, keep=()):
    """Stage the configs (`write(staging)`) and `files(result)` ({name: bytes} in `files_dir`),
    then rename them all in together; on any failure nothing in `out` or `files_dir` changes.

    Writes must stay inside `root` (links out of it are refused).
    """
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out))
    swap = Swap(root)
    try:
        result = write(staging)
        for config in CONFIGS:   # a config with no rows at all becomes an empty folder
            (staging / config).mkdir(exist_ok=True)
            swap.add_folder(out / config, staging / config)
        for name, data in files(result).items():
            swap.add_file(files_dir / name, data)
        swap.commit()
    except BaseException:
        swap.discard()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_extras(out, keep)
    return result


class Summary:
    """What the export wrote: shards per config and split, paths relative to exports/.

    A config has shards only for the splits where it has rows: `datasets` cannot load a
    split with no rows ("Instruction 'train' corresponds to no data"), so such a split is
    neither written nor declared, and a config with no rows at all has no shards.
    """

    def __init__(self, shards_by_config: dict, documents: int, languages: tuple, provenance=(),
                 version=DEFAULT_VERSION):
        self.by_config = shards_by_config   # {config: {split: [Shard]}}
        self.version = version   # the dataset version the card shows
        self.documents = documents
        self.languages = languages
        # ((method, annotators), number of exported gold files), sorted
        self.provenance = tuple(provenance)

    def splits(self):
        """The splits that have documents."""
        return [s for s in SPLITS if s in self.by_config[CONFIGS[0]]]

    def config_splits(self, config):
        """The splits where `config` has rows."""
        return [s for s in SPLITS if s in self.by_config[config]]

    def configs(self):
        """The configs with rows in at least one split."""
        return [c for c in CONFIGS if self.by_config[c]]

    def shards(self):
        for config in CONFIGS:
            for split in self.config_splits(config):
                yield from self.by_config[config][split]

    def rows(self, config, split):
        return sum(s.rows for s in self.by_config[config].get(split, ()))

    def num_bytes(self, config, split):
        return sum(s.num_bytes for s in self.by_config[config].get(split, ()))


class _RelShard:
    def __init__(self, shard, relpath):
        self.relpath, self.rows, self.num_bytes = relpath, shard.rows, shard.num_bytes
        self.file_bytes, self.sha256 = shard.file_bytes, shard.sha256


def _write_configs(corpus: Corpus, staging: Path, limits: Limits, text_free=False,
                   version=DEFAULT_VERSION, progress=None) -> Summary:
    registry = corpus.registry
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

    versions = iter_versions(corpus)
    if progress is not None:
        versions = _by_document(versions, progress, len(corpus.doc_ids))
    for dv in versions:
        documents.add(dv.doc_id)
        languages.add(dv.language)
        if dv.gold is not None:
            provenance[dv.gold.provenance.get("method"),
                       ", ".join(dv.gold.provenance.get("annotators", ())) or "none"] += 1
        key = {"doc_id": dv.doc_id, "version": dv.version}
        layers = layer_rows(dv, registry)
        span_bytes = 0
        for config in LAYERS:
            for row in layers[config]:
                size = span_row_size(row)
                span_bytes += size
                writer(config, dv.split).add({**key, **row}, size)
        writer("documents", dv.split).add(document_row(dv, layers), len(dv.text) + span_bytes)
        if is_annotated(dv):
            for row in ner_rows(dv.text, dv.gold.entities):
                writer("ner", dv.split).add({**key, **row}, ner_row_size(row))
    if not documents:
        raise ExportError(_NOTHING)
    by_config = {config: {} for config in CONFIGS}
    for (config, split), w in sorted(writers.items()):
        by_config[config][split] = [
            _RelShard(s, f"{config}/{s.path.name}") for s in w.close()]
    return Summary(by_config, len(documents), tuple(sorted(languages)),
                   sorted(provenance.items()), version)


def _by_document(versions, progress, total):
    """`versions` as they come, with `progress` (a bar) advanced once per document."""
    ticks, last = iter(progress(range(total), total=total)), None
    for dv in versions:
        if dv.doc_id != last:
            next(ticks, None)
            last = dv.doc_id
        yield dv
    for _ in ticks:   # run the bar to its end (and close it)
        pass


class _TextFreeWriter(ShardWriter):
    """A ShardWriter of a text-free config: strips each full row before buffering it."""

    def __init__(self, config, folder, split, limits):
        super().__init__(folder, split, textfree.arrow_schema(config), limits)
        self.config = config

    def add(self, row: dict, size: int) -> None:
        super().add(textfree.strip_row(self.config, row), size)


def export_without_text(root, out=None, limits: Limits = None) -> list:
    """Write the text-free distribution of the corpus at `root` into `out`.

    `out` defaults to `root`/exports-text-free; it may hold only config folders and its
    README (they are replaced together). It may not be (or resolve into) exports/ or the
    repository's sources. Returns the files written. Raises InvalidCorpus when the corpus
    does not validate, ExportError when `out` holds anything else.
    """
    corpus = Corpus.of(root).require_valid()
    root = corpus.root
    out = Path(out) if out is not None else root / textfree.TEXT_FREE
    check_output_dir(root, out)
    facts = _checked_facts(corpus)
    version = dataset_version(root)
    summary = write_into(out, lambda staging: _write_configs(
        corpus, staging, limits or Limits(), text_free=True, version=version),
        keep=(README,), files=lambda summary: {README: text_free_card(summary, facts).encode("utf-8")})
    return [str(out / shard.relpath) for shard in summary.shards()] + [str(out / README)]


def write_into(out: Path, write, keep=(), files=None):
    """Run `write(staging)` in a staging folder inside `out`, then swap its config folders in.

    `files(result)` gives more files ({name: bytes}) for `out`, renamed in together with
    the configs. Refuses (ExportError) when `out` holds anything but config folders (and
    the files named in `keep`, which the caller rewrites), so nothing of the user's is
    replaced; when anything fails, `out` is left as it was. The caller has checked `out`
    with store.outputs.check_output_dir.
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
    remove_temp_files(out, keep)
    return _transaction(out, out, write, files or (lambda result: {}), files_dir=out, keep=keep)


def _remove_leftovers(exports: Path) -> None:
    """Staging folders of an interrupted export; a config folder it had moved aside is put back."""
    # Killed between the two renames of a folder's swap: the previous files exist only as
    # .old-<config>, and this export may fail too before it swaps its own in.
    restore_moved_aside(exports, CONFIGS)
    for entry in exports.iterdir():
        if entry.name.startswith(_STAGING_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def _remove_extras(out: Path, keep=()) -> None:
    """exports/ belongs to the export: anything else visible there is stale."""
    for entry in out.iterdir():
        if entry.name.startswith(".") or entry.name in CONFIGS + tuple(keep):
            continue
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


def _stale(root: Path, staging: Path, summary: Summary, version: str, facts: dict) -> list:
    stale = []
    expected, committed = _files_under(staging), _files_under(root / EXPORTS)
    for rel in sorted(set(expected) | set(committed)):
        name = f"{EXPORTS}/{rel}"
        if rel not in committed:
            stale.append(f"{name}: missing")
        elif rel not in expected:
            stale.append(f"{name}: extra (no longer produced by the corpus)")
        elif sha256_file(committed[rel]) != sha256_file(expected[rel]):
            stale.append(f"{name}: stale")
    path = root / CROISSANT
    if not path.is_file():
        stale.append(f"{CROISSANT}: missing")
    elif read_file(path, root=root, name=CROISSANT) != dumps_json(croissant(root, summary, version, facts)):
        stale.append(f"{CROISSANT}: stale")
    readme = root / README
    current = read_text(root, README) if os.path.lexists(readme) else None
    stale.extend(f"{README}: {part}" for part in stale_readme_parts(current, summary, facts))
    return stale
