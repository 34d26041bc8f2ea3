"""`newsspans rehydrate`: the full exports rebuilt from the text-free ones and supplied texts.

Texts are the `*.txt` files under a folder: raw article files as received or canonical
texts, in any layout. Each is normalised (`normalize.normalize` is idempotent, so a
canonical text stays itself) and matched to document versions by the sha256 of the
canonical text, or of the file as it is; a title by the sha256 of a whole file's stripped text or of its first
paragraph (a headline received at the top of the article). A file named for a document
(`<doc_id>.txt`, or any `.txt` inside a folder `<doc_id>/`) must match one of that
document's versions. Everything is checked before anything is written: a missing or
non-matching text names the document and nothing is written.

Rows are read back in order and written with the same shard writer and the same size
estimates as `newsspans export`, so the rebuilt files are byte-identical to its own.
"""

from pathlib import Path

import pyarrow.parquet as pq

from newsspans.errors import CorpusError, RehydrateError
from newsspans.export.build import EXPORTS, ner_row_size, span_row_size, write_into
from newsspans.export.features import CONFIGS, arrow_schema
from newsspans.model.normalize import normalize
from newsspans.store.outputs import check_output_dir
from newsspans.store.reading import read_file
from newsspans.export.shards import SHARD_NAME, Limits, ShardWriter
from newsspans.export.textfree import LAYERS, TEXT_FREE, SpanMismatch, restore_row
from newsspans.store.hashing import sha256_text

_BATCH_ROWS = 1000
# The forms of a supplied file (decoded, canonical) that can match: a version's text (the
# canonical form, or the file as it is: a version's text made by an older normaliser need
# not be a fixed point of today's), or a title (the whole file, or its first paragraph).
_FORMS = {"canonical": lambda raw, canon: canon, "as-is": lambda raw, canon: raw,
          "stripped": lambda raw, canon: canon.strip(),
          "first": lambda raw, canon: canon.split("\n\n", 1)[0].strip()}


def rehydrate(root, text_dir, source=None, out=None, limits: Limits = None) -> list:
    """Rebuild the full export configs from the text-free ones in `source` and the texts.

    `source` defaults to `root`/exports-text-free and `out` to `root`/exports. Returns the
    files written. Raises RehydrateError, naming every document whose text is missing or
    does not match, before anything is written.
    """
    root = Path(root)
    source = Path(source) if source is not None else root / TEXT_FREE
    out = Path(out) if out is not None else root / EXPORTS
    # exports/ is allowed: rebuilding the full exports there is what this command is for.
    check_output_dir(root, out, allow_exports=True)
    shards = _shards(source)
    versions = _versions(shards["documents"])
    texts = _Texts(Path(text_dir), versions)
    limits = limits or Limits()

    def write(staging):
        written = []
        for config in CONFIGS:
            folder = staging / config
            folder.mkdir()
            for split, paths in shards[config].items():
                writer = ShardWriter(folder, split, arrow_schema(config), limits)
                for row in _rows(paths):
                    full = _restore(config, row, texts, versions)
                    writer.add(full, _size(config, full))
                written += [out / config / s.path.name for s in writer.close()]
        return written

    return [str(p) for p in write_into(out, write)]


def _shards(source: Path) -> dict:
    """{config: {split: [shard paths in order]}} of a text-free distribution."""
    if not source.is_dir():
        raise RehydrateError(f"{source}: no text-free distribution here "
                             f"(write one with `newsspans export --without-text`)")
    found = {}
    for config in CONFIGS:
        folder = source / config
        by_split = {}
        for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else ():
            match = SHARD_NAME.match(path.name)
            if match:
                by_split.setdefault(match["split"], []).append(path)
        # Only `documents` has rows whenever there is a document; another config with no
        # rows at all has no shards (see build.Summary).
        if not by_split and config == "documents":
            raise RehydrateError(f"{folder}: no Parquet shards of the {config} config")
        found[config] = by_split
    return found


def _rows(paths):
    for path in paths:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=_BATCH_ROWS):
            yield from batch.to_pylist()


def _versions(document_shards: dict) -> dict:
    """{(doc_id, version): (text_sha256, title_sha256)} from the `documents` config."""
    versions = {}
    for paths in document_shards.values():
        for path in paths:
            table = pq.read_table(path, columns=["doc_id", "version", "text_sha256", "title_sha256"])
            for row in table.to_pylist():
                versions[row["doc_id"], row["version"]] = (row["text_sha256"], row["title_sha256"])
    return versions


class _Texts:
    """The supplied texts by sha256, checked against every version the distribution needs."""

    def __init__(self, text_dir: Path, versions: dict):
        if not text_dir.is_dir():
            raise RehydrateError(f"{text_dir}: not a folder of texts")
        self._paths = {}   # sha256 -> (file, the form of it that has this sha256)
        expected = {}
        for (doc_id, _), shas in versions.items():
            expected.setdefault(doc_id, set()).update(s for s in shas if s)
        problems = []
        for path in sorted(text_dir.rglob("*.txt")):
            if any(part.startswith(".") for part in path.relative_to(text_dir).parts):
                continue
            raw = self._read(path)
            canonical = normalize(raw)
            shas = set()
            for form, make in _FORMS.items():
                sha = sha256_text(make(raw, canonical))
                shas.add(sha)
                self._paths.setdefault(sha, (path, form))
            for doc_id in {path.stem, path.parent.name} & set(expected):
                if not shas & expected[doc_id]:
                    problems.append(
                        f"{path}: named for document {doc_id} but matches none of its "
                        f"versions (its canonical text has sha256 {sha256_text(canonical)})")
        for (doc_id, version), (text_sha, title_sha) in sorted(versions.items()):
            if text_sha not in self._paths:
                problems.append(f"{doc_id}@{version}: no text supplied whose canonical form "
                                f"has sha256 {text_sha}")
            if title_sha and title_sha not in self._paths:
                problems.append(f"{doc_id}@{version}: no title supplied with sha256 {title_sha}")
        if problems:
            raise RehydrateError(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''} with the texts "
                f"in {text_dir}; nothing written:\n" + "\n".join(problems))
        self._last = (None, None)

    @staticmethod
    def _read(path: Path) -> str:
        """A supplied text, through the one reader: a regular file of sane size, UTF-8."""
        try:
            data = read_file(path)
        except CorpusError as exc:
            raise RehydrateError(str(exc)) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RehydrateError(f"{path}: not UTF-8 text (byte {exc.start})") from None

    def get(self, sha: str) -> str:
        """The text with this sha256; re-read and re-checked, one document at a time."""
        if self._last[0] != sha:
            path, form = self._paths[sha]
            raw = self._read(path)
            text = _FORMS[form](raw, normalize(raw))
            if sha256_text(text) != sha:
                raise RehydrateError(f"{path}: changed while rehydrating (sha256 no longer {sha})")
            self._last = (sha, text)
        return self._last[1]


def _restore(config, row, texts, versions):
    key = (row["doc_id"], row["version"])
    where = f"{row['doc_id']}@{row['version']} ({config})"
    if key not in versions:
        raise RehydrateError(f"{where}: not in the documents config of the text-free distribution")
    text_sha, title_sha = versions[key]
    text = texts.get(text_sha)
    title = texts.get(title_sha) if config == "documents" and title_sha else None
    try:
        return restore_row(config, row, text, title)
    except SpanMismatch as exc:
        raise RehydrateError(f"{where}: {exc}") from None


def _size(config, row) -> int:
    if config in LAYERS:
        return span_row_size(row)
    if config == "ner":
        return ner_row_size(row)
    return len(row["text"]) + sum(span_row_size(item) for layer in LAYERS for item in row[layer])
