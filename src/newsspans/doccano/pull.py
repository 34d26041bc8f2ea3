"""pull: every annotator's Doccano work into annotations/<doc_id>/annotators/<user>.json.

One export task brings the whole project. Each (user, document) with at least one span,
relation or comment becomes a file in the gold format, with code-point offsets checked
against the text, validated before it is written, written atomically. A problem in one
annotation never blocks the rest (salvage.py): what cannot be written as an annotation
goes to the file's `rejected` list with its reason, the annotator's comments to `notes`,
and a mention whose link departs from the registry's rules stays, reported as a finding.
Registry links and author claimants come back from the layer the user was given
(ledger.py). A file edited locally since the last pull (its content no longer hashes to
provenance.doccano.content_sha256) is left alone unless `force`. Pulling twice changes
nothing.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson

from newsspans.store.layout import check_user_name
from newsspans.errors import CorpusError
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.store.hashing import sha256_bytes, sha256_text
from newsspans.doccano.client import Connection
from newsspans.doccano.convert import from_doccano
from newsspans.doccano.ledger import Ledger
from newsspans.doccano.project import DEFAULT_PROJECT, PREANNOTATION_USER, find_project
from newsspans.doccano.push import check_corpus, example_key
from newsspans.doccano.salvage import salvage
from newsspans.doccano.transfer import export_jsonl
from newsspans.model.corpus import Corpus
from newsspans.model.labels import LAYERS
from newsspans.validation.checks import check_pending, link_findings



@dataclass
class PullReport:
    written: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kept_local_edits: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not (self.problems or self.kept_local_edits or self.rejected)

    def asdict(self):
        return {k: list(v) for k, v in self.__dict__.items()}


def content_sha256(data: dict) -> str:
    """Hash of an annotation file's content (compact JSON): what a local edit would change.

    `rejected` and `notes` count only when present, so files pulled before they existed
    keep their hash.
    """
    content = {k: data.get(k, []) for k in (*LAYERS, "orphans")}
    content.update({k: data[k] for k in ("rejected", "notes") if data.get(k)})
    return sha256_bytes(orjson.dumps(content))


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _identity(iterable, total=None):
    return iterable


def pull(root, conn: Connection, project=DEFAULT_PROJECT, force=False, users=None,
         include_preannotations=False, progress=_identity) -> PullReport:
    """Pull the annotators' layers of every pushed document; see the module docstring.

    `progress` wraps the iteration over the exported records (cli.progress.bar).
    """
    model = Corpus.of(root)
    corpus = model.layout
    report = PullReport()
    pid = find_project(conn, project)["id"]
    # Doccano's worker takes a while to build the export: the corpus is validated and its
    # documents read meanwhile. Nothing is written before both are done.
    exporting = _Background(export_jsonl, conn, pid)
    check_corpus(model)
    pulled = now_utc()
    context = _DocumentCache(model, Ledger(model.root, conn.url, project))
    for doc_id in model.doc_ids:
        if exporting.finished.is_set():
            break
        try:
            context.get(doc_id)
        except CorpusError:
            pass   # reported for the example that needs it
    exported = exporting.result()
    work, writer = [], _Writer(corpus.root)
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
        work.extend((user, record) for record in exported[user]
                    if record.get("entities") or record.get("relations") or record.get("Comments")
                    or _pulled_before(corpus, user, record))
    try:
        for user, record in progress(work, total=len(work)):
            _pull_one(corpus, context, conn, project, user, record, pulled, force, report, writer)
    finally:
        writer.finish(report)
    model.refresh()
    return report


class _Background:
    """`function(*args)` on a daemon thread: an error here (an invalid corpus) is raised at
    once, without waiting for the export, which Doccano then finishes for nobody."""

    def __init__(self, function, *args):
        self.finished, self._value, self._error = threading.Event(), None, None
        threading.Thread(target=self._run, args=(function, args), daemon=True).start()

    def _run(self, function, args):
        try:
            self._value = function(*args)
        except BaseException as exc:   # handed to the caller by result()
            self._error = exc
        finally:
            self.finished.set()

    def result(self):
        self.finished.wait()
        if self._error is not None:
            raise self._error
        return self._value


class _Writer:
    """Atomic writes on a few threads. Each write waits mostly on two fsyncs, which the
    disk serves several at a time: at 1,000 files this took pull's writing from 8-10 s to
    ~2 s here. Every file is written whole or not at all, as atomic_write guarantees."""

    WORKERS = 8

    def __init__(self, root):
        self.root, self.pool, self.pending = root, None, []

    def write(self, path, payload, rel):
        if self.pool is None:
            self.pool = ThreadPoolExecutor(self.WORKERS)
        self.pending.append((rel, self.pool.submit(atomic_write, path, payload, root=self.root)))

    def finish(self, report):
        """Wait for every write; the first that failed is raised (a full disk stops the
        pull as it would have stopped a write in line), the ones done are reported."""
        failed = None
        try:
            for rel, written in self.pending:
                try:
                    written.result()
                except CorpusError as exc:
                    failed = failed or exc
                else:
                    report.written.append(rel)
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        if failed is not None:
            raise failed


def serialise(data: dict) -> bytes:
    """The bytes dumps_json writes for an annotation file, made by orjson (~15x faster).

    The two agree byte for byte on JSON without floats or integers beyond 64 bits, which
    an annotation file has nowhere (tests/doccano/test_convert.py checks them on every
    fixture); what Doccano sent for a rejected annotation may hold anything, so a file
    with a rejected list goes through dumps_json itself.
    """
    if data.get("rejected"):
        return dumps_json(data)
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def _pulled_before(corpus, user, record):
    """A local file exists: an annotator who removed every span must be pulled too."""
    key = example_key(record)
    try:
        return key is not None and corpus.annotator_path(key[0], user).is_file()
    except CorpusError:
        return False


class _DocumentCache:
    """Texts, hashes and gold of the documents, read once per pull, and the push record."""

    def __init__(self, corpus, ledger):
        self.corpus, self.docs, self.registry, self.ledger = corpus, {}, corpus.registry, ledger

    def get(self, doc_id):
        if doc_id not in self.docs:
            doc = self.corpus.document(doc_id)
            texts = {v.number: v.text for v in doc.versions}
            shas = {v.number: v.sha256 for v in doc.versions}
            self.docs[doc_id] = (doc.metadata, texts, shas, doc.gold)
        return self.docs[doc_id]


def _pull_one(corpus, cache, conn, project, user, record, pulled, force, report, writer):
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
    if record["text"] != text:
        report.problems.append(f"{where}: the server's text differs from v{version}.txt "
                               f"(sha256 {sha256_text(record['text'])} vs {sha256_text(text)})")
        return
    if gold is not None and (gold.version, gold.sha256) != (version, shas[version]):
        gold = None
    notes = [c["comment"] for c in record.get("Comments", [])]
    given = cache.ledger.given(doc_id, version, shas[version], user)
    base = given[1] if given else (gold if user == PREANNOTATION_USER else None)
    read = from_doccano(text, record.get("entities", []), record.get("relations", []), notes, gold, base)
    report.notes.extend(f"{where}: {n}" for n in read.notes)
    rel = corpus.rel(path)
    data = {"doc_id": doc_id, "version": version, "sha256": shas[version],
            "provenance": _provenance(conn, project, user, pulled, pulled, "0" * 64),
            **{k: [x.asdict() for x in read.layers[k]] for k in LAYERS}}
    if notes:
        data["notes"] = notes

    def check(candidate):
        return check_pending(doc, texts, rel, candidate, cache.registry)

    data, rejected, problems = salvage(data, read.origins, check, read.rejected)
    if rejected and not problems:
        data["rejected"] = rejected
        problems = check(data)   # the rejected list itself, against the schema
    if problems:
        report.problems.extend(f"{where}: {p.format()}" for p in problems)
        return
    report.rejected.extend(f"{rel} $.rejected[{i}]: {r['reason']}" for i, r in enumerate(rejected))
    report.findings.extend(f"{rel} {jpath}: {message}"
                           for jpath, message in link_findings(data, cache.registry))
    digest = content_sha256(data)
    old = corpus.read_json(path) if path.is_file() else None
    if old is not None:
        if content_sha256(old) == digest and old.get("version") == version:
            report.unchanged.append(rel)
            return
        recorded = old.get("provenance", {}).get("doccano", {}).get("content_sha256")
        if old.get("version") != version and not force:
            report.kept_local_edits.append(f"{rel}: pinned to version {old.get('version')} "
                                           f"(re-anchored?), the server's example is version {version}; "
                                           f"not overwritten (use --force)")
            return
        if recorded != content_sha256(old) and not force:
            report.kept_local_edits.append(f"{rel}: edited since the last pull; "
                                           f"not overwritten (use --force)")
            return
    created = old["provenance"].get("created", pulled) if old and "provenance" in old else pulled
    data["provenance"] = _provenance(conn, project, user, created, pulled, digest, given and given[0])
    writer.write(path, serialise(data), rel)


def _provenance(conn, project, user, created, pulled, digest, started_from=None):
    doccano = {"server": conn.url, "project": project, "user": user, "pulled": pulled,
               "content_sha256": digest}
    if started_from is not None:
        # A layer that began as a copy (push --preannotate review) is a correction of it,
        # not independent work: agreement must be read with that in mind.
        doccano["started_from"] = started_from
    return {"annotators": [user], "method": "doccano", "created": created, "modified": pulled,
            "guidelines": "annotations/GUIDELINES.md", "doccano": doccano}
