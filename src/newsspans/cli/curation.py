"""The curator's commands: revise a document, measure agreement, adopt a layer as gold, release."""

import json
from pathlib import Path

import click

from newsspans.cli.options import library_errors, root_option


@click.command()
@click.argument("doc_id")
@click.option("--text", "text_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The corrected article; it is normalised like an ingested one.")
@click.option("--note", required=True, help="Why the text changed (kept in the version history).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Report format.")
@click.option("--dry-run", is_flag=True, help="Check everything and print the report; write nothing.")
@root_option
@library_errors
def revise(doc_id, text_file, note, fmt, dry_run, corpus):
    """Add the next version of DOC_ID and re-anchor its gold and annotator files to it.

    Older versions stay in the corpus. Every annotation ends unchanged, moved or orphaned;
    orphans are kept in the file's `orphans` section (with their old anchor and the reason)
    and reported by `newsspans validate` until a person resolves them. The report lists
    every annotation that moved or was orphaned, and every reference to an orphan that was
    set to null. Nothing is written unless the result validates.

    Example:

        newsspans revise my-article --text fixed.txt --note "figure corrected"
    """
    from newsspans.curation.revise import format_report, revise as revise_document
    report = revise_document(corpus, doc_id, text_file, note, dry_run=dry_run)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report))
    if dry_run:
        click.echo("dry run: nothing was written", err=True)


@click.command()
@click.option("--bump", type=click.Choice(["auto", "major", "minor", "patch"]), default="auto",
              show_default=True, help="The version part to raise; auto picks the smallest correct one.")
@root_option
@library_errors
def release(bump, corpus):
    """Release the exports as the next semantic version of the dataset.

    Compares exports/ with the previous release (releases/manifest.parquet): MAJOR when a
    record changed, was removed or moved between splits, MINOR when records were only
    added, PATCH when the same records were re-serialised. A --bump smaller than that is
    refused. Records the release in releases/ (releases.json holds the dataset version)
    and CHANGELOG.md, regenerates croissant.json and the card from that record, and
    prints the git tag to create.

    Example:

        newsspans release --root . --bump auto
    """
    from newsspans.curation.release import release as make_release
    summary = make_release(corpus, bump)
    kind = summary["bump"] or "initial"
    since = f", previous v{summary['previous']}" if summary["previous"] else ""
    click.echo(f"release {summary['tag']} ({kind}{since})")
    click.echo(f"  {'config':<10} {'added':>7} {'changed':>7} {'removed':>7} {'moved':>7} {'rows':>7}")
    for config, c in summary["counts"].items():
        click.echo(f"  {config:<10} {c['added']:>7} {c['changed']:>7} {c['removed']:>7} "
                   f"{c['moved']:>7} {c['rows']:>7}")
    click.echo(f"create the tag: git tag -a {summary['tag']} -m \"newsspans dataset {summary['tag']}\"")


@click.command()
@click.option("--doc", "docs", multiple=True, help="Only this document (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@root_option
@library_errors
def agreement(docs, fmt, corpus):
    """Agreement between annotators and with gold: span F1 (exact, overlap), Cohen's kappa.

    F1 per layer and label, pooled over the documents both sides annotated; kappa on
    token labels (innermost span's label per token, "O" outside spans).

    Example:

        newsspans agreement --doc example-doc --format json
    """
    from newsspans.curation.agreement import agreement as measure, format_table
    report = measure(corpus, list(docs) or None)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(report))


@click.command()
@click.option("--from", "user", required=True, help="The annotator whose file becomes gold.")
@click.option("--doc", "doc_id", required=True, help="The document.")
@click.option("--dry-run", is_flag=True, help="Only print what would change.")
@root_option
@library_errors
def adopt(user, doc_id, dry_run, corpus):
    """Promote annotations/<doc>/annotators/<user>.json to gold after validating it.

    Prints what changes per layer (added, removed, changed), then writes gold.json
    atomically with provenance method "adjudicated" naming the source.

    Example:

        newsspans adopt --from alice --doc example-doc
    """
    from newsspans.curation.adopt import adopt as promote, format_diff
    click.echo(format_diff(promote(corpus, user, doc_id, dry_run=dry_run)))
