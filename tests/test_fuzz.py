"""Property tests over arbitrary Unicode: the export round trip, the Doccano offsets, and
validate on arbitrary bytes.

Texts mix Latin, emoji (outside the Basic Multilingual Plane), ZWJ sequences, combining
marks that NFC keeps apart, and right-to-left scripts. Example counts are in the
`settings` of each test (the export round trip is the slow one: every example exports a
corpus and loads it back with `datasets`).
"""

import json
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import MINI

from newsspans.model import labels
from newsspans.store.layout import Layout
from newsspans.doccano.convert import from_doccano, to_doccano
from newsspans.doccano.offsets import Utf16Index
from newsspans.export.build import export_corpus
from newsspans.store.writing import dumps_json
from newsspans.store.hashing import sha256_text
from newsspans.curation.ingest import ingest
from newsspans.model.annotations import AnnotationFile, Claim, Mention, Quote
from rowobjects import claim_from_row, layers_from_document_row, mention_from_row, quote_from_row
from newsspans.validation.validate import validate_corpus

EXPORT_EXAMPLES = 25
UTF16_EXAMPLES = 300
DOCCANO_EXAMPLES = 150
BYTES_EXAMPLES = 200

# Pieces that words are made of: each stays one piece under NFC.
PIECES = ["a", "Zoë", "😀", "👩\u200d👩\u200d👧", "🇫🇷", "q\u0301", "\u05e9\u05dc\u05d5\u05dd",
          "\u0645\u0631\u062d\u0628\u0627", "\u4e2d\u6587", "\U0001d11e", "x\u200dy", "1,5", "«»", "ß"]
WORDS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
PARAGRAPHS = st.lists(st.lists(WORDS, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3)
REGISTRY = [{"id": "e-person", "name": "Zoë 😀 שלום", "type": "PERSON", "wikidata": None},
            {"id": "e-org", "name": "مرحبا Org", "type": "ORG", "wikidata": None}]
LINKED = {"PERSON": "e-person", "ORG": "e-org"}


def _tokens(text):
    """(start, end) of every white-space-free token, in code points."""
    found, start = [], None
    for i, ch in enumerate(text + " "):
        if ch.isspace():
            if start is not None:
                found.append((start, i))
            start = None
        elif start is None:
            start = i
    return found


@st.composite
def annotated_texts(draw):
    """(canonical text, [entity dicts], [quote dicts], [claim dicts]) that validate."""
    text = unicodedata.normalize("NFC", "\n\n".join(draw(PARAGRAPHS))) + "\n"
    tokens = _tokens(text)
    # Half the examples put every item on a span of its own; the other half let items
    # share spans (two labels on one name, a claim on a quote's span), which Doccano
    # stores as separate spans at the same offsets.
    shared = draw(st.booleans())
    places = iter(draw(st.permutations(tokens)))

    def span():
        start, end = draw(st.sampled_from(tokens)) if shared else next(places)
        return {"start": start, "end": end, "text": text[start:end]}
    budget = 10 ** 6 if shared else len(tokens)
    entities = []
    for i in range(draw(st.integers(0, min(5, budget)))):
        label = draw(st.sampled_from(["PERSON", "ORG", "DATE", "CARDINAL", "MONEY"]))
        entities.append({"id": f"m{i}", **span(), "label": label, "mention": "NAM",
                         "entity": LINKED.get(label)})
    budget -= len(entities)
    speakers = [None] + [m["id"] for m in entities if m["label"] in labels.SPEAKER_TYPES]
    quotes = []
    for i in range(draw(st.integers(0, min(3, budget // 2)))):
        quotes.append({"id": f"q{i}", **span(), "kind": draw(st.sampled_from(labels.QUOTE_KINDS)),
                       "speaker": draw(st.sampled_from(speakers)),
                       "cue": span() if draw(st.booleans()) else None})
        budget -= 2
    claims = []
    for i in range(draw(st.integers(0, min(3, budget)))):
        claims.append({"id": f"c{i}", **span(),
                       "claimant": draw(st.sampled_from([labels.AUTHOR_ID] + speakers)),
                       "quote": None, "checkworthy": draw(st.booleans()),
                       "category": draw(st.sampled_from(labels.CLAIM_CATEGORIES))})
    return text, entities, quotes, claims


def _make_corpus(root, text, entities, quotes, claims):
    raw = root.parent / "raw.txt"
    raw.write_bytes(text.encode("utf-8"))
    ingest(root, raw, "fuzz-doc", publisher="Fuzz", rights_holder="nobody", rights_statement="CC0",
           split="train", today="2026-11-28")
    corpus = Layout(root)
    assert corpus.text("fuzz-doc", 1) == text, "the generator must produce canonical text"
    (root / "annotations" / "entities.json").write_bytes(
        dumps_json({"id_policy": "fuzz", "entities": REGISTRY}))
    gold_path = corpus.gold_path("fuzz-doc")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["provenance"].update(annotators=["fuzz"], method="manual")
    gold.update(entities=entities, quotes=quotes, claims=claims)
    gold_path.write_bytes(dumps_json(gold))
    shutil.copy2(MINI / "dataset.yaml", root / "dataset.yaml")   # the card's facts
    problems = validate_corpus(root)
    assert problems == [], "the generator made an invalid corpus: " + "; ".join(p.format() for p in problems)
    return AnnotationFile.fromdict(gold)


@settings(max_examples=EXPORT_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(annotated_texts())
def test_files_export_load_files_is_lossless(offline, data):
    datasets, _ = offline   # (the cache is per example, in its temporary folder)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus-root"
        gold = _make_corpus(root, *data)
        export_corpus(root)
        cache = str(Path(tmp) / "cache")
        docs = datasets.load_dataset(str(root), "documents", cache_dir=cache)["train"]
        (row,) = list(docs)
        assert row["text"] == data[0] and row["text_sha256"] == sha256_text(data[0])
        layers = layers_from_document_row(row, docs.features)
        assert AnnotationFile(row["doc_id"], row["version"], row["text_sha256"], gold.provenance,
                              **layers) == gold
        make = {"entities": mention_from_row, "quotes": quote_from_row, "claims": claim_from_row}
        for config, build in make.items():
            if not getattr(gold, config):
                # datasets refuses to load a config whose every split is empty ("corresponds
                # to no data"); the documents row above already showed the empty layer.
                continue
            loaded = datasets.load_dataset(str(root), config, cache_dir=cache)
            rows = [r for split in sorted(loaded) for r in loaded[split]]
            features = loaded["train"].features if "train" in loaded else None
            assert tuple(build(r, features) for r in rows) == getattr(gold, config)
            for r in rows:
                assert data[0][r["start"]:r["end"]] == r["text"]


TEXTS = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(blacklist_categories=("Cs",))),
                 max_size=40).map("".join)


@settings(max_examples=UTF16_EXAMPLES, deadline=None)
@given(TEXTS)
def test_code_points_to_utf16_and_back_is_lossless(text):
    index = Utf16Index(text)
    units = text.encode("utf-16-le")
    for offset in range(len(text) + 1):
        offset16 = index.to_utf16(offset)
        assert offset16 == len(text[:offset].encode("utf-16-le")) // 2
        assert index.to_codepoint(offset16) == offset
    assert index.to_utf16(len(text)) == len(units) // 2


@settings(max_examples=DOCCANO_EXAMPLES, deadline=None)
@given(annotated_texts())
def test_annotations_to_doccano_and_back_are_lossless(data):
    text, entities, quotes, claims = data
    gold = AnnotationFile("fuzz-doc", 1, sha256_text(text), {"method": "manual"},
                          tuple(Mention.fromdict(m) for m in entities),
                          tuple(Quote.fromdict(q) for q in quotes),
                          tuple(Claim.fromdict(c) for c in claims))
    sent = to_doccano(gold, text)
    units = text.encode("utf-16-le")
    for span in sent["entities"]:
        # What the browser widget would show for these UTF-16 offsets.
        shown = units[2 * span["start_offset"]:2 * span["end_offset"]].decode("utf-16-le")
        assert shown.strip() and shown in text
    read = from_doccano(text, sent["entities"], sent["relations"],
                        [sent["comment"]] if sent["comment"] else [], gold=gold)
    layers, problems = read.layers, read.rejected
    assert problems == []
    back = AnnotationFile(gold.doc_id, gold.version, gold.sha256, gold.provenance, **layers)
    assert _canonical(back) == _canonical(gold)


def test_two_items_on_one_span_keep_their_links():
    text = "Acme"
    gold = AnnotationFile("fuzz-doc", 1, sha256_text(text), {"method": "manual"}, (
        Mention("m0", 0, 4, "Acme", "PERSON", "NAM", "e-person"),
        Mention("m1", 0, 4, "Acme", "ORG", "NAM", "e-org")))
    sent = to_doccano(gold, text)
    read = from_doccano(text, sent["entities"], sent["relations"],
                        [sent["comment"]] if sent["comment"] else [], gold=gold)
    layers, problems = read.layers, read.rejected
    back = AnnotationFile(gold.doc_id, gold.version, gold.sha256, gold.provenance, **layers)
    assert (problems, _canonical(back)) == ([], _canonical(gold))


def test_two_claims_on_one_span_keep_their_claimants():
    text = "Acme"
    gold = AnnotationFile("fuzz-doc", 1, sha256_text(text), {"method": "manual"}, claims=(
        Claim("c0", 0, 4, "Acme", labels.AUTHOR_ID, None, False, "statistic"),
        Claim("c1", 0, 4, "Acme", None, None, False, "statistic")))
    sent = to_doccano(gold, text)
    read = from_doccano(text, sent["entities"], sent["relations"],
                        [sent["comment"]] if sent["comment"] else [], gold=gold)
    layers, problems = read.layers, read.rejected
    back = AnnotationFile(gold.doc_id, gold.version, gold.sha256, gold.provenance, **layers)
    assert (problems, _canonical(back)) == ([], _canonical(gold))


def _canonical(annotations):
    """Layers without ids (Doccano numbers its own), sorted: what must survive the trip."""
    mentions = {m.id: m for m in annotations.entities}
    quotes = {q.id: q for q in annotations.quotes}

    def key(item):
        return None if item is None else (item.start, item.end, item.text)

    def who(ref):
        return ref if ref in (None, labels.AUTHOR_ID) else key(mentions[ref])
    return (sorted(((key(m), m.label, m.mention, m.entity) for m in annotations.entities), key=repr),
            sorted(((key(q), q.kind, who(q.speaker), key(q.cue)) for q in annotations.quotes), key=repr),
            sorted(((key(c), who(c.claimant), key(quotes.get(c.quote)), c.checkworthy, c.category)
                    for c in annotations.claims), key=repr))


CORPUS_FILES = ["corpus/mini-tromso-schools/document.json", "corpus/mini-tromso-schools/v1.txt",
                "corpus/mini-tromso-schools/raw.txt", "annotations/mini-tromso-schools/gold.json",
                "annotations/entities.json"]


def _json_mutations():
    """Bytes near valid JSON: a real file with a slice replaced, or JSON of odd values."""
    odd = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                 st.text(max_size=5)),
                       lambda inner: st.one_of(st.lists(inner, max_size=3),
                                               st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                       max_leaves=10)
    return st.one_of(st.binary(max_size=200),
                     odd.map(lambda v: json.dumps(v).encode()),
                     st.tuples(st.integers(0, 2000), st.integers(0, 40), st.binary(max_size=12)))


@settings(max_examples=BYTES_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(CORPUS_FILES + ["annotations/mini-tromso-schools/annotators/fuzz.json"]),
       _json_mutations())
def test_validate_never_crashes_on_arbitrary_bytes(tmp_path_factory, name, mutation):
    base = tmp_path_factory.getbasetemp() / "validate-bytes"
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(MINI, base)
    target = base / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(mutation, tuple):
        at, length, insert = mutation
        data = target.read_bytes() if target.is_file() else b"{}"
        at = min(at, len(data))
        data = data[:at] + insert + data[at + length:]
    else:
        data = mutation
    target.write_bytes(data)
    problems = validate_corpus(base)
    for problem in problems:
        assert problem.format().startswith(problem.file)
    original = (MINI / name).read_bytes() if (MINI / name).is_file() else None
    if name.endswith(".txt") and data != original:
        assert problems, f"{name} changed, yet validate found nothing"
    if name.endswith(".json") and not _parses(data):
        assert any(p.file == name for p in problems), f"{name}: not JSON, yet not reported"


def _parses(data):
    try:
        json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True
