"""File faults: a process killed (SIGKILL) in the middle of `export`, a full disk.

The kill is injected at the commit points of the export: the child process counts its
calls to os.replace (every rename that makes a file or folder visible) or os.fsync and
sends itself SIGKILL at the Nth one, so every step between two renames is covered
deterministically. Afterwards every file is either the previous export's or the new
one's, `export --check` tells fresh from stale, and a rerun repairs everything.
"""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import REPO, snapshot

from newsspans.export import build as export_module

from newsspans.store import writing as fsutil
from newsspans.cli import main
from newsspans.errors import CorpusError
from newsspans.export.build import export_corpus

GOLD = "annotations/mini-tromso-schools/gold.json"

_KILLER = textwrap.dedent("""
    import os, signal, sys
    name, when = sys.argv[1], int(sys.argv[2])
    real, calls = getattr(os, name), [0]
    if when == 0:
        import atexit
        atexit.register(lambda: print(f"calls={calls[0]}", file=sys.stderr))
    def counted(*args, **kwargs):
        calls[0] += 1
        if calls[0] == when:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(os, name, counted)
    from newsspans.cli import main
    main(sys.argv[3:], prog_name="newsspans")
""")


def _export_killed_at(root, name, when):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run([sys.executable, "-c", _KILLER, name, str(when), "export", "--root", str(root)],
                          capture_output=True, text=True, timeout=300, env=env)


def _outputs(snap):
    return {k: v for k, v in snap.items() if not k.startswith(("annotations/", "corpus/"))}


def _drop_a_claim(root):
    gold = root / GOLD
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["claims"] = data["claims"][1:]
    gold.write_bytes(fsutil.dumps_json(data))


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """(old corpus, {file: digest} of the old export, {file: digest} of the new export)."""
    base = tmp_path_factory.mktemp("faults")
    old = base / "old"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", old)
    export_corpus(old)
    new = base / "new"
    shutil.copytree(old, new)
    _drop_a_claim(new)
    export_corpus(new)
    old_out, new_out = _outputs(snapshot(old)), _outputs(snapshot(new))
    assert old_out != new_out, "the change must alter the exports, or the test proves nothing"
    return old, old_out, new_out


def _kill_points(old, tmp_path):
    """How often a complete export of the changed corpus renames and fsyncs."""
    counts = {}
    for name in ("replace", "fsync"):
        root = tmp_path / f"count-{name}"
        shutil.copytree(old, root)
        _drop_a_claim(root)
        result = _export_killed_at(root, name, 0)
        assert result.returncode == 0, result.stderr
        counts[name] = int(result.stderr.rsplit("calls=", 1)[1])
    return counts


def test_export_killed_at_every_rename_leaves_old_or_new_files(states, tmp_path):
    """Every rename of an export (shards, config folders, croissant.json, README.md) and
    three of its fsyncs: the export is killed just before it, then checked and rerun."""
    old, old_out, new_out = states
    counts = _kill_points(old, tmp_path)
    assert counts["replace"] >= len(new_out) - 2, counts
    points = [("replace", n) for n in range(1, counts["replace"] + 1)]
    points += [("fsync", n) for n in sorted({1, counts["fsync"] // 2, counts["fsync"]})]
    for name, when in points:
        root = tmp_path / f"{name}-{when}"
        shutil.copytree(old, root)
        _drop_a_claim(root)
        result = _export_killed_at(root, name, when)
        assert result.returncode == -signal.SIGKILL, result.stderr
        # A rerun costs a whole export: after the first and last kill and every third.
        rerun = when in (1, counts[name]) or when % 3 == 0
        _check_after_kill(root, old_out, new_out, f"killed before {name} #{when}", rerun)
        shutil.rmtree(root)
    print(f"export killed at {len(points)} points")


def _check_after_kill(root, old_out, new_out, where, rerun):
    after = _outputs(snapshot(root))
    visible = {k: v for k, v in after.items() if not any(p.startswith(".") for p in k.split("/"))}
    for path, digest in visible.items():
        assert digest in (old_out.get(path), new_out.get(path)), f"{where}: {path} is neither old nor new"
    missing = sorted(p for p in old_out if p not in visible)
    for path in missing:
        # Killed between the two renames of a config folder's swap: the previous folder
        # waits beside it, and the next export puts it back before it writes.
        top, config, *rest = path.split("/")
        assert after.get("/".join([top, f".old-{config}", *rest])) == old_out[path], \
            f"{where}: {path} is gone"
    stale = export_corpus(root, check=True)
    differs = sorted(p for p in new_out if visible.get(p) != new_out[p])
    for path in differs:
        assert any(path in item for item in stale), f"{where}: --check does not name {path}: {stale}"
    if not differs:
        assert stale == [], f"{where}: fresh, yet --check says {stale}"
    if missing:
        rerun = True
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(export_module, "_write_configs", _disk_full)
            with pytest.raises(OSError):
                export_corpus(root)
        restored = _outputs(snapshot(root))
        assert all(restored.get(p) == old_out[p] for p in missing), f"{where}: not put back"
    if not rerun:
        return
    export_corpus(root)
    # Also no temporary file of the killed run is left (.croissant.json.*.tmp).
    assert _outputs(snapshot(root)) == new_out, f"{where}: a rerun differs or leaves litter"
    assert export_corpus(root, check=True) == []


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def full_disk(monkeypatch):
    """Every write of a file's bytes fails with ENOSPC, as on a full file system."""
    real_fdopen = os.fdopen

    class _Full:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            self._handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, attr):
            return getattr(self._handle, attr)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self._handle.__exit__(*exc)

    monkeypatch.setattr(fsutil.os, "fdopen", lambda fd, *a, **k: _Full(real_fdopen(fd, *a, **k)))


def test_a_full_disk_is_a_clear_error_and_keeps_the_old_file(tmp_path, full_disk):
    target = tmp_path / "gold.json"
    target.write_bytes(b'{"old": true}\n')
    with pytest.raises(CorpusError, match=r"gold\.json: cannot write: No space left on device"):
        fsutil.atomic_write(target, b'{"new": true}\n' * 1000)
    assert target.read_bytes() == b'{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["gold.json"], "a temporary file was left behind"


def test_a_full_disk_during_adopt_keeps_gold(mini, cli, full_disk):
    doc = "mini-tromso-schools"
    annotator = next((mini / "annotations" / doc / "annotators").glob("*.json"))
    before = snapshot(mini)
    result = cli("adopt", "--from", annotator.stem, "--doc", doc, "--accept-lint", "--yes", "--root", mini)
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "gold.json" in result.stderr
    assert snapshot(mini) == before


def test_a_full_disk_during_export_names_the_file_and_keeps_the_exports(states, tmp_path, monkeypatch):
    old, old_out, _ = states
    root = tmp_path / "c"
    shutil.copytree(old, root)
    _drop_a_claim(root)
    def no_space(self, where, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))
    monkeypatch.setattr(pq.ParquetWriter, "__init__", no_space)
    result = CliRunner().invoke(main, ["export", "--root", str(root)])
    assert result.exit_code == 1, result.exception
    assert result.stderr.startswith("Error: ") and "No space left on device" in result.stderr
    assert _outputs(snapshot(root)) == old_out
