"""`newsspans publish`: upload the card, DATASHEET.md, croissant.json and exports/ to the hub.

The plan is built from the files on disk and refused when the exports are stale, so what
is published is what `newsspans export --check` vouches for. At upload time, files under
exports/ in the hub repository that the plan does not contain (shards of an older export)
are deleted in the same commit.
"""

import os
import re
from pathlib import Path

from newsspans.errors import ExportError, PublishError
from newsspans.export.build import CROISSANT, EXPORTS, README, dataset_version, export_corpus

DATASHEET = "DATASHEET.md"
REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def upload_plan(root) -> list:
    """The CommitOperationAdd of every file to upload, in a stable order.

    ExportError when the exports are stale; PublishError when a file is missing.
    """
    from huggingface_hub import CommitOperationAdd
    root = Path(root)
    stale = export_corpus(root, check=True)
    if stale:
        raise ExportError("exports are stale, run `newsspans export` first: " + "; ".join(stale))
    names = [README, DATASHEET, CROISSANT]
    missing = [n for n in names if not (root / n).is_file()]
    if missing:
        raise PublishError(f"cannot publish without {', '.join(missing)} in {root}")
    shards = sorted(p.relative_to(root).as_posix() for p in (root / EXPORTS).rglob("*.parquet")
                    if not any(part.startswith(".") for part in p.relative_to(root).parts))
    return [CommitOperationAdd(path_in_repo=name, path_or_fileobj=str(root / name))
            for name in names + shards]


def describe(plan, repo_id: str, revision=None, version: str = "") -> list:
    """The plan as the lines `--dry-run` prints: exactly the operations of the commit."""
    lines = [f"commit to datasets/{repo_id} (branch main): Publish newsspans {version}".rstrip()]
    lines += [f"add {op.path_in_repo} ({op.upload_info.size} bytes, sha256 "
              f"{op.upload_info.sha256.hex()})" for op in plan]
    lines.append(f"delete every file under {EXPORTS}/ in the repository that is not added above")
    if revision:
        lines.append(f"tag {revision} at that commit")
    return lines


def _check_names(repo_id, revision):
    if not REPO_ID.match(repo_id or ""):
        raise PublishError(f"--repo-id {repo_id!r} must look like ORG/NAME")
    if revision is not None and not TAG.match(revision):
        raise PublishError(f"--revision {revision!r} is not a valid tag name")


def _network_errors():
    from huggingface_hub.errors import HfHubHTTPError
    errors = [HfHubHTTPError, OSError]
    for module in ("httpx2", "httpx", "requests"):
        try:
            lib = __import__(module)
        except ImportError:
            continue
        base = getattr(lib, "HTTPError", None) or getattr(getattr(lib, "exceptions", None), "RequestException", None)
        if isinstance(base, type):
            errors.append(base)
    return tuple(errors)


def publish(root, repo_id: str, revision=None, dry_run=False) -> list:
    """Publish the checkout at `root` to the dataset repository `repo_id`.

    Returns the plan's lines with `dry_run`; otherwise uploads, then returns the plan's
    lines followed by the commit URL. PublishError when there is no token or the hub
    cannot be reached.
    """
    _check_names(repo_id, revision)
    version = dataset_version(root)
    plan = upload_plan(root)
    lines = describe(plan, repo_id, revision, version)
    if dry_run:
        return lines
    from huggingface_hub import CommitOperationDelete, HfApi, get_token
    token = get_token()
    if not token:
        raise PublishError("no Hugging Face token: set HF_TOKEN or log in with `hf auth login`, "
                           "then run publish again")
    endpoint = os.environ.get("HF_ENDPOINT") or None
    api = HfApi(endpoint=endpoint, token=token)
    where = f"datasets/{repo_id} on {api.endpoint}"
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        planned = {op.path_in_repo for op in plan}
        remote = api.list_repo_files(repo_id, repo_type="dataset")
        operations = [CommitOperationDelete(p) for p in sorted(remote)
                      if p.startswith(f"{EXPORTS}/") and p not in planned]
        operations += plan
        info = api.create_commit(repo_id, operations, repo_type="dataset",
                                 commit_message=f"Publish newsspans {version}")
        if revision:
            api.create_tag(repo_id, tag=revision, revision=info.oid, repo_type="dataset")
    except _network_errors() as exc:
        raise PublishError(f"cannot publish to {where}: {type(exc).__name__}: {exc}") from None
    return lines + [f"published: {info.commit_url}"]
