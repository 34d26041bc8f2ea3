"""Reading strictly and writing atomically."""

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import orjson

from .errors import CorpusError, JsonError


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
        seen = dict(pairs)
        if len(seen) != len(pairs):
            keys = [key for key, _ in pairs]
            duplicate = next(key for key in keys if keys.count(key) > 1)
            raise JsonError(where, "$", f"duplicate key {duplicate!r} in one object")
        return seen
    return hook


def _reject_constant(where):
    def hook(name):
        raise JsonError(where, "$", f"{name} is not valid JSON")
    return hook


def _loads_json_stdlib(data: bytes, where: str):
    """The slow, exact parser: it names the line, column or key of every defect."""
    text = decode_utf8(data, where)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys(where),
                          parse_constant=_reject_constant(where))
    except json.JSONDecodeError as exc:
        raise JsonError(where, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                                    f"{exc.msg}") from None
    except RecursionError:
        raise JsonError(where, "$", "JSON nested too deeply") from None


_KEY = re.compile(rb'"\s*:')


def _walk(obj, path="$"):
    """Count the keys of every object in `obj`; raise on a number with a fraction."""
    if isinstance(obj, dict):
        return len(obj) + sum(_walk(v, f"{path}.{k}") for k, v in obj.items()
                              if isinstance(v, (dict, list, float)))
    if isinstance(obj, list):
        return sum(_walk(v, f"{path}[{i}]") for i, v in enumerate(obj)
                   if isinstance(v, (dict, list, float)))
    if isinstance(obj, float):
        raise JsonError(None, path, f"{obj!r} is not an integer: no number in these files "
                                    f"has a fraction or an exponent")
    return 0


def _walk_or_none(obj):
    try:
        return _walk(obj)
    except JsonError:
        return None


def loads_json(data: bytes, where: str):
    """Parse JSON strictly: UTF-8, no BOM, no duplicate keys, no NaN, no fractions.

    orjson parses; the exact standard-library parser runs only to explain a failure, or
    when the count of keys in the bytes and in the parsed objects differ (orjson keeps the
    last of duplicate keys silently; a quote-colon inside a string is a false alarm that
    the exact parser clears).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise CorpusError(f"{where}: starts with a UTF-8 byte-order mark (remove it)")
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        obj = None
    try:
        # orjson reads an integer beyond 64 bits as a float: the exact parser keeps it whole.
        if obj is None or _walk_or_none(obj) != len(_KEY.findall(data)):
            obj = _loads_json_stdlib(data, where)
            _walk(obj)
    except JsonError as exc:
        if exc.where is None:
            raise JsonError(where, exc.path, exc.detail) from None
        raise
    except RecursionError:
        raise JsonError(where, "$", "JSON nested too deeply") from None
    return obj


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
