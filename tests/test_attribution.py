"""Agreement on attribution (speakers, claimants, links) and Krippendorff's alpha."""

import json
import math

import krippendorff
import numpy as np
from hypothesis import given, settings, strategies as st

from newsspans.curation.agreement import agreement, format_table
from newsspans.curation.attribution import krippendorff_alpha
from newsspans.store.layout import Layout
from newsspans.store.writing import dumps_json

TROMSO = "mini-tromso-schools"


def _copy_of_gold(root, user, change):
    corpus = Layout(root)
    data = json.loads(json.dumps(corpus.read_json(corpus.gold_path(TROMSO))))
    data["provenance"] = dict(data["provenance"], annotators=[user], method="manual")
    change(data)
    corpus.annotator_path(TROMSO, user).write_bytes(dumps_json(data))
    return data


def _pair(report, a, b):
    return next(p for p in report["pairs"] if (p["a"], p["b"]) == (a, b))


def test_a_copy_of_gold_agrees_on_every_attribution(mini):
    gold = _copy_of_gold(mini, "carol", lambda d: None)
    figures = _pair(agreement(mini, [TROMSO]), "carol", "gold")["attribution"]
    assert figures["speaker"] == {"compared": len(gold["quotes"]), "agree": len(gold["quotes"]), "agreement": 1.0}
    assert figures["claimant"] == {"compared": len(gold["claims"]), "agree": len(gold["claims"]), "agreement": 1.0}
    linked = sum(1 for m in gold["entities"] if m["entity"])
    assert figures["links"] == {"compared": linked, "agree": linked, "agreement": 1.0}


def _swap_speaker_and_link(data):
    # q2 is spoken by "she" (m9, Zoë Ångström); carol says Radio Nord (m10) spoke it.
    next(q for q in data["quotes"] if q["id"] == "q2")["speaker"] = "m10"
    # c3's claimant becomes the author.
    next(c for c in data["claims"] if c["id"] == "c3")["claimant"] = "@author"
    # Dagbladet linked to another registry entity.
    next(m for m in data["entities"] if m["id"] == "m13")["entity"] = "radio-nord"


def test_a_different_speaker_claimant_and_link_are_counted(mini):
    gold = _copy_of_gold(mini, "carol", _swap_speaker_and_link)
    figures = _pair(agreement(mini, [TROMSO]), "carol", "gold")["attribution"]
    quotes, claims = len(gold["quotes"]), len(gold["claims"])
    assert figures["speaker"]["agree"] == quotes - 1 and figures["speaker"]["compared"] == quotes
    # c2 is claimed by q2's speaker through m9 directly, so only c3 changes.
    assert figures["claimant"]["agree"] == claims - 1
    assert figures["links"]["agree"] == figures["links"]["compared"] - 1
    assert figures["speaker"]["agreement"] == round((quotes - 1) / quotes, 4)


def test_the_same_person_through_another_mention_agrees(mini):
    # "she" (m9) and "Zoë Ångström" (m1) are both linked to zoe-angstrom: the same speaker.
    _copy_of_gold(mini, "carol", lambda d: next(q for q in d["quotes"] if q["id"] == "q2").update(speaker="m1"))
    figures = _pair(agreement(mini, [TROMSO]), "carol", "gold")["attribution"]
    assert figures["speaker"]["agreement"] == 1.0


def test_the_table_names_the_attribution_figures_and_alpha(mini):
    _copy_of_gold(mini, "carol", _swap_speaker_and_link)
    table = format_table(agreement(mini, [TROMSO]))
    assert "speaker agreement" in table and "claimant agreement" in table and "link accuracy" in table
    assert "Krippendorff's alpha over all 3 sources" in table


def test_alpha_of_identical_sources_is_one(mini):
    _copy_of_gold(mini, "carol", lambda d: None)
    corpus = Layout(mini)
    corpus.annotator_path(TROMSO, "alice").unlink()
    report = agreement(mini, [TROMSO])
    assert report["alpha"]["entities"] == 1.0
    assert report["alpha"]["quotes"] == 1.0


def test_alpha_by_hand():
    # Two coders, four units: a/a, a/b, b/b, b/b. Coincidences: o_aa = 2, o_ab = o_ba = 1,
    # o_bb = 4; n_a = 3, n_b = 5, n = 8; alpha = 1 - (n - 1) * 2 / (2 * 3 * 5) = 1 - 14/30.
    assert krippendorff_alpha([["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"]]) == round(1 - 14 / 30, 4)
    assert krippendorff_alpha([["a", "a"], ["a", "a"]]) is None
    assert krippendorff_alpha([["a"], ["b"]]) is None


values = st.one_of(st.none(), st.sampled_from(["O", "PERSON", "ORG", "GPE"]))


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 4).flatmap(lambda coders: st.lists(
    st.lists(values, min_size=coders, max_size=coders), min_size=1, max_size=30)))
def test_alpha_matches_the_krippendorff_package(rows):
    units = [[v for v in unit if v is not None] for unit in rows]
    ours = krippendorff_alpha(units)
    codes = {"O": 0, "PERSON": 1, "ORG": 2, "GPE": 3}
    data = np.array([[np.nan if v is None else codes[v] for v in unit] for unit in rows], dtype=float).T
    pairable = sum(len(u) for u in units if len(u) >= 2)
    distinct = {v for u in units if len(u) >= 2 for v in u}
    if pairable < 2 or len(distinct) < 2:
        assert ours is None
        return
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert math.isclose(ours, theirs, abs_tol=1e-4)


def test_a_committed_report_is_written_and_checked_for_freshness(mini, cli):
    result = cli("agreement", "--write", "--doc", TROMSO, "--root", mini)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote annotations/{TROMSO}/agreement.json\n"
    path = mini / "annotations" / TROMSO / "agreement.json"
    assert json.loads(path.read_text(encoding="utf-8")) == agreement(mini, [TROMSO])
    assert cli("validate", "--root", mini).exit_code == 0
    fresh = cli("agreement", "--check", "--root", mini)
    assert fresh.exit_code == 0 and fresh.output == "1 agreement reports fresh\n"
    # A changed annotation makes the committed report stale.
    _copy_of_gold(mini, "carol", _swap_speaker_and_link)
    stale = cli("agreement", "--check", "--root", mini)
    assert stale.exit_code == 1
    assert stale.stderr == (f"stale: annotations/{TROMSO}/agreement.json (run: newsspans agreement --write "
                            f"--doc {TROMSO})\nError: 1 agreement report out of date\n")


def test_write_needs_documents_with_two_sources(mini, cli):
    assert cli("agreement", "--write", "--root", mini).exit_code == 2
    storm = cli("agreement", "--write", "--doc", "mini-brittany-storm", "--root", mini)
    assert storm.exit_code == 1
    assert "mini-brittany-storm: no two sources annotated the same version" in storm.output
    assert not (mini / "annotations" / "mini-brittany-storm" / "agreement.json").exists()
