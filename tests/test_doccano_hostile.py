"""A hostile Doccano on a real 127.0.0.1 socket: what it sends is never trusted.

Malformed export lines are located problems (file, line, example, JSON path) and the
good lines are still pulled; sizes, unpacked sizes, zip entries, lists and answer times
are bounded, with nothing written; no redirect is followed, a URL with credentials is
refused, and no password or token reaches a message or a file.
"""

import io
import json
import shutil
import socket
import struct
import threading
import time
import warnings
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from conftest import MINI, snapshot

from newsspans.cli import main
from newsspans.doccano import client as client_module
from newsspans.doccano.client import Connection, connect
from newsspans.doccano.convert import to_doccano
from newsspans.doccano.pull import pull
from newsspans.doccano.transfer import export_jsonl, import_jsonl
from newsspans.errors import DoccanoError
from newsspans.model.annotations import AnnotationFile
from newsspans.store.hashing import sha256_text
from newsspans.store.layout import Layout

PASSWORD = "hostile-test-password-9931"
TOKEN = "hostile-test-token-5521"
USER = "zoe"
PID = 3


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


class _Hostile(BaseHTTPRequestHandler):
    """Doccano's five pull requests; `state` says how each one misbehaves."""

    state = {}
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body, kind="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.state["requests"].append(("POST", self.path, body))
        if self.path == "/v1/auth/login/":
            if "login" in self.state:
                return self.state["login"](self, body)
            return self.reply(200, {"key": TOKEN})
        if self.path == f"/v1/projects/{PID}/download":
            return self.reply(200, {"task_id": "task-1"})
        if self.path == "/v1/fp/process/" and "upload" in self.state:
            return self.reply(200, self.state["upload"], "text/plain")
        return self.reply(404, {"detail": "Not found."})

    def do_GET(self):
        self.state["requests"].append(("GET", self.path, self.headers.get("Authorization")))
        url = urlparse(self.path)
        if url.path == "/v1/projects":
            if "projects" in self.state:
                return self.state["projects"](self, parse_qs(url.query))
            return self.reply(200, {"count": 1, "next": None, "previous": None,
                                    "results": [{"id": PID, "name": "newsspans"}]})
        if url.path == "/v1/tasks/status/task-1":
            return self.reply(200, self.state.get("status", {"ready": True, "result": None, "error": None}))
        if url.path == f"/v1/projects/{PID}/download":
            if "download" in self.state:
                return self.state["download"](self)
            return self.reply(200, self.state["zip"], "application/zip")
        return self.reply(404, {"detail": "Not found."})


def _serve(handler):
    server = _Quiet(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")   # a name twice, on purpose
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _jsonl(*lines):
    return b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines)


def _records(root):
    """Doccano's export lines for USER: every mini document, with its annotator file's
    annotations where it has one (as in Doccano 1.8.4's export: ids on every item)."""
    corpus = Layout(root)
    records = []
    for number, doc_id in enumerate(sorted(corpus.doc_ids()), 1):
        sources = sorted((corpus.annotations_dir / doc_id / "annotators").glob("*.json"))
        source = sources[0] if sources else corpus.gold_path(doc_id)
        annotations = AnnotationFile.fromdict(corpus.read_json(source))
        text = corpus.text(doc_id, annotations.version)
        sent = to_doccano(annotations, text)
        records.append({"id": number, "text": text, "doc_id": doc_id, "version": annotations.version,
                        "text_sha256": sha256_text(text), "entities": sent["entities"],
                        "relations": sent["relations"],
                        "Comments": [{"id": number, "comment": sent["comment"]}] if sent["comment"] else []})
    return records


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


@pytest.fixture
def hostile(repo):
    records = _records(repo)
    state = {"requests": [], "records": records, "zip": _zip([(f"{USER}.jsonl", _jsonl(*records))])}
    _Hostile.state = state
    server = _serve(_Hostile)
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setattr(client_module, "BACKOFF", 0.01)
    for key in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD", "NEWSSPANS_DOCCANO_MAX_DOWNLOAD_MB",
                "NEWSSPANS_DOCCANO_MAX_UNPACKED_MB", "NEWSSPANS_DOCCANO_MAX_SECONDS"):
        monkeypatch.delenv(key, raising=False)


def _conn(url, **limits):
    conn = connect(".", url=url, username="admin", password=PASSWORD)
    conn.timeout, conn.retries = (1.0, 2.0), 1
    for key, value in limits.items():
        setattr(conn.limits, key, value)
    return conn


def _target(repo, doc_id):
    return repo / "annotations" / doc_id / "annotators" / f"{USER}.json"


def _no_secret_anywhere(repo, *texts):
    for text in texts:
        assert PASSWORD not in text and TOKEN not in text, text
    for path in repo.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and TOKEN.encode() not in data, path


# Malformed export lines ------------------------------------------------------------------
def _bad(record, change):
    record = json.loads(json.dumps(record))
    change(record)
    return record


def _set(path, value):
    def change(record):
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


def _drop(path):
    def change(record):
        node = record
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return change


def _second_span_with_first_id(record):
    record["entities"][1]["id"] = record["entities"][0]["id"]


# case: (the bad line from the second record, the message part, the JSON path part)
BAD_LINES = {
    "string offset": (lambda r: _bad(r, _set(["entities", 0, "start_offset"], "5")),
                      "'5' is not of type 'integer'", "$.entities[0].start_offset"),
    "float offset": (lambda r: _bad(r, _set(["entities", 0, "end_offset"], 7.5)),
                     "7.5 is not of type 'integer'", "$.entities[0].end_offset"),
    "integral float offset": (lambda r: _bad(r, _set(["entities", 0, "start_offset"], 6.0)),
                              "6.0 is not of type 'integer'", "$.entities[0].start_offset"),
    "non-object line": (lambda r: [r["id"], r["text"]], "a JSON array, not an object", None),
    "scalar line": (lambda r: 42, "a JSON number, not an object", None),
    "invalid UTF-8": (lambda r: json.dumps(r).encode().replace(b'"text": "', b'"text": "\xff\xfe', 1),
                      "not UTF-8 (byte", None),
    "lone surrogate": (lambda r: json.dumps(r).replace('"text": "', '"text": "\\ud800', 1).encode(),
                       "not JSON: ", None),
    "text null": (lambda r: _bad(r, _set(["text"], None)), "null is not of type 'string'", "$.text"),
    "span without id": (lambda r: _bad(r, _drop(["entities", 0, "id"])),
                        "'id' is a required property", "$.entities[0]"),
    "entities as an object": (lambda r: _bad(r, _set(["entities"], {"1": r["entities"][0]})),
                              "is not of type 'array'", "$.entities"),
    "relation without type": (lambda r: _bad(r, _drop(["relations", 0, "type"])),
                              "'type' is a required property", "$.relations[0]"),
    "deeply nested line": (lambda r: b'{"id": 2, "meta": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                           "not JSON: depth limit exceeded", None),
    "deeply nested meta": (lambda r: _bad(r, _set(["note"], json.loads("[" * 100 + "]" * 100))),
                           "nested deeper than 32 levels", "$.note"),
    "two spans with one id": (lambda r: _bad(r, _second_span_with_first_id),
                              "is used by 2 items of entities; each must have its own", "$.entities[0].id"),
    "relation to a missing span": (lambda r: _bad(r, _set(["relations", 0, "to_id"], 99999)),
                                   "which this example does not have", "$.relations[0].to_id"),
    "meta version as text": (lambda r: _bad(r, _set(["version"], "one")),
                             "'one' is not of type 'number', 'null'", "$.version"),
    "gold directives as a list": (lambda r: _bad(r, _set(["gold_directives"], ["link x @0:1"])),
                                  "['link x @0:1'] is not of type 'string', 'null'", "$.gold_directives"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_malformed_export_line_is_a_located_problem_and_the_others_are_pulled(repo, hostile, case):
    url, state = hostile
    make, message, path = BAD_LINES[case]
    good, victim = state["records"]
    assert victim["entities"] and victim["relations"], "the second mini document must carry relations"
    bad = make(victim)
    state["zip"] = _zip([(f"{USER}.jsonl", _jsonl(good, bad))])
    report = pull(repo, _conn(url))
    assert len(report.problems) >= 1, report.asdict()
    first = report.problems[0]
    assert first.startswith(f"Doccano export {USER}.jsonl line 2"), first
    assert message in first, first
    if path is not None:
        assert f" {path}: " in first and "(example 2" in first, first
    # The good line is pulled; nothing of the bad one is written.
    assert report.written == [f"annotations/{good['doc_id']}/annotators/{USER}.json"], report.asdict()
    assert not _target(repo, victim["doc_id"]).exists()


def test_two_spans_with_one_id_fail_the_pull_command_naming_both(repo, hostile, monkeypatch):
    """Before: exit 0 and one of the two spans silently gone."""
    url, state = hostile
    good, victim = state["records"]
    bad = _bad(victim, _second_span_with_first_id)
    state["zip"] = _zip([(f"{USER}.jsonl", _jsonl(good, bad))])
    monkeypatch.setenv("DOCCANO_USERNAME", "admin")
    monkeypatch.setenv("DOCCANO_PASSWORD", PASSWORD)
    result = CliRunner().invoke(main, ["doccano", "pull", "--url", url, "--root", str(repo)])
    assert result.exit_code == 1, result.output
    doubled = victim["entities"][0]["id"]
    assert (f"problem: Doccano export {USER}.jsonl line 2 (example 2, {victim['doc_id']}@1) $.entities[0].id: "
            f"id {doubled} is used by 2 items of entities; each must have its own") in result.stdout
    assert f"$.entities[1].id: id {doubled} is used by 2 items" in result.stdout
    assert result.stdout.startswith("written 1, unchanged 0, kept local edits 0, rejected 0, findings 0, problems 2")


def test_the_export_names_the_examples_whose_lines_were_refused(repo, hostile):
    """So that whoever cleans up examples (push removes duplicates nobody worked on) can
    tell that someone did work on them."""
    url, state = hostile
    good, victim = state["records"]
    state["zip"] = _zip([(f"{USER}.jsonl", _jsonl(good, _bad(victim, _second_span_with_first_id), [1], b"\xff"))])
    exported = export_jsonl(_conn(url), PID)
    assert [r["id"] for r in exported[USER]] == [good["id"]]
    assert exported.refused == {USER: {victim["id"]}}
    assert [p.file for p in exported.problems[USER]] == [f"Doccano export {USER}.jsonl line {n}" for n in (2, 2, 3, 4)]


def test_one_example_twice_in_a_file_keeps_neither(repo, hostile):
    url, state = hostile
    good, victim = state["records"]
    state["zip"] = _zip([(f"{USER}.jsonl", _jsonl(victim, good, dict(victim, entities=[], relations=[])))])
    report = pull(repo, _conn(url))
    assert report.problems == [f"Doccano export {USER}.jsonl line 3 (example 2) $.id: example 2 again "
                               f"(first on line 1); neither line can be trusted"], report.asdict()
    assert report.written == [f"annotations/{good['doc_id']}/annotators/{USER}.json"]


def test_what_doccano_writes_for_a_meta_key_some_examples_lack_is_accepted(repo, hostile):
    """Doccano writes the export through a pandas table: a meta key missing from one example
    is null there, and the integers of that column become floats (version 1.0)."""
    url, state = hostile
    good, victim = state["records"]
    foreign = {"id": 9, "text": "not ours", "doc_id": None, "version": None, "text_sha256": None,
               "entities": [], "relations": [], "Comments": []}
    lines = [dict(r, version=float(r["version"])) for r in (good, victim)] + [foreign]
    state["zip"] = _zip([(f"{USER}.jsonl", _jsonl(*lines))])
    report = pull(repo, _conn(url))
    assert report.problems == [] and len(report.written) == 2, report.asdict()


# Bounds -------------------------------------------------------------------------------------
def _endless(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/zip")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"\0" * 65536
    try:
        while True:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass


def _drip(handler, headers_too=False):
    try:
        if headers_too:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.05)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/zip")
        handler.send_header("Content-Length", str(len(handler.state["zip"])))
        handler.end_headers()
        for byte in handler.state["zip"]:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def _zip_bomb():
    """A zip of about 100 kB that unpacks to 100 MB (the same shape inflates to gigabytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(f"{USER}.jsonl", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(100):
                member.write(block)
    return buffer.getvalue()


def _lying_zip(records):
    """A member whose headers declare 10 bytes and whose data inflates to 5 MB."""
    data = bytearray(_zip([(f"{USER}.jsonl", _jsonl(*records) + b" " * (5 << 20))]))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset:at + offset + 4] = struct.pack("<I", 10)
    return bytes(data)


BOUNDS = {
    # case: (set up the fake, limits, message part)
    "download too large": (lambda s: s.update(zip=s["zip"] + b"\0" * 300_000), {"download_bytes": 200_000},
                           "the answer announces"),
    "endless download": (lambda s: s.update(download=_endless), {"download_bytes": 2_000_000},
                         "the answer goes on past 2,000,000 bytes"),
    "slow drip": (lambda s: s.update(download=_drip), {"download_seconds": 1.0},
                  "the answer took longer than 1s"),
    "slow drip of the headers": (lambda s: s.update(download=lambda h: _drip(h, True)),
                                 {"download_seconds": 1.0}, "the answer took longer than 1s"),
    "zip bomb": (lambda s: s.update(zip=_zip_bomb()), {"unpacked_bytes": 50 << 20},
                 "unpacks to 104,857,600 bytes, more than the 52,428,800 accepted"),
    "zip that lies about its sizes": (lambda s: s.update(zip=_lying_zip(s["records"])), {},
                                      "not a readable zip file (BadZipFile)"),
    "corrupt compressed data": (lambda s: s.update(zip=_corrupt(s["zip"])), {}, "not a readable zip file"),
    "not a zip": (lambda s: s.update(zip=b"PK\x03\x04 but nothing more"), {}, "not a readable zip file"),
    "encrypted entry": (lambda s: s.update(zip=_encrypted(s["zip"])), {}, "not a readable zip file"),
    "a symbolic link": (lambda s: s.update(zip=_symlink()), {}, "entry 'zoe.jsonl' is not a plain file"),
    "a folder entry": (lambda s: s.update(zip=_zip([("zoe/", b"")])), {}, "entry 'zoe/' that is not a <user>.jsonl"),
    "too many zip entries": (lambda s: s.update(zip=_zip([(f"u{i}.jsonl", b"") for i in range(50)])),
                             {"members": 20}, "has 50 entries, more than the 20 accepted"),
    "an entry twice": (lambda s: s.update(zip=_zip([(f"{USER}.jsonl", b"")] * 2)), {},
                       "has the entry 'zoe.jsonl' twice"),
    "a list that never ends": (lambda s: s.update(projects=_never_ending), {"pages": 1000},
                               "with more than the 1 items it announced: the list does not end"),
    "a list that loops": (lambda s: s.update(projects=_looping), {}, "a second time: the list loops"),
    "a list without end or count": (lambda s: s.update(projects=_uncounted), {"pages": 30},
                                    "with more than 30 pages: the list does not end"),
}


def _corrupt(data):
    """The deflated bytes of the first member overwritten (the headers left whole)."""
    data = bytearray(data)
    start = 30 + struct.unpack("<H", data[26:28])[0] + struct.unpack("<H", data[28:30])[0]
    data[start:start + 40] = b"\xff" * 40
    return bytes(data)


def _encrypted(data):
    """The first member flagged as encrypted, in its local and central headers."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 1
    return bytes(data)


def _symlink():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(f"{USER}.jsonl")
        info.external_attr = (0o120777) << 16
        archive.writestr(info, b"../../etc/passwd")
    return buffer.getvalue()


def _never_ending(handler, query):
    offset = int(query["offset"][0])
    handler.reply(200, {"count": 1, "next": f"/v1/projects?offset={offset + 1}",
                        "results": [{"id": 100 + offset, "name": "other"}]})


def _looping(handler, query):
    handler.reply(200, {"count": 5, "next": "/v1/projects?offset=0", "results": [{"id": 1, "name": "a"}]})


def _uncounted(handler, query):
    offset = int(query["offset"][0])
    handler.reply(200, {"count": 10 ** 12, "next": "more", "results": [{"id": 100 + offset, "name": "x"}]})


@pytest.mark.parametrize("case", sorted(BOUNDS))
def test_every_transfer_is_bounded_and_writes_nothing(repo, hostile, case):
    url, state = hostile
    setup, limits, message = BOUNDS[case]
    setup(state)
    before = snapshot(repo)
    started = time.monotonic()
    with pytest.raises(DoccanoError) as caught:
        pull(repo, _conn(url, **limits))
    took = time.monotonic() - started
    assert message in str(caught.value), str(caught.value)
    assert took < 15, f"{case}: {took:.1f}s"
    assert snapshot(repo) == before
    _no_secret_anywhere(repo, str(caught.value))


@pytest.mark.parametrize("item, message", [
    ({"id": PID}, "$.results[0]: 'name' is a required property"),
    ({"id": PID, "name": None}, "$.results[0].name: null is not of type 'string'"),
    ({"id": "3", "name": "newsspans"}, "$.results[0].id: '3' is not of type 'integer'"),
    ([PID, "newsspans"], "$.results[0]: [3, 'newsspans'] is not of type 'object'"),
])
def test_a_malformed_list_item_is_a_located_error(repo, hostile, item, message):
    url, state = hostile
    state["projects"] = lambda h, q: h.reply(200, {"count": 1, "next": None, "results": [item]})
    with pytest.raises(DoccanoError) as caught:
        pull(repo, _conn(url))
    assert str(caught.value) == (f"Doccano at {url} answered GET /v1/projects (offset 0) {message}; "
                                 f"nothing was written")


def test_an_example_list_item_without_meta_is_a_located_error(hostile):
    url, state = hostile
    original = _Hostile.do_GET

    def examples(handler):
        if handler.path.startswith("/v1/projects/3/examples"):
            return handler.reply(200, {"count": 2, "next": None, "results": [
                {"id": 1, "text": "a", "meta": {}}, {"id": 2, "text": "b", "meta": "doc_id=x"}]})
        return original(handler)
    _Hostile.do_GET = examples
    try:
        with pytest.raises(DoccanoError) as caught:
            _conn(url).paginate("/v1/projects/3/examples")
    finally:
        _Hostile.do_GET = original
    assert str(caught.value).endswith("GET /v1/projects/3/examples (offset 0) $.results[1].meta: 'doc_id=x' is not "
                                      "of type 'object'; nothing was written")


def test_the_download_limits_come_from_the_environment(repo, hostile, monkeypatch):
    url, state = hostile
    state["zip"] = _zip_bomb()
    monkeypatch.setenv("NEWSSPANS_DOCCANO_MAX_UNPACKED_MB", "10")
    monkeypatch.setenv("DOCCANO_USERNAME", "admin")
    monkeypatch.setenv("DOCCANO_PASSWORD", PASSWORD)
    before = snapshot(repo)
    result = CliRunner().invoke(main, ["doccano", "pull", "--url", url, "--root", str(repo)])
    assert result.exit_code == 1
    assert result.stderr == ("Error: Doccano's export zip unpacks to 104,857,600 bytes, more than the "
                             "10,485,760 accepted; refused, nothing was written\n")
    assert snapshot(repo) == before
    monkeypatch.setenv("NEWSSPANS_DOCCANO_MAX_UNPACKED_MB", "lots")
    result = CliRunner().invoke(main, ["doccano", "pull", "--url", url, "--root", str(repo)])
    assert result.stderr == "Error: NEWSSPANS_DOCCANO_MAX_UNPACKED_MB='lots' is not a positive number\n"


def test_a_slow_drip_on_an_ordinary_answer_is_cut_too(repo, hostile):
    url, state = hostile

    def drip(handler, query):
        body = json.dumps({"count": 1, "next": None, "results": [{"id": PID, "name": "newsspans"}]}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            for byte in body:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass
    state["projects"] = drip
    started = time.monotonic()
    with pytest.raises(DoccanoError, match=r"GET /v1/projects: the answer took longer than 1s"):
        pull(repo, _conn(url, seconds=1.0))
    assert time.monotonic() - started < 5


# Credentials ------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://admin:{pw}@127.0.0.1:9", "http://{pw}@127.0.0.1:9",
                                 "https://admin:{pw}@doccano.invalid/api"])
def test_a_url_with_credentials_is_refused_without_echoing_them(repo, url, monkeypatch):
    url = url.format(pw=PASSWORD)
    with pytest.raises(DoccanoError) as caught:
        connect(repo, url=url, username="admin", password="x")
    assert "carries a user name or password" in str(caught.value) and "***@" in str(caught.value)
    _no_secret_anywhere(repo, str(caught.value))
    monkeypatch.setenv("DOCCANO_URL", url)
    monkeypatch.setenv("DOCCANO_USERNAME", "admin")
    monkeypatch.setenv("DOCCANO_PASSWORD", "x")
    before = snapshot(repo)
    result = CliRunner().invoke(main, ["doccano", "pull", "--root", str(repo)])
    assert result.exit_code == 1 and result.stderr.startswith("Error: the Doccano URL carries"), result.output
    _no_secret_anywhere(repo, result.stdout, result.stderr)
    assert snapshot(repo) == before


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "127.0.0.1:8000", "http://127.0.0.1:{pw}",
                                 "http://127.0.0.1:8000/?token={pw}", "http://127.0.0.1:8000/#{pw}"])
def test_a_url_that_is_not_a_plain_server_address_is_refused(url):
    with pytest.raises(DoccanoError) as caught:
        Connection(url.format(pw=PASSWORD), "admin", "x")
    assert PASSWORD not in str(caught.value)


def test_provenance_names_the_server_and_holds_no_credential(repo, hostile):
    url, state = hostile
    report = pull(repo, _conn(url + "/"))
    assert len(report.written) == 2, report.asdict()
    for name in report.written:
        data = json.loads((repo / name).read_text(encoding="utf-8"))
        assert data["provenance"]["doccano"]["server"] == url
    _no_secret_anywhere(repo)


@pytest.fixture
def thief():
    """Another server on another address, which records whatever reaches it."""
    class _Thief(_Hostile):
        state = {"requests": []}
    try:
        server = _Quiet(("127.0.0.2", 0), _Thief)
    except OSError:
        pytest.skip("127.0.0.2 is not a loopback address here")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.2:{server.server_address[1]}", _Thief.state
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_login_answered_with_a_redirect_sends_the_password_nowhere_else(repo, hostile, thief, status):
    url, state = hostile
    elsewhere, stolen = thief
    state["login"] = lambda h, body: h.reply(status, b"", "text/html",
                                             [("Location", f"{elsewhere}/v1/auth/login/?next=x")])
    with pytest.raises(DoccanoError) as caught:
        pull(repo, _conn(url))
    assert str(caught.value) == (f"Doccano at {url} answered POST /v1/auth/login/ with a redirect (HTTP {status} "
                                 f"to http://127.0.0.2); not followed, nothing was sent on: set the URL of "
                                 f"the server itself")
    assert stolen["requests"] == []
    _no_secret_anywhere(repo, str(caught.value))


def test_a_redirected_request_is_not_followed_with_the_token(repo, hostile, thief):
    url, state = hostile
    elsewhere, stolen = thief
    state["download"] = lambda h: h.reply(302, b"", "text/html", [("Location", f"{elsewhere}/export.zip")])
    with pytest.raises(DoccanoError, match=r"with a redirect \(HTTP 302 to http://127.0.0.2\); not followed"):
        pull(repo, _conn(url))
    assert stolen["requests"] == []


def test_an_error_page_that_echoes_the_request_is_summarised(repo, hostile):
    """A debug page repeating what it was sent (the password, the token) and markup."""
    url, state = hostile

    def echo(handler, body):
        page = (b"<html><head><style>p{}</style></head><body><h1>Server Error</h1><pre>" + body * 50 +
                b"\nHTTP_AUTHORIZATION = Token " + TOKEN.encode() + b"\n\x1b[31mred\x1b[0m</pre></body></html>")
        handler.reply(502, page, "text/html")
    state["login"] = echo
    with pytest.raises(DoccanoError) as caught:
        pull(repo, _conn(url))
    message = str(caught.value)
    assert message.startswith(f"Doccano at {url} answered POST /v1/auth/login/ with HTTP 502: Server Error ")
    assert len(message) < 300 and "<" not in message and "\x1b" not in message, message
    _no_secret_anywhere(repo, message)


def test_a_failed_task_is_summarised_without_the_token(repo, hostile):
    url, state = hostile
    state["status"] = {"ready": True, "error": {"text": f"Traceback ... Authorization: Token {TOKEN}\n" * 40}}
    with pytest.raises(DoccanoError) as caught:
        pull(repo, _conn(url))
    assert str(caught.value).startswith("Doccano's export task failed: Traceback")
    assert len(str(caught.value)) < 300
    _no_secret_anywhere(repo, str(caught.value))


@pytest.mark.parametrize("answer", [[], "task", {"task_id": None}, {"task_id": "../../x"}])
def test_an_export_started_without_a_task_id_is_a_clear_error(repo, hostile, answer, monkeypatch):
    url, state = hostile
    original = _Hostile.do_POST

    def post(handler):
        if handler.path == f"/v1/projects/{PID}/download":
            handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
            return handler.reply(200, answer)
        return original(handler)
    monkeypatch.setattr(_Hostile, "do_POST", post)
    with pytest.raises(DoccanoError, match="started the export without a usable task id"):
        pull(repo, _conn(url))


def test_no_socket_is_left_to_a_stalled_server(repo, hostile):
    """The deadline shuts the connection down: the server sees it closed."""
    url, state = hostile
    closed = threading.Event()

    def stall(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/zip")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.flush()
        handler.connection.settimeout(10)
        try:
            if handler.connection.recv(1) == b"":
                closed.set()
        except (OSError, socket.timeout):
            pass
    state["download"] = stall
    with pytest.raises(DoccanoError, match="took longer than 1s"):
        pull(repo, _conn(url, download_seconds=1.0))
    assert closed.wait(5)


@pytest.mark.parametrize("upload", [b"", b"x" * 5000, b"id\x1b[2J"])
def test_an_upload_answered_without_a_usable_id_stops_the_import(hostile, upload):
    url, state = hostile
    state["upload"] = upload
    with pytest.raises(DoccanoError, match="accepted the upload but returned no usable upload id"):
        import_jsonl(_conn(url), PID, state["records"])
    assert not [r for r in state["requests"] if r[1] == f"/v1/projects/{PID}/upload"]
