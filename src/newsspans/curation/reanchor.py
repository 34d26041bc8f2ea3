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
   than one place (deleting "ab" from "xabab" deletes either copy).

A placed span is at the "same offset" or moved to the one place its "unique context"
confirms. Measured on 92 KB of one article's paragraphs repeated 20 times, annotated in
every copy (4,460 spans): a changed word, an inserted or a deleted paragraph placed every
span that survived where it went, and a deleted copy orphaned every span, as ambiguous.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Optional

CONTEXT = 32
MIN_CONTEXT = 16
# Agreement is measured up to this far a side; beyond it, the edit bound decides.
MAX_CONTEXT = 1024
# Character-level refinement of a replaced region costs len(a) * len(b) at worst.
_REFINE_LIMIT = 250_000
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
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
        self.blocks = _equal_blocks(old, new)
        self._starts = [block[0] for block in self.blocks]
        self._places = {}
        self._reaches = _reaches(old, new, self.blocks)

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
        repeated = len(found) > 1 or len(self.places("old", text)) > 1
        for lo, hi, at in self._reaches if repeated else ():
            if start < hi and end > lo:
                return Lost(f"ambiguous: the edit at [{at[0]}:{at[1]}] of the old version reads as well "
                            f"anywhere in [{lo}:{hi}], which holds the span (repeated text)")
        return Placed(begin, begin + n, SAME_OFFSET if begin == start else UNIQUE_CONTEXT)


def _reaches(old: str, new: str, blocks) -> list:
    """(lo, hi, (start, end)) for each edit of the diff that slides: old[lo:hi] is where it
    can be read as well, because the text it deletes or inserts repeats beside it.

    Deleting "ab" from "xabab" is deleting the first "ab" or the second: a span on either
    copy goes or stays depending on the reading, so it is placed by neither.
    """
    edges = [(0, 0, 0)] + list(blocks) + [(len(old), len(new), 0)]
    reaches = []
    for (o1, n1, size1), (o2, n2, size2) in zip(edges, edges[1:]):
        oa, na, ob, nb = o1 + size1, n1 + size1, o2, n2
        if oa == ob and na == nb:
            continue
        left = max(_slide(old, oa, ob, -1, size1), _slide(new, na, nb, -1, size1))
        right = max(_slide(old, oa, ob, 1, size2), _slide(new, na, nb, 1, size2))
        if left or right:
            reaches.append((oa - left, ob + right, (oa, ob)))
    return reaches


def _slide(text: str, a: int, b: int, direction: int, limit: int) -> int:
    """How far the deleted (or inserted) text[a:b] can move left (-1) or right (1), at most `limit`."""
    if a == b:
        return 0
    k = 0
    if direction < 0:
        while k < limit and text[a - 1 - k] == text[b - 1 - k]:
            k += 1
    else:
        while k < limit and b + k < len(text) and text[a + k] == text[b + k]:
            k += 1
    return k


def _where(starts, n, shown=5) -> str:
    listed = ", ".join(f"[{b}:{b + n}]" for b in starts[:shown])
    return listed + (f" and {len(starts) - shown} more" if len(starts) > shown else "")


def _agreement(a: str, start: int, n: int, b: str, begin: int) -> int:
    """How far the surroundings of a[start:start + n] and b[begin:begin + n] agree."""
    return _common_before(a, start, b, begin) + _common_after(a, start + n, b, begin + n)


def _common_before(a: str, i: int, b: str, j: int) -> int:
    """Length of the common suffix of a[:i] and b[:j], up to MAX_CONTEXT."""
    limit = min(i, j, MAX_CONTEXT)
    return _grow(lambda k: a[i - k:i] == b[j - k:j], limit)


def _common_after(a: str, i: int, b: str, j: int) -> int:
    """Length of the common prefix of a[i:] and b[j:], up to MAX_CONTEXT."""
    limit = min(len(a) - i, len(b) - j, MAX_CONTEXT)
    return _grow(lambda k: a[i:i + k] == b[j:j + k], limit)


def _grow(agrees, limit: int) -> int:
    """The largest k <= limit with agrees(k), agrees being monotone: doubling, then bisection.

    Costs about as much as the agreement is long, compared in C: repeated paragraphs of a
    long text agree for thousands of characters.
    """
    good, step = 0, CONTEXT
    while good < limit:
        trial = min(limit, good + step)
        if not agrees(trial):
            bad = trial
            while bad - good > 1:
                mid = (good + bad) // 2
                if agrees(mid):
                    good = mid
                else:
                    bad = mid
            return good
        good, step = trial, step * 2
    return good


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


def _equal_blocks(old: str, new: str):
    """Sorted (old_start, new_start, size) of the stretches the diff keeps unchanged.

    The common head and tail are taken first, so a single edit maps everything around it
    exactly. The rest is diffed line by line, each replaced run of lines word by word
    (fast, and aligns whole words), and each replaced run of words character by character.
    """
    head = _common_prefix(old, new)
    tail = _common_suffix(old[head:], new[head:])
    blocks = [(0, 0, head)] if head else []
    old_mid, new_mid = old[head:len(old) - tail], new[head:len(new) - tail]
    if old_mid and new_mid:
        blocks.extend(_diff(old_mid, new_mid, head, head, 0))
    if tail:
        blocks.append((len(old) - tail, len(new) - tail, tail))
    return blocks


_UNITS = (re.compile(r"[^\n]*\n|[^\n]+"), _TOKEN)


def _diff(old: str, new: str, old_base: int, new_base: int, level: int):
    if level == len(_UNITS):
        if len(old) * len(new) > _REFINE_LIMIT:
            return []
        chars = SequenceMatcher(None, old, new, autojunk=False)
        return [(old_base + i, new_base + j, size) for i, j, size in chars.get_matching_blocks() if size]
    old_units, new_units = _UNITS[level].findall(old), _UNITS[level].findall(new)
    old_at, new_at = _offsets(old_units), _offsets(new_units)
    matcher = SequenceMatcher(None, old_units, new_units, autojunk=False)
    blocks = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a1, a2, b1, b2 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        if tag == "equal":
            blocks.append((old_base + a1, new_base + b1, a2 - a1))
        elif tag == "replace":
            blocks.extend(_diff(old[a1:a2], new[b1:b2], old_base + a1, new_base + b1, level + 1))
    return blocks


def _offsets(tokens):
    at = [0]
    for token in tokens:
        at.append(at[-1] + len(token))
    return at


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
