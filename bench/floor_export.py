"""The export floor: the rows of every config built straight from the files, written with pyarrow.

Same columns, same values, same Parquet writer options and the same NER tokenisation
(newsspans.export.ner.ner_rows, which is spaCy's work the export cannot skip) as
`newsspans export`, but with no validation pass, no objects between the JSON and the
columns, and one pyarrow writer per config and split. Buffers are flushed every
FLUSH_DOCS documents so that memory stays bounded as the export's does.
"""

import os
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newsspans.model import labels
from newsspans.export.features import (CATEGORY_INDEX, CONFIGS, KIND_INDEX, LABEL_INDEX,
                                MENTION_INDEX, arrow_schema)
from newsspans.model.annotations import Mention
from newsspans.export.ner import ner_rows
from newsspans.export.shards import WRITER_OPTIONS

FLUSH_DOCS = 1000


class _Sink:
    """Column buffers and a Parquet writer for one config and split."""

    def __init__(self, folder: Path, config: str, split: str):
        self.schema = arrow_schema(config)
        self.columns = {name: [] for name in self.schema.names}
        path = folder / config / f"{split}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(path, self.schema, **WRITER_OPTIONS)
        self.rows = 0

    def flush(self):
        if self.columns[self.schema.names[0]]:
            table = pa.Table.from_pydict(self.columns, schema=self.schema)
            self.writer.write_table(table, row_group_size=table.num_rows)
            self.rows += table.num_rows
            self.columns = {name: [] for name in self.schema.names}

    def close(self):
        self.flush()
        self.writer.close()


def _entity(m, registry):
    entity = registry.get(m["entity"]) if m["entity"] else None
    return {"id": m["id"], "start": m["start"], "end": m["end"], "text": m["text"],
            "label": LABEL_INDEX[m["label"]], "mention": MENTION_INDEX[m["mention"]],
            "entity_id": m["entity"], "entity_name": entity["name"] if entity else None,
            "wikidata": entity.get("wikidata") if entity else None}


def _agent(ref, mentions, registry):
    if ref == labels.AUTHOR_ID:
        return None, labels.AUTHOR_NAME
    mention = mentions.get(ref) if ref else None
    entity_id = mention["entity"] if mention else None
    entity = registry.get(entity_id) if entity_id else None
    return entity_id, entity["name"] if entity else None


def _quote(q, mentions, registry):
    speaker = mentions.get(q["speaker"]) if q["speaker"] else None
    entity_id = speaker["entity"] if speaker else None
    entity = registry.get(entity_id) if entity_id else None
    cue = q["cue"] or {}
    return {"id": q["id"], "start": q["start"], "end": q["end"], "text": q["text"],
            "kind": KIND_INDEX[q["kind"]], "speaker_id": q["speaker"],
            "speaker_entity_id": entity_id, "speaker_name": entity["name"] if entity else None,
            "cue_start": cue.get("start"), "cue_end": cue.get("end"), "cue_text": cue.get("text")}


def _claim(c, mentions, registry):
    entity_id, name = _agent(c["claimant"], mentions, registry)
    return {"id": c["id"], "start": c["start"], "end": c["end"], "text": c["text"],
            "claimant_id": c["claimant"], "claimant_entity_id": entity_id,
            "claimant_name": name, "quote_id": c["quote"], "checkworthy": c["checkworthy"],
            "category": CATEGORY_INDEX[c["category"]]}


def _append(columns, key, row):
    for name, value in key.items():
        columns[name].append(value)
    for name, value in row.items():
        columns[name].append(value)


class _DatasetsSink(_Sink):
    """The peer: the same rows, written by `datasets.Dataset.from_list(rows).to_parquet`
    (one file per FLUSH_DOCS documents, as a user batching by hand would)."""

    def __init__(self, folder: Path, config: str, split: str):
        self.schema = arrow_schema(config)
        self.columns = {name: [] for name in self.schema.names}
        self.folder, self.config, self.split, self.rows, self.parts = folder, config, split, 0, 0
        (folder / config).mkdir(parents=True, exist_ok=True)

    def flush(self):
        from datasets import Dataset
        names = self.schema.names
        if self.columns[names[0]]:
            rows = [dict(zip(names, values)) for values in zip(*(self.columns[n] for n in names))]
            path = self.folder / self.config / f"{self.split}-{self.parts:05d}.parquet"
            Dataset.from_list(rows).to_parquet(str(path))
            self.rows += len(rows)
            self.parts += 1
            self.columns = {name: [] for name in names}

    def close(self):
        self.flush()


def export_with_datasets(root: Path, out: Path) -> dict:
    return export(root, out, sink=_DatasetsSink)


def export(root: Path, out: Path, sink=_Sink) -> dict:
    registry = {e["id"]: e for e in
                orjson.loads((root / "annotations" / "entities.json").read_bytes())["entities"]}
    sinks, docs = {}, 0
    doc_ids = sorted(e.name for e in os.scandir(root / "corpus") if e.is_dir())
    for doc_id in doc_ids:
        folder = root / "corpus" / doc_id
        doc = orjson.loads((folder / "document.json").read_bytes())
        gold_path = root / "annotations" / doc_id / "gold.json"
        gold = orjson.loads(gold_path.read_bytes()) if gold_path.is_file() else None
        split = doc["split"]
        for config in CONFIGS:
            if (config, split) not in sinks:
                sinks[config, split] = sink(out, config, split)
        for entry in doc["versions"]:
            n = entry["version"]
            text = (folder / entry["file"]).read_text(encoding="utf-8")
            pinned = gold is not None and gold["version"] == n
            key = {"doc_id": doc_id, "version": n}
            mentions = {m["id"]: m for m in gold["entities"]} if pinned else {}
            layers = {
                "entities": [_entity(m, registry) for m in gold["entities"]] if pinned else [],
                "quotes": [_quote(q, mentions, registry) for q in gold["quotes"]] if pinned else [],
                "claims": [_claim(c, mentions, registry) for c in gold["claims"]] if pinned else []}
            for config, rows in layers.items():
                columns = sinks[config, split].columns
                for row in rows:
                    _append(columns, key, row)
            _append(sinks["documents", split].columns, key, {
                "text": text, "text_sha256": entry["sha256"],
                "title": doc["title"]["text"] if doc.get("title") else None,
                "publisher": doc["source"]["publisher"], "published": doc["published"]["date"],
                "language": doc["language"], **layers})
            if pinned and gold["provenance"].get("method") != "empty":
                objects = [Mention.fromdict(m) for m in gold["entities"]]
                columns = sinks["ner", split].columns
                for row in ner_rows(text, objects):
                    _append(columns, key, row)
        docs += 1
        if docs % FLUSH_DOCS == 0:
            for sink in sinks.values():
                sink.flush()
    rows = {}
    for (config, split), sink in sorted(sinks.items()):
        sink.close()
        rows[config] = rows.get(config, 0) + sink.rows
    return {"docs": docs, "rows": rows}
