"""`newsspans render` and `newsspans screenshot`: the HTML view of the corpus."""

from pathlib import Path

import click

from newsspans.cli.options import library_errors, root_option


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the site.  [default: ROOT/docs]")
@click.option("--compare", "user", metavar="USER",
              help="Draw this annotator's layers against gold (agreed, missing, extra) "
                   "into OUT/compare/USER/.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 naming every page that differs from a fresh render.")
@root_option
@library_errors
def render(out, user, check, corpus):
    """Render the corpus as static HTML: an index and one page per document.

    Each page shows the latest version's text with the gold entities, quotes (speaker,
    cue) and claims (claimant, category, check-worthiness) drawn on it, a toggle per
    layer and a side panel of quotes by speaker and claims by claimant. Pages are
    self-contained (no network) and byte-identical for the same corpus.

    Example:

        newsspans render --root . && newsspans render --root . --check

        newsspans render --root . --compare alice
    """
    from newsspans.render.site import check_site, render_site, site_prefix
    out = out if out is not None else corpus.root / "docs"
    shown = (out / site_prefix(user)).as_posix().rstrip("/")
    if check:
        fresh = check_site(corpus, out, user)
        click.echo(f"{fresh} page{'s' if fresh != 1 else ''} in {shown}/ are fresh")
        return
    report = render_site(corpus, out, user)
    pages = len(report.written) + report.unchanged
    click.echo(f"rendered {pages} page{'s' if pages != 1 else ''} into {shown}/: "
               f"{len(report.written)} written, {report.unchanged} unchanged, {len(report.removed)} removed")


@click.command()
@click.argument("page")
@click.argument("png", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="The rendered site to serve.  [default: ROOT/docs]")
@click.option("--width", type=click.IntRange(320, 4000), default=1400, show_default=True)
@click.option("--height", type=click.IntRange(240, 4000), default=1000, show_default=True)
@root_option
@library_errors
def screenshot(page, png, site, width, height, corpus):
    """Save a PNG of PAGE (a path inside the rendered site) as headless Chromium draws it.

    Needs Debian's chromium and chromium-driver and the selenium package (the test
    extra); the site is served from 127.0.0.1 only.

    Example:

        newsspans screenshot --root . documents/example-doc.html docs/screenshot.png
    """
    from newsspans.render.browser import screenshot as take
    from newsspans.store.outputs import check_output_dir
    check_output_dir(corpus, png.parent, what="PNG")
    site = site if site is not None else corpus.root / "docs"
    take(site, page, png, width, height)
    click.echo(f"saved {png}")
