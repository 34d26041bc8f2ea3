"""The Doccano labels people read: names, colours, shortcut keys; the guideline as sent."""

import colorsys
import itertools
import re

import pytest

from newsspans.doccano import scheme
from newsspans.doccano.project import escape_placeholders, guideline
from newsspans.model import labels

from tests.conftest import REPO


def _lab(colour):
    def linear(c):
        c /= 255
        return ((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92
    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v):
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _distance(a, b):
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


def _hls(colour):
    return colorsys.rgb_to_hls(*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))


def test_every_label_fits_under_a_span_and_parses_back():
    names = scheme.span_labels()
    assert len(names) == len(set(names)) == 18 * 3 + 3 + 1 + 6 * 2
    for name in names:
        assert len(name) <= scheme.MAX_LABEL_LENGTH, name
        assert scheme.label_colour(name)
    assert scheme.parse_label("“indirect”") == ("quotes", {"kind": "indirect"})
    assert scheme.parse_label("event?") == ("claims", {"category": "event", "checkworthy": True})
    assert scheme.parse_label("event") == ("claims", {"category": "event", "checkworthy": False})
    assert scheme.parse_label("EVENT") == ("entities", {"label": "EVENT", "mention": "NAM"})
    assert scheme.parse_label("WORK/PRO") == ("entities", {"label": "WORK_OF_ART", "mention": "PRO"})
    with pytest.raises(ValueError, match="unknown span label 'PERSON/NAM'"):
        scheme.parse_label("PERSON/NAM")


def test_older_projects_labels_are_read_and_renamed():
    assert scheme.parse_label("QUOTE-mixed") == scheme.parse_label(scheme.quote_label("mixed"))
    assert scheme.parse_label("CLAIM-event-nocheck") == scheme.parse_label("event")
    assert scheme.parse_label("WORK_OF_ART/NOM") == scheme.parse_label("WORK/NOM")
    assert scheme.legacy_label("“direct”") == "QUOTE-direct"
    assert scheme.legacy_label("statistic") == "CLAIM-statistic-nocheck"
    assert scheme.legacy_label("WORK/PRO") == "WORK_OF_ART/PRO"
    assert scheme.legacy_label("PERSON/NOM") is None


def test_each_type_quotes_cue_and_claims_have_colours_far_apart():
    base = {t: scheme.label_colour(t) for t in labels.ENTITY_TYPES}
    base["quote"] = scheme.label_colour(scheme.quote_label("direct"))
    base["cue"] = scheme.label_colour(scheme.CUE_LABEL)
    base["claim"] = scheme.label_colour(scheme.claim_label("event", True))
    closest = min((_distance(a, b), x, y) for (x, a), (y, b) in itertools.combinations(base.items(), 2))
    assert closest[0] >= 28, closest
    # Every quote kind one amber, every claim one red: told apart by name, not by colour.
    assert len({scheme.label_colour(scheme.quote_label(k)) for k in labels.QUOTE_KINDS}) == 3
    assert {scheme.label_colour(scheme.claim_label(c, True)) for c in labels.CLAIM_CATEGORIES} == {base["claim"]}


@pytest.mark.parametrize("entity_type", labels.ENTITY_TYPES)
def test_nominal_and_pronoun_are_lighter_shades_of_the_type(entity_type):
    nam, nom, pro = (_hls(scheme.label_colour(scheme.mention_label(entity_type, k))) for k in ("NAM", "NOM", "PRO"))
    assert nam[1] < nom[1] < pro[1]  # lightness
    if nam[2] > 0.1:  # hue kept (a grey has none)
        assert abs(nam[0] - nom[0]) < 0.02 and abs(nam[0] - pro[0]) < 0.02


def test_shortcut_keys_are_distinct_valid_and_on_the_frequent_labels():
    keys = {name: scheme.shortcut_key(name) for name in scheme.span_labels()}
    given = [k for k in keys.values() if k]
    assert len(given) == len(set(given)) == len(scheme.SHORTCUT_KEYS)
    assert all(re.fullmatch(r"[0-9a-z]", k) for k in given)  # Doccano's suffix_key choices
    for name in ("PERSON", "GPE", "ORG", "NORP", "DATE", "CARDINAL", scheme.CUE_LABEL,
                 scheme.quote_label("mixed"), scheme.claim_label("event", True)):
        assert keys[name], name


def test_text_colour_is_readable_on_the_label():
    assert scheme.text_colour("#1565c0") == "#ffffff"
    assert scheme.text_colour(scheme.label_colour("PERSON/PRO")) == "#000000"
    assert scheme.label_type("GPE") == {"text": "GPE", "background_color": "#2e9e48", "text_color": "#000000",
                                        "prefix_key": None, "suffix_key": "g"}


def test_placeholders_are_escaped_outside_code_only():
    text = "link <entity-id> = `<text>`\n\n```\nauthor @<start>:<end>\n```\nsee ``a <b> c`` and <x>"
    assert escape_placeholders(text) == ("link &lt;entity-id> = `<text>`\n\n```\nauthor @<start>:<end>\n```\n"
                                         "see ``a <b> c`` and &lt;x>")


def test_the_guideline_sent_keeps_every_placeholder_in_code_or_escaped():
    sent = guideline(REPO)
    assert sent.startswith("# newsspans annotation guidelines")
    assert "| `“mixed”` | mixed quote | `x` |" in sent
    # No raw `<word>` is left outside code: the viewer would take it for a tag.
    outside = re.sub(r"^```.*?^```$|`+[^`]*`+", "", sent, flags=re.MULTILINE | re.DOTALL)
    assert not re.search(r"<[A-Za-z]", outside)
    assert "&lt;" not in "".join(re.findall(r"`[^`]*`", sent))
