"""The curator's commands: revise a document, measure agreement, adjudicate two layers, adopt a layer
as gold, release."""

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


@click.command()
@click.option("--doc", "doc_id", default=None,
              help="The document (required, except with --check: then every document with a log).")
@click.option("--between", default=None,
              help="The two annotators, separated by a comma (default: the document's only two).")
@click.option("--yes", is_flag=True, help="Write annotators/adjudicated.json; without it, only report.")
@click.option("--check", is_flag=True,
              help="Exit 1 when the log no longer covers exactly the disagreements, or the adjudicated "
                   "layer is not what the log gives.")
@click.option("--pending", is_flag=True,
              help="Print the undecided disagreements as log lines to fill in (JSON Lines).")
@click.option("--keep-gold-as", "keep_as", default=None, metavar="USER",
              help="First write the current gold, USER's single pass, as annotators/USER.json.")
@root_option
@library_errors
def adjudicate(doc_id, between, yes, check, pending, keep_as, corpus):
    """Apply the adjudication log of DOC to its two annotators' layers.

    Every disagreement between the two layers (an item one has and the other has not, or
    has otherwise) needs one line in annotations/DOC/adjudication.jsonl: the two versions,
    the decision (one annotator's version, or "other" with its result), the guidelines'
    section that decides it, and a one-line reason. The adjudicated layer is written to
    annotations/DOC/annotators/adjudicated.json, for `newsspans adopt --from adjudicated`.
    Refuses when a disagreement is undecided or a line decides none.

    Example:

        newsspans adjudicate --doc example-doc --pending > todo.jsonl
        newsspans adjudicate --doc example-doc --yes
    """
    from newsspans.curation import adjudicate as adjudication
    if sum(map(bool, (yes, check, pending))) > 1:
        raise click.UsageError("--yes, --check and --pending do not go together")
    if doc_id is None and not check:
        raise click.UsageError("--doc is required (only --check goes over every document with a log)")
    pair = [name.strip() for name in between.split(",")] if between else None
    if keep_as:
        click.echo(f"kept gold as {adjudication.keep_gold_as(corpus, doc_id, keep_as)}")
    if pending:
        for entry in adjudication.pending(corpus, doc_id, pair):
            click.echo(json.dumps(entry, ensure_ascii=False))
        return
    if check:
        docs = [doc_id] if doc_id else adjudication.logged_documents(corpus)
        stale = [line for doc in docs for line in adjudication.check(corpus, doc, pair)]
        for line in stale:
            click.echo(line, err=True)
        if stale:
            raise click.ClickException("adjudication out of date (above)")
        click.echo(f"{len(docs)} adjudication{'s' if len(docs) != 1 else ''} fresh")
        return
    state = adjudication.adjudicate(corpus, doc_id, pair, write=yes)
    a, b = state["annotators"]
    counts = {name: sum(e["decision"] == name for e in state["decided"]) for name in (a, b, "other")}
    agreed = sum(len(items) for items in state["agreed"].values())
    click.echo(f"{a} vs {b}: {agreed} items agreed, {len(state['decided'])} disagreements decided "
               f"({counts[a]} for {a}, {counts[b]} for {b}, {counts['other']} other)")
    target = f"annotations/{doc_id}/annotators/adjudicated.json"
    if not state["changed"]:
        click.echo(f"{target} unchanged")
    elif state["written"]:
        click.echo(f"wrote {target}")
    else:
        click.echo(f"nothing written: run again with --yes to write {target}")
