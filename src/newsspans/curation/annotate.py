"""annotate: add a mention, quote or claim to an annotation file by its text, not its offsets.

The text is looked up in the latest version of the document (offsets are code points of
that version, as everywhere); a text found more than once needs `nth` (1 = the first).
Ids are the next free `m<N>`, `q<N>`, `c<N>` of the file. The whole file as it would be
is validated with the checks of `newsspans validate` before it is written, atomically:
a request that fails writes nothing.
"""

import re
from datetime import datetime, timezone

from newsspans.errors import AnnotateError, InvalidCorpus
from newsspans.model import labels
from newsspans.model.corpus import Corpus
from newsspans.store.layout import check_user_name
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.validation.checks import check_pending

_PREFIX = {"entities": "m", "quotes": "q", "claims": "c"}
# What makes two annotations the same (the guidelines' `duplicate` check).
_DUPLICATE_KEY = {"entities": ("start", "end", "label"), "quotes": ("start", "end", "speaker"),
                  "claims": ("start", "end", "claimant")}


def find(text: str, needle: str, nth=None, what="text", where="the text", within=None) -> tuple:
    """(start, end) of the `nth` (1-based) occurrence of `needle` in `text`; AnnotateError
    when it is not there, when `nth` is beyond the count, or when it occurs more than once
    and `nth` is not given. `within` (start, end) limits the search to that stretch."""
    if not needle or needle != needle.strip():
        raise AnnotateError(f"{what} {needle!r} is empty or starts or ends with white space")
    lo, hi = within or (0, len(text))
    found, at = [], text.find(needle, lo, hi)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1, hi)
    shown = ", ".join(f"{i + 1}: [{b}:{b + len(needle)}]" for i, b in enumerate(found[:10]))
    if not found:
        raise AnnotateError(f"{what} {needle!r} is not in {where}")
    if nth is None and len(found) > 1:
        raise AnnotateError(f"{what} {needle!r} occurs {len(found)} times in {where} ({shown}): "
                            f"choose one with --nth")
    if nth is not None and not 1 <= nth <= len(found):
        times = "once" if len(found) == 1 else f"{len(found)} times"
        raise AnnotateError(f"--nth {nth}, but {what} {needle!r} occurs {times} in {where} ({shown})")
    begin = found[(nth or 1) - 1]
    return begin, begin + len(needle)


def annotate(root, doc_id, layer, text, *, nth=None, annotator=None, by="curator", now=None,
             resolves=None, **fields) -> dict:
    """Add one annotation of `layer` ("entities", "quotes" or "claims") whose span is `text`.

    Fields: entities `label`, `mention` (NAM), `link`; quotes `kind` (direct), `speaker`,
    `cue` and `cue_nth` (the cue is looked for in the quote's paragraph first); claims
    `category`, `quote` (by default the innermost quote around the claim), `claimant` (by
    default that quote's speaker, or `@author` outside quotes) and `checkworthy`. Writes gold.json,
    or annotators/<annotator>.json. `resolves` names an orphan of the file (left by a
    revision) that the new annotation replaces: it is removed from `orphans`. Other orphans
    stay, and do not stop the file from being written. Returns {"file", "layer", "item"}.
    """
    corpus = Corpus.of(root)
    document = corpus.document(doc_id)
    layout = corpus.layout
    latest = document.latest
    path = layout.annotator_path(doc_id, check_user_name(annotator)) if annotator else layout.gold_path(doc_id)
    file = layout.rel(path)
    now = now or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = layout.read_json(path) if path.is_file() else _empty(doc_id, latest, annotator or by, now)
    if isinstance(data, dict) and data.get("version") != latest.number:
        raise AnnotateError(f"{file} is pinned to version {data.get('version')!r}, but {doc_id}'s latest "
                            f"is {latest.number}: re-anchor it first (newsspans revise)")
    where = f"{doc_id}@{latest.number}"
    start, end = find(latest.text, text, nth, where=where)
    item = {"id": _next_id(data, layer), "start": start, "end": end, "text": text}
    item.update(_FIELDS[layer](data, latest.text, start, end, where, corpus.registry, **fields))
    key = _DUPLICATE_KEY[layer]
    twin = next((x for x in data[layer] if all(x[k] == item[k] for k in key)), None)
    if twin is not None:
        raise AnnotateError(f"{file}: {twin['id']} has the same {', '.join(key)} "
                            f"([{start}:{end}] {text!r}); nothing was written")
    new = dict(data, **{layer: data[layer] + [item]})
    if resolves is not None:
        new["orphans"] = _resolve(data.get("orphans", []), resolves, layer, file)
        if not new["orphans"]:
            del new["orphans"]
    new["provenance"] = _provenance(data["provenance"], annotator or by, now)
    texts = {v.number: v.text for v in document.versions}
    problems = [p for p in check_pending(document.metadata, texts, file, new, corpus.registry)
                if not p.path.startswith("$.orphans[")]   # waiting for a person, not new
    if problems:
        raise InvalidCorpus(problems)
    atomic_write(path, dumps_json(new), root=layout.root)
    corpus.refresh()
    return {"file": file, "layer": layer, "item": item}


def _resolve(orphans, orphan_id, layer, file) -> list:
    """`orphans` without the one whose annotation is `orphan_id`; AnnotateError if none is."""
    left = [o for o in orphans if not (o["annotation"].get("id") == orphan_id and o["layer"] == layer)]
    if len(left) == len(orphans):
        known = ", ".join(f"{o['layer']} {o['annotation'].get('id')}" for o in orphans) or "none"
        raise AnnotateError(f"--resolves {orphan_id!r}: {file} has no orphaned {layer} annotation of "
                            f"that id (orphans: {known})")
    return left


def _empty(doc_id, latest, name, now) -> dict:
    return {"doc_id": doc_id, "version": latest.number, "sha256": latest.sha256,
            "provenance": {"annotators": [name], "method": "manual", "created": now, "modified": now},
            "entities": [], "quotes": [], "claims": []}


def _provenance(provenance, name, now) -> dict:
    new = dict(provenance, modified=now)
    new["annotators"] = sorted(set(provenance.get("annotators") or []) | {name})
    if provenance["method"] == "empty":
        new["method"] = "manual"
        if new.get("note") == "no annotations yet":
            del new["note"]
    return new


def _next_id(data, layer) -> str:
    prefix = _PREFIX[layer]
    taken = {item["id"] for name in labels.LAYERS for item in data[name]}
    numbers = [int(m.group(1)) for i in taken for m in [re.fullmatch(rf"{prefix}(\d+)", i)] if m]
    n = max(numbers, default=0) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _mention(data, text, start, end, where, registry, *, label, mention="NAM", link=None):
    if label not in labels.ENTITY_TYPES:
        raise AnnotateError(f"label {label!r} is not one of {', '.join(labels.ENTITY_TYPES)}")
    if link is not None and link not in registry:
        raise AnnotateError(f"--link {link!r} is not in annotations/entities.json: add it first "
                            f"(newsspans registry add {link} --name ... --type {label})")
    return {"label": label, "mention": mention, "entity": link}


def _quote(data, text, start, end, where, registry, *, kind="direct", speaker=None, cue=None, cue_nth=None):
    _check_mention(data, speaker, "--speaker")
    found = None
    if cue is not None:
        if cue_nth is None:
            # Said of this quote: the cue is looked for in the quote's paragraph first.
            para = (text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1)
            outside = [b for b in _all(text, cue, *para) if b + len(cue) <= start or b >= end]
            if len(outside) == 1:
                found = (outside[0], outside[0] + len(cue))
        if found is None:
            found = find(text, cue, cue_nth, what="cue", where=where)
    return {"kind": kind, "speaker": speaker,
            "cue": {"start": found[0], "end": found[1], "text": cue} if found else None}


def _claim(data, text, start, end, where, registry, *, category, claimant=None, quote=None,
           checkworthy=True):
    if category not in labels.CLAIM_CATEGORIES:
        raise AnnotateError(f"category {category!r} is not one of {', '.join(labels.CLAIM_CATEGORIES)}")
    if claimant not in (None, labels.AUTHOR_ID):
        _check_mention(data, claimant, "--claimant")
    quotes = {q["id"]: q for q in data["quotes"]}
    if quote is None:
        around = [q for q in data["quotes"] if q["start"] <= start and end <= q["end"]]
        if around:   # the guidelines (4.3): the innermost quote containing it
            quote = min(around, key=lambda q: (q["end"] - q["start"], q["id"]))["id"]
    elif quote not in quotes:
        known = ", ".join(sorted(quotes)) or "none"
        raise AnnotateError(f"--in-quote {quote!r} is not a quote of this file (quotes: {known})")
    if claimant is None:   # 4.3: the speaker of its quote, or the publication
        claimant = quotes[quote]["speaker"] if quote else labels.AUTHOR_ID
    return {"claimant": claimant, "quote": quote, "checkworthy": checkworthy, "category": category}


def _check_mention(data, ref, option):
    if ref is None:
        return
    mentions = {m["id"]: m for m in data["entities"]}
    if ref not in mentions:
        known = ", ".join(f"{i} {m['text']!r}" for i, m in list(mentions.items())[:20]) or "none"
        raise AnnotateError(f"{option} {ref!r} is not a mention of this file (mentions: {known})")


def _all(text, needle, lo, hi):
    found, at = [], text.find(needle, lo, hi)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1, hi)
    return found


_FIELDS = {"entities": _mention, "quotes": _quote, "claims": _claim}


def describe(result: dict) -> str:
    """One line saying what was added, where."""
    item, layer = result["item"], result["layer"]
    what = f"{item['id']} [{item['start']}:{item['end']}] {item['text']!r}"
    if layer == "entities":
        what += f" {item['label']}/{item['mention']}" + (f" -> {item['entity']}" if item["entity"] else "")
    elif layer == "quotes":
        what += f" {item['kind']} quote, speaker {item['speaker']}"
        if item["cue"]:
            what += f", cue [{item['cue']['start']}:{item['cue']['end']}] {item['cue']['text']!r}"
    else:
        what += (f" {item['category']} claim by {item['claimant']}"
                 + (f" in quote {item['quote']}" if item["quote"] else "")
                 + ("" if item["checkworthy"] else ", not check-worthy"))
    return f"added {what} to {result['file']}"
