"""The floors: the same work as a newsspans command, done the most direct way.

Run as a child process by the harness (`python bench/floors.py KIND ...`) so that its
time and memory are measured exactly like the command's; prints one JSON object with the
time spent inside the operation (`inner_seconds`, imports excluded) and counts.

- parse:  read and parse every annotation file with orjson, no validation (for validate);
- parse-parallel: the same, in as many processes as validate uses (one per core), for
          the wall-time comparison;
- read-all: read every file under corpus/ and annotations/, parse the JSON ones (context
          for validate, which also reads and hashes the texts);
- read-hash: read and sha256 every file validate reads (corpus/ and annotations/): the
          second floor of validate;
- walk:   list every file under corpus/ and annotations/ and stat it (what an incremental
          validate cannot skip);
- export: build the rows of every export config from the files (orjson, the project's NER
          tokenisation) and write them with pyarrow.parquet directly (for export);
- read:   read every exported Parquet file with pyarrow.parquet (for load_dataset);
- revise: read one document and its gold, write the next version and the gold back (the
          I/O a revision cannot avoid; for revise).
"""

import json
import os
import sys
import time
from pathlib import Path

import orjson


def _annotation_files(root: Path):
    annotations = root / "annotations"
    yield annotations / "entities.json"
    for entry in sorted(os.scandir(annotations), key=lambda e: e.name):
        if entry.is_dir():
            gold = Path(entry.path) / "gold.json"
            if gold.is_file():
                yield gold
            folder = Path(entry.path) / "annotators"
            if folder.is_dir():
                yield from sorted(folder.glob("*.json"))


def parse(root: Path) -> dict:
    files, spans = _parse_files(_annotation_files(root))
    return {"files": files, "spans": spans}


def _every_file(root: Path):
    """(name, bytes) of every file under corpus/ and annotations/: what validate reads."""
    for folder in ("corpus", "annotations"):
        for dirpath, _, names in os.walk(root / folder):
            for name in names:
                yield name, Path(dirpath, name).read_bytes()


def read_all(root: Path) -> dict:
    """Every file validate reads, read; every JSON file parsed (a wider floor, for context)."""
    files = size = 0
    for name, data in _every_file(root):
        if name.endswith(".json"):
            orjson.loads(data)
        files += 1
        size += len(data)
    return {"files": files, "bytes": size}


def _parse_files(paths) -> tuple:
    files = spans = 0
    for path in paths:
        data = orjson.loads(Path(path).read_bytes())
        files += 1
        spans += sum(len(data.get(layer, ())) for layer in ("entities", "quotes", "claims"))
    return files, spans


def parse_parallel(root: Path) -> dict:
    from concurrent.futures import ProcessPoolExecutor
    paths = [str(p) for p in _annotation_files(root)]
    jobs = os.cpu_count() or 1
    size = max(1, len(paths) // (jobs * 8))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(jobs) as pool:
        found = list(pool.map(_parse_files, chunks))
    return {"files": sum(f for f, _ in found), "spans": sum(s for _, s in found), "jobs": jobs}


def read_hash(root: Path) -> dict:
    import hashlib
    files = size = 0
    for _, data in _every_file(root):
        hashlib.sha256(data).hexdigest()
        files += 1
        size += len(data)
    return {"files": files, "bytes": size}


def walk(root: Path) -> dict:
    files = 0
    for folder in ("corpus", "annotations"):
        for dirpath, _, names in os.walk(root / folder):
            for name in names:
                os.lstat(os.path.join(dirpath, name))
                files += 1
    return {"files": files}


def read(root: Path) -> dict:
    import pyarrow.parquet as pq
    files = rows = 0
    for path in sorted((root / "exports").glob("*/*.parquet")):
        rows += pq.read_table(path).num_rows
        files += 1
    return {"files": files, "rows": rows}


def revise(root: Path, doc_id: str, new_text: Path, out: Path) -> dict:
    from newsspans.store.writing import atomic_write
    from newsspans.store.hashing import sha256_text
    from newsspans.model.normalize import normalize
    doc = orjson.loads((root / "corpus" / doc_id / "document.json").read_bytes())
    gold = orjson.loads((root / "annotations" / doc_id / "gold.json").read_bytes())
    latest = max(v["version"] for v in doc["versions"])
    old = (root / "corpus" / doc_id / f"v{latest}.txt").read_text(encoding="utf-8")
    text = normalize(new_text.read_text(encoding="utf-8"))
    sha = sha256_text(text)
    doc["versions"].append({"version": latest + 1, "file": f"v{latest + 1}.txt", "sha256": sha,
                            "created": "2026-01-01", "note": "floor"})
    gold.update(version=latest + 1, sha256=sha)
    opt = orjson.OPT_INDENT_2
    atomic_write(out / f"v{latest + 1}.txt", text.encode("utf-8"))
    atomic_write(out / "gold.json", orjson.dumps(gold, option=opt))
    atomic_write(out / "document.json", orjson.dumps(doc, option=opt))
    return {"old_chars": len(old), "new_chars": len(text)}


KINDS = {"parse": parse, "parse-parallel": parse_parallel, "read-all": read_all,
         "read-hash": read_hash, "walk": walk, "read": read, "revise": revise}


def main(argv) -> int:
    kind, args = argv[0], argv[1:]
    if kind == "export":
        from floor_export import export as run
    elif kind == "datasets":
        from floor_export import export_with_datasets as run
    else:
        run = KINDS[kind]
    started = time.perf_counter()
    result = run(*[Path(a) if i != 1 or kind != "revise" else a for i, a in enumerate(args)])
    result["inner_seconds"] = time.perf_counter() - started
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
