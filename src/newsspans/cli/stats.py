"""`newsspans stats`."""

import json

import click

from newsspans.cli.options import library_errors, root_option


@click.command()
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="Output format.")
@click.option("--write", is_flag=True, help="Rewrite the statistics blocks of DATASHEET.md and README.md.")
@click.option("--check", is_flag=True, help="Exit 1 if those blocks differ from the data.")
@root_option
@library_errors
def stats(fmt, write, check, corpus):
    """Count documents, tokens, mentions, quotes, claims and annotator layers.

    The tables in DATASHEET.md and README.md are generated between
    `<!-- newsspans:stats:begin -->` and `<!-- newsspans:stats:end -->` markers: `--write`
    regenerates them, `--check` fails (exit 1) when they are stale.

    Example:

        newsspans stats --format json
    """
    from newsspans.metadata.stats import compute_stats, stale_stats, stats_markdown, write_stats
    if write and check:
        raise click.UsageError("--write and --check exclude each other")
    if check:
        stale = stale_stats(corpus)
        for name in stale:
            click.echo(f"stale: {name} (run `newsspans stats --write`)")
        raise SystemExit(1 if stale else 0)
    if write:
        for name in write_stats(corpus):
            click.echo(f"wrote {name}")
        return
    data = compute_stats(corpus)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if fmt == "json" else stats_markdown(data))
