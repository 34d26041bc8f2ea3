"""Offsets at the Doccano boundary: code points (ours) <-> UTF-16 code units (Doccano's).

Doccano's browser widget counts UTF-16 code units: a character outside the Basic
Multilingual Plane (most emoji) is 2 units and 1 code point. Combining marks are one
code point and one unit each, so they need no conversion, only care in tests.
"""

import re
from bisect import bisect_left

_WIDE = re.compile("[\U00010000-\U0010FFFF]")


class Utf16Index:
    """Converts offsets of one text both ways; O(1) for the common all-BMP text."""

    def __init__(self, text: str):
        self.text = text
        # Code-point offsets of the characters that take two UTF-16 units.
        self._wide = [m.start() for m in _WIDE.finditer(text)]
        self.length16 = len(text) + len(self._wide)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 offset of code-point `offset` (0 <= offset <= len(text))."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside 0..{len(self.text)}")
        return offset + bisect_left(self._wide, offset)

    def to_codepoint(self, offset16: int) -> int:
        """Code-point offset of UTF-16 `offset16`; ValueError inside a surrogate pair."""
        if not 0 <= offset16 <= self.length16:
            raise ValueError(f"UTF-16 offset {offset16} outside 0..{self.length16}")
        lo, hi = 0, len(self._wide)
        # The number of wide characters wholly before offset16: the largest k with
        # wide[k-1] + k <= offset16 (the UTF-16 end of the k-th wide character).
        while lo < hi:
            mid = (lo + hi) // 2
            if self._wide[mid] + mid + 2 <= offset16:
                lo = mid + 1
            else:
                hi = mid
        k = lo
        if k < len(self._wide) and self._wide[k] + k + 1 == offset16:
            raise ValueError(f"UTF-16 offset {offset16} splits the surrogate pair of "
                             f"{self.text[self._wide[k]]!r} at code point {self._wide[k]}")
        return offset16 - k


def to_utf16(text: str, offset: int) -> int:
    return Utf16Index(text).to_utf16(offset)


def to_codepoint(text: str, offset16: int) -> int:
    return Utf16Index(text).to_codepoint(offset16)
