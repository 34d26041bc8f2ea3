"""Label names readable outside `datasets`: every Parquet file's `labels` metadata, and the
README's DuckDB and Polars recipes, run verbatim on the committed exports."""

import json
import os
import re
import shutil

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from newsspans.export.build import export_corpus, export_without_text
from newsspans.export.features import CONFIGS, LABELS_KEY, NER_TAGS, features, label_names
from newsspans.export import textfree
from newsspans.model import labels

from conftest import MINI, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block(language, after):
    """The first ```language block after the heading `after` in the README."""
    section = README[README.index(after):]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


def _labels(path) -> dict:
    return json.loads(pq.read_schema(path).metadata[LABELS_KEY.encode()])


def test_names_follow_the_features():
    assert label_names(features("entities")) == {"label": list(labels.ENTITY_TYPES),
                                                 "mention": list(labels.MENTION_KINDS)}
    assert label_names(features("quotes")) == {"kind": list(labels.QUOTE_KINDS)}
    assert label_names(features("claims")) == {"category": list(labels.CLAIM_CATEGORIES)}
    assert label_names(features("ner")) == {"ner_tags": list(NER_TAGS)}
    assert label_names(features("documents")) == {
        "entities": label_names(features("entities")), "quotes": label_names(features("quotes")),
        "claims": label_names(features("claims"))}


@pytest.mark.parametrize("where", ["repo", "mini", "mini-text-free"])
def test_every_parquet_file_names_its_labels(where, tmp_path):
    if where == "repo":
        folder = REPO / "exports"
    else:
        root = tmp_path / "mini"
        shutil.copytree(MINI, root)
        export_corpus(root)
        export_without_text(root)
        folder = root / ("exports" if where == "mini" else textfree.TEXT_FREE)
    for config in CONFIGS:
        paths = sorted((folder / config).glob("*.parquet"))
        assert paths
        for path in paths:
            assert _labels(path) == label_names(features(config))


def test_the_readme_duckdb_recipe_gives_the_names(monkeypatch):
    monkeypatch.chdir(REPO)
    sql = _block("sql", "### Label names outside")
    rows = duckdb.sql(sql).fetchall()
    expected = pl.read_parquet(sorted(str(p) for p in (REPO / "exports" / "entities").glob("*.parquet")))
    assert len(rows) == expected.height > 0
    named = {(text, label, mention) for text, label, mention in rows}
    for row in expected.iter_rows(named=True):
        assert (row["text"], labels.ENTITY_TYPES[row["label"]],
                labels.MENTION_KINDS[row["mention"]]) in named


def test_the_readme_polars_recipe_gives_the_names(monkeypatch):
    monkeypatch.chdir(REPO)
    code = _block("python", "In Polars")
    scope = {}
    exec(compile(code, "README.md (Polars)", "exec"), scope)
    entities = scope["entities"]
    assert entities.height == 137
    for row in entities.iter_rows(named=True):
        assert row["label_name"] == labels.ENTITY_TYPES[row["label"]]
        assert row["mention_name"] == labels.MENTION_KINDS[row["mention"]]
    assert os.getcwd() == str(REPO)
