"""Export rows -> annotation objects: the inverse of newsspans.export.rows, for round trips.

The package itself never reads its exports back into objects; the tests do, to prove that
files -> objects -> Parquet -> `load_dataset` -> objects gives back what was written.
"""

from newsspans.model.annotations import Claim, Cue, Mention, Quote


def _names(feature):
    return feature.names if hasattr(feature, "names") else None


def _label(value, names):
    return names[value] if names is not None and isinstance(value, int) else value


def mention_from_row(row: dict, fields: dict) -> Mention:
    return Mention(row["id"], row["start"], row["end"], row["text"],
                   _label(row["label"], _names(fields["label"])),
                   _label(row["mention"], _names(fields["mention"])), row["entity_id"])


def quote_from_row(row: dict, fields: dict) -> Quote:
    cue = (Cue(row["cue_start"], row["cue_end"], row["cue_text"])
           if row["cue_start"] is not None else None)
    return Quote(row["id"], row["start"], row["end"], row["text"],
                 _label(row["kind"], _names(fields["kind"])), row["speaker_id"], cue)


def claim_from_row(row: dict, fields: dict) -> Claim:
    return Claim(row["id"], row["start"], row["end"], row["text"], row["claimant_id"],
                 row["quote_id"], row["checkworthy"],
                 _label(row["category"], _names(fields["category"])))


def layers_from_document_row(row: dict, features) -> dict:
    """The annotation objects of a loaded `documents` row, as tuples per layer.

    `features` are the loaded dataset's Features, so ClassLabel indices become names.
    """
    build = {"entities": mention_from_row, "quotes": quote_from_row, "claims": claim_from_row}
    out = {}
    for layer, make in build.items():
        fields = features[layer].feature
        out[layer] = tuple(make(item, fields) for item in row[layer])
    return out
