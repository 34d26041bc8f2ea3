"""Annotation files <-> Doccano records, without a server."""

from pathlib import Path

import pytest

from newsspans.errors import InvalidCorpus

from newsspans.store.layout import Layout
from newsspans.doccano import scheme
from newsspans.doccano.convert import from_doccano, to_doccano
from newsspans.model.labels import AUTHOR_ID
from newsspans.model.annotations import AnnotationFile

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini"
SEED_ID = "afp-20240619-putin-kim-defence-treaty"

TROMSO = "mini-tromso-schools"


def _gold(root, doc_id):
    corpus = Layout(root)
    gold = AnnotationFile.fromdict(corpus.read_json(corpus.gold_path(doc_id)))
    return gold, corpus.text(doc_id, gold.version)


def _canonical(layers):
    """Layers with ids replaced by the offsets they point at: equal iff nothing was lost."""
    spans = {m.id: (m.start, m.end) for m in layers["entities"]}
    quotes = {q.id: (q.start, q.end) for q in layers["quotes"]}
    return (
        sorted((m.start, m.end, m.text, m.label, m.mention, m.entity) for m in layers["entities"]),
        sorted((q.start, q.end, q.text, q.kind, spans.get(q.speaker), q.cue) for q in layers["quotes"]),
        sorted((c.start, c.end, c.text, c.claimant if c.claimant == AUTHOR_ID else spans.get(c.claimant),
                quotes.get(c.quote), c.checkworthy, c.category) for c in layers["claims"]),
    )


@pytest.mark.parametrize("root, doc_id", [(MINI, TROMSO), (MINI, "mini-brittany-storm"), (REPO, SEED_ID)])
def test_gold_survives_the_round_trip_without_local_help(root, doc_id):
    gold, text = _gold(root, doc_id)
    records = to_doccano(gold, text)
    read = from_doccano(text, records["entities"], records["relations"], [records["comment"]], gold=None)
    assert read.rejected == [] and read.notes == []
    assert _canonical(read.layers) == _canonical({k: getattr(gold, k) for k in read.layers})
    # With gold at hand the ids come back too, so adopt can report real changes; with the
    # layer the user was given, its links and author claimants, with no comment at all.
    with_ids = from_doccano(text, records["entities"], records["relations"], [], gold, base=gold).layers
    for layer in with_ids:
        assert sorted(with_ids[layer], key=lambda x: x.id) == sorted(getattr(gold, layer), key=lambda x: x.id)


def test_a_user_given_nothing_inherits_no_link():
    gold, text = _gold(MINI, TROMSO)
    records = to_doccano(gold, text)
    layers = from_doccano(text, records["entities"], records["relations"], [], gold).layers
    assert [m.entity for m in layers["entities"]] == [None] * len(gold.entities)
    assert all(c.claimant != AUTHOR_ID for c in layers["claims"])


def test_offsets_after_an_emoji_are_utf16_in_doccano():
    gold, text = _gold(MINI, TROMSO)
    records = to_doccano(gold, text)
    tromso = next(m for m in gold.entities if m.text == "Tromsø")
    span = next(s for s in records["entities"] if s["label"] == "GPE"
                and s["start_offset"] == len(text[:tromso.start].encode("utf-16-le")) // 2)
    assert span["start_offset"] > tromso.start  # the emoji before it count twice


def test_every_label_parses_back():
    for name in scheme.span_labels():
        layer, _ = scheme.parse_label(name)
        assert layer in ("entities", "quotes", "cue", "claims")
    assert scheme.parse_label("PERSON") == ("entities", {"label": "PERSON", "mention": "NAM"})
    assert scheme.parse_label("PERSON/PRO") == ("entities", {"label": "PERSON", "mention": "PRO"})
    assert scheme.parse_label("CLAIM-statistic-nocheck") == ("claims", {"category": "statistic",
                                                                         "checkworthy": False})
    with pytest.raises(ValueError, match="unknown span label 'PERSON/XYZ'"):
        scheme.parse_label("PERSON/XYZ")


TEXT = "Ann \U0001F389 said: rain is coming. She left."


def _span(sid, start, end, label):
    u = lambda i: len(TEXT[:i].encode("utf-16-le")) // 2  # noqa: E731
    return {"id": sid, "start_offset": u(start), "end_offset": u(end), "label": label}


def test_what_cannot_be_carried_is_reported_not_dropped():
    rain = TEXT.index("rain")
    spans = [_span(1, 0, 3, "PERSON"), _span(2, rain, rain + 15, "QUOTE-direct"),
             _span(3, TEXT.index("said"), TEXT.index("said") + 4, "CUE"),
             _span(4, TEXT.index("She"), TEXT.index("She") + 3, "PERSON/PRO"),
             _span(5, 0, 3, "NOT-A-LABEL"), {"id": 6, "start_offset": 5, "end_offset": 8, "label": "CUE"}]
    relations = [{"from_id": 2, "to_id": 1, "type": "speaker"}, {"from_id": 2, "to_id": 4, "type": "speaker"},
                 {"from_id": 1, "to_id": 4, "type": "claimant"}]
    comments = ["free text is fine", "link nobody = Zed", "link too few words"]
    read = from_doccano(TEXT, spans, relations, comments)
    text = "\n".join(r["reason"] for r in read.rejected)
    assert "unknown span label 'NOT-A-LABEL'" in text
    assert "splits the surrogate pair" in text
    assert "has two 'speaker' relations" in text
    assert "relation 'claimant' joins a entities span" in text
    assert "CUE span [6:10] 'said' belongs to no quote" in text
    assert "comment 2 line 1: no mention 'Zed' to apply `link` to" in text
    assert "comment 3: line 1 'link too few words' is not a `link` line" in text
    # Each is kept with what Doccano sent; the rest is read.
    kinds = sorted((r["kind"], r["doccano"].get("label") or r["doccano"].get("type") or r["doccano"]["line"])
                   for r in read.rejected)
    assert kinds == [("directive", "link nobody = Zed"), ("directive", "link too few words"),
                     ("relation", "claimant"), ("relation", "speaker"), ("span", "CUE"), ("span", "CUE"),
                     ("span", "NOT-A-LABEL")]
    (quote,) = read.layers["quotes"]
    assert quote.speaker == read.layers["entities"][0].id and quote.cue is None


def test_salvage_keeps_good_work_and_rejects_what_validation_refuses(mini):
    """A speaker that cannot speak and a registry link to nowhere: cut and kept; all else written."""
    from newsspans import Corpus
    from newsspans.doccano.salvage import salvage
    from newsspans.validation.checks import check_pending, link_findings
    corpus = Corpus.open(mini)
    doc = corpus.document(TROMSO)
    gold, text = _gold(mini, TROMSO)
    records = to_doccano(gold, text)
    date = next(s for s in records["entities"] if s["label"] == "DATE")
    quote = next(s for s in records["entities"] if scheme.parse_label(s["label"])[0] == "quotes")
    records["relations"] = [r for r in records["relations"]
                            if not (r["type"] == "speaker" and r["from_id"] == quote["id"])]
    records["relations"].append({"id": 99, "from_id": quote["id"], "to_id": date["id"], "type": "speaker"})
    first = next(m for m in gold.entities if m.label == "GPE")
    comment = f"link nowhere @{first.start}:{first.end}\nthanks, an easy one"
    read = from_doccano(text, records["entities"], records["relations"], [comment], gold, base=gold)
    file = f"annotations/{TROMSO}/annotators/bob.json"
    data = {"doc_id": TROMSO, "version": 1, "sha256": gold.sha256,
            "provenance": {"annotators": ["bob"], "method": "doccano", "created": "2026-01-01",
                           "modified": "2026-01-01"},
            **{k: [x.asdict() for x in read.layers[k]] for k in ("entities", "quotes", "claims")}}
    texts = {v.number: v.text for v in doc.versions}

    def check(d):
        return check_pending(doc.metadata, texts, file, d, corpus.registry)

    kept, rejected, problems = salvage(data, read.origins, check, read.rejected)
    assert problems == []
    reasons = sorted((r["kind"], r["reason"].split(" ", 1)[0]) for r in rejected)
    assert reasons == [("link", "registry"), ("relation", "speaker")], rejected
    speaker = next(r for r in rejected if r["kind"] == "relation")
    assert speaker["doccano"]["id"] == 99 and speaker["annotation"]["speaker"] is not None
    assert len(kept["entities"]) == len(gold.entities) and len(kept["quotes"]) == len(gold.quotes)
    # The mention whose link was cut stays, unlinked: a finding, not a refusal.
    assert any(f"{first.text!r}" in message for _, message in link_findings(kept, corpus.registry))
    assert check(dict(kept, rejected=rejected, notes=[comment])) == []


def test_links_authors_trimming_and_gold_inheritance():
    she = TEXT.index("She")
    spans = [_span(1, 0, 4, "PERSON"), _span(2, she, she + 3, "PERSON/PRO"),
             _span(3, she, len(TEXT), "CLAIM-event")]
    gold = AnnotationFile(SEED_ID, 1, "0" * 64, {}, entities=())
    read = from_doccano(TEXT, spans, [], [f"link ann @{she}:{she + 3}\nauthor = She left."], gold)
    assert read.rejected == []
    assert read.notes == ["span 'PERSON' [0:4] (UTF-16): trimmed white space -> [0:3]"]
    ann, pronoun = read.layers["entities"]
    assert (ann.text, ann.entity, pronoun.entity, pronoun.mention) == ("Ann", None, "ann", "PRO")
    assert read.layers["claims"][0].claimant == AUTHOR_ID


def test_push_refuses_gold_that_does_not_match_its_text(mini):
    # Doccano checks no offset: push validates first and never connects with a defect.
    from newsspans.doccano.push import push
    path = mini / "annotations" / TROMSO / "gold.json"
    data = path.read_text(encoding="utf-8").replace('"speaker": "m9"', '"speaker": "m99"')
    path.write_text(data.replace('"end": 18,', '"end": 400,', 1), encoding="utf-8")
    with pytest.raises(InvalidCorpus) as caught:
        push(mini, conn=None, preannotate="gold")
    shown = [p.format() for p in caught.value.problems]
    assert any("$.entities[0].end: end 400 > len(text)" in s for s in shown), shown
    assert any("speaker 'm99' is not a mention id in this file" in s for s in shown), shown

def test_pull_writes_the_bytes_of_the_one_serialisation():
    """pull.serialise (orjson) and store.writing.dumps_json agree on every annotation file."""
    import json
    from newsspans.doccano.pull import serialise
    from newsspans.store.writing import dumps_json
    files = sorted(REPO.glob("tests/fixtures/**/annotations/**/*.json")) + sorted(REPO.glob("annotations/**/*.json"))
    assert len(files) > 5
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert serialise(data) == dumps_json(data), path
    odd = {"notes": ["\x00\x1f\x7f\u2028\u2029 \"quoted\" \\ 😀 \u0301"], "entities": [], "n": None, "t": True}
    assert serialise(odd) == dumps_json(odd)


def test_a_link_line_can_name_the_kth_occurrence_of_a_text():
    # "Moscow" the capital (moscow) and "Moscow" the government (russia): a text line links
    # every one, a `#k` line the one at the k-th occurrence, as a browser's find counts them.
    text = "Moscow said on Monday. Moscow is cold. Moscow answered."
    at = [i for i in range(len(text)) if text.startswith("Moscow", i)]
    spans = [{"id": n + 1, "start_offset": s, "end_offset": s + 6, "label": "GPE"} for n, s in enumerate(at)]
    gold = AnnotationFile(SEED_ID, 1, "0" * 64, {}, entities=())
    read = from_doccano(text, spans, [], ["link russia = Moscow\nlink moscow = Moscow #2"], gold)
    assert read.rejected == []
    assert [m.entity for m in read.layers["entities"]] == ["russia", "moscow", "russia"]
    # An offset line wins over a `#k` line for the same mention.
    read = from_doccano(text, spans, [], [f"link moscow = Moscow #2\nlink kremlin @{at[1]}:{at[1] + 6}"], gold)
    assert [m.entity for m in read.layers["entities"]] == [None, "kremlin", None]
    # An occurrence beyond the text, or one that is not a mention, is rejected with the reason.
    read = from_doccano(text, spans[:1], [], ["link moscow = Moscow #4\nlink moscow = Moscow #3"], gold)
    reasons = [r["reason"] for r in read.rejected]
    assert any("at occurrence 4 of 'Moscow' (the text occurs 3 times)" in r for r in reasons), reasons
    assert any("no mention at occurrence 3 of 'Moscow'" in r for r in reasons), reasons
    assert scheme.parse_directives("author = He left. #2")[0] == [
        {"kind": "author", "line": 1, "text": "He left.", "occurrence": 2}]


def test_a_duplicate_whose_export_line_was_refused_is_not_deleted():
    # Push deletes extra copies of an example that nobody worked on. A copy whose line in
    # Doccano's export was refused (malformed) may hold someone's work: it stays, a conflict.
    from newsspans.doccano.push import PushReport, _remove_duplicates
    from newsspans.doccano.records import Export

    class Conn:
        deleted = []

        def delete(self, path):
            self.deleted.append(path)
    exported = Export({"alice": []})
    exported.refused = {"alice": {12}}
    report, conn = PushReport(), Conn()
    _remove_duplicates(conn, 1, {("doc", 1): [{"id": 11}, {"id": 12}]}, exported, report)
    assert conn.deleted == [] and "carry work of alice" in report.conflicts[0]
    _remove_duplicates(conn, 1, {("doc", 1): [{"id": 11}, {"id": 13}]}, exported, report)
    assert conn.deleted == ["/v1/projects/1/examples/13"]
