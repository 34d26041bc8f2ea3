"""Carry spans from one version of a text to the next.

A span is placed in the new text in three steps, stopping at the first that succeeds:

1. through the diff: its first and last characters survive the edit (they lie in blocks the
   diff found equal) and the new text between them is exactly the span's text;
2. anchored at one end: one end survives and the span's exact text starts (or ends) there,
   which places spans that touch an insertion whose position the diff cannot tell apart
   (inserting "b" into "abc" may be read before or after the old "b");
3. by search, as the W3C Web Annotation TextQuoteSelector does: the exact text with the
   context it had (`CONTEXT` characters either side). A candidate needs at least one side
   of its old context to agree (`MIN_CONTEXT` characters, or up to the text's edge), and
   the best candidate must be the only best: a deleted sentence must not re-attach its
   "Wednesday" to another "Wednesday" somewhere else.

A span that none of these places is orphaned, with the reason.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Optional

CONTEXT = 32
MIN_CONTEXT = 16
# Character-level refinement of a replaced region costs len(a) * len(b) at worst.
_REFINE_LIMIT = 250_000
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Placed:
    """Where a span now is; `how` is "diff", "anchor" or "search"."""

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
    """Offsets of `old` carried into `new` through a diff of the two texts."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.blocks = _equal_blocks(old, new)
        self._starts = [block[0] for block in self.blocks]

    def char(self, i: int) -> Optional[int]:
        """Index in `new` of the old character at `i`, or None if the edit removed it."""
        k = bisect_right(self._starts, i) - 1
        if k < 0:
            return None
        old_start, new_start, size = self.blocks[k]
        return new_start + (i - old_start) if i < old_start + size else None

    def place(self, start: int, end: int, text: str):
        """Placed or Lost for the old span [start:end] whose text is `text`."""
        first, last = self.char(start), self.char(end - 1)
        if first is not None and last is not None and self.new[first:last + 1] == text:
            return Placed(first, last + 1, "diff")
        n = len(text)
        anchored = set()
        if first is not None and self.new[first:first + n] == text:
            anchored.add(first)
        if last is not None and last + 1 - n >= 0 and self.new[last + 1 - n:last + 1] == text:
            anchored.add(last + 1 - n)
        if len(anchored) == 1:
            begin = anchored.pop()
            return Placed(begin, begin + n, "anchor")
        prefix, suffix = context(self.old, start, end)
        return search(self.new, text, prefix, suffix)


def search(new: str, text: str, prefix: str, suffix: str):
    """Place `text` in `new` by its old context (a TextQuoteSelector); Placed or Lost."""
    found = [m.start() for m in re.finditer(f"(?={re.escape(text)})", new)]
    if not found:
        return Lost(f"text {text!r} is no longer in the new version")
    scored = []
    for begin in found:
        before, after = context(new, begin, begin + len(text))
        left = _common_suffix(prefix, before)
        right = _common_prefix(suffix, after)
        if _agrees(left, prefix, before) or _agrees(right, suffix, after):
            scored.append((left + right, begin))
    if not scored:
        times = "once" if len(found) == 1 else f"{len(found)} times"
        return Lost(f"text {text!r} occurs {times} in the new version, but not in its old context")
    best = max(score for score, _ in scored)
    winners = [begin for score, begin in scored if score == best]
    if len(winners) > 1:
        where = ", ".join(f"[{b}:{b + len(text)}]" for b in winners)
        return Lost(f"text {text!r} fits its old context equally well at {where}: ambiguous")
    return Placed(winners[0], winners[0] + len(text), "search")


def _agrees(matched: int, old_side: str, new_side: str) -> bool:
    if matched >= MIN_CONTEXT:
        return True
    # Near the edge of the text there is less context: then all of it must match, and the
    # candidate must be just as near the edge.
    return matched == len(old_side) == len(new_side) < MIN_CONTEXT


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
    how = max(hows, key=("diff", "anchor", "search").index)
    status = "moved" if moved else "unchanged"
    return new_item, Outcome(layer, item["id"], status, item["text"], spans, how=how)
