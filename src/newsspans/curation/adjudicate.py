"""adjudicate: the disagreements between two annotators' layers of one document, each decided
in a committed log, and the adjudicated layer made from them.

`annotations/<doc>/adjudication.jsonl` holds one JSON object per disagreement:

    {"layer": "claims",
     "versions": {"<annotator a>": item or null, "<annotator b>": item or null},
     "decision": "<annotator a>" | "<annotator b>" | "other",
     "result": item or null,     only with "other": the adjudicator's own version (null: none)
     "section": "4.5",           the section of annotations/GUIDELINES.md that decides it
                                 (several: "4.2, 4.5")
     "reason": "one line"}

An item is written without ids, so that it reads the same in both files: a speaker or a
claimant names its mention by span ({"start", "end", "text"}, or "@author"), a claim's
quote names the quote by span. Items that are the same on both sides are agreed; the
others are paired (same span, then largest overlap) into one disagreement per pair, and an
item with no counterpart is a disagreement on its own (the other version null).

`adjudicate` applies the log to the two layers and writes the adjudicated layer,
`annotations/<doc>/annotators/adjudicated.json` (beside the layers it reconciles, so that
`newsspans adopt --from adjudicated` promotes it; `agreement` does not count it as a
source). It refuses when a disagreement has no decision or a decision matches no
disagreement; `check` says whether the log still covers exactly the current disagreements
and the committed layer is what the log gives.
"""

import json
import re
from datetime import datetime, timezone

from newsspans.curation.agreement import ADJUDICATED
from newsspans.errors import CorpusError, InvalidCorpus, JsonError
from newsspans.model.corpus import Corpus
from newsspans.model.labels import AUTHOR_ID, LAYERS
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.validation.checks import check_pending
from newsspans.validation.problems import Problem

LOG = "adjudication.jsonl"
GUIDELINES = "annotations/GUIDELINES.md"
OTHER = "other"
_KEYS = {"layer", "versions", "decision", "result", "section", "reason"}
_PREFIX = {"entities": "m", "quotes": "q", "claims": "c"}


def log_path(corpus, doc_id):
    return corpus.layout.annotations_dir / doc_id / LOG


def logged_documents(root) -> list:
    """The documents that have a committed adjudication log."""
    corpus = Corpus.of(root)
    return [doc_id for doc_id in corpus.doc_ids if log_path(corpus, doc_id).is_file()]


def _ref(item):
    return None if item is None else {"start": item["start"], "end": item["end"], "text": item["text"]}


def portable(data: dict) -> dict:
    """{layer: [item, ...]} of an annotation file's layers, references written as spans."""
    mentions = {m["id"]: m for m in data["entities"]}
    quotes = {q["id"]: q for q in data["quotes"]}
    out = {"entities": [{k: m[k] for k in ("start", "end", "text", "label", "mention", "entity")}
                        for m in data["entities"]]}
    out["quotes"] = [{"start": q["start"], "end": q["end"], "text": q["text"], "kind": q["kind"],
                      "speaker": _ref(mentions.get(q["speaker"])), "cue": q["cue"]}
                     for q in data["quotes"]]
    out["claims"] = [{"start": c["start"], "end": c["end"], "text": c["text"], "category": c["category"],
                      "checkworthy": c["checkworthy"],
                      "claimant": c["claimant"] if c["claimant"] in (AUTHOR_ID, None)
                      else _ref(mentions.get(c["claimant"])),
                      "quote": _ref(quotes.get(c["quote"]))} for c in data["claims"]]
    return out


def _key(item) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _order(item):
    return (item["start"], -item["end"], _key(item))


def disagreements(layers_a: dict, layers_b: dict, a: str, b: str):
    """(agreed items by layer, [{"layer", "versions": {a: item|None, b: item|None}}, ...])."""
    agreed, found = {}, []
    for layer in LAYERS:
        rest_a, rest_b = list(layers_a[layer]), list(layers_b[layer])
        agreed[layer] = []
        for item in list(rest_a):
            if item in rest_b:
                rest_a.remove(item)
                rest_b.remove(item)
                agreed[layer].append(item)
        pairs = []
        for same_span in (True, False):
            candidates = sorted((-(min(x["end"], y["end"]) - max(x["start"], y["start"])), i, j)
                                for i, x in enumerate(rest_a) for j, y in enumerate(rest_b)
                                if ((x["start"], x["end"]) == (y["start"], y["end"]) if same_span
                                    else min(x["end"], y["end"]) > max(x["start"], y["start"])))
            used_a, used_b = set(), set()
            for _, i, j in candidates:
                if i not in used_a and j not in used_b:
                    used_a.add(i)
                    used_b.add(j)
                    pairs.append((rest_a[i], rest_b[j]))
            rest_a = [x for i, x in enumerate(rest_a) if i not in used_a]
            rest_b = [y for j, y in enumerate(rest_b) if j not in used_b]
        pairs += [(x, None) for x in rest_a] + [(None, y) for y in rest_b]
        for x, y in sorted(pairs, key=lambda p: _order(p[0] or p[1])):
            found.append({"layer": layer, "versions": {a: x, b: y}})
    return agreed, found


def _guidelines(corpus) -> str:
    path = corpus.layout.root / GUIDELINES
    return corpus.layout.read_text(path) if path.is_file() else ""


def _sections(corpus) -> set:
    """The numbered sections of the guidelines ("4", "4.2", ...)."""
    return set(re.findall(r"^#+ (\d+(?:\.\d+)*) ", _guidelines(corpus), re.M))


def guidelines_version(corpus) -> str:
    """"annotations/GUIDELINES.md, version N" from the guidelines' `Version N.` line."""
    found = re.search(r"^Version (\d+)\.", _guidelines(corpus), re.M)
    return f"{GUIDELINES}, version {found.group(1)}" if found else GUIDELINES


def read_log(corpus, doc_id, a, b) -> list:
    """The log's entries (line number kept); InvalidCorpus lists every malformed line."""
    path = log_path(corpus, doc_id)
    name = corpus.layout.rel(path)
    if not path.is_file():
        return []
    sections, entries, problems = _sections(corpus), [], []
    for number, line in enumerate(corpus.layout.read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, f"{where}: not JSON ({exc.msg}, column {exc.colno})"))
            continue
        problems += [Problem(name, f"{where}: {message}") for message in _entry_problems(entry, a, b, sections)]
        entries.append((number, entry))
    if problems:
        raise InvalidCorpus(problems)
    return entries


def _entry_problems(entry, a, b, sections) -> list:
    if not isinstance(entry, dict):
        return ["not a JSON object"]
    found = [f"unknown key {k!r}" for k in sorted(set(entry) - _KEYS)]
    found += [f"{k!r} is missing" for k in ("layer", "versions", "decision", "section", "reason") if k not in entry]
    if found:
        return found
    if entry["layer"] not in LAYERS:
        found.append(f"layer {entry['layer']!r} is not one of {', '.join(LAYERS)}")
    versions = entry["versions"]
    if not isinstance(versions, dict) or set(versions) != {a, b}:
        found.append(f"versions must name exactly the two annotators {a!r} and {b!r}")
    if entry["decision"] not in (a, b, OTHER):
        found.append(f"decision {entry['decision']!r} is neither {a!r}, {b!r} nor {OTHER!r}")
    elif (entry["decision"] == OTHER) != ("result" in entry):
        found.append("a decision 'other' gives its 'result' (an item, or null for none); the others do not")
    named = entry["section"].split(", ") if isinstance(entry["section"], str) else [None]
    if not all(section in sections for section in named):
        found.append(f"section {entry['section']!r} is not a numbered section of {GUIDELINES} "
                     f"(or several, separated by ', ')")
    reason = entry["reason"]
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason:
        found.append("reason must be one non-empty line")
    return found


def _resolve(items_by_layer, doc_id, version, sha256, provenance) -> dict:
    """The annotation file of the adjudicated items: ids in text order, references by span."""
    data = {"doc_id": doc_id, "version": version, "sha256": sha256, "provenance": provenance}
    ids, unresolved = {}, []
    for layer in LAYERS:
        items = sorted(items_by_layer[layer], key=_order)
        data[layer] = [{"id": f"{_PREFIX[layer]}{i}", **item} for i, item in enumerate(items, 1)]
        for item in data[layer]:
            ids.setdefault((layer, item["start"], item["end"]), []).append(item["id"])

    def lookup(layer, ref, owner):
        if ref is None or ref == AUTHOR_ID:
            return ref
        found = ids.get((layer, ref["start"], ref["end"]), [])
        if len(found) != 1:
            unresolved.append(f"{owner['id']} [{owner['start']}:{owner['end']}] refers to "
                              f"{ref['text']!r} [{ref['start']}:{ref['end']}]: "
                              f"{len(found)} adjudicated {layer} on that span")
            return None
        return found[0]

    for quote in data["quotes"]:
        quote["speaker"] = lookup("entities", quote["speaker"], quote)
    for claim in data["claims"]:
        claim["claimant"] = lookup("entities", claim["claimant"], claim)
        claim["quote"] = lookup("quotes", claim["quote"], claim)
    if unresolved:
        raise CorpusError("\n".join(unresolved) + "\na decision keeps a reference to an item the "
                          "adjudicated layer does not have; nothing was written")
    return data


def pair_of(document, between=None) -> tuple:
    """The two annotators to adjudicate: `between`, or the document's only two annotators."""
    names = sorted(n for n in document.annotators if n != ADJUDICATED)
    if between:
        pair = tuple(between)
        if len(pair) != 2 or pair[0] == pair[1]:
            raise CorpusError("adjudication is between two different annotators")
        for name in pair:
            document.check_annotator(name)
        return tuple(sorted(pair))
    if len(names) != 2:
        raise CorpusError(f"annotations/{document.id}/annotators/ has {len(names)} annotators "
                          f"({', '.join(names) or 'none'}): name the two to adjudicate")
    return tuple(names)


def adjudicate(root, doc_id, between=None, write=False) -> dict:
    """Apply the log to the two annotators' layers of `doc_id`; returns a summary with the
    adjudicated file ("data"). Refuses (CorpusError) when a disagreement is undecided or a
    decision matches none; writes annotators/adjudicated.json when `write`."""
    state = _state(root, doc_id, between)
    if state["undecided"] or state["unmatched"]:
        raise CorpusError(_refusal(state))
    corpus, data = state["corpus"], state["data"]
    path = corpus.layout.annotator_path(doc_id, ADJUDICATED)
    state["changed"] = _stale_file(corpus, path, data)
    if write and state["changed"]:
        atomic_write(path, dumps_json(data), root=corpus.layout.root)
        corpus.refresh()
    state["written"] = write and state["changed"]
    return state


def check(root, doc_id, between=None) -> list:
    """What is stale: undecided disagreements, decisions of none, an adjudicated layer that
    is missing or differs from what the log gives. Empty when everything is fresh."""
    state = _state(root, doc_id, between)
    if state["undecided"] or state["unmatched"]:
        return _refusal(state).splitlines()
    corpus = state["corpus"]
    path = corpus.layout.annotator_path(doc_id, ADJUDICATED)
    if _stale_file(corpus, path, state["data"]):
        return [f"{corpus.layout.rel(path)}: stale or missing (run: newsspans adjudicate --doc {doc_id} --yes)"]
    return []


def pending(root, doc_id, between=None) -> list:
    """The undecided disagreements as log entries to fill in (decision, section, reason null)."""
    state = _state(root, doc_id, between, build=False)
    return [dict(d, decision=None, section=None, reason=None) for d in state["undecided"]]


def _state(root, doc_id, between, build=True) -> dict:
    corpus = Corpus.of(root).require_valid()
    document = corpus.document(doc_id)
    a, b = pair_of(document, between)
    file_a, file_b = document.annotator(a), document.annotator(b)
    if (file_a.version, file_a.sha256) != (file_b.version, file_b.sha256):
        raise CorpusError(f"{a} is pinned to version {file_a.version} and {b} to {file_b.version}: "
                          f"adjudicate layers of the same version (newsspans revise re-anchors them)")
    agreed, found = disagreements(portable(file_a.asdict()), portable(file_b.asdict()), a, b)
    entries = read_log(corpus, doc_id, a, b)
    by_key = {}
    for number, entry in entries:
        by_key.setdefault((entry["layer"], _key(entry["versions"])), []).append((number, entry))
    undecided, decided, unmatched = [], [], []
    for disagreement in found:
        matches = by_key.pop((disagreement["layer"], _key(disagreement["versions"])), [])
        if not matches:
            undecided.append(disagreement)
        else:
            decided.append(matches[0][1])
            unmatched += [(n, "decides the same disagreement as an earlier line") for n, _ in matches[1:]]
    unmatched += [(n, "matches no disagreement between the two layers") for ms in by_key.values() for n, _ in ms]
    state = {"corpus": corpus, "doc_id": doc_id, "annotators": (a, b), "agreed": agreed,
             "disagreements": found, "undecided": undecided, "unmatched": sorted(unmatched),
             "decided": decided, "log": corpus.layout.rel(log_path(corpus, doc_id))}
    if build and not undecided and not unmatched:
        items = {layer: list(agreed[layer]) for layer in LAYERS}
        for entry in decided:
            chosen = entry["result"] if entry["decision"] == OTHER else entry["versions"][entry["decision"]]
            if chosen is not None:
                items[entry["layer"]].append(chosen)
        provenance = _provenance(state, file_a, file_b, guidelines_version(corpus))
        data = _resolve(items, doc_id, file_a.version, file_a.sha256, provenance)
        meta, texts = document.metadata, {v.number: v.text for v in document.versions}
        target = corpus.layout.rel(corpus.layout.annotator_path(doc_id, ADJUDICATED))
        problems = check_pending(meta, texts, target, data, corpus.registry)
        if problems:
            raise InvalidCorpus(problems)
        state["data"] = data
    return state


def _provenance(state, file_a, file_b, guidelines) -> dict:
    a, b = state["annotators"]
    counts = {name: sum(e["decision"] == name for e in state["decided"]) for name in (a, b, OTHER)}
    agreed = sum(len(items) for items in state["agreed"].values())
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"annotators": sorted({*file_a.provenance.get("annotators", [a]),
                                  *file_b.provenance.get("annotators", [b])}),
            "method": "adjudicated", "created": now, "modified": now, "guidelines": guidelines,
            "note": f"Adjudicated from annotations/{state['doc_id']}/annotators/{a}.json and {b}.json: "
                    f"{agreed} items agreed; {len(state['decided'])} disagreements decided in "
                    f"{state['log']} ({counts[a]} for {a}, {counts[b]} for {b}, {counts[OTHER]} other), "
                    f"each with the guideline section that decides it."}


def _comparable(data):
    """The file without its timestamps: re-running the same log changes nothing."""
    if not isinstance(data, dict) or not isinstance(data.get("provenance"), dict):
        return data
    provenance = {k: v for k, v in data["provenance"].items() if k not in ("created", "modified")}
    return {**data, "provenance": provenance}


def _stale_file(corpus, path, data) -> bool:
    if not path.is_file():
        return True
    try:
        current = corpus.layout.read_json(path)
    except JsonError:
        return True
    return _comparable(current) != _comparable(data)


def _refusal(state) -> str:
    lines = []
    for d in state["undecided"]:
        x, y = (d["versions"][name] for name in state["annotators"])
        where = x or y
        lines.append(f"undecided: {d['layer']} [{where['start']}:{where['end']}] {where['text']!r} "
                     f"({' vs '.join(_short(v) for v in (x, y))})")
    lines += [f"{state['log']} line {n}: {why}" for n, why in state["unmatched"]]
    lines.append(f"{len(state['undecided'])} undecided, {len(state['unmatched'])} decisions of nothing: "
                 f"every disagreement needs exactly one line in {state['log']} "
                 f"(newsspans adjudicate --doc {state['doc_id']} --pending lists them); nothing was written")
    return "\n".join(lines)


def _short(item) -> str:
    return "absent" if item is None else f"[{item['start']}:{item['end']}]"


def keep_gold_as(root, doc_id, user) -> str:
    """Write the current gold, one annotator's unadjudicated pass, as that annotator's layer,
    so that it can be adjudicated against another pass and compared after gold changes."""
    corpus = Corpus.of(root).require_valid()
    document = corpus.document(doc_id)
    gold = document.gold
    if gold is None:
        raise CorpusError(f"annotations/{doc_id}/gold.json: no gold to keep")
    provenance = gold.provenance
    if provenance.get("method") == "adjudicated" or provenance.get("annotators") != [user]:
        raise CorpusError(f"annotations/{doc_id}/gold.json is not {user}'s single pass (provenance: method "
                          f"{provenance.get('method')!r}, annotators {provenance.get('annotators')})")
    path = corpus.layout.annotator_path(doc_id, user)
    data = gold.asdict()
    if path.is_file():
        if corpus.layout.read_json(path) == data:
            return corpus.layout.rel(path)
        raise CorpusError(f"{corpus.layout.rel(path)} exists and differs from gold: not overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, dumps_json(data), root=corpus.layout.root)
    corpus.refresh()
    return corpus.layout.rel(path)
