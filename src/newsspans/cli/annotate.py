"""`newsspans annotate` and `newsspans registry add`: annotations by their text, registry entries."""

import click

from newsspans.cli.options import library_errors, root_option
from newsspans.model import labels


@click.command()
@click.argument("doc_id")
@click.option("--entity", "entity_text", help="Add a mention whose text is this.")
@click.option("--quote", "quote_text", help="Add a quote whose text is this.")
@click.option("--claim", "claim_text", help="Add a claim whose text is this.")
@click.option("--nth", type=click.IntRange(min=1), help="Which occurrence of the text (1 = the first); "
              "needed when it occurs more than once.")
@click.option("--label", type=click.Choice(labels.ENTITY_TYPES), help="The mention's type (with --entity).")
@click.option("--mention", "mention_kind", type=click.Choice(labels.MENTION_KINDS), default="NAM",
              show_default=True, help="Name, nominal or pronoun (with --entity).")
@click.option("--link", help="The registry entity the mention refers to (with --entity).")
@click.option("--kind", type=click.Choice(labels.QUOTE_KINDS), default="direct", show_default=True,
              help="The quote's kind (with --quote).")
@click.option("--speaker", help="The id of the speaker's mention, e.g. m3 (with --quote).")
@click.option("--cue", help="The cue's text, e.g. said (with --quote); looked for in the quote's paragraph.")
@click.option("--cue-nth", type=click.IntRange(min=1), help="Which occurrence of the cue in the text, "
              "when the quote's paragraph has none or several.")
@click.option("--category", type=click.Choice(labels.CLAIM_CATEGORIES), help="The claim's category (with --claim).")
@click.option("--claimant", help="The claimant's mention id, or @author (default: the speaker of the "
              "quote the claim sits in, else @author).")
@click.option("--in-quote", "in_quote", help="The quote the claim sits in (default: the innermost around it).")
@click.option("--not-checkworthy", is_flag=True, help="The claim cannot be settled with evidence.")
@click.option("--annotator", help="Write annotations/<doc>/annotators/<NAME>.json instead of gold.json.")
@click.option("--resolves", help="The id of an orphan (left by a revision) this annotation replaces; "
              "it leaves the file's orphans.")
@click.option("--by", default="curator", show_default=True, help="The name recorded in the gold's provenance.")
@root_option
@library_errors
def annotate(doc_id, entity_text, quote_text, claim_text, nth, label, mention_kind, link, kind, speaker,
             cue, cue_nth, category, claimant, in_quote, not_checkworthy, annotator, resolves, by, corpus):
    """Add a mention, a quote or a claim to DOC_ID by its text: no offsets to count.

    The text is found in the document's latest version (offsets are code points of it);
    the id (m<N>, q<N>, c<N>) and provenance are set, and the whole file is validated
    before it is written. Prints what was added, with its offsets.

    Example:

        newsspans annotate my-article --entity "Ada Lovelace" --label PERSON --link ada-lovelace
    """
    from newsspans.curation.annotate import annotate as add, describe
    given = [(layer, text) for layer, text in (("entities", entity_text), ("quotes", quote_text),
                                                ("claims", claim_text)) if text is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --entity, --quote, --claim")
    layer, text = given[0]
    if layer == "entities":
        if label is None:
            raise click.UsageError("--entity needs --label")
        fields = {"label": label, "mention": mention_kind, "link": link}
    elif layer == "quotes":
        fields = {"kind": kind, "speaker": speaker, "cue": cue, "cue_nth": cue_nth}
    else:
        if category is None:
            raise click.UsageError("--claim needs --category")
        fields = {"category": category, "claimant": claimant, "quote": in_quote,
                  "checkworthy": not not_checkworthy}
    result = add(corpus, doc_id, layer, text, nth=nth, annotator=annotator, by=by, resolves=resolves,
                 **fields)
    click.echo(describe(result))


@click.group()
def registry():
    """The entity registry, annotations/entities.json.

    Example:

        newsspans registry add ada-lovelace --name "Ada Lovelace" --type PERSON --wikidata Q7259
    """


@registry.command("add")
@click.argument("entity_id")
@click.option("--name", required=True, help="The entity's usual name.")
@click.option("--type", "entity_type", required=True, type=click.Choice(labels.REGISTRY_TYPES),
              help="Its OntoNotes type.")
@click.option("--wikidata", help="Its Wikidata id, e.g. Q7259, if it has one.")
@click.option("--description", help="A short description, for entities without a Wikidata id.")
@click.option("--id-policy", help="How ids are assigned: needed only to create the registry.")
@root_option
@library_errors
def registry_add(entity_id, name, entity_type, wikidata, description, id_policy, corpus):
    """Add ENTITY_ID to the registry, checked against its schema; an id already there is refused.

    Example:

        newsspans registry add ada-lovelace --name "Ada Lovelace" --type PERSON --wikidata Q7259
    """
    from newsspans.curation.registry import add_entity
    entity = add_entity(corpus, entity_id, name, entity_type, wikidata=wikidata,
                        description=description, id_policy=id_policy)
    wiki = f", {entity['wikidata']}" if entity["wikidata"] else ""
    click.echo(f"added {entity['type']} {entity['id']!r} ({entity['name']}{wiki}) to annotations/entities.json")
