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
