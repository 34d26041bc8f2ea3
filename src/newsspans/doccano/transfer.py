"""Doccano's own bulk paths: JSONL file import and JSONL export, both run by its worker.

One import task or one export task moves a whole project; per-span REST calls would take
one request per span.
"""

import io
import json
import time
import zipfile

from newsspans.errors import DoccanoError
from newsspans.doccano.client import Connection

IMPORT_TASK = "RelationExtraction"  # the JSONL format with "entities" and "relations"
POLL_START, POLL_MAX = 0.1, 2.0


def wait_for_task(conn: Connection, task_id: str, what: str, timeout: float):
    """The result of a worker task; a DoccanoError when it fails or takes too long."""
    deadline = time.monotonic() + timeout
    delay = POLL_START
    while True:
        status = conn.get(f"/v1/tasks/status/{task_id}")
        if status.get("ready"):
            if status.get("error"):
                raise DoccanoError(f"Doccano's {what} task failed: {status['error'].get('text', status['error'])}")
            return status.get("result")
        if time.monotonic() > deadline:
            raise DoccanoError(f"Doccano's {what} task did not finish within {timeout:.0f}s: is the "
                               f"worker running? (scripts/doccano-server status)")
        time.sleep(delay)
        delay = min(delay * 1.5, POLL_MAX)


def import_jsonl(conn: Connection, pid: int, records, name="newsspans.jsonl", timeout=None):
    """Upload `records` as one JSONL file and import it; returns the import's error list.

    The examples and their spans and relations belong to the user of `conn`.
    """
    # ASCII JSON: no encoding guesswork on the server, no line separator inside a line.
    body = "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in records).encode("ascii")
    response = conn.post("/v1/fp/process/", files={"filepond": (name, io.BytesIO(body), "application/json")},
                         headers={"Accept": "*/*"}, raw=True)
    upload_id = response.text.strip()
    if not upload_id:
        raise DoccanoError(f"Doccano at {conn.url} accepted the upload but returned no upload id")
    started = conn.post(f"/v1/projects/{pid}/upload",
                        json={"uploadIds": [upload_id], "format": "JSONL", "task": IMPORT_TASK,
                              "encoding": "utf_8"})
    timeout = timeout or max(120.0, 0.2 * len(records))
    result = wait_for_task(conn, started["task_id"], "import", timeout) or {}
    return result.get("error", [])


def export_jsonl(conn: Connection, pid: int, timeout=600.0) -> dict:
    """{username: [record, ...]} of every project member (Doccano's JSONL export).

    A record is {"id", "text", <meta keys>, "entities", "relations", "Comments"} with the
    member's own spans (UTF-16 offsets), relations and comments.
    """
    started = conn.post(f"/v1/projects/{pid}/download", json={"format": "JSONL", "exportApproved": False})
    wait_for_task(conn, started["task_id"], "export", timeout)
    response = conn.get(f"/v1/projects/{pid}/download", params={"taskId": started["task_id"]}, raw=True)
    if "json" in response.headers.get("Content-Type", ""):
        raise DoccanoError(f"Doccano at {conn.url} did not hand over the export: {response.text[:200]}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(response.content))
    except zipfile.BadZipFile:
        raise DoccanoError(f"Doccano at {conn.url} sent an export that is not a zip file") from None
    members = {}
    for name in archive.namelist():
        if not name.endswith(".jsonl"):
            continue
        # Doccano writes one flat `<user>.jsonl` per member; any other shape of name is not
        # Doccano's, and is refused rather than guessed at.
        if "/" in name or "\\" in name or name.startswith("."):
            raise DoccanoError(f"Doccano's export zip has an entry {name!r} outside its top "
                               f"folder: refused")
        user = name[:-len(".jsonl")]
        lines = archive.read(name).decode("utf-8").splitlines()
        try:
            members[user] = [json.loads(line) for line in lines if line.strip()]
        except json.JSONDecodeError as exc:
            raise DoccanoError(f"Doccano's export {name} line {exc.lineno}: invalid JSON") from None
    return members
