"""The export configs' columns and their `datasets.Features`: the public contract.

The same Features give the Parquet schema (with its embedded `huggingface` metadata), the
README's `dataset_info` and the Croissant fields, so the three cannot disagree.
"""

from functools import lru_cache

from newsspans.model import labels

CONFIGS = ("documents", "entities", "quotes", "claims", "ner")
DEFAULT_CONFIG = "documents"
SPLITS = ("train", "validation", "test")

NER_TAGS = ("O",) + tuple(f"{prefix}-{label}" for label in labels.ENTITY_TYPES
                          for prefix in ("B", "I"))

# ClassLabel name -> index, for building rows without a lookup through `datasets`.
LABEL_INDEX = {name: i for i, name in enumerate(labels.ENTITY_TYPES)}
MENTION_INDEX = {name: i for i, name in enumerate(labels.MENTION_KINDS)}
KIND_INDEX = {name: i for i, name in enumerate(labels.QUOTE_KINDS)}
CATEGORY_INDEX = {name: i for i, name in enumerate(labels.CLAIM_CATEGORIES)}
NER_TAG_INDEX = {name: i for i, name in enumerate(NER_TAGS)}


def _span_fields(Value):
    return {"id": Value("string"), "start": Value("int32"), "end": Value("int32"),
            "text": Value("string")}


def layer_fields():
    """The fields of each annotation layer, without doc_id and version."""
    from datasets import ClassLabel, Value
    entities = {**_span_fields(Value),
                "label": ClassLabel(names=list(labels.ENTITY_TYPES)),
                "mention": ClassLabel(names=list(labels.MENTION_KINDS)),
                "entity_id": Value("string"), "entity_name": Value("string"),
                "wikidata": Value("string")}
    quotes = {**_span_fields(Value),
              "kind": ClassLabel(names=list(labels.QUOTE_KINDS)),
              "speaker_id": Value("string"), "speaker_entity_id": Value("string"),
              "speaker_name": Value("string"),
              "cue_start": Value("int32"), "cue_end": Value("int32"), "cue_text": Value("string")}
    claims = {**_span_fields(Value),
              "claimant_id": Value("string"), "claimant_entity_id": Value("string"),
              "claimant_name": Value("string"), "quote_id": Value("string"),
              "checkworthy": Value("bool"),
              "category": ClassLabel(names=list(labels.CLAIM_CATEGORIES))}
    return {"entities": entities, "quotes": quotes, "claims": claims}


@lru_cache(maxsize=None)
def features(config: str):
    """The `datasets.Features` of one config."""
    from datasets import ClassLabel, Features, List, Value
    key = {"doc_id": Value("string"), "version": Value("int32")}
    layers = layer_fields()
    if config == "documents":
        return Features({**key, "text": Value("string"), "text_sha256": Value("string"),
                         "title": Value("string"), "publisher": Value("string"),
                         "published": Value("string"), "language": Value("string"),
                         **{name: List(fields) for name, fields in layers.items()}})
    if config in layers:
        return Features({**key, **layers[config]})
    if config == "ner":
        return Features({**key, "sentence": Value("int32"),
                         "tokens": List(Value("string")),
                         "token_starts": List(Value("int32")),
                         "token_ends": List(Value("int32")),
                         "ner_tags": List(ClassLabel(names=list(NER_TAGS)))})
    raise KeyError(f"unknown export config {config!r}; the configs are {', '.join(CONFIGS)}")


# The Parquet key-value metadata key that names the ClassLabel codes, for readers other
# than `datasets` (DuckDB's parquet_kv_metadata, Polars' read_parquet_metadata, pyarrow).
LABELS_KEY = "labels"


def label_names(feats) -> dict:
    """{column: [names]} of every ClassLabel column of `feats`, nested as the columns are.

    A list of ClassLabels (ner_tags) gives its names; a list of structs (the layers of
    `documents`) gives {column: {field: [names]}}. Columns without labels are left out.
    """
    out = {}
    for name, feature in feats.items():
        inner = getattr(feature, "feature", None)
        if type(feature).__name__ == "ClassLabel":
            out[name] = list(feature.names)
        elif isinstance(inner, dict):
            nested = label_names(inner)
            if nested:
                out[name] = nested
        elif type(inner).__name__ == "ClassLabel":
            out[name] = list(inner.names)
    return out


def with_label_names(schema, feats):
    """`schema` with the `labels` metadata added: {column: [names]} as compact JSON."""
    import json
    names = json.dumps(label_names(feats), ensure_ascii=False, separators=(",", ":"))
    return schema.with_metadata({**schema.metadata, LABELS_KEY.encode(): names.encode("utf-8")})


@lru_cache(maxsize=None)
def arrow_schema(config: str):
    """The Arrow schema of one config: the Features as `huggingface` metadata, and the
    ClassLabel names as `labels` metadata."""
    return with_label_names(features(config).arrow_schema, features(config))
