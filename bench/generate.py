"""Generate a deterministic synthetic corpus in the repository layout.

    python bench/generate.py --docs 10000 --seed 1 --out bench/results/cache/docs-10000-seed-1

Writes corpus/<id>/{raw.txt,v1.txt,document.json}, annotations/<id>/gold.json,
annotations/entities.json and the corpus's facts (dataset.yaml), as `newsspans ingest` and annotation would, with the project's
own serialisation, hashes and normaliser; every file passes `newsspans validate`. Each
document has its own random stream (seeded by seed and index), so the output does not
depend on how the work is split between processes. The corpus is written into a
temporary folder beside `--out` and renamed into place only when complete.
"""

import argparse
import json
import os
import random
import shutil
import sys
import time
import unicodedata
from multiprocessing import get_context
from pathlib import Path

import articles
import vocabulary
import yaml
from newsspans.store.writing import dumps_json
from newsspans.store.hashing import sha256_bytes
from newsspans.model.normalize import NORMALIZER_VERSION, normalize

SPLITS = (("train", 0.8), ("validation", 0.1), ("test", 0.1))
CREATED = "2026-01-15T09:00:00Z"


def doc_id(seed: int, index: int) -> str:
    return f"bench-s{seed}-{index:06d}"


def _split(rng) -> str:
    x, total = rng.random(), 0.0
    for name, share in SPLITS:
        total += share
        if x < total:
            return name
    return SPLITS[-1][0]


def _raw_form(text: str, rng) -> str:
    """`text` as a wire service might deliver it: hard-wrapped, some in NFD or with CRLF.

    normalize() must give `text` back; build_document checks that it does.
    """
    width = rng.choice((68, 72, 76))
    lines = []
    for paragraph in text.rstrip("\n").split("\n\n"):
        line = ""
        for word in paragraph.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.extend((line, ""))
    raw = "\n".join(lines)
    if rng.random() < 0.2:
        raw = unicodedata.normalize("NFD", raw)
    if rng.random() < 0.25:
        raw = raw.replace("\n", "\r\n")
    return raw


def build_document(seed: int, index: int, by_type: dict) -> dict:
    """The files of one document as {relative path: bytes}, and its span counts."""
    rng = random.Random(f"doc:{seed}:{index}")
    did = doc_id(seed, index)
    text, entities, quotes, claims = articles.build(rng, by_type)
    raw = _raw_form(text, rng).encode("utf-8")
    if normalize(raw.decode("utf-8")) != text:
        raise AssertionError(f"{did}: the raw form does not normalise to the article text")
    canonical = text.encode("utf-8")
    sha = sha256_bytes(canonical)
    day = f"20{rng.randrange(15, 26)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    heading = text.split("\n", 1)[0]
    document = {
        "id": did,
        "title": {"text": heading, "assigned_by": "publisher"},
        "source": {"publisher": "Synthetic Wire", "url": f"https://news.example/{did}",
                   "received_as": f"{did}.txt"},
        "published": {"date": day, "method": "stated"},
        "language": "en",
        "rights": {"holder": "newsspans benchmark",
                   "statement": "Synthetic text generated for benchmarking; no rights reserved."},
        "split": _split(rng),
        "raw": {"file": "raw.txt", "sha256": sha256_bytes(raw), "bytes": len(raw)},
        "versions": [{"version": 1, "file": "v1.txt", "sha256": sha, "created": day[:10],
                      "note": "generated", "normalization": NORMALIZER_VERSION}],
    }
    gold = {"doc_id": did, "version": 1, "sha256": sha,
            "provenance": {"annotators": ["bench-generator"], "method": "adjudicated",
                           "created": CREATED, "modified": CREATED,
                           "note": "synthetic annotations generated with the article"},
            "entities": entities, "quotes": quotes, "claims": claims}
    files = {f"corpus/{did}/raw.txt": raw, f"corpus/{did}/v1.txt": canonical,
             f"corpus/{did}/document.json": dumps_json(document),
             f"annotations/{did}/gold.json": dumps_json(gold)}
    cues = sum(1 for q in quotes if q["cue"] is not None)
    return {"files": files, "entities": len(entities), "quotes": len(quotes),
            "claims": len(claims), "cues": cues, "chars": len(text)}


def _by_type(seed: int) -> dict:
    by_type = {}
    for entity in vocabulary.build_registry(seed):
        by_type.setdefault(entity["type"], []).append(entity)
    return by_type


def _write_range(args):
    """Worker: build and write documents [start, stop); returns summed counts."""
    seed, start, stop, folder = args
    by_type = _by_type(seed)
    totals = {"entities": 0, "quotes": 0, "claims": 0, "cues": 0, "chars": 0}
    folder = Path(folder)
    for index in range(start, stop):
        built = build_document(seed, index, by_type)
        for rel, data in built["files"].items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for key in totals:
            totals[key] += built[key]
    return totals


def registry_bytes(seed: int) -> bytes:
    entities = [{k: val for k, val in e.items() if not k.startswith("_")}
                for e in vocabulary.build_registry(seed)]
    return dumps_json({"id_policy": "Synthetic entities generated for the benchmark; "
                                    "Wikidata ids are random and mean nothing.",
                       "entities": entities})


_TEXT_KEYS = ("collection", "publication_date", "raw_data", "annotation_protocol",
              "single_annotator", "not_for", "social_impact", "release_plan")
_LIST_KEYS = ("collection_type", "preprocessing", "annotators", "use_cases", "biases",
              "limitations", "personal_information")


def facts_bytes() -> bytes:
    """dataset.yaml of the synthetic corpus: `newsspans export` writes the card from it."""
    say = "Synthetic benchmark data: generated text about no real event, person or publisher."
    rai = {**{key: say for key in _TEXT_KEYS}, **{key: [say] for key in _LIST_KEYS},
           "machine_annotation_tools": []}
    facts = {"name": "bench-synthetic", "pretty_name": "Synthetic benchmark corpus",
             "description": say, "cite_as": "Synthetic benchmark corpus", "creator": "bench",
             "keywords": ["benchmark"],
             "license": {"hub_id": "cc0-1.0", "name": "cc0-1.0", "details": say,
                         "url": "https://creativecommons.org/publicdomain/zero/1.0/",
                         "copyright_notice": say},
             "card": {"multilinguality": "monolingual", "source_datasets": ["original"],
                      **{key: ["other"] for key in ("task_categories", "task_ids", "tags",
                                                    "annotations_creators", "language_creators")}},
             "text_free": {"pretty_name": "Synthetic benchmark corpus (text-free)",
                           "license_details": say, "rights": say},
             "rai": rai}
    return yaml.safe_dump(facts, sort_keys=False, width=88).encode("utf-8")


def generate(docs: int, seed: int, out: Path, jobs: int = 1) -> dict:
    """Write the corpus to `out` (which must not exist); returns its summary."""
    out = Path(out)
    if out.exists():
        raise FileExistsError(f"{out} already exists; remove it or choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    started = time.perf_counter()
    try:
        (tmp / "annotations").mkdir(parents=True)
        (tmp / "annotations" / "entities.json").write_bytes(registry_bytes(seed))
        (tmp / "dataset.yaml").write_bytes(facts_bytes())
        step = max(1, -(-docs // max(1, jobs * 4)))
        ranges = [(seed, i, min(i + step, docs), str(tmp)) for i in range(0, docs, step)]
        if jobs > 1 and len(ranges) > 1:
            with get_context("fork").Pool(jobs) as pool:
                parts = pool.map(_write_range, ranges)
        else:
            parts = [_write_range(r) for r in ranges]
        summary = {"docs": docs, "seed": seed}
        for key in ("entities", "quotes", "claims", "cues", "chars"):
            summary[key] = sum(p[key] for p in parts)
        summary["spans"] = summary["entities"] + summary["quotes"] + summary["claims"] + summary["cues"]
        (tmp / "bench-corpus.json").write_text(json.dumps(summary, indent=2) + "\n")
        os.replace(tmp, out)
        summary["seconds"] = round(time.perf_counter() - started, 3)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to create")
    parser.add_argument("--jobs", type=int, default=1,
                        help="worker processes (the output does not depend on it)")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    try:
        summary = generate(args.docs, args.seed, args.out, args.jobs)
    except FileExistsError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"generated {summary['docs']} documents, {summary['spans']} spans "
          f"({summary['entities']} mentions, {summary['quotes']} quotes, {summary['cues']} cues, "
          f"{summary['claims']} claims) in {summary['seconds']} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
