"""The annotation process and agreement figures in DATASHEET.md, the README and croissant.json
come from the committed agreement reports, and drift is caught by stats --check and export --check."""

import json

import pytest

from newsspans.curation.agreement import stale_reports, write_reports
from newsspans.errors import CorpusError
from newsspans.export.build import export_corpus
from newsspans.metadata import agreement_text
from newsspans.metadata.stats import BEGIN, END, stale_stats, write_stats
from newsspans.store.layout import Layout
from newsspans.store.writing import dumps_json

from conftest import REPO

TROMSO = "mini-tromso-schools"


def _second_pass(mini, category="event"):
    """bob: gold with its last claim categorised otherwise; the agreement report committed."""
    corpus = Layout(mini)
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    bob = json.loads(json.dumps(gold))
    bob["claims"][-1].update(category=category, checkworthy=True)
    bob["provenance"] = dict(bob["provenance"], annotators=["bob"], method="manual")
    corpus.annotator_path(TROMSO, "bob").write_bytes(dumps_json(bob))
    write_reports(mini, [TROMSO])


def _docs(mini, agreement=True):
    block = f"\n\n{agreement_text.BEGIN}\n{agreement_text.END}\n" if agreement else ""
    for name in ("DATASHEET.md", "README.md"):
        (mini / name).write_text(f"# {name}\n\n{BEGIN}\n{END}{block}", encoding="utf-8")


def test_no_report_no_block_needed(mini):
    _docs(mini, agreement=False)
    assert write_stats(mini) == ["DATASHEET.md", "README.md"]
    assert agreement_text.markdown(mini).startswith("No document has a second annotation yet")


def test_the_block_is_added_once_a_report_is_committed(mini):
    _second_pass(mini)
    _docs(mini, agreement=False)
    assert write_stats(mini) == ["DATASHEET.md", "README.md"]
    text = (mini / "DATASHEET.md").read_text(encoding="utf-8")
    assert text.count(agreement_text.BEGIN) == 1
    assert "\n## Inter-annotator agreement\n\n" + agreement_text.BEGIN in text
    assert stale_stats(mini) == []


def test_a_broken_block_is_an_error(mini):
    _second_pass(mini)
    _docs(mini, agreement=False)
    path = mini / "DATASHEET.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{agreement_text.BEGIN}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=f"DATASHEET.md: needs exactly one {agreement_text.BEGIN}"):
        write_stats(mini)


def test_the_block_says_the_report_and_drift_is_caught(mini, cli):
    _second_pass(mini)
    _docs(mini)
    write_stats(mini)
    text = (mini / "DATASHEET.md").read_text(encoding="utf-8")
    report = json.loads((mini / "annotations" / TROMSO / "agreement.json").read_text(encoding="utf-8"))
    pair = next(p for p in report["pairs"] if (p["a"], p["b"]) == ("alice", "bob"))
    claims = pair["layers"]["claims"]
    assert (f"| claims | {claims['all']['a']} / {claims['all']['b']} | {claims['all']['exact_f1']:.3f} | "
            f"{claims['all']['overlap_f1']:.3f} | {claims['span']['exact_f1']:.3f} |") in text
    assert f"{TROMSO}: gold by fixture-gold (method adjudicated), compared with 2 annotator layers" in text
    assert stale_stats(mini) == []
    # The annotations change: the report is stale; once rewritten, the documentation is.
    _second_pass(mini, category="evaluation")
    assert stale_stats(mini) == ["DATASHEET.md", "README.md"]
    # A hand edit inside the block is drift as well.
    write_stats(mini)
    edited = (mini / "README.md").read_text(encoding="utf-8").replace("| claims |", "| claims (hand) |")
    (mini / "README.md").write_text(edited, encoding="utf-8")
    result = cli("stats", "--check", "--root", mini)
    assert (result.exit_code, result.stdout) == (1, "stale: README.md (run `newsspans stats --write`)\n")


def test_croissant_says_the_process_and_the_figures(mini):
    _second_pass(mini)
    export_corpus(mini)
    data = json.loads((mini / "croissant.json").read_text(encoding="utf-8"))
    plain = agreement_text.plain(mini)
    assert data["rai:dataAnnotationAnalysis"] == plain["analysis"] and len(plain["analysis"]) == 1
    assert data["rai:dataAnnotationProtocol"][1:] == plain["process"]
    assert export_corpus(mini, check=True) == []
    _second_pass(mini, category="evaluation")
    assert export_corpus(mini, check=True) == ["croissant.json: stale"]


def test_the_committed_reports_are_fresh():
    assert stale_reports(REPO) == []
