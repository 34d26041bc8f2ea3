"""How the annotation layers are spelled in Doccano: span labels, relation types, comments.

Doccano 1.8 spans carry one label and nothing else, and relations join two spans. So:

- A mention is a span labelled with its entity type; the mention kind rides on the label:
  `PERSON` is a name (NAM), `PERSON/NOM` a nominal ("the president"), `PERSON/PRO` a
  pronoun ("he"). The same for every OntoNotes type (`WORK/NOM`, `WORK/PRO` for
  WORK_OF_ART, so that no label is longer than the 12 characters Doccano shows under a span).
- A quote is a span labelled with its kind in quotation marks: `“direct”`, `“indirect”`
  or `“mixed”`; its cue ("said") is a span labelled `CUE`.
- A claim is a span labelled with its category: `event?` when it is check-worthy (the
  question a fact-checker asks), `event` when it is not.
- Relations, drawn from the quote or claim (either direction is read the same):
  `speaker` quote -> mention, `cue` quote -> CUE, `claimant` claim -> mention,
  `in_quote` claim -> quote.
- What a span cannot carry is written in a comment on the example, one line each:
      link <entity-id> = <mention text>    every mention of yours with exactly this text
      link <entity-id> = <text> #<k>       your mention at the k-th occurrence of the text
                                           in the article, counted as a browser's find
                                           (Ctrl+F) counts: `link moscow = Moscow #3`
      link <entity-id> @<start>:<end>      the mention at these code-point offsets
                                           (`@<start>:<end>#2`: the second one there)
      author = <claim text>                the claim's claimant is the author/publication
      author @<start>:<end>                (offsets as above)
  Other comment lines are free text. For one mention, an offset line wins over a `#<k>`
  line, which wins over a plain text line. A mention inherits a registry link only from
  the layer push gave this annotator (review mode), matched by offsets, unless a `link`
  line says otherwise.

Colours: each entity type has its own; NOM and PRO are lighter shades of it. Quotes are
amber (direct strongest), cues near-black, claims red (check-worthy strongest). The most
frequent labels have a shortcut key. Labels of older projects (`QUOTE-direct`,
`CLAIM-event-nocheck`, `WORK_OF_ART/NOM`) are still read, and `setup` renames them.
"""

import re

from newsspans.model import labels

KIND_SEPARATOR = "/"
CUE_LABEL = "CUE"
CHECKWORTHY_MARK = "?"
RELATION_TYPES = ("speaker", "cue", "claimant", "in_quote")
DEFAULT_KIND = "NAM"
# Doccano's annotation page (v-annotator) cuts a label under a span after 12 characters.
MAX_LABEL_LENGTH = 12
_SHORT_TYPE = {"WORK_OF_ART": "WORK"}  # in the NOM and PRO labels only
_OPEN_QUOTE, _CLOSE_QUOTE = "\u201c", "\u201d"

# Far apart from each other (CIE76 distance at least 28 between any two of these 21;
# tests/doccano/test_scheme.py measures it), dark enough for lighter shades.
ENTITY_COLOURS = {
    "PERSON": "#1565c0", "NORP": "#8e24aa", "FAC": "#8d5a3b", "ORG": "#00838f", "GPE": "#2e9e48",
    "LOC": "#9aa822", "PRODUCT": "#f06292", "EVENT": "#ff6d00", "WORK_OF_ART": "#7b2442",
    "LAW": "#1a237e", "LANGUAGE": "#29b6f6", "DATE": "#b8860b", "TIME": "#d4a373",
    "PERCENT": "#6b6b1f", "MONEY": "#1b5e20", "QUANTITY": "#d500f9", "ORDINAL": "#4dd0e1",
    "CARDINAL": "#616161",
}
QUOTE_COLOUR, CUE_COLOUR, CLAIM_COLOUR = "#ffc400", "#212121", "#d50000"
# How much white is mixed into the base colour.
_KIND_SHADE = {"NAM": 0.0, "NOM": 0.4, "PRO": 0.65}
_QUOTE_SHADE = {"direct": 0.0, "mixed": 0.3, "indirect": 0.55}
_NOCHECK_SHADE = 0.55

# Shortcut keys (Doccano's suffix_key: a digit or a lower-case letter, pressed on the
# annotation page), for the labels the corpus's first article uses most; mnemonic where possible.
SHORTCUT_KEYS = {
    "p": ("PERSON", "NAM"), "g": ("GPE", "NAM"), "o": ("ORG", "NAM"), "n": ("NORP", "NAM"),
    "l": ("LOC", "NAM"), "f": ("FAC", "NAM"), "e": ("EVENT", "NAM"), "d": ("DATE", "NAM"),
    "t": ("TIME", "NAM"), "c": ("CARDINAL", "NAM"), "r": ("ORDINAL", "NAM"), "m": ("MONEY", "NAM"),
    "h": ("PERSON", "PRO"), "a": ("ORG", "NOM"),
    "q": "direct", "i": "indirect", "x": "mixed", "s": CUE_LABEL,
    "1": ("statistic", True), "2": ("historical", True), "3": ("event", True),
    "4": ("accusation", True), "5": ("prediction", True), "6": ("evaluation", True),
    "7": ("evaluation", False), "8": ("prediction", False), "9": ("accusation", False),
}


def mention_label(label: str, kind: str) -> str:
    if kind == DEFAULT_KIND:
        return label
    return f"{_SHORT_TYPE.get(label, label)}{KIND_SEPARATOR}{kind}"


def quote_label(kind: str) -> str:
    return f"{_OPEN_QUOTE}{kind}{_CLOSE_QUOTE}"


def claim_label(category: str, checkworthy: bool) -> str:
    return f"{category}{CHECKWORTHY_MARK if checkworthy else ''}"


def span_labels():
    """Every span label of the project, in the order the annotator sees them: names and
    values, quotes, cue, claims, then the rarer nominal and pronoun mentions."""
    names = [mention_label(t, DEFAULT_KIND) for t in labels.ENTITY_TYPES]
    names += [quote_label(k) for k in labels.QUOTE_KINDS] + [CUE_LABEL]
    names += [claim_label(c, w) for w in (True, False) for c in labels.CLAIM_CATEGORIES]
    names += [mention_label(t, k) for k in labels.MENTION_KINDS if k != DEFAULT_KIND for t in labels.ENTITY_TYPES]
    return names


def _label_of(target) -> str:
    if target == CUE_LABEL:
        return CUE_LABEL
    if isinstance(target, str):
        return quote_label(target)
    first, second = target
    return claim_label(first, second) if isinstance(second, bool) else mention_label(first, second)


def shortcut_key(name: str):
    """The label's shortcut key, or None."""
    return _KEY_OF.get(name)


def _mix_white(colour: str, amount: float) -> str:
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in channels)


def label_colour(name: str) -> str:
    layer, attrs = parse_label(name)
    if layer == "entities":
        return _mix_white(ENTITY_COLOURS[attrs["label"]], _KIND_SHADE[attrs["mention"]])
    if layer == "quotes":
        return _mix_white(QUOTE_COLOUR, _QUOTE_SHADE[attrs["kind"]])
    if layer == "cue":
        return CUE_COLOUR
    return _mix_white(CLAIM_COLOUR, 0.0 if attrs["checkworthy"] else _NOCHECK_SHADE)


def text_colour(background: str) -> str:
    """Black on a light background, white on a dark one (WCAG relative luminance)."""
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(background[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def label_type(name: str) -> dict:
    """What `setup` sends for one span label: text, colours, shortcut key."""
    background = label_colour(name)
    return {"text": name, "background_color": background, "text_color": text_colour(background),
            "prefix_key": None, "suffix_key": shortcut_key(name)}


def legacy_label(name: str):
    """The name an older `setup` gave this label (renamed in place by setup), or None."""
    layer, attrs = parse_label(name)
    if layer == "quotes":
        return f"QUOTE-{attrs['kind']}"
    if layer == "claims":
        return f"CLAIM-{attrs['category']}{'' if attrs['checkworthy'] else '-nocheck'}"
    if layer == "entities" and attrs["label"] in _SHORT_TYPE and attrs["mention"] != DEFAULT_KIND:
        return f"{attrs['label']}{KIND_SEPARATOR}{attrs['mention']}"
    return None


def parse_label(name: str):
    """(layer, attributes) of a span label; ValueError for a label we do not know.

    layer is "entities" {label, mention}, "quotes" {kind}, "cue" {}, or "claims"
    {category, checkworthy}. The names of older projects are read too.
    """
    found = _PARSED.get(name)
    if found is None:
        raise ValueError(f"unknown span label {name!r}")
    return found[0], dict(found[1])


def _parsed_names():
    parsed = {}
    for t in labels.ENTITY_TYPES:
        for k in labels.MENTION_KINDS:
            attrs = ("entities", {"label": t, "mention": k})
            parsed[mention_label(t, k)] = attrs
            if k != DEFAULT_KIND:
                parsed[f"{t}{KIND_SEPARATOR}{k}"] = attrs
    for k in labels.QUOTE_KINDS:
        parsed[quote_label(k)] = parsed[f"QUOTE-{k}"] = ("quotes", {"kind": k})
    parsed[CUE_LABEL] = ("cue", {})
    for c in labels.CLAIM_CATEGORIES:
        for w in (True, False):
            attrs = ("claims", {"category": c, "checkworthy": w})
            parsed[claim_label(c, w)] = parsed[f"CLAIM-{c}{'' if w else '-nocheck'}"] = attrs
    return parsed


_PARSED = _parsed_names()
_KEY_OF = {_label_of(target): key for key, target in SHORTCUT_KEYS.items()}


# Comment directives -------------------------------------------------------------------
# `#n`: the n-th span of the layer at these offsets (two mentions may share a span).
_AT = r"@(?P<start>\d+):(?P<end>\d+)(?:#(?P<nth>[1-9]\d*))?"
# `= <text> #k`: the k-th occurrence of the text in the article (as a browser's find counts).
_TEXT = r"=\s*(?P<text>.+?)(?:\s+#(?P<occurrence>[1-9]\d*))?"
_LINK = re.compile(rf"^link\s+(?P<entity>\S+)\s*(?:{_AT}|{_TEXT})\s*$")
_AUTHOR = re.compile(rf"^author\s*(?:{_AT}|{_TEXT})\s*$")


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
                            f"(`link <entity-id> = <text>`, `link <entity-id> = <text> #<k>`, "
                            f"`link <entity-id> @<start>:<end>`, "
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
            if match["occurrence"]:
                item["occurrence"] = int(match["occurrence"])
        found.append(item)
    return found, problems


def link_line(entity: str, start: int, end: int, nth=None) -> str:
    return f"link {entity} @{start}:{end}{f'#{nth}' if nth else ''}"


def author_line(start: int, end: int, nth=None) -> str:
    return f"author @{start}:{end}{f'#{nth}' if nth else ''}"


def guideline_appendix() -> str:
    """The part of the project guideline that `setup` writes after annotations/GUIDELINES.md:
    every label with its meaning and key, the relations and the comment lines."""
    rows = ["| Label | Means | Key |", "|---|---|---|"]
    for name in span_labels():
        key = shortcut_key(name)
        rows.append(f"| `{name}` | {_meaning(name)} | {f'`{key}`' if key else ''} |")
    return "\n".join([
        "", "", "---", "",
        "## Labelling in Doccano (generated by `newsspans doccano setup`)", "",
        "Select the words, then pick the label (or press its key first: the key selects the label, "
        "the next selection gets it). Each entity type has its own colour; a lighter shade of it "
        "is a nominal (NOM) or a pronoun (PRO) mention. Quotes are amber, cues near-black, "
        "claims red (check-worthy claims, marked `?`, the strongest).", "",
        *rows, "",
        "Relations, drawn from the quote or the claim: `speaker` quote to mention, `cue` quote to "
        "CUE, `claimant` claim to mention, `in_quote` claim to quote.", "",
        "What a span cannot carry goes in a comment on the example, one line each:", "",
        "```",
        "link <entity-id> = <mention text>    every mention of yours with exactly this text",
        "link <entity-id> @<start>:<end>      the mention at these code-point offsets",
        "                                     (@<start>:<end>#2: the second one there)",
        "author = <claim text>                the claim's claimant is the author/publication",
        "author @<start>:<end>                (offsets as above)",
        "```", "",
        "Other comment lines are free text. A mention that has the same offsets and label as a "
        "gold mention inherits its registry link unless a `link` line says otherwise.",
    ])


def _meaning(name: str) -> str:
    layer, attrs = parse_label(name)
    if layer == "entities":
        kind = {"NAM": "name", "NOM": "nominal (description)", "PRO": "pronoun"}[attrs["mention"]]
        if attrs["label"] in labels.VALUE_TYPES and attrs["mention"] == DEFAULT_KIND:
            kind = "value"
        return f"{attrs['label']} mention, {kind}"
    if layer == "quotes":
        return f"{attrs['kind']} quote"
    if layer == "cue":
        return "a quote's cue (\"said\")"
    return f"{attrs['category']} claim, {'check-worthy' if attrs['checkworthy'] else 'not check-worthy'}"
