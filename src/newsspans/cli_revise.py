"""`newsspans revise` and `newsspans release`: new document versions and dataset releases."""

import json
from pathlib import Path

import click

from .cli import library_errors, root_option


@click.command()
@click.argument("doc_id")
@click.option("--text", "text_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The corrected article; it is normalised like an ingested one.")
@click.option("--note", required=True, help="Why the text changed (kept in the version history).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Report format.")
@root_option
@library_errors
def revise(doc_id, text_file, note, fmt, root):
    """Add the next version of DOC_ID and re-anchor its gold and annotator files to it.

    Older versions stay in the corpus. Every annotation ends unchanged, moved or orphaned;
    orphans are kept in the file's `orphans` section (with their old anchor and the reason)
    and reported by `newsspans validate` until a person resolves them. The report lists
    every annotation that moved or was orphaned, and every reference to an orphan that was
    set to null. Nothing is written unless the result validates.

    Example:

        newsspans revise afp-20240619-putin-kim-defence-treaty --text corrected.txt --note "AFP corrected the troop figure"
    """
    from .revise import format_report, revise as revise_document
    report = revise_document(root, doc_id, text_file, note)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report))
