"""Hashing: the one sha256 of every file and text newsspans records."""

import hashlib
import os

_BLOCK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path, fsync=False) -> tuple:
    """(size in bytes, sha256) of a file read in blocks (a Parquet shard need not fit in
    memory); with `fsync`, the file is also flushed to disk before it is trusted."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
            size += len(block)
        if fsync:
            os.fsync(handle.fileno())
    return size, digest.hexdigest()
