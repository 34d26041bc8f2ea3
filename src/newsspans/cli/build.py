"""`newsspans build`: regenerate every generated file, or check that they are fresh."""

import sys

import click

from newsspans.cli.options import library_errors, root_option
from newsspans.cli.progress import bar


@click.command()
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 naming every stale, missing or extra file (CI runs this).")
@root_option
@library_errors
def build(check, corpus):
    """Regenerate exports/, the card, croissant.json, statistics, agreement reports, docs/.

    Validates the corpus first (nothing is written when it is invalid), then writes the
    Parquet configs, README.md's front matter and generated blocks, croissant.json, the
    statistics tables of DATASHEET.md and README.md, the committed agreement reports
    (annotations/DOC/agreement.json) and the rendered pages of docs/ (and of each
    docs/compare/USER/ there); then loads every config back with `datasets`
    (check-load). With --check nothing is written: every stale file is named (exit 1),
    and check-load runs when none is. The screenshot is not part of it (`make docs`).

    Example:

        newsspans build --root . && newsspans build --root . --check
    """
    from newsspans.export.refresh import refresh
    report = refresh(corpus, check=check, progress=bar("build", unit="step"))
    if check:
        for item in report.stale:
            click.echo(item)
        if report.stale:
            count = len(report.stale)
            click.echo(f"{count} stale item{'s' if count != 1 else ''}: run `newsspans build`",
                       err=True)
            sys.exit(1)
    else:
        for path in report.written:
            click.echo(f"wrote {path}")
    for line in report.loaded:
        click.echo(line)
    click.echo("every generated file is fresh; every config loads" if check
               else "built; every config loads", err=True)
