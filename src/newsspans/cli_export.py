"""The `export`, `check-load` and `publish` commands."""

import sys

import click

from .cli import library_errors, root_option
from .errors import InvalidCorpus


@click.command()
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 naming every stale, missing or extra file.")
@root_option
@library_errors
def export(check, root):
    """Regenerate exports/ (Parquet configs), croissant.json and the README card.

    The corpus is validated first: when it is invalid nothing is written and every problem
    is printed (exit 1). With --check the exports are rebuilt in a temporary folder and
    compared with the committed files, the README's front matter and generated blocks and
    croissant.json; CI runs this.

    Example:

        newsspans export --root . --check
    """
    from .export import export_corpus
    try:
        result = export_corpus(root, check=check)
    except InvalidCorpus as exc:
        for problem in exc.problems:
            click.echo(problem.format(), err=True)
        raise click.ClickException(f"corpus is invalid ({len(exc.problems)} problem"
                                   f"{'s' if len(exc.problems) != 1 else ''}); nothing written")
    if check:
        for item in result:
            click.echo(item)
        if result:
            click.echo(f"{len(result)} stale item{'s' if len(result) != 1 else ''}: "
                       f"run `newsspans export`", err=True)
            sys.exit(1)
        click.echo("exports are fresh", err=True)
        return
    for path in result:
        click.echo(f"wrote {path}")


@click.command("check-load")
@root_option
@library_errors
def check_load(root):
    """Load every export config back with `datasets`, offline, also streaming.

    Checks that the README's YAML types every column as declared and that every split has
    the number of rows the card declares. Exit 1 on any difference.

    Example:

        newsspans check-load --root .
    """
    from .loadcheck import check_load as run
    for line in run(root):
        click.echo(line)


@click.command()
@click.option("--repo-id", required=True, help="The hub dataset repository, ORG/NAME.")
@click.option("--revision", help="A tag to create at the published commit, e.g. v0.1.0.")
@click.option("--dry-run", is_flag=True, help="Print the exact operations; upload nothing.")
@root_option
@library_errors
def publish(repo_id, revision, dry_run, root):
    """Upload README.md, DATASHEET.md, croissant.json and exports/ to a hub dataset repository.

    Refuses when the exports are stale. Needs a token (HF_TOKEN or a stored login) and the
    network; without them it fails with exit 1 and says why.

    Example:

        newsspans publish --repo-id my-org/newsspans --revision v0.1.0 --dry-run
    """
    from .publish import publish as run
    for line in run(root, repo_id, revision=revision, dry_run=dry_run):
        click.echo(line)
