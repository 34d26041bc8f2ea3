"""push: the repository's documents (and gold, as pre-annotations) into the Doccano project.

One example per document version, keyed by its meta `doc_id`, `version`, `text_sha256`.
New examples go in through one bulk JSONL import (with the gold spans and relations when
asked, and gold's registry links and author claimants as the meta `gold_directives`, in
the comment syntax of scheme.py); examples already there are left alone, except that the
pre-annotation user's spans, relations and directives are brought in line with gold. Re-running after an
interrupted push finishes the job: duplicates from a half-done import are removed when
nobody but the pre-annotation user touched them.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from newsspans.store.layout import Layout, check_doc_id
from newsspans.store.names import require_documents
from newsspans.errors import CorpusError, DoccanoError, InvalidCorpus
from newsspans.store.hashing import sha256_text
from newsspans.model.labels import AUTHOR_ID
from newsspans.model.annotations import AnnotationFile
from newsspans.validation.validate import validate_corpus, validate_document
from newsspans.doccano.client import Connection
from newsspans.doccano.convert import to_doccano
from newsspans.doccano.project import (DEFAULT_PROJECT, PREANNOTATION_USER, find_project, preannotation_connection,
                      type_ids)
from newsspans.doccano.transfer import export_jsonl, import_jsonl

IMPORT_BATCH = 2000


@dataclass
class PushReport:
    created: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    repaired: list = field(default_factory=list)
    duplicates_removed: list = field(default_factory=list)
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


def local_documents(corpus: Layout, docs=None, with_gold=False, report=None):
    """{(doc_id, version): (text, sha256, gold or None)} of each document's latest version."""
    found = {}
    for doc_id in docs or corpus.doc_ids():
        try:
            entry = corpus.document(doc_id)["versions"][-1]
            text = corpus.text(doc_id, entry["version"])
        except (CorpusError, KeyError, IndexError, TypeError) as exc:
            report.problems.append(f"{doc_id}: cannot read its latest version: {exc}")
            continue
        sha = sha256_text(text)
        where = f"{doc_id}@{entry['version']}"
        if sha != entry["sha256"]:
            report.problems.append(f"{where}: v{entry['version']}.txt has sha256 {sha}, document.json "
                                   f"records {entry['sha256']}; not pushed (run newsspans validate)")
            continue
        gold = None
        if with_gold and corpus.gold_path(doc_id).is_file():
            gold = AnnotationFile.fromdict(corpus.read_json(corpus.gold_path(doc_id)))
            if (gold.version, gold.sha256) != (entry["version"], sha):
                report.problems.append(f"{where}: gold.json is pinned to version {gold.version}; "
                                       f"its annotations were not pushed")
                gold = None
            else:
                broken = _gold_problems(gold, text)
                if broken:
                    report.problems.extend(f"{where}: gold.json {b}; its annotations were not pushed "
                                           f"(run newsspans validate)" for b in broken[:5])
                    gold = None
        found[(doc_id, entry["version"])] = (text, sha, gold)
    return found


DIRECTIVES_META = "gold_directives"


def _gold_problems(gold, text):
    """What would make Doccano hold something else than gold: bad offsets, dangling ids.

    The server checks neither; a full validation per document would cost more than the push.
    """
    problems = []
    for layer in ("entities", "quotes", "claims"):
        for item in getattr(gold, layer):
            spans = [(item.id, item)] + ([(f"{item.id}.cue", item.cue)] if getattr(item, "cue", None) else [])
            for name, span in spans:
                if not (0 <= span.start < span.end <= len(text)) or text[span.start:span.end] != span.text:
                    problems.append(f"{layer} {name} [{span.start}:{span.end}] does not match the text")
    mentions, quotes = {m.id for m in gold.entities}, {q.id for q in gold.quotes}
    for q in gold.quotes:
        if q.speaker is not None and q.speaker not in mentions:
            problems.append(f"quote {q.id}: speaker {q.speaker!r} is not a mention")
    for c in gold.claims:
        if c.claimant not in (None, AUTHOR_ID) and c.claimant not in mentions:
            problems.append(f"claim {c.id}: claimant {c.claimant!r} is not a mention")
        if c.quote is not None and c.quote not in quotes:
            problems.append(f"claim {c.id}: quote {c.quote!r} is not a quote")
    return problems


def _record(key, text, sha, gold):
    # Every record has every meta key: the import reads the file as one table, and a
    # missing cell would become NaN in the example's meta.
    record = {"text": text, "doc_id": key[0], "version": key[1], "text_sha256": sha,
              DIRECTIVES_META: "", "entities": [], "relations": []}
    if gold is not None:
        converted = to_doccano(gold, text)
        record["entities"], record["relations"] = converted["entities"], converted["relations"]
        # In the import itself: one comment request per document would double a push.
        record[DIRECTIVES_META] = converted["comment"]
    return record


def check_corpus(root, docs=None):
    """InvalidCorpus naming every problem of the corpus (or of `docs` and the registry).

    Runs before any connection: Doccano checks no offset, so a defect would travel.
    """
    corpus = Layout(root)
    if docs is None:
        problems = validate_corpus(root)
    else:
        registry = corpus.registry()
        problems = [p for doc_id in docs for p in validate_document(corpus, check_doc_id(doc_id), registry)]
    if problems:
        raise InvalidCorpus(problems)


def push(root, conn: Connection, project=DEFAULT_PROJECT, with_gold=False, docs=None) -> PushReport:
    """Push every document's latest version (or only `docs`); see the module docstring."""
    if docs:
        require_documents(root, docs)
    check_corpus(root, docs)
    report = PushReport()
    local = local_documents(Layout(root), docs, with_gold, report)
    pid = find_project(conn, project)["id"]
    server = defaultdict(list)
    for example in conn.paginate(f"/v1/projects/{pid}/examples"):
        key = example_key(example)
        if key is not None:
            server[key].append(example)
    new, existing = [], {}
    for key, (text, sha, gold) in sorted(local.items()):
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
    importer = preannotation_connection(conn) if with_gold else conn
    for start in range(0, len(new), IMPORT_BATCH):
        batch = new[start:start + IMPORT_BATCH]
        errors = import_jsonl(importer, pid, [_record(k, *local[k]) for k in batch])
        for error in errors:
            report.problems.append(f"import: {error}")
        report.created.extend(f"{k[0]}@{k[1]}" for k in batch)
    duplicates = {k: v for k, v in server.items() if len(v) > 1 and k in existing}
    to_check = dict(existing)
    if new:
        # An earlier, interrupted push may have imported the same documents meanwhile.
        new_keys, fresh = set(new), defaultdict(list)
        for example in conn.paginate(f"/v1/projects/{pid}/examples"):
            key = example_key(example)
            if key in new_keys:
                fresh[key].append(example)
        for key, examples in fresh.items():
            if len(examples) > 1:
                duplicates[key] = examples
                # The copy kept may be the interrupted one, without its pre-annotations.
                to_check[key] = min(examples, key=lambda e: e["id"])
    if duplicates or (with_gold and existing):
        exported = export_jsonl(conn, pid)
        _remove_duplicates(conn, pid, duplicates, exported, report)
        if with_gold:
            _repair_preannotations(importer, pid, to_check, local, exported, report)
    report.unchanged.extend(f"{k[0]}@{k[1]}" for k in existing
                            if f"{k[0]}@{k[1]}" not in report.repaired)
    return report


def _remove_duplicates(conn, pid, duplicates, exported, report):
    """Delete extra copies of an example unless a person annotated or commented on one."""
    touched = defaultdict(set)
    for user, records in exported.items():
        if user == PREANNOTATION_USER:
            continue
        for r in records:
            if r.get("entities") or r.get("relations") or r.get("Comments"):
                touched[r["id"]].add(user)
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
    spans = {s["id"]: (s["start_offset"], s["end_offset"], s[text_key]) for s in record["entities"]}
    relations = sorted((spans[r["from_id"]], spans[r["to_id"]], r["type"]) for r in record["relations"]
                       if r["from_id"] in spans and r["to_id"] in spans)
    return sorted(spans.values()), relations


def _repair_preannotations(pre: Connection, pid, existing, local, exported, report):
    """Make the pre-annotation user's layers on existing examples equal gold (REST)."""
    records = {r["id"]: r for r in exported.get(PREANNOTATION_USER, [])}
    span_types = relation_types = None
    for key, example in sorted(existing.items()):
        text, _, gold = local[key]
        if gold is None:
            continue
        wanted = to_doccano(gold, text)
        have = records.get(example["id"], {"entities": [], "relations": []})
        have_directives = example["meta"].get(DIRECTIVES_META, "")
        if _signature(have) == _signature(wanted) and have_directives == wanted["comment"]:
            continue
        if _signature(have) != _signature(wanted):
            if span_types is None:
                span_types = type_ids(pre, pid, "span-types")
                relation_types = type_ids(pre, pid, "relation-types")
            _replace_spans(pre, f"/v1/projects/{pid}/examples/{example['id']}", wanted,
                           span_types, relation_types)
        if have_directives != wanted["comment"]:
            pre.patch(f"/v1/projects/{pid}/examples/{example['id']}",
                      json={"meta": {**example["meta"], DIRECTIVES_META: wanted["comment"]}})
        report.repaired.append(f"{key[0]}@{key[1]}")


def _replace_spans(pre, base, wanted, span_types, relation_types):
    # Deletes only the pre-annotation user's own labels (the project is not collaborative).
    pre.delete(f"{base}/relations")
    pre.delete(f"{base}/spans")
    new_ids = {}
    for span in wanted["entities"]:
        if span["label"] not in span_types:
            raise DoccanoError(f"span label {span['label']!r} is missing: run newsspans doccano setup")
        made = pre.post(f"{base}/spans", json={"start_offset": span["start_offset"],
                                               "end_offset": span["end_offset"],
                                               "label": span_types[span["label"]]})
        new_ids[span["id"]] = made["id"]
    for rel in wanted["relations"]:
        pre.post(f"{base}/relations", json={"from_id": new_ids[rel["from_id"]], "to_id": new_ids[rel["to_id"]],
                                            "type": relation_types[rel["type"]]})
