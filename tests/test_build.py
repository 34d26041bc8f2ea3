"""`newsspans build`: one command regenerates every generated file; `--check` names the stale
ones and writes nothing; a release is refused while the build is not green."""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspans.curation.release import release
from newsspans.errors import ExportError, ReleaseError
from newsspans.export import loadcheck
from newsspans.export.features import arrow_schema
from newsspans.export.refresh import refresh, release_blockers

from conftest import REPO, snapshot

GAPS = REPO / "tests" / "fixtures" / "gaps"
DAY = "2026-12-01"


@pytest.fixture
def built(gaps):
    refresh(gaps)
    return gaps


def _edit_gold(root, doc_id, change):
    path = root / "annotations" / doc_id / "gold.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_build_writes_every_generated_file_then_loads_them(gaps, cli):
    result = cli("build", "--root", gaps)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for name in ("exports/documents/train-00000-of-00001.parquet", "croissant.json", "README.md",
                 "DATASHEET.md", "docs/index.html", "docs/documents/mini-quiet-harbour.html"):
        assert f"wrote {name}" in lines
    assert lines.count("wrote README.md") == 1
    assert "claims/validation: 3 rows" in lines and "documents/train: 2 rows" in lines
    assert result.stderr == "built; every config loads\n"
    datasheet = (gaps / "DATASHEET.md").read_text(encoding="utf-8")
    assert "Documents: **3** (2 train, 1 validation)" in datasheet
    again = cli("build", "--root", gaps, "--check")
    assert (again.exit_code, again.stderr) == (0, "every generated file is fresh; every config loads\n")


def test_check_names_each_stale_file_and_writes_nothing(built, cli):
    _edit_gold(built, "mini-brittany-storm", lambda d: d.update(quotes=d["quotes"][:1]))
    before = snapshot(built)
    result = cli("build", "--root", built, "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "exports/documents/train-00000-of-00001.parquet: stale",
        "exports/quotes/train-00000-of-00001.parquet: stale",
        "croissant.json: stale",
        "README.md: YAML front matter stale",
        "README.md: generated block 'splits' stale",
        "DATASHEET.md: statistics stale",
        "README.md: statistics stale",
        "docs/documents/mini-brittany-storm.html: out of date",
        "docs/index.html: out of date"]
    assert result.stderr == "9 stale items: run `newsspans build`\n"
    assert snapshot(built) == before
    assert cli("build", "--root", built).exit_code == 0
    assert cli("build", "--root", built, "--check").exit_code == 0


def test_an_invalid_corpus_builds_nothing(built, cli):
    _edit_gold(built, "mini-brittany-storm", lambda d: d["entities"][0].update(end=10_000))
    before = snapshot(built)
    result = cli("build", "--root", built)
    assert result.exit_code == 1
    assert "corpus is invalid" in result.stderr
    assert snapshot(built) == before


def test_comparison_sites_present_are_refreshed_and_checked(built, cli):
    annotators = built / "annotations" / "mini-tromso-schools" / "annotators"
    annotators.mkdir()
    shutil.copy2(REPO / "tests" / "fixtures" / "mini" / "annotations" / "mini-tromso-schools"
                 / "annotators" / "alice.json", annotators / "alice.json")
    assert cli("build", "--root", built).exit_code == 0   # the statistics count her layer
    assert not (built / "docs" / "compare").exists()     # no site of hers until asked for
    assert cli("render", "--root", built, "--compare", "alice").exit_code == 0
    assert cli("build", "--root", built, "--check").exit_code == 0
    page = built / "docs" / "compare" / "alice" / "documents" / "mini-tromso-schools.html"
    page.write_text("stale", encoding="utf-8")
    result = cli("build", "--root", built, "--check")
    assert result.stdout.splitlines() == [
        "docs/compare/alice/documents/mini-tromso-schools.html: out of date"]
    assert "wrote docs/compare/alice/documents/mini-tromso-schools.html" in \
        cli("build", "--root", built).stdout.splitlines()


def test_committed_agreement_reports_are_refreshed_and_checked(built, cli):
    annotators = built / "annotations" / "mini-tromso-schools" / "annotators"
    annotators.mkdir()
    shutil.copy2(REPO / "tests" / "fixtures" / "mini" / "annotations" / "mini-tromso-schools"
                 / "annotators" / "alice.json", annotators / "alice.json")
    assert cli("agreement", "--doc", "mini-tromso-schools", "--write", "--root", built).exit_code == 0
    assert cli("build", "--root", built).exit_code == 0
    assert cli("build", "--root", built, "--check").exit_code == 0
    layer = json.loads((annotators / "alice.json").read_text(encoding="utf-8"))
    layer["claims"] = layer["claims"][:-1]   # alice now agrees on one claim fewer
    (annotators / "alice.json").write_text(json.dumps(layer, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    result = cli("build", "--root", built, "--check")
    assert result.exit_code == 1
    assert "annotations/mini-tromso-schools/agreement.json: stale" in result.stdout.splitlines()
    rebuilt = cli("build", "--root", built)
    assert "wrote annotations/mini-tromso-schools/agreement.json" in rebuilt.stdout.splitlines()
    assert cli("build", "--root", built, "--check").exit_code == 0


def test_check_load_failing_fails_the_build(built, monkeypatch, cli):
    def broken(root):
        raise ExportError("loading the exports back failed: claims/train: injected")
    monkeypatch.setattr(loadcheck, "check_load", broken)
    result = cli("build", "--root", built, "--check")
    assert (result.exit_code, result.stderr) == (
        1, "Error: loading the exports back failed: claims/train: injected\n")


# The release gate ------------------------------------------------------------------------
def _declare_the_empty_train_split(root):
    """The broken build of the issue: an empty claims/train shard, declared in the card
    (what export wrote before a split with no rows was left out)."""
    path = root / "exports" / "claims" / "train-00000-of-00001.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=arrow_schema("claims")), path)
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    declared = "  - split: validation\n    path: exports/claims/validation-*.parquet\n"
    assert declared in text
    readme.write_text(text.replace(
        declared, "  - split: train\n    path: exports/claims/train-*.parquet\n" + declared, 1),
        encoding="utf-8")


def test_a_release_is_refused_while_the_build_is_broken_and_writes_nothing(built, cli):
    _declare_the_empty_train_split(built)
    before = snapshot(built)
    result = cli("release", "--root", built)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: the build is not green, nothing released: run `newsspans build` and "
        "`newsspans lint`, then release:",
        "stale: exports/claims/train-00000-of-00001.parquet: extra (no longer produced by the corpus)",
        "stale: README.md: YAML front matter stale"]
    assert snapshot(built) == before
    assert cli("build", "--root", built).exit_code == 0
    released = cli("release", "--root", built)
    assert released.exit_code == 0, released.output
    assert released.stdout.startswith("release v0.1.0 (initial)\n")
    assert cli("build", "--root", built, "--check").exit_code == 0   # the release left it green


def test_a_release_is_refused_when_check_load_fails(built, monkeypatch):
    def broken(root):
        raise ExportError("loading the exports back failed: claims: injected")
    monkeypatch.setattr(loadcheck, "check_load", broken)
    assert release_blockers(built) == [
        "check-load: loading the exports back failed: claims: injected"]
    before = snapshot(built)
    with pytest.raises(ReleaseError, match="check-load: loading the exports back failed"):
        release(built, today=DAY)
    assert snapshot(built) == before


def test_a_release_is_refused_for_lint_findings_in_the_gold_only(built):
    # A quote that ends with its framing comma, in the gold: a finding that blocks.
    text = (built / "corpus" / "mini-brittany-storm" / "v1.txt").read_text(encoding="utf-8")

    def comma(data):
        quote = data["quotes"][1]
        quote["end"] += 1
        quote["text"] = text[quote["start"]:quote["end"]]
    _edit_gold(built, "mini-brittany-storm", comma)
    refresh(built)
    blockers = release_blockers(built)
    assert len(blockers) == 1 and blockers[0].startswith(
        "lint: annotations/mini-brittany-storm/gold.json (mini-brittany-storm@1) $.quotes[1].end: "
        "[direct-comma]")
    # The same finding in an annotator's layer (working material) does not block.
    gold = built / "annotations" / "mini-brittany-storm" / "gold.json"
    annotators = gold.parent / "annotators"
    annotators.mkdir()
    shutil.copy2(gold, annotators / "bob.json")
    shutil.copy2(GAPS / "annotations" / "mini-brittany-storm" / "gold.json", gold)
    refresh(built)
    assert release_blockers(built) == []


def test_make_build_and_make_test_use_the_build_command():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    build = makefile[makefile.index("\nbuild:"):].split("\n\n")[0]
    test = makefile[makefile.index("\ntest:"):].split("\n\n")[0]
    assert "$(CLI) build --root ." in build
    assert "$(CLI) build --check --root ." in test
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
