"""adopt: promote one annotator's layers to gold, after validation, saying what changes."""

from datetime import datetime, timezone

from newsspans.errors import InvalidCorpus
from newsspans.model.corpus import Corpus
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.validation.checks import check_pending
from newsspans.model.labels import LAYERS


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
    corpus = Corpus.of(root)
    document = corpus.document(doc_id)
    document.check_annotator(user)   # the file itself is checked below, with located problems
    layout = corpus.layout
    source, gold_path = layout.annotator_path(doc_id, user), layout.gold_path(doc_id)
    meta, texts = document.metadata, {v.number: v.text for v in document.versions}
    data = layout.read_json(source)
    problems = check_pending(meta, texts, layout.rel(source), data, corpus.registry)
    if problems:
        raise InvalidCorpus(problems)
    old = document.gold.asdict() if document.gold is not None else None
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
    problems = check_pending(meta, texts, layout.rel(gold_path), gold, corpus.registry)
    if problems:
        raise InvalidCorpus(problems)
    diff = diff_layers(old, gold)
    if not dry_run:
        atomic_write(gold_path, dumps_json(gold), root=layout.root)
        corpus.refresh()
    return {"diff": diff, "gold": layout.rel(gold_path), "written": not dry_run,
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
