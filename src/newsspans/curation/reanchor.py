"""Carry spans from one version of a text to the next, and never guess.

A span is placed only where its context confirms it, as the W3C Web Annotation
TextQuoteSelector finds its `exact` text by its `prefix` and `suffix`; otherwise it is
orphaned with the reason. For an old span [start:end] with text `exact`:

1. the candidates are the places of `exact` in the new text; none: "not found";
2. a candidate is in context when the text agrees with the old one for `MIN_CONTEXT`
   characters on one side of it, or up to the start (or end) of both texts; none is:
   "context mismatch" (a word of a deleted sentence does not jump to another occurrence).
   A text found exactly once in each version, where the diff carries it, needs no context;
3. of those in context, the best is the one needing the smallest edit (the texts before
   it, and after it, differ in length least from the old ones), then the one whose
   context agrees furthest (up to `MAX_CONTEXT` characters a side, by a lead of
   `MIN_CONTEXT` at least). A tie: "ambiguous: N candidates" (two copies of a
   paragraph, one deleted: which one went cannot be known);
4. the place must pick the span back: of the places of `exact` in the old text, the span's
   must be the only best for it by the same measure;
5. the diff of the two texts must not say otherwise: when it carries the span elsewhere,
   or carries another place of the same text onto the candidate, placing it would guess;
   and a span whose text repeats must lie clear of every edit that can be read in more
   than one place (deleting "ab" from "xabab" deletes either copy);
6. a span whose text with its context (its selector: `CONTEXT` characters a side) is one
   of several identical copies keeps the rank of its copy; when the edit changed the
   number of copies, only if every copy it touched was changed in place, inside one
   paragraph (a word changed in one copy), not deleted or inserted whole among the others.

A placed span is at the "same offset" or moved to the one place its "unique context"
confirms. Measured on 92 KB of one article's paragraphs repeated 20 times, annotated in
every copy (4,460 spans): no span placed on a wrong copy; a deleted copy orphans all of
them as ambiguous; a changed word, an inserted or a deleted paragraph orphan 4, 5 and 11
spans (those the edit removed among them), and place every other one where it went.
"""

from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional

from newsspans.curation.textdiff import common_after, common_before, equal_blocks, reaches, slide

CONTEXT = 32
MIN_CONTEXT = 16
# Agreement is measured up to this far a side; beyond it, the edit bound decides.
MAX_CONTEXT = 1024
SAME_OFFSET, UNIQUE_CONTEXT = "same offset", "unique context"


@dataclass(frozen=True)
class Placed:
    """Where a span now is; `how` is "same offset" or "unique context" (it moved)."""

    start: int
    end: int
    how: str


@dataclass(frozen=True)
class Lost:
    """Why a span could not be placed in the new text."""

    reason: str


def context(text: str, start: int, end: int):
    """(prefix, suffix): up to CONTEXT characters either side of text[start:end]."""
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


class TextMap:
    """Offsets of `old` carried into `new`, each confirmed by its context."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.blocks = equal_blocks(old, new)
        self._starts = [block[0] for block in self.blocks]
        self._places = {}
        self._reaches = reaches(old, new, self.blocks)
        # The edits between the blocks, a stretch kept for less than MIN_CONTEXT characters
        # counting as edited: in a replaced region the diff keeps stray letters.
        solid = [(0, 0, 0)] + [b for b in self.blocks if b[2] >= MIN_CONTEXT] + [(len(old), len(new), 0)]
        self._gaps = [(o1 + s1, o2, n1 + s1, n2) for (o1, n1, s1), (o2, n2, _) in zip(solid, solid[1:])
                      if (o1 + s1, n1 + s1) != (o2, n2)]
        self._located_gaps = {}

    def char(self, i: int) -> Optional[int]:
        """Index in `new` of the old character at `i` by the diff, or None if it was removed."""
        k = bisect_right(self._starts, i) - 1
        if k < 0:
            return None
        old_start, new_start, size = self.blocks[k]
        return new_start + (i - old_start) if i < old_start + size else None

    def diff_place(self, start: int, end: int, text: str) -> Optional[int]:
        """Where the diff carries the old span [start:end], or None.

        Both ends survive and the text between them is the span's; or one end survives and
        the exact text starts (ends) there, which places a span touching an insertion whose
        side the diff cannot tell ("b" into "abc" may be before or after the old "b").
        """
        first, last = self.char(start), self.char(end - 1)
        if first is not None and last is not None and self.new[first:last + 1] == text:
            return first
        n = len(text)
        anchored = set()
        if first is not None and self.new[first:first + n] == text:
            anchored.add(first)
        if last is not None and last + 1 - n >= 0 and self.new[last + 1 - n:last + 1] == text:
            anchored.add(last + 1 - n)
        return anchored.pop() if len(anchored) == 1 else None

    def places(self, side: str, text: str) -> list:
        """Every start of `text` in the old or the new text (overlapping ones too)."""
        key = (side, text)
        if key not in self._places:
            haystack = self.old if side == "old" else self.new
            found, at = [], haystack.find(text)
            while at != -1:
                found.append(at)
                at = haystack.find(text, at + 1)
            self._places[key] = found
        return self._places[key]

    def _best(self, a: str, start: int, n: int, b: str, places) -> list:
        """The readings in `b` of the text a[start:start + n] among `places` that need the
        smallest edit, and among those the ones whose context agrees furthest (by a lead of
        MIN_CONTEXT characters at least: the others come within it are as good).

        A reading's edit bound is the least number of characters an edit must insert or
        delete to read the text there (the texts before, and after, differ in length by that
        much); its agreement, how far the surroundings agree, up to MAX_CONTEXT a side.
        """
        bounds = {p: abs(start - p) + abs((len(a) - start) - (len(b) - p)) for p in places}
        least = min(bounds.values())
        tied = [p for p in sorted(places) if bounds[p] == least]
        if len(tied) == 1:
            return tied
        agreement = {p: _agreement(a, start, n, b, p) for p in tied}
        most = max(agreement.values())
        # A lead of a few characters is chance ("He said. He said." less one: each copy's
        # context runs to a different edge), not evidence.
        return [p for p in tied if agreement[p] > most - MIN_CONTEXT]

    def _copies(self, start: int, end: int, text: str, begin: int):
        """Lost when the span is one of several copies of its text with its context (its
        quote selector) and the copies cannot be matched one to one: their number changed,
        or the place is not the copy of the same rank. None otherwise."""
        prefix, suffix = context(self.old, start, end)
        selector = prefix + text + suffix
        old_copies = self.places("old", selector)
        if len(old_copies) < 2:
            return None
        new_copies = self.places("new", selector)
        n = len(selector)
        intact = []   # where the diff carries each old copy whole, or None
        for p in old_copies:
            q = self.char(p)
            whole = q is not None and self.char(p + n - 1) == q + n - 1 and self.new.startswith(selector, q)
            intact.append(q if whole else None)
        if len(new_copies) != len(old_copies):
            # The edit changed the number of copies. Which copies it touched is known only
            # when each one it touched was changed in its own paragraph: a copy deleted or
            # inserted whole among identical ones (its neighbours' context changes, not
            # their paragraphs) could be any of them.
            gone = [p for p, q in zip(old_copies, intact) if q is None and not self._located(p, p + n)]
            if gone or len(new_copies) > len(old_copies) or \
                    sorted(q for q in intact if q is not None) != new_copies:
                return Lost(f"ambiguous: text {text!r} with its context occurs {len(old_copies)} times "
                            f"in the old version and {len(new_copies)} times in the new: which copy "
                            f"went cannot be known")
            mine = intact[old_copies.index(start - len(prefix))]
            if mine != begin - len(prefix):
                return Lost(f"ambiguous: text {text!r} is one of {len(old_copies)} copies with its "
                            f"context, and the diff does not carry its copy there")
            return None
        rank = old_copies.index(start - len(prefix))
        if new_copies[rank] != begin - len(prefix):
            return Lost(f"ambiguous: text {text!r} is copy {rank + 1} of {len(old_copies)} with its "
                        f"context, but would be placed on another copy")
        return None

    def _located(self, lo: int, hi: int) -> bool:
        """Whether every edit of the diff within old[lo:hi] is one that cannot be read
        elsewhere: a change inside one paragraph, or a deletion or an insertion that cannot
        slide by its own length. (A paragraph deleted from one of several identical runs,
        together with another change, can.)"""
        return all(self._gap_located(gap) for gap in self._gaps if not (gap[1] < lo or gap[0] > hi))

    def _gap_located(self, gap) -> bool:
        if gap not in self._located_gaps:
            oa, ob, na, nb = gap
            if oa < ob and na < nb:
                located = "\n" not in self.old[oa:ob] and "\n" not in self.new[na:nb]
            elif oa < ob:
                located = slide(self.old, oa, ob, -1) + slide(self.old, oa, ob, 1) < ob - oa
            else:
                located = slide(self.new, na, nb, -1) + slide(self.new, na, nb, 1) < nb - na
            self._located_gaps[gap] = located
        return self._located_gaps[gap]

    def _in_context(self, a: str, start: int, n: int, text: str, b: str, side_b: str) -> set:
        """The places in `b` of the text a[start:start + n] that agree with its context there:
        MIN_CONTEXT characters on one side, or all of one side up to both texts' edges.

        Found by looking up the text with that much context, not by comparing each place.
        """
        found = set()
        left, right = a[max(0, start - MIN_CONTEXT):start], a[start + n:start + n + MIN_CONTEXT]
        if len(left) == MIN_CONTEXT:
            found.update(p + MIN_CONTEXT for p in self.places(side_b, left + text))
        elif b.startswith(left + text):
            found.add(start)
        if len(right) == MIN_CONTEXT:
            found.update(self.places(side_b, text + right))
        elif len(b) - len(right) - n >= 0 and b.endswith(text + right):
            found.add(len(b) - len(right) - n)
        return found

    def place(self, start: int, end: int, text: str):
        """Placed or Lost for the old span [start:end] whose text is `text`."""
        n, found = len(text), self.places("new", text)
        if not found:
            return Lost(f"not found: text {text!r} is no longer in the new version")
        by_diff = self.diff_place(start, end, text)
        # An exact text found once in each version needs no context (a TextQuoteSelector
        # without prefix and suffix), when the diff carries it there too.
        unique = len(found) == 1 and len(self.places("old", text)) == 1 and by_diff == found[0]
        places = self._in_context(self.old, start, n, text, self.new, "new")
        if unique:
            places.add(by_diff)
        if not places:
            times = "once" if len(found) == 1 else f"{len(found)} times"
            return Lost(f"context mismatch: text {text!r} occurs {times} in the new version, "
                        f"but nowhere in its old context")
        best = self._best(self.old, start, n, self.new, places)
        if len(best) > 1:
            return Lost(f"ambiguous: {len(best)} candidates fit its old context equally well "
                        f"({_where(best, n)})")
        begin = best[0]
        if by_diff is not None and by_diff != begin:
            return Lost(f"ambiguous: the diff carries it to [{by_diff}:{by_diff + n}], its context "
                        f"to [{begin}:{begin + n}]")
        if by_diff is None:
            taken = [o for o in self.places("old", text)
                     if o != start and self.diff_place(o, o + n, text) == begin]
            if taken:
                return Lost(f"ambiguous: the diff carries the same text at [{taken[0]}:{taken[0] + n}] "
                            f"of the old version to [{begin}:{begin + n}]")
        rivals = self._in_context(self.new, begin, n, text, self.old, "old") | {start}
        back = self._best(self.new, begin, n, self.old, rivals)
        if back != [start]:
            return Lost(f"ambiguous: {len(back)} places of the old version fit its new place "
                        f"[{begin}:{begin + n}] as well ({_where(back, n)})")
        lost = self._copies(start, end, text, begin)
        if lost:
            return lost
        repeated = len(found) > 1 or len(self.places("old", text)) > 1
        for lo, hi, at in self._reaches if repeated else ():
            if start < hi and end > lo:
                return Lost(f"ambiguous: the edit at [{at[0]}:{at[1]}] of the old version reads as well "
                            f"anywhere in [{lo}:{hi}], which holds the span (repeated text)")
        return Placed(begin, begin + n, SAME_OFFSET if begin == start else UNIQUE_CONTEXT)


def _where(starts, n, shown=5) -> str:
    listed = ", ".join(f"[{b}:{b + n}]" for b in starts[:shown])
    return listed + (f" and {len(starts) - shown} more" if len(starts) > shown else "")


def _agreement(a: str, start: int, n: int, b: str, begin: int) -> int:
    """How far the surroundings of a[start:start + n] and b[begin:begin + n] agree."""
    return (common_before(a, start, b, begin, MAX_CONTEXT)
            + common_after(a, start + n, b, begin + n, MAX_CONTEXT))


# Annotations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What became of one annotation: "unchanged", "moved" or "orphaned".

    `spans` maps each span of the annotation ("span", and "cue" for a quote) to its
    (old, new) offsets; `new` is None for an orphan, whose `reason` says why.
    """

    layer: str
    id: str
    status: str
    text: str
    spans: dict
    how: Optional[str] = None
    reason: Optional[str] = None

    def asdict(self) -> dict:
        d = {"layer": self.layer, "id": self.id, "status": self.status, "text": self.text}
        for name, (old, new) in self.spans.items():
            d[name] = {"old": list(old), "new": list(new) if new else None}
        if self.how:
            d["how"] = self.how
        if self.reason:
            d["reason"] = self.reason
        return d


def place_annotation(textmap: TextMap, layer: str, item: dict):
    """(the annotation at its new place or None, Outcome) for one annotation dict.

    A quote is placed only when its cue is placed too: half an annotation is not kept.
    """
    parts = {"span": item}
    if layer == "quotes" and item.get("cue") is not None:
        parts["cue"] = item["cue"]
    placed, spans, hows = {}, {}, []
    for name, part in parts.items():
        where = textmap.place(part["start"], part["end"], part["text"])
        old = (part["start"], part["end"])
        if isinstance(where, Lost):
            what = "its cue" if name == "cue" else "the span"
            spans = {n: ((p["start"], p["end"]), None) for n, p in parts.items()}
            reason = where.reason if name == "span" else f"{what}: {where.reason}"
            return None, Outcome(layer, item["id"], "orphaned", item["text"], spans, reason=reason)
        placed[name] = where
        spans[name] = (old, (where.start, where.end))
        hows.append(where.how)
    moved = any(old != new for old, new in spans.values())
    new_item = dict(item, start=placed["span"].start, end=placed["span"].end)
    if "cue" in placed:
        new_item["cue"] = dict(item["cue"], start=placed["cue"].start, end=placed["cue"].end)
    how = UNIQUE_CONTEXT if UNIQUE_CONTEXT in hows else SAME_OFFSET
    status = "moved" if moved else "unchanged"
    return new_item, Outcome(layer, item["id"], status, item["text"], spans, how=how)
