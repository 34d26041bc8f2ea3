"""Against a real Doccano server: setup -> push -> an annotator labels -> pull -> validate
-> agreement -> adopt; idempotence, conflicts, faults."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from newsspans.cli import main
from newsspans.store.layout import Layout
from newsspans.doccano import scheme
from newsspans.doccano.client import Connection
from newsspans.doccano.convert import to_doccano
from newsspans.doccano.project import PREANNOTATION_USER, find_project, setup_project, type_ids
from newsspans.doccano.push import example_key, push
from newsspans.doccano.transfer import export_jsonl
from newsspans.errors import DoccanoError
from newsspans.model.annotations import AnnotationFile
from newsspans.validation.validate import validate_corpus

pytestmark = pytest.mark.doccano

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini"
TROMSO = "mini-tromso-schools"
STORM = "mini-brittany-storm"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    dest = tmp_path_factory.mktemp("corpus") / "mini"
    shutil.copytree(MINI, dest)
    return dest


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin(server, **kwargs) -> Connection:
    return Connection(server["url"], server["username"], server["password"], **kwargs)


def run(server, *args, **env):
    """The CLI with the test server's credentials file as its only connection source."""
    environment = {"NEWSSPANS_DOCCANO_HOME": str(server["state"]), "DOCCANO_URL": None,
                   "DOCCANO_USERNAME": None, "DOCCANO_PASSWORD": None, **env}
    return CliRunner().invoke(main, [str(a) for a in args], env=environment)


def u16(text, i):
    return len(text[:i].encode("utf-16-le")) // 2


def examples_by_key(conn, pid):
    found = {}
    for example in conn.paginate(f"/v1/projects/{pid}/examples"):
        found.setdefault(example_key(example), []).append(example)
    return found


def assert_preannotations_equal_gold(conn, pid, root):
    """One example per document, and the pre-annotation user's layers equal gold exactly."""
    corpus = Layout(root)
    examples = examples_by_key(conn, pid)
    assert sorted(examples) == [(d, 1) for d in corpus.doc_ids()]
    assert all(len(v) == 1 for v in examples.values()), examples
    records = {r["id"]: r for r in export_jsonl(conn, pid)[PREANNOTATION_USER]}
    for (doc_id, _), (example,) in examples.items():
        gold = AnnotationFile.fromdict(corpus.read_json(corpus.gold_path(doc_id)))
        wanted = to_doccano(gold, corpus.text(doc_id, 1))
        have = records[example["id"]]
        spans = {s["id"]: (s["start_offset"], s["end_offset"], s["label"]) for s in have["entities"]}
        wanted_spans = {s["id"]: (s["start_offset"], s["end_offset"], s["label"]) for s in wanted["entities"]}
        assert sorted(spans.values()) == sorted(wanted_spans.values()), doc_id
        assert sorted((spans[r["from_id"]], spans[r["to_id"]], r["type"]) for r in have["relations"]) == \
            sorted((wanted_spans[r["from_id"]], wanted_spans[r["to_id"]], r["type"]) for r in wanted["relations"])
        assert have["Comments"] == []
        # Nothing of gold in what annotators can read: the meta is the document's key only.
        assert sorted(example["meta"]) == ["doc_id", "text_sha256", "version"]


def test_the_server_script(doccano_server):
    server = doccano_server
    assert server["url"].startswith("http://127.0.0.1:")
    assert stat.S_IMODE(os.stat(server["credentials"]).st_mode) == 0o600
    assert server["password"] not in server["start_output"]
    script = [sys.executable, str(server["script"])]
    status = subprocess.run(script + ["status"], env=server["env"], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0
    assert f"url: {server['url']}" in status.stdout
    assert f"credentials: {server['credentials']}" in status.stdout
    again = subprocess.run(script + ["start"], env=server["env"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "already running" in again.stdout
    assert [int(p) for p in re.findall(r"pid (\d+)", again.stdout)] == server["pids"]
    port = int(server["url"].rsplit(":", 1)[1])
    listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port]
    assert listening == [f"0100007F:{port:04X}"]  # 127.0.0.1 only


def test_round_trip(doccano_server, root):
    server = doccano_server
    result = run(server, "doccano", "setup", "--project", "mini", "--root", root)
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    assert "up to date" in run(server, "doccano", "setup", "--project", "mini", "--root", root).output

    first = run(server, "doccano", "push", "--preannotate", "gold", "--project", "mini", "--root", root)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("created 2, unchanged 0")
    second = run(server, "doccano", "push", "--with-gold", "--project", "mini", "--root", root)
    assert "--with-gold is deprecated" in second.output
    assert second.stdout.startswith("created 0, unchanged 2, repaired 0, duplicates removed 0"), second.output
    conn = admin(server)
    pid = find_project(conn, "mini")["id"]
    assert_preannotations_equal_gold(conn, pid, root)

    # Gold comes back from Doccano as it went in: offsets, labels, links, relations, ids.
    copy = root.parent / "copy"
    shutil.copytree(root, copy)
    back = run(server, "doccano", "pull", "--include-preannotations", "--user", PREANNOTATION_USER,
               "--project", "mini", "--root", copy)
    assert back.exit_code == 0, back.output
    for doc_id in (STORM, TROMSO):
        gold = json.loads((copy / "annotations" / doc_id / "gold.json").read_text(encoding="utf-8"))
        pulled = json.loads((copy / "annotations" / doc_id / "annotators" / f"{PREANNOTATION_USER}.json")
                            .read_text(encoding="utf-8"))
        for layer in ("entities", "quotes", "claims"):
            assert sorted(pulled[layer], key=lambda x: x["id"]) == sorted(gold[layer], key=lambda x: x["id"])

    # A second person, created over the API, labels the Tromsø article in Doccano.
    conn.post("/v1/users/create", json={"username": "bob", "email": "bob@example.invalid",
                                        "password1": "bob-Secret-42x", "password2": "bob-Secret-42x"})
    roles = {r["name"]: r["id"] for r in conn.get("/v1/roles")}
    bob_id = next(u["id"] for u in conn.get("/v1/users", params={"q": "bob"}) if u["username"] == "bob")
    conn.post(f"/v1/projects/{pid}/members", json={"user": bob_id, "role": roles["annotator"]})
    bob = Connection(server["url"], "bob", "bob-Secret-42x").login()
    (example,) = examples_by_key(conn, pid)[(TROMSO, 1)]
    text = example["text"]
    base = f"/v1/projects/{pid}/examples/{example['id']}"
    labels, relation_types = type_ids(conn, pid, "span-types"), type_ids(conn, pid, "relation-types")

    def span(label, start, end):
        return bob.post(f"{base}/spans", json={"start_offset": u16(text, start), "end_offset": u16(text, end),
                                               "label": labels[label]})["id"]

    def relate(a, b, kind):
        bob.post(f"{base}/relations", json={"from_id": a, "to_id": b, "type": relation_types[kind]})

    tromso = text.index("Tromsø")
    assert "\U0001F467" in text[:tromso]  # the span sits after an emoji family
    span("PERSON", 6, 18)
    span("GPE/NOM", 41, 49)
    span("GPE", tromso, tromso + len("Tromsø") + 1)  # took the space along: trimmed on pull
    she = span("PERSON/PRO", 151, 154)
    quote = span(scheme.quote_label("direct"), 95, 149)
    cue = span("CUE", 155, 159)
    claim = span(scheme.claim_label("prediction", True), 95, 122)
    span(scheme.claim_label("event", True), 264, 296)
    span("DATE", 291, 296)
    relate(quote, she, "speaker")
    relate(cue, quote, "cue")  # drawn backwards: read the same
    relate(claim, she, "claimant")
    relate(claim, quote, "in_quote")
    bob.post(f"/v1/projects/{pid}/comments", params={"example": example["id"]},
             json={"text": "link zoe-angstrom = Zoë Ångström\nlink zoe-angstrom = she\nlink tromso = Tromsø\n"
                           "link tromso = the city\nauthor = The council meets again in March"})

    bob.post(f"{base}/states", json={})  # bob marks the document as done

    pulled = run(server, "doccano", "pull", "--project", "mini", "--root", root)
    assert pulled.exit_code == 0, pulled.output
    assert f"wrote annotations/{TROMSO}/annotators/bob.json" in pulled.output
    corpus = Layout(root)
    bob_file = corpus.read_json(corpus.annotator_path(TROMSO, "bob"))
    mentions = {m["text"]: m for m in bob_file["entities"]}
    assert (mentions["Tromsø"]["start"], mentions["Tromsø"]["end"]) == (tromso, tromso + 6)
    assert mentions["Tromsø"]["entity"] == "tromso" and mentions["Tromsø"]["id"] == "m7"
    assert (mentions["the city"]["entity"], mentions["the city"]["mention"]) == ("tromso", "NOM")
    assert (mentions["she"]["mention"], mentions["she"]["entity"]) == ("PRO", "zoe-angstrom")
    (q,) = bob_file["quotes"]
    assert (q["speaker"], q["cue"], q["kind"]) == (mentions["she"]["id"], {"start": 155, "end": 159,
                                                                           "text": "told"}, "direct")
    claims = {c["text"]: c for c in bob_file["claims"]}
    assert claims["We will build 3 new schools"]["quote"] == q["id"]
    assert claims["The council meets again in March"]["claimant"] == "@author"
    provenance = bob_file["provenance"]
    assert provenance["method"] == "doccano" and provenance["doccano"]["user"] == "bob"
    assert provenance["doccano"]["server"] == server["url"] and "started_from" not in provenance["doccano"]
    assert not (corpus.annotations_dir / STORM / "annotators" / "bob.json").exists()
    assert validate_corpus(root) == []

    again = run(server, "doccano", "pull", "--project", "mini", "--root", root)
    assert again.exit_code == 0 and "written 0, unchanged 1" in again.output

    scores = run(server, "agreement", "--root", root, "--doc", TROMSO, "--format", "json")
    pairs = {(p["a"], p["b"]): p for p in json.loads(scores.output)["pairs"]}
    assert pairs[("bob", "gold")]["layers"]["quotes"]["all"]["exact_f1"] == round(2 / 5, 4)

    preview = run(server, "adopt", "--from", "bob", "--doc", TROMSO, "--accept-lint", "--root", root)
    assert preview.exit_code == 0 and "nothing written: run again with --yes" in preview.output
    adopted = run(server, "adopt", "--from", "bob", "--doc", TROMSO, "--accept-lint", "--yes", "--root", root)
    assert adopted.exit_code == 0, adopted.output
    # bob kept four of gold's sixteen mentions (same offsets and labels: same ids) and added one.
    assert "entities: 1 added, 12 removed, 0 changed\n  + m17 [41:49] 'the city' GPE/NOM -> tromso\n" \
        in adopted.output
    assert f"wrote annotations/{TROMSO}/gold.json" in adopted.output
    gold = corpus.read_json(corpus.gold_path(TROMSO))
    assert gold["provenance"]["method"] == "adjudicated" and "bob" in gold["provenance"]["note"]
    assert gold["entities"] == bob_file["entities"]
    assert validate_corpus(root) == []

    # The new gold reaches the pre-annotations without a duplicate example or span.
    repaired = run(server, "doccano", "push", "--preannotate", "gold", "--project", "mini", "--root", root)
    assert repaired.exit_code == 0
    assert repaired.output.startswith("created 0, unchanged 1, repaired 1"), repaired.output
    assert_preannotations_equal_gold(conn, pid, root)

    status = run(server, "doccano", "status", "--project", "mini", "--root", root, "--format", "json")
    summary = json.loads(status.output)
    assert summary["examples"] == 2 and summary["not_pushed"] == [] and summary["duplicates"] == []
    assert {a["user"]: a["confirmed"] for a in summary["annotators"]} == {"admin": 0, "bob": 1,
                                                                           PREANNOTATION_USER: 0}
    text_status = run(server, "doccano", "status", "--project", "mini", "--root", root).output
    assert "  bob                      annotator            confirmed 1\n" in text_status

    # A local edit is never overwritten silently.
    path = corpus.annotator_path(TROMSO, "bob")
    edited = dict(bob_file, entities=bob_file["entities"][:-1])
    path.write_text(json.dumps(edited, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    kept = run(server, "doccano", "pull", "--project", "mini", "--root", root)
    assert kept.exit_code == 1 and "edited since the last pull; not overwritten (use --force)" in kept.output
    assert json.loads(path.read_text(encoding="utf-8"))["entities"] == edited["entities"]
    forced = run(server, "doccano", "pull", "--force", "--project", "mini", "--root", root)
    assert forced.exit_code == 0 and f"wrote annotations/{TROMSO}/annotators/bob.json" in forced.output

    # A mention that must link to the registry and does not: a finding; the file is written.
    span("PERSON", 160, 170)  # "Radio Nord" as a person, with no `link` line
    unlinked = run(server, "doccano", "pull", "--project", "mini", "--root", root)
    assert unlinked.exit_code == 0, unlinked.output
    assert re.search(rf"finding: annotations/{TROMSO}/annotators/bob.json \$\.entities\[\d+\]\.entity: "
                     r"PERSON mention 'Radio Nord' \[160:170\] must link to a registry entity", unlinked.output)
    radio = [m for m in corpus.read_json(path)["entities"] if m["text"] == "Radio Nord"]
    assert [(m["label"], m["entity"]) for m in radio] == [("PERSON", None)]
    assert validate_corpus(root) == []

    # bob takes everything back in Doccano: the next pull empties his file, it does not keep it.
    bob.delete(f"{base}/relations")
    bob.delete(f"{base}/spans")
    for comment in conn.get(f"/v1/projects/{pid}/comments", params={"example": example["id"]})["results"]:
        bob.delete(f"/v1/projects/{pid}/comments/{comment['id']}")
    emptied = run(server, "doccano", "pull", "--project", "mini", "--root", root)
    assert emptied.exit_code == 0 and f"wrote annotations/{TROMSO}/annotators/bob.json" in emptied.output
    assert [corpus.read_json(path)[k] for k in ("entities", "quotes", "claims")] == [[], [], []]


def add_annotator(server, conn, pid, name):
    """A project annotator with the account file `newsspans doccano annotator add` writes."""
    password = f"{name}-Secret-42x"
    conn.post("/v1/users/create", json={"username": name, "email": f"{name}@example.invalid",
                                        "password1": password, "password2": password})
    roles = {r["name"]: r["id"] for r in conn.get("/v1/roles")}
    uid = next(u["id"] for u in conn.get("/v1/users", params={"q": name}) if u["username"] == name)
    conn.post(f"/v1/projects/{pid}/members", json={"user": uid, "role": roles["annotator"]})
    accounts = Path(server["state"]) / "accounts"
    accounts.mkdir(exist_ok=True)
    account = accounts / f"{name}.json"
    account.write_text(json.dumps({"username": name, "password": password}))
    account.chmod(0o600)
    return Connection(server["url"], name, password).login()


def test_preannotation_modes_and_a_pull_that_keeps_good_work(doccano_server, tmp_path):
    server, conn = doccano_server, admin(doccano_server)
    own = tmp_path / "mini"
    shutil.copytree(MINI, own)
    setup_project(conn, own, "modes")
    pid = find_project(conn, "modes")["id"]
    carol = add_annotator(server, conn, pid, "carol")
    dave = add_annotator(server, conn, pid, "dave")

    # none: an empty page, and nothing of gold anywhere an annotator can read.
    plain = run(server, "doccano", "push", "--project", "modes", "--root", own)
    assert plain.exit_code == 0 and plain.output.startswith("created 2, unchanged 0"), plain.output
    examples = examples_by_key(conn, pid)
    for (example,) in examples.values():
        assert sorted(example["meta"]) == ["doc_id", "text_sha256", "version"]
        assert dave.get(f"/v1/projects/{pid}/examples/{example['id']}/spans") == []
    exported = export_jsonl(conn, pid)
    assert all(not r["entities"] and not r["relations"] for records in exported.values() for r in records)

    # review: gold copied into carol's own layer (not dave's), as carol.
    review = run(server, "doccano", "push", "--preannotate", "review", "--annotator", "carol",
                 "--project", "modes", "--root", own)
    assert review.exit_code == 0, review.output
    assert review.output.startswith("created 0, unchanged 2, repaired 0, duplicates removed 0, pre-annotated 2")
    (example,) = examples[(TROMSO, 1)]
    base = f"/v1/projects/{pid}/examples/{example['id']}"
    gold = AnnotationFile.fromdict(Layout(own).read_json(Layout(own).gold_path(TROMSO)))
    text = example["text"]
    wanted = to_doccano(gold, text)
    have = carol.get(f"{base}/spans")
    assert sorted((s["start_offset"], s["end_offset"]) for s in have) == \
        sorted((s["start_offset"], s["end_offset"]) for s in wanted["entities"])
    assert dave.get(f"{base}/spans") == []
    again = run(server, "doccano", "push", "--preannotate", "review", "--annotator", "carol",
                "--project", "modes", "--root", own)
    assert "pre-annotated 0, kept 0" in again.output, again.output

    # carol corrects: Tromsø becomes an ORG, a speaker drawn to a date, a remark.
    labels, relation_types = type_ids(conn, pid, "span-types"), type_ids(conn, pid, "relation-types")
    by_id = {v: k for k, v in labels.items()}
    tromso = next(s for s in have if s["start_offset"] == u16(text, 132) and by_id[s["label"]] == "GPE")
    carol.delete(f"{base}/spans/{tromso['id']}")
    carol.post(f"{base}/spans", json={"start_offset": tromso["start_offset"], "end_offset": tromso["end_offset"],
                                      "label": labels["ORG"]})
    monday = next(s for s in have if s["start_offset"] == u16(text, 29))
    quote = next(s for s in have if scheme.parse_label(by_id[s["label"]])[0] == "quotes"
                 and s["start_offset"] == u16(text, 207))
    (speaker,) = [r for r in carol.get(f"{base}/relations")
                  if r["from_id"] == quote["id"] and r["type"] == relation_types["speaker"]]
    carol.delete(f"{base}/relations/{speaker['id']}")
    carol.post(f"{base}/relations", json={"from_id": quote["id"], "to_id": monday["id"],
                                          "type": relation_types["speaker"]})
    carol.post(f"/v1/projects/{pid}/comments", params={"example": example["id"]},
               json={"text": "Is the spokesman really Ali? Check the original."})

    pulled = run(server, "doccano", "pull", "--user", "carol", "--project", "modes", "--root", own)
    path = Layout(own).annotator_path(TROMSO, "carol")
    assert pulled.exit_code == 1, pulled.output   # something was rejected: say so
    assert f"wrote annotations/{TROMSO}/annotators/carol.json" in pulled.output
    assert re.search(r"rejected: annotations/mini-tromso-schools/annotators/carol.json \$\.rejected\[0\]: "
                     r"speaker 'm\d+' is a DATE mention", pulled.output), pulled.output
    assert "ORG mention 'Tromsø' links to 'tromso', a GPE in the registry" in pulled.output
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["notes"] == ["Is the spokesman really Ali? Check the original."]
    assert data["provenance"]["doccano"]["started_from"] == "gold"   # a correction, not independent work
    (rejected,) = data["rejected"]
    assert rejected["kind"] == "relation" and rejected["doccano"]["type"] == "speaker"
    mentions = {m["text"]: m for m in data["entities"]}
    assert (mentions["Tromsø"]["label"], mentions["Tromsø"]["entity"]) == ("ORG", "tromso")
    # Gold's other links and author claimants came back from the record of what carol got.
    assert mentions["Zoë Ångström"]["entity"] == "zoe-angstrom" and mentions["she"]["entity"] == "zoe-angstrom"
    assert len(data["entities"]) == len(gold.entities) and len(data["quotes"]) == len(gold.quotes)
    assert [q["speaker"] for q in data["quotes"] if q["start"] == 207] == [None]
    assert validate_corpus(own) == []
    before = path.read_bytes()
    twice = run(server, "doccano", "pull", "--user", "carol", "--project", "modes", "--root", own)
    assert "written 0, unchanged 2" in twice.output and path.read_bytes() == before

    # A re-push never overwrites carol's own work.
    kept = run(server, "doccano", "push", "--preannotate", "review", "--annotator", "carol",
               "--project", "modes", "--root", own)
    assert f"kept: carol {TROMSO}@1: the annotator's layer holds work of their own" in kept.output
    assert len(carol.get(f"{base}/relations")) == len(wanted["relations"])
    assert any(s["label"] == labels["ORG"] for s in carol.get(f"{base}/spans"))


def test_a_changed_server_text_is_a_conflict_and_is_left_alone(doccano_server, root, tmp_path):
    conn = admin(doccano_server)
    own = tmp_path / "mini"
    shutil.copytree(MINI, own)
    setup_project(conn, own, "conflict")
    push(own, conn, "conflict")
    pid = find_project(conn, "conflict")["id"]
    (example,) = examples_by_key(conn, pid)[(STORM, 1)]
    conn.patch(f"/v1/projects/{pid}/examples/{example['id']}", json={"text": "edited on the server"})
    result = run(doccano_server, "doccano", "push", "--project", "conflict", "--root", own)
    assert result.exit_code == 1
    assert f"conflict: {STORM}@1: the server's example {example['id']} has a different text" in result.output
    assert conn.get(f"/v1/projects/{pid}/examples/{example['id']}")["text"] == "edited on the server"


def test_server_down_is_a_clear_error_within_seconds(doccano_server, root):
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = run(doccano_server, "doccano", "push", "--root", root, DOCCANO_URL=url,
                 DOCCANO_USERNAME="admin", DOCCANO_PASSWORD="not-shown-anywhere")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach Doccano at {url}")
    assert "Traceback" not in result.output and "not-shown-anywhere" not in result.output


def test_a_wrong_password_is_a_clear_error(doccano_server, root):
    result = run(doccano_server, "doccano", "status", "--root", root, DOCCANO_URL=doccano_server["url"],
                 DOCCANO_USERNAME="admin", DOCCANO_PASSWORD="wrong-secret-123")
    assert result.exit_code == 1
    assert result.output == (f"Error: Doccano at {doccano_server['url']} refused the login of user "
                             f"'admin': wrong user name or password\n")


class DroppingSession(requests.Session):
    """Sends every request, but from the (after+1)-th on the answer is lost on the way back."""

    def __init__(self, after):
        super().__init__()
        self.after, self.count = after, 0

    def request(self, method, url, **kwargs):
        self.count += 1
        response = super().request(method, url, **kwargs)
        if self.count > self.after:
            raise requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected())")
        return response


def test_a_push_interrupted_anywhere_completes_on_the_next_run(doccano_server, tmp_path):
    own = tmp_path / "mini"
    shutil.copytree(MINI, own)
    conn = admin(doccano_server)
    setup_project(conn, own, "faults")
    pid = find_project(conn, "faults")["id"]
    counting = DroppingSession(after=10 ** 6)
    push(own, admin(doccano_server, session=counting), "faults", preannotate="gold")
    total = counting.count
    assert_preannotations_equal_gold(conn, pid, own)
    interrupted = 0
    for after in range(total):
        conn.request("DELETE", f"/v1/projects/{pid}/examples", json={"ids": []})
        dropping = DroppingSession(after)
        try:
            push(own, admin(doccano_server, session=dropping, retries=1), "faults", preannotate="gold")
        except DoccanoError as exc:
            assert dropping.count > after and "Traceback" not in str(exc)
            interrupted += 1
        else:
            # Waiting for the import polls a varying number of times: this run was shorter.
            assert dropping.count <= after
        report = push(own, admin(doccano_server), "faults", preannotate="gold")
        assert report.ok, (after, report)
        assert_preannotations_equal_gold(conn, pid, own)
    assert interrupted >= total - 5
