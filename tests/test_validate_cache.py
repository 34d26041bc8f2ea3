"""Incremental validation: a cached run reports exactly what a full run reports, whatever
was edited between runs (a file, the registry, a file added or removed)."""

import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from newsspans.validation import cache as cache_module
from newsspans.validation.cache import CACHE_DIR, CACHE_SHARDS
from newsspans.validation.validate import validate_corpus

from conftest import MINI

DOCS = sorted(p.name for p in (MINI / "corpus").iterdir())


def _json_edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _shift(layer, field, by):
    def change(data):
        if data.get(layer):
            data[layer][0][field] += by
    return change


def _retype(data):
    for entity in data["entities"]:
        entity["type"] = "ORG" if entity["type"] != "ORG" else "PERSON"
        break


def _drop_entity(data):
    data["entities"] = data["entities"][1:]


EDITS = {
    "mention end": lambda root, doc: _json_edit(root / "annotations" / doc / "gold.json",
                                                _shift("entities", "end", 1)),
    "quote start": lambda root, doc: _json_edit(root / "annotations" / doc / "gold.json",
                                                _shift("quotes", "start", -1)),
    "gold as it was": lambda root, doc: shutil.copyfile(MINI / "annotations" / doc / "gold.json",
                                                        root / "annotations" / doc / "gold.json"),
    "text typo": lambda root, doc: (root / "corpus" / doc / "v1.txt").write_bytes(
        (root / "corpus" / doc / "v1.txt").read_bytes().replace(b"e", b"a", 1)),
    "raw edited": lambda root, doc: (root / "corpus" / doc / "raw.txt").write_bytes(
        (root / "corpus" / doc / "raw.txt").read_bytes() + b" "),
    "gold removed": lambda root, doc: (root / "annotations" / doc / "gold.json").unlink(missing_ok=True),
    "annotator added": lambda root, doc: (
        (root / "annotations" / doc / "annotators").mkdir(parents=True, exist_ok=True),
        shutil.copyfile(MINI / "annotations" / doc / "gold.json",
                        root / "annotations" / doc / "annotators" / "ann.json")),
    "garbage json": lambda root, doc: (root / "annotations" / doc / "gold.json").write_bytes(b'{"a": 1, "a": 2}'),
    "registry retyped": lambda root, doc: _json_edit(root / "annotations" / "entities.json", _retype),
    "registry entity removed": lambda root, doc: _json_edit(root / "annotations" / "entities.json", _drop_entity),
    "registry broken": lambda root, doc: (root / "annotations" / "entities.json").write_bytes(b"[1.5]"),
    "registry as it was": lambda root, doc: shutil.copyfile(MINI / "annotations" / "entities.json",
                                                            root / "annotations" / "entities.json"),
    "document.json split": lambda root, doc: _json_edit(root / "corpus" / doc / "document.json",
                                                        lambda d: d.update(split="nonsense")),
    "document removed": lambda root, doc: shutil.rmtree(root / "corpus" / doc, ignore_errors=True),
}


def _formatted(problems):
    return [p.format() for p in problems]


@pytest.mark.parametrize("racy", [True, False])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.sampled_from(DOCS)), max_size=5))
def test_a_cached_run_reports_what_a_full_run_reports(tmp_path_factory, monkeypatch, racy, edits):
    # racy=False trusts a file's stat at once, so that edits between runs (made within the
    # same second) are found by their stat alone, not by the re-hashing of recent files.
    monkeypatch.setattr(cache_module, "RACY_SECONDS", 2.0 if racy else -1e9)
    root = tmp_path_factory.mktemp("cache") / "mini"
    shutil.copytree(MINI, root)
    assert _formatted(validate_corpus(root, cache=True)) == _formatted(validate_corpus(root))
    for name, doc in edits:
        try:
            EDITS[name](root, doc)
        except (OSError, TypeError, KeyError, AttributeError, ValueError):   # an earlier edit removed or broke it
            pass
        full = _formatted(validate_corpus(root, jobs=1))
        assert _formatted(validate_corpus(root, cache=True, jobs=1)) == full, name
        assert _formatted(validate_corpus(root, cache=True, jobs=1)) == full, name


def test_the_cache_is_used_and_ignored_by_git(mini, monkeypatch):
    monkeypatch.delenv("NEWSSPANS_CACHE_DIR")   # the default place: inside the corpus
    validate_corpus(mini, cache=True)
    folder = mini / CACHE_DIR
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert any((folder / CACHE_SHARDS).glob("*.json"))
    checked = []
    real = cache_module.ValidationCache.store
    monkeypatch.setattr(cache_module.ValidationCache, "store",
                        lambda self, doc_id, *a: (checked.append(doc_id), real(self, doc_id, *a)))
    monkeypatch.setattr(cache_module, "RACY_SECONDS", -1e9)
    validate_corpus(mini, cache=True)
    assert checked == []
    gold = mini / "annotations" / DOCS[0] / "gold.json"
    gold.write_bytes(gold.read_bytes() + b"\n")
    validate_corpus(mini, cache=True)
    assert checked == [DOCS[0]]   # the other document came from the cache


def test_a_registry_edit_rechecks_the_documents_linking_to_it(mini, monkeypatch):
    validate_corpus(mini, cache=True)
    registry = json.loads((mini / "annotations" / "entities.json").read_text(encoding="utf-8"))
    linked = {doc: {m["entity"] for m in json.loads((mini / "annotations" / doc / "gold.json")
                                                    .read_text(encoding="utf-8"))["entities"] if m["entity"]}
              for doc in DOCS}
    only = next(e for e in registry["entities"]
                if sum(e["id"] in ids for ids in linked.values()) == 1)
    only["type"] = "EVENT"
    (mini / "annotations" / "entities.json").write_text(json.dumps(registry, ensure_ascii=False), encoding="utf-8")
    checked = []
    real = cache_module.ValidationCache.store
    monkeypatch.setattr(cache_module.ValidationCache, "store",
                        lambda self, doc_id, *a: (checked.append(doc_id), real(self, doc_id, *a)))
    problems = validate_corpus(mini, cache=True)
    assert checked == [doc for doc, ids in linked.items() if only["id"] in ids]
    assert any(only["id"] in p.message for p in problems)


def test_no_cache_writes_nothing(mini, cli, monkeypatch):
    monkeypatch.delenv("NEWSSPANS_CACHE_DIR")
    result = cli("validate", "--root", mini, "--no-cache")
    assert result.exit_code == 0, result.output
    assert not os.path.exists(mini / CACHE_DIR)
    assert cli("validate", "--root", mini).exit_code == 0
    assert any((mini / CACHE_DIR / CACHE_SHARDS).glob("*.json"))


def test_a_code_change_invalidates_everything(mini, monkeypatch):
    validate_corpus(mini, cache=True)
    monkeypatch.setattr(cache_module, "code_key", lambda schema_dir: "another version")
    checked = []
    real = cache_module.ValidationCache.store
    monkeypatch.setattr(cache_module.ValidationCache, "store",
                        lambda self, doc_id, *a: (checked.append(doc_id), real(self, doc_id, *a)))
    validate_corpus(mini, cache=True)
    assert checked == DOCS


def _damage_entries(change):
    def damage(shard):
        for entry in shard["documents"].values():
            change(entry)
    return damage


# A shard of the right version, damaged by hand or by a crash: ignored, never trusted.
DAMAGE = {
    "written_ns a string": lambda shard: shard.update(written_ns="soon"),
    "documents a list": lambda shard: shard.update(documents=[]),
    "an entry a list": lambda shard: shard["documents"].update({k: [] for k in shard["documents"]}),
    "no stats": _damage_entries(lambda e: e.pop("stats")),
    "content a number": _damage_entries(lambda e: e.update(content=7)),
    "links not strings": _damage_entries(lambda e: e.update(links=[1], whole_registry="another")),
    "a problem with a stray key": _damage_entries(lambda e: e.update(problems=[{"bogus": 1}])),
    "a problem without its doc": _damage_entries(
        lambda e: e.update(problems=[{"file": "f", "message": "m", "path": "$"}])),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_cache_is_checked_again_and_rewritten(mini, monkeypatch, damage):
    monkeypatch.setattr(cache_module, "RACY_SECONDS", -1e9)
    full = _formatted(validate_corpus(mini))
    validate_corpus(mini, cache=True)
    folder = cache_module.cache_folder(mini) / CACHE_SHARDS
    for path in folder.glob("*.json"):
        shard = json.loads(path.read_text(encoding="utf-8"))
        DAMAGE[damage](shard)
        path.write_text(json.dumps(shard), encoding="utf-8")
    checked = []
    real = cache_module.ValidationCache.store
    monkeypatch.setattr(cache_module.ValidationCache, "store",
                        lambda self, doc_id, *a: (checked.append(doc_id), real(self, doc_id, *a)))
    assert _formatted(validate_corpus(mini, cache=True)) == full
    assert checked == DOCS                       # nothing was taken from the damaged cache
    checked.clear()
    assert _formatted(validate_corpus(mini, cache=True)) == full
    assert checked == []                         # and it was rewritten whole
