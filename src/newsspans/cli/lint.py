"""`newsspans lint`: check the annotations against the guidelines."""

import click

from newsspans.cli.options import library_errors, report, root_option


@click.command()
@click.option("--doc", "docs", multiple=True, help="Only this document's files (repeatable).")
@click.option("--file", "files", multiple=True,
              help="Only this annotation file, e.g. annotations/<doc>/gold.json (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format; json is a list of findings.")
@root_option
@library_errors
def lint(docs, files, fmt, corpus):
    """Check every annotation file against annotations/GUIDELINES.md (section 6).

    Reports what the format allows but the guidelines do not: a surface string labelled
    with two types, quotation marks no quote covers, a quote without speaker or cue, a
    speaker that cannot speak, span boundaries, registry entries nobody mentions, and more.
    Each finding names its check, file, document@version, JSON path and offsets. Exit
    status 0 when there are no findings, 1 when there are. --doc and --file limit the
    findings to those documents or files (registry findings are then left out).

    Example:

        newsspans lint --root . --doc my-article --format json
    """
    from newsspans.validation.lint import lint_corpus
    scoped = bool(docs or files)
    report(lint_corpus(corpus, list(docs) if scoped else None, list(files) if scoped else None),
           fmt, noun="finding", clean="clean")
