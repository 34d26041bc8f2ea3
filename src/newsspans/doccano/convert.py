"""Annotation files <-> Doccano spans, relations and comment directives (see scheme.py).

Both directions work on plain dicts shaped like Doccano's JSONL (`entities` with
`start_offset`/`end_offset` in UTF-16 code units, `relations` with `from_id`/`to_id`/`type`)
so the same code serves the bulk import, the export and the REST API.
"""

from newsspans.model.labels import AUTHOR_ID
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
    """Collects one user's layers for one example, and every problem on the way."""

    def __init__(self, text, gold):
        self.text, self.index = text, Utf16Index(text)
        self.gold = gold
        self.problems, self.notes = [], []
        self.spans = {}  # Doccano span id -> (layer, start, end, attributes)

    def read_span(self, span):
        sid, label = span["id"], span["label"]
        s16, e16 = span["start_offset"], span["end_offset"]
        where = f"span {label!r} [{s16}:{e16}] (UTF-16)"
        try:
            layer, attrs = scheme.parse_label(label)
        except ValueError as exc:
            self.problems.append(f"{where}: {exc}")
            return
        try:
            start, end = self.index.to_codepoint(s16), self.index.to_codepoint(e16)
        except ValueError as exc:
            self.problems.append(f"{where}: {exc}")
            return
        if not start < end:
            self.problems.append(f"{where}: empty or reversed span")
            return
        piece = self.text[start:end]
        trimmed = piece.strip()
        if not trimmed:
            self.problems.append(f"{where}: covers only white space")
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
            directives += [dict(d, line=f"comment {number} line {d['line']}") for d in found]
            self.problems += [f"comment {number}: {p}" for p in problems]
        roles = self._relations(relations)
        return self._layers(roles, directives)

    def _relations(self, relations):
        """{(role, source span id): target span id}, one target per role and source."""
        wanted = {"speaker": ("quotes", "entities"), "cue": ("quotes", "cue"),
                  "claimant": ("claims", "entities"), "in_quote": ("claims", "quotes")}
        roles = {}
        for rel in relations:
            kind, a, b = rel["type"], rel["from_id"], rel["to_id"]
            if kind not in wanted:
                self.problems.append(f"relation {kind!r}: unknown relation type")
                continue
            if a not in self.spans or b not in self.spans:
                continue  # a span already reported as a problem
            source_layer, target_layer = wanted[kind]
            layers = (self.spans[a][0], self.spans[b][0])
            if layers == (target_layer, source_layer):
                a, b = b, a
            elif layers != (source_layer, target_layer):
                self.problems.append(f"relation {kind!r} joins a {layers[0]} span "
                                     f"{self._where(a)} and a {layers[1]} span {self._where(b)}; "
                                     f"it must join {source_layer} and {target_layer}")
                continue
            if (kind, a) in roles and roles[(kind, a)] != b:
                self.problems.append(f"{self._where(a)} has two {kind!r} relations "
                                     f"({self._where(roles[(kind, a)])} and {self._where(b)})")
                continue
            roles[(kind, a)] = b
        return roles

    def _where(self, sid):
        _, start, end, _ = self.spans[sid]
        return f"[{start}:{end}] {self.text[start:end]!r}"

    def _layers(self, roles, directives):
        ids = _IdAssigner(self.gold)
        sids = sorted(self.spans, key=lambda s: (self.spans[s][1], self.spans[s][2], s))
        by_layer = {layer: [s for s in sids if self.spans[s][0] == layer]
                    for layer in ("entities", "quotes", "claims", "cue")}
        links = self._links(by_layer["entities"], directives)
        authors = self._authors(by_layer["claims"], directives)
        mention_ids, quote_ids = {}, {}
        entities, quotes, claims = [], [], []
        for sid in by_layer["entities"]:
            _, start, end, attrs = self.spans[sid]
            entity = links.get(sid, ids.gold_link(start, end, attrs))
            m = Mention(ids.take("entities", start, end, attrs), start, end, self.text[start:end],
                        attrs["label"], attrs["mention"], entity)
            mention_ids[sid] = m.id
            entities.append(m)
        used_cues = set()
        for sid in by_layer["quotes"]:
            _, start, end, attrs = self.spans[sid]
            cue = None
            if ("cue", sid) in roles:
                cue_sid = roles[("cue", sid)]
                used_cues.add(cue_sid)
                _, cs, ce, _ = self.spans[cue_sid]
                cue = Cue(cs, ce, self.text[cs:ce])
            speaker = mention_ids.get(roles.get(("speaker", sid)))
            q = Quote(ids.take("quotes", start, end, attrs), start, end, self.text[start:end],
                      attrs["kind"], speaker, cue)
            quote_ids[sid] = q.id
            quotes.append(q)
        for sid in by_layer["cue"]:
            if sid not in used_cues:
                self.problems.append(f"CUE span {self._where(sid)} belongs to no quote "
                                     f"(draw a `cue` relation from its quote)")
        for sid in by_layer["claims"]:
            _, start, end, attrs = self.spans[sid]
            claimant = mention_ids.get(roles.get(("claimant", sid)))
            if sid in authors:
                if claimant is not None:
                    self.problems.append(f"claim {self._where(sid)} has a claimant relation and "
                                         f"an `author` comment line; keep one")
                claimant = AUTHOR_ID
            claims.append(Claim(ids.take("claims", start, end, attrs), start, end,
                                self.text[start:end], claimant, quote_ids.get(roles.get(("in_quote", sid))),
                                attrs["checkworthy"], attrs["category"]))
        return {"entities": tuple(entities), "quotes": tuple(quotes), "claims": tuple(claims)}

    def _targets(self, sids, directive, what):
        if "start" in directive:
            hits = [s for s in sids if self.spans[s][1:3] == (directive["start"], directive["end"])]
            if "nth" in directive:
                hits = hits[directive["nth"] - 1:directive["nth"]]
        else:
            hits = [s for s in sids if self.text[self.spans[s][1]:self.spans[s][2]] == directive["text"]]
        if not hits:
            target = (f"@{directive['start']}:{directive['end']}" + (f"#{directive['nth']}" if "nth" in directive
                                                                       else "")
                      if "start" in directive else repr(directive["text"]))
            self.problems.append(f"{directive['line']}: no {what} {target} to "
                                 f"apply `{directive['kind']}` to")
        return hits

    def _links(self, mention_sids, directives):
        links = {}
        # Offsets are more specific than text: apply text lines first, offsets override.
        for directive in sorted((d for d in directives if d["kind"] == "link"), key=lambda d: "start" in d):
            for sid in self._targets(mention_sids, directive, "mention"):
                links[sid] = directive["entity"]
        return links

    def _authors(self, claim_sids, directives):
        found = set()
        for directive in directives:
            if directive["kind"] == "author":
                found.update(self._targets(claim_sids, directive, "claim"))
        return found


class _IdAssigner:
    """Gold's id for an annotation gold also has (same layer, offsets, labels); else new."""

    def __init__(self, gold):
        self.gold_ids, self.links, self.used = {}, {}, set()
        if gold is not None:
            for layer in ID_PREFIX:
                for item in getattr(gold, layer):
                    self.gold_ids.setdefault((layer, item.start, item.end, _key(layer, item)), []).append(item.id)
            for m in gold.entities:
                self.links.setdefault((m.start, m.end, m.label), m.entity)
            self.reserved = {item.id for layer in ID_PREFIX for item in getattr(gold, layer)}
        else:
            self.reserved = set()
        self.counters = dict.fromkeys(ID_PREFIX, 0)

    def gold_link(self, start, end, attrs):
        return self.links.get((start, end, attrs["label"]))

    def take(self, layer, start, end, attrs):
        key = tuple(sorted(attrs.items())) if layer != "claims" else (attrs["category"],)
        for gold_id in self.gold_ids.get((layer, start, end, key), ()):
            if gold_id not in self.used:
                self.used.add(gold_id)
                return gold_id
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


def from_doccano(text, spans, relations, comments, gold=None):
    """(layers, problems, notes) of one user's Doccano annotations of one example.

    `layers` maps entities/quotes/claims to tuples of Mention/Quote/Claim with code-point
    offsets; `problems` lists what cannot be carried over faithfully (the caller must not
    write the file then); `notes` lists harmless repairs (trimmed white space).
    """
    reader = _Reader(text, gold)
    layers = reader.build(spans, relations, comments)
    return layers, reader.problems, reader.notes
