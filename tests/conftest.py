"""Shared fixtures: the repository, a copy of the mini corpus, the CLI, tree snapshots."""

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsspans.cli import main

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
SEED_ID = "afp-20240619-putin-kim-defence-treaty"


@pytest.fixture(autouse=True, scope="session")
def _validation_cache_outside_checkouts(tmp_path_factory):
    """`newsspans validate` caches its results under the root it checks; tests check the
    repository and its golden bad cases, which they must not write into."""
    os.environ["NEWSSPANS_CACHE_DIR"] = str(tmp_path_factory.mktemp("validate-cache"))


@pytest.fixture
def repo() -> Path:
    """The repository checkout itself (read only: never write here in a test)."""
    return REPO


@pytest.fixture
def mini(tmp_path) -> Path:
    """A private, writable copy of tests/fixtures/mini."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


@pytest.fixture
def gaps(tmp_path) -> Path:
    """A private, writable copy of tests/fixtures/gaps: three lint-clean documents across two
    splits, one split without claims and one document without annotations."""
    dest = tmp_path / "gaps"
    shutil.copytree(REPO / "tests" / "fixtures" / "gaps", dest)
    return dest


@pytest.fixture
def cli():
    """cli("validate", "--root", path) -> click Result (stdout and stderr kept apart)."""
    def run(*args, input=None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    return run


def snapshot(root: Path) -> dict:
    """Every file under `root` with its sha256 and mode: compare two to see what was written."""
    return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """(datasets, cache folder) with every hub access turned off: load_dataset reads only
    the local files it is given."""
    import datasets
    cache = tmp_path_factory.mktemp("hf")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_DATASETS_OFFLINE", "1")
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_HOME", str(cache / "home"))
        mp.setattr(datasets.config, "HF_HUB_OFFLINE", True)
        datasets.disable_progress_bars()
        yield datasets, cache / "datasets"
