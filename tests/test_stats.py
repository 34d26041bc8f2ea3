import json

from newsspans.metadata.stats import BEGIN, END, compute_stats, stale_stats, write_stats

from conftest import REPO, snapshot


def test_repository_statistics_are_fresh(cli):
    result = cli("stats", "--check", "--root", REPO)
    assert (result.exit_code, result.stdout) == (0, "")


def test_counts_equal_the_annotation_files():
    stats = compute_stats(REPO)
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in REPO.glob("annotations/*/gold.json")]
    assert stats["documents"] == len(list(REPO.glob("corpus/*/document.json")))
    for layer in ("entities", "quotes", "claims"):
        key = "mentions" if layer == "entities" else layer
        assert stats[key] == sum(len(g[layer]) for g in golds)
    assert sum(sum(k.values()) for k in stats["mentions_per_label"].values()) == stats["mentions"]
    assert sum(stats["quotes_per_speaker"].values()) == stats["quotes"]
    assert sum(stats["claims_per_claimant"].values()) == stats["claims"]


def test_mini_statistics_resolve_names_and_count_annotators(mini):
    stats = compute_stats(mini)
    assert stats["documents_per_split"] == {"train": 1, "validation": 1}
    assert stats["quotes_per_speaker"]["Zoë Ångström"] == 2   # "Zoë Ångström" and "she"
    assert stats["claims_per_claimant"]["the author (publication)"] == 1
    assert stats["annotators"] == {"alice": {"documents": 1, "entities": 15, "quotes": 4, "claims": 2}}
    assert stats["mentions_per_label"]["PERSON"] == {"NAM": 3, "NOM": 3, "PRO": 1}


def test_stale_blocks_are_named_then_rewritten(mini, cli):
    for name in ("DATASHEET.md", "README.md"):
        (mini / name).write_text(f"# {name}\n\n{BEGIN}\nold figures\n{END}\n\nmore text\n", encoding="utf-8")
    result = cli("stats", "--check", "--root", mini)
    assert result.exit_code == 1
    assert result.stdout == ("stale: DATASHEET.md (run `newsspans stats --write`)\n"
                             "stale: README.md (run `newsspans stats --write`)\n")
    assert write_stats(mini) == ["DATASHEET.md", "README.md"]
    text = (mini / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# README.md\n\n" + BEGIN + "\nDocuments: **2**") and text.endswith(END + "\n\nmore text\n")
    assert stale_stats(mini) == []
    before = snapshot(mini)
    assert write_stats(mini) == [] and snapshot(mini) == before


def test_a_file_without_markers_is_an_error_not_a_silent_pass(mini, cli):
    (mini / "DATASHEET.md").write_text("no markers\n", encoding="utf-8")
    (mini / "README.md").write_text(f"{BEGIN}\n{END}\n", encoding="utf-8")
    result = cli("stats", "--check", "--root", mini)
    assert result.exit_code == 1
    assert result.stderr == f"Error: DATASHEET.md: needs exactly one {BEGIN} ... {END} block\n"
