"""Every command that reads the corpus, run on every golden bad case (tests/bad/<case>).

Each must exit 1, name where the defect is (file and JSON path), and write nothing. The
case is copied into tmp_path first, so a command that writes would be caught by the
snapshot and could not damage the golden tree.

`lint` and `render` validate first, so like `validate` they print every problem.
"""

import re
import shutil
import socket

import pytest

from conftest import REPO, snapshot

import newsspans.doccano.client as doccano_client

BAD = REPO / "tests" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "expected.txt").is_file())
DOC = "tiny-doc"
NEW_TEXT = 'Putin met Kim in Pyongyang on Thursday.\n\n"It is a breakthrough," he said.\n'

# Commands that validate the whole corpus first and print every problem: the first
# expected line's location must be in their output.
FULL_REPORT = {
    "validate": ["validate"],
    "validate-json": ["validate", "--format", "json"],
    "export": ["export"],
    "export-check": ["export", "--check"],
    "stats": ["stats"],
    "stats-json": ["stats", "--format", "json"],
    "lint": ["lint"],
    "render": ["render"],
}
# Commands that stop at the first defect they meet: it must be one of the expected lines.
FIRST_ERROR = {
    "revise": ["revise", DOC, "--text", "{new_text}", "--note", "a correction"],
    "revise-dry-run": ["revise", DOC, "--text", "{new_text}", "--note", "a correction", "--dry-run"],
}

# revise keeps orphans awaiting a person by design (revise.py: "orphans awaiting a person
# excepted"): a second correction may come before the first orphans are resolved.
REVISE_ALLOWS = {"orphan-annotations", "orphans-unresolved"}
# A single-error command may meet the defect from another side: the missing text the gap
# points to, the bad folder by its name.
ALSO_LOCATED = {"version-gap": f"corpus/{DOC}/v2.txt", "folder-not-a-slug": "'Tiny_Doc'"}


def _expected(case):
    """[(file, JSON path)] of the case's expected lines, in order."""
    found = []
    for line in (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"(\S+)(?: \([^)]*\))? (\$\S*): ", line)
        assert match, f"{case}: cannot read the location of {line!r}"
        found.append(match.groups())
    return found


def _names(output, file, path):
    """Whether `output` names `file` and `path` (its first step is enough: `$.quotes[0]`
    for `$.quotes[0].cue.text`, since a single-error message may point at the item)."""
    if file not in output:
        return False
    head = re.match(r"\$(\.[A-Za-z_]+(\[\d+\])?)?", path).group(0)
    return head == "$" or head in output


def _run(cli, tmp_path, case, args):
    root = tmp_path / case
    shutil.copytree(BAD / case, root, symlinks=True)
    new_text = tmp_path / "new.txt"
    new_text.write_text(NEW_TEXT, encoding="utf-8")
    before = snapshot(root)
    result = cli(*[a.format(new_text=new_text) for a in args], "--root", root)
    return result, result.stdout + result.stderr, snapshot(root) == before


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", sorted(FULL_REPORT))
def test_full_report_commands_refuse_with_the_first_location(cli, tmp_path, command, case):
    result, output, unchanged = _run(cli, tmp_path, case, FULL_REPORT[command])
    file, path = _expected(case)[0]
    assert result.exit_code == 1, output
    assert file in output and path in output, output
    assert unchanged, "a command wrote into an invalid corpus"


def _first_error_params():
    for command in sorted(FIRST_ERROR):
        for case in CASES:
            if command.startswith("revise") and case in REVISE_ALLOWS:
                continue
            yield pytest.param(command, case, id=f"{command}-{case}")


@pytest.mark.parametrize("command,case", list(_first_error_params()))
def test_first_error_commands_refuse_with_a_located_message(cli, tmp_path, command, case):
    result, output, unchanged = _run(cli, tmp_path, case, FIRST_ERROR[command])
    assert result.exit_code == 1, output
    assert output.startswith("Error: ") or "\nError: " in output, output
    if case == "folder-not-a-slug" and command.startswith("revise"):
        # The document is in a folder `Tiny_Doc`: `tiny-doc` does not exist, which is the
        # right refusal for this command line.
        assert f"no document {DOC!r} in corpus/ (documents: Tiny_Doc)" in output
    else:
        assert any(_names(output, file, path) for file, path in _expected(case)) \
            or ALSO_LOCATED.get(case, "\0") in output, output
    assert unchanged, "a command wrote into an invalid corpus"


@pytest.mark.parametrize("case", ["registry-duplicate-id", "registry-invalid-json", "duplicate-key"])
def test_revise_names_a_broken_registry_or_file_and_writes_nothing(cli, tmp_path, case):
    result, output, unchanged = _run(cli, tmp_path, case, FIRST_ERROR["revise"])
    file, path = _expected(case)[0]
    assert (result.exit_code, file in output, path in output, unchanged) == (1, True, True, True), output


@pytest.fixture
def unreachable(monkeypatch):
    """A Doccano URL nobody listens on; no backoff, so a refused connection costs nothing."""
    monkeypatch.setattr(doccano_client, "BACKOFF", 0)
    monkeypatch.setenv("DOCCANO_USERNAME", "nobody")
    monkeypatch.setenv("DOCCANO_PASSWORD", "not-a-real-password")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("case", CASES)
def test_doccano_push_names_the_defect_and_never_connects(cli, tmp_path, unreachable, case):
    result, output, unchanged = _run(cli, tmp_path, case, ["doccano", "push", "--preannotate", "gold", "--url", unreachable])
    file, path = _expected(case)[0]
    assert result.exit_code == 1, output
    assert file in output and path in output, output
    assert "cannot reach Doccano" not in output, "push connected before it checked the corpus"
    assert "not-a-real-password" not in output
    assert unchanged
