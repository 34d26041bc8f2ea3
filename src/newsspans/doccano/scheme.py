"""How the annotation layers are spelled in Doccano: span labels, relation types, comments.

Doccano 1.8 spans carry one label and nothing else, and relations join two spans. So:

- A mention is a span labelled with its entity type; the mention kind rides on the label:
  `PERSON` is a name (NAM), `PERSON/NOM` a nominal ("the president"), `PERSON/PRO` a
  pronoun ("he"). The same for every OntoNotes type.
- A quote is a span labelled `QUOTE-direct`, `QUOTE-indirect` or `QUOTE-mixed`; its cue
  ("said") is a span labelled `CUE`.
- A claim is a span labelled `CLAIM-<category>` (check-worthy) or
  `CLAIM-<category>-nocheck` (not check-worthy).
- Relations, drawn from the quote or claim (either direction is read the same):
  `speaker` quote -> mention, `cue` quote -> CUE, `claimant` claim -> mention,
  `in_quote` claim -> quote.
- What a span cannot carry is written in a comment on the example, one line each:
      link <entity-id> = <mention text>    every mention of yours with exactly this text
      link <entity-id> @<start>:<end>      the mention at these code-point offsets
                                           (`@<start>:<end>#2`: the second one there)
      author = <claim text>                the claim's claimant is the author/publication
      author @<start>:<end>                (offsets as above)
  Other comment lines are free text. A mention that has the same offsets and label as a
  gold mention inherits its registry link unless a `link` line says otherwise.
"""

import re

from newsspans.model import labels

KIND_SEPARATOR = "/"
QUOTE_PREFIX = "QUOTE-"
CLAIM_PREFIX = "CLAIM-"
NOCHECK_SUFFIX = "-nocheck"
CUE_LABEL = "CUE"
RELATION_TYPES = ("speaker", "cue", "claimant", "in_quote")
DEFAULT_KIND = "NAM"

_LAYER_COLOURS = {"entities": "#1f77b4", "quotes": "#2ca02c", "cue": "#17becf", "claims": "#d62728"}


def mention_label(label: str, kind: str) -> str:
    return label if kind == DEFAULT_KIND else f"{label}{KIND_SEPARATOR}{kind}"


def quote_label(kind: str) -> str:
    return f"{QUOTE_PREFIX}{kind}"


def claim_label(category: str, checkworthy: bool) -> str:
    return f"{CLAIM_PREFIX}{category}{'' if checkworthy else NOCHECK_SUFFIX}"


def span_labels():
    """Every span label of the project, in the order the annotator sees them."""
    names = [mention_label(t, k) for k in labels.MENTION_KINDS for t in labels.ENTITY_TYPES]
    names += [quote_label(k) for k in labels.QUOTE_KINDS] + [CUE_LABEL]
    names += [claim_label(c, w) for w in (True, False) for c in labels.CLAIM_CATEGORIES]
    return names


def label_colour(name: str) -> str:
    layer = parse_label(name)[0]
    return _LAYER_COLOURS["cue" if layer == "cue" else layer]


def parse_label(name: str):
    """(layer, attributes) of a span label; ValueError for a label we do not know.

    layer is "entities" {label, mention}, "quotes" {kind}, "cue" {}, or "claims"
    {category, checkworthy}.
    """
    if name == CUE_LABEL:
        return "cue", {}
    if name.startswith(QUOTE_PREFIX) and name[len(QUOTE_PREFIX):] in labels.QUOTE_KINDS:
        return "quotes", {"kind": name[len(QUOTE_PREFIX):]}
    if name.startswith(CLAIM_PREFIX):
        rest = name[len(CLAIM_PREFIX):]
        checkworthy = not rest.endswith(NOCHECK_SUFFIX)
        category = rest if checkworthy else rest[:-len(NOCHECK_SUFFIX)]
        if category in labels.CLAIM_CATEGORIES:
            return "claims", {"category": category, "checkworthy": checkworthy}
    entity_type, _, kind = name.partition(KIND_SEPARATOR)
    kind = kind or DEFAULT_KIND
    if entity_type in labels.ENTITY_TYPES and kind in labels.MENTION_KINDS:
        return "entities", {"label": entity_type, "mention": kind}
    raise ValueError(f"unknown span label {name!r}")


# Comment directives -------------------------------------------------------------------
# `#n`: the n-th span of the layer at these offsets (two mentions may share a span).
_AT = r"@(?P<start>\d+):(?P<end>\d+)(?:#(?P<nth>[1-9]\d*))?"
_LINK = re.compile(rf"^link\s+(?P<entity>\S+)\s*(?:{_AT}|=\s*(?P<text>.+?))\s*$")
_AUTHOR = re.compile(rf"^author\s*(?:{_AT}|=\s*(?P<text>.+?))\s*$")


def parse_directives(comment: str):
    """(directives, problems) of one comment: each directive a dict with `kind` ("link" or
    "author"), `entity` (links), and either `start`/`end` (code points) or `text`."""
    found, problems = [], []
    for number, line in enumerate(comment.splitlines(), 1):
        line = line.strip()
        word = line.split(None, 1)[0] if line else ""
        if word not in ("link", "author"):
            continue
        match = (_LINK if word == "link" else _AUTHOR).match(line)
        if match is None:
            problems.append(f"line {number} {line!r} is not a `{word}` line "
                            f"(`link <entity-id> = <text>`, `link <entity-id> @<start>:<end>`, "
                            f"`author = <text>` or `author @<start>:<end>`)")
            continue
        item = {"kind": word, "line": number}
        if word == "link":
            item["entity"] = match["entity"]
        if match["start"] is not None:
            item["start"], item["end"] = int(match["start"]), int(match["end"])
            if match["nth"]:
                item["nth"] = int(match["nth"])
        else:
            item["text"] = match["text"]
        found.append(item)
    return found, problems


def link_line(entity: str, start: int, end: int, nth=None) -> str:
    return f"link {entity} @{start}:{end}{f'#{nth}' if nth else ''}"


def author_line(start: int, end: int, nth=None) -> str:
    return f"author @{start}:{end}{f'#{nth}' if nth else ''}"


GUIDELINE_APPENDIX = "\n\n---\n\n## Labelling in Doccano (generated by `newsspans doccano setup`)\n\n" + \
    __doc__.split("\n\n", 1)[1]
