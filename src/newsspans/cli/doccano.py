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

        newsspans doccano setup --project newsspans && newsspans doccano push
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
    from newsspans.cli.progress import bar
    from newsspans.doccano.project import setup_project
    report = setup_project(_connect(corpus, url), corpus, project, progress=bar("labels", unit="label"))
    verb = "created" if report["created"] else "updated" if report["updated"] else "up to date"
    click.echo(f"project {project!r} (id {report['id']}): {verb}; "
               f"{len(report['span_types_added'])} span labels and "
               f"{len(report['relation_types_added'])} relation types added; "
               f"pre-annotation user {report['preannotation_user']}")


@doccano.command()
@click.option("--preannotate", type=click.Choice(["none", "review", "gold"]), default=None,
              help="What annotators start from: none (an empty page; the default), review (gold, or "
                   "--from USER's layer, copied into each --annotator's own layer), gold (gold under a "
                   "hidden user that annotators do not see).")
@click.option("--annotator", "annotators", multiple=True,
              help="Review: an annotator whose layer gets the copy (repeatable); their account file "
                   "is written by `newsspans doccano annotator add`.")
@click.option("--from", "source", default=None, help="Review: copy this annotator's layer instead of gold.")
@click.option("--with-gold", is_flag=True, hidden=True, help="Deprecated: --preannotate gold.")
@click.option("--doc", "docs", multiple=True, help="Only this document (repeatable).")
@_PROJECT
@_URL
@_FORMAT
@root_option
@library_errors
def push(preannotate, annotators, source, with_gold, docs, project, url, fmt, corpus):
    """Push each document's latest version as one example (idempotent).

    Examples are matched by their meta doc_id, version and text_sha256; a server text that
    differs is reported as a conflict and left alone (exit 1). No annotation reaches an
    annotator through an example's metadata; registry links and author claimants of what
    was copied are kept on the repository side (.doccano/pushed/) for pull.

    Example:

        newsspans doccano push --preannotate review --annotator alice --annotator bob
    """
    from newsspans.cli.progress import bar
    from newsspans.doccano.push import push as push_documents
    if with_gold:
        if preannotate not in (None, "gold"):
            raise click.UsageError("--with-gold is --preannotate gold; give one of them")
        click.echo("warning: --with-gold is deprecated; use --preannotate gold", err=True)
    mode = "gold" if with_gold else preannotate or "none"
    corpus.require_valid(list(docs) or None)   # before any connection: Doccano checks no offset
    report = push_documents(corpus, _connect(corpus, url), project, preannotate=mode,
                            annotators=list(annotators), source=source, docs=list(docs) or None,
                            progress=bar("push"))
    lines = [f"created {len(report.created)}, unchanged {len(report.unchanged)}, "
             f"repaired {len(report.repaired)}, duplicates removed {len(report.duplicates_removed)}, "
             f"pre-annotated {len(report.preannotated)}, kept {len(report.kept)}, "
             f"conflicts {len(report.conflicts)}, problems {len(report.problems)}"]
    lines += [f"conflict: {c}" for c in report.conflicts] + [f"problem: {p}" for p in report.problems]
    lines += [f"repaired: {r}" for r in report.repaired] + [f"removed: {d}" for d in report.duplicates_removed]
    lines += [f"pre-annotated: {p}" for p in report.preannotated] + [f"kept: {k}" for k in report.kept]
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
    before it is written. An annotation that cannot be written is kept in the file's
    `rejected` list and reported; the rest is written. Comments are kept as `notes`. A
    mention left unlinked or linked against its registry type is a finding, not a refusal.
    Exit 1 when something was rejected or could not be pulled.

    Example:

        newsspans doccano pull --user alice
    """
    from newsspans.cli.progress import bar
    from newsspans.doccano.pull import pull as pull_annotations
    # pull validates the corpus while Doccano builds its export, and writes nothing before.
    report = pull_annotations(corpus, _connect(corpus, url), project, force=force, users=set(users) or None,
                              include_preannotations=include_preannotations, progress=bar("pull"))
    lines = [f"written {len(report.written)}, unchanged {len(report.unchanged)}, "
             f"kept local edits {len(report.kept_local_edits)}, rejected {len(report.rejected)}, "
             f"findings {len(report.findings)}, problems {len(report.problems)}"]
    lines += [f"wrote {w}" for w in report.written] + [f"kept: {k}" for k in report.kept_local_edits]
    lines += [f"problem: {p}" for p in report.problems] + [f"rejected: {r}" for r in report.rejected]
    lines += [f"finding: {f}" for f in report.findings] + [f"note: {n}" for n in report.notes]
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
