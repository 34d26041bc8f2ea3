"""A new version of a document, and its annotation files carried over to it.

`revise` adds version N+1 (the normalised text of a file) and re-anchors gold and every
annotator file. A span stays at the same offset or moves to the one place its context
confirms (curation/reanchor.py: it never guesses between copies of repeated text); the
report says which, per annotation. Annotations that cannot be placed are moved to the
file's `orphans` section with their old anchor, their context and the reason (not found,
context mismatch, ambiguous: N candidates); never dropped.

References to an orphan are set to null so the file stays valid, and recorded in the
orphan's reason ("references set to null: quotes q2.speaker") so a person can restore
them: a quote's speaker, a claim's claimant or quote. A claim placed outside its placed
quote is orphaned too, since one of the two placements must be wrong.

Only this document's files are read and written. Everything is checked before anything is
written: the document and every re-anchored file are validated in memory first.
The files are then written one by one, atomically, with the document marked
`reanchor_pending` until the last annotation file is in place, so a crash half-way leaves a
corpus that validates.
"""

import copy
import datetime as _dt

from newsspans.model.corpus import Corpus
from newsspans.errors import CorpusError, InvalidCorpus, RevisionError
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.store.hashing import sha256_text
from newsspans.curation.ingest import read_source
from newsspans.curation.reanchor import (SAME_OFFSET, UNIQUE_CONTEXT, Outcome, TextMap, context,
                                        place_annotation)
from newsspans.validation.checks import check_document_data
from newsspans.validation.validate import read_document_files, registry_problems
from newsspans.model.labels import LAYERS

# (layer, field, layer of the annotation it names)
_REFERENCES = (("quotes", "speaker", "entities"), ("claims", "claimant", "entities"),
               ("claims", "quote", "quotes"))


def revise(root, doc_id, text_file, note, *, today=None, dry_run=False) -> dict:
    """Add the next version of `doc_id` from `text_file` and re-anchor its annotations.

    Returns the report: the new version, and per annotation file the annotations that
    moved or were orphaned and the references cleared. Raises InvalidCorpus if the
    document is invalid beforehand (orphans awaiting a person excepted), RevisionError if
    the text or note is unusable or the result would not validate. With `dry_run`, checks
    everything and returns the report but writes nothing.
    """
    corpus = Corpus.of(root)
    try:
        corpus.check_doc_id(doc_id)
    except CorpusError as exc:
        raise RevisionError(str(exc)) from None
    if not note or not note.strip():
        raise RevisionError(f"{doc_id}: a revision needs a note saying why the text changed")
    layout = corpus.layout
    # Re-anchoring resolves links through the registry: a broken one would be carried over.
    before = registry_problems(layout)
    if before:
        raise InvalidCorpus(before)
    registry = corpus.registry
    doc, raw, version_bytes, annotations = read_document_files(layout, doc_id)
    before = [p for p in check_document_data(doc_id, doc, raw, version_bytes, annotations, registry)
              if not _is_orphan(p)]
    if before:
        raise InvalidCorpus(before)
    today = today or _dt.date.today().isoformat()
    latest = len(doc["versions"])
    texts = {n: data.decode("utf-8") for n, data in version_bytes.items()}
    text = _read_new_text(text_file, doc_id, texts[latest], latest)
    version = latest + 1
    entry = {"version": version, "file": f"v{version}.txt", "sha256": sha256_text(text),
             "created": today, "note": note.strip()}
    new_doc = copy.deepcopy(doc)
    new_doc["versions"].append(entry)
    new_doc.pop("reanchor_pending", None)

    maps, files, reports = {}, [], []
    for name, data in annotations:
        pinned = data["version"]
        if pinned not in maps:
            maps[pinned] = TextMap(texts[pinned], text)
        new_data, file_report = reanchor_file(data, maps[pinned], version, entry["sha256"], today)
        files.append((name, new_data))
        reports.append(dict(file=name, **file_report))

    _check_new(doc_id, new_doc, raw, {**version_bytes, version: text.encode("utf-8")}, files, registry)
    report = {"doc_id": doc_id, "from_version": latest, "version": version,
              "sha256": entry["sha256"], "created": today, "note": entry["note"], "files": reports}
    if dry_run:
        return report
    atomic_write(layout.version_path(doc_id, version), text.encode("utf-8"), root=layout.root)
    atomic_write(layout.document_path(doc_id), dumps_json(dict(new_doc, reanchor_pending=True)), root=layout.root)
    for name, new_data in files:
        atomic_write(layout.root / name, dumps_json(new_data), root=layout.root)
    atomic_write(layout.document_path(doc_id), dumps_json(new_doc), root=layout.root)
    corpus.refresh()
    return report


def reanchor_file(data: dict, textmap: TextMap, version: int, sha256: str, today: str):
    """(the file re-anchored to `version`, its report) for one annotation file's dict."""
    old_version = data["version"]
    kept = {layer: [] for layer in LAYERS}
    outcomes, orphaned = [], {}
    for layer in LAYERS:
        for item in data[layer]:
            new_item, outcome = place_annotation(textmap, layer, item)
            outcomes.append(outcome)
            if new_item is None:
                orphaned[item["id"]] = [layer, item, outcome.reason]
            else:
                kept[layer].append(new_item)
    originals = {item["id"]: item for layer in LAYERS for item in data[layer]}
    _orphan_claims_outside_quotes(kept, orphaned, outcomes, originals)
    relations = _clear_references(kept, orphaned)
    new_orphans = []
    for layer_, item, reason in orphaned.values():
        prefix, suffix = context(textmap.old, item["start"], item["end"])
        new_orphans.append({"layer": layer_, "annotation": item, "old_version": old_version,
                            "prefix": prefix, "suffix": suffix, "reason": reason})
    new_data = dict(data, version=version, sha256=sha256, **kept)
    new_data["orphans"] = list(data.get("orphans", ())) + new_orphans
    if not new_data["orphans"]:
        del new_data["orphans"]
    new_data["provenance"] = _provenance(data, outcomes, old_version, version, today)
    moved = [o.asdict() for o in outcomes if o.status == "moved"]
    lost = [o.asdict() for o in outcomes if o.status == "orphaned"]
    placed = {SAME_OFFSET: sum(o.status == "unchanged" for o in outcomes),
              UNIQUE_CONTEXT: len(moved), "orphaned": len(lost)}
    same = [{"layer": o.layer, "id": o.id} for o in outcomes if o.status == "unchanged"]
    return new_data, {"from_version": old_version, "version": version,
                      "unchanged": placed[SAME_OFFSET], "placed": placed, "same_offset": same,
                      "moved": moved, "orphaned": lost, "relations": relations}


def _orphan_claims_outside_quotes(kept, orphaned, outcomes, originals):
    quotes = {q["id"]: q for q in kept["quotes"]}
    for claim in list(kept["claims"]):
        quote = quotes.get(claim["quote"])
        if quote is None or (quote["start"] <= claim["start"] and claim["end"] <= quote["end"]):
            continue
        original = originals[claim["id"]]
        reason = (f"its text was placed at [{claim['start']}:{claim['end']}], outside its quote "
                  f"{quote['id']!r} placed at [{quote['start']}:{quote['end']}]")
        kept["claims"].remove(claim)
        orphaned[claim["id"]] = ["claims", original, reason]
        at = next(i for i, o in enumerate(outcomes) if o.layer == "claims" and o.id == claim["id"])
        outcomes[at] = Outcome("claims", claim["id"], "orphaned", claim["text"],
                               {"span": ((original["start"], original["end"]), None)}, reason=reason)


def _clear_references(kept, orphaned) -> list:
    relations = []
    for layer, field, target_layer in _REFERENCES:
        for i, item in enumerate(kept[layer]):
            target = item[field]
            if target in orphaned and orphaned[target][0] == target_layer:
                kept[layer][i] = dict(item, **{field: None})
                relations.append({"layer": layer, "id": item["id"], "field": field,
                                  "target": target, "action": "set to null"})
                orphaned[target][2] += (f"; reference {layer} {item['id']}.{field} set to null")
    return relations


def _provenance(data, outcomes, old_version, version, today) -> dict:
    provenance = dict(data["provenance"])
    if not outcomes and not data.get("orphans"):
        return dict(provenance, modified=today)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("unchanged", "moved", "orphaned")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    done = (f"re-anchored from version {old_version} ({provenance['method']}) to version "
            f"{version}: {summary}")
    provenance["note"] = f"{provenance['note']}; {done}" if provenance.get("note") else done
    return dict(provenance, method="reanchored", modified=today)


def _read_new_text(text_file, doc_id, current, latest) -> str:
    try:
        _, text = read_source(text_file)
    except CorpusError as exc:
        raise RevisionError(str(exc)) from None
    if text == current:
        raise RevisionError(f"{text_file}: its canonical text is identical to {doc_id}@{latest}: "
                            f"nothing to revise")
    return text


def _is_orphan(problem) -> bool:
    return problem.path.startswith("$.orphans[")


def _check_new(doc_id, new_doc, raw, version_bytes, files, registry):
    """Validate the document as it will be, from memory; raise unless only orphans remain."""
    problems = check_document_data(doc_id, new_doc, raw, version_bytes, files, registry)
    unexpected = [p for p in problems if not _is_orphan(p)]
    orphans = sum(len(data.get("orphans", ())) for _, data in files)
    if unexpected or len(problems) != orphans:
        shown = "; ".join(p.format() for p in unexpected[:5]) or f"{len(problems)} problems for {orphans} orphans"
        raise RevisionError(f"{doc_id}: the revision would leave the document invalid, nothing "
                            f"was written: {shown}")


def format_report(report: dict) -> str:
    """The report as text: a summary line per file and a table of what moved or was lost."""
    lines = [f"{report['doc_id']}: version {report['version']} added "
             f"(sha256 {report['sha256']}, {report['created']}): {report['note']}"]
    for file in report["files"]:
        lines.append(f"{file['file']}: version {file['from_version']} -> {file['version']}: "
                     f"{file['unchanged']} at the same offset, {len(file['moved'])} moved (each to "
                     f"the one place its context confirms), {len(file['orphaned'])} orphaned, "
                     f"{len(file['relations'])} references cleared")
        rows = [(o["status"], o["layer"], o["id"], _offsets(o, "old"), _offsets(o, "new"),
                 repr(o["text"]), o.get("how") or o.get("reason", ""))
                for o in file["moved"] + file["orphaned"]]
        rows += [("reference", r["layer"], r["id"], r["field"], "", repr(r["target"]),
                  f"{r['action']}: {r['target']} was orphaned") for r in file["relations"]]
        if rows:
            lines.extend(_table(("outcome", "layer", "id", "old", "new", "text", "how / why"), rows))
    return "\n".join(lines)


def _offsets(outcome, side) -> str:
    span = outcome["span"][side]
    shown = f"[{span[0]}:{span[1]}]" if span else "-"
    cue = outcome.get("cue")
    if cue and cue[side]:
        shown += f" cue [{cue[side][0]}:{cue[side][1]}]"
    return shown


def _table(header, rows):
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header) - 1)]
    out = []
    for row in (header, *rows):
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths)]
        out.append("  " + "  ".join(cells + [str(row[-1])]).rstrip())
    return out
