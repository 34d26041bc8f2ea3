"""validate and export report their progress through the `progress` argument (the CLI passes
cli.progress.bar, quiet when not on a terminal): one step per document, with the total."""

import io
import shutil

from newsspans.cli.progress import bar
from newsspans.export.build import export_corpus
from newsspans.validation.validate import validate_corpus

from conftest import REPO


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _recorder(seen):
    def progress(iterable, total=None):
        seen.append(total)
        for item in iterable:
            seen.append("step")
            yield item
    return progress


def test_validate_advances_once_per_checked_document(mini):
    seen = []
    assert validate_corpus(mini, progress=_recorder(seen)) == []
    docs = len(list((mini / "corpus").iterdir()))
    assert seen == [docs] + ["step"] * docs


def test_export_advances_once_per_document(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".venv", ".git", "bench", "tests", "docs",
                                                              ".newsspans-cache"))
    seen = []
    export_corpus(root, check=True, progress=_recorder(seen))
    docs = len(list((root / "corpus").iterdir()))
    assert seen == [docs] + ["step"] * docs


def test_a_terminal_sees_the_documents_validated(mini):
    stream = Terminal()
    validate_corpus(mini, progress=bar("validating", stream=stream))
    assert "validating" in stream.getvalue() and "0/2" in stream.getvalue()


def test_the_commands_are_quiet_when_not_on_a_terminal(cli, mini):
    result = cli("validate", "--root", mini)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "valid\n")   # no bar
