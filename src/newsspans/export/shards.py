"""Streaming Parquet shards: rows in, bounded files out, deterministic bytes.

Rows are buffered as Python column lists and written as one Arrow record batch (one row
group) every `batch_rows` rows or `batch_bytes` estimated bytes; a shard is closed when it
reaches `max_rows` rows or `max_bytes` estimated bytes. Only the open batch is in memory.
Shards are first written as `<split>-NNNNN.parquet.part` and renamed to
`<split>-NNNNN-of-NNNNN.parquet` when the total is known.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsspans.store.hashing import sha256_file

# The one spelling of a shard's file name, written here and recognised everywhere else.
SHARD_NAME = re.compile(r"^(?P<split>[a-z]+)-(?P<index>\d{5})-of-(?P<total>\d{5})\.parquet$")


def shard_name(split: str, index: int, total: int) -> str:
    return f"{split}-{index:05d}-of-{total:05d}.parquet"

# Fixed writer options: the same rows give the same bytes on the same pyarrow version.
WRITER_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True,
                      write_statistics=True, version="2.6", data_page_version="1.0",
                      write_page_index=False, store_schema=True)


@dataclass(frozen=True)
class Shard:
    """One written Parquet file."""

    path: Path
    rows: int
    num_bytes: int   # Arrow (in-memory) size of its rows, as `dataset_info` counts it
    file_bytes: int
    sha256: str


@dataclass(frozen=True)
class Limits:
    max_rows: int = 500_000
    max_bytes: int = 256 * 2**20
    batch_rows: int = 20_000
    batch_bytes: int = 8 * 2**20


class ShardWriter:
    """Writes the rows of one split of one config into `folder`."""

    def __init__(self, folder: Path, split: str, schema: pa.Schema, limits: Limits = Limits()):
        self.folder, self.split, self.schema, self.limits = Path(folder), split, schema, limits
        self._buffer = {name: [] for name in schema.names}
        self._buffered_rows = self._buffered_bytes = 0
        self._writer = None
        self._shard_rows = self._shard_bytes = self._shard_nbytes = 0
        self._parts = []   # (path, rows, nbytes) of closed shards

    def add(self, row: dict, size: int) -> None:
        """Buffer one row; `size` estimates its bytes (text lengths), to bound batches."""
        for name, values in self._buffer.items():
            values.append(row[name])
        self._buffered_rows += 1
        self._buffered_bytes += size
        # A batch never overfills the shard, so max_rows is a hard bound.
        room = self.limits.max_rows - self._shard_rows
        if (self._buffered_rows >= min(self.limits.batch_rows, room)
                or self._buffered_bytes >= self.limits.batch_bytes):
            self._flush()

    def _flush(self) -> None:
        if not self._buffered_rows:
            return
        table = pa.Table.from_pydict(self._buffer, schema=self.schema)
        if self._writer is None:
            path = self.folder / f"{self.split}-{len(self._parts):05d}.parquet.part"
            self._writer = pq.ParquetWriter(path, self.schema, **WRITER_OPTIONS)
            self._path = path
        self._writer.write_table(table, row_group_size=table.num_rows)
        self._shard_rows += table.num_rows
        self._shard_nbytes += table.nbytes
        self._shard_bytes += self._buffered_bytes
        self._buffer = {name: [] for name in self.schema.names}
        self._buffered_rows = self._buffered_bytes = 0
        if (self._shard_rows >= self.limits.max_rows
                or self._shard_bytes >= self.limits.max_bytes):
            self._close_shard()

    def _close_shard(self) -> None:
        self._writer.close()
        self._parts.append((self._path, self._shard_rows, self._shard_nbytes))
        self._writer = None
        self._shard_rows = self._shard_bytes = self._shard_nbytes = 0

    def close(self) -> list:
        """Finish the split; returns its Shards (one empty shard when it had no rows)."""
        self._flush()
        if self._writer is not None:
            self._close_shard()
        if not self._parts:
            path = self.folder / f"{self.split}-00000.parquet.part"
            pq.ParquetWriter(path, self.schema, **WRITER_OPTIONS).close()
            self._parts.append((path, 0, 0))
        total = len(self._parts)
        shards = []
        for i, (part, rows, nbytes) in enumerate(self._parts):
            final = self.folder / shard_name(self.split, i, total)
            os.replace(part, final)
            size, digest = sha256_file(final, fsync=True)
            shards.append(Shard(final, rows, nbytes, size, digest))
        return shards
