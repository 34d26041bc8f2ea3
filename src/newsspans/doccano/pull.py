"""pull: every annotator's Doccano work into annotations/<doc_id>/annotators/<user>.json.

One export task brings the whole project. Each (user, document) with at least one span
or comment becomes a file in the gold format, with code-point offsets checked against
the text, validated before it is written, written atomically. A file edited locally
since the last pull (its layers no longer hash to provenance.doccano.content_sha256) is
left alone unless `force`.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson

from newsspans.store.layout import check_user_name
from newsspans.errors import CorpusError
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.store.hashing import sha256_bytes, sha256_text
from newsspans.doccano.client import Connection
from newsspans.doccano.convert import from_doccano
from newsspans.doccano.project import DEFAULT_PROJECT, PREANNOTATION_USER, find_project
from newsspans.doccano.push import DIRECTIVES_META, check_corpus, example_key
from newsspans.doccano.transfer import export_jsonl
from newsspans.model.labels import LAYERS
from newsspans.validation.checks import check_pending



@dataclass
class PullReport:
    written: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kept_local_edits: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not (self.problems or self.kept_local_edits)

    def asdict(self):
        return {k: list(v) for k, v in self.__dict__.items()}


def content_sha256(data: dict) -> str:
    """Hash of an annotation file's layers (compact JSON): what a local edit would change."""
    return sha256_bytes(orjson.dumps({k: data.get(k, []) for k in (*LAYERS, "orphans")}))


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def pull(root, conn: Connection, project=DEFAULT_PROJECT, force=False, users=None,
         include_preannotations=False) -> PullReport:
    """Pull the annotators' layers of every pushed document; see the module docstring."""
    model = check_corpus(root)
    corpus = model.layout
    report = PullReport()
    pid = find_project(conn, project)["id"]
    exported = export_jsonl(conn, pid)
    pulled = now_utc()
    context = _DocumentCache(model)
    for user in sorted(exported):
        if users and user not in users:
            continue
        if user == PREANNOTATION_USER and not include_preannotations:
            continue
        try:
            check_user_name(user)
        except CorpusError as exc:
            report.problems.append(f"Doccano user {user!r}: {exc}; not pulled")
            continue
        report.problems.extend(p.format() for p in exported.problems.get(user, ()))  # lines refused by records.py
        for record in exported[user]:
            if record.get("entities") or record.get("Comments") or _pulled_before(corpus, user, record):
                _pull_one(corpus, context, conn, project, user, record, pulled, force, report)
    model.refresh()
    return report


def _pulled_before(corpus, user, record):
    """A local file exists: an annotator who removed every span must be pulled too."""
    key = example_key(record)
    try:
        return key is not None and corpus.annotator_path(key[0], user).is_file()
    except CorpusError:
        return False


class _DocumentCache:
    """Texts, hashes and gold of the documents, read once per pull."""

    def __init__(self, corpus):
        self.corpus, self.docs, self.registry = corpus, {}, corpus.registry

    def get(self, doc_id):
        if doc_id not in self.docs:
            doc = self.corpus.document(doc_id)
            texts = {v.number: v.text for v in doc.versions}
            shas = {v.number: v.sha256 for v in doc.versions}
            self.docs[doc_id] = (doc.metadata, texts, shas, doc.gold)
        return self.docs[doc_id]


def _pull_one(corpus, cache, conn, project, user, record, pulled, force, report):
    key = example_key(record)
    if key is None:
        report.notes.append(f"{user}: example {record.get('id')} has no doc_id/version meta; skipped")
        return
    doc_id, version = key
    where = f"{user} {doc_id}@{version}"
    try:
        doc, texts, shas, gold = cache.get(doc_id)
        path = corpus.annotator_path(doc_id, user)
    except CorpusError as exc:
        report.problems.append(f"{where}: {exc}")
        return
    if version not in texts:
        report.problems.append(f"{where}: the repository has no version {version} of {doc_id}")
        return
    text = texts[version]
    if sha256_text(record["text"]) != sha256_text(text):
        report.problems.append(f"{where}: the server's text differs from v{version}.txt "
                               f"(sha256 {sha256_text(record['text'])} vs {sha256_text(text)})")
        return
    if gold is not None and (gold.version, gold.sha256) != (version, shas[version]):
        gold = None
    comments = [c["comment"] for c in record.get("Comments", [])]
    if user == PREANNOTATION_USER:
        # Gold's links and author claimants travel in the example's meta (see push.py).
        comments.append(record.get(DIRECTIVES_META) or "")
    layers, problems, notes = from_doccano(text, record.get("entities", []), record.get("relations", []),
                                           comments, gold)
    report.notes.extend(f"{where}: {n}" for n in notes)
    if problems:
        report.problems.extend(f"{where}: {p}" for p in problems)
        return
    data = {"doc_id": doc_id, "version": version, "sha256": shas[version], "provenance": {},
            **{k: [x.asdict() for x in layers[k]] for k in LAYERS}}
    digest = content_sha256(data)
    old = corpus.read_json(path) if path.is_file() else None
    if old is not None:
        if content_sha256(old) == digest and old.get("version") == version:
            report.unchanged.append(corpus.rel(path))
            return
        recorded = old.get("provenance", {}).get("doccano", {}).get("content_sha256")
        if old.get("version") != version and not force:
            report.kept_local_edits.append(f"{corpus.rel(path)}: pinned to version {old.get('version')} "
                                           f"(re-anchored?), the server's example is version {version}; "
                                           f"not overwritten (use --force)")
            return
        if recorded != content_sha256(old) and not force:
            report.kept_local_edits.append(f"{corpus.rel(path)}: edited since the last pull; "
                                           f"not overwritten (use --force)")
            return
    created = old["provenance"].get("created", pulled) if old and "provenance" in old else pulled
    data["provenance"] = {
        "annotators": [user], "method": "doccano", "created": created, "modified": pulled,
        "guidelines": "annotations/GUIDELINES.md",
        "doccano": {"server": conn.url, "project": project, "user": user, "pulled": pulled,
                    "content_sha256": digest}}
    payload = dumps_json(data)
    found = check_pending(doc, texts, corpus.rel(path), data, cache.registry)
    if found:
        report.problems.extend(f"{where}: {p.format()}" for p in found)
        return
    atomic_write(path, payload, root=corpus.root)
    report.written.append(corpus.rel(path))
