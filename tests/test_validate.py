import json

import pytest

from newsspans.validation.validate import validate_corpus

from conftest import REPO, snapshot

BAD = REPO / "tests" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "expected.txt").is_file())


def test_the_repository_is_valid(cli):
    result = cli("validate", "--root", REPO)
    assert result.stdout == ""
    assert result.exit_code == 0


def test_the_mini_fixture_is_valid(cli, mini):
    result = cli("validate", "--root", mini)
    assert (result.exit_code, result.stdout) == (0, "")


def test_there_are_golden_bad_cases_for_every_defect_the_foundation_names():
    required = {"invalid-json", "wrong-type", "unknown-label", "offset-out-of-range",
                "offset-reversed", "text-mismatch", "duplicate-id", "dangling-reference",
                "wrong-sha256-pin", "raw-edited", "invalid-utf8", "bom", "crlf", "doc-id-escape"}
    assert required <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_case_exits_1_with_its_located_message_and_writes_nothing(cli, case):
    root = BAD / case
    before = snapshot(root)
    result = cli("validate", "--root", root)
    assert result.stdout == (root / "expected.txt").read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert snapshot(root) == before


@pytest.mark.parametrize("case", CASES)
def test_bad_case_json_lists_the_same_problems(cli, case):
    result = cli("validate", "--root", BAD / case, "--format", "json")
    problems = json.loads(result.stdout)
    assert result.exit_code == 1
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert [f"{p['file']}{' (' + p['doc'] + ')' if p['doc'] else ''} {p['path']}: {p['message']}"
            for p in problems] == expected


def test_every_problem_is_reported_not_only_the_first(mini):
    gold = mini / "annotations" / "mini-tromso-schools" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    for mention in data["entities"][:10]:
        mention["end"] += 1000
    gold.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    problems = validate_corpus(mini)
    assert [p.path for p in problems] == [f"$.entities[{i}].end" for i in range(10)]
    assert all("> len(text)" in p.message for p in problems)


def test_a_mention_across_a_paragraph_break_is_a_problem(mini):
    text = (mini / "corpus" / "mini-brittany-storm" / "v1.txt").read_text(encoding="utf-8")
    gold = mini / "annotations" / "mini-brittany-storm" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    start = text.index("Report")
    end = text.index("Heavy") + len("Heavy")
    data["entities"].append({"id": "m99", "start": start, "end": end, "text": text[start:end],
                             "label": "EVENT", "mention": "NAM", "entity": None})
    gold.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    [problem] = validate_corpus(mini)
    assert problem.path == f"$.entities[{len(data['entities']) - 1}]"
    assert "crosses a paragraph boundary" in problem.message


def test_an_annotation_file_on_an_old_version_is_a_problem_unless_pending(mini):
    doc_path = mini / "corpus" / "mini-brittany-storm" / "document.json"
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    v1 = (mini / "corpus" / "mini-brittany-storm" / "v1.txt").read_bytes()
    (mini / "corpus" / "mini-brittany-storm" / "v2.txt").write_bytes(v1)
    doc["versions"].append(dict(doc["versions"][0], version=2, file="v2.txt", note="same text"))
    doc_path.write_text(json.dumps(doc), encoding="utf-8")
    [problem] = validate_corpus(mini)
    assert "pinned to version 1, but the latest is 2" in problem.message
    doc["reanchor_pending"] = True
    doc_path.write_text(json.dumps(doc), encoding="utf-8")
    assert validate_corpus(mini) == []


def test_a_claim_outside_its_quote_and_a_value_linked_to_the_registry(mini):
    gold = mini / "annotations" / "mini-tromso-schools" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["claims"][0]["quote"] = "q2"
    monday = next(m for m in data["entities"] if m["text"] == "Monday")
    monday["entity"] = "tromso"
    gold.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    messages = [p.message for p in validate_corpus(mini)]
    assert any("is not inside its quote 'q2'" in m for m in messages)
    assert any("DATE mention [" in m and "is a value" in m for m in messages)


def test_a_missing_corpus_folder_is_one_clear_problem(tmp_path, cli):
    result = cli("validate", "--root", tmp_path)
    assert result.exit_code == 1
    assert result.stdout == "corpus $: no corpus/ folder here (is --root the corpus repository?)\n"


def test_usage_error_exits_2(cli):
    assert cli("validate", "--format", "yaml").exit_code == 2


def test_a_huge_file_is_refused_before_it_is_read(mini, cli):
    gold = mini / "annotations" / "mini-brittany-storm" / "gold.json"
    with open(gold, "r+b") as handle:           # sparse: no disk is used
        handle.truncate(65 * 1024 * 1024)
    result = cli("validate", "--root", mini)
    assert result.exit_code == 1
    assert result.stdout == ("annotations/mini-brittany-storm/gold.json (mini-brittany-storm) $: "
                             "68157440 bytes is over the limit of 67108864 bytes for one corpus file\n")


def test_at_least_forty_bad_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("value, shown", [("true", "true"), ("false", "false"), ("null", "null")])
def test_json_values_are_named_as_json_not_python(mini, value, shown):
    path = mini / "annotations" / "mini-tromso-schools" / "gold.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entities"][0]["end"] = json.loads(value)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    problems = validate_corpus(mini)
    assert [p.path for p in problems] == ["$.entities[0].end"]
    assert problems[0].message.startswith(f"{shown} is not of type 'integer'"), problems[0].message
