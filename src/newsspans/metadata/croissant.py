"""croissant.json: the exports described in MLCommons Croissant 1.0.

Every Parquet shard is a FileObject with its sha256; every config is a FileSet (its
shards, matched by a glob relative to the checkout) read by a RecordSet with one field per
column, described by a sentence. ClassLabel columns are integers; their names are in the
field description (and in each Parquet file's `labels` metadata). A config with no rows
has neither.
Nested layers of `documents` are repeated fields whose sub-fields pick one key of each item.
What the dataset is called, its license, creator and rights come from the corpus's facts
(dataset.yaml, see metadata/facts.py).
"""

from newsspans.export.features import CONFIGS, features
from newsspans.metadata.rai import RAI, rai_fields
from newsspans.metadata.record import record_date

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs",
    "column": "cr:column", "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/", "rai": RAI,
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key",
    "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex",
    "repeated": "cr:repeated", "replace": "cr:replace", "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source",
    "subField": "cr:subField", "transform": "cr:transform",
}
_DATA_TYPES = {"string": "sc:Text", "int32": "sc:Integer", "int64": "sc:Integer",
               "bool": "sc:Boolean"}
PARQUET = "application/x-parquet"
# What each column means, as a sentence. `text` is a document's text in `documents` and
# a span's text elsewhere; ClassLabel columns add their class names (_describe).
_MEANING = {
    "doc_id": "The document id (its folder name under corpus/).",
    "version": "The document version the offsets refer to.",
    "document_text": "The canonical text of the document version.",
    "text": "The span's text, equal to text[start:end] of its document version's text.",
    "text_sha256": "The sha256 of the version's text, UTF-8 encoded.",
    "title": "The document's title, null when it has none.",
    "publisher": "The publisher of the document.",
    "published": "The publication date, YYYY-MM-DD; null when unknown.",
    "language": "The language of the text, a BCP 47 tag.",
    "id": "The annotation id, unique within its gold file.",
    "start": "The start offset in Unicode code points, inclusive.",
    "end": "The end offset in Unicode code points, exclusive.",
    "label": "The entity type (OntoNotes 5)",
    "mention": "The mention kind: name, nominal or pronoun",
    "entity_id": "The registry entity id (annotations/entities.json); null for values.",
    "entity_name": "The registry entity's canonical name.",
    "wikidata": "The Wikidata item id of the registry entity, null when unknown.",
    "kind": "The quote kind",
    "speaker_id": "The id of the speaker's mention.",
    "speaker_entity_id": "The registry entity of the speaker's mention.",
    "speaker_name": "The canonical name of the speaker.",
    "cue_start": "The start of the cue (e.g. 'said') in code points, inclusive.",
    "cue_end": "The end of the cue in code points, exclusive.",
    "cue_text": "The cue's text, equal to text[cue_start:cue_end].",
    "claimant_id": "The id of the claimant's mention, or '@author' for the author (publication).",
    "claimant_entity_id": "The registry entity of the claimant's mention; null for '@author'.",
    "claimant_name": "The canonical name of the claimant; 'the author (publication)' for '@author'.",
    "quote_id": "The id of the quote the claim sits in, null when none.",
    "checkworthy": "Whether the claim is worth checking.",
    "category": "The claim category (annotations/GUIDELINES.md)",
    "sentence": "The sentence number within the document version, from 0.",
    "tokens": "The spaCy tokens (blank English tokenizer, split at mention offsets).",
    "token_starts": "The token start offsets, code points into the version's text.",
    "token_ends": "The token end offsets, exclusive.",
    "ner_tags": "The BIO tag of each token",
}


def _describe(name, feature, meaning_key=None):
    """(dataType, description, repeated) of one column."""
    meaning = _MEANING[meaning_key or name]
    kind = type(feature).__name__
    if kind == "ClassLabel":
        return ("sc:Integer", f"{meaning}, as a class index into [{', '.join(feature.names)}] "
                              f"(the names are also in each Parquet file's `labels` metadata).", False)
    if kind in ("List", "LargeList", "Sequence") and not isinstance(feature.feature, dict):
        data_type, description, _ = _describe(name, feature.feature, meaning_key)
        return data_type, description, True
    return _DATA_TYPES[feature.dtype], meaning, False


def _field(parent, name, feature, fileset, column=None):
    """The Field of column `name` (or, with `column`, of key `name` in each item of `column`)."""
    field_id = f"{parent}/{name}"
    if type(feature).__name__ in ("List", "LargeList") and isinstance(feature.feature, dict):
        return {"@type": "cr:Field", "@id": field_id, "name": name,
                "description": f"The document version's gold {name}: one item per "
                               f"annotation, with the columns of the {name} config except "
                               f"doc_id and version.",
                "repeated": True,
                "subField": [_field(field_id, key, sub, fileset, column=name)
                             for key, sub in feature.feature.items()]}
    document_text = name == "text" and parent == "documents"
    data_type, description, repeated = _describe(name, feature, "document_text" if document_text else None)
    source = {"fileSet": {"@id": fileset}, "extract": {"column": column or name}}
    if column is not None:
        source["transform"] = {"jsonPath": name}
    field = {"@type": "cr:Field", "@id": field_id, "name": name, "description": description,
             "dataType": data_type, "source": source}
    if repeated:
        field["repeated"] = True
    return field


def _description(config):
    if config == "ner":
        return ("One row per sentence of each annotated document version: spaCy tokens "
                "with code-point offsets and BIO tags over named and value mentions.")
    if config == "documents":
        return "One row per document version: text, metadata and its gold annotation layers."
    return f"One row per gold {config[:-1] if config != 'entities' else 'entity mention'}."


def croissant(root, summary, version: str, facts: dict) -> dict:
    """The croissant.json document for the export `summary` and the corpus `facts`.

    `datePublished` is the last release's date in the release record (absent before the
    first release), as `version` is its version.
    """
    published = record_date(root)
    distribution, record_sets = [], []
    for config in summary.configs():   # a config with no rows has no files to describe
        for split in summary.config_splits(config):
            for shard in summary.by_config[config][split]:
                distribution.append({
                    "@type": "cr:FileObject", "@id": f"exports/{shard.relpath}",
                    "name": f"exports/{shard.relpath}",
                    "contentUrl": f"exports/{shard.relpath}", "contentSize": f"{shard.file_bytes} B",
                    "encodingFormat": PARQUET, "sha256": shard.sha256})
        fileset = f"{config}-parquet"
        distribution.append({"@type": "cr:FileSet", "@id": fileset, "name": fileset,
                             "description": f"The Parquet shards of the {config} config.",
                             "encodingFormat": PARQUET,
                             "includes": f"exports/{config}/*.parquet"})
        record_sets.append({
            "@type": "cr:RecordSet", "@id": config, "name": config,
            "description": _description(config),
            "field": [_field(config, name, feature, fileset)
                      for name, feature in features(config).items()]})
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": facts["name"],
        "description": facts["description"],
        "license": facts["license"]["url"],
        "version": version,
        **({"datePublished": published} if published else {}),
        "citeAs": facts["cite_as"],
        "creator": {"@type": "sc:Organization", "name": facts["creator"]},
        "inLanguage": list(summary.languages),
        "keywords": list(facts["keywords"]),
        "copyrightNotice": facts["license"]["copyright_notice"],
        **rai_fields(summary, facts, root),
        "distribution": distribution,
        "recordSet": record_sets,
    }
