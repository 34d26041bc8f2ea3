"""push: the repository's documents into the Doccano project, with pre-annotations if asked.

One example per document version, keyed by its meta `doc_id`, `version`, `text_sha256`
(and nothing else: no annotation reaches an annotator through the metadata). New
examples go in through one bulk JSONL import; examples already there are left alone.
What annotators start from (`preannotate`):

- "none": an empty page. Nothing of gold reaches them; a `gold_directives` meta key left
  by an older push is removed.
- "review": gold, or the layer of annotator `source`, is copied into each named
  annotator's own layer (logged in as them: Doccano makes a span belong to the user who
  creates it), so they correct rather than start over. A layer that already holds work
  of the annotator's own is never touched.
- "gold": gold goes to a hidden pre-annotation user. Annotators do not see it (the project
  is not collaborative); it shows gold in Doccano's UI to whoever logs in as that user,
  and `pull --include-preannotations` reads it back.

Registry links and author claimants cannot ride on a Doccano span: what each user was
given is recorded on the repository side (ledger.py) for pull. Re-running after an
interrupted push finishes the job: duplicates from a half-done import are removed when
nobody but the pre-annotation user touched them, and a half-copied review layer is
completed.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from newsspans.errors import DoccanoError
from newsspans.model.corpus import Corpus
from newsspans.store.hashing import sha256_text
from newsspans.doccano import accounts
from newsspans.doccano.client import Connection
from newsspans.doccano.convert import to_doccano
from newsspans.doccano.ledger import Ledger
from newsspans.doccano.project import (DEFAULT_PROJECT, PREANNOTATION_USER, find_project,
                                       preannotation_connection, type_ids)
from newsspans.doccano.transfer import export_jsonl, import_jsonl

PREANNOTATE = ("none", "review", "gold")
IMPORT_BATCH = 2000


@dataclass
class PushReport:
    created: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    repaired: list = field(default_factory=list)
    duplicates_removed: list = field(default_factory=list)
    preannotated: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not (self.conflicts or self.problems)

    def asdict(self):
        return {k: list(v) for k, v in self.__dict__.items()}


def example_key(example):
    """(doc_id, version) from an example's meta; None for an example we did not push."""
    meta = example.get("meta", example)
    try:
        return meta["doc_id"], int(meta["version"])
    except (KeyError, TypeError, ValueError):
        return None


def local_documents(corpus: Corpus, docs=None, source=None, report=None):
    """{(doc_id, version): (text, sha256, layer or None)} of each document's latest version.

    `source` is None (no layer), "gold", or an annotator whose layer is wanted. `corpus`
    has been validated (check_corpus): texts match their hashes and layers their text.
    """
    found = {}
    for doc_id in docs or corpus.doc_ids:
        doc = corpus.document(doc_id)
        latest = doc.latest
        layer = None
        if source == "gold":
            layer, name = doc.gold, "gold.json"
        elif source is not None:
            layer, name = (doc.annotator(source) if source in doc.annotators else None), f"{source}'s layer"
        if layer is not None and (layer.version, layer.sha256) != (latest.number, latest.sha256):
            report.problems.append(f"{doc_id}@{latest.number}: {name} is pinned to version "
                                   f"{layer.version}; its annotations were not pushed")
            layer = None
        found[(doc_id, latest.number)] = (latest.text, latest.sha256, layer)
    return found


# Older pushes put gold's links and author claimants here, where annotators could read them.
DIRECTIVES_META = "gold_directives"


def _record(key, text, sha, layer):
    record = {"text": text, "doc_id": key[0], "version": key[1], "text_sha256": sha,
              "entities": [], "relations": []}
    if layer is not None:
        converted = to_doccano(layer, text)
        record["entities"], record["relations"] = converted["entities"], converted["relations"]
    return record


def check_corpus(root, docs=None) -> Corpus:
    """The corpus when it is valid (or `docs` and the registry are); InvalidCorpus otherwise.

    Runs before any connection: Doccano checks no offset, so a defect would travel.
    """
    return Corpus.of(root).require_valid(docs)


def _identity(iterable, total=None):
    return iterable


def push(root, conn: Connection, project=DEFAULT_PROJECT, preannotate="none", annotators=(), source=None,
         docs=None, progress=_identity, with_gold=False) -> PushReport:
    """Push every document's latest version (or only `docs`); see the module docstring.

    `annotators` (review) are Doccano users whose accounts `newsspans doccano annotator
    add` wrote; `source` (review) is the annotator whose layer they get instead of gold.
    `with_gold=True` is the old spelling of preannotate="gold". `progress` wraps the
    long loops (cli.progress.bar).
    """
    preannotate = "gold" if with_gold else preannotate
    if preannotate not in PREANNOTATE:
        raise DoccanoError(f"unknown pre-annotation mode {preannotate!r}: one of {', '.join(PREANNOTATE)}")
    if preannotate == "review" and not annotators:
        raise DoccanoError("--preannotate review copies a layer into annotators' own layers: "
                           "name them with --annotator NAME")
    if (source is not None or annotators) and preannotate != "review":
        raise DoccanoError("--annotator and --from are for --preannotate review")
    corpus = check_corpus(root, docs)
    report = PushReport()
    layer_name = (source or "gold") if preannotate != "none" else None
    local = local_documents(corpus, docs, layer_name, report)
    pid = find_project(conn, project)["id"]
    ledger = Ledger(corpus.root, conn.url, project)
    server = _examples(conn, pid)
    new, existing = [], {}
    for key, (text, sha, _) in sorted(local.items()):
        if key not in server:
            new.append(key)
            continue
        first = min(server[key], key=lambda e: e["id"])
        where = f"{key[0]}@{key[1]}"
        if first["meta"].get("text_sha256") != sha or sha256_text(first["text"]) != sha:
            report.conflicts.append(f"{where}: the server's example {first['id']} has a different text "
                                    f"(sha256 {sha256_text(first['text'])}, repository {sha}); "
                                    f"nothing was overwritten")
            continue
        existing[key] = first
    _scrub_directives(conn, pid, [e for examples in server.values() for e in examples], report)
    gold_mode = preannotate == "gold"
    importer = preannotation_connection(conn) if gold_mode else conn
    batches = [new[i:i + IMPORT_BATCH] for i in range(0, len(new), IMPORT_BATCH)]
    for batch in progress(batches, total=len(batches)):
        records = [_record(k, local[k][0], local[k][1], local[k][2] if gold_mode else None) for k in batch]
        for error in import_jsonl(importer, pid, records):
            report.problems.append(f"import: {error}")
        report.created.extend(f"{k[0]}@{k[1]}" for k in batch)
    duplicates = {k: v for k, v in server.items() if len(v) > 1 and k in existing}
    examples = dict(existing)
    if new:
        # An earlier, interrupted push may have imported the same documents meanwhile.
        fresh = _examples(conn, pid, set(new))
        for key, found in fresh.items():
            # The copy kept may be the interrupted one, without its pre-annotations.
            examples[key] = min(found, key=lambda e: e["id"])
            if len(found) > 1:
                duplicates[key] = found
    exported = None
    if duplicates or (gold_mode and existing) or (preannotate == "review" and existing):
        exported = export_jsonl(conn, pid)
        _remove_duplicates(conn, pid, duplicates, exported, report)
    try:
        if gold_mode:
            to_check = {k: examples[k] for k in existing.keys() | duplicates.keys() if k in examples}
            if to_check:
                _repair_preannotations(importer, pid, to_check, local, exported or {}, report)
            for key, (_, sha, layer) in local.items():
                if layer is not None and key in examples:
                    ledger.give(*key, sha, PREANNOTATION_USER, "gold", layer)
        elif preannotate == "review":
            _review(conn, corpus.root, pid, examples, local, annotators, layer_name, exported or {},
                    ledger, report, progress)
    finally:
        ledger.save()
    report.unchanged.extend(f"{k[0]}@{k[1]}" for k in existing
                            if f"{k[0]}@{k[1]}" not in report.repaired)
    return report


def _examples(conn, pid, keys=None):
    """{(doc_id, version): [example, ...]} of the project (only `keys` when given)."""
    found = defaultdict(list)
    for example in conn.paginate(f"/v1/projects/{pid}/examples"):
        key = example_key(example)
        if key is not None and (keys is None or key in keys):
            found[key].append(example)
    return found


def _scrub_directives(conn, pid, examples, report):
    """Remove the gold directives an older push left in examples' meta, readable by all."""
    for example in examples:
        meta = example.get("meta") or {}
        if DIRECTIVES_META in meta:
            conn.patch(f"/v1/projects/{pid}/examples/{example['id']}",
                       json={"meta": {k: v for k, v in meta.items() if k != DIRECTIVES_META}})
            key = example_key(example)
            report.repaired.append(f"{key[0]}@{key[1]}" if key else f"example {example['id']}")


def _remove_duplicates(conn, pid, duplicates, exported, report):
    """Delete extra copies of an example unless a person annotated or commented on one."""
    touched = defaultdict(set)
    for user, records in exported.items():
        if user == PREANNOTATION_USER:
            continue
        for r in records:
            if r.get("entities") or r.get("relations") or r.get("Comments"):
                touched[r["id"]].add(user)
    # An example whose export line was refused (malformed) may hold someone's work: never
    # take it for an untouched copy.
    for user, refused in getattr(exported, "refused", {}).items():
        if user != PREANNOTATION_USER:
            for example_id in refused:
                touched[example_id].add(user)
    for key, examples in duplicates.items():
        keep, *extra = sorted(examples, key=lambda e: e["id"])
        where = f"{key[0]}@{key[1]}"
        humans = sorted({u for e in extra for u in touched[e["id"]]})
        if humans:
            report.conflicts.append(f"{where}: {len(extra)} duplicate example(s) "
                                    f"{[e['id'] for e in extra]} carry work of {', '.join(humans)}; "
                                    f"merge them by hand in Doccano")
            continue
        for example in extra:
            conn.delete(f"/v1/projects/{pid}/examples/{example['id']}")
        report.duplicates_removed.append(f"{where}: removed example(s) {[e['id'] for e in extra]}, kept {keep['id']}")


def _signature(record, text_key="label"):
    """(spans, relations) of a record as multisets of offsets and labels, ids aside."""
    spans = {s["id"]: (s["start_offset"], s["end_offset"], s[text_key]) for s in record["entities"]}
    relations = Counter((spans[r["from_id"]], spans[r["to_id"]], r["type"]) for r in record["relations"]
                        if r["from_id"] in spans and r["to_id"] in spans)
    return Counter(spans.values()), relations


def _repair_preannotations(pre: Connection, pid, examples, local, exported, report):
    """Make the pre-annotation user's layers on existing examples equal gold (REST)."""
    records = {r["id"]: r for r in exported.get(PREANNOTATION_USER, [])}
    types = None
    for key, example in sorted(examples.items()):
        text, _, gold = local[key]
        if gold is None:
            continue
        wanted = to_doccano(gold, text)
        have = records.get(example["id"], {"entities": [], "relations": []})
        if _signature(have) == _signature(wanted):
            continue
        types = types or (type_ids(pre, pid, "span-types"), type_ids(pre, pid, "relation-types"))
        _replace_spans(pre, f"/v1/projects/{pid}/examples/{example['id']}", wanted, *types,
                       clear=bool(have["entities"]))
        if f"{key[0]}@{key[1]}" not in report.repaired:
            report.repaired.append(f"{key[0]}@{key[1]}")


def _review(conn, root, pid, examples, local, annotators, source, exported, ledger, report, progress):
    """Copy `source` into each annotator's own layer where that layer holds nothing of theirs."""
    members = {m["username"] for m in conn.get(f"/v1/projects/{pid}/members")}
    types = (type_ids(conn, pid, "span-types"), type_ids(conn, pid, "relation-types"))
    logged_in = []
    for name in annotators:
        username, password = accounts.load(name, accounts.home(root))
        if username not in members:
            report.problems.append(f"annotator {username!r} is not a member of the project: "
                                   f"run `newsspans doccano annotator add {name}`")
            continue
        logged_in.append(Connection(conn.url, username, password, timeout=conn.timeout,
                                    retries=conn.retries).login())
    work = [(user, key) for user in logged_in for key in sorted(examples) if local[key][2] is not None]
    records = {user: {r["id"]: r for r in exported.get(user, [])} for user in members}
    for user_conn, key in progress(work, total=len(work)):
        user, example = user_conn.username, examples[key]
        text, sha, layer = local[key]
        where = f"{user} {key[0]}@{key[1]}"
        wanted = to_doccano(layer, text)
        have = records.get(user, {}).get(example["id"], {"entities": [], "relations": []})
        given = ledger.given(*key, sha, user)
        if _signature(have) == _signature(wanted):
            ledger.give(*key, sha, user, source, layer)
            continue
        started_by_us = given is not None and given[0] == source and _within(have, wanted)
        if (have["entities"] or have["relations"]) and not started_by_us:
            report.kept.append(f"{where}: the annotator's layer holds work of their own; not overwritten")
            continue
        # Recorded first: an interrupted copy is recognised and completed next time.
        ledger.give(*key, sha, user, source, layer)
        ledger.save()
        _replace_spans(user_conn, f"/v1/projects/{pid}/examples/{example['id']}", wanted, *types,
                       clear=bool(have["entities"] or have["relations"]))
        report.preannotated.append(f"{where}: {source} copied into the annotator's layer")


def _within(have, wanted):
    """Every span and relation of `have` is one of `wanted`'s: a copy that was cut short."""
    have_spans, have_relations = _signature(have)
    wanted_spans, wanted_relations = _signature(wanted)
    return not (have_spans - wanted_spans) and not (have_relations - wanted_relations)


def _replace_spans(conn, base, wanted, span_types, relation_types, clear=True):
    # Deletes only the connected user's own labels (the project is not collaborative).
    if clear:
        conn.delete(f"{base}/relations")
        conn.delete(f"{base}/spans")
    new_ids = {}
    for span in wanted["entities"]:
        if span["label"] not in span_types:
            raise DoccanoError(f"span label {span['label']!r} is missing: run newsspans doccano setup")
        made = conn.post(f"{base}/spans", json={"start_offset": span["start_offset"],
                                                "end_offset": span["end_offset"],
                                                "label": span_types[span["label"]]})
        new_ids[span["id"]] = made["id"]
    for rel in wanted["relations"]:
        conn.post(f"{base}/relations", json={"from_id": new_ids[rel["from_id"]], "to_id": new_ids[rel["to_id"]],
                                             "type": relation_types[rel["type"]]})
