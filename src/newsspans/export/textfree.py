"""The text-free distribution: the export configs with every string of the article removed.

The article texts belong to their publishers, so this distribution keeps only what is the
project's own: offsets, span lengths (code points), the sha256 of each version's text
(`text_sha256`) and of its title (`title_sha256`), labels, ids and registry names. Columns
removed: `text` (document and span text), `title`, `cue_text`, and `tokens` in `ner`.
Rows are the same rows, in the same order and shards, as the full export, so `rehydrate`
can rebuild the full files byte for byte from these plus the texts.
"""

from functools import lru_cache

from newsspans.export.features import features as full_features, with_label_names
from newsspans.model.labels import LAYERS
from newsspans.store.hashing import sha256_text

TEXT_FREE = "exports-text-free"


def _strip_fields(fields: dict) -> dict:
    from datasets import Value
    out = {}
    for name, feature in fields.items():
        if name == "text":
            out["length"] = Value("int32")
        elif name != "cue_text":
            out[name] = feature
    return out


@lru_cache(maxsize=None)
def features(config: str):
    """The `datasets.Features` of the text-free version of one config."""
    from datasets import Features, List, Value
    full = full_features(config)
    if config == "documents":
        out = {}
        for name, feature in full.items():
            if name == "text":
                out["text_length"] = Value("int32")
            elif name == "title":
                out["title_sha256"] = Value("string")
            elif name in LAYERS:
                out[name] = List(_strip_fields(feature.feature))
            else:
                out[name] = feature
        return Features(out)
    if config in LAYERS:
        return Features(_strip_fields(full))
    return Features({name: f for name, f in full.items() if name != "tokens"})


@lru_cache(maxsize=None)
def arrow_schema(config: str):
    """The Arrow schema of one text-free config, with its Features and label names as metadata."""
    return with_label_names(features(config).arrow_schema, features(config))


def _strip_span(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k not in ("text", "cue_text")}
    out["length"] = row["end"] - row["start"]
    return out


def strip_row(config: str, row: dict) -> dict:
    """The text-free row of a full export row."""
    if config == "documents":
        out = {k: v for k, v in row.items() if k not in ("text", "title") + LAYERS}
        out["text_length"] = len(row["text"])
        out["title_sha256"] = sha256_text(row["title"]) if row["title"] is not None else None
        for layer in LAYERS:
            out[layer] = [_strip_span(item) for item in row[layer]]
        return out
    if config in LAYERS:
        return _strip_span(row)
    return {k: v for k, v in row.items() if k != "tokens"}


class SpanMismatch(ValueError):
    """A text-free span that does not fit the text it is rehydrated with."""


def _restore_span(item: dict, text: str) -> dict:
    start, end, length = item["start"], item["end"], item["length"]
    if not 0 <= start <= end <= len(text) or end - start != length:
        raise SpanMismatch(f"span {item['id']} [{start}:{end}] (length {length}) does not fit "
                           f"a text of {len(text)} code points")
    out = {k: v for k, v in item.items() if k != "length"}
    out["text"] = text[start:end]
    if "cue_start" in item:
        cue_start, cue_end = item["cue_start"], item["cue_end"]
        if cue_start is not None and not 0 <= cue_start <= cue_end <= len(text):
            raise SpanMismatch(f"cue of {item['id']} [{cue_start}:{cue_end}] is outside a text "
                               f"of {len(text)} code points")
        out["cue_text"] = text[cue_start:cue_end] if cue_start is not None else None
    return out


def restore_row(config: str, row: dict, text: str, title=None) -> dict:
    """The full row of a text-free row, given its version's text (and title, if it has one).

    Raises SpanMismatch when an offset does not fit `text`.
    """
    if config == "documents":
        if row["text_length"] != len(text):
            raise SpanMismatch(f"text_length {row['text_length']} but the text has "
                               f"{len(text)} code points")
        out = {k: v for k, v in row.items() if k not in ("text_length", "title_sha256")}
        out["text"], out["title"] = text, title
        for layer in LAYERS:
            out[layer] = [_restore_span(item, text) for item in row[layer]]
        return out
    if config in LAYERS:
        return _restore_span(row, text)
    starts, ends = row["token_starts"], row["token_ends"]
    if any(not 0 <= s <= e <= len(text) for s, e in zip(starts, ends)):
        raise SpanMismatch(f"a token of sentence {row['sentence']} is outside a text of "
                           f"{len(text)} code points")
    return {**row, "tokens": [text[s:e] for s, e in zip(starts, ends)]}
