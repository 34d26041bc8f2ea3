"""The `export`, `rehydrate`, `check-load` and `publish` commands."""

import sys
from pathlib import Path

import click

from newsspans.cli.options import library_errors, root_option
from newsspans.errors import InvalidCorpus


@click.command()
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 naming every stale, missing or extra file.")
@click.option("--without-text", is_flag=True,
              help="Write the text-free distribution instead (offsets, lengths, sha256s; "
                   "no article text), into --out.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="With --without-text: the folder to write [default: ROOT/exports-text-free].")
@root_option
@library_errors
def export(check, without_text, out, corpus):
    """Regenerate exports/ (Parquet configs), croissant.json and the README card.

    The corpus is validated first: when it is invalid nothing is written and every problem
    is printed (exit 1). With --check the exports are rebuilt in a temporary folder and
    compared with the committed files, the README's front matter and generated blocks and
    croissant.json (`newsspans build --check`, what CI runs, includes this). A config has
    files only for the splits where it has rows. With --without-text only the text-free distribution is
    written (the same configs without any text of the articles; see `rehydrate`).

    Example:

        newsspans export --root . --check
        newsspans export --root . --without-text --out /path/to/text-free
    """
    from newsspans.export.build import export_corpus, export_without_text
    if out is not None and not without_text:
        raise click.UsageError("--out goes with --without-text")
    if check and without_text:
        raise click.UsageError("--check and --without-text cannot be combined")
    try:
        if without_text:
            for path in export_without_text(corpus, out):
                click.echo(f"wrote {path}")
            return
        from newsspans.cli.progress import bar
        result = export_corpus(corpus, check=check, progress=bar("exporting"))
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


@click.command()
@click.option("--text-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of *.txt texts: the raw articles as received, or canonical texts.")
@click.option("--from", "source", type=click.Path(file_okay=False, path_type=Path),
              help="The text-free distribution [default: ROOT/exports-text-free].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where the full configs go [default: ROOT/exports].")
@root_option
@library_errors
def rehydrate(text_dir, source, out, corpus):
    """Rebuild the full exports from a text-free distribution and the article texts.

    Each text is normalised and matched to document versions by the sha256 of its
    canonical text. When a version's text is missing or a file named for a document does
    not match it, every such document is named, nothing is written, and the exit status
    is 1. The rebuilt files are byte-identical to those `newsspans export` writes.

    Example:

        newsspans rehydrate --from text-free/ --text-dir articles/ --out exports/
    """
    from newsspans.export.rehydrate import rehydrate as run
    for path in run(corpus, text_dir, source=source, out=out):
        click.echo(f"wrote {path}")


@click.command("check-load")
@root_option
@library_errors
def check_load(corpus):
    """Load every export config back with `datasets`, offline, also streaming.

    Checks that the README's YAML types every column as declared and that every split has
    the number of rows the card declares. Exit 1 on any difference.

    Example:

        newsspans check-load --root .
    """
    from newsspans.export.loadcheck import check_load as run
    for line in run(corpus):
        click.echo(line)


@click.command()
@click.option("--repo-id", required=True, help="The hub dataset repository, ORG/NAME.")
@click.option("--revision", help="A tag to create at the published commit, e.g. v0.1.0.")
@click.option("--dry-run", is_flag=True, help="Print the exact operations; upload nothing.")
@root_option
@library_errors
def publish(repo_id, revision, dry_run, corpus):
    """Upload README.md, DATASHEET.md, croissant.json and exports/ to a hub dataset repository.

    Refuses when the exports are stale. Needs a token (HF_TOKEN or a stored login) and the
    network; without them it fails with exit 1 and says why.

    Example:

        newsspans publish --repo-id my-org/newsspans --revision v0.1.0 --dry-run
    """
    from newsspans.export.publish import publish as run
    for line in run(corpus, repo_id, revision=revision, dry_run=dry_run):
        click.echo(line)
