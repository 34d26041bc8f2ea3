"""Doccano push and pull against a local server, next to Doccano's own JSONL import and export.

The first `docs` documents of the corpus (with their gold as pre-annotations) are copied
into a scratch corpus, so that pull's annotator files never land in the cached corpus. A
local server is started with scripts/doccano-server in a scratch state folder and stopped
afterwards. Each step runs as a child process (bench/doccano_ops.py), timed with its peak
memory (the client's: the server's own processes are not counted):

- push:  `newsspans.doccano.push.push(preannotate="gold")` into a fresh project;
  floor: the same records (text, meta, spans, relations) as one JSONL upload imported by
  Doccano's worker into another fresh project;
- pull:  `newsspans.doccano.pull.pull` of the pushed project (the pre-annotation user's
  layers, as an annotator's would be);
  floor: Doccano's JSONL export of the same project, unzipped and parsed (the faster of
  one export before the pull and one after).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path

import measure
import report

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SERVER = REPO / "scripts" / "doccano-server"
PY = sys.executable


def unavailable() -> str:
    """Why the Doccano figures cannot be measured here, or "" when they can."""
    for module in ("newsspans.doccano.push", "newsspans.doccano.pull", "newsspans.doccano.transfer"):
        if find_spec(module) is None:
            return f"{module} is not available yet"
    if not SERVER.is_file():
        return "scripts/doccano-server is not available yet"
    return ""


def _scratch_corpus(root: Path, docs: int, dest: Path) -> tuple:
    """A corpus of the first `docs` documents of `root`; returns (dest, spans)."""
    shutil.rmtree(dest, ignore_errors=True)
    (dest / "corpus").mkdir(parents=True)
    (dest / "annotations").mkdir()
    shutil.copy2(root / "annotations" / "entities.json", dest / "annotations" / "entities.json")
    guidelines = REPO / "annotations" / "GUIDELINES.md"
    if guidelines.is_file():
        shutil.copy2(guidelines, dest / "annotations" / "GUIDELINES.md")
    spans = 0
    for doc_id in sorted(os.listdir(root / "corpus"))[:docs]:
        shutil.copytree(root / "corpus" / doc_id, dest / "corpus" / doc_id)
        shutil.copytree(root / "annotations" / doc_id, dest / "annotations" / doc_id)
        gold = json.loads((dest / "annotations" / doc_id / "gold.json").read_text(encoding="utf-8"))
        spans += sum(len(gold[k]) for k in ("entities", "quotes", "claims"))
        spans += sum(1 for q in gold["quotes"] if q["cue"] is not None)
    return dest, spans


def _server(action, port, state):
    return measure.run([PY, SERVER, action, "--port", port, "--state", state], timeout=1800)


def bench(root: Path, docs: int, work: Path, port: int) -> dict:
    """{"push": entry, "pull": entry} for the first `docs` documents of `root`."""
    reason = unavailable()
    if reason:
        return {op: report.skipped(docs, None, reason) for op in ("push", "pull")}
    scratch, spans = _scratch_corpus(root, docs, work / "doccano-corpus")
    state = work / "doccano-state"
    shutil.rmtree(state, ignore_errors=True)
    started = _server("start", port, state)
    try:
        if not started.ok:
            why = f"the local Doccano server did not start: {started.stderr.strip()[-300:]}"
            return {op: report.failed(docs, spans, why) for op in ("push", "pull")}
        return _measure_sync(scratch, docs, spans, state)
    finally:
        _server("stop", port, state)
        shutil.rmtree(scratch, ignore_errors=True)


def _measure_sync(scratch, docs, spans, state) -> dict:
    env = {**os.environ, "NEWSSPANS_DOCCANO_HOME": str(state)}
    for var in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD"):
        env.pop(var, None)
    ops = BENCH / "doccano_ops.py"

    def step(*args):
        m = measure.run([PY, ops, *args], env=env, timeout=3600)
        inner = json.loads(m.stdout.strip().splitlines()[-1]) if m.ok else None
        return m, inner

    results = {}
    setup, _ = step("setup", scratch, "bench-push", "bench-floor")
    if not setup.ok:
        why = f"project setup failed: {_tail(setup)}"
        return {op: report.failed(docs, spans, why) for op in ("push", "pull")}
    # The worker's first task pays for its start-up: let an unmeasured export pay it.
    step("export", scratch, "bench-floor")
    records = scratch.parent / "doccano-floor.jsonl"
    prepared, _ = step("prepare", scratch, records)
    if not prepared.ok:
        why = f"building the JSONL records failed: {_tail(prepared)}"
        return {op: report.failed(docs, spans, why) for op in ("push", "pull")}
    floor_push, floor_push_out = step("import", scratch, "bench-floor", records)
    push, push_out = step("push", scratch, "bench-push")
    floor_pull, floor_pull_out = step("export", scratch, "bench-push")
    pull, pull_out = step("pull", scratch, "bench-push")
    # Doccano's export task varies from run to run: its floor is the faster of two exports.
    again, again_out = step("export", scratch, "bench-push")
    if again.ok and floor_pull.ok and again.seconds < floor_pull.seconds:
        floor_pull, floor_pull_out = again, again_out
    basis = "process wall time (client side; the server's memory is not counted)"
    floors = {"push": "floor (Doccano's JSONL import)", "pull": "floor (Doccano's JSONL export)"}
    for op, m, out, floor, floor_out in (("push", push, push_out, floor_push, floor_push_out),
                                         ("pull", pull, pull_out, floor_pull, floor_pull_out)):
        if not (m.ok and floor.ok):
            which, bad = (op, m) if not m.ok else (floors[op], floor)
            results[op] = report.failed(docs, spans, f"{which}: {_tail(bad)}")
            continue
        results[op] = report.entry(docs, spans, m.seconds, floor.seconds, m.peak_rss_mb, basis,
                                   inner_seconds=round(out["inner_seconds"], 3),
                                   cpu_seconds=round(m.cpu_seconds, 2),
                                   floor_inner_seconds=round(floor_out["inner_seconds"], 3),
                                   floor_peak_rss_mb=round(floor.peak_rss_mb, 1),
                                   details={k: v for k, v in out.items() if k != "inner_seconds"})
    return results


def _tail(m) -> str:
    text = (m.stderr.strip() or m.stdout.strip()).splitlines()
    return " | ".join(text[-3:])[:400] or f"exit status {m.returncode}"


def main(argv=None) -> int:
    """The Doccano figures alone, `--runs` times in a row on a fresh server each time:
    `python bench/doccano_bench.py --docs 1000 --runs 3` (the corpus is bench/run.py's)."""
    import run
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8871)
    parser.add_argument("--cache", type=Path, default=BENCH / "results" / "cache")
    args = parser.parse_args(argv)
    root, _ = run.corpus(args.docs, args.seed, args.cache)
    runs = []
    with tempfile.TemporaryDirectory(prefix="doccano-bench-") as work:
        for number in range(1, args.runs + 1):
            # A port of its own for each run: the last server's port may not be free yet.
            found = bench(root, args.docs, Path(work), args.port + number - 1)
            runs.append(found)
            for op in ("push", "pull"):
                e = found[op]
                shown = (f"{e['seconds']:.2f} s, floor {e['floor_seconds']:.2f} s, ratio {e['ratio']:.2f}x, "
                         f"inner {e['inner_seconds']:.2f} s" if e.get("seconds") is not None
                         else f"FAILED: {e.get('error') or e.get('skipped')}")
                print(f"run {number} {op}: {shown}", flush=True)
    held = all(r[op].get("ratio") is not None and r[op]["ratio"] <= 1.5 for r in runs for op in ("push", "pull"))
    print(json.dumps(runs, indent=2))
    print(f"push and pull <= 1.5x their floors in every run: {'yes' if held else 'NO'}")
    return 0 if held else 1


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
