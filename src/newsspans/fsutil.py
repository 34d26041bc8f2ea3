"""Reading strictly and writing atomically."""

import hashlib
import json
import math
import os
import tempfile
from pathlib import Path

from .errors import CorpusError


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def decode_utf8(data: bytes, where: str) -> str:
    """Strict UTF-8 without a byte-order mark; a CorpusError names the byte offset."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise CorpusError(f"{where}: starts with a UTF-8 byte-order mark (remove it)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{where}: invalid UTF-8 at byte {exc.start}: {data[exc.start:exc.start + 4]!r}"
        ) from None


def _no_duplicate_keys(where):
    def hook(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                raise CorpusError(f"{where}: duplicate key {key!r} in one object")
            seen[key] = value
        return seen
    return hook


def _reject_constant(where):
    def hook(name):
        raise CorpusError(f"{where}: {name} is not valid JSON")
    return hook


def _reject_nonfinite_float(where):
    def parse(literal):
        value = float(literal)
        if not math.isfinite(value):
            raise CorpusError(f"{where}: number {literal} is out of range")
        return value
    return parse


def loads_json(data: bytes, where: str):
    """Parse JSON strictly: UTF-8, no BOM, no duplicate keys, no NaN or Infinity."""
    text = decode_utf8(data, where)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys(where),
                          parse_constant=_reject_constant(where),
                          parse_float=_reject_nonfinite_float(where))
    except json.JSONDecodeError as exc:
        raise CorpusError(
            f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise CorpusError(f"{where}: JSON nested too deeply") from None


def dumps_json(obj) -> bytes:
    """The one serialisation of every JSON file newsspans writes."""
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the file
    is renamed over `path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise CorpusError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
