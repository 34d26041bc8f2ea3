"""The Doccano steps the benchmark times, one per child process (see doccano_bench.py).

    python bench/doccano_ops.py setup ROOT PROJECT...
    python bench/doccano_ops.py prepare ROOT FILE        # the records push would import
    python bench/doccano_ops.py import ROOT PROJECT FILE # floor: one JSONL upload
    python bench/doccano_ops.py push ROOT PROJECT
    python bench/doccano_ops.py export ROOT PROJECT      # floor: Doccano's JSONL export
    python bench/doccano_ops.py pull ROOT PROJECT

The connection comes from the local server's credentials (NEWSSPANS_DOCCANO_HOME). Prints
one JSON object with `inner_seconds` (imports excluded) and counts; exit 1 on a problem.
"""

import json
import sys
import time
from pathlib import Path

from newsspans import Corpus
from newsspans.doccano.client import connect
from newsspans.doccano.project import find_project, preannotation_connection, setup_project
from newsspans.doccano.pull import pull
from newsspans.doccano.push import PushReport, _record, local_documents, push
from newsspans.doccano.transfer import export_jsonl, import_jsonl


def _setup(root, *projects):
    conn = connect(root)
    for name in projects:
        setup_project(conn, root, name)
    return {"projects": list(projects)}


def _prepare(root, out):
    found = local_documents(Corpus.open(root), source="gold", report=PushReport())
    with open(out, "w", encoding="utf-8") as handle:
        for key, (text, sha, gold) in sorted(found.items()):
            handle.write(json.dumps(_record(key, text, sha, gold), ensure_ascii=False) + "\n")
    return {"records": len(found)}


def _import(root, project, path):
    conn = connect(root)
    pid = find_project(conn, project)["id"]
    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    errors = import_jsonl(preannotation_connection(conn), pid, records, timeout=3600)
    if errors:
        raise SystemExit(f"Error: Doccano's import reported {len(errors)} errors, e.g. {errors[0]}")
    return {"records": len(records)}


def _push(root, project):
    result = push(root, connect(root), project, preannotate="gold")
    if not result.ok:
        raise SystemExit(f"Error: push reported problems: {(result.conflicts + result.problems)[:3]}")
    return {"created": len(result.created), "unchanged": len(result.unchanged)}


def _export(root, project):
    conn = connect(root)
    members = export_jsonl(conn, find_project(conn, project)["id"], timeout=3600)
    return {"records": sum(len(v) for v in members.values()), "members": len(members)}


def _pull(root, project):
    result = pull(root, connect(root), project, include_preannotations=True)
    if result.problems:
        raise SystemExit(f"Error: pull reported problems: {result.problems[:3]}")
    return {"written": len(result.written), "unchanged": len(result.unchanged)}


STEPS = {"setup": _setup, "prepare": _prepare, "import": _import, "push": _push,
         "export": _export, "pull": _pull}


def main(argv) -> int:
    step, args = STEPS[argv[0]], argv[1:]
    started = time.perf_counter()
    result = step(*args)
    result["inner_seconds"] = time.perf_counter() - started
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
