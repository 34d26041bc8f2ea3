"""Placing spans of an old text in a new one: diff, one-end anchor, context search."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsspans.curation.reanchor import CONTEXT, MIN_CONTEXT, Lost, Placed, TextMap, context, place_annotation, search

OLD = ("Putin arrived in Pyongyang before dawn on Wednesday.\n\n"
       "The two also visited an Orthodox Church in Pyongyang, it added.\n\n"
       "Kim said the summit on Wednesday was a success, he said.\n")


def place(old, new, needle, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = old.index(needle, start + 1)
    return TextMap(old, new).place(start, start + len(needle), needle)


def test_unchanged_text_maps_every_span_to_itself():
    start = OLD.index("Orthodox Church")
    assert start == 78
    assert place(OLD, OLD, "Orthodox Church") == Placed(78, 93, "diff")


def test_an_insertion_before_a_span_moves_it_by_the_insertion():
    new = "Breaking: " + OLD
    assert place(OLD, new, "Orthodox Church") == Placed(88, 103, "diff")


def test_a_corrected_figure_orphans_the_figure_and_keeps_its_neighbours():
    old = "There are roughly 28,000 US troops in South Korea.\n"
    new = "There are roughly 30,000 US troops in South Korea.\n"
    assert place(old, new, "28,000") == Lost("text '28,000' is no longer in the new version")
    assert place(old, new, "roughly 28,000 US troops").reason.startswith("text 'roughly 28,000")
    assert place(old, new, "US troops") == Placed(25, 34, "diff")
    assert place(old, new, "South Korea") == Placed(38, 49, "diff")


def test_a_word_of_a_deleted_sentence_does_not_jump_to_another_occurrence():
    new = OLD.replace("The two also visited an Orthodox Church in Pyongyang, it added.\n\n", "")
    lost = place(OLD, new, "Pyongyang", occurrence=1)
    assert lost == Lost("text 'Pyongyang' occurs once in the new version, but not in its old context")
    assert place(OLD, new, "Pyongyang", occurrence=0) == Placed(17, 26, "diff")


def test_a_moved_sentence_is_found_again_by_its_context():
    moved = "The two also visited an Orthodox Church in Pyongyang, it added."
    new = OLD.replace(moved + "\n\n", "") + "\n" + moved + "\n"
    placed = place(OLD, new, "Orthodox Church")
    assert new[placed.start:placed.end] == "Orthodox Church"
    assert placed.start == new.index("Orthodox Church")


def test_search_needs_the_old_context_on_one_side():
    new = "Kim and Putin met. Kim said hello.\n"
    # "Kim said" with its old suffix " the summit" gone and its old prefix gone too.
    assert search(new, "Kim said", "unrelated text before it here..", " the summit on Wednesday") == \
        Lost("text 'Kim said' occurs once in the new version, but not in its old context")
    placed = search(new, "Kim said", "and Putin met. ", " hello.\n")
    assert placed == Placed(19, 27, "search")


def test_search_refuses_when_two_places_fit_equally_well():
    new = "He said it was fine, he said.\nHe said it was fine, he said.\n"
    lost = search(new, "said", "He ", " it was fine, he said.")
    assert lost == Lost("text 'said' fits its old context equally well at [3:7], [33:37]: ambiguous")


def test_search_at_the_edge_of_the_text_needs_the_candidate_at_the_same_edge():
    new = "Kim spoke. Then Kim left.\n"
    assert search(new, "Kim", "", " said something else entirely") == Placed(0, 3, "search")
    lost = search("Then Kim left.\n", "Kim", "", " said something else entirely")
    assert isinstance(lost, Lost)


def test_an_insertion_inside_a_span_orphans_it():
    new = OLD.replace("Orthodox Church", "Orthodox cathedral Church")
    assert place(OLD, new, "Orthodox Church") == \
        Lost("text 'Orthodox Church' is no longer in the new version")


def test_an_insertion_that_repeats_the_start_of_a_span_is_placed_by_one_end():
    # Inserting "b" before "bc" reads equally as inserting it after the old "b".
    assert TextMap("abc", "abbc").place(1, 3, "bc") == Placed(2, 4, "anchor")
    assert TextMap("abc", "abbc").place(0, 2, "ab") == Placed(0, 2, "diff")


def test_offsets_are_code_points_across_emoji_and_combining_marks():
    old = "Ọ̀ṣun 👨‍👩‍👧 said Zoë left.\n"
    new = "🎉 " + old
    start = old.index("Zoë")
    assert TextMap(old, new).place(start, start + 3, "Zoë") == Placed(start + 2, start + 5, "diff")


def test_context_is_clipped_at_the_edges():
    assert context("abcdef", 1, 3) == ("a", "def")
    text = "x" * 100
    assert context(text, 50, 51) == ("x" * CONTEXT, "x" * CONTEXT)


def test_a_quote_is_orphaned_when_its_cue_cannot_be_placed():
    old = "We will win, she said on Monday.\n"
    new = "We will win, she declared on Monday.\n"
    quote = {"id": "q1", "start": 0, "end": 11, "text": "We will win", "kind": "direct",
             "speaker": "m1", "cue": {"start": 17, "end": 21, "text": "said"}}
    item, outcome = place_annotation(TextMap(old, new), "quotes", quote)
    assert item is None
    assert outcome.asdict() == {
        "layer": "quotes", "id": "q1", "status": "orphaned", "text": "We will win",
        "span": {"old": [0, 11], "new": None}, "cue": {"old": [17, 21], "new": None},
        "reason": "its cue: text 'said' is no longer in the new version"}


def test_a_quote_whose_cue_moved_is_moved():
    old = "We will win, she said on Monday.\n"
    new = "We will win, she said loudly on Monday.\n"
    quote = {"id": "q1", "start": 0, "end": 11, "text": "We will win", "kind": "direct",
             "speaker": "m1", "cue": {"start": 17, "end": 21, "text": "said"}}
    item, outcome = place_annotation(TextMap("Now. " + old, "Now. " + new), "quotes",
                                     dict(quote, start=5, end=16, cue=dict(quote["cue"], start=22, end=26)))
    assert outcome.status == "unchanged"
    item, outcome = place_annotation(TextMap(old, "Yes. " + new), "quotes", quote)
    assert (outcome.status, item["start"], item["cue"]["start"]) == ("moved", 5, 22)


# Properties --------------------------------------------------------------------------------
ALPHABET = st.sampled_from(list("ab c.\n") + ["é", "e\u0301", "🎉", "👨‍👩‍👧", "محمد", "ש"])
TEXTS = st.lists(ALPHABET, min_size=1, max_size=60).map("".join)


@st.composite
def edit_and_spans(draw):
    old = draw(TEXTS)
    a = draw(st.integers(0, len(old)))
    b = draw(st.integers(a, len(old)))
    inserted = draw(st.lists(ALPHABET, max_size=8).map("".join))
    new = old[:a] + inserted + old[b:]
    spans = []
    for _ in range(draw(st.integers(1, 6))):
        s = draw(st.integers(0, len(old) - 1))
        e = draw(st.integers(s + 1, len(old)))
        spans.append((s, e))
    return old, new, a, b, spans


def _touches(span, a, b):
    s, e = span
    if a == b:
        return s < a < e
    return s < b and a < e


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit_and_spans())
def test_edits_outside_spans_keep_every_span_with_its_text(case):
    old, new, a, b, spans = case
    textmap = TextMap(old, new)
    for s, e in spans:
        if _touches((s, e), a, b):
            continue
        placed = textmap.place(s, e, old[s:e])
        assert isinstance(placed, Placed), (old, new, s, e, placed)
        assert new[placed.start:placed.end] == old[s:e]


@st.composite
def separate_edits_and_spans(draw):
    """Several edits with at least 20 untouched characters between them.

    Without that gap two edits can be read another way ("ab" -> "ba" is as well "a" moved
    as "b" moved), and an untouched span may keep no context to be found by.
    """
    old = draw(st.lists(ALPHABET, min_size=40, max_size=120).map("".join))
    cuts = sorted(draw(st.lists(st.integers(0, len(old)), min_size=2, max_size=8)))
    cuts = cuts[:len(cuts) // 2 * 2]
    assume(all(cuts[i + 1] - cuts[i] >= 20 for i in range(1, len(cuts) - 1, 2)))
    edits = list(zip(cuts[::2], cuts[1::2]))
    pieces, at = [], 0
    for a, b in edits:
        pieces += [old[at:a], draw(st.lists(ALPHABET, max_size=6).map("".join))]
        at = b
    new = "".join(pieces) + old[at:]
    spans = [(s, draw(st.integers(s + 1, len(old))))
             for s in draw(st.lists(st.integers(0, len(old) - 1), min_size=1, max_size=6))]
    return old, new, edits, spans


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(separate_edits_and_spans())
def test_several_separate_edits_keep_every_span_they_do_not_touch(case):
    old, new, edits, spans = case
    textmap = TextMap(old, new)
    for s, e in spans:
        if any(_touches((s, e), a, b) for a, b in edits):
            continue
        placed = textmap.place(s, e, old[s:e])
        assert isinstance(placed, Placed), (old, new, s, e, placed)
        assert new[placed.start:placed.end] == old[s:e]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit_and_spans())
def test_edits_inside_a_span_orphan_it_or_keep_its_exact_text_found_unambiguously(case):
    old, new, a, b, spans = case
    textmap = TextMap(old, new)
    for s, e in spans:
        text = old[s:e]
        result = textmap.place(s, e, text)
        if text not in new:
            assert isinstance(result, Lost)
            continue
        if isinstance(result, Lost):
            continue
        assert new[result.start:result.end] == text
        if result.how == "search":
            # Found by its old context: it agrees with it, and no other occurrence that
            # agrees fits it as well.
            prefix, suffix = context(old, s, e)
            fits = {i: _fit(prefix, suffix, new, i, len(text))
                    for i in range(len(new)) if new.startswith(text, i)}
            score, agrees = fits.pop(result.start)
            assert agrees
            assert all(other < score for other, other_agrees in fits.values() if other_agrees)


def _fit(prefix, suffix, new, begin, n):
    """(characters of old context matched, whether one side agrees) for text at `begin`."""
    before, after = context(new, begin, begin + n)
    left, right = len(_common_tail(prefix, before)), len(_common_head(suffix, after))
    at_edge = (left == len(prefix) == len(before) < MIN_CONTEXT or
               right == len(suffix) == len(after) < MIN_CONTEXT)
    return left + right, max(left, right) >= MIN_CONTEXT or at_edge


def _common_head(x, y):
    n = 0
    while n < min(len(x), len(y)) and x[n] == y[n]:
        n += 1
    return x[:n]


def _common_tail(x, y):
    n = 0
    while n < min(len(x), len(y)) and x[-1 - n] == y[-1 - n]:
        n += 1
    return x[len(x) - n:]


WORD = st.sampled_from(["Kim", "said", "the", "treaty", "28,000", "Zoë", "Ọ̀ṣun", "🎉", "محمد", "on",
                        "Wednesday", "Pyongyang", "defence", "visit"])
PARAGRAPH = st.lists(WORD, min_size=8, max_size=16).map(" ".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PARAGRAPH, min_size=3, max_size=5), st.data())
def test_a_moved_paragraph_keeps_the_spans_its_context_identifies(paragraphs, data):
    old = "\n\n".join(paragraphs) + "\n"
    k = data.draw(st.integers(0, len(paragraphs) - 2))
    moved = paragraphs[:k] + paragraphs[k + 1:] + [paragraphs[k]]
    new = "\n\n".join(moved) + "\n"
    base_old = sum(len(p) + 2 for p in paragraphs[:k])
    base_new = sum(len(p) + 2 for p in moved[:-1])
    para = paragraphs[k]
    s = data.draw(st.integers(0, len(para) - 1))
    e = data.draw(st.integers(s + 1, len(para)))
    text = para[s:e]
    assume(text == text.strip())
    result = TextMap(old, new).place(base_old + s, base_old + e, text)
    if isinstance(result, Placed):
        assert new[result.start:result.end] == text
    # Inside its paragraph, with a whole side of context that travelled with it, and found
    # nowhere else with that context: it must be found at its new place.
    inner_side = max(s, len(para) - e)
    elsewhere = [i for i in range(len(new)) if new.startswith(text, i) and i != base_new + s]
    if inner_side >= CONTEXT and not elsewhere:
        assert result == Placed(base_new + s, base_new + e, result.how)
