import json

from hypothesis import given, strategies as st

from newsspans.model.annotations import AnnotationFile, Claim, Cue, Mention, Quote

from conftest import MINI


def test_annotation_files_round_trip_through_objects():
    for path in MINI.glob("annotations/*/**/*.json"):
        if path.name == "entities.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        assert AnnotationFile.fromdict(data).asdict() == data
        assert AnnotationFile.fromdict(AnnotationFile.fromdict(data).asdict()) == AnnotationFile.fromdict(data)


def test_references_resolve_to_the_objects_they_name():
    gold = AnnotationFile("d", 1, "0" * 64, {},
                          entities=(Mention("m1", 0, 3, "Ann", "PERSON", "NAM", "ann"),),
                          quotes=(Quote("q1", 10, 20, "I will go", "direct", "m1", Cue(4, 8, "said")),
                                  Quote("q2", 30, 40, "unspoken", "direct", None, None)),
                          claims=(Claim("c1", 11, 15, "will", "m1", "q1"),
                                  Claim("c2", 50, 55, "claim", "@author", None)))
    assert gold.speaker(gold.quotes[0]) is gold.entities[0]
    assert gold.speaker(gold.quotes[1]) is None
    assert gold.claimant(gold.claims[0]) is gold.entities[0]
    assert gold.claimant(gold.claims[1]) is None   # the author is no mention
    assert gold.quote_of(gold.claims[0]) is gold.quotes[0]
    assert gold.quote_of(gold.claims[1]) is None


_ids = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
_span = st.tuples(st.integers(0, 10_000), st.integers(1, 50), st.text(min_size=1, max_size=20))


@given(_ids, _span, st.sampled_from(["PERSON", "DATE"]), st.sampled_from(["NAM", "PRO"]),
       st.one_of(st.none(), _ids), st.booleans())
def test_layers_round_trip(ident, span, label, kind, ref, flag):
    start, length, text = span
    for obj in (Mention(ident, start, start + length, text, label, kind, ref),
                Quote(ident, start, start + length, text, "mixed", ref, Cue(start, start + 1, text) if flag else None),
                Claim(ident, start, start + length, text, ref, ref, flag, "statistic")):
        assert type(obj).fromdict(obj.asdict()) == obj
