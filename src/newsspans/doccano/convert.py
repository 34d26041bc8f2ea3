"""Annotation files <-> Doccano spans, relations and comment directives (see scheme.py).

Both directions work on plain dicts shaped like Doccano's JSONL (`entities` with
`start_offset`/`end_offset` in UTF-16 code units, `relations` with `from_id`/`to_id`/`type`)
so the same code serves the bulk import, the export and the REST API.
"""

from dataclasses import dataclass

from newsspans.model.labels import AUTHOR_ID, VALUE_TYPES
from newsspans.model.annotations import AnnotationFile, Claim, Cue, Mention, Quote
from newsspans.doccano import scheme
from newsspans.doccano.offsets import Utf16Index

ID_PREFIX = {"entities": "m", "quotes": "q", "claims": "c"}


def to_doccano(annotations: AnnotationFile, text: str) -> dict:
    """Doccano records of one annotation file: {"entities", "relations", "comment"}."""
    index = Utf16Index(text)
    spans, relations, lines = [], [], []
    span_ids = {}

    def add_span(key, start, end, label):
        if key not in span_ids:
            span_ids[key] = len(spans) + 1
            spans.append({"id": span_ids[key], "start_offset": index.to_utf16(start),
                          "end_offset": index.to_utf16(end), "label": label})
        return span_ids[key]

    def relate(source, target, kind):
        relations.append({"id": len(relations) + 1, "from_id": source, "to_id": target, "type": kind})

    nth = _ordinals(annotations.entities) | _ordinals(annotations.claims)
    for m in annotations.entities:
        add_span(("m", m.id), m.start, m.end, scheme.mention_label(m.label, m.mention))
        if m.entity is not None:
            lines.append(scheme.link_line(m.entity, m.start, m.end, nth[m.id]))
    for q in annotations.quotes:
        qid = add_span(("q", q.id), q.start, q.end, scheme.quote_label(q.kind))
        if q.speaker is not None:
            relate(qid, span_ids[("m", q.speaker)], "speaker")
        if q.cue is not None:
            # Two quotes sharing one cue ("..., he said, ...") share one CUE span.
            relate(qid, add_span(("cue", q.cue.start, q.cue.end), q.cue.start, q.cue.end,
                                 scheme.CUE_LABEL), "cue")
    for c in annotations.claims:
        cid = add_span(("c", c.id), c.start, c.end, scheme.claim_label(c.category, c.checkworthy))
        if c.claimant == AUTHOR_ID:
            lines.append(scheme.author_line(c.start, c.end, nth[c.id]))
        elif c.claimant is not None:
            relate(cid, span_ids[("m", c.claimant)], "claimant")
        if c.quote is not None:
            relate(cid, span_ids[("q", c.quote)], "in_quote")
    return {"entities": spans, "relations": relations, "comment": "\n".join(lines)}


def _ordinals(items):
    """{id: n} for items sharing their offsets with another (n-th in file order), else None.

    Doccano numbers the imported spans in this same order, so `#n` finds the span again.
    """
    groups = {}
    for item in items:
        groups.setdefault((item.start, item.end), []).append(item.id)
    return {i: (n + 1 if len(ids) > 1 else None) for ids in groups.values() for n, i in enumerate(ids)}


class _Reader:
    """Collects one user's layers for one example; what cannot be read is rejected, kept."""

    def __init__(self, text, gold, base):
        self.text, self.index = text, Utf16Index(text)
        self.gold, self.base = gold, base
        self.rejected, self.notes = [], []
        self.spans = {}    # Doccano span id -> (layer, start, end, attributes)
        self.raw = {}      # Doccano span id -> the span as Doccano sent it
        self.origins = {}  # (layer, id) or (layer, id, field) -> what Doccano sent for it

    def reject(self, kind, reason, doccano, **where):
        entry = {"kind": kind, "reason": reason, "doccano": doccano}
        if where:
            entry["annotation"] = where
        self.rejected.append(entry)

    def read_span(self, span):
        sid, label = span["id"], span["label"]
        s16, e16 = span["start_offset"], span["end_offset"]
        where = f"span {label!r} [{s16}:{e16}] (UTF-16)"
        if sid in self.raw:
            self.reject("span", f"{where}: a second span with id {sid}", span)
            return
        self.raw[sid] = span
        try:
            start, end = self.index.to_codepoint(s16), self.index.to_codepoint(e16)
        except ValueError as exc:
            self.reject("span", f"{where}: {exc}", span)
            return
        located = {"start": start, "end": end, "text": self.text[start:end]} if start < end else {}
        try:
            layer, attrs = scheme.parse_label(label)
        except ValueError as exc:
            self.reject("span", f"{where}: {exc}", span, **located)
            return
        if not start < end:
            self.reject("span", f"{where}: empty or reversed span", span)
            return
        piece = located["text"]
        trimmed = piece.strip()
        if not trimmed:
            self.reject("span", f"{where}: covers only white space", span, **located)
            return
        if trimmed != piece:
            # Selections in the browser often take a neighbouring space along.
            start += len(piece) - len(piece.lstrip())
            end = start + len(trimmed)
            self.notes.append(f"{where}: trimmed white space -> [{start}:{end}]")
        self.spans[sid] = (layer, start, end, attrs)

    def build(self, spans, relations, comments):
        for span in spans:
            self.read_span(span)
        directives = []
        for number, comment in enumerate(comments, 1):
            found, problems = scheme.parse_directives(comment)
            directives += [dict(d, line=f"comment {number} line {d['line']}",
                                doccano={"comment": number, "line": comment.splitlines()[d["line"] - 1]})
                           for d in found]
            for problem in problems:
                # scheme.parse_directives names the line as "line <n> ...".
                line = comment.splitlines()[int(problem.split(None, 2)[1]) - 1]
                self.reject("directive", f"comment {number}: {problem}", {"comment": number, "line": line})
        roles = self._relations(relations)
        return self._layers(roles, directives)

    def _relations(self, relations):
        """{(role, source span id): (target span id, relation)}, one target per role and source."""
        wanted = {"speaker": ("quotes", "entities"), "cue": ("quotes", "cue"),
                  "claimant": ("claims", "entities"), "in_quote": ("claims", "quotes")}
        roles = {}
        for rel in relations:
            kind, a, b = rel["type"], rel["from_id"], rel["to_id"]
            if kind not in wanted:
                self.reject("relation", f"relation {kind!r}: unknown relation type", rel)
                continue
            if a not in self.spans or b not in self.spans:
                missing = a if a not in self.spans else b
                why = "was rejected" if missing in self.raw else "does not exist"
                self.reject("relation", f"relation {kind!r}: its span {missing} {why}", rel)
                continue
            source_layer, target_layer = wanted[kind]
            layers = (self.spans[a][0], self.spans[b][0])
            if layers == (target_layer, source_layer):
                a, b = b, a
            elif layers != (source_layer, target_layer):
                self.reject("relation", f"relation {kind!r} joins a {layers[0]} span "
                                        f"{self._where(a)} and a {layers[1]} span {self._where(b)}; "
                                        f"it must join {source_layer} and {target_layer}", rel)
                continue
            if (kind, a) in roles and roles[(kind, a)][0] != b:
                self.reject("relation", f"{self._where(a)} has two {kind!r} relations "
                                        f"({self._where(roles[(kind, a)][0])} and {self._where(b)}); "
                                        f"the first is kept", rel)
                continue
            roles.setdefault((kind, a), (b, rel))
        return roles

    def _where(self, sid):
        _, start, end, _ = self.spans[sid]
        return f"[{start}:{end}] {self.text[start:end]!r}"

    def _role(self, roles, kind, sid, layer, item_id, field, ids):
        found = roles.get((kind, sid))
        if found is None:
            return None
        self.origins[(layer, item_id, field)] = found[1]
        return ids.get(found[0])

    def _layers(self, roles, directives):
        ids = _IdAssigner(self.gold)
        inherited = _Inherited(self.base)
        sids = sorted(self.spans, key=lambda s: (self.spans[s][1], self.spans[s][2], s))
        by_layer = {layer: [s for s in sids if self.spans[s][0] == layer]
                    for layer in ("entities", "quotes", "claims", "cue")}
        links = self._links(by_layer["entities"], directives)
        authors = self._authors(by_layer["claims"], directives)
        mention_ids, quote_ids = {}, {}
        entities, quotes, claims = [], [], []
        for sid in by_layer["entities"]:
            _, start, end, attrs = self.spans[sid]
            mid = ids.take("entities", start, end, attrs)
            if sid in links:
                entity, self.origins[("entities", mid, "entity")] = links[sid]
            else:
                entity = inherited.link(start, end, attrs["label"])
            m = Mention(mid, start, end, self.text[start:end], attrs["label"], attrs["mention"], entity)
            self.origins[("entities", m.id)] = self.raw[sid]
            mention_ids[sid] = m.id
            entities.append(m)
        used_cues = set()
        for sid in by_layer["quotes"]:
            _, start, end, attrs = self.spans[sid]
            qid = ids.take("quotes", start, end, attrs)
            cue = None
            if ("cue", sid) in roles:
                cue_sid, relation = roles[("cue", sid)]
                used_cues.add(cue_sid)
                _, cs, ce, _ = self.spans[cue_sid]
                cue = Cue(cs, ce, self.text[cs:ce])
                self.origins[("quotes", qid, "cue")] = {"span": self.raw[cue_sid], "relation": relation}
            speaker = self._role(roles, "speaker", sid, "quotes", qid, "speaker", mention_ids)
            q = Quote(qid, start, end, self.text[start:end], attrs["kind"], speaker, cue)
            self.origins[("quotes", q.id)] = self.raw[sid]
            quote_ids[sid] = q.id
            quotes.append(q)
        for sid in by_layer["cue"]:
            if sid not in used_cues:
                _, start, end, _ = self.spans[sid]
                self.reject("span", f"CUE span {self._where(sid)} belongs to no quote "
                                    f"(draw a `cue` relation from its quote)", self.raw[sid],
                            start=start, end=end, text=self.text[start:end])
        for sid in by_layer["claims"]:
            _, start, end, attrs = self.spans[sid]
            cid = ids.take("claims", start, end, attrs)
            claimant = self._role(roles, "claimant", sid, "claims", cid, "claimant", mention_ids)
            if sid in authors:
                if claimant is not None:
                    self.reject("directive", f"{authors[sid]['line']}: claim {self._where(sid)} has a "
                                             f"claimant relation too; the relation is kept",
                                authors[sid]["doccano"])
                else:
                    claimant = AUTHOR_ID
                    self.origins[("claims", cid, "claimant")] = authors[sid]["doccano"]
            elif claimant is None and ("claimant", sid) not in roles:
                claimant = inherited.author(start, end, attrs["category"])
            in_quote = self._role(roles, "in_quote", sid, "claims", cid, "quote", quote_ids)
            claims.append(Claim(cid, start, end, self.text[start:end], claimant, in_quote,
                                attrs["checkworthy"], attrs["category"]))
            self.origins[("claims", cid)] = self.raw[sid]
        return {"entities": tuple(entities), "quotes": tuple(quotes), "claims": tuple(claims)}

    def _targets(self, sids, directive, what):
        if "start" in directive:
            hits = [s for s in sids if self.spans[s][1:3] == (directive["start"], directive["end"])]
            if "nth" in directive:
                hits = hits[directive["nth"] - 1:directive["nth"]]
        elif "occurrence" in directive:
            at = occurrence(self.text, directive["text"], directive["occurrence"])
            hits = [s for s in sids if at is not None and self.spans[s][1:3] == at]
        else:
            hits = [s for s in sids if self.text[self.spans[s][1]:self.spans[s][2]] == directive["text"]]
        if not hits:
            if "start" in directive:
                target = f"@{directive['start']}:{directive['end']}" + \
                    (f"#{directive['nth']}" if "nth" in directive else "")
            elif "occurrence" in directive:
                count = occurrences(self.text, directive["text"])
                target = (f"at occurrence {directive['occurrence']} of {directive['text']!r}"
                          + (f" (the text occurs {count} time{'s' if count != 1 else ''})"
                             if count < directive["occurrence"] else ""))
            else:
                target = repr(directive["text"])
            self.reject("directive", f"{directive['line']}: no {what} {target} to "
                                     f"apply `{directive['kind']}` to", directive["doccano"])
        return hits

    def _links(self, mention_sids, directives):
        links = {}
        # The more specific line wins: text lines first, then `#k` lines, then offsets.
        for directive in sorted((d for d in directives if d["kind"] == "link"),
                                key=lambda d: 2 if "start" in d else 1 if "occurrence" in d else 0):
            for sid in self._targets(mention_sids, directive, "mention"):
                links[sid] = (directive["entity"], directive["doccano"])
        return links

    def _authors(self, claim_sids, directives):
        found = {}
        for directive in directives:
            if directive["kind"] == "author":
                found.update(dict.fromkeys(self._targets(claim_sids, directive, "claim"), directive))
        return found


class _Inherited:
    """The links and author claimants of the layer a user started from (see ledger.py).

    A mention at the same offsets keeps the link even when relabelled (ORG for a GPE
    name): the disagreement with the registry is then a finding on that mention.
    """

    def __init__(self, base):
        self.links, self.by_span, self.authors = {}, {}, set()
        for m in base.entities if base is not None else ():
            if m.entity is not None:
                self.links.setdefault((m.start, m.end, m.label), []).append(m.entity)
                self.by_span.setdefault((m.start, m.end), m.entity)
        for c in base.claims if base is not None else ():
            if c.claimant == AUTHOR_ID:
                self.authors.add((c.start, c.end, c.category))

    def link(self, start, end, label):
        if label in VALUE_TYPES:
            return None
        same = self.links.get((start, end, label))
        if same:
            # Two mentions on one span (a rare but valid case) take the links in order.
            return same.pop(0) if len(same) > 1 else same[0]
        return self.by_span.get((start, end))

    def author(self, start, end, category):
        return AUTHOR_ID if (start, end, category) in self.authors else None


class _IdAssigner:
    """Gold's id for an annotation gold also has (same layer, offsets, labels); else new."""

    def __init__(self, gold):
        self.gold_ids, self.used = {}, set()
        if gold is not None:
            for layer in ID_PREFIX:
                for item in getattr(gold, layer):
                    self.gold_ids.setdefault((layer, item.start, item.end, _key(layer, item)), []).append(item.id)
            self.reserved = {item.id for layer in ID_PREFIX for item in getattr(gold, layer)}
        else:
            self.reserved = set()
        self.counters = dict.fromkeys(ID_PREFIX, 0)

    def take(self, layer, start, end, attrs):
        if layer == "entities":
            key = (("label", attrs["label"]), ("mention", attrs["mention"]))
        else:
            key = (("kind", attrs["kind"]),) if layer == "quotes" else (attrs["category"],)
        for gold_id in self.gold_ids.get((layer, start, end, key), ()):
            if gold_id not in self.used:
                self.used.add(gold_id)
                return gold_id
        return self._new(layer)

    def _new(self, layer):
        while True:
            self.counters[layer] += 1
            new = f"{ID_PREFIX[layer]}{self.counters[layer]}"
            if new not in self.reserved and new not in self.used:
                self.used.add(new)
                return new


def _key(layer, item):
    if layer == "entities":
        return (("label", item.label), ("mention", item.mention))
    if layer == "quotes":
        return (("kind", item.kind),)
    return (item.category,)


@dataclass
class Converted:
    """One user's Doccano annotations of one example, read.

    `layers` maps entities/quotes/claims to tuples of Mention/Quote/Claim with code-point
    offsets; `rejected` lists what could not be read (each a dict with kind, reason, what
    Doccano sent, and the offsets when known), kept so that nothing is lost; `notes` lists
    harmless repairs (trimmed white space); `origins` maps (layer, id) and
    (layer, id, field) to what Doccano sent for that annotation or reference.
    """

    layers: dict
    rejected: list
    notes: list
    origins: dict


def from_doccano(text, spans, relations, comments, gold=None, base=None) -> Converted:
    """Read one user's spans, relations and comments of one example (see `Converted`).

    `gold` lends its ids to annotations it also has, so adopt reports real changes; `base`
    (the layer this user started from, if any) lends its registry links and author
    claimants, which Doccano cannot hold.
    """
    reader = _Reader(text, gold, base)
    layers = reader.build(spans, relations, comments)
    return Converted(layers, reader.rejected, reader.notes, reader.origins)


def occurrences(text: str, piece: str) -> int:
    """How many times `piece` occurs in `text`, counted as a browser's find counts them
    (left to right, no overlaps)."""
    return text.count(piece) if piece else 0


def occurrence(text: str, piece: str, k: int):
    """(start, end) of the k-th occurrence of `piece` in `text` (1-based, no overlaps), or None."""
    at = -len(piece)
    for _ in range(k):
        at = text.find(piece, at + len(piece))
        if at < 0:
            return None
    return (at, at + len(piece))
