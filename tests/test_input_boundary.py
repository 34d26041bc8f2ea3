"""One input boundary: every file through store.reading.read_file, every JSON file through
loads_json, every command-line value through cli.options. Each hostile input is refused
with exit 1, its file or option named, no traceback, and nothing written (snapshots of the
tree, and of the outside folder a link points to). Duplicate keys, fractions and surrogate
pairs in JSON: tests/test_fastpath.py.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, SEED_ID, snapshot

from newsspans.cli import main
from newsspans.curation import ingest as ingest_module
from newsspans.errors import CorpusError, IngestError, RehydrateError
from newsspans.export.rehydrate import _Texts
from newsspans.model.normalize import first_control_character, normalize
from newsspans.store import reading
from newsspans.store.layout import Layout
from newsspans.store.reading import MAX_FILE_BYTES, loads_json, read_file

DOC = "mini-tromso-schools"
CLI = Path(sys.executable).parent / "newsspans"   # the installed command of this environment


@contextmanager
def _deadline(seconds=20):
    """Fail instead of hanging: a FIFO opened for reading blocks until a writer comes."""
    def expired(*_):
        raise TimeoutError(f"no answer in {seconds} s: the reader blocked")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _invoke(*args):
    with _deadline():
        result = CliRunner().invoke(main, [str(a) if isinstance(a, Path) else a for a in args])
    return result, result.stdout + result.stderr


def _refused(result, output, *names):
    assert result.exit_code == 1 and "Traceback" not in output and "Error: " in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert all(name in output for name in names), (names, output)


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("A headline\n\nPutin met Kim in Pyongyang on Wednesday.\n", encoding="utf-8")
    return path


@pytest.fixture
def outside(tmp_path):
    """A folder outside the repository, with a file in it."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.json").write_text('{"secret": 1}\n', encoding="utf-8")
    return folder


# The reader -------------------------------------------------------------------------------

def _special_files(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    return {"a named pipe (FIFO)": fifo, "a character device": Path("/dev/zero"), "a folder": folder}


def test_the_reader_refuses_what_is_not_a_regular_file_without_opening_it(tmp_path):
    for kind, path in _special_files(tmp_path).items():
        with _deadline(), pytest.raises(CorpusError) as info:
            read_file(path)
        assert str(info.value) == f"{path}: is not a regular file but {kind}"
    short = tempfile.mkdtemp(prefix="nsp-")   # a socket path must be short
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(os.path.join(short, "s"))
            with pytest.raises(CorpusError, match="is not a regular file but a socket"):
                read_file(os.path.join(short, "s"))
    finally:
        shutil.rmtree(short)


def test_a_link_to_a_device_is_refused_too(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(CorpusError, match="zero.txt: is not a regular file but a character device"):
        read_file(link)


def test_the_size_limit_is_checked_before_reading_and_while_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 101)
    assert read_file(path, limit=101) == b"x" * 101
    with pytest.raises(CorpusError, match=r"big.txt: 101 bytes is over the limit of 100 bytes"):
        read_file(path, limit=100)
    # A file that grows after its size was checked: at most limit+1 bytes are read.
    monkeypatch.setattr(reading, "_check_regular", lambda info, name, limit: None)
    with pytest.raises(CorpusError, match="grew over the limit of 100 bytes"):
        read_file(path, limit=100)


def test_a_file_longer_than_its_size_said_is_read_whole(tmp_path, monkeypatch):
    # The read stops without asking for the end only when it got the whole size fstat gave
    # and less than it asked for; a file grown after its fstat is read to its end.
    path = tmp_path / "grown.txt"
    path.write_bytes(b"y" * 50)
    real_fstat = os.fstat

    def smaller(fd):
        found = real_fstat(fd)
        return os.stat_result((found.st_mode, *found[1:6], 10, *found[7:]))
    monkeypatch.setattr(reading.os, "fstat", smaller)
    assert read_file(path) == b"y" * 50


def test_one_limit_for_every_reader(mini, article, monkeypatch):
    assert MAX_FILE_BYTES == 64 * 1024 * 1024 and reading.MAX_FILE_BYTES is MAX_FILE_BYTES
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 40)
    result, output = _invoke("validate", "--root", mini)
    assert result.exit_code == 1 and "bytes is over the limit of 40 bytes" in output, output
    before = snapshot(mini)
    result, output = _invoke("ingest", article, "--id", "new-doc", "--root", mini)
    _refused(result, output, f"{article}: {article.stat().st_size} bytes is over the limit of 40 bytes")
    assert snapshot(mini) == before


def test_a_repository_file_may_not_lead_out_of_the_repository(mini, outside):
    corpus = Layout(mini)
    folder = mini / "annotations" / DOC
    shutil.rmtree(folder)
    folder.symlink_to(outside)
    with pytest.raises(CorpusError) as info:
        corpus.read_json(folder / "secret.json")
    assert str(info.value).startswith(f"annotations/{DOC}/secret.json: resolves to ")
    assert "outside the repository" in str(info.value)
    (mini / "corpus" / DOC / "v1.txt").unlink()
    (mini / "corpus" / DOC / "v1.txt").symlink_to(outside / "secret.json")
    with pytest.raises(CorpusError, match="is a symbolic link; corpus files must be regular files"):
        corpus.read_bytes(mini / "corpus" / DOC / "v1.txt")


def test_validate_reports_a_gold_file_behind_a_link_out_of_the_repository(mini, outside):
    shutil.copy(mini / "annotations" / DOC / "gold.json", outside / "gold.json")
    shutil.rmtree(mini / "annotations" / DOC)
    (mini / "annotations" / DOC).symlink_to(outside)
    result, output = _invoke("validate", "--root", mini)
    assert result.exit_code == 1, output
    assert f"annotations/{DOC}/gold.json ({DOC}) $: resolves to " in output, output


def test_validate_does_not_hang_on_a_fifo_in_the_corpus(mini):
    gold = mini / "annotations" / DOC / "gold.json"
    gold.unlink()
    os.mkfifo(gold)
    result, output = _invoke("validate", "--root", mini)
    assert result.exit_code == 1
    assert f"annotations/{DOC}/gold.json ({DOC}) $: is not a regular file but a named pipe (FIFO)" in output


# JSON -------------------------------------------------------------------------------------

def _edit_json(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=True, indent=2), encoding="utf-8")


@pytest.mark.parametrize("file, change, where", [
    ("annotations/entities.json", lambda d: d["entities"][3].update(name="Kim \ud800"),
     "annotations/entities.json $.entities[3].name: 'Kim \\ud800' is not valid Unicode: lone surrogate U+D800 at character 4"),
    (f"corpus/{DOC}/document.json", lambda d: d.update(title={"text": "\udfff", "assigned_by": "curator"}),
     f"corpus/{DOC}/document.json $.title.text: '\\udfff' is not valid Unicode"),
    (f"annotations/{DOC}/gold.json", lambda d: d["provenance"].update(note="x\udc80"),
     f"annotations/{DOC}/gold.json ({DOC}) $.provenance.note: 'x\\udc80' is not valid Unicode"),
    (f"annotations/{DOC}/gold.json", lambda d: d["provenance"].update({"\ud801": 1}),
     f"annotations/{DOC}/gold.json ({DOC}) $.provenance: key '\\ud801' is not valid Unicode"),
    (f"annotations/{DOC}/gold.json", lambda d: d.update(orphans=[{"annotation": {"text": "\ud83d"}}]),
     f"annotations/{DOC}/gold.json ({DOC}) $.orphans[0].annotation.text: '\\ud83d' is not valid Unicode"),
])
def test_a_lone_surrogate_anywhere_in_any_json_file_is_refused_with_its_path(mini, file, change, where):
    _edit_json(mini / file, change)
    before = snapshot(mini)
    result, output = _invoke("validate", "--root", mini)
    assert result.exit_code == 1 and where in output, output
    assert snapshot(mini) == before


def test_json_read_equals_the_plain_parser_on_the_repository_files():
    for path in sorted(REPO.glob("annotations/**/*.json")) + sorted(REPO.glob("corpus/*/document.json")):
        if path.name == "agreement.json":
            continue   # a generated report with fractions, not read by the strict parser
        data = path.read_bytes()
        assert loads_json(data, path.name) == json.loads(data)


# Control characters -------------------------------------------------------------------------

def test_first_control_character():
    assert first_control_character("a\nb\n\nc\n") is None
    assert [first_control_character(t) for t in ("a\tb", "ab\x00", "\x7f", "ab\x9f", "a\x1fb")] == [1, 2, 0, 2, 1]
    assert first_control_character("é — ’ \u00a0 \u2028") is None   # not Cc


def test_the_normaliser_leaves_no_control_character_but_inner_ones_in_a_line():
    seed = (REPO / "corpus" / SEED_ID / "raw.txt").read_bytes().decode("utf-8")
    assert first_control_character(normalize(seed)) is None
    assert first_control_character(normalize("\tA\r\nB\x0cC\x0b\x85\n")) is None
    assert first_control_character(normalize("A\tB\n")) == 1


def test_the_committed_texts_have_no_control_character():
    for path in sorted(REPO.glob("corpus/*/v*.txt")) + sorted(REPO.glob("tests/fixtures/mini/corpus/*/v*.txt")):
        assert first_control_character(path.read_text(encoding="utf-8")) is None, path


def test_validate_names_a_control_character_in_a_version_text(mini):
    path = mini / "corpus" / DOC / "v1.txt"
    text = path.read_text(encoding="utf-8")
    offset = text.index(" ")
    path.write_text(text[:offset] + "\t" + text[offset + 1:], encoding="utf-8")
    result, output = _invoke("validate", "--root", mini)
    assert result.exit_code == 1
    assert f"corpus/{DOC}/v1.txt ({DOC}@1) $: canonical text has a tab at offset {offset}\n" in output, output


@pytest.mark.parametrize("char, name", [("\t", "a tab"), ("\x00", "a NUL"), ("\x1b", "control character U+001B")])
def test_ingest_and_revise_refuse_a_source_with_a_control_character(mini, tmp_path, char, name):
    source = tmp_path / "source.txt"
    source.write_text(f"A headline\n\nPutin met{char}Kim.\n", encoding="utf-8")
    before = snapshot(mini)
    result, output = _invoke("ingest", source, "--id", "new-doc", "--root", mini)
    _refused(result, output, f"{source}: its canonical text has {name} at offset 21")
    result, output = _invoke("revise", DOC, "--text", source, "--note", "fix", "--root", mini)
    _refused(result, output, f"{source}: its canonical text has {name} at offset 21")
    assert snapshot(mini) == before


# Command-line values -------------------------------------------------------------------------

def _commands(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))
        else:
            yield " ".join(prefix + (name,)), command


def test_every_command_checks_its_values():
    missing = [name for name, command in _commands(main)
               if not getattr(command.callback, "refuses_undecodable", False)]
    assert missing == []


@pytest.mark.parametrize("args, label", [
    (["--title", "T\udcffx"], "--title: b'T\\xffx' is not valid UTF-8 (byte 0xFF at byte 1)"),
    (["--publisher", "\ud800"], "--publisher: '\\ud800' is not valid Unicode (lone surrogate U+D800 at character 0)"),
    (["--note", "ok\udce9"], "--note: b'ok\\xe9' is not valid UTF-8"),
])
def test_ingest_refuses_options_that_are_not_utf8(mini, article, args, label):
    before = snapshot(mini)
    result, output = _invoke("ingest", article, "--id", "new-doc", *args, "--root", mini)
    _refused(result, output, label, "nothing was written")
    assert snapshot(mini) == before


def test_a_file_name_or_root_that_is_not_utf8_is_refused(mini, tmp_path, article):
    odd = tmp_path / "b\udcff.txt"
    shutil.copy(article, odd)
    before = snapshot(mini)
    result, output = _invoke("ingest", odd, "--id", "new-doc", "--root", mini)
    _refused(result, output, "RAW_FILE: ", "is not valid UTF-8 (byte 0xFF")
    result, output = _invoke("revise", DOC, "--text", odd, "--note", "fix", "--root", mini)
    _refused(result, output, "--text: ")
    result, output = _invoke("revise", DOC, "--text", article, "--note", "fix \udcff", "--root", mini)
    _refused(result, output, "--note: ")
    result, output = _invoke("validate", "--root", tmp_path / "r\udcff")
    _refused(result, output, "--root: ")
    assert snapshot(mini) == before


def test_the_installed_command_refuses_invalid_bytes_in_a_title_and_a_file_name(mini, tmp_path, article):
    odd = os.path.join(os.fsencode(tmp_path), b"b\xff.txt")
    shutil.copy(article, odd)
    before = snapshot(mini)
    runs = [[b"ingest", os.fsencode(article), b"--id", b"new-doc", b"--title", b"T\xff", b"--root", os.fsencode(mini)],
            [b"ingest", odd, b"--id", b"new-doc", b"--root", os.fsencode(mini)]]
    for args, label in zip(runs, (b"--title", b"RAW_FILE")):
        done = subprocess.run([os.fsencode(CLI), *args], capture_output=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith(b"Error: " + label + b": "), done.stderr
        assert b"not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr, done.stderr
    assert snapshot(mini) == before


# Ingest writes all or nothing ----------------------------------------------------------------

def test_ingest_refuses_special_files_without_hanging_and_writes_nothing(mini, tmp_path):
    before = snapshot(mini)
    for kind, path in _special_files(tmp_path).items():
        if kind == "a folder":
            continue   # click refuses a folder argument itself (exit 2)
        result, output = _invoke("ingest", path, "--id", "new-doc", "--root", mini)
        _refused(result, output, f"{path}: is not a regular file but {kind}")
    assert snapshot(mini) == before


def test_the_installed_command_does_not_hang_on_a_fifo(mini, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    before = snapshot(mini)
    done = subprocess.run([CLI, "ingest", fifo, "--id", "new-doc", "--root", mini],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (1, f"Error: {fifo}: is not a regular file but a named pipe (FIFO)\n")
    assert snapshot(mini) == before


@pytest.mark.parametrize("linked", ["annotations/new-doc", "annotations", "corpus"])
def test_ingest_refuses_a_folder_linked_out_of_the_repository(mini, article, outside, linked):
    target = mini / linked
    if target.exists():
        shutil.copytree(target, outside / "copy")
        shutil.rmtree(target)
        target.symlink_to(outside / "copy")
    else:
        target.symlink_to(outside)
    before, before_outside = snapshot(mini), snapshot(outside)
    result, output = _invoke("ingest", article, "--id", "new-doc", "--root", mini)
    _refused(result, output, "outside the repository", "nothing was written")
    assert (snapshot(mini), snapshot(outside)) == (before, before_outside)


def test_ingest_refuses_a_title_that_is_not_unicode_from_the_library(mini, article):
    before = snapshot(mini)
    with pytest.raises(IngestError, match=r"new-doc: metadata \$\.title\.text is not valid Unicode"):
        ingest_module.ingest(mini, article, "new-doc", title="\udcff")
    odd = article.parent / "a\udcff.txt"
    shutil.copy(article, odd)
    with pytest.raises(IngestError, match=r"metadata \$\.source\.received_as is not valid Unicode"):
        ingest_module.ingest(mini, odd, "new-doc")
    assert snapshot(mini) == before


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_a_write_failing_midway_leaves_nothing_and_ingest_can_run_again(mini, article, monkeypatch, fail_at):
    before = snapshot(mini)
    real = ingest_module.atomic_write
    calls = []

    def flaky(path, data, **options):
        calls.append(path)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device", str(path))
        real(path, data, **options)

    monkeypatch.setattr(ingest_module, "atomic_write", flaky)
    result, output = _invoke("ingest", article, "--id", "new-doc", "--root", mini)
    _refused(result, output, "No space left on device", "the ingest can be run again")
    assert snapshot(mini) == before
    assert not (mini / "corpus" / "new-doc").exists() and not (mini / "annotations" / "new-doc").exists()
    monkeypatch.setattr(ingest_module, "atomic_write", real)
    result, output = _invoke("ingest", article, "--id", "new-doc", "--root", mini)
    assert result.exit_code == 0, output
    assert _invoke("validate", "--root", mini)[0].exit_code == 0


# Revise and rehydrate read through the same door ------------------------------------------------

def test_revise_refuses_special_and_huge_texts_and_writes_nothing(mini, tmp_path, monkeypatch):
    before = snapshot(mini)
    for kind, path in _special_files(tmp_path).items():
        if kind == "a folder":
            continue
        result, output = _invoke("revise", DOC, "--text", path, "--note", "fix", "--root", mini)
        _refused(result, output, f"{path}: is not a regular file but {kind}")
    largest = max(size for size in (p.stat().st_size for p in mini.rglob("*") if p.is_file()))
    big = tmp_path / "big.txt"
    big.write_text("Word " * (largest // 5 + 1), encoding="utf-8")
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", largest)   # the corpus itself still fits
    result, output = _invoke("revise", DOC, "--text", big, "--note", "fix", "--root", mini)
    _refused(result, output, f"{big}: {big.stat().st_size} bytes is over the limit of {largest} bytes")
    assert snapshot(mini) == before


def test_rehydrate_refuses_a_special_or_huge_text(tmp_path, monkeypatch):
    texts = tmp_path / "texts"
    texts.mkdir()
    os.mkfifo(texts / "a.txt")
    with _deadline(), pytest.raises(RehydrateError, match=r"a.txt: is not a regular file but a named pipe"):
        _Texts(texts, {})
    (texts / "a.txt").unlink()
    (texts / "a.txt").write_text("x" * 300, encoding="utf-8")
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 200)
    with pytest.raises(RehydrateError, match=r"a.txt: 300 bytes is over the limit of 200 bytes"):
        _Texts(texts, {})
