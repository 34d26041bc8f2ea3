"""Raw text -> canonical text.

The canonical text is what every offset refers to, so this function is versioned: a change
to its output is a new NORMALIZER_VERSION, recorded in each version entry it derived.
"""

import re
import unicodedata
from functools import partial
from typing import Optional

from newsspans.store.compiled import fastcheck

NORMALIZER_VERSION = "1"


def normalize(raw: str) -> str:
    """Return the canonical text of `raw`.

    NFC; every U+FEFF dropped (a byte-order mark, or the deprecated zero-width no-break
    space it doubles as); any line break style read as a break; lines
    stripped of surrounding white space; hard-wrapped lines of a paragraph joined by one
    space; paragraphs (headings included) separated by exactly one blank line; one final
    newline. Idempotent: normalize(normalize(x)) == normalize(x).
    """
    paragraphs, current = [], []
    # str.splitlines breaks at exactly these: \r\n, \r, \n, \x0b, \x0c, \x1c, \x1d, \x1e,
    # \x85, \u2028 and \u2029 (test_normalize checks it against the regular expression).
    # NFC line by line equals NFC of the whole text cut into lines: a line break is a
    # starter that composes with nothing, so no composition or reordering crosses it, and
    # none of them is made or unmade by NFC. A line whose marks may compose is composed on
    # its own, not the whole text (unicodedata composes a whole string once one mark may).
    for line in raw.replace("\ufeff", "").splitlines():
        line = nfc(line).strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    if not paragraphs:
        return ""
    # No second NFC pass: each line is a piece of an NFC text cut at a line break or at
    # white space, and the pieces are joined by a space or newlines, starters that neither
    # compose with nor reorder against a neighbour (a line ending in "e" and the next one
    # starting with a combining accent stay apart: "e \u0301"). test_normalize checks the
    # result against the earlier implementation, which normalised again, on arbitrary text.
    return "\n\n".join(paragraphs) + "\n"


# unicodedata.normalize answers from its quick check, returning the string itself, when
# the text is NFC already, and composes only when it may not be. `nfc` is what normalize
# applies to each line (validation's compiled comparison calls it on a line too).
nfc = partial(unicodedata.normalize, "NFC")


# Every control character (Unicode category Cc: C0, DEL, C1) except the newline. The
# normaliser turns line breaks into newlines and strips the ends of lines, but keeps a tab
# or another control inside a line; a canonical text must hold none, since an offset next
# to an invisible character is one no annotator can check.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {"\t": "a tab", "\r": "a carriage return (CRLF line ends?)", "\x00": "a NUL"}


def first_control_character(text: str) -> Optional[int]:
    """The offset of the first control character other than a newline in `text`, or None.

    The compiled scan answers where it was built; the expression is the reference.
    """
    if fastcheck is not None:
        found = fastcheck.first_control(text)
        return None if found < 0 else found
    found = _CONTROL.search(text)
    return found.start() if found else None


def describe_control_character(text: str, offset: int) -> str:
    """'a tab at offset 12', for a message about the control character at `offset`."""
    char = text[offset]
    name = _CONTROL_NAMES.get(char, f"control character U+{ord(char):04X}")
    return f"{name} at offset {offset}"


def paragraph_spans(text: str):
    """Yield (start, end) of each paragraph of a canonical text."""
    for match in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        yield match.start(), match.end()
