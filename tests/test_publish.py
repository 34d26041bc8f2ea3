"""`newsspans publish`: the plan it builds, and clear failures without a token or a network.

No test reaches the network: the real call is pointed at a closed local port.
"""

import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newsspans.export.build import export_corpus
from newsspans.export.publish import upload_plan


@pytest.fixture
def published(mini):
    export_corpus(mini)
    (mini / "DATASHEET.md").write_text("# Datasheet\n", encoding="utf-8")
    return mini


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(root, *args, env):
    cli = Path(sys.executable).with_name("newsspans")
    return subprocess.run([str(cli), "publish", "--root", str(root), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    return {**env, "HF_HOME": str(tmp_path / "hf-home"), **extra}


def test_plan_adds_card_datasheet_croissant_and_every_shard(published):
    plan = upload_plan(published)
    shards = sorted(p.relative_to(published).as_posix()
                    for p in (published / "exports").rglob("*.parquet"))
    assert [op.path_in_repo for op in plan] == ["README.md", "DATASHEET.md", "croissant.json", *shards]
    for op in plan:
        data = (published / op.path_in_repo).read_bytes()
        assert (op.upload_info.size, op.upload_info.sha256.hex()) == (len(data), hashlib.sha256(data).hexdigest())


def test_dry_run_prints_the_exact_operations(published, cli):
    result = cli("publish", "--root", published, "--repo-id", "my-org/newsspans",
                 "--revision", "v0.1.0", "--dry-run")
    assert result.exit_code == 0, result.output
    adds = []
    for op in upload_plan(published):
        data = (published / op.path_in_repo).read_bytes()
        adds.append(f"add {op.path_in_repo} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})")
    assert result.stdout.splitlines() == [
        "commit to datasets/my-org/newsspans (branch main): Publish newsspans 0.1.0",
        *adds,
        "delete every file under exports/ in the repository that is not added above",
        "tag v0.1.0 at that commit"]


def test_the_version_comes_from_the_release_record(published, cli):
    (published / "releases").mkdir()
    (published / "releases" / "releases.json").write_text(json.dumps(
        {"releases": [{"version": "0.2.0", "files": {}, "manifest_sha256": "0" * 64}]}), encoding="utf-8")
    export_corpus(published)    # the card shows the version: regenerate it, as a release does
    result = cli("publish", "--root", published, "--repo-id", "o/n", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "commit to datasets/o/n (branch main): Publish newsspans 0.2.0"


def test_stale_exports_are_not_published(published, cli):
    gold = published / "annotations" / "mini-brittany-storm" / "gold.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["claims"] = []
    gold.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    result = cli("publish", "--root", published, "--repo-id", "o/n", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: exports are stale, run `newsspans export` first: "
                                    "exports/claims/train-00000-of-00001.parquet: extra "
                                    "(no longer produced by the corpus);")


def test_missing_datasheet_is_named(mini, cli):
    export_corpus(mini)
    result = cli("publish", "--root", mini, "--repo-id", "o/n", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot publish without DATASHEET.md in {mini}\n"


@pytest.mark.parametrize("repo_id", ["no-slash", "a/b/c", "../x", ""])
def test_repo_id_must_be_org_slash_name(published, cli, repo_id):
    result = cli("publish", "--root", published, "--repo-id", repo_id, "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == f"Error: --repo-id {repo_id!r} must look like ORG/NAME\n"


def test_without_a_token_it_fails_clearly(published, tmp_path):
    port = _closed_port()
    result = _run(published, "--repo-id", "o/n",
                  env=_env(tmp_path, HF_ENDPOINT=f"http://127.0.0.1:{port}"))
    assert result.returncode == 1
    assert result.stderr == ("Error: no Hugging Face token: set HF_TOKEN or log in with "
                             "`hf auth login`, then run publish again\n")


def test_without_a_network_it_fails_clearly(published, tmp_path):
    port = _closed_port()
    result = _run(published, "--repo-id", "o/n", "--revision", "v0.1.0",
                  env=_env(tmp_path, HF_TOKEN="hf_not_a_real_token",
                           HF_ENDPOINT=f"http://127.0.0.1:{port}"))
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: cannot publish to datasets/o/n on http://127.0.0.1:{port}: ")
    assert "Connect" in result.stderr and "refused" in result.stderr.lower()
    assert result.stderr.count("\n") == 1, "one line, no traceback"
