"""Corpus -> export rows, one document version at a time.

Only gold annotations are exported (annotator layers are working material). The
`documents` config has one row per document version; a version carries annotations only
when the gold file is pinned to it, so an older version's row has empty layers.

Names resolve through the registry: `entity_name` of a mention, and `speaker_name` /
`claimant_name` through the speaker's or claimant's mention to its registry entity. The
author (publication) as claimant has `claimant_id` "@author", `claimant_entity_id` null
and `claimant_name` labels.AUTHOR_NAME.
"""

from dataclasses import dataclass
from typing import Optional

from newsspans.model import labels
from newsspans.model.corpus import Corpus
from newsspans.export.features import CATEGORY_INDEX, KIND_INDEX, LABEL_INDEX, MENTION_INDEX
from newsspans.model.annotations import AnnotationFile, Claim, Mention, Quote


@dataclass(frozen=True)
class DocumentVersion:
    """One version of one document, with the gold annotations pinned to it (or None)."""

    doc_id: str
    version: int
    split: str
    text: str
    text_sha256: str
    title: Optional[str]
    publisher: Optional[str]
    published: Optional[str]
    language: str
    gold: Optional[AnnotationFile]


def iter_versions(corpus):
    """Every document version of the corpus, documents sorted by id, versions ascending.

    Reads one document at a time, so memory does not grow with the corpus.
    """
    for doc in Corpus.of(corpus).documents():
        gold = doc.gold
        for v in doc.versions:
            yield DocumentVersion(
                doc_id=doc.id, version=v.number, split=doc.split, text=v.text, text_sha256=v.sha256,
                title=doc.title, publisher=doc.publisher, published=doc.published,
                language=doc.language,
                gold=gold if gold is not None and gold.version == v.number else None)


def is_annotated(dv: DocumentVersion) -> bool:
    """True when gold annotations exist for this version (an "empty" gold does not count)."""
    return dv.gold is not None and dv.gold.provenance.get("method") != "empty"


def _name(registry, entity_id):
    entity = registry.get(entity_id) if entity_id else None
    return entity["name"] if entity else None


def entity_row(m: Mention, registry: dict) -> dict:
    entity = registry.get(m.entity) if m.entity else None
    return {"id": m.id, "start": m.start, "end": m.end, "text": m.text,
            "label": LABEL_INDEX[m.label], "mention": MENTION_INDEX[m.mention],
            "entity_id": m.entity, "entity_name": entity["name"] if entity else None,
            "wikidata": entity.get("wikidata") if entity else None}


def quote_row(q: Quote, mentions: dict, registry: dict) -> dict:
    speaker = mentions.get(q.speaker) if q.speaker else None
    speaker_entity = speaker.entity if speaker else None
    cue = q.cue
    return {"id": q.id, "start": q.start, "end": q.end, "text": q.text,
            "kind": KIND_INDEX[q.kind], "speaker_id": q.speaker,
            "speaker_entity_id": speaker_entity, "speaker_name": _name(registry, speaker_entity),
            "cue_start": cue.start if cue else None, "cue_end": cue.end if cue else None,
            "cue_text": cue.text if cue else None}


def claim_row(c: Claim, mentions: dict, registry: dict) -> dict:
    if c.claimant == labels.AUTHOR_ID:
        claimant_entity, claimant_name = None, labels.AUTHOR_NAME
    else:
        claimant = mentions.get(c.claimant) if c.claimant else None
        claimant_entity = claimant.entity if claimant else None
        claimant_name = _name(registry, claimant_entity)
    return {"id": c.id, "start": c.start, "end": c.end, "text": c.text,
            "claimant_id": c.claimant, "claimant_entity_id": claimant_entity,
            "claimant_name": claimant_name, "quote_id": c.quote,
            "checkworthy": c.checkworthy, "category": CATEGORY_INDEX[c.category]}


def layer_rows(dv: DocumentVersion, registry: dict) -> dict:
    """The rows of each layer of `dv` (without doc_id and version); empty without gold."""
    if dv.gold is None:
        return {"entities": [], "quotes": [], "claims": []}
    mentions = dv.gold.mentions_by_id()
    return {"entities": [entity_row(m, registry) for m in dv.gold.entities],
            "quotes": [quote_row(q, mentions, registry) for q in dv.gold.quotes],
            "claims": [claim_row(c, mentions, registry) for c in dv.gold.claims]}


def document_row(dv: DocumentVersion, layers: dict) -> dict:
    return {"doc_id": dv.doc_id, "version": dv.version, "text": dv.text,
            "text_sha256": dv.text_sha256, "title": dv.title, "publisher": dv.publisher,
            "published": dv.published, "language": dv.language, **layers}
