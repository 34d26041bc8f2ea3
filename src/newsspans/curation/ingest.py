"""Ingest: a raw file becomes a corpus document (raw.txt, v1.txt, document.json)."""

import datetime as _dt
from pathlib import Path

from newsspans.store.layout import Layout, check_doc_id
from newsspans.errors import CorpusError, IngestError
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.store.reading import decode_utf8
from newsspans.store.hashing import sha256_bytes, sha256_text
from newsspans.model.annotations import AnnotationFile
from newsspans.model.normalize import NORMALIZER_VERSION, normalize
from newsspans.validation.schemas import validator


def read_source(path):
    """(bytes as received, canonical text) of a source file; a CorpusError names the file.

    A byte-order mark is tolerated here (it is dropped by normalisation); a file with no
    text left after normalisation is refused.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from None
    text = normalize(decode_utf8(raw.removeprefix(b"\xef\xbb\xbf"), str(path)))
    if not text:
        raise CorpusError(f"{path}: no text after normalisation")
    return raw, text


def ingest(root, raw_file, doc_id, *, title=None, title_assigned_by="curator", publisher=None,
           publisher_evidence=None, url=None, published=None, published_method="unknown",
           published_evidence=None, language="en", rights_holder=None, rights_statement=None,
           split="test", note="ingested", today=None) -> dict:
    """Create corpus/<doc_id>/ from `raw_file` and an empty gold file; return document.json.

    Refuses to touch an existing document. Everything is checked before anything is written.
    """
    corpus = Layout(root)
    try:
        check_doc_id(doc_id)
    except CorpusError as exc:
        raise IngestError(str(exc)) from None
    folder = corpus.doc_dir(doc_id)
    if folder.exists():
        raise IngestError(f"{corpus.rel(folder)} already exists: use `newsspans revise` for a new version")
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
    errors = [f"{e.json_path}: {e.message}" for e in validator("document").iter_errors(doc)]
    if errors:
        raise IngestError(f"{doc_id}: metadata is invalid: " + "; ".join(errors))
    gold = AnnotationFile(doc_id, 1, sha256_text(text), {
        "annotators": [], "method": "empty", "created": today, "modified": today,
        "note": "no annotations yet"})
    gold_path = corpus.gold_path(doc_id)
    if gold_path.exists():
        raise IngestError(f"{corpus.rel(gold_path)} already exists for a document not in corpus/")
    atomic_write(folder / "raw.txt", raw, root=root)
    atomic_write(folder / "v1.txt", canonical, root=root)
    atomic_write(gold_path, dumps_json(gold.asdict()), root=root)
    atomic_write(folder / "document.json", dumps_json(doc), root=root)
    return doc
