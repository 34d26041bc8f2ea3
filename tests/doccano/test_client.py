"""The connection's retries, timeouts and messages, against a small faulty HTTP server; and the
export schema against what the real Doccano exports."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsspans.doccano.client import Connection, connect
from newsspans.errors import DoccanoError


class _Faulty(BaseHTTPRequestHandler):
    """Logs in anyone; answers /v1/flaky with 503 `fail` times, then 200."""

    state = {"fail": 0, "calls": 0, "slow": 0.0}

    def log_message(self, *args):
        pass

    def _reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/v1/auth/login/":
            return self._reply(200, {"key": "token-123"})
        self.state["calls"] += 1
        return self._reply(500, {"detail": "boom"})

    def do_GET(self):
        assert self.headers["Authorization"] == "Token token-123"
        self.state["calls"] += 1
        time.sleep(self.state["slow"])
        if self.state["calls"] <= self.state["fail"]:
            return self._reply(503, {"detail": "busy"})
        return self._reply(200, {"ok": True})


@pytest.fixture
def faulty():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    _Faulty.state.update(fail=0, calls=0, slow=0.0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Faulty.state
    server.shutdown()
    server.server_close()


def test_a_get_is_retried_through_server_errors(faulty):
    url, state = faulty
    state["fail"] = 2
    assert Connection(url, "admin", "pw").get("/v1/flaky") == {"ok": True}
    assert state["calls"] == 3


def test_a_get_gives_up_after_the_retries_with_the_status(faulty):
    url, state = faulty
    state["fail"] = 99
    with pytest.raises(DoccanoError, match=r"answered GET /v1/flaky with HTTP 503"):
        Connection(url, "admin", "pw", retries=2).get("/v1/flaky")
    assert state["calls"] == 3


def test_a_post_that_failed_on_the_server_is_not_sent_twice(faulty):
    url, state = faulty
    with pytest.raises(DoccanoError, match=r"answered POST /v1/things with HTTP 500: .*boom"):
        Connection(url, "admin", "pw").post("/v1/things", json={})
    assert state["calls"] == 1


def test_a_slow_server_hits_the_read_timeout(faulty):
    url, state = faulty
    state["slow"] = 1.0
    started = time.monotonic()
    with pytest.raises(DoccanoError, match="cannot reach Doccano"):
        Connection(url, "admin", "pw", timeout=(1, 0.2), retries=1).get("/v1/flaky")
    assert time.monotonic() - started < 5


def test_connection_refused_fails_fast_and_hides_the_password():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(DoccanoError) as caught:
        Connection(f"http://127.0.0.1:{port}", "admin", "s3cret-pw").login()
    assert time.monotonic() - started < 5
    assert "connection refused" in str(caught.value) and "s3cret-pw" not in str(caught.value)
    assert "s3cret-pw" not in repr(Connection("http://x", "admin", "s3cret-pw"))


def test_connect_reads_the_environment_then_the_credentials_file(tmp_path, monkeypatch):
    for key in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD", "NEWSSPANS_DOCCANO_HOME"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(DoccanoError, match="no Doccano connection: set DOCCANO_URL"):
        connect(tmp_path)
    (tmp_path / ".doccano").mkdir()
    (tmp_path / ".doccano" / "credentials.env").write_text(
        "DOCCANO_URL=http://127.0.0.1:9/\nDOCCANO_USERNAME=admin\nDOCCANO_PASSWORD=pw\n")
    conn = connect(tmp_path)
    assert (conn.url, conn.username, conn.password) == ("http://127.0.0.1:9", "admin", "pw")
    monkeypatch.setenv("DOCCANO_URL", "http://example.invalid:8000")
    monkeypatch.setenv("DOCCANO_USERNAME", "eve")
    monkeypatch.setenv("DOCCANO_PASSWORD", "other")
    assert connect(tmp_path).username == "eve"


def test_a_web_page_instead_of_json_is_a_clear_error(tmp_path):
    """Doccano (and many servers) answer an unknown path with HTML and status 200."""
    class _Html(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b"<html>not an API</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(DoccanoError, match=r"answered POST /v1/auth/login/ with text/html; charset=utf-8, "
                                               r"not JSON: is it a Doccano 1.8 server\?"):
            Connection(url, "admin", "pw").login()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.doccano
def test_the_export_schema_accepts_what_the_real_doccano_exports(doccano_server, tmp_path):
    """Every line of a real Doccano 1.8.4 export passes schema/doccano-export.schema.json:
    gold pushed as pre-annotations, a member's spans, relations and a comment, and an
    example with no meta at all (Doccano then writes null for its doc_id and 1.0 for the
    others' version). The pull of that project reports no problem."""
    import io
    import shutil
    import zipfile

    from click.testing import CliRunner

    from newsspans.cli import main
    from newsspans.doccano import scheme
    from newsspans.doccano.project import find_project, type_ids
    from newsspans.doccano.pull import pull
    from newsspans.doccano.records import parse_export
    from newsspans.doccano.transfer import export_jsonl, wait_for_task
    from newsspans.validation.schemas import validator

    root = tmp_path / "mini"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "mini", root)
    env = {"NEWSSPANS_DOCCANO_HOME": str(doccano_server["state"]), "DOCCANO_URL": None,
           "DOCCANO_USERNAME": None, "DOCCANO_PASSWORD": None}
    for command in (["setup"], ["push", "--preannotate", "gold"]):
        done = CliRunner().invoke(main, ["doccano", *command, "--project", "schema-check", "--root", str(root)],
                                  env=env)
        assert done.exit_code == 0, done.output
    conn = Connection(doccano_server["url"], doccano_server["username"], doccano_server["password"])
    pid = find_project(conn, "schema-check")["id"]
    labels, kinds = type_ids(conn, pid, "span-types"), type_ids(conn, pid, "relation-types")
    example = conn.paginate(f"/v1/projects/{pid}/examples")[0]
    base = f"/v1/projects/{pid}/examples/{example['id']}"
    quote = conn.post(f"{base}/spans", json={"start_offset": 14, "end_offset": 30,
                                             "label": labels[scheme.quote_label("indirect")]})["id"]
    person = conn.post(f"{base}/spans", json={"start_offset": 0, "end_offset": 5,
                                              "label": labels[scheme.mention_label("PERSON", "NAM")]})["id"]
    conn.post(f"{base}/relations", json={"from_id": quote, "to_id": person, "type": kinds["speaker"]})
    conn.post(f"/v1/projects/{pid}/comments", params={"example": example["id"]},
              json={"text": "a note, ünïcode 😀\nand a second line"})
    conn.post(f"/v1/projects/{pid}/examples", json={"text": "An example newsspans did not push.", "meta": {}})

    started = conn.post(f"/v1/projects/{pid}/download", json={"format": "JSONL", "exportApproved": False})
    wait_for_task(conn, started["task_id"], "export", 600)
    answer = conn.get(f"/v1/projects/{pid}/download", params={"taskId": started["task_id"]}, raw=True)
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    lines = {name: [json.loads(line) for line in archive.read(name).splitlines()] for name in archive.namelist()}
    assert sorted(lines) == ["admin.jsonl", "newsspans-gold.jsonl"]
    admin = {record["id"]: record for record in lines["admin.jsonl"]}
    assert admin[example["id"]]["relations"] and admin[example["id"]]["Comments"]
    assert any(record["doc_id"] is None for record in admin.values())   # the shapes Doccano's table makes
    assert any(type(record["version"]) is float for record in admin.values())
    for name in lines:
        for record in lines[name]:
            assert list(validator("doccano-export").iter_errors(record)) == [], (name, record)
        records, problems, refused = parse_export(name, archive.read(name))
        assert problems == [] and refused == set() and len(records) == len(lines[name]) == 3
    exported = export_jsonl(conn, pid)
    assert exported.problems == {"admin": [], "newsspans-gold": []}
    report = pull(root, conn, "schema-check")
    assert not any("Doccano export" in problem for problem in report.problems), report.asdict()
