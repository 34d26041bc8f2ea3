"""adopt: promote an annotator's layers to gold, after validation and lint, showing what
changes before anything is written.

Two ways to adopt, per layer (entities, quotes, claims):
- *replace* (the default): gold's layer becomes the annotator's layer;
- *merge* (`merge=True`): the annotator's items are added to gold's; an item on exactly the
  same span as a gold item updates it (the annotator's is the reviewed version) and keeps
  gold's id; gold items the annotator lacks stay.
References between layers (a quote's speaker, a claim's claimant and quote) follow their
items: a reference into a layer that was not adopted, or into gold, is carried over to the
item on the same span, and one that has no counterpart is a located error.

The previous gold's provenance is kept in `provenance.history`, so no adoption drops who
annotated what before.
"""

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from newsspans.errors import CorpusError, InvalidCorpus
from newsspans.model.corpus import Corpus
from newsspans.model.labels import AUTHOR_ID, LAYERS
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.validation.checks import check_pending
from newsspans.validation.lint import lint_annotations

PREFIX = {"entities": "m", "quotes": "q", "claims": "c"}
# (layer holding the reference, field, layer it points into)
REFERENCES = (("quotes", "speaker", "entities"), ("claims", "claimant", "entities"), ("claims", "quote", "quotes"))


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


def adopt(root, user: str, doc_id: str, *, layers=LAYERS, merge=False, write=False, accept_lint=False) -> dict:
    """Make `user`'s `layers` of `doc_id` gold; returns {"diff", "gold", "written", "findings", ...}.

    Nothing is written unless `write`. The annotator's file must be valid (schema, offsets,
    references, registry links); otherwise InvalidCorpus lists every problem. Lint findings
    on the adopted layers refuse the adoption unless `accept_lint`.
    """
    layers = _check_layers(layers)
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
    findings = [f for f in lint_annotations(data, texts[data["version"]], layout.rel(source),
                                            f"{doc_id}@{data['version']}")
                if any(f.path.startswith(f"$.{layer}") for layer in layers)]
    if findings and not accept_lint:
        raise CorpusError("\n".join(f.format() for f in findings) + f"\n{layout.rel(source)}: "
                          f"{len(findings)} lint finding{'s' if len(findings) != 1 else ''} on the layers "
                          f"to adopt (above); fix them, or adopt anyway with --accept-lint")
    old = document.gold.asdict() if document.gold is not None else None
    whole = not merge and set(layers) == set(LAYERS)
    if old is not None and not whole and old["version"] != data["version"]:
        raise CorpusError(f"{layout.rel(source)} is pinned to version {data['version']} and gold to "
                          f"version {old['version']}: only a replacement of every layer can change the "
                          f"version (revise re-anchors files onto the latest version)")
    gold = {"doc_id": doc_id, "version": data["version"], "sha256": data["sha256"],
            "provenance": _provenance(old, data, user, doc_id, layers, merge, whole),
            **_combine(old, data, layers, merge, layout.rel(source), layout.rel(gold_path))}
    orphans = data.get("orphans") if whole else (old or {}).get("orphans")
    if orphans:
        gold["orphans"] = orphans
    problems = check_pending(meta, texts, layout.rel(gold_path), gold, corpus.registry)
    if problems:
        raise InvalidCorpus(problems)
    diff = diff_layers(old, gold)
    if write:
        atomic_write(gold_path, dumps_json(gold), root=layout.root)
        corpus.refresh()
    return {"diff": diff, "gold": layout.rel(gold_path), "written": write, "layers": list(layers),
            "merge": merge, "findings": findings,
            "version_changed": bool(old) and old.get("version") != gold["version"]}


def _check_layers(layers):
    layers = tuple(dict.fromkeys(layers))
    unknown = [layer for layer in layers if layer not in LAYERS]
    if unknown or not layers:
        raise CorpusError(f"unknown layer{'s' if len(unknown) != 1 else ''} {', '.join(map(repr, unknown))}: "
                          f"the layers are {', '.join(LAYERS)}" if unknown else
                          f"no layer to adopt: the layers are {', '.join(LAYERS)}")
    return layers


def _combine(old, data, layers, merge, source_name, gold_name) -> dict:
    """The new gold layers, with every reference pointing at an item of the new gold."""
    new, origin, ids = {}, {}, {"gold": {}, "source": {}}
    for layer in LAYERS:
        gold_items = [dict(item) for item in (old or {}).get(layer, [])]
        theirs = [dict(item) for item in data[layer]]
        if layer not in layers or merge:
            # Gold's items stay, under their ids (a merge may update some in place).
            new[layer], origin[layer] = list(gold_items), ["gold"] * len(gold_items)
            ids["gold"].update(((layer, item["id"]), item["id"]) for item in gold_items)
        else:
            new[layer], origin[layer] = theirs, ["source"] * len(theirs)
            ids["source"].update(((layer, item["id"]), item["id"]) for item in theirs)
        if layer in layers and merge:
            at = {(item["start"], item["end"]): i for i, item in enumerate(gold_items)}
            taken = {item["id"] for item in gold_items}
            for item in theirs:
                i = at.get((item["start"], item["end"]))
                if i is not None:
                    new[layer][i] = {**item, "id": gold_items[i]["id"]}
                    origin[layer][i] = "source"
                    ids["source"][layer, item["id"]] = gold_items[i]["id"]
                    continue
                fresh = item["id"] if item["id"] not in taken else _fresh_id(PREFIX[layer], taken)
                taken.add(fresh)
                ids["source"][layer, item["id"]] = fresh
                new[layer].append({**item, "id": fresh})
                origin[layer].append("source")
        # An item of the side that was not taken maps to the new item on its span, else to
        # the new item with its id if their spans overlap (the same item, its span corrected).
        at_new, by_id = {}, {item["id"]: item for item in new[layer]}
        for item in new[layer]:
            at_new.setdefault((item["start"], item["end"]), item["id"])
        for side, items in (("gold", gold_items), ("source", theirs)):
            for item in items:
                same = by_id.get(item["id"])
                corrected = same["id"] if same and min(same["end"], item["end"]) > max(same["start"], item["start"]) \
                    else None
                ids[side].setdefault((layer, item["id"]), at_new.get((item["start"], item["end"]), corrected))
    unresolved = []
    for layer, field, target in REFERENCES:
        for item, side in zip(new[layer], origin[layer]):
            ref = item[field]
            if ref is None or ref == AUTHOR_ID:
                continue
            mapped = ids[side].get((target, ref))
            if mapped is None:
                where = gold_name if side == "gold" else source_name
                unresolved.append(f"{where}: {layer} {item['id']} [{item['start']}:{item['end']}] {field} "
                                  f"{ref!r} has no counterpart (same span, or same id overlapping) in the "
                                  f"adopted {target}")
            item[field] = mapped
    if unresolved:
        raise CorpusError("\n".join(unresolved) + "\nadopt the layers they refer to as well "
                          "(--layers), or merge (--merge); nothing was written")
    return new


def _fresh_id(prefix, taken):
    numbers = [int(m.group(1)) for i in taken if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", i))]
    n = max(numbers, default=0) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _provenance(old, data, user, doc_id, layers, merge, whole) -> dict:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    theirs = data["provenance"]
    previous = dict((old or {}).get("provenance") or {})
    history = list(previous.pop("history", []))
    if previous:
        history.append(previous)
    annotators = set(theirs.get("annotators") or [user])
    if not whole:
        annotators |= set(previous.get("annotators", []))
    how = "merged into" if merge else "replacing"
    what = "every layer" if set(layers) == set(LAYERS) else ", ".join(layers)
    note = f"adopted {what} from annotations/{doc_id}/annotators/{user}.json, {how} gold's"
    origin = theirs.get("doccano")
    if origin:
        note += f" (Doccano {_without_credentials(origin['server'])} project {origin['project']} " \
                f"user {origin['user']}, pulled {origin['pulled']})"
    if theirs.get("note"):   # how the adopted layer was made (an adjudicated layer names its log)
        note += f". The adopted file says: {theirs['note']}"
    provenance = {"annotators": sorted(annotators), "method": "adjudicated",
                  "created": previous.get("created", now), "modified": now, "note": note}
    guidelines = theirs.get("guidelines") or previous.get("guidelines")
    if guidelines:
        provenance["guidelines"] = guidelines
    if history:
        provenance["history"] = history
    return provenance


def _without_credentials(url: str) -> str:
    """A server URL without any user:password@ part (it never reaches a file)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl()


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
    if result["findings"]:
        lines.append(f"adopting despite {len(result['findings'])} lint finding"
                     f"{'s' if len(result['findings']) != 1 else ''}:")
        lines += [f"  {finding.format()}" for finding in result["findings"]]
    if result["written"]:
        lines.append(f"wrote {result['gold']}")
    else:
        lines.append(f"nothing written: run again with --yes to write {result['gold']}")
    return "\n".join(lines)


def _what(layer, item):
    if layer == "entities":
        return f" {item['label']}/{item['mention']}" + (f" -> {item['entity']}" if item["entity"] else "")
    if layer == "quotes":
        return f" {item['kind']}"
    return f" {item['category']}"
