"""Several files and folders replaced together: all the new ones, or all the old ones.

A multi-file output (the Parquet configs, croissant.json and the README card) must never
be seen half old and half new: the checksums in croissant.json describe the Parquet files.
Everything new is prepared first, beside its target (folders staged by the caller, files
written to temporary files); only then are the renames done. When a rename fails, the ones
already done are undone, in reverse, so the old set is whole again.

A process killed during the renames cannot undo them: what it leaves is what `leftovers`
describes (a folder moved aside as `.old-<name>`, temporary `.<name>.*.tmp` files), and
the next run cleans it up (`restore_moved_aside`, `remove_temp_files`) before it starts.
"""

import os
import shutil
from pathlib import Path

from newsspans.store.writing import check_inside, fsync_dir, write_temp

OLD_PREFIX = ".old-"


class Swap:
    """New files and folders, prepared beside their targets, renamed in by `commit`.

    With `root`, every target must resolve inside `root` (see writing.check_inside).
    """

    def __init__(self, root=None):
        self.root = root
        self._folders = []   # (target, staged)
        self._files = []     # (target, new temporary file, backup temporary file or None)

    def add_folder(self, target: Path, staged: Path) -> None:
        """`staged` (already written) replaces the folder `target` at commit."""
        self._check(target)
        self._folders.append((Path(target), Path(staged)))

    def add_file(self, target: Path, data: bytes, mode: int = None) -> None:
        """Write `data` beside `target` now; it replaces `target` at commit.

        The current file's bytes are copied beside it too, so a failed commit can put them
        back without `target` ever being missing.
        """
        target = Path(target)
        self._check(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        backup = None
        if target.is_file():
            backup = write_temp(target, target.read_bytes(), _mode_of(target))
        try:
            new = write_temp(target, data, mode)
        except BaseException:
            if backup is not None:
                _remove(backup)
            raise
        self._files.append((target, new, backup))

    def commit(self) -> None:
        """Rename everything in; on any failure undo what was done and re-raise."""
        done = []
        try:
            for target, staged in self._folders:
                done.append(("folder", target, staged, _swap_folder(target, staged)))
            for target, new, backup in self._files:
                os.replace(new, target)
                done.append(("file", target, new, backup))
        except BaseException:
            _undo(done)
            self.discard()
            raise
        self._finish(done)

    def discard(self) -> None:
        """Remove every temporary file prepared; the targets stay as they are."""
        for _, new, backup in self._files:
            for tmp in (new, backup):
                if tmp is not None:
                    _remove(tmp)

    def _check(self, target) -> None:
        if self.root is not None:
            check_inside(self.root, target)

    def _finish(self, done) -> None:
        for kind, target, _, old in done:
            if old is not None:
                _remove(old)
        for folder in {target.parent for _, target, _, _ in done}:
            fsync_dir(folder)


def _mode_of(path: Path) -> int:
    return os.stat(path).st_mode & 0o7777


def _swap_folder(target: Path, staged: Path):
    """Move `target` aside as .old-<name> (when it exists) and `staged` in; returns the old."""
    old = target.parent / f"{OLD_PREFIX}{target.name}"
    if old.exists():
        shutil.rmtree(old)
    moved = None
    if target.exists():
        os.replace(target, old)
        moved = old
    try:
        os.replace(staged, target)
    except BaseException:
        if moved is not None:
            os.replace(moved, target)
        raise
    return moved


def _undo(done) -> None:
    """Put the old files and folders back, last rename first (best effort, never raises)."""
    for kind, target, new, old in reversed(done):
        try:
            if kind == "folder":
                os.replace(target, new)   # the new folder back to its staging place
                if old is not None:
                    os.replace(old, target)
            elif old is not None:
                os.replace(old, target)
            else:
                os.unlink(target)
        except OSError:
            pass


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def restore_moved_aside(folder: Path, names) -> None:
    """A run killed between a folder's two renames left it only as .old-<name>: put it back.

    Then every other .old-<name> of `folder` is a previous set already replaced: removed.
    """
    for name in names:
        current, old = folder / name, folder / f"{OLD_PREFIX}{name}"
        if old.is_dir() and not current.exists():
            os.replace(old, current)
    for entry in folder.iterdir():
        if entry.name.startswith(OLD_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def remove_temp_files(folder: Path, names) -> None:
    """The temporary files (new bytes or backups) a killed run left beside `names`."""
    for name in names:
        for stale in Path(folder).glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)
