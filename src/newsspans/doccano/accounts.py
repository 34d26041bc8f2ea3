"""Annotator accounts on the Doccano server, and the files that keep their passwords.

`add` creates a Doccano user with a generated password and makes them a project member;
the password is written first to `<home>/accounts/<name>.json` ({"username", "password"},
mode 0600 in a 0700 folder), so a failure afterwards never loses it, and is sent to Doccano
only in a request body: never on a command line, in a process listing or in output.
`<home>` is $NEWSSPANS_DOCCANO_HOME, else the repository's .doccano/ (git-ignored), where
the local server keeps its credentials too. `load` is how a client logs in as an annotator.

Doccano 1.8.4 creates users over REST for a staff user (POST /v1/users/create, the
endpoint behind its own admin's "create user"); there is no endpoint to read or reset a
password, so a user that exists without a password file is reported, never re-created.
"""

import os
import secrets
from pathlib import Path

from newsspans.errors import CorpusError, DoccanoError
from newsspans.doccano.client import Connection, doccano_home
from newsspans.doccano.project import PREANNOTATION_USER, find_project
from newsspans.store.layout import check_user_name
from newsspans.store.reading import loads_json, read_file
from newsspans.store.writing import atomic_write, dumps_json

ROLES = ("annotator", "annotation_approver", "project_admin")
_RESERVED = {PREANNOTATION_USER, "gold"}


def home(root) -> Path:
    """Where the local Doccano state lives: $NEWSSPANS_DOCCANO_HOME, else the state folder
    scripts/doccano-server remembered, else <root>/.doccano."""
    return doccano_home(root)


def account_path(name: str, home_dir) -> Path:
    return Path(home_dir) / "accounts" / f"{check_user_name(name)}.json"


def save(name: str, password: str, home_dir) -> Path:
    """Write the account file (0600, in a 0700 folder); returns its path."""
    path = account_path(name, home_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)  # an older or hand-made folder is tightened
    atomic_write(path, dumps_json({"username": name, "password": password}), mode=0o600)
    return path


def load(name: str, home_dir):
    """(username, password) from the account file; DoccanoError naming the file otherwise."""
    path = account_path(name, home_dir)
    if not path.is_file():
        raise DoccanoError(f"no account file for {name!r} at {path}: run "
                           f"`newsspans doccano annotator add {name}` first")
    data = loads_json(read_file(path), str(path))
    if not (isinstance(data, dict) and isinstance(data.get("username"), str)
            and isinstance(data.get("password"), str) and data["password"]):
        raise DoccanoError(f"{path}: not an account file (an object with username and password strings)")
    if data["username"] != name:
        raise DoccanoError(f"{path}: holds user {data['username']!r}, not {name!r}")
    return data["username"], data["password"]


def _find_user(conn: Connection, name: str):
    return next((u for u in conn.get("/v1/users", params={"q": name}) if u["username"] == name), None)


def _check_login(conn: Connection, name, path, password):
    try:
        Connection(conn.url, name, password, timeout=conn.timeout, retries=conn.retries).login()
    except DoccanoError:
        raise DoccanoError(f"the password in {path} does not log in as {name!r} at {conn.url} "
                           f"(changed in Doccano?): write the current one there") from None


def add(conn: Connection, home_dir, name: str, project: str, role: str = "annotator") -> dict:
    """Create (or reuse) the user `name` and make them a member of `project` with `role`.

    Returns {"user", "created", "account_file", "member", "role"}: `created` False when the
    user existed (their account file is kept), `member` "added", "kept" or "changed".
    """
    check_user_name(name)
    if name in _RESERVED | {conn.username}:
        raise DoccanoError(f"{name!r} is reserved (the admin, gold or the pre-annotation user); "
                           f"choose another annotator name")
    if role not in ROLES:
        raise DoccanoError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    pid = find_project(conn, project)["id"]
    path = account_path(name, home_dir)
    user = _find_user(conn, name)
    created = user is None
    if created:
        # The file first: if Doccano fails after this, the next run reuses the password.
        password = load(name, home_dir)[1] if path.is_file() else secrets.token_urlsafe(24)
        save(name, password, home_dir)
        made = conn.post("/v1/users/create", json={
            "username": name, "email": f"{name}@example.invalid", "password1": password, "password2": password})
        user = {"id": made["id"], "username": made["username"]}
    elif not path.is_file():
        raise DoccanoError(f"Doccano at {conn.url} already has a user {name!r} but there is no account "
                           f"file {path}: its password cannot be read back; set a new one in Doccano's "
                           f"admin (/admin/) and write it there, or choose another name")
    else:
        _check_login(conn, name, path, load(name, home_dir)[1])
    roles = {r["name"]: r["id"] for r in conn.get("/v1/roles")}
    members = {m["user"]: m for m in conn.get(f"/v1/projects/{pid}/members")}
    member = members.get(user["id"])
    if member is None:
        conn.post(f"/v1/projects/{pid}/members", json={"user": user["id"], "role": roles[role]})
        state = "added"
    elif member["rolename"] != role:
        conn.request("PUT", f"/v1/projects/{pid}/members/{member['id']}",
                     json={"user": user["id"], "role": roles[role]})
        state = "changed"
    else:
        state = "kept"
    return {"user": name, "created": created, "account_file": str(path), "member": state, "role": role}


def members(conn: Connection, home_dir, project: str) -> dict:
    """The project's members with their role, examples confirmed and whether an account
    file is here: {"project", "examples", "members": [{user, role, confirmed, account_file}]}."""
    pid = find_project(conn, project)["id"]
    progress = conn.get(f"/v1/projects/{pid}/metrics/member-progress")
    done = {p["user"]: p["done"] for p in progress.get("progress", [])}
    rows = []
    for m in sorted(conn.get(f"/v1/projects/{pid}/members"), key=lambda m: m["username"]):
        try:
            has_file = account_path(m["username"], home_dir).is_file()
        except CorpusError:  # a Doccano user name that is no file name (e.g. with '@')
            has_file = False
        rows.append({"user": m["username"], "role": m["rolename"], "confirmed": done.get(m["username"], 0),
                     "account_file": has_file, "you": m["username"] == conn.username})
    return {"project": project, "examples": progress.get("total", 0), "members": rows}


def format_members(summary: dict) -> str:
    lines = [f"project {summary['project']!r}: {summary['examples']} examples"]
    for m in summary["members"]:
        note = "  (you)" if m["you"] else "" if m["account_file"] else "  (no account file here)"
        lines.append(f"  {m['user']:<24} {m['role']:<20} confirmed {m['confirmed']}/{summary['examples']}{note}")
    return "\n".join(lines)

