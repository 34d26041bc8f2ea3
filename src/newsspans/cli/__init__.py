"""The `newsspans` command: a thin layer over the library.

Each command calls one library function and turns a NewsspansError into "Error: ..." and
exit 1. Every command's help ends with an example.
"""

import click

from newsspans import __version__
from newsspans.cli import annotate, build, corpus, curation, doccano, export, lint, render, stats


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsspans")
def main():
    """Tools for the newsspans corpus: ingest, validate, export, sync with Doccano.

    Example:

        newsspans validate --root .
    """


for command in (corpus.ingest, corpus.validate, curation.revise, curation.agreement,
                curation.adopt, curation.adjudicate, curation.release, export.export, export.check_load,
                export.publish, export.rehydrate, lint.lint, stats.stats, render.render,
                render.screenshot, doccano.doccano, build.build, annotate.annotate, annotate.registry):
    main.add_command(command)
