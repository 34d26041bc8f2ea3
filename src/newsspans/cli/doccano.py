"""The `doccano` command group (setup, push, pull, status, annotator) and `agreement`, `adopt`."""

import json
import sys

import click

from newsspans.cli.options import library_errors, root_option

_PROJECT = click.option("--project", default="newsspans", show_default=True,
                        help="The Doccano project name.")
_URL = click.option("--url", envvar="DOCCANO_URL", help="Server URL (default: $DOCCANO_URL, else the "
                                                        "local server's credentials file).")
_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                       show_default=True, help="Output format.")


def _connect(corpus, url):
    from newsspans.doccano.client import connect
    return connect(corpus, url=url)


def _emit(fmt, data, text):
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if fmt == "json" else text)


@click.group()
def doccano():
    """Move documents and annotations between the repository and a Doccano server.

    The connection comes from DOCCANO_URL, DOCCANO_USERNAME and DOCCANO_PASSWORD, or from
    the credentials file of the local server (scripts/doccano-server start).

    Example:

        newsspans doccano setup --project newsspans && newsspans doccano push --with-gold
    """


@doccano.command()
@_PROJECT
@_URL
@root_option
@library_errors
def setup(project, url, corpus):
    """Create or update the project: labels, relation types, guideline, pre-annotation user.

    Idempotent: running it again changes only what differs.

    Example:

        newsspans doccano setup --project newsspans
    """
    from newsspans.doccano.project import setup_project
    report = setup_project(_connect(corpus, url), corpus, project)
    verb = "created" if report["created"] else "updated" if report["updated"] else "up to date"
    click.echo(f"project {project!r} (id {report['id']}): {verb}; "
               f"{len(report['span_types_added'])} span labels and "
               f"{len(report['relation_types_added'])} relation types added; "
               f"pre-annotation user {report['preannotation_user']}")


@doccano.command()
@click.option("--with-gold", is_flag=True, help="Also push gold as pre-annotations (their own user).")
@click.option("--doc", "docs", multiple=True, help="Only this document (repeatable).")
@_PROJECT
@_URL
@_FORMAT
@root_option
@library_errors
def push(with_gold, docs, project, url, fmt, corpus):
    """Push each document's latest version as one example (idempotent).

    Examples are matched by their meta doc_id, version and text_sha256; a server text that
    differs is reported as a conflict and left alone (exit 1).

    Example:

        newsspans doccano push --with-gold
    """
    from newsspans.doccano.push import push as push_documents
    corpus.require_valid(list(docs) or None)   # before any connection: Doccano checks no offset
    report = push_documents(corpus, _connect(corpus, url), project, with_gold=with_gold, docs=list(docs) or None)
    lines = [f"created {len(report.created)}, unchanged {len(report.unchanged)}, "
             f"repaired {len(report.repaired)}, duplicates removed {len(report.duplicates_removed)}, "
             f"conflicts {len(report.conflicts)}, problems {len(report.problems)}"]
    lines += [f"conflict: {c}" for c in report.conflicts] + [f"problem: {p}" for p in report.problems]
    lines += [f"repaired: {r}" for r in report.repaired] + [f"removed: {d}" for d in report.duplicates_removed]
    _emit(fmt, report.asdict(), "\n".join(lines))
    sys.exit(0 if report.ok else 1)


@doccano.command()
@click.option("--force", is_flag=True, help="Overwrite annotator files edited locally since the last pull.")
@click.option("--user", "users", multiple=True, help="Only this Doccano user (repeatable).")
@click.option("--include-preannotations", is_flag=True,
              help="Also pull the pre-annotation user (gold as it stands in Doccano).")
@_PROJECT
@_URL
@_FORMAT
@root_option
@library_errors
def pull(force, users, include_preannotations, project, url, fmt, corpus):
    """Pull every annotator's spans and relations into annotations/<doc>/annotators/<user>.json.

    Offsets come back as code points, checked against the text; each file is validated
    before it is written. Exit 1 when something could not be pulled faithfully.

    Example:

        newsspans doccano pull --user alice
    """
    from newsspans.doccano.pull import pull as pull_annotations
    corpus.require_valid()
    report = pull_annotations(corpus, _connect(corpus, url), project, force=force, users=set(users) or None,
                              include_preannotations=include_preannotations)
    lines = [f"written {len(report.written)}, unchanged {len(report.unchanged)}, "
             f"kept local edits {len(report.kept_local_edits)}, problems {len(report.problems)}"]
    lines += [f"wrote {w}" for w in report.written] + [f"kept: {k}" for k in report.kept_local_edits]
    lines += [f"problem: {p}" for p in report.problems] + [f"note: {n}" for n in report.notes]
    _emit(fmt, report.asdict(), "\n".join(lines))
    sys.exit(0 if report.ok else 1)


@doccano.command()
@_PROJECT
@_URL
@_FORMAT
@root_option
@library_errors
def status(project, url, fmt, corpus):
    """Examples, annotators and their confirmed counts, and what differs from the repository.

    Example:

        newsspans doccano status --format json
    """
    from newsspans.doccano.status import format_status, sync_status
    corpus.require_valid()
    summary = sync_status(corpus, _connect(corpus, url), project)
    _emit(fmt, summary, format_status(summary))


@doccano.group()
def annotator():
    """Annotator accounts: create them with a generated password, list them with their progress.

    Example:

        newsspans doccano annotator add alice && newsspans doccano annotator list
    """


@annotator.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["annotator", "annotation_approver", "project_admin"]),
              default="annotator", show_default=True, help="The member's role in the project.")
@_PROJECT
@_URL
@root_option
@library_errors
def annotator_add(name, role, project, url, corpus):
    """Create the Doccano user NAME and add them to the project.

    The generated password is written to <home>/accounts/NAME.json (mode 0600), where home
    is $NEWSSPANS_DOCCANO_HOME or the repository's .doccano/; it is never printed. Running
    it again keeps the user and their password and only fixes the membership.

    Example:

        newsspans doccano annotator add alice
    """
    from newsspans.doccano import accounts
    done = accounts.add(_connect(corpus, url), accounts.home(corpus.root), name, project, role)
    made = "created" if done["created"] else "exists"
    member = {"added": "added to", "kept": "already in", "changed": "role changed in"}[done["member"]]
    click.echo(f"user {name!r} {made}; password in {done['account_file']} (mode 0600); "
               f"{member} project {project!r} as {done['role']}")


@annotator.command("list")
@_PROJECT
@_URL
@_FORMAT
@root_option
@library_errors
def annotator_list(project, url, fmt, corpus):
    """The project's members, their role and how many examples each has confirmed.

    Example:

        newsspans doccano annotator list --format json
    """
    from newsspans.doccano import accounts
    summary = accounts.members(_connect(corpus, url), accounts.home(corpus.root), project)
    _emit(fmt, summary, accounts.format_members(summary))
