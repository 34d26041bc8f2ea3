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
    prints the git tag to create. Refused, with nothing written, unless the build is
    green: the corpus valid, no lint finding in the gold, every generated file fresh
    (`newsspans build --check`) and every config loading back (check-load).

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
@click.option("--write", is_flag=True,
              help="Write each --doc's report to annotations/<doc>/agreement.json (JSON).")
@click.option("--check", is_flag=True,
              help="Exit 1 naming every committed agreement.json that the annotations no longer give.")
@root_option
@library_errors
def agreement(docs, fmt, write, check, corpus):
    """Agreement between annotators and with gold: spans, labels and attribution.

    For each pair of sources: F1 per layer and label (exact and overlapping spans), pooled
    over the documents both annotated; Cohen's kappa on token labels (innermost span's
    label per token, "O" outside spans); speaker and claimant agreement on matched quotes
    and claims; link accuracy on mentions with the same span. Over all sources at once:
    Krippendorff's alpha per layer. The README's "Agreement" section explains each figure.

    Example:

        newsspans agreement --doc example-doc --format json
    """
    from newsspans.curation import agreement as reports
    if write and check:
        raise click.UsageError("--write and --check do not go together")
    if write:
        if not docs:
            raise click.UsageError("--write needs the documents to report on (--doc)")
        for path in reports.write_reports(corpus, docs):
            click.echo(f"wrote {path}")
        return
    if check:
        stale = reports.stale_reports(corpus)
        for path in stale:
            click.echo(f"stale: {path} (run: newsspans agreement --write --doc "
                       f"{path.split('/')[1]})", err=True)
        if stale:
            raise click.ClickException(f"{len(stale)} agreement report{'s' if len(stale) != 1 else ''} "
                                       f"out of date")
        click.echo(f"{len(reports.committed_reports(corpus))} agreement reports fresh")
        return
    measure, format_table = reports.agreement, reports.format_table
    report = measure(corpus, list(docs) or None)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(report))


@click.command()
@click.option("--from", "user", required=True, help="The annotator whose layers become gold.")
@click.option("--doc", "doc_id", required=True, help="The document.")
@click.option("--layers", default="entities,quotes,claims", show_default=True,
              help="The layers to adopt, separated by commas; the others stay as they are in gold.")
@click.option("--merge", is_flag=True,
              help="Add the annotator's items to gold's instead of replacing gold's layers; an item "
                   "on the same span as a gold item updates it.")
@click.option("--accept-lint", is_flag=True,
              help="Adopt even when lint has findings on the layers to adopt (they are listed).")
@click.option("--yes", is_flag=True, help="Write gold.json; without it, adopt only shows what would change.")
@root_option
@library_errors
def adopt(user, doc_id, layers, merge, accept_lint, yes, corpus):
    """Show, then (with --yes) make, an annotator's layers of DOC the gold.

    Prints what changes per layer (added, removed, changed). With --yes it writes
    gold.json atomically, with provenance method "adjudicated" naming the annotators and
    the previous gold's provenance kept in its history. The annotator's file must validate,
    and lint must have no findings on the adopted layers (unless --accept-lint).

    Example:

        newsspans adopt --from alice --doc example-doc            # the preview
        newsspans adopt --from alice --doc example-doc --merge --layers quotes,claims --yes
    """
    from newsspans.curation.adopt import adopt as promote, format_diff
    chosen = [layer.strip() for layer in layers.split(",") if layer.strip()]
    click.echo(format_diff(promote(corpus, user, doc_id, layers=chosen, merge=merge, write=yes,
                                   accept_lint=accept_lint)))
