"""dataset.yaml: the corpus's facts live in the corpus, not in the tool.

A second corpus (here the mini fixture) gets a card and croissant.json from its own
dataset.yaml, with no word of the seed article; a missing, malformed or off-schema
dataset.yaml is a located error, exit 1, and nothing is written.
"""

import json
import re

import pytest
import yaml

from newsspans.metadata.facts import FACTS, facts_problems, load_facts
from newsspans.validation.schemas import is_valid, validator

from conftest import MINI, REPO, snapshot

SEED_WORDS = ("Putin", "Kim", "Pyongyang", "AFP", "Agence France-Presse", "000_20f75d47f5764936",
              "heads of state", "newsspans-llm-1", "Russia", "Korea")


def _seed_words_in(text: str) -> list:
    return [w for w in SEED_WORDS if re.search(rf"\b{re.escape(w)}\b", text, re.I)]


# A second corpus ------------------------------------------------------------------------
def test_the_mini_corpus_card_and_croissant_say_its_own_facts_only(mini, cli):
    result = cli("export", "--root", mini)
    assert result.exit_code == 0, result.output
    readme = (mini / "README.md").read_text(encoding="utf-8")
    croissant = (mini / "croissant.json").read_text(encoding="utf-8")
    assert _seed_words_in(readme) == [] and _seed_words_in(croissant) == []
    front = yaml.safe_load(readme.split("---\n")[1])
    facts = yaml.safe_load((MINI / FACTS).read_text(encoding="utf-8"))
    assert front["pretty_name"] == facts["pretty_name"]
    assert (front["license"], front["license_details"]) == (facts["license"]["hub_id"],
                                                            facts["license"]["details"])
    assert front["annotations_creators"] == ["expert-generated"]
    data = json.loads(croissant)
    assert (data["name"], data["license"]) == ("mini-fixture", facts["license"]["url"])
    assert data["rai:dataBiases"] == facts["rai"]["biases"]
    assert data["rai:machineAnnotationTools"] == []
    # The tool's figures fill the braces; the data's figures come first.
    assert '("@author" = the author (publication))' in data["description"]
    assert data["rai:dataCollection"].startswith("2 documents; gold annotations: ")
    assert cli("export", "--root", mini, "--check").exit_code == 0


def test_the_mini_text_free_card_says_its_own_facts_only(mini, cli, tmp_path):
    result = cli("export", "--root", mini, "--without-text", "--out", tmp_path / "tf")
    assert result.exit_code == 0, result.output
    card = (tmp_path / "tf" / "README.md").read_text(encoding="utf-8")
    assert _seed_words_in(card) == []
    assert card.count("# mini-fixture (text-free)") == 1
    assert "left out to test the text-free distribution" in card


def test_the_repository_facts_are_valid_and_filled_in():
    facts = load_facts(REPO)
    assert facts_problems(REPO) == []
    assert "all 18 types" in facts["rai"]["annotation_protocol"]
    assert not re.search(r"\{[a-z_]+\}", json.dumps(facts))


def test_no_word_of_the_seed_article_in_the_package():
    found = {}
    for path in (REPO / "src").rglob("*.py"):
        words = _seed_words_in(path.read_text(encoding="utf-8")) + (
            ["seed"] if re.search(r"\bseed\b", path.read_text(encoding="utf-8"), re.I) else [])
        if words:
            found[path.relative_to(REPO).as_posix()] = words
    assert found == {}


def test_both_validators_know_the_dataset_schema():
    facts = yaml.safe_load((REPO / FACTS).read_text(encoding="utf-8"))
    assert is_valid("dataset", facts) and list(validator("dataset").iter_errors(facts)) == []
    facts["rai"]["biases"] = "one string"
    assert not is_valid("dataset", facts)
    [error] = validator("dataset").iter_errors(facts)
    assert error.json_path == "$.rai.biases"


# Bad dataset.yaml: located, exit 1, nothing written ------------------------------------
def _edit(text, old, new):
    assert text.count(old) == 1
    return text.replace(old, new)


_GOOD = (MINI / FACTS).read_text(encoding="utf-8")
BAD = {
    "not-yaml": (_GOOD + "rai: [unclosed\n").encode(),
    "not-a-mapping": b"- just\n- a list\n",
    "empty": b"",
    "wrong-type": _edit(_GOOD, "  biases: [The items are invented; they describe no real event.]",
                        "  biases: 3").encode(),
    "missing-field": _edit(_GOOD, "  not_for: Anything but tests.\n", "").encode(),
    "unknown-field": (_GOOD + "sponsor: nobody\n").encode(),
    "duplicate-key": (_GOOD + "name: again\n").encode(),
    "lone-surrogate": _edit(_GOOD, "  release_plan: The fixture changes with the tests.",
                            '  release_plan: "broken \\ud800 text"').encode(),
    "invalid-utf8": _edit(_GOOD, "Anything but tests.", "Anything \xff").encode("latin-1"),
    "bom": b"\xef\xbb\xbf" + _GOOD.encode(),
    "date": _edit(_GOOD, "  publication_date: Publication dates. Invented",
                  "  publication_date: 2024-06-19").encode(),
    "self-alias": _edit(_GOOD, "  biases: [The items are invented; they describe no real event.]",
                        "  biases: &loop [*loop]").encode(),
    "binary": (_GOOD.replace("  social_impact: None; the items are invented.\n",
                             "  social_impact: !!binary aGVsbG8=\n")).encode(),
}
LOCATED = {
    "not-yaml": r"dataset.yaml \$: invalid YAML: .* at line \d+ column \d+",
    "not-a-mapping": r"dataset.yaml \$: \['just', 'a list'\] is not of type 'object'",
    "empty": r"dataset.yaml \$: null is not of type 'object'",
    "wrong-type": r"dataset.yaml \$.rai.biases: 3 is not of type 'array'",
    "missing-field": r"dataset.yaml \$.rai: 'not_for' is a required property",
    "unknown-field": r"dataset.yaml \$: Additional properties are not allowed \('sponsor'",
    "duplicate-key": r"dataset.yaml \$: duplicate key 'name' at line \d+ column 1",
    "lone-surrogate": r"dataset.yaml \$.rai.release_plan: lone surrogate U\+D800 at character 7",
    "invalid-utf8": r"dataset.yaml \$: invalid UTF-8 at byte \d+",
    "bom": r"dataset.yaml \$: starts with a UTF-8 byte-order mark",
    "date": r"dataset.yaml \$.rai.publication_date: a YAML date has no JSON equivalent \(quote it",
    "self-alias": r"dataset.yaml \$: YAML nested too deeply, or an alias inside itself",
    "binary": r"dataset.yaml \$.rai.social_impact: a YAML bytes has no JSON equivalent",
}
COMMANDS = {"validate": ["validate"], "export": ["export"], "export-check": ["export", "--check"],
            "without-text": ["export", "--without-text"]}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_dataset_yaml_is_located_and_nothing_is_written(mini, cli, case, command):
    (mini / FACTS).write_bytes(BAD[case])
    before = snapshot(mini)
    result = cli(*COMMANDS[command], "--root", mini)
    assert result.exit_code == 1
    output = result.stdout + result.stderr
    assert re.search(LOCATED[case], output), output
    assert snapshot(mini) == before


def test_a_missing_dataset_yaml_is_named_by_export_only(mini, cli):
    (mini / FACTS).unlink()
    before = snapshot(mini)
    assert cli("validate", "--root", mini).exit_code == 0   # a corpus may be built before its card
    for args in (["export"], ["export", "--check"], ["export", "--without-text"]):
        result = cli(*args, "--root", mini)
        assert result.exit_code == 1
        assert "dataset.yaml $: missing: the dataset card and croissant.json are written from " \
               "this file" in result.stderr
    assert snapshot(mini) == before
    assert not (mini / "exports-text-free").exists()


def test_an_alias_bomb_is_measured_not_expanded(mini):
    # Nine lists of nine aliases, eleven deep: 3.6e11 values once expanded. It is refused
    # from the composed graph; a walk of the expansion would run for hours. A subprocess
    # with a time limit, so that a regression fails instead of hanging the suite.
    import subprocess
    import sys
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    path = mini / FACTS
    path.write_text(path.read_text(encoding="utf-8") + "bomb:\n" + "".join(f"  {line}\n" for line in lines),
                    encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "newsspans", "validate", "--root", mini],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stderr
    assert re.fullmatch(r"dataset\.yaml \$: its aliases expand it to 357,449,88\d,\d{3} values, over "
                        r"the limit of 100,000 \(an alias bomb\?\)\n", result.stdout), result.stdout


def test_a_sentence_written_once_and_reused_by_an_alias_is_fine():
    assert facts_problems(REPO) == []
    assert "&" in (REPO / FACTS).read_text(encoding="utf-8")   # the repository's facts use an anchor
