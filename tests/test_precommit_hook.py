"""The pre-commit hook other repositories use: it parses and runs an entry point we ship."""

import shlex

import pytest
import yaml

from newsspans.cli import main

from conftest import REPO

tomllib = pytest.importorskip("tomllib")


def test_the_hook_names_a_shipped_command_that_validates(cli, mini):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = {h["id"]: h for h in hooks}["newsspans-validate"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    program, *words = shlex.split(hook["entry"])
    assert scripts[program] == "newsspans.cli:main"
    assert words[0] in main.commands
    # What pre-commit runs, from the corpus repository's root.
    args = [*words, *hook["args"]]
    assert args[-2:] == ["--root", "."]
    assert cli(*args[:-1], mini).exit_code == 0
