"""Reading strictly: one door for every file, UTF-8 without a BOM, JSON that is exactly what it says.

Every file newsspans reads (a corpus file, a source article, a text to rehydrate) comes in
through `read_file`, and every JSON file through `loads_json`, so a rule about input is
enforced in one place and cannot be forgotten by a new command.
"""

import json
import os
import re
import stat

import orjson

from newsspans.errors import CorpusError, JsonError
from newsspans.store.compiled import fastcheck

# One article with thousands of annotations is a few MB; a file far larger is a mistake or
# an attack, and is refused before it is read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024

# Non-blocking, so that a FIFO swapped in after the checks cannot hang the open.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


def read_file(path, *, root=None, limit=None, name=None, folder_checked=False) -> bytes:
    """The bytes of one regular file; a CorpusError naming it (`name`, default `path`) otherwise.

    Refused before a byte is read: a folder, FIFO, socket or device (reading one hangs or
    never ends), a file over `limit` bytes (default MAX_FILE_BYTES, looked up at each call),
    and, when the file is read for the repository at `root`, a symbolic link, or a path
    under `root` that resolves outside it through a link at any component. The opened
    descriptor is checked again, so a file swapped after the checks is caught too, and at
    most limit+1 bytes are read, so a file growing meanwhile cannot exceed the limit.
    `folder_checked`: the caller has just found, with `resolves_inside`, that the folder
    holding `path` is inside `root` (a walk reading many files of one folder checks it
    once); the file itself is still refused when it is a link, and is opened before any
    lstat (`_open_in_checked_folder`).
    """
    name = os.fspath(path) if name is None else name
    limit = MAX_FILE_BYTES if limit is None else limit
    fd = _open_in_checked_folder(path) if root is not None and folder_checked else None
    if fd is None:
        fd = _open_checked(path, root, name, limit, folder_checked)
    try:
        info = os.fstat(fd)
        _check_regular(info, name, limit)
        data = _read_at_most(fd, limit + 1, info.st_size)
    except OSError as exc:
        raise CorpusError(f"{name}: cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise CorpusError(f"{name}: grew over the limit of {limit} bytes for one corpus file "
                          f"while being read")
    return data


def _open_in_checked_folder(path):
    """`path`, in a folder the caller found inside the repository, opened at once; None
    when it cannot be (the full checks then say why: a link, a socket, nothing there).

    Never through a link (O_NOFOLLOW), never waiting for a FIFO's writer (O_NONBLOCK),
    never taking a terminal (O_NOCTTY): what the file is, the descriptor's fstat decides
    before a byte is read, as the lstat of the full checks would (one system call less).
    """
    if os.path.basename(path) in ("", ".", ".."):
        return None
    try:
        return os.open(path, _OPEN_FLAGS | os.O_NOFOLLOW)
    except OSError:
        return None


def _open_checked(path, root, name, limit, folder_checked):
    """A descriptor of `path` after the checks of its own lstat (and of the folders on the
    way, unless `folder_checked`); a CorpusError saying what is wrong otherwise."""
    info = _stat(path, name, follow=root is None)
    if root is not None:
        if stat.S_ISLNK(info.st_mode):
            raise CorpusError(f"{name}: is a symbolic link; corpus files must be regular files")
        # The lstat above looked at the last component itself, unless the path ends in "."
        # (or "/"): then it looked through it.
        last = os.path.basename(os.fspath(path))
        if not (folder_checked and last not in ("", ".", "..")):
            _check_inside(path, root, name, last_checked=last not in ("", "."))
    _check_regular(info, name, limit)
    try:
        return os.open(path, _OPEN_FLAGS | (os.O_NOFOLLOW if root is not None else 0))
    except OSError as exc:
        raise CorpusError(f"{name}: cannot read: {exc.strerror}") from None


def read_text(root, relpath: str, default=None) -> str:
    """A text file of the repository (README.md, CHANGELOG.md, ...) through `read_file`,
    strict UTF-8; `default` when it does not exist (a CorpusError if default is None)."""
    path = os.path.join(os.fspath(root), relpath)
    if default is not None and not os.path.lexists(path):
        return default
    return decode_utf8(read_file(path, root=root, name=relpath), relpath)


def _stat(path, name, follow):
    try:
        return os.stat(path) if follow else os.lstat(path)
    except OSError as exc:
        raise CorpusError(f"{name}: cannot read: {exc.strerror}") from None


def _check_regular(info, name, limit):
    """Refuse anything but a regular file of at most `limit` bytes, saying what it is."""
    if not stat.S_ISREG(info.st_mode):
        kind = next((kind for test, kind in _KINDS if test(info.st_mode)), "a special file")
        raise CorpusError(f"{name}: is not a regular file but {kind}")
    if info.st_size > limit:
        raise CorpusError(f"{name}: {info.st_size} bytes is over the limit of {limit} bytes "
                          f"for one corpus file")


def _read_at_most(fd, most, size_hint) -> bytes:
    chunks, total = [], 0
    want = min(most, size_hint + 1)
    while total < most:
        chunk = os.read(fd, max(1, min(want, most - total)))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total == size_hint and len(chunk) < want:
            break   # the whole file as fstat sized it, and a short read: no read to see its end
        want = 1 << 20
    return b"".join(chunks)


def resolves_inside(path, root, last_checked=False) -> bool:
    """Whether `path`, every symbolic link on the way followed, is `root` or under it.

    A path written under `root` is checked by one lstat per component below the root: with
    no link among them it is inside, whatever the root itself resolves to. Only a link on
    the way (rare) costs the full resolution of both paths. `last_checked`: the caller has
    just lstat'ed the last component and found no link there (its lstat is not repeated).
    """
    written, base = os.path.abspath(path), os.path.abspath(root)
    # abspath folds "a/link/.." lexically, where the system would follow the link first.
    lexical = ".." not in os.fspath(path).split(os.sep)
    if lexical and written.startswith(os.path.join(base, "")):
        current = base
        parts = written[len(base) + 1:].split(os.sep)
        for part in parts[:-1] if last_checked else parts:
            current = os.path.join(current, part)
            try:
                if stat.S_ISLNK(os.lstat(current).st_mode):
                    break
            except OSError:
                return True   # nothing exists from here on: there is no link left to follow
        else:
            return True
    elif lexical and written == base:
        return True
    real, base_real = os.path.realpath(path), os.path.realpath(root)
    return real == base_real or real.startswith(os.path.join(base_real, ""))


def _check_inside(path, root, name, last_checked=False):
    """Refuse a path that a symbolic link sends out of the repository at `root`."""
    if not resolves_inside(path, root, last_checked):
        raise CorpusError(f"{name}: resolves to {os.path.realpath(path)}, outside the "
                          f"repository (a symbolic link on the way?)")


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


class _Fraction:
    """Stands for a number with a fraction or an exponent until its JSON path is found."""

    __slots__ = ("literal",)

    def __init__(self, literal):
        self.literal = literal


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


# A lone surrogate can only come from a \uD800-\uDFFF escape (strict UTF-8 has none), so a
# file without one of these (nearly every file) needs no check of its strings.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads_json(data: bytes, where: str):
    """Parse JSON exactly: UTF-8, no BOM, no duplicate keys, no NaN, no fractions, no lone surrogates.

    orjson parses first; its result is taken only where it provably equals the exact
    parser's (`_orjson_exact`). Anything else (a BOM, invalid UTF-8, a duplicate key, a
    fraction, an integer orjson cannot hold, a \\u escape, nesting orjson refuses) goes to
    the exact parser, which decides and names the problem exactly as it always has.
    """
    try:
        obj = orjson.loads(data)
    except (orjson.JSONDecodeError, ValueError, TypeError, RecursionError):
        return loads_json_exact(data, where)
    if _orjson_exact(data, obj):
        return obj
    return loads_json_exact(data, where)


def _orjson_exact(data: bytes, obj) -> bool:
    """Whether `obj`, orjson's parse of `data`, is exactly what `loads_json_exact` returns.

    The compiled check answers first where it was built: without a backslash in `data`,
    the strings of `obj` against the quotes of `data` (a duplicate key drops one) and no
    float in `obj`; with one, a scan of the bytes (no duplicate key, fraction, exponent,
    long integer or \\u escape). When it is not sure, the reference below decides.
    """
    if fastcheck is not None and fastcheck.exact_parse(data, obj):
        return True
    return _orjson_exact_reference(data, obj)


def _orjson_exact_reference(data: bytes, obj) -> bool:
    """`_orjson_exact` in Python: the reference, and the only path where nothing was compiled.

    orjson refuses a BOM, invalid UTF-8 (hence any raw surrogate), NaN and Infinity, and
    lone surrogate escapes. What it accepts and the exact parser does not: a duplicate key
    (orjson keeps the last pair), a fraction or exponent (a float), an integer beyond 64
    bits (a float too). Without a \\u escape every string of `obj` is written in `data`
    with the same colons, so the colons orjson writes back equal those of `data` unless a
    pair was dropped (and a file identical to orjson's output dropped none). orjson writes
    every float with a digit followed by '.', 'e+' or 'e-' (`_digit_fractions`); such a
    pair inside a string is told apart by the parity of the quotes before it, which delimit
    strings exactly when the output has no backslash.
    """
    if b"\\" in data and b"\\u" in data:
        return False
    try:
        out = orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:   # nested deeper than orjson writes
        return False
    # A file written as newsspans writes JSON is byte for byte orjson's indented output,
    # which no dropped pair could give; any other layout is compared by its colons.
    if out != data and out.count(b":") != data.count(b":"):
        return False
    if b"\\" in out:
        return _no_float_outside_strings(out)
    inside, last = False, 0
    for at in _digit_fractions(out):
        if out.count(b'"', last, at) % 2:
            inside = not inside
        if not inside:
            return False
        last = at
    return True


# orjson writes a number with a fraction or an exponent with a digit followed by '.', 'e+'
# or 'e-' ("1.0", "1e+20", "5e-324"); a string may hold those too ("3.5 million"), which
# the quote parity before it tells apart. '.', '+' and '-' are rare enough in these files
# to be found one by one ('e' is not).
_DIGIT_CODES = frozenset(b"0123456789")


def _digit_fractions(out: bytes) -> list:
    """The offsets of every digit in `out` followed by '.', 'e+' or 'e-', in order."""
    found = []
    at = out.find(b".", 1)
    while at != -1:
        if out[at - 1] in _DIGIT_CODES:
            found.append(at - 1)
        at = out.find(b".", at + 1)
    for sign in (b"+", b"-"):
        at = out.find(sign, 2)
        while at != -1:
            if out[at - 1] == 101 and out[at - 2] in _DIGIT_CODES:   # 101: 'e'
                found.append(at - 2)
            at = out.find(sign, at + 1)
    found.sort()
    return found


def _no_float_outside_strings(out: bytes) -> bool:
    """The same answer for an output with escapes: strings removed, then looked at."""
    out = out.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = b"".join(out.split(b'"')[::2])
    return b"." not in structure and structure.count(b"e") == (structure.count(b"true")
                                                                + structure.count(b"false"))


def loads_json_exact(data: bytes, where: str):
    """The exact parser: the standard library's, deciding everything itself through its
    hooks (keys, constants and fractions), so there is no heuristic to fool. A fraction or
    a lone surrogate is named with its JSON path. `loads_json` answers the same, faster.
    """
    text = decode_utf8(data, where)
    fractions = []

    def fraction(literal):
        fractions.append(literal)
        return _Fraction(literal)

    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicate_keys(where),
                         parse_constant=_reject_constant(where), parse_float=fraction)
    except json.JSONDecodeError as exc:
        raise JsonError(where, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                                    f"{exc.msg}") from None
    except ValueError as exc:   # an integer longer than Python converts
        raise JsonError(where, "$", f"invalid JSON: {exc}") from None
    except RecursionError:
        raise JsonError(where, "$", "JSON nested too deeply") from None
    if fractions or (_SURROGATE_ESCAPE.search(data) and not _all_strings_encode(obj)):
        _check_values(obj, where)
    return obj


def _all_strings_encode(obj) -> bool:
    """Whether every string of `obj`, keys included, is valid Unicode: a fast answer.

    orjson refuses to serialise a string holding a lone surrogate, and serialises every
    key and value; when it refuses for any reason (one nested too deeply, an integer too
    large for it) the exact walk decides.
    """
    try:
        orjson.dumps(obj)
    except (orjson.JSONEncodeError, TypeError):
        return False
    return True


def _check_values(obj, where):
    """Raise a JsonError at the first fraction or lone surrogate, in document order."""
    try:
        for path, value, is_key in _walk(obj):
            if isinstance(value, _Fraction):
                raise JsonError(where, path, f"{value.literal} is not an integer: no number in "
                                             f"these files has a fraction or an exponent")
            found = _SURROGATE.search(value) if isinstance(value, str) else None
            if found:
                what = f"key {value!r}" if is_key else repr(value)
                raise JsonError(where, path, f"{what} is not valid Unicode: lone surrogate "
                                             f"U+{ord(found.group()):04X} at character {found.start()}")
    except RecursionError:
        raise JsonError(where, "$", "JSON nested too deeply") from None


def _walk(obj, path="$"):
    """(JSON path, value, is a key) of every key and leaf value of `obj`, in document order.

    A key's path is its object's: the key itself may be what cannot be shown.
    """
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield path, key, True
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _walk(value, f"{path}[{i}]")
    else:
        yield path, obj, False


def lone_surrogate_path(obj):
    """The JSON path of the first string (key or value) of `obj` holding a lone surrogate, or None.

    Such a string cannot be written as UTF-8: a value about to be written is checked first.
    """
    for path, value, _ in _walk(obj):
        if isinstance(value, str) and _SURROGATE.search(value):
            return path
    return None
