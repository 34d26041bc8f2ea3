"""Every file of the repository is read through one reader, whichever command reads it.

A FIFO, a link out of the repository or invalid UTF-8 in README.md, DATASHEET.md,
CHANGELOG.md, croissant.json, releases/releases.json or annotations/GUIDELINES.md is a
located error with exit 1: never a hang, never a traceback, nothing written.
"""

import os
import shutil
import subprocess
import sys

import pytest

from newsspans.doccano.project import guideline
from newsspans.errors import CorpusError

from conftest import REPO, snapshot

# (file, command that reads it); each command runs in a fresh process with a time limit,
# so a read that blocks fails the test instead of hanging the suite.
READERS = [
    ("README.md", ["stats", "--check"]),
    ("DATASHEET.md", ["stats", "--check"]),
    ("README.md", ["check-load"]),
    ("README.md", ["export", "--check"]),
    ("croissant.json", ["export", "--check"]),
    ("releases/releases.json", ["export", "--check"]),
    # major: enough whatever changed since the last release, so the release reaches CHANGELOG.md
    ("CHANGELOG.md", ["release", "--bump", "major"]),
]


@pytest.fixture
def checkout(tmp_path):
    """A copy of the repository's data (no .git, no virtual environment)."""
    dest = tmp_path / "repo"
    dest.mkdir()
    for name in ("corpus", "annotations", "exports", "releases", "schema", "docs"):
        shutil.copytree(REPO / name, dest / name)
    for name in ("README.md", "DATASHEET.md", "CHANGELOG.md", "croissant.json", "dataset.yaml"):
        shutil.copy2(REPO / name, dest / name)
    return dest


def _newsspans(*args, cwd):
    return subprocess.run([sys.executable, "-m", "newsspans", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def _fifo(path):
    path.unlink()
    os.mkfifo(path)


def _link_out(path, tmp_path):
    outside = tmp_path / f"outside-{path.name}"
    shutil.copy2(path, outside)
    path.unlink()
    path.symlink_to(outside)


def _bad_utf8(path, tmp_path):
    path.write_bytes(path.read_bytes() + b"\n\xff\xfe\n")


@pytest.mark.parametrize("make", [_fifo, _link_out, _bad_utf8], ids=["fifo", "symlink-out", "invalid-utf8"])
@pytest.mark.parametrize("name, command", READERS, ids=[f"{n}-{c[0]}" for n, c in READERS])
def test_a_hostile_repository_file_is_a_located_error(checkout, tmp_path, make, name, command):
    if make is _fifo:
        _fifo(checkout / name)
    else:
        make(checkout / name, tmp_path)
    before = snapshot(checkout) if make is not _fifo else None
    result = _newsspans(*command, "--root", checkout, cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert name in result.stdout + result.stderr, (result.stdout, result.stderr)   # --check lists it as stale
    if before is not None:
        assert snapshot(checkout) == before


def test_the_guidelines_are_read_through_the_reader(tmp_path):
    (tmp_path / "annotations").mkdir()
    os.mkfifo(tmp_path / "annotations" / "GUIDELINES.md")
    with pytest.raises(CorpusError, match=r"annotations/GUIDELINES.md: is not a regular file but a named pipe"):
        guideline(tmp_path)
    (tmp_path / "annotations" / "GUIDELINES.md").unlink()
    assert guideline(tmp_path).startswith("# newsspans annotation guidelines")


@pytest.mark.parametrize("kind", ["fifo", "file", "symlink-inside", "symlink-outside"])
def test_an_annotators_entry_that_is_no_folder_is_one_problem(mini, tmp_path, cli, kind):
    folder = mini / "annotations" / "mini-tromso-schools" / "annotators"
    shutil.rmtree(folder)
    if kind == "fifo":
        os.mkfifo(folder)
    elif kind == "file":
        folder.write_text("{}", encoding="utf-8")
    else:
        target = mini / "annotations" if kind == "symlink-inside" else tmp_path
        folder.symlink_to(target, target_is_directory=True)
    result = cli("validate", "--root", mini)
    assert result.exit_code == 1
    assert result.stdout == ("annotations/mini-tromso-schools/annotators (mini-tromso-schools) $: is not a "
                             "folder: annotators' files belong in a real folder annotators/\n")


def test_resolves_inside_follows_links_before_dot_dot(tmp_path):
    from newsspans.store.reading import resolves_inside
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere" / "a" / "b"
    (root / "annotations").mkdir(parents=True)
    elsewhere.mkdir(parents=True)
    (root / "annotations" / "doc").symlink_to(elsewhere)
    (root / "annotations" / "inner").symlink_to(root / "annotations")
    assert resolves_inside(root / "annotations" / "ok.json", root)
    assert resolves_inside(root / "annotations" / "not-yet" / "new.json", root)
    assert resolves_inside(root / "annotations" / "inner" / "ok.json", root)   # a link that stays inside
    assert resolves_inside(root / "annotations" / ".." / "annotations" / "ok.json", root)
    assert not resolves_inside(root / "annotations" / "doc" / "gold.json", root)
    # Lexically this is root/annotations/gold.json; the system follows `doc` first, then "..".
    assert not resolves_inside(root / "annotations" / "doc" / ".." / "gold.json", root)
    assert not resolves_inside(tmp_path / "elsewhere", root)
