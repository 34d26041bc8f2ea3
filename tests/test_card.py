"""README.md as a Hugging Face dataset card: front matter, configs, dataset_info, prose."""

import json

import pyarrow.parquet as pq
import pytest
import yaml
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard

from newsspans.model import labels
from newsspans.metadata.card import _size_category
from newsspans.export.build import export_corpus
from newsspans.export.features import CONFIGS, features

from conftest import REPO

REQUIRED = ("pretty_name", "license", "language", "task_categories", "task_ids",
            "size_categories", "annotations_creators", "source_datasets", "configs",
            "dataset_info")


@pytest.fixture(scope="module")
def card():
    return DatasetCard.load(REPO / "README.md")


def test_front_matter_has_every_required_key(card):
    data = card.data.to_dict()
    assert [k for k in REQUIRED if k not in data] == []
    assert data["license"] == "other" and "CC-BY-4.0" in data["license_details"]
    # The hub asks for a link when the license is `other`: the annotations' license.
    assert data["license_link"] == "https://creativecommons.org/licenses/by/4.0/"
    head = (REPO / "README.md").read_text(encoding="utf-8").split("\n---\n")[0]
    assert [line.split(":")[0] for line in head.splitlines()[1:7] if not line.startswith(" ")] == [
        "pretty_name", "license", "license_name", "license_link", "license_details"]
    assert data["language"] == ["en"]
    assert data["size_categories"] == ["n<1K"]
    # The seed gold adjudicates two passes by language models, adjudicated by one too, and no
    # person reviewed it: the card must say so.
    assert data["annotations_creators"] == ["machine-generated"]
    assert "- 1 gold file: method `adjudicated`, annotators newsspans-llm-1, newsspans-llm-2" in card.text


def test_configs_declare_data_files_per_split_and_the_default(card):
    configs = MetadataConfigs.from_dataset_card_data(card.data)
    assert list(configs) == list(CONFIGS)
    assert configs.get_default_config_name() == "documents"
    for name, config in configs.items():
        assert config["data_files"] == [{"split": "test", "path": f"exports/{name}/test-*.parquet"}]


def test_dataset_info_types_every_config_and_counts_its_rows(card):
    infos = DatasetInfosDict.from_dataset_card_data(card.data)
    assert list(infos) == list(CONFIGS)
    for config, info in infos.items():
        assert info.features == features(config)
        for split, split_info in info.splits.items():
            rows = sum(pq.read_metadata(p).num_rows
                       for p in (REPO / "exports" / config).glob(f"{split}-*.parquet"))
            assert split_info.num_examples == rows


def test_quick_start_comes_right_after_the_front_matter(card):
    body = card.text
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings[:2] == ["# newsspans", "## Quick start"]
    quick = body.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make build" in quick and "make test" in quick


def test_card_prose_documents_the_conventions(card):
    body = card.text
    assert f"`claimant_id` is `{labels.AUTHOR_ID}`" in body
    assert labels.AUTHOR_NAME in body
    assert "Agence France-Presse" in body and "CC-BY-4.0" in body and "MIT" in body
    assert 'load_dataset("path/to/checkout", "quotes")' in body
    assert "`split` field" in body


def test_a_corpus_without_readme_gets_a_card(mini):
    assert not (mini / "README.md").exists()
    export_corpus(mini)
    text = (mini / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert [s["name"] for s in front["dataset_info"][0]["splits"]] == ["train", "validation"]
    assert "<!-- newsspans:generated:splits:begin -->" in text
    assert ("<!-- newsspans:generated:provenance:begin -->\n"
            "- 2 gold files: method `adjudicated`, annotators fixture-gold\n") in text
    assert export_corpus(mini, check=True) == []


@pytest.mark.parametrize("n, category", [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"),
                                         (100_000, "100K<n<1M"), (5_000_000, "1M<n<10M")])
def test_size_categories(n, category):
    assert _size_category(n) == category


def test_the_card_shows_the_dataset_version_from_the_release_record(card, mini):
    version = json.loads((REPO / "croissant.json").read_text(encoding="utf-8"))["version"]
    assert (f"<!-- newsspans:generated:version:begin -->\nDataset version **{version}** "
            f"(from the release record, `releases/releases.json`;") in card.text
    export_corpus(mini)
    assert "Dataset version **0.1.0**" in (mini / "README.md").read_text(encoding="utf-8")
    # A release writes a new version into the release record: croissant.json and the card
    # are stale until re-exported.
    (mini / "releases").mkdir()
    (mini / "releases" / "releases.json").write_text(json.dumps(
        {"releases": [{"version": "2.3.4", "files": {}, "manifest_sha256": "0" * 64}]}), encoding="utf-8")
    assert export_corpus(mini, check=True) == ["croissant.json: stale",
                                               "README.md: generated block 'version' stale"]
    export_corpus(mini)
    text = (mini / "README.md").read_text(encoding="utf-8")
    assert "Dataset version **2.3.4** (from the release record" in text
    assert export_corpus(mini, check=True) == []
