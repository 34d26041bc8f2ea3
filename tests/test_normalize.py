import re
import unicodedata

from hypothesis import given, settings, strategies as st

from newsspans.model.normalize import NORMALIZER_VERSION, normalize, paragraph_spans

from conftest import REPO, SEED_ID


def test_seed_v1_is_the_normalised_raw_text():
    folder = REPO / "corpus" / SEED_ID
    raw = (folder / "raw.txt").read_bytes().decode("utf-8")
    assert normalize(raw).encode("utf-8") == (folder / "v1.txt").read_bytes()


def test_seed_raw_is_the_received_article_untouched():
    raw = (REPO / "corpus" / SEED_ID / "raw.txt").read_bytes()
    # The article arrives hard-wrapped, with a leading space and stray blank lines.
    assert raw.startswith(b" Russian President Vladimir Putin signed")
    assert b"\n\n\n\n" in raw and raw.endswith(b"to the North.\n ")


def test_unwraps_lines_and_keeps_headings_as_paragraphs():
    raw = " First line\nwrapped  here.\n\n\nRed carpet\n\n  Next para\n continues.\n \n"
    assert normalize(raw) == "First line wrapped  here.\n\nRed carpet\n\nNext para continues.\n"


def test_composes_to_nfc_and_reads_every_line_break_style():
    assert normalize("Zoe\u0308\r\nline\rtwo\r\n\r\nnext") == "Zoë line two\n\nnext\n"


def test_drops_a_byte_order_mark_and_an_empty_text_stays_empty():
    assert normalize("\ufeffHello") == "Hello\n"
    assert normalize(" \n\n \t\n") == ""


def test_paragraph_spans_cover_each_paragraph():
    text = normalize("a b\nc\n\nd\n\n\ne f")
    assert [text[s:e] for s, e in paragraph_spans(text)] == ["a b c", "d", "e f"]


_texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
_newsy = st.lists(st.sampled_from(["Kim", " ", "\n", "\n\n", "\r\n", "e\u0301", "👨‍👩‍👧", "محمد",
                                   "\u200d", "\t", "\u2028", "'", '"', "—", "\ufeff", "\u0301"]),
                  max_size=40).map("".join)


@settings(max_examples=400)
@given(st.one_of(_texts, _newsy))
def test_normalize_is_idempotent_and_canonical(raw):
    once = normalize(raw)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\r" not in once and "\n\n\n" not in once
    assert once == "" or (once.endswith("\n") and not once.endswith("\n\n"))
    for start, end in paragraph_spans(once):
        assert once[start:end] == once[start:end].strip()


def test_normaliser_version_is_recorded_for_the_seed():
    import json
    doc = json.loads((REPO / "corpus" / SEED_ID / "document.json").read_text(encoding="utf-8"))
    assert doc["versions"][0]["normalization"] == NORMALIZER_VERSION


# The implementation before the speed-up (a regular expression for line breaks, a second
# NFC pass after joining), kept verbatim as the reference: any change to normalize must
# give byte-identical canonical text, or it is a new NORMALIZER_VERSION.
_REFERENCE_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x1c|\x1d|\x1e|\x85")


def _reference_nfc(text):
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def reference_normalize(raw: str) -> str:
    text = _reference_nfc(raw.replace("\ufeff", ""))
    paragraphs, current = [], []
    for line in _REFERENCE_LINE_BREAK.split(text):
        line = line.strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    if not paragraphs:
        return ""
    return _reference_nfc("\n\n".join(paragraphs)) + "\n"


# Characters where the two implementations could part: every line break and white space,
# combining marks of several classes (composing and not, reordering), Hangul jamo that
# compose as starters, two-starter compositions (Oriya, Tamil), composition exclusions,
# singletons, the byte-order mark, and letters they attach to.
_TRICKY = ["\r\n", "\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u2028",
           "\u2029", " ", "\t", "\u00a0", "\u3000", "\u200b", "\ufeff", "e", "A", "o", "\u0301",
           "\u0308", "\u0327", "\u0323", "\u0316", "\u031b", "\u0345", "\u05b0", "\u093c",
           "\u1100", "\u1161", "\u11a8", "\uac00", "\u0b47", "\u0b3e", "\u0b57", "\u0bc6",
           "\u0bbe", "\u0958", "\u212b", "\u2126", "\u0344", "\u1e0a", "\U0001d15e", "\U0001d165",
           "\u0340", "\u0f73", "\u3099", "\u304b", "\u0627", "\u0653", "\U0001f468\u200d"]
_tricky_texts = st.lists(st.sampled_from(_TRICKY), max_size=60).map("".join)
_any_texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=3000)
@given(st.one_of(_tricky_texts, _any_texts, _newsy))
def test_normalize_matches_the_reference_byte_for_byte(raw):
    assert normalize(raw).encode("utf-8") == reference_normalize(raw).encode("utf-8")


@settings(max_examples=1000)
@given(st.one_of(_any_texts, _tricky_texts))
def test_splitlines_breaks_where_the_reference_expression_does(text):
    parts = _REFERENCE_LINE_BREAK.split(text)
    if parts[-1] == "":
        parts.pop()   # splitlines has no empty piece after a final break (nor for "")
    assert text.splitlines() == parts


def test_normalize_matches_the_reference_on_the_benchmark_style_articles():
    for raw in ("Zoe\u0308\r\n\u0301x", "e\n\u0301", "\u1100\n\u1161", "\u0b47\n\u0b3e", "A\u0301 \n\u0327",
                "Ko\u0308nig\r\n  \u0308Ubung\n\n\n\ufeff\u0301", "\u212b\u2028\u0301\u2029a"):
        assert normalize(raw) == reference_normalize(raw)
