"""Writing atomically: readers see the old file or the new one, never half.

File modes: a file newsspans writes gets the mode a plain `open(path, "w")` would give it,
0o666 less the process umask (0644 under umask 022), whether it is new or replaces an
older file: a file left 0600 by an older version is repaired by its next write, and a
checkout's files all look alike. Only a caller that writes a secret passes `mode=0o600`.

Confinement: a caller writing into the repository (or into an output folder) passes that
folder as `root`; a path whose folder resolves outside it, through a symbolic link, is
refused before anything is created.
"""

import json
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from newsspans.errors import CorpusError

_UMASK_LOCK = threading.Lock()


def dumps_json(obj) -> bytes:
    """The one serialisation of every JSON file newsspans writes."""
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@lru_cache(maxsize=None)
def default_mode() -> int:
    """0o666 less the umask, read once: the mode `open()` would give a new file.

    Linux shows the umask in /proc/self/status, which reads it without changing it; else it
    is read by setting and restoring it under a lock (os.umask has no read-only form).
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        umask = os.umask(0o077)
        os.umask(umask)
    return 0o666 & ~umask


def check_inside(root, path) -> None:
    """CorpusError unless `path`'s folder, links resolved, is `root` or inside it.

    The folder need not exist yet: its nearest existing ancestor is what is resolved, so a
    folder about to be created under a link out of `root` is refused too.
    """
    real_root = os.path.realpath(root)
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    if folder != real_root and not folder.startswith(os.path.join(real_root, "")):
        raise CorpusError(f"{path}: its folder resolves to {folder}, outside {root} "
                          f"(a symbolic link out of it?); nothing written")


def write_temp(path: Path, data: bytes, mode: int = None) -> Path:
    """Write `data` to a new temporary file beside `path`, flushed to disk; returns its path.

    Named `.<name>.<random>.tmp`, so a run killed before the rename leaves a file the next
    run recognises and removes. CorpusError (naming `path`) when it cannot be written.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, default_mode() if mode is None else mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        _unlink_quietly(tmp)
        if isinstance(exc, OSError):
            raise CorpusError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        raise
    return Path(tmp)


def atomic_write(path: Path, data: bytes, *, mode: int = None, root=None) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the file
    is renamed over `path`. `mode` defaults to `default_mode()`; pass 0o600 for a secret.
    With `root`, a `path` whose folder resolves outside `root` is refused (CorpusError).
    """
    path = Path(path)
    if root is not None:
        check_inside(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException as exc:
        _unlink_quietly(tmp)
        if isinstance(exc, OSError):
            raise CorpusError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        raise
    fsync_dir(path.parent)


def _unlink_quietly(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (best effort: not every file system allows it)."""
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
