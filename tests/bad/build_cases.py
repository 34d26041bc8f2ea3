"""Build the bad-input cases: `python tests/bad/build_cases.py` (re)writes every
`tests/bad/<case>/corpus` and `annotations` from one valid tiny corpus and one defect each.

The expected messages (`tests/bad/<case>/expected.txt`) are written and reviewed by hand;
this script never touches them.
"""

import json
import shutil
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from newsspans.store.writing import dumps_json

from newsspans.store.hashing import sha256_bytes

from newsspans.curation.ingest import ingest  # noqa: E402

DOC = "tiny-doc"
RAW = 'Putin met Kim in Pyongyang on Wednesday.\n\n"It is a breakthrough," he said.\n'


def _base(root: Path) -> None:
    raw = root.parent / f".{root.name}.raw.txt"
    raw.write_text(RAW, encoding="utf-8")
    ingest(root, raw, DOC, publisher="Fixture Press", rights_holder="newsspans maintainers",
           rights_statement="Invented text for the tests; CC0.", today="2026-11-28")
    raw.unlink()
    text = (root / "corpus" / DOC / "v1.txt").read_text(encoding="utf-8")

    def span(s, occurrence=0):
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(s, start + 1)
        return {"start": start, "end": start + len(s), "text": s}

    gold = json.loads((root / "annotations" / DOC / "gold.json").read_text(encoding="utf-8"))
    gold["provenance"].update(annotators=["fixture"], method="manual", note="bad-input base")
    gold["entities"] = [
        {"id": "m1", **span("Putin"), "label": "PERSON", "mention": "NAM", "entity": "putin"},
        {"id": "m2", **span("Kim"), "label": "PERSON", "mention": "NAM", "entity": "kim"},
        {"id": "m3", **span("Pyongyang"), "label": "GPE", "mention": "NAM", "entity": "pyongyang"},
        {"id": "m4", **span("Wednesday"), "label": "DATE", "mention": "NAM", "entity": None},
        {"id": "m5", **span("he"), "label": "PERSON", "mention": "PRO", "entity": "putin"},
    ]
    gold["quotes"] = [{"id": "q1", **span("It is a breakthrough,"), "kind": "direct",
                       "speaker": "m5", "cue": span("said")}]
    gold["claims"] = [{"id": "c1", **span("Putin met Kim in Pyongyang on Wednesday."),
                       "claimant": "@author", "quote": None, "checkworthy": True,
                       "category": "event"}]
    _write_json(root / "annotations" / DOC / "gold.json", gold)
    _write_json(root / "annotations" / "entities.json", {
        "id_policy": "invented for the tests",
        "entities": [
            {"id": "putin", "name": "Vladimir Putin", "type": "PERSON", "wikidata": "Q7747"},
            {"id": "kim", "name": "Kim Jong Un", "type": "PERSON", "wikidata": None},
            {"id": "pyongyang", "name": "Pyongyang", "type": "GPE", "wikidata": None},
        ]})


def _write_json(path: Path, obj) -> None:
    path.write_bytes(dumps_json(obj))


def _edit_json(path: Path, change) -> None:
    obj = json.loads(path.read_text(encoding="utf-8"))
    change(obj)
    _write_json(path, obj)


def _gold(root):
    return root / "annotations" / DOC / "gold.json"


def _doc(root):
    return root / "corpus" / DOC / "document.json"


def _set_text(root, data: bytes):
    """Replace v1.txt and re-pin every hash to it, so only the text itself is wrong."""
    (root / "corpus" / DOC / "v1.txt").write_bytes(data)
    _edit_json(_doc(root), lambda d: d["versions"][0].update(sha256=sha256_bytes(data)))
    _edit_json(_gold(root), lambda g: g.update(sha256=sha256_bytes(data)))


CASES = {
    "invalid-json": lambda r: _gold(r).write_text('{"doc_id": "tiny-doc",\n  "version": 1,,\n}\n'),
    "wrong-type": lambda r: _edit_json(_gold(r), lambda g: g["entities"][0].update(start="0")),
    "unknown-label": lambda r: _edit_json(_gold(r), lambda g: g["entities"][2].update(label="CITY")),
    "offset-out-of-range": lambda r: _edit_json(_gold(r), lambda g: g["claims"][0].update(end=400)),
    "offset-reversed": lambda r: _edit_json(_gold(r), lambda g: g["entities"][1].update(start=13, end=10)),
    "text-mismatch": lambda r: _edit_json(_gold(r), lambda g: g["entities"][1].update(text="Kin")),
    "duplicate-id": lambda r: _edit_json(_gold(r), lambda g: g["claims"][0].update(id="m2")),
    "dangling-reference": lambda r: _edit_json(_gold(r), lambda g: g["quotes"][0].update(speaker="m9")),
    "wrong-sha256-pin": lambda r: _edit_json(_gold(r), lambda g: g.update(sha256="0" * 64)),
    "raw-edited": lambda r: (r / "corpus" / DOC / "raw.txt").write_text(RAW.replace("Kim", "Kim Jong Un")),
    "invalid-utf8": lambda r: _set_text(r, RAW.encode().replace(b"Kim", b"K\xffm")),
    "bom": lambda r: _gold(r).write_bytes(b"\xef\xbb\xbf" + _gold(r).read_bytes()),
    "crlf": lambda r: _set_text(r, RAW.replace("\n", "\r\n").encode()),
    "doc-id-escape": lambda r: _edit_json(_doc(r), lambda d: d.update(id="../x")),
    "speaker-is-date": lambda r: _edit_json(_gold(r), lambda g: g["quotes"][0].update(speaker="m4")),
    "missing-registry-entity": lambda r: _edit_json(_gold(r), lambda g: g["entities"][2].update(entity="seoul")),
    "duplicate-key": lambda r: _gold(r).write_text(
        _gold(r).read_text().replace('"version": 1,', '"version": 1,\n  "version": 1,', 1)),
    "nan": lambda r: _gold(r).write_text(_gold(r).read_text().replace('"start": 0,', '"start": NaN,', 1)),
    "version-gap": lambda r: _edit_json(_doc(r), lambda d: d["versions"][0].update(version=2)),
    "orphan-annotations": lambda r: shutil.copytree(r / "annotations" / DOC, r / "annotations" / "no-such-doc"),
    # Beyond the foundation: hostile and careless input of every kind.
    "deeply-nested": lambda r: _gold(r).write_text(
        _gold(r).read_text().replace('"note": "bad-input base"', '"note": ' + "[" * 5000 + "]" * 5000)),
    "huge-number": lambda r: _edit_json(_gold(r), lambda g: g["entities"][0].update(end=10**30)),
    "float-offset": lambda r: _edit_json(_gold(r), lambda g: g["entities"][3].update(start=30.0)),
    "null-string": lambda r: _edit_json(_gold(r), lambda g: g["entities"][1].update(text=None)),
    "negative-offset": lambda r: _edit_json(_gold(r), lambda g: g["entities"][0].update(start=-1)),
    "empty-span-text": lambda r: _edit_json(_gold(r), lambda g: g["quotes"][0]["cue"].update(text="")),
    "missing-field": lambda r: _edit_json(_gold(r), lambda g: g["quotes"][0].pop("cue")),
    "unknown-field": lambda r: _edit_json(_gold(r), lambda g: g["claims"][0].update(confidence=1)),
    "not-an-object": lambda r: _gold(r).write_text("[]\n"),
    "empty-file": lambda r: _gold(r).write_bytes(b""),
    "relation-cycle": lambda r: _edit_json(_gold(r), lambda g: g["claims"][0].update(quote="c1")),
    "speaker-is-quote": lambda r: _edit_json(_gold(r), lambda g: g["quotes"][0].update(speaker="q1")),
    "claimant-is-date": lambda r: _edit_json(_gold(r), lambda g: g["claims"][0].update(claimant="m4")),
    "claim-outside-quote": lambda r: _edit_json(_gold(r), lambda g: g["claims"][0].update(quote="q1")),
    "span-crosses-paragraph": lambda r: _edit_json(_gold(r), lambda g: g["entities"].append(
        {"id": "m6", "start": 30, "end": 45, "text": "Wednesday.\n\n\"It", "label": "DATE",
         "mention": "NAM", "entity": None})),
    "cue-crosses-paragraph": lambda r: _edit_json(_gold(r), lambda g: g["quotes"][0].update(
        cue={"start": 30, "end": 43, "text": "Wednesday.\n\n\""})),
    "whitespace-edge": lambda r: _edit_json(_gold(r), lambda g: g["entities"][0].update(end=6, text="Putin ")),
    "value-linked": lambda r: _edit_json(_gold(r), lambda g: g["entities"][3].update(entity="putin")),
    "person-unlinked": lambda r: _edit_json(_gold(r), lambda g: g["entities"][4].update(entity=None)),
    "registry-type-mismatch": lambda r: _edit_json(_gold(r), lambda g: g["entities"][1].update(entity="pyongyang")),
    "registry-duplicate-id": lambda r: _edit_json(r / "annotations" / "entities.json",
                                                 lambda d: d["entities"].append(dict(d["entities"][0]))),
    "pinned-to-missing-version": lambda r: _edit_json(_gold(r), lambda g: g.update(version=2)),
    "old-version-pin": lambda r: _add_version(r),
    "orphans-unresolved": lambda r: _edit_json(_gold(r), lambda g: g.update(orphans=[{
        "layer": "entities", "annotation": dict(g["entities"][1], id="m9"), "old_version": 1,
        "prefix": "Putin met ", "suffix": " in Pyongyang", "reason": "text gone in version 1"}])),
    "not-nfc": lambda r: _set_text(r, unicodedata.normalize("NFD", RAW.replace("Kim", "Kím")).encode()),
    "version-file-missing": lambda r: (r / "corpus" / DOC / "v1.txt").unlink(),
    "document-json-missing": lambda r: _doc(r).unlink(),
    "id-differs-from-folder": lambda r: _edit_json(_doc(r), lambda d: d.update(id="other-doc")),
    "bad-split": lambda r: _edit_json(_doc(r), lambda d: d.update(split="dev")),
    "raw-bytes-wrong": lambda r: _edit_json(_doc(r), lambda d: d["raw"].update(bytes=1)),
    "folder-not-a-slug": lambda r: (r / "corpus" / DOC).rename(r / "corpus" / "Tiny_Doc"),
    "annotator-name-escape": lambda r: _annotator(r, "..mallory"),
    "annotator-symlink": lambda r: _annotator(r, "mallory", link="../../../../../../../etc/passwd"),
    "registry-invalid-json": lambda r: (r / "annotations" / "entities.json").write_text('{"entities": [}\n'),
    "control-character": lambda r: _set_text(r, RAW.replace("met Kim", "met\tKim").encode()),
    "lone-surrogate": lambda r: (r / "annotations" / "entities.json").write_text(
        (r / "annotations" / "entities.json").read_text().replace('"Kim Jong Un"', '"Kim Jong Un \\ud800"')),
}


def _add_version(root):
    """A second version whose gold was never re-anchored (and no reanchor_pending mark)."""
    text = (root / "corpus" / DOC / "v1.txt").read_bytes().replace(b"Wednesday", b"Thursday")
    (root / "corpus" / DOC / "v2.txt").write_bytes(text)
    _edit_json(_doc(root), lambda d: d["versions"].append(
        {"version": 2, "file": "v2.txt", "sha256": sha256_bytes(text), "created": "2026-11-28",
         "note": "corrected the day"}))


def _annotator(root, name, link=None):
    folder = root / "annotations" / DOC / "annotators"
    folder.mkdir(parents=True, exist_ok=True)
    if link:
        (folder / f"{name}.json").symlink_to(link)
    else:
        shutil.copy(_gold(root), folder / f"{name}.json")


def build(names=None) -> None:
    base = HERE / ".base"
    shutil.rmtree(base, ignore_errors=True)
    _base(base)
    for name in names or CASES:
        case = HERE / name
        for part in ("corpus", "annotations"):
            shutil.rmtree(case / part, ignore_errors=True)
            shutil.copytree(base / part, case / part)
        CASES[name](case)
    shutil.rmtree(base)


if __name__ == "__main__":
    build(sys.argv[1:] or None)
