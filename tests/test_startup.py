"""Start-up: what `import newsspans` and `newsspans validate` import before there is a file to check."""

import subprocess
import sys

# Each is needed on some paths only: a document to check (the schema validators), a
# dataset.yaml (yaml), enough documents for worker processes, the cache, a terminal.
HEAVY = {"jsonschema_rs", "jsonschema", "yaml", "concurrent.futures.process",
         "newsspans.validation.cache", "tqdm"}


def _modules_after(code) -> set:
    code += "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_newsspans_imports_only_the_errors():
    loaded = _modules_after("import newsspans")
    assert {m for m in loaded if m.startswith("newsspans")} == {"newsspans", "newsspans.errors"}


def test_the_public_names_are_there_when_asked_for():
    loaded = _modules_after(
        "import newsspans\n"
        "from newsspans import *\n"
        "assert all(name in globals() for name in newsspans.__all__)\n"
        "assert set(newsspans.__all__) <= set(dir(newsspans))\n"
        "assert newsspans.Corpus.__module__ == 'newsspans.model.corpus'\n"
        "assert newsspans.Problem.__module__ == 'newsspans.validation.problems'\n")
    assert {"newsspans.model.corpus", "newsspans.validation.problems"} <= loaded


def test_validate_of_an_empty_corpus_imports_nothing_heavy(tmp_path):
    (tmp_path / "corpus").mkdir()
    loaded = _modules_after(
        "from newsspans.cli import main\n"
        "try:\n"
        f"    main(['validate', '--root', {str(tmp_path)!r}, '--no-cache'], prog_name='newsspans')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n")
    assert "newsspans.validation.validate" in loaded   # it did run
    assert loaded & HEAVY == set()
