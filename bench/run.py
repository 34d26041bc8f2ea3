"""Benchmark newsspans at corpus scale: each operation against its floor, same run, same data.

    python bench/run.py                      # N = 2,000 and N = 10,000
    python bench/run.py --docs 2000          # one size

For each size: generate the corpus (cached by size, seed and generator code), then
measure `newsspans validate`, `newsspans export`, `datasets.load_dataset` of every config
(after a first, cache-building load), `newsspans revise` of one document, and the Doccano
push and pull at a smaller size; each as a child process, timed and with its peak memory,
next to its floor (bench/floors.py, bench/doccano_bench.py). Prints a table with the
machine described and each figure as a ratio to its floor, and writes
bench/results/latest.json.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path

import doccano_bench
import machine
import measure
import peers
import report
from newsspans.store.writing import atomic_write, dumps_json

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PY = sys.executable
CLI = str(Path(sys.executable).parent / "newsspans")
GENERATOR_FILES = ("generate.py", "articles.py", "textbuilder.py", "vocabulary.py")
REVISE_MARKER = ".bench-revise-in-progress"


def _say(message):
    print(message, flush=True)


def _generator_digest() -> str:
    digest = hashlib.sha256()
    for name in GENERATOR_FILES:
        digest.update((BENCH / name).read_bytes())
    return digest.hexdigest()[:16]


def corpus(docs: int, seed: int, cache: Path) -> tuple:
    """The generated corpus for (docs, seed): reused when the generator is unchanged."""
    root = cache / f"docs-{docs}-seed-{seed}"
    stamp = root / ".bench-stamp"
    digest = _generator_digest()
    fresh = (stamp.is_file() and stamp.read_text().strip() == digest
             and not (root / REVISE_MARKER).exists())
    seconds = None
    if not fresh:
        shutil.rmtree(root, ignore_errors=True)
        _say(f"[{docs:,}] generating the corpus (seed {seed}) ...")
        m = measure.run([PY, BENCH / "generate.py", "--docs", docs, "--seed", seed,
                         "--out", root, "--jobs", 2])
        if not m.ok:
            raise SystemExit(f"Error: generating {docs} documents failed:\n{m.stderr}")
        stamp.write_text(digest + "\n")
        seconds = round(m.seconds, 2)
        _say(f"[{docs:,}] {m.stdout.strip()}")
    summary = json.loads((root / "bench-corpus.json").read_text())
    summary["generate_seconds"] = seconds
    return root, summary


def _inner(m) -> float:
    return json.loads(m.stdout.strip().splitlines()[-1])["inner_seconds"]


def _tail(m) -> str:
    text = (m.stderr.strip() or m.stdout.strip()).splitlines()
    return " | ".join(text[-3:])[:400] or f"exit status {m.returncode}"


def _one_document_corpus(root: Path, work: Path) -> Path:
    """A corpus of the first document of `root` alone (with the registry and dataset.yaml)."""
    one = work / "one-document"
    shutil.rmtree(one, ignore_errors=True)
    doc_id = sorted(os.listdir(root / "corpus"))[0]
    shutil.copytree(root / "corpus" / doc_id, one / "corpus" / doc_id)
    shutil.copytree(root / "annotations" / doc_id, one / "annotations" / doc_id)
    shutil.copyfile(root / "annotations" / "entities.json", one / "annotations" / "entities.json")
    if (root / "dataset.yaml").is_file():
        shutil.copyfile(root / "dataset.yaml", one / "dataset.yaml")
    return one


def _incremental(root: Path, work: Path, env: dict) -> dict:
    """validate with its cache: the run that fills it, a run with nothing changed, a run
    after one annotation file changed, next to a one-document validate and a tree walk."""
    cache = Path(env["NEWSSPANS_CACHE_DIR"])
    shutil.rmtree(cache, ignore_errors=True)
    filling = measure.run([CLI, "validate", "--root", root], env=env)
    unchanged = measure.run([CLI, "validate", "--root", root], env=env)
    gold = root / "annotations" / sorted(os.listdir(root / "corpus"))[len(os.listdir(root / "corpus")) // 2] / "gold.json"
    before = gold.read_bytes()
    gold.write_bytes(before.replace(b'"note": "', b'"note": "edited: ', 1))
    try:
        one_changed = measure.run([CLI, "validate", "--root", root], env=env)
    finally:
        gold.write_bytes(before)
    one_doc = measure.run([CLI, "validate", "--root", _one_document_corpus(root, work), "--no-cache"])
    walk = measure.run([PY, BENCH / "floors.py", "walk", root])
    shutil.rmtree(cache, ignore_errors=True)
    if not all(m.ok or m.returncode == 1 for m in (filling, unchanged, one_changed, one_doc, walk)):
        return {"error": _tail(next(m for m in (filling, unchanged, one_changed, one_doc, walk) if not m.ok))}
    limit = 2 * one_doc.seconds + walk.seconds
    # The same comparison in CPU time, which other people's work on a shared machine moves less.
    limit_cpu = 2 * one_doc.cpu_seconds + walk.cpu_seconds
    return {"filling_seconds": round(filling.seconds, 3), "unchanged_seconds": round(unchanged.seconds, 3),
            "one_file_changed_seconds": round(one_changed.seconds, 3),
            "one_file_changed_cpu_seconds": round(one_changed.cpu_seconds, 3),
            "one_document_validate_seconds": round(one_doc.seconds, 3),
            "walk_seconds": round(walk.seconds, 3),
            "limit_seconds": round(limit, 3), "ratio": round(one_changed.seconds / limit, 2),
            "limit_cpu_seconds": round(limit_cpu, 3),
            "cpu_ratio": round(one_changed.cpu_seconds / max(limit_cpu, 1e-3), 2)}


# validate and its floors are measured this many times, in turn, and each keeps its
# fastest run: the least disturbed by the machine, for the command and its floors alike.
VALIDATE_ROUNDS = 3


def _fastest(runs):
    """One measurement of several runs of one command: the least wall time and the least
    CPU time (each of its own run), the most memory; the first failure if any failed."""
    bad = next((m for m in runs if not m.ok), None)
    if bad is not None:
        return bad
    best = min(runs, key=lambda m: m.seconds)
    return measure.Measurement(best.seconds, max(m.peak_rss_mb for m in runs),
                               min(m.cpu_seconds for m in runs), 0, best.stdout, best.stderr)


def bench_validate(root, docs, spans, work):
    """validate without its cache (every document checked) against the parse floor, in CPU
    time and, against the floor run in as many processes, in wall time; beside it the
    read-and-hash floor, the start-up cost, the incremental runs and check-jsonschema.

    A first validate of an empty corpus (the start-up figure) and a read of every file go
    first, so that no measured run pays for compiling bytecode or a cold page cache; then
    the floors and validate run VALIDATE_ROUNDS times in turn, each keeping its fastest."""
    empty = work / "empty-corpus"
    (empty / "corpus").mkdir(parents=True, exist_ok=True)
    startup = measure.run([CLI, "validate", "--root", empty, "--no-cache"])
    read_hash = measure.run([PY, BENCH / "floors.py", "read-hash", root])
    rounds = {"floor": [], "floor_parallel": [], "validate": []}
    for _ in range(VALIDATE_ROUNDS):
        rounds["floor"].append(measure.run([PY, BENCH / "floors.py", "parse", root]))
        rounds["floor_parallel"].append(measure.run([PY, BENCH / "floors.py", "parse-parallel", root]))
        rounds["validate"].append(measure.run([CLI, "validate", "--root", root, "--no-cache"]))
    floor, floor_parallel, m = (_fastest(rounds[k]) for k in ("floor", "floor_parallel", "validate"))
    if not (floor.ok and floor_parallel.ok and read_hash.ok and m.ok and startup.ok):
        bad = next(x for x in (m, floor, floor_parallel, read_hash, startup) if not x.ok)
        return report.failed(docs, spans, _tail(bad))
    peer = peers.check_jsonschema(root, REPO / "schema")
    env = {**os.environ, "NEWSSPANS_CACHE_DIR": str(work / f"validate-cache-{docs}")}
    cpu_ratio = m.cpu_seconds / max(floor.cpu_seconds, 1e-3)
    wall_ratio = m.seconds / max(floor_parallel.seconds, 1e-3)
    return report.entry(docs, spans, m.seconds, floor_parallel.seconds, m.peak_rss_mb,
                        f"wall time against the parse floor in as many processes; no cache; "
                        f"fastest of {VALIDATE_ROUNDS}",
                        cpu_seconds=round(m.cpu_seconds, 2),
                        floor_cpu_seconds=round(floor.cpu_seconds, 2),
                        cpu_ratio=round(cpu_ratio, 2), wall_ratio=round(wall_ratio, 2),
                        rounds={k: [{"seconds": round(x.seconds, 3), "cpu_seconds": round(x.cpu_seconds, 3)}
                                    for x in runs] for k, runs in rounds.items()},
                        one_process_floor_seconds=round(floor.seconds, 3),
                        floor_jobs=json.loads(floor_parallel.stdout.strip().splitlines()[-1])["jobs"],
                        floor_peak_rss_mb=round(floor.peak_rss_mb, 1),
                        floor_inner_seconds=round(_inner(floor), 3),
                        read_hash_floor_seconds=round(read_hash.seconds, 3),
                        read_hash_floor_cpu_seconds=round(read_hash.cpu_seconds, 3),
                        read_hash_cpu_ratio=round(m.cpu_seconds / max(read_hash.cpu_seconds, 1e-3), 2),
                        startup_seconds=round(startup.seconds, 3),
                        startup_cpu_seconds=round(startup.cpu_seconds, 3),
                        peer=peer, peer_ratio=_peer_ratio(m, peer),
                        incremental=_incremental(root, work, env))


def _peer_ratio(m, peer):
    return round(m.seconds / peer["seconds"], 2) if peer.get("seconds") else None


def bench_export(root, docs, spans, work):
    if find_spec("newsspans.export.build") is None:
        return report.skipped(docs, spans, "newsspans.export.build is not available yet")
    out = work / "floor-export"
    shutil.rmtree(out, ignore_errors=True)
    floor = measure.run([PY, BENCH / "floors.py", "export", root, out])
    shutil.rmtree(out, ignore_errors=True)
    m = measure.run([CLI, "export", "--root", root])
    if not (floor.ok and m.ok):
        return report.failed(docs, spans, _tail(m if not m.ok else floor))
    peer = peers.datasets_export(root, out)
    shutil.rmtree(out, ignore_errors=True)
    return report.entry(docs, spans, m.seconds, floor.seconds, m.peak_rss_mb,
                        "process wall time (export validates first)",
                        cpu_seconds=round(m.cpu_seconds, 2),
                        floor_cpu_seconds=round(floor.cpu_seconds, 2),
                        cpu_ratio=round(m.cpu_seconds / max(floor.cpu_seconds, 1e-3), 2),
                        floor_peak_rss_mb=round(floor.peak_rss_mb, 1),
                        floor_inner_seconds=round(_inner(floor), 3),
                        peer=peer, peer_ratio=_peer_ratio(m, peer))


def bench_load(root, docs, spans, work, exported):
    if not exported:
        return report.skipped(docs, spans, "no fresh exports to load (export did not run)")
    cache = work / f"hf-cache-{docs}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(work / "hf-home")}
    cmd = [PY, BENCH / "load_configs.py", root, cache]
    first = measure.run(cmd, env=env)
    again = measure.run(cmd, env=env)
    floor = measure.run([PY, BENCH / "floors.py", "read", root])
    shutil.rmtree(cache, ignore_errors=True)
    if not (first.ok and again.ok and floor.ok):
        bad = next(x for x in (first, again, floor) if not x.ok)
        return report.failed(docs, spans, _tail(bad))
    inner = json.loads(again.stdout.strip().splitlines()[-1])
    return report.entry(docs, spans, inner["inner_seconds"], _inner(floor), again.peak_rss_mb,
                        "time inside load_dataset, all configs, after a first load",
                        wall_seconds=round(again.seconds, 3),
                        floor_wall_seconds=round(floor.seconds, 3),
                        config_seconds={k: round(v, 3) for k, v in inner["config_seconds"].items()},
                        first_load_seconds=round(_inner(first), 3),
                        first_load_peak_rss_mb=round(first.peak_rss_mb, 1),
                        floor_peak_rss_mb=round(floor.peak_rss_mb, 1))


def revised_text(text: str) -> str:
    """A realistic correction: a figure changed in the lead, a paragraph inserted, a note added."""
    paragraphs = text.rstrip("\n").split("\n\n")
    lead = paragraphs[1]
    digit = next((i for i, c in enumerate(lead) if c.isdigit()), None)
    if digit is not None:
        lead = lead[:digit] + str((int(lead[digit]) + 1) % 10) + lead[digit + 1:]
    paragraphs[1] = lead
    paragraphs.insert(2, "This paragraph was added when the article was corrected; "
                         "an earlier version misstated a figure.")
    paragraphs[-1] += " (Corrected.)"
    return "\n\n".join(paragraphs) + "\n"


def bench_revise(root, docs, work):
    if find_spec("newsspans.curation.revise") is None:
        return report.skipped(1, None, "newsspans.curation.revise is not available yet")
    doc_id = sorted(os.listdir(root / "corpus"))[0]
    gold = json.loads((root / "annotations" / doc_id / "gold.json").read_text(encoding="utf-8"))
    spans = (sum(len(gold[layer]) for layer in ("entities", "quotes", "claims"))
             + sum(1 for q in gold["quotes"] if q["cue"] is not None))
    new_text = work / "revised.txt"
    new_text.write_text(revised_text((root / "corpus" / doc_id / "v1.txt").read_text(encoding="utf-8")),
                        encoding="utf-8")
    out = work / "floor-revise"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    floor = measure.run([PY, BENCH / "floors.py", "revise", root, doc_id, new_text, out])
    backup = work / "revise-backup"
    shutil.rmtree(backup, ignore_errors=True)
    folders = {"corpus": root / "corpus" / doc_id, "annotations": root / "annotations" / doc_id}
    (root / REVISE_MARKER).write_text(doc_id + "\n")
    for name, folder in folders.items():
        shutil.copytree(folder, backup / name)
    try:
        m = measure.run([CLI, "revise", doc_id, "--text", new_text, "--note", "benchmark correction",
                         "--format", "json", "--root", root])
    finally:
        # Put the document back as generated: the cached corpus is reused by later runs.
        for name, folder in folders.items():
            shutil.rmtree(folder)
            shutil.copytree(backup / name, folder)
        shutil.rmtree(backup)
        (root / REVISE_MARKER).unlink()
    if not (floor.ok and m.ok):
        return report.failed(1, spans, _tail(m if not m.ok else floor))
    return report.entry(1, spans, m.seconds, floor.seconds, m.peak_rss_mb,
                        f"process wall time; one document of a {docs:,}-document corpus",
                        corpus_docs=docs, cpu_seconds=round(m.cpu_seconds, 2), floor_peak_rss_mb=round(floor.peak_rss_mb, 1))


def _brief(e) -> str:
    if e.get("seconds") is None:
        return f"FAILED: {e['error']}" if e.get("error") else f"skipped: {e['skipped']}"
    return (f"{e['seconds']:.2f} s, floor {e['floor_seconds']:.2f} s, ratio {e['ratio']:.2f}x, "
            f"peak {e['peak_rss_mb']:.0f} MB")


def bench_size(docs, seed, args, work) -> dict:
    root, summary = corpus(docs, seed, args.cache)
    spans = summary["spans"]
    results = {}
    steps = [("validate", lambda: bench_validate(root, docs, spans, work)),
             ("export", lambda: bench_export(root, docs, spans, work)),
             ("load", lambda: bench_load(root, docs, spans, work,
                                         results["export"].get("seconds") is not None)),
             ("revise", lambda: bench_revise(root, docs, work))]
    for op, step in steps:
        _say(f"[{docs:,}] {op} ...")
        results[op] = step()
        _say(f"[{docs:,}] {op}: {_brief(results[op])}")
    if args.doccano_docs:
        _say(f"[{docs:,}] doccano push/pull at {min(docs, args.doccano_docs):,} documents ...")
        found = doccano_bench.bench(root, min(docs, args.doccano_docs), work, args.doccano_port)
        failures = {op: e["error"] for op, e in found.items() if e.get("error")}
        if failures:
            # A fresh server and a fresh project: a retried push would measure a resumed
            # push, not a first one. The first failure stays in the record.
            _say(f"[{docs:,}] doccano failed ({'; '.join(failures.values())[:300]}); once more ...")
            found = doccano_bench.bench(root, min(docs, args.doccano_docs), work, args.doccano_port)
            for op, error in failures.items():
                found[op]["first_attempt_error"] = error
        results.update(found)
        for op in ("push", "pull"):
            _say(f"[{docs:,}] {op}: {_brief(results[op])}")
    _say(report.table({str(docs): results}))
    return {"corpus": {k: summary.get(k) for k in ("docs", "spans", "entities", "quotes",
                                                   "cues", "claims", "chars", "generate_seconds")},
            "operations": results}


def _report_only(path: Path) -> int:
    results = json.loads(path.read_text(encoding="utf-8"))
    results["growth"] = report.growth(results["by_size"])
    results["targets"] = report.targets(results["by_size"], results["growth"])
    atomic_write(path, dumps_json(results))
    _say(machine.format_machine(results["machine"]))
    _say(report.table(results["by_size"]))
    if results["growth"]:
        _say(report.format_growth(results["growth"]))
    _say(report.format_targets(results["targets"]))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, action="append",
                        help="corpus size; repeat for several (default: 2000 and 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=BENCH / "results" / "cache",
                        help="where generated corpora are kept between runs")
    parser.add_argument("--results", type=Path, default=BENCH / "results" / "latest.json")
    parser.add_argument("--doccano-docs", type=int, default=1000,
                        help="documents pushed to and pulled from Doccano (0: skip)")
    parser.add_argument("--doccano-port", type=int, default=8871)
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: recompute growth and targets of --results and print them")
    args = parser.parse_args(argv)
    # The commands are measured as installed, their bytecode compiled once and kept: an
    # environment that forbids writing it would make every run compile newsspans again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.report_only:
        return _report_only(args.results)
    sizes = sorted(set(args.docs or [2000, 10000]))
    if sizes[0] < 1:
        parser.error("--docs must be at least 1")
    info = machine.describe(REPO)
    _say(machine.format_machine(info))
    work = args.cache / "work"
    work.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    runs = {str(n): bench_size(n, args.seed, args, work) for n in sizes}
    by_size = {n: run["operations"] for n, run in runs.items()}
    grown = report.growth(by_size)
    found = report.targets(by_size, grown)
    results = {"machine": info, "seed": args.seed, "started": started,
               "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "sizes": sizes, "operations": by_size[str(sizes[-1])],
               "by_size": by_size, "corpora": {n: run["corpus"] for n, run in runs.items()},
               "growth": grown, "targets": found}
    atomic_write(args.results, dumps_json(results))
    _say("")
    _say(machine.format_machine(machine.describe(REPO)))
    _say(report.table(by_size))
    if grown:
        _say(report.format_growth(grown))
    _say(report.format_targets(found))
    _say(f"wrote {args.results}")
    failures = [f"{n}/{op}" for n, ops in by_size.items() for op, e in ops.items() if e.get("error")]
    if failures:
        _say(f"Error: {len(failures)} operation(s) failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
