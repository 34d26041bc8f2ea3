"""status: what the Doccano project holds, who works on it, and where it differs from the repository."""

from collections import defaultdict

from newsspans.store.hashing import sha256_text
from newsspans.doccano.client import Connection
from newsspans.doccano.project import DEFAULT_PROJECT, PREANNOTATION_USER, find_project
from newsspans.doccano.push import PushReport, check_corpus, example_key, local_documents


def sync_status(root, conn: Connection, project=DEFAULT_PROJECT) -> dict:
    """A summary dict: examples, annotators with confirmed counts, differences."""
    corpus = check_corpus(root)
    unreadable = PushReport()
    local = local_documents(corpus, report=unreadable)
    pid = find_project(conn, project)["id"]
    server = defaultdict(list)
    foreign = 0
    examples = conn.paginate(f"/v1/projects/{pid}/examples")
    for example in examples:
        key = example_key(example)
        if key is None:
            foreign += 1
        else:
            server[key].append(example)
    latest = {doc_id: version for doc_id, version in local}
    differs = []
    for key in sorted(set(server) & set(local)):
        sha = local[key][1]
        for example in server[key]:
            if sha256_text(example["text"]) != sha or example["meta"].get("text_sha256") != sha:
                differs.append(f"{key[0]}@{key[1]} (example {example['id']})")
    progress = conn.get(f"/v1/projects/{pid}/metrics/member-progress")
    members = conn.get(f"/v1/projects/{pid}/members")
    confirmed = {p["user"]: p["done"] for p in progress["progress"]}
    return {
        "server": conn.url,
        "project": project,
        "examples": len(examples),
        "documents_in_repository": len(local),
        "annotators": [{"user": m["username"], "role": m["rolename"], "confirmed": confirmed.get(m["username"], 0),
                        "preannotations": m["username"] == PREANNOTATION_USER}
                       for m in sorted(members, key=lambda m: m["username"])],
        "not_pushed": [f"{d}@{v}" for d, v in sorted(set(local) - set(server))],
        "only_on_server": [f"{d}@{v}" for d, v in sorted(set(server) - set(local))
                           if d not in latest],
        "older_versions_on_server": [f"{d}@{v}" for d, v in sorted(set(server) - set(local))
                                     if d in latest],
        "text_differs": differs,
        "duplicates": [f"{d}@{v} ({len(e)} examples)" for (d, v), e in sorted(server.items()) if len(e) > 1],
        "examples_without_meta": foreign,
        "repository_problems": unreadable.problems,
    }


def format_status(summary: dict) -> str:
    lines = [f"{summary['server']} project {summary['project']!r}: {summary['examples']} examples, "
             f"{summary['documents_in_repository']} documents in the repository"]
    for a in summary["annotators"]:
        extra = " (pre-annotations)" if a["preannotations"] else ""
        lines.append(f"  {a['user']:<24} {a['role']:<20} confirmed {a['confirmed']}{extra}")
    for key, title in (("not_pushed", "not pushed"), ("text_differs", "text differs (conflict)"),
                       ("duplicates", "duplicate examples"), ("only_on_server", "only on the server"),
                       ("older_versions_on_server", "older versions on the server"),
                       ("repository_problems", "repository problems")):
        if summary[key]:
            lines.append(f"{title}: {len(summary[key])}")
            lines.extend(f"  {item}" for item in summary[key][:20])
            if len(summary[key]) > 20:
                lines.append(f"  ... and {len(summary[key]) - 20} more")
    if summary["examples_without_meta"]:
        lines.append(f"examples without doc_id/version meta (not ours): {summary['examples_without_meta']}")
    return "\n".join(lines)
