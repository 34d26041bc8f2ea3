import json

from hypothesis import given, strategies as st

from newsspans.model.annotations import AnnotationFile, Claim, Cue, Mention, Quote, RegistryEntity, evolve

from conftest import MINI


def test_annotation_files_round_trip_through_objects():
    for path in MINI.glob("annotations/*/**/*.json"):
        if path.name == "entities.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        assert AnnotationFile.fromdict(data).asdict() == data
        assert AnnotationFile.fromdict(AnnotationFile.fromdict(data).asdict()) == AnnotationFile.fromdict(data)


def test_registry_entities_round_trip():
    for entity in json.loads((MINI / "annotations" / "entities.json").read_text(encoding="utf-8"))["entities"]:
        assert RegistryEntity.fromdict(entity).asdict() == entity


def test_evolve_makes_a_new_object_and_leaves_the_old_one():
    quote = Quote("q1", 0, 5, "hello", "direct", "m1", Cue(6, 10, "said"))
    moved = evolve(quote, start=1, end=6)
    assert (quote.start, moved.start, moved.cue) == (0, 1, quote.cue)


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
