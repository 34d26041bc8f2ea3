"""Every config loads for every split, whatever is empty.

tests/fixtures/gaps: three documents across two splits. train holds mini-brittany-storm
(entities and quotes, no claims) and mini-quiet-harbour (no annotations at all: the empty
gold file `ingest` writes); validation holds mini-tromso-schools (every layer). `datasets`
cannot load a split with no rows eagerly ("Instruction 'train' corresponds to no data"), so
such a split is neither written nor declared, and a config with no rows at all is absent.
"""

import json
import shutil

import pyarrow.parquet as pq
import pytest
import yaml

from newsspans.curation.release import read_exports
from newsspans.export.build import export_corpus, export_without_text
from newsspans.export.features import CONFIGS, features
from newsspans.export.loadcheck import check_load
from newsspans.export.rehydrate import rehydrate
from newsspans.export import textfree

from conftest import REPO

GAPS = REPO / "tests" / "fixtures" / "gaps"
# (config, split) -> rows in the fixture; what is not here has no rows.
EXPECTED = {("documents", "train"): 2, ("documents", "validation"): 1,
            ("entities", "train"): 9, ("entities", "validation"): 16,
            ("quotes", "train"): 2, ("quotes", "validation"): 4,
            ("claims", "validation"): 3,
            ("ner", "train"): 4, ("ner", "validation"): 4}


def _copy(tmp_path, name="gaps"):
    root = tmp_path / name
    shutil.copytree(GAPS, root)
    return root


@pytest.fixture(scope="module")
def gaps(tmp_path_factory):
    root = _copy(tmp_path_factory.mktemp("gaps"))
    export_corpus(root)
    return root


def _card(root):
    text = (root / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text[4:text.index("\n---\n", 4)])


def _drop_claims(root, doc_id):
    path = root / "annotations" / doc_id / "gold.json"
    gold = json.loads(path.read_text(encoding="utf-8"))
    gold["claims"] = []
    path.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_the_fixture_has_the_gaps_it_is_named_for():
    splits = {d.name: json.loads((d / "document.json").read_text())["split"]
              for d in (GAPS / "corpus").iterdir()}
    assert sorted(splits.values()) == ["train", "train", "validation"]
    gold = {d: json.loads((GAPS / "annotations" / d / "gold.json").read_text()) for d in splits}
    assert not any(gold[d]["claims"] for d in splits if splits[d] == "train")
    assert any(not (g["entities"] or g["quotes"] or g["claims"]) for g in gold.values())


def test_only_splits_with_rows_are_written_and_declared(gaps):
    shards = {(p.parent.name, p.name.split("-")[0]) for p in (gaps / "exports").rglob("*.parquet")}
    assert shards == set(EXPECTED)
    card = _card(gaps)
    declared = {(c["config_name"], f["split"]) for c in card["configs"] for f in c["data_files"]}
    assert declared == set(EXPECTED)
    counts = {(i["config_name"], s["name"]): s["num_examples"]
              for i in card["dataset_info"] for s in i["splits"]}
    assert counts == EXPECTED
    text = (gaps / "README.md").read_text(encoding="utf-8")
    assert "| `claims` | 0 | 3 |" in text
    assert "(`datasets` cannot load an empty split): `claims` train." in text


@pytest.mark.parametrize("streaming", [False, True], ids=["eager", "streaming"])
def test_every_config_and_split_loads(gaps, offline, streaming):
    datasets, cache = offline
    for config in CONFIGS:
        loaded = datasets.load_dataset(str(gaps), config, cache_dir=str(cache), streaming=streaming)
        assert {(config, s) for s in loaded} == {k for k in EXPECTED if k[0] == config}
        for split, ds in loaded.items():
            assert ds.features == features(config)
            assert sum(1 for _ in ds) == EXPECTED[config, split]


def test_check_load_and_export_check_pass(gaps):
    assert export_corpus(gaps, check=True) == []
    assert check_load(gaps) == [f"{c}/{s}: {n} rows" for (c, s), n in EXPECTED.items()]


def test_croissant_describes_only_files_that_exist(gaps):
    data = json.loads((gaps / "croissant.json").read_text(encoding="utf-8"))
    objects = {d["contentUrl"] for d in data["distribution"] if d["@type"] == "cr:FileObject"}
    assert objects == {p.relative_to(gaps).as_posix() for p in (gaps / "exports").rglob("*.parquet")}


def test_release_reads_the_exports_with_a_split_missing(gaps):
    records, _ = read_exports(gaps)
    assert sum(1 for config, _ in records if config == "claims") == 3


def test_text_free_and_rehydrate_keep_the_gaps(tmp_path):
    root = _copy(tmp_path)
    export_corpus(root)
    export_without_text(root)
    full = {p.relative_to(root / "exports").as_posix(): p.read_bytes()
            for p in (root / "exports").rglob("*.parquet")}
    assert {p.relative_to(root / textfree.TEXT_FREE).as_posix()
            for p in (root / textfree.TEXT_FREE).rglob("*.parquet")} == set(full)
    shutil.rmtree(root / "exports")
    rehydrate(root, root / "corpus")
    assert {p.relative_to(root / "exports").as_posix(): p.read_bytes()
            for p in (root / "exports").rglob("*.parquet")} == full


def test_a_config_with_no_rows_at_all_is_absent_and_said_so(tmp_path, offline):
    """No claims anywhere: the claims config is not declared, has no files, and
    `load_dataset(path, "claims")` says the config does not exist; everything else loads."""
    datasets, cache = offline
    root = _copy(tmp_path)
    _drop_claims(root, "mini-tromso-schools")
    export_corpus(root)
    assert not list((root / "exports" / "claims").glob("*.parquet"))
    card = _card(root)
    assert [c["config_name"] for c in card["configs"]] == [c for c in CONFIGS if c != "claims"]
    assert [i["config_name"] for i in card["dataset_info"]] == [c for c in CONFIGS if c != "claims"]
    text = (root / "README.md").read_text(encoding="utf-8")
    assert "`claims` (no rows at all: the config is absent)" in text
    croissant = json.loads((root / "croissant.json").read_text(encoding="utf-8"))
    assert "claims" not in [r["name"] for r in croissant["recordSet"]]
    lines = check_load(root)
    assert lines[-1] == "claims: no rows, not declared"
    with pytest.raises(ValueError, match="claims"):
        datasets.load_dataset(str(root), "claims", cache_dir=str(cache))
    documents = datasets.load_dataset(str(root), "documents", cache_dir=str(cache))
    assert all(row["claims"] == [] for split in documents.values() for row in split)
    assert export_corpus(root, check=True) == []
    assert not any(config == "claims" for config, _ in read_exports(root)[0])
    full = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "exports").rglob("*.parquet")}
    export_without_text(root)
    shutil.rmtree(root / "exports")
    rehydrate(root, root / "corpus")
    assert {p.relative_to(root).as_posix(): p.read_bytes()
            for p in (root / "exports").rglob("*.parquet")} == full


def test_claims_coming_back_restore_the_config(tmp_path):
    root = _copy(tmp_path)
    _drop_claims(root, "mini-tromso-schools")
    export_corpus(root)
    shutil.copytree(GAPS / "annotations" / "mini-tromso-schools",
                    root / "annotations" / "mini-tromso-schools", dirs_exist_ok=True)
    assert "exports/claims/validation-00000-of-00001.parquet: missing" in export_corpus(root, check=True)
    export_corpus(root)
    assert pq.read_table(root / "exports" / "claims" / "validation-00000-of-00001.parquet").num_rows == 3
    assert "claims" in [c["config_name"] for c in _card(root)["configs"]]
