"""Annotations as frozen value objects, and their dict (JSON) forms.

`X.fromdict(x.asdict()) == x` for every class here: the files are the objects.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    text: str

    def asdict(self):
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def fromdict(cls, d):
        return cls(d["start"], d["end"], d["text"])


@dataclass(frozen=True)
class Mention:
    id: str
    start: int
    end: int
    text: str
    label: str
    mention: str
    entity: Optional[str] = None

    def asdict(self):
        return {"id": self.id, "start": self.start, "end": self.end, "text": self.text,
                "label": self.label, "mention": self.mention, "entity": self.entity}

    @classmethod
    def fromdict(cls, d):
        return cls(d["id"], d["start"], d["end"], d["text"], d["label"], d["mention"],
                   d.get("entity"))


@dataclass(frozen=True)
class Quote:
    id: str
    start: int
    end: int
    text: str
    kind: str
    speaker: Optional[str] = None
    cue: Optional[Cue] = None

    def asdict(self):
        return {"id": self.id, "start": self.start, "end": self.end, "text": self.text,
                "kind": self.kind, "speaker": self.speaker,
                "cue": self.cue.asdict() if self.cue else None}

    @classmethod
    def fromdict(cls, d):
        cue = d.get("cue")
        return cls(d["id"], d["start"], d["end"], d["text"], d["kind"], d.get("speaker"),
                   Cue.fromdict(cue) if cue else None)


@dataclass(frozen=True)
class Claim:
    id: str
    start: int
    end: int
    text: str
    claimant: Optional[str] = None
    quote: Optional[str] = None
    checkworthy: bool = True
    category: str = "event"

    def asdict(self):
        return {"id": self.id, "start": self.start, "end": self.end, "text": self.text,
                "claimant": self.claimant, "quote": self.quote,
                "checkworthy": self.checkworthy, "category": self.category}

    @classmethod
    def fromdict(cls, d):
        return cls(d["id"], d["start"], d["end"], d["text"], d.get("claimant"),
                   d.get("quote"), d["checkworthy"], d["category"])


LAYER_TYPES = {"entities": Mention, "quotes": Quote, "claims": Claim}


@dataclass(frozen=True)
class AnnotationFile:
    """One annotation layer set (gold or one annotator's) pinned to one document version."""

    doc_id: str
    version: int
    sha256: str
    provenance: dict = field(hash=False, compare=True)
    entities: tuple = ()
    quotes: tuple = ()
    claims: tuple = ()
    orphans: tuple = ()

    def asdict(self):
        d = {"doc_id": self.doc_id, "version": self.version, "sha256": self.sha256,
             "provenance": dict(self.provenance),
             "entities": [m.asdict() for m in self.entities],
             "quotes": [q.asdict() for q in self.quotes],
             "claims": [c.asdict() for c in self.claims]}
        if self.orphans:
            d["orphans"] = [dict(o) for o in self.orphans]
        return d

    @classmethod
    def fromdict(cls, d):
        return cls(d["doc_id"], d["version"], d["sha256"], dict(d["provenance"]),
                   tuple(Mention.fromdict(x) for x in d["entities"]),
                   tuple(Quote.fromdict(x) for x in d["quotes"]),
                   tuple(Claim.fromdict(x) for x in d["claims"]),
                   tuple(d.get("orphans", ())))

    def mentions_by_id(self):
        return self._mentions

    @cached_property
    def _mentions(self) -> dict:
        return {m.id: m for m in self.entities}

    def speaker(self, quote: "Quote") -> Optional[Mention]:
        """The mention that speaks `quote` (resolved once per file), or None."""
        return self._mentions.get(quote.speaker) if quote.speaker else None

    def claimant(self, claim: "Claim") -> Optional[Mention]:
        """The mention that makes `claim`, or None (also for the author, labels.AUTHOR_ID)."""
        return self._mentions.get(claim.claimant) if claim.claimant else None

    def quote_of(self, claim: "Claim") -> Optional["Quote"]:
        """The quote `claim` sits in, or None."""
        return {q.id: q for q in self.quotes}.get(claim.quote) if claim.quote else None
