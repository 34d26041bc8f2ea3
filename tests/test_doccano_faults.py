"""Doccano faults during a pull, against a small fake Doccano on a real 127.0.0.1 socket.

The fake answers the five requests a pull makes (login, project list, export task, task
status, the export zip) and can misbehave at each: 500s, a connection dropped halfway
through the zip, a slow answer, a task that never finishes, a wrong password, a zip with
hostile entry names. Every fault must end in a clear DoccanoError (exit 1 from the CLI)
within bounded time, with no annotator file half-written, and the rerun must complete
with exactly one file per annotator and document.

Interrupted pushes are covered against the real server in tests/doccano/test_server_sync.py
(a dropped answer after every request of a push).
"""

import errno
import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from conftest import MINI, REPO, snapshot

from newsspans.store import writing as fsutil
from newsspans.cli import main
from newsspans.store.layout import Layout
from newsspans.doccano import client as client_module, transfer
from newsspans.doccano.client import connect
from newsspans.doccano.convert import to_doccano
from newsspans.doccano.pull import pull
from newsspans.errors import DoccanoError
from newsspans.store.hashing import sha256_text
from newsspans.model.annotations import AnnotationFile
from newsspans.validation.validate import validate_corpus

PASSWORD = "fake-doccano-password-4711"
TOKEN = "fake-token-0815"
USER = "zoe"
PID = 7


class _QuietServer(ThreadingHTTPServer):
    """The fake's own errors (a client that hung up mid-answer) are not the tool's output:
    the standard server prints them to sys.stderr, which CliRunner is capturing."""

    def handle_error(self, request, client_address):
        pass


class _FakeDoccano(BaseHTTPRequestHandler):
    state = {}

    def log_message(self, *args):
        pass

    def _reply(self, code, body, kind="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fault(self, step):
        return self.state["fault"] == step

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.state["requests"].append(("POST", self.path))
        if self.path == "/v1/auth/login/":
            if json.loads(body).get("password") != PASSWORD:
                return self._reply(400, {"non_field_errors": ["Unable to log in with provided credentials."]})
            return self._reply(200, {"key": TOKEN})
        if self.headers.get("Authorization") != f"Token {TOKEN}":
            return self._reply(401, {"detail": "Authentication credentials were not provided."})
        if self.path == f"/v1/projects/{PID}/download":
            if self._fault("locked") and self._count("locked-post") <= 1:
                return self._reply(500, b"OperationalError: database is locked", "text/plain")
            return self._reply(200, {"task_id": "task-1"})
        return self._reply(404, {"detail": "Not found."})

    def _count(self, what):
        self.state[what] = self.state.get(what, 0) + 1
        return self.state[what]

    def do_GET(self):
        self.state["requests"].append(("GET", self.path))
        url = urlparse(self.path)
        if self.headers.get("Authorization") != f"Token {TOKEN}":
            return self._reply(401, {"detail": "Authentication credentials were not provided."})
        if self._fault("500"):
            return self._reply(500, b"<h1>Server Error (500)</h1>", "text/html")
        if url.path == "/v1/projects":
            return self._reply(200, {"count": 1, "next": None, "results": [{"id": PID, "name": "newsspans"}]})
        if url.path == "/v1/tasks/status/task-1":
            if self._fault("locked") and self._count("locked-polls") <= 8:
                return self._reply(500, b"<h1>Server Error (500)</h1>", "text/html")
            if self._fault("gone"):
                self.connection.shutdown(socket.SHUT_RDWR)   # the server died mid-task
                return
            return self._reply(200, {"ready": not self._fault("never-ready"), "result": None, "error": None})
        if url.path == f"/v1/projects/{PID}/download" and parse_qs(url.query).get("taskId") == ["task-1"]:
            data = self.state["zip"]
            if self._fault("slow"):
                time.sleep(3)
            if self._fault("drop"):
                # Promise the whole zip, send half, hang up.
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            return self._reply(200, data, "application/zip")
        return self._reply(404, {"detail": "Not found."})


def _zip(members):
    """A zip of (name, bytes) members; a name ending in '@' is stored as a symbolic link."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            if name.endswith("@"):
                info = zipfile.ZipInfo(name[:-1])
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, data)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


def _record(root):
    """Doccano's export line for USER on the mini document that has an annotator file."""
    corpus = Layout(root)
    doc_id = next(d for d in corpus.doc_ids() if (corpus.annotations_dir / d / "annotators").is_dir())
    source = next((corpus.annotations_dir / doc_id / "annotators").glob("*.json"))
    annotations = AnnotationFile.fromdict(corpus.read_json(source))
    text = corpus.text(doc_id, annotations.version)
    sent = to_doccano(annotations, text)
    record = {"id": 1, "text": text, "doc_id": doc_id, "version": annotations.version,
              "text_sha256": sha256_text(text), "gold_directives": "",
              "entities": sent["entities"], "relations": sent["relations"],
              "Comments": [{"id": 1, "comment": sent["comment"]}] if sent["comment"] else []}
    return doc_id, annotations, record


@pytest.fixture
def fake(repo):
    """(url, state) of a fake Doccano whose export holds USER's annotations of one document."""
    doc_id, annotations, record = _record(repo)
    state = {"fault": None, "requests": [], "doc_id": doc_id, "annotations": annotations,
             "zip": _zip([(f"{USER}.jsonl", (json.dumps(record) + "\n").encode())])}
    _FakeDoccano.state = state
    server = _QuietServer(("127.0.0.1", 0), _FakeDoccano)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(client_module, "BACKOFF", 0.05)
    for key in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD"):
        monkeypatch.delenv(key, raising=False)


def _conn(url, password=PASSWORD, timeout=(1.0, 1.0)):
    conn = connect(".", url=url, username="admin", password=password)
    conn.timeout = timeout
    return conn


def _target(repo, state):
    return repo / "annotations" / state["doc_id"] / "annotators" / f"{USER}.json"


def _assert_nothing_half_written(repo, before, state):
    assert snapshot(repo) == before
    assert not _target(repo, state).exists()
    folder = _target(repo, state).parent
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def _assert_rerun_completes_once(repo, url, state):
    state["fault"] = None
    first = pull(repo, _conn(url))
    assert first.written == [f"annotations/{state['doc_id']}/annotators/{USER}.json"], first.asdict()
    again = pull(repo, _conn(url))
    assert again.written == [] and again.unchanged == first.written, again.asdict()
    pulled = AnnotationFile.fromdict(json.loads(_target(repo, state).read_text(encoding="utf-8")))
    assert _spans(pulled) == _spans(state["annotations"])
    files = list(_target(repo, state).parent.iterdir())
    assert len([f for f in files if f.name == f"{USER}.json"]) == 1 and not [f for f in files if f.name.startswith(".")]


def _spans(annotations):
    """Every annotation without ids (a pull numbers them afresh): references become the
    offsets of what they point at."""
    where = {item.id: [item.start, item.end] for item in annotations.entities + annotations.quotes}

    def plain(item):
        data = {k: v for k, v in item.asdict().items() if k != "id"}
        for ref in ("speaker", "claimant", "quote"):
            if data.get(ref) in where:
                data[ref] = where[data[ref]]
        return json.dumps(data, sort_keys=True)
    return {layer: sorted(plain(item) for item in getattr(annotations, layer))
            for layer in ("entities", "quotes", "claims")}


FAULTS = {
    # fault: (what the message must say, the longest the pull may take in seconds)
    "500": ("HTTP 500", 10),
    # The client names the URL and the requests error: terse, but located.
    "drop": ("the connection broke while Doccano was sending its answer", 10),
    "slow": ("timed out", 10),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_faulty_server_fails_the_pull_cleanly_and_the_rerun_completes(repo, fake, fault):
    url, state = fake
    state["fault"] = fault
    before = snapshot(repo)
    started = time.monotonic()
    with pytest.raises(DoccanoError) as caught:
        pull(repo, _conn(url))
    took = time.monotonic() - started
    message, bound = FAULTS[fault]
    assert message in str(caught.value) and url in str(caught.value), str(caught.value)
    assert PASSWORD not in str(caught.value) and TOKEN not in str(caught.value)
    assert took < bound, f"{fault}: the pull took {took:.1f}s"
    _assert_nothing_half_written(repo, before, state)
    _assert_rerun_completes_once(repo, url, state)


def test_an_export_task_that_never_finishes_is_given_up_on(repo, fake, monkeypatch):
    url, state = fake
    state["fault"] = "never-ready"

    class _Clock:
        """Time runs a minute per poll: the ten-minute limit arrives after a few polls."""
        now = 0.0

        def monotonic(self):
            self.now += 60.0
            return self.now

        def sleep(self, seconds):
            pass
    monkeypatch.setattr(transfer, "time", _Clock())
    before = snapshot(repo)
    started = time.monotonic()
    with pytest.raises(DoccanoError, match=r"export task did not finish within 600s"):
        pull(repo, _conn(url))
    assert time.monotonic() - started < 10
    polls = [r for r in state["requests"] if r[1].startswith("/v1/tasks/status/")]
    assert 5 <= len(polls) <= 20
    _assert_nothing_half_written(repo, before, state)
    monkeypatch.undo()
    _assert_rerun_completes_once(repo, url, state)


def test_a_busy_server_is_waited_for(repo, fake, monkeypatch):
    # SQLite's lock: the export's POST answered "database is locked" once (nothing was
    # written, so it is sent again), then eight status polls in a row answered 500, more
    # than one request's retries: polling is read-only and waits until the task's deadline.
    url, state = fake
    state["fault"] = "locked"
    monkeypatch.setattr(transfer, "POLL_MAX", 0.01)
    report = pull(repo, _conn(url))
    assert report.written or report.unchanged
    posts = [r for r in state["requests"] if r == ("POST", f"/v1/projects/{PID}/download")]
    assert len(posts) == 2
    assert state["locked-polls"] == 9


def test_a_server_gone_while_its_task_runs_is_an_error_at_once(repo, fake):
    # Unlike a busy server (answers with errors), one that cannot be reached is not waited
    # for until the task's ten-minute deadline.
    url, state = fake
    state["fault"] = "gone"
    before = snapshot(repo)
    started = time.monotonic()
    with pytest.raises(DoccanoError, match="cannot reach Doccano"):
        pull(repo, _conn(url))
    assert time.monotonic() - started < 15
    _assert_nothing_half_written(repo, before, state)


def test_a_wrong_password_is_named_and_nothing_else_is_asked(repo, fake):
    url, state = fake
    before = snapshot(repo)
    with pytest.raises(DoccanoError, match=r"refused the login of user 'admin': wrong user name or password"):
        pull(repo, _conn(url, password="not-the-password"))
    assert "not-the-password" not in str(state["requests"])
    assert [r for r in state["requests"] if r[1] != "/v1/auth/login/"] == []
    _assert_nothing_half_written(repo, before, state)


def test_connection_refused_is_quick_and_clear(repo):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = snapshot(repo)
    started = time.monotonic()
    with pytest.raises(DoccanoError, match=r"cannot reach Doccano .*connection refused"):
        pull(repo, _conn(f"http://127.0.0.1:{port}"))
    assert time.monotonic() - started < 5
    assert snapshot(repo) == before


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_the_pull_command_exits_1_with_one_line(repo, fake, fault, monkeypatch):
    url, state = fake
    state["fault"] = fault
    monkeypatch.setenv("DOCCANO_USERNAME", "admin")
    monkeypatch.setenv("DOCCANO_PASSWORD", PASSWORD)
    before = snapshot(repo)
    result = CliRunner().invoke(main, ["doccano", "pull", "--url", url, "--root", str(repo)])
    assert result.exit_code == 1, result.exception
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    _assert_nothing_half_written(repo, before, state)
    state["fault"] = None
    result = CliRunner().invoke(main, ["doccano", "pull", "--url", url, "--root", str(repo)])
    assert result.exit_code == 0 and result.stdout.startswith("written 1,"), result.stdout


HOSTILE_ENTRIES = ["../evil.jsonl", "/etc/evil.jsonl", "sub/../../evil.jsonl", "link.jsonl@",
                   "..\\evil.jsonl", "zoe/../../../evil.jsonl"]


@pytest.mark.parametrize("entry", HOSTILE_ENTRIES)
def test_a_zip_entry_that_escapes_is_refused(repo, fake, entry):
    url, state = fake
    doc_id, annotations, record = _record(repo)
    line = (json.dumps(record) + "\n").encode()
    state["zip"] = _zip([(entry, b"../../../../etc/passwd" if entry.endswith("@") else line)])
    outside = repo.parent / "evil.json"
    before = snapshot(repo)
    try:
        report = pull(repo, _conn(url))
    except DoccanoError as exc:
        assert entry.rstrip("@").split("/")[-1] in str(exc) or "zip" in str(exc)
    else:
        assert not report.written, f"{entry!r} was pulled: {report.asdict()}"
        assert report.problems, f"{entry!r} was dropped silently"
    assert snapshot(repo) == before and not outside.exists()


_KILLER = """
import os, signal, sys
name, when = sys.argv[1], int(sys.argv[2])
real, calls = getattr(os, name), [0]
def counted(*args, **kwargs):
    calls[0] += 1
    if calls[0] == when:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(os, name, counted)
from newsspans.cli import main
main(sys.argv[3:], prog_name="newsspans")
"""


@pytest.mark.parametrize("name", ["fsync", "replace"])
def test_a_pull_killed_while_writing_leaves_the_previous_file(repo, fake, name):
    """SIGKILL in the child just before the annotator file's fsync (bytes written to the
    temporary file) or its rename: the previous file stays whole, and the rerun writes it."""
    url, state = fake
    assert pull(repo, _conn(url)).written
    target = _target(repo, state)
    previous = target.read_bytes()
    # The annotator changed something in Doccano since: drop one span from the export.
    doc_id, _, record = _record(repo)
    record["entities"] = record["entities"][:-1]
    record["relations"] = [r for r in record["relations"]
                           if {r["from_id"], r["to_id"]} <= {e["id"] for e in record["entities"]}]
    state["zip"] = _zip([(f"{USER}.jsonl", (json.dumps(record) + "\n").encode())])
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), DOCCANO_USERNAME="admin", DOCCANO_PASSWORD=PASSWORD)
    killed = subprocess.run([sys.executable, "-c", _KILLER, name, "1", "doccano", "pull", "--url", url,
                             "--root", str(repo)], env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert target.read_bytes() == previous
    litter = [p.name for p in target.parent.iterdir() if p.name.startswith(".")]
    assert all(p.endswith(".tmp") for p in litter), litter
    done = pull(repo, _conn(url))
    assert done.written == [f"annotations/{doc_id}/annotators/{USER}.json"], done.asdict()
    assert target.read_bytes() != previous
    assert validate_corpus(repo) == []


def test_a_full_disk_during_a_pull_is_a_clear_error_and_writes_nothing(repo, fake, monkeypatch):
    url, state = fake

    def no_space(fd, *args, **kwargs):
        os.close(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(fsutil.os, "fdopen", no_space)
    monkeypatch.setenv("DOCCANO_USERNAME", "admin")
    monkeypatch.setenv("DOCCANO_PASSWORD", PASSWORD)
    before = snapshot(repo)
    result = CliRunner().invoke(main, ["doccano", "pull", "--url", url, "--root", str(repo)])
    assert result.exit_code == 1, result.exception
    assert result.stderr == (f"Error: {_target(repo, state)}: cannot write: No space left on device\n")
    _assert_nothing_half_written(repo, before, state)
    monkeypatch.undo()
    _assert_rerun_completes_once(repo, url, state)
