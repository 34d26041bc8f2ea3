"""The gold annotations of the seed article: valid, lint-clean, complete, and as the guidelines decide."""

import json
import re
from collections import Counter

import pytest

from newsspans.model import labels
from newsspans.store.hashing import sha256_bytes
from newsspans.validation.lint import lint_corpus
from newsspans.validation.validate import validate_corpus

from conftest import REPO, SEED_ID

GOLD_FILE = f"annotations/{SEED_ID}/gold.json"
REGISTRY_FILE = "annotations/entities.json"
TEXT = (REPO / "corpus" / SEED_ID / "v1.txt").read_text(encoding="utf-8")
GOLD = json.loads((REPO / GOLD_FILE).read_text(encoding="utf-8"))
REGISTRY = {e["id"]: e for e in json.loads((REPO / REGISTRY_FILE).read_text(encoding="utf-8"))["entities"]}
MENTIONS = {m["id"]: m for m in GOLD["entities"]}
QUOTES = {q["id"]: q for q in GOLD["quotes"]}


def at(context, surface=None, k=0):
    """(start, end) of `surface` inside the one occurrence of `context` in the text."""
    assert TEXT.count(context) == 1, context
    base = TEXT.index(context)
    if surface is None:
        return base, base + len(context)
    offset = -1
    for _ in range(k + 1):
        offset = context.index(surface, offset + 1)
    return base + offset, base + offset + len(surface)


def mention_at(context, surface=None):
    start, end = at(context, surface)
    found = [m for m in GOLD["entities"] if (m["start"], m["end"]) == (start, end)]
    assert len(found) == 1, (context, surface, found)
    return found[0]


def quote_with_cue(context, cue):
    start, end = at(context, cue)
    found = [q for q in GOLD["quotes"] if (q["cue"]["start"], q["cue"]["end"]) == (start, end)]
    assert len(found) == 1, (context, cue)
    return found[0]


def resolve(mention_id):
    return REGISTRY[MENTIONS[mention_id]["entity"]]


def test_gold_and_registry_validate():
    problems = [p for p in validate_corpus(REPO) if p.file in (GOLD_FILE, REGISTRY_FILE)]
    assert [p.format() for p in problems] == []


def test_gold_and_registry_lint_clean():
    findings = [f for f in lint_corpus(REPO) if f.file in (GOLD_FILE, REGISTRY_FILE)]
    assert [f.format() for f in findings] == []


def test_gold_is_pinned_to_version_1():
    document = json.loads((REPO / "corpus" / SEED_ID / "document.json").read_text(encoding="utf-8"))
    assert (GOLD["doc_id"], GOLD["version"]) == (SEED_ID, 1)
    assert GOLD["sha256"] == sha256_bytes((REPO / "corpus" / SEED_ID / "v1.txt").read_bytes())
    assert GOLD["sha256"] == document["versions"][0]["sha256"]


def test_provenance_tells_who_annotated_and_how():
    prov = GOLD["provenance"]
    assert prov["annotators"] == ["newsspans-llm-1", "newsspans-llm-2"]
    assert prov["method"] == "adjudicated"
    path, version = prov["guidelines"].split(", version ")
    assert (REPO / path).is_file()
    assert f"Version {version}." in (REPO / path).read_text(encoding="utf-8")
    assert f"annotations/{SEED_ID}/adjudication.jsonl" in prov["note"]
    first = prov["history"][0]   # the first pass, gold until the adjudication
    assert first["annotators"] == ["newsspans-llm-1"] and first["method"] == "manual"
    for words in ("AI language model", "Single annotator", "Not yet reviewed by a second annotator",
                  "not adjudicated"):
        assert words in first["note"]


def test_ids_are_numbered_in_text_order():
    for layer, prefix in (("entities", "m"), ("quotes", "q"), ("claims", "c")):
        items = GOLD[layer]
        assert [x["id"] for x in items] == [f"{prefix}{i}" for i in range(1, len(items) + 1)]
        assert [(x["start"], -x["end"]) for x in items] == sorted((x["start"], -x["end"]) for x in items)


def _counted(segment):
    return {name: int(n) for name, n in re.findall(r"([A-Za-z_]+) (\d+)", segment)}


def test_the_counts_in_the_first_pass_note_are_the_counts_of_the_first_pass():
    first = json.loads((REPO / "annotations" / SEED_ID / "annotators" / "newsspans-llm-1.json").read_text(encoding="utf-8"))
    assert first["provenance"] == GOLD["provenance"]["history"][0]
    match = re.search(r"Counts: entities (\d+) \((.*?); (.*?)\); quotes (\d+) \((.*?)\); "
                      r"claims (\d+) \((.*?); checkworthy (\d+)\)\.", first["provenance"]["note"])
    assert match, first["provenance"]["note"]
    n_ent, by_label, by_kind, n_quotes, by_qkind, n_claims, by_cat, n_check = match.groups()
    assert int(n_ent) == len(first["entities"])
    assert _counted(by_label) == Counter(m["label"] for m in first["entities"])
    assert _counted(by_kind) == Counter(m["mention"] for m in first["entities"])
    assert int(n_quotes) == len(first["quotes"])
    assert _counted(by_qkind) == Counter(q["kind"] for q in first["quotes"])
    assert int(n_claims) == len(first["claims"])
    assert _counted(by_cat) == Counter(c["category"] for c in first["claims"])
    assert int(n_check) == sum(c["checkworthy"] for c in first["claims"])


def test_every_pair_of_quotation_marks_is_inside_a_quote():
    # Independent of lint's pairing: AFP's straight quotes never span paragraphs here.
    pairs = [(m.start(), m.end()) for m in re.finditer(r'"[^"\n]*"', TEXT)]
    assert len(pairs) == TEXT.count('"') // 2 == 21
    for start, end in pairs:
        inner_start, inner_end = start + 1, end - 1
        while TEXT[inner_end - 1] in ",.":
            inner_end -= 1
        assert any(q["start"] <= inner_start and inner_end <= q["end"] for q in GOLD["quotes"]), TEXT[start:end]


def test_every_quote_has_a_speaker_and_cue_that_resolve():
    for q in GOLD["quotes"]:
        assert q["cue"] is not None and q["speaker"] is not None, q["id"]
        assert TEXT[q["cue"]["start"]:q["cue"]["end"]] == q["cue"]["text"]
        speaker = MENTIONS[q["speaker"]]
        assert speaker["label"] in labels.SPEAKER_TYPES
        assert REGISTRY[speaker["entity"]]["type"] == speaker["label"]


def test_every_claimant_resolves_and_claims_sit_in_their_speakers_quotes():
    for c in GOLD["claims"]:
        if c["claimant"] == labels.AUTHOR_ID:
            assert c["quote"] is None, c["id"]
            assert not any(q["start"] <= c["start"] and c["end"] <= q["end"] for q in GOLD["quotes"]), c["id"]
            continue
        assert resolve(c["claimant"])["type"] in labels.SPEAKER_TYPES
        quote = QUOTES[c["quote"]]
        assert quote["start"] <= c["start"] and c["end"] <= quote["end"]
        assert quote["speaker"] == c["claimant"]


def test_every_registry_entry_is_used_and_every_link_matches_its_type():
    linked = Counter(m["entity"] for m in GOLD["entities"] if m["entity"])
    assert set(linked) == set(REGISTRY)
    for m in GOLD["entities"]:
        if m["entity"]:
            assert REGISTRY[m["entity"]]["type"] == m["label"], m


def test_wikidata_ids_are_the_certain_ones():
    assert REGISTRY["vladimir-putin"]["wikidata"] == "Q7747"
    assert REGISTRY["kim-jong-un"]["wikidata"] == "Q56226"
    assert REGISTRY["russia"]["wikidata"] == "Q159"
    assert REGISTRY["north-korea"]["wikidata"] == "Q423"
    assert all(REGISTRY[i]["wikidata"] is None for i in ("vladimir-tikhonov", "kim-sung-bae", "two-koreas",
                                                          "russian-news-agencies"))


# Completeness --------------------------------------------------------------------------------
# Capitalised words that are not names under the guidelines: sentence-initial function words,
# the title "President" (2.3), the two headings (1), and parts of descriptions that are not names.
NOT_NAMES = {"The", "It", "They", "This", "President", "Red", "Arsenal", "Church", "Studies"}


def _covered(start, end, values_only=False):
    return any(m["start"] <= start and end <= m["end"] and
               (not values_only or m["label"] in labels.VALUE_TYPES) for m in GOLD["entities"])


def test_every_capitalised_word_is_in_a_mention_or_is_known_not_to_be_a_name():
    missed = {m.group() for m in re.finditer(r"[A-Z][A-Za-z]*", TEXT) if not _covered(*m.span())}
    assert missed == NOT_NAMES


def test_every_number_is_in_a_value_mention():
    for match in re.finditer(r"\d[\d,-]*\d|\d", TEXT):
        assert _covered(*match.span(), values_only=True), match.group()


@pytest.mark.parametrize("word, label", [("two", "CARDINAL"), ("first", "ORDINAL"), ("second", "ORDINAL"),
                                         ("Wednesday", "DATE"), ("today", "DATE"), ("Today", "DATE")])
def test_every_occurrence_of_a_value_word_is_annotated(word, label):
    for match in re.finditer(rf"\b{word}\b", TEXT):
        assert [m["label"] for m in GOLD["entities"] if (m["start"], m["end"]) == match.span()] == [label]


# The hard cases, as the guidelines decide them ------------------------------------------------
def test_titles_possessives_and_the_stay_outside_names():
    assert mention_at("Russian President Vladimir Putin", "Vladimir Putin")["label"] == "PERSON"
    assert mention_at("Russian President", "Russian")["label"] == "NORP"
    assert mention_at("with North Korea's", "North Korea")["entity"] == "north-korea"
    assert mention_at("The United States and its allies", "United States")["entity"] == "united-states"
    assert mention_at("commended the North", "North")["entity"] == "north-korea"
    assert mention_at("roughly 28,000", "28,000")["label"] == "CARDINAL"
    assert mention_at("before dawn", "dawn")["label"] == "TIME"


@pytest.mark.parametrize("context, surface, entity", [
    ("UN sanctions on Moscow.", "Moscow", "russia"),
    ("saying Moscow appreciated", "Moscow", "russia"),
    ("said Moscow and Pyongyang", "Moscow", "russia"),
    ("Moscow and Pyongyang were", "Pyongyang", "north-korea"),
    ("deal between Moscow and Pyongyang", "Pyongyang", "north-korea"),
    ("ally of Washington", "Washington", "united-states"),
    ("to visit Moscow", "Moscow", "moscow"),
    ("summit in Pyongyang", "Pyongyang", "pyongyang"),
    ("arrived in Pyongyang", "Pyongyang", "pyongyang"),
    ("The two Koreas", "Koreas", "two-koreas"),
])
def test_metonymy_keeps_gpe_and_links_to_the_referent(context, surface, entity):
    m = mention_at(context, surface)
    assert (m["label"], m["entity"]) == ("GPE", entity)


def test_nested_names():
    assert mention_at("Kim Il Sung Square")["label"] == "FAC"
    assert mention_at("Kim Il Sung Square", "Kim Il Sung")["entity"] == "kim-il-sung"
    assert mention_at("UN Security Council", "UN")["entity"] == "united-nations"
    assert mention_at("University of Oslo", "Oslo")["entity"] == "oslo"
    assert not any(m["text"] == "Korean" and m["start"] == at("Korean Peninsula")[0] for m in GOLD["entities"])


@pytest.mark.parametrize("context, cue, entity, kind", [
    ('satellites," he said', "he", "vladimir-putin", "PRO"),
    ('relations," he said', "he", "kim-jong-un", "PRO"),
    ('enthusiastically," he said', "he", "vladimir-tikhonov", "PRO"),
    ('Vietnam," he said', "he", "kim-sung-bae", "PRO"),
    ("Pyongyang, it added", "it", "ria-novosti", "PRO"),
])
def test_pronoun_speakers_are_annotated_and_resolve(context, cue, entity, kind):
    speaker = mention_at(context, cue)
    assert (speaker["mention"], speaker["entity"]) == (kind, entity)
    assert any(q["speaker"] == speaker["id"] for q in GOLD["quotes"])


def test_speech_through_a_channel_has_both_levels():
    channel = quote_with_cue("news agencies said.", "said")
    assert channel["kind"] == "indirect"
    assert resolve(channel["speaker"])["id"] == "russian-news-agencies"
    assert MENTIONS[channel["speaker"]]["mention"] == "NOM"
    inner = [q for q in GOLD["quotes"] if q is not channel
             and channel["start"] <= q["start"] and q["end"] <= channel["end"]]
    assert [(q["kind"], q["cue"]["text"], resolve(q["speaker"])["id"]) for q in inner] == [
        ("direct", "said", "vladimir-putin"), ("mixed", "adding", "vladimir-putin")]
    assert inner[0]["text"] == "It is really a breakthrough document"


def test_according_to_and_relative_pronoun_speakers():
    ria = quote_with_cue("according to state-run", "according to")
    assert MENTIONS[ria["speaker"]]["text"] == "RIA Novosti"
    offered = quote_with_cue("who offered his", "offered")
    assert MENTIONS[offered["speaker"]]["text"] == "Kim Jong Un"
    accused = quote_with_cue("have accused", "accused")
    assert (MENTIONS[accused["speaker"]]["text"], accused["kind"]) == ("United States", "indirect")


def test_heading_quotes_are_not_quotes_and_nested_marks_belong_to_the_outer_quote():
    heading = at("'Arsenal for autocracy'")
    assert not any(q["start"] < heading[1] and heading[0] < q["end"] for q in GOLD["quotes"])
    easley = quote_with_cue("said Leif-Eric", "said")
    assert "'arsenal for autocracy'" in easley["text"] and easley["kind"] == "mixed"


def test_the_flawed_sanctions_clause_is_annotated_as_the_text_states_it():
    start, end = at("which has triggered rafts of UN sanctions on Moscow")
    [claim] = [c for c in GOLD["claims"] if (c["start"], c["end"]) == (start, end)]
    assert (claim["claimant"], claim["category"], claim["checkworthy"]) == ("@author", "historical", True)
