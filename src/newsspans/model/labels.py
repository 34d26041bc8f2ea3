"""The label sets: the one place that says which labels exist.

The JSON Schemas repeat these lists (a schema must be self-contained); a test checks
that both agree.
"""

ENTITY_TYPES = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
    "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
)
# Types whose mentions refer to a thing that has a name: these are linked to the registry.
REGISTRY_TYPES = ENTITY_TYPES[:11]
# People, organisations and places must be linked (DESIGN.md, annotation layers).
LINK_REQUIRED_TYPES = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC")
VALUE_TYPES = ENTITY_TYPES[11:]
MENTION_KINDS = ("NAM", "NOM", "PRO")
QUOTE_KINDS = ("direct", "indirect", "mixed")
CLAIM_CATEGORIES = ("statistic", "historical", "event", "accusation", "prediction", "evaluation")
# Who can say something: a person, an organisation, a group, or a place standing for
# its government ("Moscow appreciated ...").
SPEAKER_TYPES = ("PERSON", "ORG", "NORP", "GPE")

# The annotation layers of every annotation file, in file order.
LAYERS = ("entities", "quotes", "claims")

AUTHOR_ID = "@author"
AUTHOR_NAME = "the author (publication)"
