"""scripts/doccano-server backup and restore, on both databases: annotate, back up,
destroy the state folder, restore, pull: the same files."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from newsspans.doccano import scheme
from newsspans.doccano.client import Connection
from newsspans.doccano.project import find_project, setup_project, type_ids
from newsspans.doccano.pull import pull
from newsspans.doccano.push import example_key, push

pytestmark = pytest.mark.doccano

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini"
TROMSO = "mini-tromso-schools"


def u16(text, i):
    return len(text[:i].encode("utf-16-le")) // 2


def script(server, *args):
    return subprocess.run([sys.executable, str(server["script"]), *map(str, args)], env=server["env"],
                          capture_output=True, text=True, timeout=600)


def annotator_files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted((root / "annotations").glob("*/annotators/*.json"))}


def without_provenance(raw):
    return {k: v for k, v in json.loads(raw).items() if k != "provenance"}


def annotate(server, pid):
    """carol, a new annotator, labels the Tromsø article: mentions, a linked place, a quote
    with its cue, a claim in the quote, and a comment."""
    admin = Connection(server["url"], server["username"], server["password"])
    admin.post("/v1/users/create", json={"username": "carol", "email": "carol@example.invalid",
                                         "password1": "carol-Secret-42x", "password2": "carol-Secret-42x"})
    roles = {r["name"]: r["id"] for r in admin.get("/v1/roles")}
    carol_id = next(u["id"] for u in admin.get("/v1/users", params={"q": "carol"}) if u["username"] == "carol")
    admin.post(f"/v1/projects/{pid}/members", json={"user": carol_id, "role": roles["annotator"]})
    carol = Connection(server["url"], "carol", "carol-Secret-42x")
    (example,) = [e for e in admin.paginate(f"/v1/projects/{pid}/examples") if example_key(e) == (TROMSO, 1)]
    text, base = example["text"], f"/v1/projects/{pid}/examples/{example['id']}"
    labels, relations = type_ids(admin, pid, "span-types"), type_ids(admin, pid, "relation-types")

    def span(label, piece, after=0):
        start = text.index(piece, after)
        return carol.post(f"{base}/spans", json={"start_offset": u16(text, start),
                                                 "end_offset": u16(text, start + len(piece)),
                                                 "label": labels[label]})["id"]

    span("DATE", "Monday")
    span("PERCENT", "12%")
    span("GPE", "Tromsø")
    quote = span(scheme.quote_label("direct"), "We will build 3 new schools")
    cue = span(scheme.CUE_LABEL, "told")
    claim = span(scheme.claim_label("prediction", True), "We will build 3 new schools")
    carol.post(f"{base}/relations", json={"from_id": quote, "to_id": cue, "type": relations["cue"]})
    carol.post(f"{base}/relations", json={"from_id": claim, "to_id": quote, "type": relations["in_quote"]})
    carol.post(f"/v1/projects/{pid}/comments", params={"example": example["id"]},
               json={"text": "link tromso = Tromsø"})
    carol.post(f"{base}/states", json={})


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_backup_destroy_restore_pull_gives_the_same_files(database, start_server, tmp_path):
    server = start_server(database)
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    shutil.rmtree(root / "annotations" / TROMSO / "annotators")
    admin = Connection(server["url"], server["username"], server["password"])
    setup_project(admin, root, "team")
    assert push(root, admin, "team", preannotate="gold").ok
    pid = find_project(admin, "team")["id"]
    annotate(server, pid)
    first = pull(root, admin, "team", include_preannotations=True)
    assert first.ok and len(first.written) == 3, first  # carol's file, gold's two
    before = annotator_files(root)
    assert b'"entity": "tromso"' in before[Path(f"annotations/{TROMSO}/annotators/carol.json")]

    backup = tmp_path / "backups" / "team.tar.gz"
    made = script(server, "backup", backup)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    with tarfile.open(backup) as archive:
        names = archive.getnames()
    dump = {"sqlite": "db.sqlite3", "postgres": "database.pgdump"}[database]
    assert {"newsspans-doccano-backup.json", dump, "server.env", "credentials.env"} <= set(names)
    assert script(server, "backup", backup).returncode == 1  # never overwritten

    assert script(server, "stop").returncode == 0
    shutil.rmtree(server["state"])
    restored = script(server, "restore", backup)
    assert restored.returncode == 0, restored.stderr
    assert script(server, "restore", backup).returncode == 1  # never over a database
    started = script(server, "start")
    assert started.returncode == 0, started.stderr
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[database]
    assert f"\ndatabase: {name} (" in started.stdout and f"url: {server['url']}\n" in started.stdout

    # The same admin password works (the secrets came back with the database) ...
    again = Connection(server["url"], server["username"], server["password"])
    second = pull(root, again, "team", include_preannotations=True)
    assert second.ok and second.written == [] and len(second.unchanged) == 3, second
    assert annotator_files(root) == before
    # ... and a fresh checkout pulls the same layers (only the pull's timestamps differ).
    fresh = tmp_path / "fresh"
    shutil.copytree(MINI, fresh)
    shutil.rmtree(fresh / "annotations" / TROMSO / "annotators")
    assert pull(fresh, again, "team", include_preannotations=True).ok
    after = annotator_files(fresh)
    assert after.keys() == before.keys()
    assert all(without_provenance(after[k]) == without_provenance(before[k]) for k in before)
