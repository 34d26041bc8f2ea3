"""Reading strictly: UTF-8 without a BOM, and JSON that is exactly what it says."""

import json
import re

import orjson

from newsspans.errors import CorpusError, JsonError


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


def _walk(obj, path="$"):
    """Raise on a number with a fraction anywhere in `obj`, naming its JSON path."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            _walk(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            _walk(value, f"{path}[{i}]")
    elif isinstance(obj, float):
        raise JsonError(None, path, f"{obj!r} is not an integer: no number in these files "
                                    f"has a fraction or an exponent")


_SPACED_KEY = re.compile(rb'"[ \t\r\n]+:')
_FRACTION = re.compile(rb'[\[:,]-?[0-9]+[.eE]')


def _orjson_is_exact(data: bytes, obj) -> bool:
    """Whether orjson's `obj` is what the exact parser gives, and holds no fraction.

    orjson keeps the last of duplicate keys silently: re-serialised compactly, every key
    ends in `":`, so fewer of those than in `data` means a key was dropped. A quote-colon
    inside a string appears in both; a key spaced from its colon, or a quote written as
    \\u0022, sends the file to the exact parser. A fraction, or an integer too large for orjson, shows as a
    number with a point or an exponent (a string that looks like one is a false alarm the
    exact parser clears).
    """
    try:
        dumped = orjson.dumps(obj)
    except orjson.JSONEncodeError:   # nested deeper than orjson writes: let the exact parser judge
        return False
    return (dumped.count(b'":') == data.count(b'":') and not _SPACED_KEY.search(data)
            and b"\\u0022" not in data and not _FRACTION.search(dumped))


def loads_json(data: bytes, where: str):
    """Parse JSON strictly: UTF-8, no BOM, no duplicate keys, no NaN, no fractions.

    orjson parses; the exact standard-library parser runs only to explain a failure, or
    when orjson's result may differ from it (see `_orjson_is_exact`).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise CorpusError(f"{where}: starts with a UTF-8 byte-order mark (remove it)")
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        obj = None
    if obj is not None and _orjson_is_exact(data, obj):
        return obj
    obj = _loads_json_stdlib(data, where)
    try:
        _walk(obj)
    except JsonError as exc:
        raise JsonError(where, exc.path, exc.detail) from None
    except RecursionError:
        raise JsonError(where, "$", "JSON nested too deeply") from None
    return obj
