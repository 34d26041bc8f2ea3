"""`newsspans build`: every generated file regenerated from the corpus, then loaded back.

The generated files are exports/ (the Parquet configs), the README card (front matter and
generated blocks), croissant.json, the statistics tables of DATASHEET.md and README.md,
the rendered pages in docs/ (the gold site, and each docs/compare/USER/ site that is
there), and the committed agreement reports (annotations/<doc>/agreement.json). `refresh` writes the stale ones and runs check-load; `refresh(check=True)` writes
nothing and names every stale file (what CI runs), then runs check-load when nothing is
stale. `release_blockers` is what a release requires on top: a valid corpus, gold that
lint finds nothing in, every generated file fresh, and check-load passing.

The README's screenshot (docs/screenshot.png) is not generated here: Chromium's pixels
depend on the browser build and the fonts installed, so it cannot be checked byte for
byte; `make docs` takes it.
"""

from dataclasses import dataclass
from pathlib import Path

from newsspans.errors import ExportError
from newsspans.model.corpus import Corpus

DOCS = "docs"
COMPARE = "compare"
# The agreement reports come first: the card, croissant.json and the statistics quote them.
STEPS = ("agreement reports", "exports, card and croissant.json", "statistics", "pages")


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote (or, checking, found stale), and what check-load said."""

    written: tuple = ()   # paths relative to the root
    stale: tuple = ()     # "path: reason", one per stale item
    loaded: tuple = ()    # check-load's lines; empty when it was not run


def compare_sites(root) -> list:
    """The annotators whose comparison site docs/compare/USER/ is in the repository."""
    folder = Path(root) / DOCS / COMPARE
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in folder.iterdir()
                  if entry.is_dir() and not entry.name.startswith(".")
                  and (entry / "index.html").is_file())


def _sites(corpus):
    return [None] + compare_sites(corpus.root)


def refresh(root, check=False, progress=lambda steps: steps) -> BuildReport:
    """Regenerate every generated file of the corpus at `root`, then load the exports back.

    Raises InvalidCorpus (nothing written) when the corpus does not validate, and
    ExportError when check-load fails after writing. With `check=True` nothing is written:
    the report lists every stale item, and check-load runs only when there is none.
    """
    from newsspans.curation.agreement import stale_reports, write_reports
    from newsspans.export.build import export_corpus
    from newsspans.export.loadcheck import check_load
    from newsspans.metadata.stats import stale_stats, write_stats
    from newsspans.render.site import render_site, stale_pages

    corpus = Corpus.of(root).require_valid()
    root = corpus.root
    docs = root / DOCS
    shown = corpus.layout.rel(docs)
    written, stale = [], []
    for step in progress(STEPS):
        if step == STEPS[0] and check:
            stale.extend(f"{path}: stale" for path in stale_reports(corpus))
        elif step == STEPS[0]:
            stale_now = stale_reports(corpus)   # rewrite only what changed
            written.extend(write_reports(corpus, [path.split("/")[1] for path in stale_now]))
        elif step == STEPS[1]:
            result = export_corpus(corpus, check=check)
            (stale if check else written).extend(result)
        elif step == STEPS[2] and check:
            stale.extend(f"{name}: statistics stale" for name in stale_stats(corpus))
        elif step == STEPS[2]:
            written.extend(write_stats(corpus))
        elif check:
            for user in _sites(corpus):
                stale.extend(f"{shown}/{rel}: {why}" for rel, why in stale_pages(corpus, docs, user))
        else:
            for user in _sites(corpus):
                report = render_site(corpus, docs, user)
                written.extend(f"{shown}/{rel}" for rel in report.written)
    loaded = () if stale else tuple(check_load(root))
    # README.md is written by the export (card) and by the statistics: named once.
    return BuildReport(written=tuple(dict.fromkeys(written)), stale=tuple(stale), loaded=loaded)


def release_blockers(root) -> list:
    """Why the corpus at `root` cannot be released now, one line each; [] when it can.

    InvalidCorpus is raised (not listed) when the corpus does not validate. Lint counts
    the gold files and the registry only: annotators' layers are working material.
    """
    from newsspans.validation.lint import lint_corpus

    corpus = Corpus.of(root).require_valid()
    blockers = [f"lint: {finding.format()}" for finding in lint_corpus(corpus)
                if "/annotators/" not in finding.file]
    try:
        report = refresh(corpus, check=True)
    except ExportError as exc:   # check-load failed on fresh files
        return blockers + [f"check-load: {exc}"]
    return blockers + [f"stale: {item}" for item in report.stale]
