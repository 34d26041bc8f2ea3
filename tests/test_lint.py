"""newsspans lint: each check on small real snippets, the corpus walk, and the command."""

import json
import re
import shutil

import pytest
from hypothesis import given, strategies as st

from newsspans.errors import CorpusError, InvalidCorpus
from newsspans.validation.lint import Finding, lint_annotations, lint_corpus, quotation_pairs

from conftest import SEED_ID, snapshot

TEXT = ('Putin said Russia "does not rule out cooperation," adding that it was "fair."\n\n'
        '"It is really a breakthrough document," he said on Wednesday.\n\n'
        'Kim called Putin the "dearest friend" of roughly 28,000 people, according to RIA Novosti.')


def _find(surface, k, text):
    """Start of the k-th occurrence of `surface` as whole words."""
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text)][k]


def mention(mid, surface, label, kind="NAM", entity=None, k=0, text=TEXT):
    start = _find(surface, k, text)
    return {"id": mid, "start": start, "end": start + len(surface), "text": surface, "label": label,
            "mention": kind, "entity": entity}


def span(surface, k=0, text=TEXT):
    start = _find(surface, k, text)
    return {"start": start, "end": start + len(surface), "text": surface}


def quote(qid, surface, kind, speaker, cue, cue_k=0):
    return {"id": qid, **span(surface), "kind": kind, "speaker": speaker,
            "cue": span(cue, cue_k) if cue else None}


def claim(cid, surface, claimant, quote_id, category="evaluation"):
    return {"id": cid, **span(surface), "claimant": claimant, "quote": quote_id, "checkworthy": False,
            "category": category}


def clean():
    """An annotation of TEXT that follows the guidelines: no findings."""
    entities = [mention("m1", "Putin", "PERSON", entity="vladimir-putin"),
                mention("m2", "Russia", "GPE", entity="russia"),
                mention("m3", "he", "PERSON", "PRO", "vladimir-putin"),
                mention("m4", "Wednesday", "DATE"),
                mention("m5", "Kim", "PERSON", entity="kim-jong-un"),
                mention("m6", "Putin", "PERSON", entity="vladimir-putin", k=1),
                mention("m7", "28,000", "CARDINAL"),
                mention("m8", "RIA Novosti", "ORG", entity="ria-novosti")]
    quotes = [quote("q1", 'Russia "does not rule out cooperation,"', "mixed", "m1", "said"),
              quote("q2", 'it was "fair."', "mixed", "m1", "adding"),
              quote("q3", "It is really a breakthrough document", "direct", "m3", "said", 1),
              quote("q4", 'Putin the "dearest friend"', "mixed", "m5", "called"),
              quote("q5", 'Kim called Putin the "dearest friend" of roughly 28,000 people', "indirect", "m8",
                    "according to")]
    claims = [claim("c1", "It is really a breakthrough document", "m3", "q3"),
              claim("c2", "roughly 28,000 people", "m8", "q5", "statistic")]
    return {"entities": entities, "quotes": quotes, "claims": claims}


def lint(data):
    return lint_annotations(data, TEXT, "gold.json", "doc@1")


def checks(data):
    return [(f.check, f.path) for f in lint(data)]


def test_the_clean_annotation_has_no_findings():
    assert lint(clean()) == []


def test_a_finding_is_located_like_a_validation_problem():
    data = clean()
    data["quotes"][2]["speaker"] = None
    data["claims"][0]["claimant"] = None
    assert lint(data) == [Finding("unused-mention", "gold.json",
                                  "PRO mention 'he' [119:121] is neither a speaker nor a claimant: descriptions "
                                  "and pronouns are annotated only where they are", "$.entities[2]", "doc@1"),
                          Finding("no-speaker", "gold.json", "direct quote [80:116] has no speaker",
                                  "$.quotes[2].speaker", "doc@1")]
    assert lint(data)[1].format() == "gold.json (doc@1) $.quotes[2].speaker: [no-speaker] direct quote [80:116] has no speaker"


def test_same_surface_with_two_labels_reports_the_odd_one_out():
    data = clean()
    data["entities"][5] = dict(data["entities"][5], label="ORG", entity="ria-novosti")
    [finding] = lint(data)
    assert (finding.check, finding.path) == ("type-conflict", "$.entities[5].label")
    assert finding.message == "'Putin' [153:158] is ORG here but PERSON at $.entities[0] (1 of 2 mentions)"


def test_quotation_marks_without_a_quote_are_reported_with_their_offsets():
    data = clean()
    del data["quotes"][3:], data["claims"][1]
    [finding] = lint(data)
    assert finding.check == "uncovered-quotation"
    assert finding.message == "quotation marks [163:179] '\"dearest friend\"' are not covered by any quote"


def test_a_direct_quote_covers_its_marks_without_the_framing_comma():
    data = clean()
    data["quotes"][2]["end"] -= 1
    data["quotes"][2]["text"] = data["quotes"][2]["text"][:-1]
    assert checks(data) == [("uncovered-quotation", "$.quotes")]


def test_quote_without_cue_and_speaker_that_cannot_speak():
    data = clean()
    data["quotes"][3]["cue"] = None
    data["quotes"][0]["speaker"] = "m4"
    data["claims"][1]["claimant"] = "m7"
    found = checks(data)
    assert ("no-cue", "$.quotes[3].cue") in found
    assert ("speaker-type", "$.quotes[0].speaker") in found
    assert ("speaker-type", "$.claims[1].claimant") in found
    assert any(f.message == "speaker 'm4' is a DATE mention ('Wednesday'), which cannot speak" for f in lint(data))


def test_speaker_must_be_near_its_cue_and_outside_its_words():
    data = clean()
    data["quotes"][2]["speaker"] = "m1"  # Putin, two paragraphs up
    data["claims"][0]["claimant"] = "m1"
    data["entities"].append(mention("m9", "Russia", "GPE", entity="russia"))
    data["entities"][1] = dict(data["entities"][1], id="m2")
    data["quotes"][0]["speaker"] = "m2"  # Russia, inside its own quote
    found = checks(data)
    assert ("speaker-distance", "$.quotes[2].speaker") in found
    assert ("speaker-in-quote", "$.quotes[0].speaker") in found


def test_cue_inside_its_own_quote():
    data = clean()
    data["quotes"][4]["cue"] = span("called")
    assert ("cue-in-quote", "$.quotes[4].cue") in checks(data)


def test_quote_kinds_follow_the_marks():
    data = clean()
    data["quotes"][2]["kind"] = "indirect"
    data["quotes"][3]["kind"] = "indirect"
    data["quotes"][4]["kind"] = "direct"
    found = checks(data)
    assert ("quote-kind", "$.quotes[3].kind") in found  # quoted words nobody else covers
    assert ("quote-kind", "$.quotes[4].kind") in found  # direct, but no opening mark before it
    assert ("quote-kind", "$.quotes[2].kind") not in found  # no marks inside: fine as indirect
    data = clean()
    data["quotes"][0]["kind"] = "direct"
    data["quotes"][2]["kind"] = "mixed"
    found = checks(data)
    assert ("quote-kind", "$.quotes[0].kind") in found  # no opening mark right before it
    assert ("quote-kind", "$.quotes[0]") in found  # its marks are inside it
    assert ("quote-kind", "$.quotes[2].kind") in found  # mixed without any mark


def test_a_direct_quote_leaves_the_framing_comma_out():
    data = clean()
    data["quotes"][2].update(end=data["quotes"][2]["end"] + 1, text=data["quotes"][2]["text"] + ",")
    assert checks(data) == [("direct-comma", "$.quotes[2].end")]


def test_an_indirect_channel_quote_may_hold_quotes_nested_in_it():
    assert [f for f in lint(clean()) if f.path == "$.quotes[4].kind"] == []


def test_name_and_value_boundaries():
    text = "The United States and President Joe Biden's aides met roughly 28,000 voters before dawn."
    entities = [mention("m1", "The United States", "GPE", entity="us", text=text),
                mention("m2", "President Joe Biden's", "PERSON", entity="biden", text=text),
                mention("m3", "roughly 28,000", "CARDINAL", text=text),
                mention("m4", "before dawn", "TIME", text=text)]
    found = [(f.path, f.message) for f in lint_annotations({"entities": entities, "quotes": [], "claims": []}, text)]
    assert found == [
        ("$.entities[0]", "GPE name 'The United States' [0:17] starts with 'the'"),
        ("$.entities[1]", "PERSON name \"President Joe Biden's\" [22:43] ends with a possessive 's"),
        ("$.entities[1]", "PERSON name \"President Joe Biden's\" [22:43] starts with the title 'President', "
                          "which stays outside the name"),
        ("$.entities[2]", "CARDINAL 'roughly 28,000' [54:68] starts with 'roughly': approximators and "
                          "prepositions stay outside a value"),
        ("$.entities[3]", "TIME 'before dawn' [76:87] starts with 'before': approximators and prepositions "
                          "stay outside a value"),
    ]


def test_mention_kinds():
    data = clean()
    data["entities"][3]["mention"] = "NOM"  # Wednesday
    data["entities"][2]["mention"] = "NOM"  # he
    data["entities"][4]["mention"] = "PRO"  # Kim
    found = checks(data)
    assert ("mention-kind", "$.entities[3].mention") in found
    assert ("mention-kind", "$.entities[2].mention") in found
    assert ("mention-kind", "$.entities[4].mention") in found


def test_relative_pronouns_are_never_mentions():
    text = "Kim, who offered support, spoke."
    entities = [mention("m1", "who", "PERSON", "PRO", "kim", text=text)]
    quotes = [{"id": "q1", **span("support", text=text), "kind": "indirect", "speaker": "m1",
               "cue": span("offered", text=text)}]
    [finding] = lint_annotations({"entities": entities, "quotes": quotes, "claims": []}, text)
    assert finding.message == "PRO mention 'who' [5:8] is a relative pronoun, which is never annotated"


def test_claims_belong_to_the_innermost_quote_and_its_speaker():
    data = clean()
    data["claims"][0]["quote"] = None
    data["claims"][1]["claimant"] = "@author"
    found = checks(data)
    assert ("claim-quote", "$.claims[0].quote") in found
    assert ("claim-quote", "$.claims[1].claimant") in found
    data = clean()
    data["claims"].append(claim("c3", "dearest friend", "m8", "q5"))
    assert [f.message for f in lint(data) if f.check == "claim-quote"] == [
        "claim [164:178] names quote 'q5', but the innermost quote around it is 'q4'"]


def test_an_evaluation_is_never_checkworthy():
    data = clean()
    data["claims"][0]["checkworthy"] = True
    assert lint(data) == [Finding("checkworthy", "gold.json", "evaluation claim [80:116] is marked check-worthy: "
                                  "an arguable characterisation cannot be settled with evidence",
                                  "$.claims[0].checkworthy", "doc@1")]


def test_duplicates_are_reported():
    data = clean()
    data["entities"].append(dict(data["entities"][0], id="m99"))
    data["quotes"].append(dict(data["quotes"][0], id="q99"))
    found = checks(data)
    assert ("duplicate", "$.entities[8]") in found
    assert ("duplicate", "$.quotes[5]") in found


def test_quotation_pairs_straight_curly_and_unbalanced():
    text = 'a "b" c \u201cd\u201d e "f\n"g" h \u201ci'
    pairs, unmatched = quotation_pairs(text)
    assert pairs == [(2, 4), (8, 10), (17, 19)]
    assert unmatched == [14, 23]


def test_marks_never_pair_across_paragraphs():
    data = {"entities": [], "quotes": [], "claims": []}
    findings = lint_annotations(data, 'He said "yes\n\nno" today.')
    assert [f.check for f in findings] == ["unbalanced-quotation", "unbalanced-quotation"]
    assert findings[0].message == "quotation mark '\"' at offset 8 (paragraph 1) has no partner in its paragraph"


@given(st.text(alphabet=st.sampled_from('ab "\u201c\u201d\n\U0001F600\u0301'), max_size=60))
def test_quotation_pairs_account_for_every_mark(text):
    pairs, unmatched = quotation_pairs(text)
    used = [o for pair in pairs for o in pair] + unmatched
    assert sorted(used) == [i for i, ch in enumerate(text) if ch in '"\u201c\u201d']
    for open_, close in pairs:
        assert open_ < close and "\n" not in text[open_:close]


# The corpus walk and the command -------------------------------------------------------------
def _gold(root, doc):
    return root / "annotations" / doc / "gold.json"


def _edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_an_unmentioned_registry_entity_is_reported(mini):
    registry = mini / "annotations" / "entities.json"
    before = lint_corpus(mini)
    _edit(registry, lambda d: d["entities"].append(
        {"id": "nobody-at-all", "name": "Nobody", "type": "PERSON", "wikidata": None}))
    last = len(json.loads(registry.read_text(encoding="utf-8"))["entities"]) - 1
    assert [f for f in lint_corpus(mini) if f not in before] == [Finding(
        "unmentioned-entity", "annotations/entities.json",
        "PERSON 'nobody-at-all' (Nobody) is not linked by any mention in the corpus: remove it or "
        "annotate its mentions", f"$.entities[{last}]")]


def test_an_invalid_corpus_is_refused_with_its_problems_not_linted(mini):
    doc = sorted(p.name for p in (mini / "corpus").iterdir())[0]
    _edit(_gold(mini, doc), lambda d: d["quotes"].append({"id": "broken"}))
    with pytest.raises(InvalidCorpus) as err:
        lint_corpus(mini)
    assert err.value.problems[0].file == f"annotations/{doc}/gold.json"
    assert err.value.problems[0].path == f"$.quotes[{len(json.loads(_gold(mini, doc).read_text())['quotes']) - 1}]"


def test_the_command_reports_findings_exits_1_and_writes_nothing(cli, mini):
    doc = sorted(p.name for p in (mini / "corpus").iterdir())[0]
    _edit(_gold(mini, doc), lambda d: d["quotes"][0].update(cue=None))
    before = snapshot(mini)
    result = cli("lint", "--root", mini)
    assert result.exit_code == 1
    expected = [f.format() for f in lint_corpus(mini)]
    assert result.stdout.splitlines() == expected
    assert any("[no-cue]" in line for line in expected)
    assert result.stderr == f"{len(expected)} finding{'s' if len(expected) != 1 else ''}\n"
    as_json = cli("lint", "--root", mini, "--format", "json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == [f.asdict() for f in lint_corpus(mini)]
    assert snapshot(mini) == before


def test_the_command_exits_0_on_a_clean_corpus(cli, repo, tmp_path):
    root = tmp_path / "seed"
    shutil.copytree(repo / "corpus" / SEED_ID, root / "corpus" / SEED_ID)
    shutil.copytree(repo / "annotations" / SEED_ID, root / "annotations" / SEED_ID)
    shutil.copy(repo / "annotations" / "entities.json", root / "annotations" / "entities.json")
    result = cli("lint", "--root", root)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "clean\n")


def test_the_command_without_a_corpus_is_an_error(cli, tmp_path):
    result = cli("lint", "--root", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "no corpus/ folder" in result.stderr
    with pytest.raises(CorpusError):
        lint_corpus(tmp_path)


def test_invalid_json_is_refused_with_its_location(mini, cli):
    doc = sorted(p.name for p in (mini / "corpus").iterdir())[0]
    _gold(mini, doc).write_text('{"doc_id": ', encoding="utf-8")
    result = cli("lint", "--root", mini)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"annotations/{doc}/gold.json ({doc}) $: invalid JSON at "
                                             f"line 1 column 12: Expecting value")


def test_annotator_files_are_linted_too(mini):
    [path] = sorted((mini / "annotations").glob("*/annotators/*.json"))
    rel = path.relative_to(mini).as_posix()
    before = [f for f in lint_corpus(mini) if f.file == rel]
    _edit(path, lambda d: d["quotes"][0].update(cue=None))
    added = [f for f in lint_corpus(mini) if f.file == rel and f not in before]
    assert [(f.check, f.path) for f in added] == [("no-cue", "$.quotes[0].cue")]


# Scoping: --doc and --file ------------------------------------------------------------------
STORM, TROMSO = "mini-brittany-storm", "mini-tromso-schools"
ALICE = f"annotations/{TROMSO}/annotators/alice.json"


def test_lint_scoped_to_a_document_or_a_file_reports_only_their_findings(cli, mini):
    everything = lint_corpus(mini)
    assert {f.file for f in everything} >= {f"annotations/{STORM}/gold.json", ALICE}
    storm = lint_corpus(mini, docs=[STORM])
    assert storm == [f for f in everything if f.doc and f.doc.startswith(STORM + "@")]
    assert lint_corpus(mini, files=[ALICE]) == [f for f in everything if f.file == ALICE]
    both = lint_corpus(mini, docs=[STORM], files=[ALICE])
    assert both == [f for f in everything if f in storm or f.file == ALICE]
    result = cli("lint", "--doc", STORM, "--file", ALICE, "--format", "json", "--root", mini)
    assert result.exit_code == 1
    assert [d["file"] for d in json.loads(result.stdout)] == [f.file for f in both]


def test_lint_scoped_leaves_out_the_registry_findings(mini):
    registry = mini / "annotations" / "entities.json"
    data = json.loads(registry.read_text(encoding="utf-8"))
    data["entities"].append({"id": "nobody", "name": "Nobody", "type": "PERSON", "wikidata": None})
    registry.write_text(json.dumps(data), encoding="utf-8")
    assert any(f.check == "unmentioned-entity" for f in lint_corpus(mini))
    assert not any(f.check == "unmentioned-entity" for f in lint_corpus(mini, docs=[STORM]))


def test_lint_scoped_to_a_clean_file_is_clean(cli, mini):
    gold = mini / "annotations" / STORM / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["quotes"][1]["cue"] = None   # any finding outside the scoped file must not show
    gold.write_text(json.dumps(data), encoding="utf-8")
    result = cli("lint", "--file", ALICE, "--root", mini)
    assert all(line.startswith(ALICE) for line in result.stdout.splitlines())
    assert "no-cue" in cli("lint", "--doc", STORM, "--root", mini).stdout


@pytest.mark.parametrize("args, message", [
    (["--doc", "no-such-doc"], f"Error: no document 'no-such-doc' in corpus/ (documents: {STORM}, {TROMSO})"),
    (["--file", f"annotations/{TROMSO}/annotators/bob.json"],
     f"Error: --file annotations/{TROMSO}/annotators/bob.json: not an annotation file of the corpus "
     f"(annotation files: annotations/{TROMSO}/gold.json, {ALICE})"),
    (["--file", "README.md"], f"Error: --file README.md: not an annotation file of the corpus (annotation "
                              f"files: annotations/{STORM}/gold.json, annotations/{TROMSO}/gold.json, {ALICE})"),
])
def test_lint_scoped_to_what_does_not_exist_lists_what_does(cli, mini, args, message):
    result = cli("lint", *args, "--root", mini)
    assert result.exit_code == 1
    assert result.output.strip() == message
