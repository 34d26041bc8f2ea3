"""What a page shows: annotations with their names resolved, checked against the text.

A page draws gold on its own, or (for adjudication) one annotator's layers against gold:
each span is then agreed (both have it), missing (gold only) or extra (annotator only).
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from newsspans.errors import RenderError
from newsspans.model.labels import AUTHOR_ID, AUTHOR_NAME
from newsspans.model.annotations import AnnotationFile
from newsspans.model.labels import LAYERS

STATUSES = ("agreed", "missing", "extra")
UNATTRIBUTED = "(no speaker given)"
NO_CLAIMANT = "(no claimant given)"


@dataclass(frozen=True)
class Item:
    """One annotation as drawn: `key` is unique on the page, `who` the resolved name.

    `who` is the registry name of a mention's entity, a quote's speaker or a claim's
    claimant; `note` says how the annotator differs from gold on an agreed span.
    """

    key: str
    layer: str
    ann: object
    who: str
    status: Optional[str] = None
    note: str = ""

    @property
    def start(self):
        return self.ann.start

    @property
    def end(self):
        return self.ann.end


class _Resolver:
    """Names for one annotation file, and the checks that make them trustworthy."""

    def __init__(self, annotations: AnnotationFile, text: str, registry: dict, where: str):
        self.file = annotations
        self.registry = registry
        self.where = where
        self.mentions = annotations.mentions_by_id()
        self._check_spans(text)

    def _fail(self, path, message):
        raise RenderError(f"{self.where} {path}: {message}")

    def _check_spans(self, text):
        for layer in LAYERS:
            for i, ann in enumerate(getattr(self.file, layer)):
                self._check_span(text, f"$.{layer}[{i}]", ann)
                if layer == "quotes" and ann.cue is not None:
                    self._check_span(text, f"$.{layer}[{i}].cue", ann.cue)

    def _check_span(self, text, path, span):
        if not 0 <= span.start < span.end <= len(text):
            self._fail(path, f"span [{span.start}:{span.end}] does not fit the text "
                             f"(length {len(text)})")
        if text[span.start:span.end] != span.text:
            self._fail(path, f"text[{span.start}:{span.end}] is {text[span.start:span.end]!r}, "
                             f"the annotation says {span.text!r}")

    def entity_name(self, mention):
        entity = self.registry.get(mention.entity) if mention.entity else None
        return entity["name"] if entity else mention.text

    def _mention_name(self, path, mention_id):
        mention = self.mentions.get(mention_id)
        if mention is None:
            self._fail(path, f"refers to mention {mention_id!r}, which is not in this file")
        return self.entity_name(mention)

    def speaker(self, i, quote):
        if quote.speaker is None:
            return UNATTRIBUTED
        return self._mention_name(f"$.quotes[{i}].speaker", quote.speaker)

    def claimant(self, i, claim):
        if claim.claimant is None:
            return NO_CLAIMANT
        if claim.claimant == AUTHOR_ID:
            return AUTHOR_NAME
        return self._mention_name(f"$.claims[{i}].claimant", claim.claimant)

    def items(self, prefix=""):
        """Every annotation of the file as an Item, layer by layer, in file order."""
        out = [Item(prefix + m.id, "entities", m, self.entity_name(m)) for m in self.file.entities]
        out += [Item(prefix + q.id, "quotes", q, self.speaker(i, q)) for i, q in enumerate(self.file.quotes)]
        out += [Item(prefix + c.id, "claims", c, self.claimant(i, c)) for i, c in enumerate(self.file.claims)]
        return out


def gold_items(gold: AnnotationFile, text: str, registry: dict, where: str):
    """Gold's annotations, checked against `text`, names resolved."""
    return _Resolver(gold, text, registry, where).items()


def _match_key(item):
    ann = item.ann
    if item.layer == "entities":
        return (item.layer, ann.start, ann.end, ann.label)
    if item.layer == "quotes":
        return (item.layer, ann.start, ann.end, ann.kind)
    return (item.layer, ann.start, ann.end)


def _differences(gold, mine):
    """How an annotator's agreed span differs from gold in what the match key leaves out."""
    g, m = gold.ann, mine.ann
    diffs = []
    if gold.who != mine.who:
        role = {"entities": "entity", "quotes": "speaker", "claims": "claimant"}[gold.layer]
        diffs.append(f"{role}: {mine.who}")
    if gold.layer == "entities" and g.mention != m.mention:
        diffs.append(f"mention kind: {m.mention}")
    if gold.layer == "quotes" and g.cue != m.cue:
        diffs.append(f"cue: {m.cue.text if m.cue else 'none'}")
    if gold.layer == "claims":
        if g.category != m.category:
            diffs.append(f"category: {m.category}")
        if g.checkworthy != m.checkworthy:
            diffs.append(f"check-worthy: {'yes' if m.checkworthy else 'no'}")
    return "; ".join(diffs)


def compare_items(gold: AnnotationFile, mine: AnnotationFile, text: str, registry: dict,
                  gold_where: str, mine_where: str):
    """Gold against one annotator: agreed spans once, then missing and extra ones.

    Spans agree when layer, offsets and type (entity label, quote kind) are equal; other
    differences on an agreed span are kept in its `note`.
    """
    gold_list = _Resolver(gold, text, registry, gold_where).items("g:")
    mine_list = _Resolver(mine, text, registry, mine_where).items("u:")
    unmatched = defaultdict(list)
    for item in mine_list:
        unmatched[_match_key(item)].append(item)
    out = []
    for item in gold_list:
        candidates = unmatched[_match_key(item)]
        if candidates:
            theirs = candidates.pop(0)
            out.append(Item(item.key, item.layer, item.ann, item.who, "agreed", _differences(item, theirs)))
        else:
            out.append(Item(item.key, item.layer, item.ann, item.who, "missing"))
    for item in mine_list:
        if item in unmatched[_match_key(item)]:
            out.append(Item(item.key, item.layer, item.ann, item.who, "extra"))
    return out


def counts(items):
    """{layer: number of annotations}, and per status when the items have one."""
    result = {layer: 0 for layer in LAYERS}
    for item in items:
        result[item.layer] += 1
        if item.status:
            key = f"{item.layer}.{item.status}"
            result[key] = result.get(key, 0) + 1
    return result
