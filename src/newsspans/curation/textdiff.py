"""Where two versions of a text agree, for reanchor.py: the stretches a diff keeps, how far
an edit can slide along repeated text, how far two places' surroundings agree."""

import re
from difflib import SequenceMatcher

# Character-level refinement of a replaced region costs len(a) * len(b) at worst.
_REFINE_LIMIT = 250_000
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_STEP = 32


def reaches(old: str, new: str, blocks) -> list:
    """(lo, hi, (start, end)) for each edit of the diff that slides: old[lo:hi] is where it
    can be read as well, because the text it deletes or inserts repeats beside it.

    Deleting "ab" from "xabab" is deleting the first "ab" or the second: a span on either
    copy goes or stays depending on the reading, so it is placed by neither.
    """
    edges = [(0, 0, 0)] + list(blocks) + [(len(old), len(new), 0)]
    found = []
    for (o1, n1, size1), (o2, n2, _) in zip(edges, edges[1:]):
        oa, na, ob, nb = o1 + size1, n1 + size1, o2, n2
        if oa == ob and na == nb:
            continue
        left = max(slide(old, oa, ob, -1), slide(new, na, nb, -1))
        right = max(slide(old, oa, ob, 1), slide(new, na, nb, 1))
        if left or right:
            found.append((oa - left, ob + right, (oa, ob)))
    return found


def slide(text: str, a: int, b: int, direction: int) -> int:
    """How far the deleted (or inserted) text[a:b] can move left (-1) or right (1)."""
    if a == b:
        return 0
    k = 0
    if direction < 0:
        while k < a and text[a - 1 - k] == text[b - 1 - k]:
            k += 1
    else:
        while b + k < len(text) and text[a + k] == text[b + k]:
            k += 1
    return k


def common_before(a: str, i: int, b: str, j: int, most: int) -> int:
    """Length of the common suffix of a[:i] and b[:j], up to `most`."""
    limit = min(i, j, most)
    return _grow(lambda k: a[i - k:i] == b[j - k:j], limit)


def common_after(a: str, i: int, b: str, j: int, most: int) -> int:
    """Length of the common prefix of a[i:] and b[j:], up to `most`."""
    limit = min(len(a) - i, len(b) - j, most)
    return _grow(lambda k: a[i:i + k] == b[j:j + k], limit)


def _grow(agrees, limit: int) -> int:
    """The largest k <= limit with agrees(k), agrees being monotone: doubling, then bisection.

    Costs about as much as the agreement is long, compared in C: repeated paragraphs of a
    long text agree for thousands of characters.
    """
    good, step = 0, _STEP
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


def common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


def equal_blocks(old: str, new: str):
    """Sorted (old_start, new_start, size) of the stretches the diff keeps unchanged.

    The common head and tail are taken first, so a single edit maps everything around it
    exactly. The rest is diffed line by line, each replaced run of lines word by word
    (fast, and aligns whole words), and each replaced run of words character by character.
    """
    head = common_prefix(old, new)
    tail = common_suffix(old[head:], new[head:])
    # Whole lines only: an edit that ends in one copy of a repeated paragraph and begins in
    # another must reach the line diff, which sees the copy deleted, not a stretch of
    # characters matched across copies.
    head = old.rfind("\n", 0, head) + 1
    tail_at = old.find("\n", len(old) - tail - 1, len(old)) + 1 if tail else len(old)
    tail = len(old) - tail_at if tail_at else 0
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
