"""The benchmark's corpus generator and harness, at sizes small enough for every test run.

No timing is asserted here: figures belong to `make bench`. These tests keep the
generator honest (deterministic, valid, realistic) and the harness runnable.
"""

import hashlib
import json
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from newsspans.model import labels
from newsspans.model.normalize import normalize

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import report  # noqa: E402
import run  # noqa: E402

DOCS = 30


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    generate.generate(DOCS, 7, out)
    return out


def _golds(root):
    return [json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((root / "annotations").glob("*/gold.json"))]


def _texts(root):
    return [p.read_text(encoding="utf-8") for p in sorted((root / "corpus").glob("*/v1.txt"))]


def test_same_seed_same_bytes_whatever_the_number_of_processes(synthetic, tmp_path):
    again = tmp_path / "again"
    generate.generate(DOCS, 7, again, jobs=2)
    assert _tree(again) == _tree(synthetic)


def test_another_seed_another_corpus(synthetic, tmp_path):
    other = tmp_path / "other"
    generate.generate(DOCS, 8, other)
    assert _texts(other) != _texts(synthetic)


def test_the_command_line_writes_the_corpus_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "c"
    cmd = [sys.executable, BENCH / "generate.py", "--docs", "3", "--seed", "2", "--out", out]
    first = subprocess.run(cmd, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "generated 3 documents" in first.stdout
    second = subprocess.run(cmd, capture_output=True, text=True)
    assert second.returncode == 1
    assert "already exists" in second.stderr
    assert not list(tmp_path.glob(".c.partial-*"))


def test_every_file_passes_newsspans_validate(synthetic, cli):
    result = cli("validate", "--root", synthetic)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_layout_is_the_repository_layout(synthetic):
    docs = sorted(p.name for p in (synthetic / "corpus").iterdir())
    assert len(docs) == DOCS
    for doc_id in docs:
        assert sorted(p.name for p in (synthetic / "corpus" / doc_id).iterdir()) == [
            "document.json", "raw.txt", "v1.txt"]
        assert (synthetic / "annotations" / doc_id / "gold.json").is_file()
    assert (synthetic / "annotations" / "entities.json").is_file()


def test_raw_files_are_wire_copies_that_normalise_to_the_canonical_text(synthetic):
    raws = [p.read_bytes().decode("utf-8") for p in sorted((synthetic / "corpus").glob("*/raw.txt"))]
    texts = _texts(synthetic)
    assert [normalize(r) for r in raws] == texts
    assert sum(r != t for r, t in zip(raws, texts)) == DOCS   # all hard-wrapped
    assert any("\r\n" in r for r in raws)
    assert any(not unicodedata.is_normalized("NFC", r) for r in raws)


def test_realistic_counts_per_document(synthetic):
    golds, texts = _golds(synthetic), _texts(synthetic)
    for gold, text in zip(golds, texts):
        assert 3500 <= len(text) <= 4600
        assert text.count("\n\n") >= 5               # paragraphs
        assert 50 <= len(gold["entities"]) <= 80
        assert 8 <= len(gold["quotes"]) <= 12
        assert 8 <= len(gold["claims"]) <= 12
        assert all(q["speaker"] and q["cue"] for q in gold["quotes"])


def test_every_label_kind_and_reference_style_occurs(synthetic):
    golds = _golds(synthetic)
    mentions = [m for g in golds for m in g["entities"]]
    claims = [c for g in golds for c in g["claims"]]
    quotes = [q for g in golds for q in g["quotes"]]
    assert {m["label"] for m in mentions} == set(labels.ENTITY_TYPES)
    assert {m["mention"] for m in mentions} == set(labels.MENTION_KINDS)
    assert {q["kind"] for q in quotes} == set(labels.QUOTE_KINDS)
    assert any(c["claimant"] == labels.AUTHOR_ID for c in claims)
    assert any(c["quote"] is not None for c in claims)
    assert any(c["claimant"] not in (None, labels.AUTHOR_ID) and c["quote"] is None for c in claims)
    registry = json.loads((synthetic / "annotations" / "entities.json").read_text(encoding="utf-8"))
    ids = {e["id"] for e in registry["entities"]}
    linked = [m["entity"] for m in mentions if m["entity"]]
    assert linked and set(linked) <= ids


def test_splits_are_a_mix(synthetic):
    splits = Counter(json.loads(p.read_text(encoding="utf-8"))["split"]
                     for p in (synthetic / "corpus").glob("*/document.json"))
    assert set(splits) == {"train", "validation", "test"}
    assert splits["train"] > splits["validation"]


def test_text_has_astral_characters_combining_marks_and_right_to_left_names(synthetic):
    text = "".join(_texts(synthetic))
    assert any(ord(c) > 0xFFFF for c in text)
    assert "\u1ecc\u0300" in text                      # Ọ̀: a combining mark NFC keeps
    assert any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
    spans = [m["text"] for g in _golds(synthetic) for m in g["entities"]]
    assert any(any(ord(c) > 0xFFFF for c in s) for s in spans)
    assert any(any(unicodedata.combining(c) for c in s) for s in spans)
    assert any(any(unicodedata.bidirectional(c) == "AL" for c in s) for s in spans)


def test_report_ratios_growth_and_targets():
    small = {"validate": report.entry(1000, 10, 2.0, 1.0, 100.0, "wall", cpu_ratio=3.5,
                                      incremental={"ratio": 0.5})}
    large = {"validate": report.entry(10000, 100, 30.0, 10.0, 2000.0, "wall", cpu_ratio=2.5)}
    assert large["validate"]["ratio"] == 3.0
    grown = report.growth({"1000": small, "10000": large})
    assert grown["validate"]["time_ratio"] == 15.0
    assert grown["validate"]["per_unit_growth"] == 1.5
    found = {(t["target"], t["where"]): t for t in report.targets({"1000": small, "10000": large}, grown)}
    wall = "validate wall time within 3x of the parse floor in as many processes"
    cpu = "validate CPU time within 3x of the parse floor's"
    incremental = "validate after one file changed within 2x a one-document validate plus a tree walk"
    assert found[wall, "N=10,000"]["holds"] is True and found[wall, "N=1,000"]["holds"] is True
    assert found[cpu, "N=1,000"]["holds"] is False and found[cpu, "N=10,000"]["holds"] is True
    assert found[incremental, "N=1,000"]["holds"] is True and found[incremental, "N=10,000"]["holds"] is None
    assert found["validate peak memory < 1024 MB", "N=10,000"]["holds"] is False
    assert found["validate grows linearly (1,000 -> 10,000 docs)", "wall time per unit of work"]["holds"] is False
    assert found["export within 2x of its floor", "N=10,000"]["holds"] is None
    table = report.table({"1000": small, "10000": large})
    assert "vs peer" in table and "3.50x" in table


def test_growth_compares_corpus_sizes_for_revise_and_skips_a_fixed_doccano_size():
    def both(op, seconds, **extra):
        return report.entry(extra.pop("docs", 1000), 10, seconds, 1.0, 50.0, "wall", **extra)
    small = {"revise": both("revise", 0.5, docs=1, corpus_docs=1000), "push": both("push", 100.0)}
    large = {"revise": both("revise", 0.6, docs=1, corpus_docs=10000), "push": both("push", 110.0)}
    grown = report.growth({"1000": small, "10000": large})
    assert set(grown) == {"revise"}
    assert (grown["revise"]["from_docs"], grown["revise"]["to_docs"]) == (1000, 10000)
    assert grown["revise"]["per_unit_growth"] == 1.2


def test_revised_text_changes_a_figure_and_adds_a_paragraph(synthetic):
    text = _texts(synthetic)[0]
    revised = run.revised_text(text)
    assert normalize(revised) == revised
    assert revised.count("\n\n") == text.count("\n\n") + 1
    assert revised != text


def test_harness_runs_end_to_end_at_a_tiny_size(tmp_path):
    results = tmp_path / "latest.json"
    proc = subprocess.run([sys.executable, BENCH / "run.py", "--docs", "4", "--cache", tmp_path / "cache",
                           "--results", results, "--doccano-docs", "0"],
                          capture_output=True, text=True, cwd=REPO, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["sizes"] == [4]
    assert {"cpu", "cores", "memory_gib", "python", "libraries"} <= set(data["machine"])
    for op in ("validate", "export", "load", "revise"):
        entry = data["operations"][op]
        assert {"docs", "spans", "seconds", "floor_seconds", "ratio", "peak_rss_mb"} <= set(entry)
        assert entry["seconds"] > 0 and entry["floor_seconds"] > 0 and entry["peak_rss_mb"] > 0, op
    assert "ratio" in proc.stdout and "machine:" in proc.stdout
    # validate and its floors run several times in turn; the fastest of each is kept.
    rounds = data["operations"]["validate"]["rounds"]
    assert {k: len(v) for k, v in rounds.items()} == {"floor": 3, "floor_parallel": 3, "validate": 3}
    assert data["operations"]["validate"]["cpu_seconds"] == round(min(r["cpu_seconds"] for r in rounds["validate"]), 2)
    # The revise step puts the cached document back exactly as generated.
    cached = tmp_path / "cache" / "docs-4-seed-1"
    fresh = tmp_path / "fresh"
    generate.generate(4, 1, fresh)
    assert {k: v for k, v in _tree(cached).items() if k.startswith(("corpus/", "annotations/"))} == \
           {k: v for k, v in _tree(fresh).items() if k.startswith(("corpus/", "annotations/"))}
