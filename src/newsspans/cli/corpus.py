"""The `ingest` and `validate` commands: a document into the corpus, and the corpus checked."""

from pathlib import Path

import click

from newsspans.cli.options import library_errors, report, root_option


@click.command()
@click.argument("raw_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "doc_id", required=True, help="Document id: a slug, e.g. example-doc.")
@click.option("--title", help="A title. Leave it out when the source has none.")
@click.option("--title-assigned-by", type=click.Choice(["publisher", "curator"]), default="curator",
              show_default=True, help="Who gave the title.")
@click.option("--publisher", help="The publisher, e.g. ACME News.")
@click.option("--publisher-evidence", help="Why we believe the publisher is who it is.")
@click.option("--url", help="The source URL, if known. Never invent one.")
@click.option("--published", help="Publication date, YYYY-MM-DD.")
@click.option("--published-method", type=click.Choice(["stated", "inferred", "unknown"]),
              default="unknown", show_default=True, help="How the date is known.")
@click.option("--published-evidence", help="What the date was inferred from.")
@click.option("--language", default="en", show_default=True, help="BCP 47 language tag.")
@click.option("--rights-holder", help="Who holds the copyright of the text.")
@click.option("--rights-statement", help="The rights statement.")
@click.option("--split", type=click.Choice(["train", "validation", "test"]), default="test",
              show_default=True, help="The dataset split the document belongs to.")
@click.option("--note", default="ingested", show_default=True, help="Note for version 1.")
@root_option
@library_errors
def ingest(raw_file, doc_id, corpus, **metadata):
    """Add RAW_FILE to the corpus as a new document (raw.txt, v1.txt, document.json).

    The raw bytes are kept as received; v1.txt is their canonical (normalised) text; an
    empty gold annotation file is created beside it.

    Example:

        newsspans ingest article.txt --id example-doc --publisher "ACME News" --published 2024-06-19 --published-method inferred
    """
    from newsspans.curation.ingest import ingest as ingest_document
    doc = ingest_document(corpus, raw_file, doc_id, **metadata)
    click.echo(f"ingested {doc['id']}: corpus/{doc['id']}/v1.txt sha256 {doc['versions'][0]['sha256']}")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format; json is a list of problems.")
@click.option("--no-cache", is_flag=True,
              help="Check every document again; neither read nor write the cache in "
                   ".newsspans-cache/.")
@root_option
@library_errors
def validate(fmt, no_cache, corpus):
    """Check every document and annotation file: schemas, hashes, offsets, references.

    Exit status 0 when the corpus is valid, 1 when problems were found, 2 on a usage error.
    Every problem is reported, each with its file, document@version, JSON path and offsets.

    Each document's problems are cached in .newsspans-cache/ (git-ignored), keyed by the
    sha256 of its files, the registry entries it links to, the schemas and the tool's code:
    a document is checked again only when one of those changed. A progress bar shows on a
    terminal.

    Example:

        newsspans validate --root . --format json
    """
    from newsspans.cli.progress import bar
    from newsspans.validation.validate import validate_corpus
    problems = validate_corpus(corpus.layout, cache=not no_cache, progress=bar("validating"))
    report(problems, fmt, noun="problem", clean="valid")
