"""The text-free distribution: no article text in it, and rehydration rebuilds the exports exactly."""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner
from datasets import load_dataset

from newsspans.export import textfree
from newsspans.store.hashing import sha256_text
from newsspans.cli import main
from newsspans.errors import ExportError, RehydrateError
from newsspans.export.build import dataset_version, export_corpus, export_without_text
from newsspans.export.features import CONFIGS
from newsspans.model.normalize import normalize
from newsspans.export.rehydrate import rehydrate
from newsspans.export.shards import Limits

from conftest import REPO, SEED_ID, snapshot

SEED = REPO / "corpus" / SEED_ID
GRAM = 12


@pytest.fixture(scope="module")
def seed_text_free(tmp_path_factory):
    """The seed repository's text-free distribution, written outside the repository."""
    out = tmp_path_factory.mktemp("text-free") / "dist"
    export_without_text(REPO, out)
    return out


def _parquet(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


def _strings(key, value):
    """(innermost column name, string) for every string in a value, nested ones included."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(name, item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(key, item)


def _everything_stored(path):
    """(column, string) for every string value, metadata entry and column statistic."""
    for row in pq.read_table(path).to_pylist():
        yield from _strings(None, row)
    meta = pq.ParquetFile(path).metadata
    for key, value in (meta.metadata or {}).items():
        yield "metadata", key.decode("utf-8") + value.decode("utf-8", "replace")
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            column = meta.row_group(g).column(c)
            stats = column.statistics
            if stats is not None and stats.has_min_max:
                for bound in (stats.min, stats.max):
                    text = bound.decode("utf-8", "replace") if isinstance(bound, bytes) else str(bound)
                    yield column.path_in_schema.split(".")[-1], text


def _grams(text):
    return {text[i:i + GRAM] for i in range(len(text) - GRAM + 1)}


def _leaks(folder, article_texts, allowed):
    """Strings stored under `folder` that share a GRAM-character substring with an article."""
    grams = set().union(*(_grams(t) for t in article_texts))
    found = []
    for path in sorted(folder.rglob("*.parquet")) + sorted(folder.glob("*.md")):
        stored = (_everything_stored(path) if path.suffix == ".parquet"
                  else [("card", path.read_text(encoding="utf-8"))])
        for where, s in stored:
            if (where, s) in allowed:
                continue
            hit = next((s[i:i + GRAM] for i in range(len(s) - GRAM + 1) if s[i:i + GRAM] in grams), None)
            if hit is not None:
                found.append((path.name, where, hit))
    return found


def _registry_names(root=REPO):
    # Canonical entity names are the registry's (the project's own data), not the article's
    # prose, even where the article spells a name the same way; only those whole values in the
    # name columns are exempt.
    names = {e["name"] for e in json.loads((root / "annotations" / "entities.json").read_text())["entities"]}
    return {(column, name) for name in names
            for column in ("entity_name", "speaker_name", "claimant_name")}


def test_no_text_of_the_article_is_in_the_text_free_files(seed_text_free):
    article = [(SEED / "raw.txt").read_text(encoding="utf-8"), (SEED / "v1.txt").read_text(encoding="utf-8")]
    assert _leaks(seed_text_free, article, _registry_names()) == []
    # The same search finds the text in the full exports, so it can see a leak.
    assert len(_leaks(REPO / "exports", article, _registry_names())) > 100


def test_text_free_columns(seed_text_free):
    for config in CONFIGS:
        schema = pq.read_schema(seed_text_free / config / "test-00000-of-00001.parquet")
        assert {"text", "title", "cue_text", "tokens"}.isdisjoint(schema.names)
        assert schema.metadata == textfree.arrow_schema(config).metadata
    entities = pq.read_table(seed_text_free / "entities" / "test-00000-of-00001.parquet").to_pylist()
    assert all(e["length"] == e["end"] - e["start"] > 0 for e in entities)
    (doc,) = pq.read_table(seed_text_free / "documents" / "test-00000-of-00001.parquet").to_pylist()
    text = (SEED / "v1.txt").read_text(encoding="utf-8")
    assert doc["text_length"] == len(text)
    assert doc["text_sha256"] == sha256_text(text)
    assert doc["title_sha256"] is None


def test_text_free_configs_load_through_their_own_card(seed_text_free):
    card = (seed_text_free / "README.md").read_text(encoding="utf-8")
    assert "config_name: quotes" in card and "path: quotes/test-*.parquet" in card
    front = yaml.safe_load(card.split("---\n")[1])
    assert "The article texts are not included" in front["license_details"]
    assert f"Dataset version **{dataset_version(REPO)}**" in card
    for config in CONFIGS:
        loaded = load_dataset(str(seed_text_free), config, split="test")
        assert loaded.features == textfree.features(config)
        assert loaded.num_rows == pq.read_metadata(seed_text_free / config / "test-00000-of-00001.parquet").num_rows


def test_rehydrating_with_the_raw_seed_article_gives_the_committed_exports(seed_text_free, tmp_path, cli):
    texts = tmp_path / "received"
    texts.mkdir()
    # The raw file as received, under the name it was received with.
    shutil.copy(SEED / "raw.txt", texts / "000_20f75d47f5764936.txt")
    out = tmp_path / "exports"
    result = cli("rehydrate", "--root", tmp_path, "--from", seed_text_free, "--text-dir", texts, "--out", out)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(CONFIGS)
    assert _parquet(out) == _parquet(REPO / "exports")


def test_a_wrong_text_names_the_document_and_writes_nothing(seed_text_free, tmp_path, cli):
    texts = tmp_path / "texts"
    texts.mkdir()
    raw = (SEED / "raw.txt").read_text(encoding="utf-8")
    assert "Pyongyang" in raw
    (texts / f"{SEED_ID}.txt").write_text(raw.replace("Pyongyang", "Pjongjang", 1), encoding="utf-8")
    out = tmp_path / "exports"
    before = snapshot(tmp_path)
    result = cli("rehydrate", "--from", seed_text_free, "--text-dir", texts, "--out", out)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{SEED_ID}.txt: named for document {SEED_ID} but matches none of its versions" in result.stderr
    assert f"{SEED_ID}@1: no text supplied whose canonical form has sha256" in result.stderr
    assert "nothing written" in result.stderr
    assert not out.exists()
    assert snapshot(tmp_path) == before


def test_a_missing_text_names_the_document_version(seed_text_free, tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "unrelated.txt").write_text("Another article.\n", encoding="utf-8")
    with pytest.raises(RehydrateError, match=f"{SEED_ID}@1: no text supplied"):
        rehydrate(tmp_path, tmp_path / "texts", source=seed_text_free, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_tampered_offset_names_the_document_and_keeps_the_old_files(mini, tmp_path):
    export_without_text(mini, tmp_path / "tf")
    export_corpus(mini)
    before = _parquet(mini / "exports")
    path = tmp_path / "tf" / "quotes" / "train-00000-of-00001.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    rows[0]["end"] = 10**6
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    with pytest.raises(RehydrateError, match=r"mini-brittany-storm@1 \(quotes\): span .* does not fit"):
        rehydrate(mini, mini / "corpus", source=tmp_path / "tf")
    assert _parquet(mini / "exports") == before


def test_an_out_folder_with_other_files_is_refused(seed_text_free, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.md").write_text("mine\n", encoding="utf-8")
    shutil.copy(SEED / "v1.txt", tmp_path / "v1.txt")
    with pytest.raises(ExportError, match="notes.md, not export configs"):
        rehydrate(tmp_path, tmp_path, source=seed_text_free, out=out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.md"]


@pytest.mark.parametrize("limits", [None, Limits(max_rows=3, batch_rows=2)],
                         ids=["default", "many-shards"])
def test_mini_round_trip_is_byte_identical(mini, tmp_path, limits):
    """Two documents with emoji and combining marks, two splits, canonical texts as input."""
    export_corpus(mini, limits=limits)
    export_without_text(mini, limits=limits)
    full = _parquet(mini / "exports")
    assert set(_parquet(mini / textfree.TEXT_FREE)) == set(full)
    assert (mini / textfree.TEXT_FREE / "README.md").is_file()
    shutil.rmtree(mini / "exports")
    rehydrate(mini, mini / "corpus", limits=limits)
    assert _parquet(mini / "exports") == full


def test_export_without_text_from_the_command_line(mini, cli):
    result = cli("export", "--root", mini, "--without-text")
    assert result.exit_code == 0, result.output
    out = mini / textfree.TEXT_FREE
    assert result.stdout.splitlines()[-1] == f"wrote {out / 'README.md'}"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        [f"{c}/{s}-00000-of-00001.parquet" for c in CONFIGS for s in ("train", "validation")]
        + ["README.md"])
    assert not (mini / "exports").exists()   # the full exports are another command's
    again = cli("export", "--root", mini, "--without-text")   # rewriting its own folder is fine
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("args, message", [
    (["--out", "x"], "--out goes with --without-text"),
    (["--check", "--without-text"], "--check and --without-text cannot be combined")])
def test_export_option_mistakes(mini, cli, args, message):
    result = CliRunner().invoke(main, ["export", "--root", str(mini), *args])
    assert result.exit_code == 2 and message in result.output


_TEXTS = st.text(alphabet=st.sampled_from("ab c\n.éé\u0301🎉👨\u200d👩ـمرحبا"), min_size=1, max_size=60)


@st.composite
def _text_and_spans(draw):
    text = draw(_TEXTS)
    bounds = st.integers(0, len(text))
    spans = [tuple(sorted(draw(st.tuples(bounds, bounds)))) for _ in range(draw(st.integers(0, 4)))]
    return text, spans


@given(_text_and_spans(), st.one_of(st.none(), st.text(min_size=1, max_size=10)))
@settings(max_examples=150, deadline=None)
def test_strip_then_restore_is_the_identity(case, title):
    text, spans = case
    quotes = [{"id": f"q{i}", "start": s, "end": e, "text": text[s:e], "kind": 0, "speaker_id": None,
               "speaker_entity_id": None, "speaker_name": None, "cue_start": s if i % 2 else None,
               "cue_end": e if i % 2 else None, "cue_text": text[s:e] if i % 2 else None}
              for i, (s, e) in enumerate(spans)]
    document = {"doc_id": "d", "version": 1, "text": text, "text_sha256": sha256_text(text),
                "title": title, "publisher": None, "published": None, "language": "en",
                "entities": [], "quotes": quotes, "claims": []}
    stripped = textfree.strip_row("documents", document)
    assert {"text", "cue_text", "title"}.isdisjoint(_keys(stripped))
    assert textfree.restore_row("documents", stripped, text, title) == document
    for quote in quotes:
        assert textfree.restore_row("quotes", textfree.strip_row("quotes", quote), text) == quote
    with pytest.raises(textfree.SpanMismatch):   # a text of another length never fits
        textfree.restore_row("documents", stripped, text[:-1], title)


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_a_version_text_is_matched_as_is_when_it_is_not_todays_canonical_form(tmp_path):
    """A version made by an older normaliser need not be a fixed point of today's."""
    from newsspans.export.rehydrate import _Texts
    old = "Made by an older normaliser: no final newline"
    assert sha256_text(old) != sha256_text(normalize(old))
    (tmp_path / "d.txt").write_text(old, encoding="utf-8")
    (tmp_path / "t.txt").write_text("A Headline\n\nBody.\n", encoding="utf-8")
    versions = {("d", 1): (sha256_text(old), sha256_text("A Headline"))}
    texts = _Texts(tmp_path, versions)
    assert texts.get(sha256_text(old)) == old
    assert texts.get(sha256_text("A Headline")) == "A Headline"
    (tmp_path / "d.txt").write_text(old + ".", encoding="utf-8")
    with pytest.raises(RehydrateError, match="d.txt: named for document d but matches none"):
        _Texts(tmp_path, versions)


def test_no_text_leaks_from_the_mini_corpus_either(mini, tmp_path):
    """Two documents, one with a publisher's title, emoji and combining marks."""
    export_without_text(mini, tmp_path / "tf")
    texts = [p.read_text(encoding="utf-8") for p in sorted((mini / "corpus").rglob("*.txt"))]
    assert any("Storm Report" in t for t in texts)   # the title is article text too
    assert _leaks(tmp_path / "tf", texts, _registry_names(mini)) == []
    export_corpus(mini)
    assert _leaks(mini / "exports", texts, _registry_names(mini))
