"""doccano-client 1.2.8 reads back a project that newsspans pushed: same examples, labels,
spans and relations, so scripts written with doccano-client work on our projects.

doccano-client is no dependency of newsspans: it cannot be imported beside urllib3 2
(doccano-client#158), and it cannot join the server's virtual environment either (it pins
pydantic<2, doccano 1.8.4 needs pydantic>=2). So it gets a virtual environment of its own,
built once (about 15 s) in .doccano/client-venv beside the server's, or where
$NEWSSPANS_DOCCANO_CLIENT_VENV says, and the test runs a small script there.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsspans.cli import main
from newsspans.doccano import scheme
from newsspans.doccano.client import Connection
from newsspans.doccano.convert import to_doccano
from newsspans.doccano.project import PREANNOTATION_USER, preannotation_password
from newsspans.model.corpus import Corpus

from tests.doccano.conftest import REPO

pytestmark = pytest.mark.doccano
PROJECT = "interop"
# urllib3<2: requests-toolbelt 0.9 (pinned by doccano-client) imports what urllib3 2 removed.
CLIENT_PINS = ["doccano-client==1.2.8", "urllib3<2"]

READ_BACK = r"""
import json, sys
from doccano_client import DoccanoClient

args = json.load(sys.stdin)  # credentials on stdin: never on a command line
client = DoccanoClient(args["url"])
client.login(args["username"], args["password"])
project = next(p for p in client.list_projects() if p.name == args["project"])
span_types = {t.id: t for t in client.list_label_types(project.id, "span")}
relation_types = {t.id: t for t in client.list_label_types(project.id, "relation")}
examples = []
for example in client.list_examples(project.id):
    spans = {s.id: (s.start_offset, s.end_offset, span_types[s.label].text)
             for s in client.list_spans(project.id, example.id)}
    relations = [(spans[r.from_id], spans[r.to_id], relation_types[r.type].text)
                 for r in client.list_relations(project.id, example.id)]
    examples.append({"text": example.text, "meta": example.meta, "spans": sorted(spans.values()),
                     "relations": sorted(relations)})
print(json.dumps({
    "project": {"name": project.name, "use_relation": project.use_relation,
                "collaborative_annotation": project.collaborative_annotation},
    "span_types": sorted([t.text, t.background_color, t.text_color, t.suffix_key] for t in span_types.values()),
    "relation_types": sorted(t.text for t in relation_types.values()),
    "examples": examples}))
"""


def client_python() -> Path:
    """The python of a virtual environment with doccano-client 1.2.8 (built on first use)."""
    venv = Path(os.environ.get("NEWSSPANS_DOCCANO_CLIENT_VENV", REPO / ".doccano" / "client-venv"))
    marker = venv / ".newsspans-installed"
    wanted = " ".join(CLIENT_PINS)
    if marker.is_file() and marker.read_text() == wanted:
        return venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".client-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two sessions at once: one builds, the other waits
        if not (marker.is_file() and marker.read_text() == wanted):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
            built = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                    "--disable-pip-version-check", *CLIENT_PINS],
                                   capture_output=True, text=True, timeout=900)
            if built.returncode != 0:
                pytest.fail(f"installing {wanted} into {venv} failed:\n{built.stdout}\n{built.stderr}")
            marker.write_text(wanted)
    return venv / "bin" / "python"


def run(server, *args):
    environment = {"NEWSSPANS_DOCCANO_HOME": str(server["state"]), "DOCCANO_URL": server["url"],
                   "DOCCANO_USERNAME": server["username"], "DOCCANO_PASSWORD": server["password"]}
    return CliRunner().invoke(main, [str(a) for a in args], env=environment)


@pytest.fixture(scope="module")
def pushed(tmp_path_factory, doccano_server):
    root = tmp_path_factory.mktemp("interop") / "mini"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", root)
    for args in (("setup",), ("push", "--preannotate", "gold")):
        done = run(doccano_server, "doccano", *args, "--project", PROJECT, "--root", root)
        assert done.exit_code == 0, done.output
    return root


def read_back(server, python, username, password):
    done = subprocess.run([str(python), "-c", READ_BACK], input=json.dumps({
        "url": server["url"], "username": username, "password": password, "project": PROJECT}),
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert password not in done.stdout + done.stderr
    return json.loads(done.stdout)


def test_doccano_client_reads_back_what_newsspans_pushed(doccano_server, pushed):
    python = client_python()
    assert subprocess.run([str(python), "-c", "import urllib3, doccano_client, sys; "
                           "sys.exit(urllib3.__version__.startswith('1.'))"]).returncode == 1
    admin = Connection(doccano_server["url"], doccano_server["username"], doccano_server["password"])
    # Gold went in as the pre-annotation user's layer: read it as that user.
    seen = read_back(doccano_server, python, PREANNOTATION_USER, preannotation_password(admin))

    assert seen["project"] == {"name": PROJECT, "use_relation": True, "collaborative_annotation": False}
    assert seen["span_types"] == sorted([t["text"], t["background_color"], t["text_color"], t["suffix_key"]]
                                        for t in map(scheme.label_type, scheme.span_labels()))
    assert seen["relation_types"] == sorted(scheme.RELATION_TYPES)

    corpus = Corpus.open(pushed)
    expected = {}
    for doc in corpus.documents():
        text = doc.latest.text
        records = to_doccano(doc.gold, text)
        spans = {s["id"]: [s["start_offset"], s["end_offset"], s["label"]] for s in records["entities"]}
        expected[doc.id] = {
            "text": text, "spans": sorted(spans.values()),
            "relations": sorted([spans[r["from_id"]], spans[r["to_id"]], r["type"]] for r in records["relations"])}
    found = {e["meta"]["doc_id"]: e for e in seen["examples"]}
    assert sorted(found) == sorted(expected)
    for doc_id, want in expected.items():
        got = found[doc_id]
        assert got["text"] == want["text"]
        assert got["meta"]["version"] == 1
        assert got["spans"] == want["spans"], doc_id
        assert got["relations"] == want["relations"], doc_id
        assert len(got["spans"]) > 10 and got["relations"]  # the check compares something
