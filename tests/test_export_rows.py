"""Rows <-> annotation objects through Arrow, for any annotations hypothesis can make."""

import pyarrow as pa
from hypothesis import given, settings, strategies as st

from newsspans.model import labels
from newsspans.export.features import arrow_schema, features
from newsspans.model.annotations import AnnotationFile, Claim, Cue, Mention, Quote
from newsspans.export.rows import DocumentVersion, document_row, layer_rows
from rowobjects import claim_from_row, layers_from_document_row, mention_from_row, quote_from_row

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
IDS = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
REGISTRY = {"putin": {"id": "putin", "name": "Vladimir Putin", "type": "PERSON", "wikidata": "Q7747"},
            "afp": {"id": "afp", "name": "Agence France-Presse", "type": "ORG", "wikidata": None}}


@st.composite
def annotation_files(draw):
    offsets = st.integers(0, 10_000)
    mentions = []
    for i in range(draw(st.integers(0, 5))):
        start = draw(offsets)
        mentions.append(Mention(f"m{i}", start, start + draw(st.integers(1, 50)), draw(TEXT),
                                draw(st.sampled_from(labels.ENTITY_TYPES)),
                                draw(st.sampled_from(labels.MENTION_KINDS)),
                                draw(st.sampled_from([None, "putin", "afp"]))))
    speakers = st.sampled_from([None] + [m.id for m in mentions])
    quotes = []
    for i in range(draw(st.integers(0, 3))):
        start = draw(offsets)
        cue = draw(st.one_of(st.none(), st.builds(lambda s, t: Cue(s, s + len(t), t), offsets, TEXT)))
        quotes.append(Quote(f"q{i}", start, start + 5, draw(TEXT),
                            draw(st.sampled_from(labels.QUOTE_KINDS)), draw(speakers), cue))
    claims = []
    for i in range(draw(st.integers(0, 3))):
        start = draw(offsets)
        claims.append(Claim(f"c{i}", start, start + 3, draw(TEXT),
                            draw(st.sampled_from([None, labels.AUTHOR_ID] + [m.id for m in mentions])),
                            draw(st.sampled_from([None] + [q.id for q in quotes])),
                            draw(st.booleans()), draw(st.sampled_from(labels.CLAIM_CATEGORIES))))
    return AnnotationFile(draw(st.from_regex(r"[a-z0-9][a-z0-9-]{2,20}", fullmatch=True)),
                          draw(st.integers(1, 9)), "0" * 64, {"method": "manual"},
                          tuple(mentions), tuple(quotes), tuple(claims))


def _version(gold):
    return DocumentVersion(gold.doc_id, gold.version, "train", "text", gold.sha256, None,
                           "AFP", None, "en", gold)


@settings(max_examples=100, deadline=None)
@given(annotation_files())
def test_documents_rows_round_trip_through_arrow(gold):
    row = document_row(_version(gold), layer_rows(_version(gold), REGISTRY))
    (back,) = pa.Table.from_pylist([row], schema=arrow_schema("documents")).to_pylist()
    layers = layers_from_document_row(back, features("documents"))
    assert AnnotationFile(back["doc_id"], back["version"], back["text_sha256"],
                          gold.provenance, **layers) == gold


@settings(max_examples=100, deadline=None)
@given(annotation_files())
def test_flat_rows_round_trip_through_arrow(gold):
    layers = layer_rows(_version(gold), REGISTRY)
    key = {"doc_id": gold.doc_id, "version": gold.version}
    make = {"entities": mention_from_row, "quotes": quote_from_row, "claims": claim_from_row}
    for config, build in make.items():
        table = pa.Table.from_pylist([{**key, **r} for r in layers[config]], schema=arrow_schema(config))
        assert tuple(build(r, features(config)) for r in table.to_pylist()) == getattr(gold, config)


def test_the_author_as_claimant_has_a_fixed_id_and_name():
    gold = AnnotationFile("doc", 1, "0" * 64, {}, claims=(
        Claim("c1", 0, 3, "abc", labels.AUTHOR_ID, None, True, "evaluation"),))
    (row,) = layer_rows(_version(gold), REGISTRY)["claims"]
    assert (row["claimant_id"], row["claimant_entity_id"], row["claimant_name"]) == (
        "@author", None, "the author (publication)")


def test_speaker_names_resolve_through_the_mention():
    he = Mention("m1", 0, 2, "He", "PERSON", "PRO", "putin")
    gold = AnnotationFile("doc", 1, "0" * 64, {}, entities=(he,),
                          quotes=(Quote("q1", 3, 9, "quoted", "direct", "m1", Cue(10, 14, "said")),))
    (row,) = layer_rows(_version(gold), REGISTRY)["quotes"]
    assert (row["speaker_id"], row["speaker_entity_id"], row["speaker_name"]) == (
        "m1", "putin", "Vladimir Putin")
