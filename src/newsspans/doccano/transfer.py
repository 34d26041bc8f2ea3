"""Doccano's own bulk paths: JSONL file import and JSONL export, both run by its worker.

One import task or one export task moves a whole project; per-span REST calls would take
one request per span.
"""

import io
import json
import stat
import time
import zipfile
import zlib

from newsspans.errors import DoccanoBusy, DoccanoError
from newsspans.doccano.client import Connection
from newsspans.doccano.records import Export, parse_export

IMPORT_TASK = "RelationExtraction"  # the JSONL format with "entities" and "relations"
POLL_START, POLL_MAX = 0.1, 2.0


def wait_for_task(conn: Connection, task_id: str, what: str, timeout: float):
    """The result of a worker task; a DoccanoError when it fails or takes too long."""
    deadline = time.monotonic() + timeout
    delay = POLL_START
    while True:
        try:
            status = conn.get(f"/v1/tasks/status/{task_id}")
        except DoccanoBusy:
            # Polling is read-only: a server that answers with errors (SQLite's lock) is
            # waited for until the task's own deadline, not given up after one request's
            # retries. One that cannot be reached at all is an error at once.
            if time.monotonic() > deadline:
                raise
            time.sleep(POLL_MAX)
            continue
        if not isinstance(status, dict):
            raise DoccanoError(f"Doccano at {conn.url} answered the {what} task's status with "
                               f"something other than an object")
        if status.get("ready"):
            if status.get("error"):
                error = status["error"]
                detail = error.get("text", error) if isinstance(error, dict) else error
                raise DoccanoError(f"Doccano's {what} task failed: {conn.summary(detail)}")
            return status.get("result")
        if time.monotonic() > deadline:
            raise DoccanoError(f"Doccano's {what} task did not finish within {timeout:.0f}s: is the "
                               f"worker running? (scripts/doccano-server status)")
        time.sleep(delay)
        delay = min(delay * 1.5, POLL_MAX)


def _task_id(conn, started, what):
    task = started.get("task_id") if isinstance(started, dict) else None
    if not isinstance(task, str) or not task or not all(c.isalnum() or c == "-" for c in task):
        raise DoccanoError(f"Doccano at {conn.url} started the {what} without a usable task id")
    return task


def import_jsonl(conn: Connection, pid: int, records, name="newsspans.jsonl", timeout=None):
    """Upload `records` as one JSONL file and import it; returns the import's error list.

    The examples and their spans and relations belong to the user of `conn`.
    """
    # ASCII JSON: no encoding guesswork on the server, no line separator inside a line.
    body = "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in records).encode("ascii")
    response = conn.post("/v1/fp/process/", files={"filepond": (name, io.BytesIO(body), "application/json")},
                         headers={"Accept": "*/*"}, raw=True)
    upload_id = response.text.strip()
    if not upload_id or len(upload_id) > 200 or not upload_id.isprintable():
        raise DoccanoError(f"Doccano at {conn.url} accepted the upload but returned no usable upload id")
    started = conn.post(f"/v1/projects/{pid}/upload",
                        json={"uploadIds": [upload_id], "format": "JSONL", "task": IMPORT_TASK,
                              "encoding": "utf_8"})
    timeout = timeout or max(120.0, 0.2 * len(records))
    result = wait_for_task(conn, _task_id(conn, started, "import"), "import", timeout) or {}
    errors = result.get("error", []) if isinstance(result, dict) else [result]
    return [conn.summary(e) for e in errors] if isinstance(errors, list) else [conn.summary(errors)]


def export_jsonl(conn: Connection, pid: int, timeout=600.0) -> Export:
    """{username: [record, ...]} of every project member (Doccano's JSONL export).

    A record is {"id", "text", <meta keys>, "entities", "relations", "Comments"} with the
    member's own spans (UTF-16 offsets), relations and comments. Only records that pass
    the export schema (`records`) are in it; each other line is a located problem in
    `.problems[username]`. The zip is bounded in size, unpacked size and entries
    (`conn.limits`); a zip that breaks a bound or holds anything but flat `<user>.jsonl`
    files is refused whole.
    """
    started = conn.post(f"/v1/projects/{pid}/download", json={"format": "JSONL", "exportApproved": False})
    task = _task_id(conn, started, "export")
    wait_for_task(conn, task, "export", timeout)
    response = conn.get(f"/v1/projects/{pid}/download", params={"taskId": task}, raw=True,
                        limit=conn.limits.download_bytes, seconds=conn.limits.download_seconds)
    if "json" in response.headers.get("Content-Type", ""):
        raise DoccanoError(f"Doccano at {conn.url} did not hand over the export: {conn.summary(response.content)}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        return _read_members(conn, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError,
            RuntimeError, zlib.error) as exc:
        # Not a zip, a broken or encrypted one, or a member whose data does not match its header.
        raise DoccanoError(f"Doccano at {conn.url} sent an export that is not a readable zip file "
                           f"({type(exc).__name__}); nothing was written") from None


def _read_members(conn, archive) -> Export:
    limits = conn.limits
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise DoccanoError(f"Doccano's export zip has {len(infos):,} entries, more than the "
                           f"{limits.members:,} accepted; refused, nothing was written")
    declared = sum(info.file_size for info in infos)
    if declared > limits.unpacked_bytes:
        raise DoccanoError(f"Doccano's export zip unpacks to {declared:,} bytes, more than the "
                           f"{limits.unpacked_bytes:,} accepted; refused, nothing was written")
    exported, seen, unpacked = Export(), set(), 0
    for info in infos:
        name = info.filename
        # Doccano writes one flat `<user>.jsonl` per member, as a plain file; any other
        # entry is not Doccano's, and is refused rather than guessed at.
        if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".jsonl"):
            raise DoccanoError(f"Doccano's export zip has an entry {name!r} that is not a "
                               f"<user>.jsonl file in its top folder: refused")
        if stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG) or info.is_dir():
            raise DoccanoError(f"Doccano's export zip entry {name!r} is not a plain file: refused")
        if name in seen:
            raise DoccanoError(f"Doccano's export zip has the entry {name!r} twice: refused")
        seen.add(name)
        # The header's size bounds what zipfile inflates (it checks it, and the CRC, at the end).
        data = _read_bounded(archive, info, limits.unpacked_bytes - unpacked)
        unpacked += len(data)
        user = name[:-len(".jsonl")]
        exported[user], exported.problems[user], exported.refused[user] = parse_export(name, data)
    return exported


def _read_bounded(archive, info, room):
    with archive.open(info) as member:
        data = member.read(room + 1)
    if len(data) > room:
        raise DoccanoError(f"Doccano's export zip entry {info.filename!r} unpacks to more than "
                           f"it declares; refused, nothing was written")
    return data
