"""The Doccano project: create or update it, its labels, guideline and pre-annotation user."""

import hashlib
import hmac
import re


from newsspans.errors import DoccanoError
from newsspans.doccano import scheme
from newsspans.doccano.client import Connection
from newsspans.store.reading import read_text

DEFAULT_PROJECT = "newsspans"
PREANNOTATION_USER = "newsspans-gold"
PROJECT_SETTINGS = {
    "project_type": "SequenceLabeling",
    "resourcetype": "SequenceLabelingProject",
    "allow_overlapping": True,
    "grapheme_mode": False,
    "use_relation": True,
    # Each annotator sees only their own spans: agreement needs independent work.
    "collaborative_annotation": False,
    "random_order": False,
    "single_class_classification": False,
    "allow_member_to_create_label_type": False,
}
DESCRIPTION = "newsspans: entities, quotes (speaker, cue) and claims (claimant) in news articles."


def find_project(conn: Connection, name: str, required=True):
    """The project called `name` that the user is a member of (None or DoccanoError)."""
    found = [p for p in conn.paginate("/v1/projects", {"q": name}) if p["name"] == name]
    if len(found) > 1:
        raise DoccanoError(f"Doccano at {conn.url} has {len(found)} projects named {name!r} "
                           f"(ids {', '.join(str(p['id']) for p in found)}); rename all but one")
    if not found and required:
        raise DoccanoError(f"Doccano at {conn.url} has no project {name!r} for user "
                           f"{conn.username!r}: run `newsspans doccano setup --project {name}` first")
    return found[0] if found else None


def guideline(root) -> str:
    text = read_text(root, "annotations/GUIDELINES.md", default="# newsspans annotation guidelines\n")
    # Doccano trims the text it stores: send it trimmed, or every setup would see a change.
    return escape_placeholders(text.rstrip("\n") + scheme.guideline_appendix()).strip()


# A fenced code block, or an inline code span (a run of backticks closed by an equal run).
_CODE = re.compile(r"^(?P<fence>```|~~~).*?^(?P=fence)[ \t]*$|(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)",
                   re.MULTILINE | re.DOTALL)


def escape_placeholders(markdown: str) -> str:
    """`<` outside code written `&lt;`: Doccano's Markdown viewer takes `<entity-id>` for an
    HTML tag and drops it. Code spans and fenced blocks show `<` as it is, so stay untouched."""
    out, last = [], 0
    for match in _CODE.finditer(markdown):
        out.append(markdown[last:match.start()].replace("<", "&lt;"))
        out.append(match.group())
        last = match.end()
    out.append(markdown[last:].replace("<", "&lt;"))
    return "".join(out)


def _identity(iterable, total=None):
    return iterable


def setup_project(conn: Connection, root, name=DEFAULT_PROJECT, progress=_identity) -> dict:
    """Create or update the project so it matches what the sync expects. Idempotent.

    Returns what was done: {"project", "created", "updated", "span_types_added",
    "relation_types_added", "preannotation_user"}. `progress` wraps the creation of the
    labels (cli.progress.bar).
    """
    wanted = dict(PROJECT_SETTINGS, name=name, description=DESCRIPTION, guideline=guideline(root))
    project = find_project(conn, name, required=False)
    report = {"project": name, "created": False, "updated": []}
    if project is None:
        project = conn.post("/v1/projects", json=wanted)
        report["created"] = True
    else:
        stale = [k for k, v in wanted.items() if k != "resourcetype" and project.get(k) != v]
        if stale:
            project = conn.patch(f"/v1/projects/{project['id']}",
                                 json={**{k: wanted[k] for k in stale}, "resourcetype": wanted["resourcetype"]})
            report["updated"] = stale
    pid = project["id"]
    report["id"] = pid
    report["span_types_added"] = _ensure_types(conn, pid, "span-types", scheme.span_labels(), scheme.label_type,
                                               scheme.legacy_label, progress)
    report["relation_types_added"] = _ensure_types(conn, pid, "relation-types", scheme.RELATION_TYPES,
                                                   _relation_type, progress=progress)
    report["preannotation_user"] = ensure_preannotation_user(conn, pid)
    return report


def _relation_type(name):
    return {"text": name, "background_color": "#7f7f7f", "text_color": "#ffffff"}


def _ensure_types(conn, pid, kind, names, wanted, legacy=lambda _: None, progress=_identity):
    """Add the missing label types; bring colours and keys of the others in line; rename a
    label an older setup named otherwise (its annotations keep it: they point at its id)."""
    have = {t["text"]: t for t in conn.get(f"/v1/projects/{pid}/{kind}")}
    added, changed, path = [], [], f"/v1/projects/{pid}/{kind}"
    for name in names:
        current = have.get(name) or have.get(legacy(name))
        if current is None:
            added.append(name)
        elif any(current.get(k) != v for k, v in wanted(name).items()):
            changed.append((current, wanted(name)))
    # A key moving from one label to another is first taken from the old one (Doccano
    # refuses two labels with one key).
    for current, fields in changed:
        if current.get("suffix_key") and current["suffix_key"] != fields.get("suffix_key"):
            conn.patch(f"{path}/{current['id']}", json={"suffix_key": None, "prefix_key": None})
    for current, fields in changed:
        conn.patch(f"{path}/{current['id']}", json=fields)
    for name in progress(added, total=len(added)):
        conn.post(path, json=wanted(name))
    return added


def type_ids(conn, pid, kind):
    """{name: id} of the project's span-types or relation-types."""
    return {t["text"]: t["id"] for t in conn.get(f"/v1/projects/{pid}/{kind}")}


def preannotation_password(conn: Connection) -> str:
    """Derived from the admin's password: any admin client can log in as the user, and no
    second secret has to be stored or shared."""
    digest = hmac.new(conn.password.encode(), f"newsspans:{PREANNOTATION_USER}".encode(), hashlib.sha256)
    return "ns-" + digest.hexdigest()[:40]


def ensure_preannotation_user(conn: Connection, pid: int) -> str:
    """The pre-annotation user exists and is a project admin (the import needs that)."""
    users = {u["username"]: u for u in conn.get("/v1/users", params={"q": PREANNOTATION_USER})}
    user = users.get(PREANNOTATION_USER)
    if user is None:
        password = preannotation_password(conn)
        user = conn.post("/v1/users/create", json={
            "username": PREANNOTATION_USER, "email": f"{PREANNOTATION_USER}@example.invalid",
            "password1": password, "password2": password})
    roles = {r["name"]: r["id"] for r in conn.get("/v1/roles")}
    members = {m["user"]: m for m in conn.get(f"/v1/projects/{pid}/members")}
    member = members.get(user["id"])
    if member is None:
        conn.post(f"/v1/projects/{pid}/members", json={"user": user["id"], "role": roles["project_admin"]})
    elif member["rolename"] != "project_admin":
        conn.request("PUT", f"/v1/projects/{pid}/members/{member['id']}",
                     json={"user": user["id"], "role": roles["project_admin"]})
    return PREANNOTATION_USER


def preannotation_connection(conn: Connection) -> Connection:
    other = Connection(conn.url, PREANNOTATION_USER, preannotation_password(conn), session=conn.session,
                       timeout=conn.timeout, retries=conn.retries)
    try:
        return other.login()
    except DoccanoError as exc:
        raise DoccanoError(f"{exc} (the pre-annotation user's password derives from the password of "
                           f"{conn.username!r}; if that changed, reset {PREANNOTATION_USER!r}'s password "
                           f"in the Doccano admin to the derived one or delete the user and run setup)") from None
