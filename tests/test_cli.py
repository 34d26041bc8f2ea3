import json

import click
import pytest

from newsspans.cli import main

from conftest import REPO, snapshot


def _commands(group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


def test_main_help_ends_with_an_example(cli):
    result = cli("--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=" ".join)
def test_every_command_has_help_ending_with_an_example(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0
    help_text = click.unstyle(result.stdout)
    description = help_text.split("Options:")[0]
    assert "Example:" in description, f"`newsspans {' '.join(path)} --help` has no example"


@pytest.mark.parametrize("path", [p for p, c in _commands(main) if not isinstance(c, click.Group)],
                         ids=" ".join)
def test_every_command_takes_root(path):
    command = main
    for name in path:
        command = command.commands[name]
    assert "--root" in [opt for p in command.params for opt in getattr(p, "opts", [])]


def test_ingest_keeps_raw_bytes_and_writes_a_valid_document(tmp_path, cli):
    raw = tmp_path / "in.txt"
    raw.write_bytes(b"\xef\xbb\xbf Title\r\n\r\nBody line\r\n wrapped.  \r\n")
    root = tmp_path / "repo"
    result = cli("ingest", raw, "--id", "some-doc", "--root", root, "--publisher", "Example News")
    assert result.exit_code == 0, result.output
    folder = root / "corpus" / "some-doc"
    assert (folder / "raw.txt").read_bytes() == raw.read_bytes()
    assert (folder / "v1.txt").read_text(encoding="utf-8") == "Title\n\nBody line wrapped.\n"
    doc = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    assert doc["title"] is None and doc["source"]["url"] is None
    assert doc["published"] == {"date": None, "method": "unknown"}
    assert cli("validate", "--root", root).exit_code == 0


def test_ingest_refuses_an_escaping_id_and_writes_nothing(tmp_path, cli):
    raw = tmp_path / "in.txt"
    raw.write_text("text\n")
    before = snapshot(tmp_path)
    result = cli("ingest", raw, "--id", "../x", "--root", tmp_path / "repo")
    assert result.exit_code == 1
    assert result.stderr == "Error: document id '../x' is not a slug matching ^[a-z0-9][a-z0-9-]{2,80}$\n"
    assert snapshot(tmp_path) == before and not (tmp_path / "repo").exists()


def test_ingest_refuses_to_overwrite_a_document(mini, cli):
    raw = mini / "corpus" / "mini-brittany-storm" / "raw.txt"
    before = snapshot(mini)
    result = cli("ingest", raw, "--id", "mini-brittany-storm", "--root", mini)
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert snapshot(mini) == before


def test_ingest_refuses_invalid_utf8(tmp_path, cli):
    raw = tmp_path / "in.txt"
    raw.write_bytes(b"caf\xe9\n")
    result = cli("ingest", raw, "--id", "bad-bytes", "--root", tmp_path / "repo")
    assert result.exit_code == 1
    assert result.stderr.endswith("in.txt: invalid UTF-8 at byte 3: b'\\xe9\\n'\n")


def test_seed_metadata_is_honest():
    doc = json.loads((REPO / "corpus" / "afp-20240619-putin-kim-defence-treaty" / "document.json")
                     .read_text(encoding="utf-8"))
    assert doc["source"]["publisher"] == "AFP" and doc["source"]["url"] is None
    assert doc["published"]["date"] == "2024-06-19" and doc["published"]["method"] == "inferred"
    assert "Wednesday" in doc["published"]["evidence"]
    assert doc["title"] is None or doc["title"]["assigned_by"] == "curator"
    assert "Agence France-Presse" in doc["rights"]["holder"]
