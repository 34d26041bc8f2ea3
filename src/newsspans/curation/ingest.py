"""Ingest: a raw file becomes a corpus document (raw.txt, v1.txt, document.json)."""

import datetime as _dt
import os
import shutil
from pathlib import Path

from newsspans.store.layout import check_doc_id
from newsspans.errors import CorpusError, IngestError
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.store.reading import decode_utf8, lone_surrogate_path, read_file, resolves_inside
from newsspans.store.hashing import sha256_bytes, sha256_text
from newsspans.model.annotations import AnnotationFile
from newsspans.model.normalize import (NORMALIZER_VERSION, describe_control_character,
                                       first_control_character, normalize)
from newsspans.validation.schemas import validator
from newsspans.model.corpus import Corpus


def read_source(path):
    """(bytes as received, canonical text) of a source file; a CorpusError names the file.

    Read through the one reader (a regular file of sane size). A byte-order mark is
    tolerated here (it is dropped by normalisation); a file with no text left after
    normalisation, or whose canonical text keeps a control character (a tab inside a
    line), is refused with the offset.
    """
    raw = read_file(path)
    text = normalize(decode_utf8(raw.removeprefix(b"\xef\xbb\xbf"), str(path)))
    if not text:
        raise CorpusError(f"{path}: no text after normalisation")
    control = first_control_character(text)
    if control is not None:
        near = text[max(0, control - 30):control + 30]
        raise CorpusError(f"{path}: its canonical text has {describe_control_character(text, control)} "
                          f"(near {near!r}); a text may hold no control character but line "
                          f"breaks: replace it")
    return raw, text


def ingest(root, raw_file, doc_id, *, title=None, title_assigned_by="curator", publisher=None,
           publisher_evidence=None, url=None, published=None, published_method="unknown",
           published_evidence=None, language="en", rights_holder=None, rights_statement=None,
           split="test", note="ingested", today=None) -> dict:
    """Create corpus/<doc_id>/ from `raw_file` and an empty gold file; return document.json.

    Refuses to touch an existing document. Everything is checked before anything is written.
    """
    model = Corpus.of(root)
    corpus = model.layout
    try:
        check_doc_id(doc_id)
    except CorpusError as exc:
        raise IngestError(str(exc)) from None
    folder, gold_path = corpus.doc_dir(doc_id), corpus.gold_path(doc_id)
    _check_targets(corpus, folder, gold_path)
    try:
        raw, text = read_source(raw_file)
    except CorpusError as exc:
        raise IngestError(str(exc)) from None
    today = today or _dt.date.today().isoformat()
    canonical = text.encode("utf-8")
    published_block = {"date": published, "method": published_method if published else "unknown"}
    if published_evidence:
        published_block["evidence"] = published_evidence
    source = {"publisher": publisher, "url": url, "received_as": Path(raw_file).name}
    if publisher_evidence:
        source["publisher_evidence"] = publisher_evidence
    doc = {
        "id": doc_id,
        "title": {"text": title, "assigned_by": title_assigned_by} if title else None,
        "source": source,
        "published": published_block,
        "language": language,
        "rights": {"holder": rights_holder or publisher or "unknown",
                   "statement": rights_statement or "All rights reserved by the holder."},
        "split": split,
        "raw": {"file": "raw.txt", "sha256": sha256_bytes(raw), "bytes": len(raw)},
        "versions": [{"version": 1, "file": "v1.txt", "sha256": sha256_bytes(canonical),
                      "created": today, "note": note, "normalization": NORMALIZER_VERSION}],
    }
    _check_metadata(doc_id, doc)
    gold = AnnotationFile(doc_id, 1, sha256_text(text), {
        "annotators": [], "method": "empty", "created": today, "modified": today,
        "note": "no annotations yet"})
    _write_all(corpus, folder, gold_path, [
        (folder / "raw.txt", raw), (folder / "v1.txt", canonical),
        (gold_path, dumps_json(gold.asdict())), (folder / "document.json", dumps_json(doc))])
    model.refresh()
    return doc


def _check_targets(corpus, folder, gold_path):
    """Refuse an existing document, and a folder that a symbolic link sends out of the repository."""
    if os.path.lexists(folder):
        raise IngestError(f"{corpus.rel(folder)} already exists: use `newsspans revise` for a new version")
    if os.path.lexists(gold_path):
        raise IngestError(f"{corpus.rel(gold_path)} already exists for a document not in corpus/")
    for path in (folder, gold_path):
        if not resolves_inside(path, corpus.root):
            raise IngestError(f"{corpus.rel(path)}: resolves to {os.path.realpath(path)}, outside "
                              f"the repository (a symbolic link on the way?): nothing was written")


def _check_metadata(doc_id, doc):
    """Refuse metadata that could not be written as UTF-8 or that breaks the schema."""
    bad = lone_surrogate_path(doc)
    if bad is not None:
        raise IngestError(f"{doc_id}: metadata {bad} is not valid Unicode (a lone surrogate: "
                          f"bytes that were not UTF-8?)")
    errors = [f"{e.json_path}: {e.message}" for e in validator("document").iter_errors(doc)]
    if errors:
        raise IngestError(f"{doc_id}: metadata is invalid: " + "; ".join(errors))


def _write_all(corpus, folder, gold_path, files):
    """Write `files` in order; if one fails, remove what was written, so a re-ingest can run."""
    made = [d for d in (corpus.corpus_dir, corpus.annotations_dir, gold_path.parent)
            if not os.path.lexists(d)]
    try:
        for path, data in files:
            atomic_write(path, data, root=corpus.root)
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        try:
            os.unlink(gold_path)
        except OSError:
            pass
        for directory in reversed(made):
            try:
                os.rmdir(directory)
            except OSError:
                pass
        if isinstance(exc, (CorpusError, OSError)):
            raise IngestError(f"{folder.name}: {exc}; what was written is removed, the ingest "
                              f"can be run again") from None
        raise
