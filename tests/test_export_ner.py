"""The `ner` config: spaCy tokens and sentences, BIO tags, and the seqeval round trip."""

import shutil

import pytest
from hypothesis import given, settings, strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from newsspans.model import labels
from newsspans.export.build import export_corpus
from newsspans.export.features import NER_TAGS
from newsspans.model.annotations import Mention
from newsspans.export.ner import (is_tagged_kind, misaligned_mentions, ner_rows, spacy_sentences,
                           tagged_mentions)
from newsspans.export.rows import is_annotated, iter_versions

from conftest import MINI, REPO


def decode(rows):
    """(start, end, label) of every entity seqeval finds in the rows' BIO tags."""
    found = set()
    for row in rows:
        tags = [NER_TAGS[t] if isinstance(t, int) else t for t in row["ner_tags"]]
        for label, first, last in get_entities(tags):
            found.add((row["token_starts"][first], row["token_ends"][last], label))
    return found


def spans(mentions):
    return {(m.start, m.end, m.label) for m in mentions}


def _m(text, sub, label, kind="NAM", occurrence=0, mid="m"):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(sub, start + 1)
    return Mention(f"{mid}{start}", start, start + len(sub), sub, label, kind,
                   None if label in labels.VALUE_TYPES else "x")


@pytest.mark.parametrize("root", [REPO, MINI], ids=["repo", "mini"])
def test_seqeval_decodes_exactly_the_named_and_value_mentions(root):
    checked = 0
    for dv in iter_versions(root):
        if not is_annotated(dv):
            continue
        mentions = dv.gold.entities
        assert decode(ner_rows(dv.text, mentions)) == spans(tagged_mentions(mentions))
        # What BIO cannot carry is exactly the mentions nested in (or crossing) a tagged one.
        kept = tagged_mentions(mentions)
        for m in mentions:
            if is_tagged_kind(m) and m not in kept:
                assert any(k.start <= m.start < k.end or k.start < m.end <= k.end for k in kept)
        checked += 1
    assert checked > 0


def test_the_seed_reports_no_mention_inside_a_spacy_token():
    for dv in iter_versions(REPO):
        if is_annotated(dv):
            assert misaligned_mentions(dv.text, dv.gold.entities) == []


def test_a_mention_inside_a_token_is_reported_and_split_out():
    text = "Talks in mid-2024, @AFP reported.\n"
    year = _m(text, "2024", "DATE")
    afp = _m(text, "AFP", "ORG")
    assert misaligned_mentions(text, [year, afp]) == [(year, 13), (afp, 20)]
    (row,) = ner_rows(text, [year, afp])
    assert row["tokens"] == ["Talks", "in", "mid-", "2024", ",", "@", "AFP", "reported", "."]
    assert [NER_TAGS[t] for t in row["ner_tags"]] == [
        "O", "O", "O", "B-DATE", "O", "O", "B-ORG", "O", "O"]
    assert decode([row]) == spans([year, afp])


def test_nested_mentions_the_outermost_wins():
    text = "They met in Kim Il Sung Square on Wednesday.\n"
    square = _m(text, "Kim Il Sung Square", "FAC")
    person = _m(text, "Kim Il Sung", "PERSON")
    date = _m(text, "Wednesday", "DATE")
    nominal = _m(text, "Square", "FAC", kind="NOM")
    assert tagged_mentions([person, nominal, date, square]) == [square, date]
    (row,) = ner_rows(text, [person, square, date, nominal])
    assert [NER_TAGS[t] for t in row["ner_tags"]] == [
        "O", "O", "O", "B-FAC", "I-FAC", "I-FAC", "I-FAC", "O", "B-DATE", "O"]


def test_sentences_never_cross_paragraphs():
    text = "Red carpet\n\nPutin arrived. Kim waited\n\nin the rain.\n"
    sentences = spacy_sentences(text)
    paragraphs = [(0, 10), (12, 37), (39, 51)]
    for tokens in sentences:
        assert any(a <= tokens[0][0] and tokens[-1][1] <= b for a, b in paragraphs)
    assert [[text[s:e] for s, e in t] for t in sentences] == [
        ["Red", "carpet"], ["Putin", "arrived", "."], ["Kim", "waited"], ["in", "the", "rain", "."]]


def test_sentences_that_a_mention_straddles_are_joined():
    text = "He flew to St. Petersburg. Then home.\n"
    city = _m(text, "St. Petersburg", "GPE")
    rows = ner_rows(text, [city])
    assert decode(rows) == spans([city])
    assert any("St." in r["tokens"] and "Petersburg" in r["tokens"] for r in rows)
    assert [r["sentence"] for r in rows] == list(range(len(rows)))


def test_rows_of_the_loaded_ner_config_decode_to_the_gold(tmp_path):
    import datasets
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    export_corpus(root)
    loaded = datasets.load_dataset(str(root), "ner", cache_dir=str(tmp_path / "cache"))
    for dv in iter_versions(root):
        rows = [r for split in loaded.values() for r in split if r["doc_id"] == dv.doc_id]
        assert decode(rows) == spans(tagged_mentions(dv.gold.entities))


_WORDS = st.sampled_from(["Putin", "Kim's", "U.S.", "2024", "12%", "$4", "mutual-defence",
                          "Zoë", "👍🏽", "e\u0301t\u00e9", "שלום", "Pyongyang,", "(AFP)", "—",
                          "treaty.", "said:", "\"full", "support\""])


@st.composite
def _texts_and_mentions(draw):
    paragraphs = draw(st.lists(st.lists(_WORDS, min_size=1, max_size=12), min_size=1, max_size=4))
    text = "\n\n".join(" ".join(words) for words in paragraphs) + "\n"
    mentions = []
    for i in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(text) - 2))
        end = draw(st.integers(start + 1, min(len(text) - 1, start + 30)))
        piece = text[start:end]
        if piece != piece.strip() or "\n" in piece:
            continue
        label = draw(st.sampled_from(labels.ENTITY_TYPES))
        kind = draw(st.sampled_from(labels.MENTION_KINDS))
        mentions.append(Mention(f"m{i}", start, end, piece, label, kind, None))
    return text, mentions


@settings(max_examples=150, deadline=None)
@given(_texts_and_mentions())
def test_any_mentions_round_trip_through_bio(case):
    text, mentions = case
    rows = ner_rows(text, mentions)
    assert decode(rows) == spans(tagged_mentions(mentions))
    for row in rows:
        assert [text[s:e] for s, e in zip(row["token_starts"], row["token_ends"])] == row["tokens"]
        assert all(t.strip() == t and t for t in row["tokens"])
