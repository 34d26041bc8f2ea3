"""adopt: promote one annotator's layers to gold, after validation, saying what changes."""

import tempfile
from datetime import datetime, timezone
from pathlib import Path

from newsspans.store.layout import Layout
from newsspans.store.names import require_annotator, require_documents
from newsspans.errors import CorpusError, InvalidCorpus
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.validation.validate import validate_annotation_file

LAYERS = ("entities", "quotes", "claims")


def validate_pending(corpus: Layout, path: Path, data: dict, document=None, texts=None, registry=None,
                     payload: bytes = None) -> list:
    """The validator's Problems for `data` as if it were already written at `path`.

    `document`, `texts` ({version: text}) and `registry` spare re-reading them when many
    files are checked in a row; `payload` is `dumps_json(data)` when the caller has it.
    """
    doc_id = data["doc_id"]
    doc = document if document is not None else corpus.document(doc_id)
    if texts is None:
        texts = {v["version"]: corpus.text(doc_id, v["version"]) for v in doc["versions"]}
    if registry is None:
        registry = corpus.registry()
    shas = {v["version"]: v["sha256"] for v in doc["versions"]}
    with tempfile.TemporaryDirectory() as tmp:
        # The validator reads a file: give it one in a folder of the same kind.
        trial = Path(tmp) / path.parent.name / path.name
        trial.parent.mkdir()
        trial.write_bytes(payload if payload is not None else dumps_json(data))
        problems = validate_annotation_file(corpus, trial, doc_id, texts, shas, registry,
                                            len(doc["versions"]), doc.get("reanchor_pending", False))
    real = corpus.rel(path)
    return [type(p)(p.file.replace(str(trial), real), p.message, p.path, p.doc) for p in problems]


def diff_layers(old: dict, new: dict) -> dict:
    """{layer: {"added": [...], "removed": [...], "changed": [(old, new)]}} matched by id."""
    changes = {}
    for layer in LAYERS:
        before = {item["id"]: item for item in (old or {}).get(layer, [])}
        after = {item["id"]: item for item in new.get(layer, [])}
        changes[layer] = {
            "added": [after[i] for i in after if i not in before],
            "removed": [before[i] for i in before if i not in after],
            "changed": [(before[i], after[i]) for i in after if i in before and before[i] != after[i]],
        }
    return changes


def adopt(root, user: str, doc_id: str, dry_run=False) -> dict:
    """Make annotators/<user>.json the gold of `doc_id`; returns {"diff", "gold", "written"}.

    The annotator's file must be valid (schema, offsets, references, registry links) and
    pinned to the document's latest version; otherwise InvalidCorpus lists every problem.
    """
    corpus = Layout(root)
    require_documents(root, [doc_id])
    require_annotator(root, user, doc_id)
    source = corpus.annotator_path(doc_id, user)
    if not source.is_file():
        raise CorpusError(f"{corpus.rel(source)}: no such annotator file (pull it first: newsspans doccano pull)")
    data = corpus.read_json(source)
    problems = validate_pending(corpus, source, data)
    if problems:
        raise InvalidCorpus(problems)
    gold_path = corpus.gold_path(doc_id)
    old = corpus.read_json(gold_path) if gold_path.is_file() else None
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    origin = data["provenance"].get("doccano")
    note = f"adopted from annotations/{doc_id}/annotators/{user}.json"
    if origin:
        note += f" (Doccano {origin['server']} project {origin['project']} user {origin['user']}, " \
                f"pulled {origin['pulled']})"
    provenance = {"annotators": sorted(set(data["provenance"].get("annotators") or [user])),
                  "method": "adjudicated",
                  "created": (old or {}).get("provenance", {}).get("created", now),
                  "modified": now, "note": note}
    if data["provenance"].get("guidelines"):
        provenance["guidelines"] = data["provenance"]["guidelines"]
    gold = {"doc_id": doc_id, "version": data["version"], "sha256": data["sha256"], "provenance": provenance,
            **{layer: data[layer] for layer in LAYERS}}
    if data.get("orphans"):
        gold["orphans"] = data["orphans"]
    problems = validate_pending(corpus, gold_path, gold)
    if problems:
        raise InvalidCorpus(problems)
    diff = diff_layers(old, gold)
    if not dry_run:
        atomic_write(gold_path, dumps_json(gold), root=root)
    return {"diff": diff, "gold": corpus.rel(gold_path), "written": not dry_run,
            "version_changed": bool(old) and old.get("version") != gold["version"]}


def format_diff(result: dict) -> str:
    lines = []
    for layer, change in result["diff"].items():
        counts = ", ".join(f"{len(change[k])} {k}" for k in ("added", "removed", "changed"))
        lines.append(f"{layer}: {counts}")
        for item in change["added"]:
            lines.append(f"  + {item['id']} [{item['start']}:{item['end']}] {item['text']!r}{_what(layer, item)}")
        for item in change["removed"]:
            lines.append(f"  - {item['id']} [{item['start']}:{item['end']}] {item['text']!r}{_what(layer, item)}")
        for before, after in change["changed"]:
            fields = [k for k in after if before.get(k) != after.get(k)]
            detail = "; ".join(f"{k}: {before.get(k)!r} -> {after.get(k)!r}" for k in fields)
            lines.append(f"  ~ {after['id']} [{after['start']}:{after['end']}] {detail}")
    verb = "wrote" if result["written"] else "would write"
    lines.append(f"{verb} {result['gold']}")
    return "\n".join(lines)


def _what(layer, item):
    if layer == "entities":
        return f" {item['label']}/{item['mention']}" + (f" -> {item['entity']}" if item["entity"] else "")
    if layer == "quotes":
        return f" {item['kind']}"
    return f" {item['category']}"
