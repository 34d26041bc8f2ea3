"""Nested and overlapping spans as well-formed HTML.

HTML elements nest; annotations need not. Every mark opens where its span starts and
closes where it ends; when a mark must close while marks opened inside it are still open,
those are closed too and reopened right after as further fragments of the same annotation
(same `data-ann`). The text between tags is the canonical text verbatim, so the page's
`textContent` equals the version text and every annotation's fragments join to its text.
"""

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from newsspans.errors import RenderError

# Outer before inner when two marks share a span: a quote holds its claim, a claim holds
# its mentions, and a cue is the innermost thing there is.
LAYER_RANK = {"quotes": 0, "claims": 1, "entities": 2, "cues": 3}


@dataclass(frozen=True)
class Mark:
    """One annotation to draw: `key` is unique on the page and shared by its fragments."""

    key: str
    layer: str
    start: int
    end: int
    classes: str
    title: str
    attrs: tuple = ()


def _order(mark):
    return (-mark.end, LAYER_RANK[mark.layer], mark.key)


def _open_tag(mark, fragment, count):
    # "first" and "last" let the stylesheet put a label before or after the whole
    # annotation rather than on every fragment.
    position = (" first" if fragment == 0 else "") + (" last" if fragment == count - 1 else "")
    parts = [f'<span class="{escape(mark.classes)}{position}"',
             f' data-ann="{escape(mark.key)}" data-layer="{mark.layer}"',
             f' data-start="{mark.start}" data-end="{mark.end}" data-frag="{fragment}"',
             f' data-frags="{count}"']
    if fragment == 0:
        parts.append(f' id="{escape(dom_id(mark.key))}"')
    for name, value in mark.attrs:
        parts.append(f' {name}="{escape(str(value))}"')
    parts.append(f' title="{escape(mark.title)}">')
    return "".join(parts)


def dom_id(key: str) -> str:
    """The element id of an annotation's first fragment (what the side panel links to)."""
    return f"ann-{key}"


def render_marked(text: str, marks) -> str:
    """`text` as HTML with every mark drawn, overlaps split into fragments."""
    marks = sorted(marks, key=lambda m: (m.start, *_order(m)))
    for mark in marks:
        if not 0 <= mark.start < mark.end <= len(text):
            raise RenderError(f"mark {mark.key} [{mark.start}:{mark.end}] lies outside the text "
                              f"(length {len(text)})")
    opening = defaultdict(list)
    for mark in marks:
        opening[mark.start].append(mark)
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    fragments = defaultdict(int)
    stack, out = [], []
    for i, pos in enumerate(cuts):
        reopen = []
        if any(m.end == pos for m in stack):
            while any(m.end == pos for m in stack):
                mark = stack.pop()
                out.append("</span>")
                if mark.end != pos:
                    reopen.append(mark)
        # Reopened and new marks open together, longest outermost, so that as few
        # further fragments as possible are needed later.
        for mark in sorted(reopen + opening.get(pos, []), key=_order):
            out.append((mark, fragments[mark.key]))
            fragments[mark.key] += 1
            stack.append(mark)
        if i + 1 < len(cuts):
            out.append(escape(text[pos:cuts[i + 1]], quote=False))
    if stack:
        raise AssertionError(f"marks left open at the end of the text: {[m.key for m in stack]}")
    return "".join(part if isinstance(part, str) else _open_tag(*part, fragments[part[0].key])
                   for part in out)
