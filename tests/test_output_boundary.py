"""One output boundary: file modes, where --out may point, multi-file outputs as one
transaction, the release record as the dataset version, and names that exist nowhere.

Every refusal is checked through the CLI: exit status 1, an `Error: ...` message naming
the reason, no traceback, and not one file written or changed (a snapshot of the tree).
"""

import errno
import importlib.machinery
import importlib.util
import json
import os
import shutil
import stat

import pytest

from conftest import REPO, snapshot

from newsspans.curation.agreement import agreement
from newsspans.curation.release import release
from newsspans.doccano.push import push
from newsspans.errors import CorpusError
from newsspans.export.build import dataset_version, export_corpus, export_without_text
from newsspans.render.site import render_site
from newsspans.store import writing
from newsspans.store.outputs import check_output_dir
from newsspans.store.writing import atomic_write

TROMSO = "mini-tromso-schools"
GOLD = f"annotations/{TROMSO}/gold.json"
DAY = "2026-12-01"


def _refused(result, *fragments):
    """Exit 1, one `Error:` line holding every fragment, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


@pytest.fixture
def umask():
    """set(mask): run under that umask (and forget the cached default mode); restored after."""
    saved = os.umask(0o022)
    os.umask(saved)

    def set_mask(mask):
        os.umask(mask)
        writing.default_mode.cache_clear()
    yield set_mask
    os.umask(saved)
    writing.default_mode.cache_clear()


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# 1. File modes -----------------------------------------------------------------------------
@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_new_and_replaced_files_get_the_mode_the_umask_gives(tmp_path, umask, mask, expected):
    umask(mask)
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    old.write_bytes(b"{}\n")
    os.chmod(old, 0o600)   # as an older newsspans left it: repaired by the next write
    atomic_write(new, b"{}\n")
    atomic_write(old, b"[]\n")
    assert (_mode(new), _mode(old)) == (expected, expected)


def test_a_secret_is_written_0600_whatever_the_umask(tmp_path, umask):
    umask(0o000)
    atomic_write(tmp_path / "credentials.env", b"DOCCANO_PASSWORD=x\n", mode=0o600)
    assert _mode(tmp_path / "credentials.env") == 0o600


def test_the_local_servers_credentials_stay_0600_under_a_permissive_umask(tmp_path, umask):
    umask(0o000)
    loader = importlib.machinery.SourceFileLoader("doccano_server_script", str(REPO / "scripts" / "doccano-server"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    script = importlib.util.module_from_spec(spec)
    loader.exec_module(script)
    script._secrets(tmp_path, 8123, "sqlite")
    for name in ("server.env", "credentials.env"):
        assert _mode(tmp_path / name) == 0o600, name


def test_an_export_writes_files_readable_under_umask_022(mini, umask):
    umask(0o022)
    export_corpus(mini)
    written = [p for p in (mini / "exports").rglob("*") if p.is_file()]
    written += [mini / "croissant.json", mini / "README.md"]
    assert written and {_mode(p) for p in written} == {0o644}


# 2. Where an output may go -----------------------------------------------------------------
PROTECTED = ["corpus", "annotations", "schema", "releases", ".git", f"corpus/{TROMSO}"]


def _out_commands(out):
    return {
        "export --without-text": ["export", "--without-text", "--out", out],
        "render": ["render", "--out", out],
        "rehydrate": ["rehydrate", "--text-dir", "corpus", "--out", out],
    }


@pytest.mark.parametrize("command", ["export --without-text", "render", "rehydrate"])
@pytest.mark.parametrize("folder", PROTECTED)
def test_an_out_into_the_repositorys_own_folders_is_refused(mini, cli, command, folder):
    (mini / ".git").mkdir()
    before = snapshot(mini)
    args = _out_commands(mini / folder)[command]
    result = cli(*args, "--root", mini)
    _refused(result, f"--out {mini / folder}: resolves into {folder.split('/')[0]}/",
             "nothing was written")
    assert snapshot(mini) == before


@pytest.mark.parametrize("command", ["export --without-text", "render", "rehydrate"])
def test_a_symlink_to_a_protected_folder_counts(mini, cli, tmp_path, command):
    link = tmp_path / "innocent"
    link.symlink_to(mini / "annotations", target_is_directory=True)
    before = snapshot(mini)
    result = cli(*_out_commands(link)[command], "--root", mini)
    _refused(result, f"--out {link}: resolves into annotations/")
    assert snapshot(mini) == before


def test_the_text_free_distribution_may_not_replace_the_full_exports(mini, cli):
    export_corpus(mini)
    before = snapshot(mini)
    for out in (mini / "exports", mini / "exports" / "documents"):
        result = cli("export", "--without-text", "--out", out, "--root", mini)
        _refused(result, "resolves into exports/, which holds the published exports")
    assert snapshot(mini) == before


@pytest.mark.parametrize("args", [["render", "--out", "{exports}"], ["render", "--out", "{exports}/site"],
                                  ["screenshot", "index.html", "{exports}/page.png"]])
def test_pages_and_pictures_are_not_written_into_the_published_exports(mini, cli, args):
    # exports/ is what `load_dataset` reads and `publish` uploads: only export and rehydrate write it.
    export_corpus(mini)
    before = snapshot(mini)
    result = cli(*[a.format(exports=mini / "exports") for a in args], "--root", mini)
    _refused(result, "resolves into exports/, which holds the published exports", "nothing was written")
    assert snapshot(mini) == before


def test_rehydrate_may_rebuild_the_full_exports(mini, cli):
    export_corpus(mini)
    export_without_text(mini)
    exports = {k: v for k, v in snapshot(mini).items() if k.startswith("exports/")}
    shutil.rmtree(mini / "exports")
    result = cli("rehydrate", "--text-dir", mini / "corpus", "--out", mini / "exports", "--root", mini)
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in snapshot(mini).items() if k.startswith("exports/")} == exports


def test_an_output_inside_the_repository_linked_out_of_it_is_refused(mini, cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (mini / "docs").symlink_to(outside, target_is_directory=True)
    before = snapshot(mini)
    result = cli("render", "--root", mini)   # the default --out, ROOT/docs
    _refused(result, "is inside the repository but resolves to", "outside it")
    assert snapshot(mini) == before and list(outside.iterdir()) == []


def test_a_page_is_not_written_through_a_link_out_of_the_site(mini, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    (site / "documents").symlink_to(outside, target_is_directory=True)
    with pytest.raises(CorpusError, match="outside"):
        render_site(mini, site)
    assert list(outside.iterdir()) == []


def test_atomic_write_with_a_root_refuses_a_folder_linked_out_of_it(mini, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (mini / "annotations" / "linked").symlink_to(outside, target_is_directory=True)
    for target in (mini / "annotations" / "linked" / "gold.json",
                   mini / "annotations" / "linked" / "new" / "gold.json"):
        with pytest.raises(CorpusError, match=r"outside .*nothing written"):
            atomic_write(target, b"{}\n", root=mini)
    assert list(outside.rglob("*")) == []
    atomic_write(mini / "annotations" / "fine.json", b"{}\n", root=mini)   # inside: written


def test_a_screenshot_into_the_corpus_is_refused_before_the_browser_starts(mini, cli):
    before = snapshot(mini)
    result = cli("screenshot", "index.html", mini / "corpus" / "shot.png", "--site", mini, "--root", mini)
    _refused(result, "PNG ", "resolves into corpus/")
    assert snapshot(mini) == before


def test_outputs_elsewhere_are_allowed(mini, tmp_path):
    for out in (tmp_path / "site", mini / "docs", mini / "exports-text-free", mini):
        assert check_output_dir(mini, out) == out
    assert check_output_dir(mini, mini / "exports", allow_exports=True) == mini / "exports"
    with pytest.raises(CorpusError, match="holds the published exports"):
        check_output_dir(mini, mini / "exports")


# 3. A multi-file output is one transaction -------------------------------------------------
def _drop_a_claim(root):
    data = json.loads((root / GOLD).read_text(encoding="utf-8"))
    data["claims"] = data["claims"][1:]
    (root / GOLD).write_bytes(writing.dumps_json(data))


def _outputs(root):
    return {k: v for k, v in snapshot(root).items() if not k.startswith(("annotations/", "corpus/"))}


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """(a corpus exported, then changed; its outputs before; the outputs of the change)."""
    base = tmp_path_factory.mktemp("transaction")
    old = base / "old"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", old)
    export_corpus(old)
    export_without_text(old)
    _drop_a_claim(old)
    new = base / "new"
    shutil.copytree(old, new)
    export_corpus(new)
    export_without_text(new)
    assert _outputs(old) != _outputs(new)
    return old, _outputs(old), _outputs(new)


def _failing_at(monkeypatch, name, when):
    """os.<name> raises OSError (EIO) at its `when`-th call; returns the call counter."""
    real, calls = getattr(os, name), [0]

    def fail(*args, **kwargs):
        calls[0] += 1
        if calls[0] == when:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(*args, **kwargs)
    monkeypatch.setattr(os, name, fail)
    return calls


def _count_calls(states, tmp_path, run, name):
    root = tmp_path / "count"
    shutil.copytree(states[0], root)
    with pytest.MonkeyPatch.context() as patch:
        calls = _failing_at(patch, name, 0)
        run(root)
    shutil.rmtree(root)
    return calls[0]


@pytest.mark.parametrize("run", [export_corpus, export_without_text], ids=["export", "without-text"])
@pytest.mark.parametrize("name", ["replace", "fdopen"])
def test_a_failure_at_any_file_leaves_the_old_set_whole_and_a_rerun_succeeds(states, tmp_path, run, name):
    old, old_out, new_out = states
    count = _count_calls(states, tmp_path, run, name)
    assert count >= 2, count   # at least a new file and its backup
    for when in range(1, count + 1):
        root = tmp_path / f"{name}-{when}"
        shutil.copytree(old, root)
        with pytest.MonkeyPatch.context() as patch:
            _failing_at(patch, name, when)
            with pytest.raises((OSError, CorpusError)):
                run(root)
        assert _outputs(root) == old_out, f"{name} #{when}: the outputs changed"
        run(root)
        produced = _outputs(root)
        part = "exports/" if run is export_corpus else "exports-text-free/"
        assert {k: v for k, v in produced.items() if k.startswith(part)} == \
               {k: v for k, v in new_out.items() if k.startswith(part)}, f"{name} #{when}: rerun differs"
        if run is export_corpus:
            assert export_corpus(root, check=True) == []
        shutil.rmtree(root)


def test_a_read_only_exports_folder_changes_nothing(states, tmp_path):
    old, old_out, _ = states
    root = tmp_path / "ro"
    shutil.copytree(old, root)
    os.chmod(root / "exports", 0o555)
    try:
        probe = root / "exports" / ".probe"
        try:
            probe.write_bytes(b"")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("permissions are not enforced for this user (root)")
        with pytest.raises((OSError, CorpusError)):
            export_corpus(root)
        assert _outputs(root) == old_out
    finally:
        os.chmod(root / "exports", 0o755)


# 4. The release record is the dataset version ----------------------------------------------
def test_the_committed_croissant_agrees_with_the_release_record():
    croissant = json.loads((REPO / "croissant.json").read_text(encoding="utf-8"))
    record = json.loads((REPO / "releases" / "releases.json").read_text(encoding="utf-8"))
    assert croissant["version"] == record["releases"][-1]["version"] == dataset_version(REPO)


@pytest.fixture
def releasable(tmp_path):
    """A corpus whose build is green (a release requires it): tests/fixtures/gaps, built."""
    from newsspans.export.refresh import refresh
    root = tmp_path / "gaps"
    shutil.copytree(REPO / "tests" / "fixtures" / "gaps", root)
    refresh(root)
    return root


def test_deleting_croissant_after_a_release_restores_the_same_version(releasable, cli):
    mini = releasable
    assert release(mini, today=DAY)["version"] == "0.1.0"
    assert release(mini, "minor", today=DAY)["version"] == "0.2.0"
    croissant, readme = (mini / "croissant.json").read_bytes(), (mini / "README.md").read_bytes()
    assert json.loads(croissant)["version"] == "0.2.0"
    (mini / "croissant.json").unlink()
    result = cli("export", "--root", mini)
    assert result.exit_code == 0, result.output
    assert (mini / "croissant.json").read_bytes() == croissant
    assert (mini / "README.md").read_bytes() == readme
    assert export_corpus(mini, check=True) == []


def test_a_release_failing_at_any_rename_leaves_every_file_as_it_was(releasable, tmp_path, monkeypatch):
    # The renames of the release's own writes; its gate (tests/test_build.py) writes nothing
    # and costs a check-load per release, so it is taken as passed here.
    monkeypatch.setattr("newsspans.export.refresh.release_blockers", lambda root: [])
    mini = releasable
    release(mini, today=DAY)
    base = tmp_path / "released"
    shutil.copytree(mini, base)
    count = _count_calls((base,), tmp_path, lambda root: release(root, "minor", today=DAY), "replace")
    assert count >= 5, count
    before = snapshot(base)
    for when in range(1, count + 1):
        root = tmp_path / f"release-{when}"
        shutil.copytree(base, root)
        with pytest.MonkeyPatch.context() as patch:
            _failing_at(patch, "replace", when)
            with pytest.raises((OSError, CorpusError)):
                release(root, "minor", today=DAY)
        assert snapshot(root) == before, f"release failed at rename #{when}: files changed"
        assert release(root, "minor", today=DAY)["version"] == "0.2.0"
        assert export_corpus(root, check=True) == []
        shutil.rmtree(root)


def _release_entry():
    return {"version": "1.2.3", "tag": "v1.2.3", "date": DAY, "previous": None, "bump": None,
            "required": None, "counts": {}, "files": {}, "manifest_sha256": "0" * 64}


def _with(**changes):
    entry = dict(_release_entry(), **changes)
    return json.dumps({"releases": [{k: v for k, v in entry.items() if v is not ...}]})


MALFORMED = {
    "not JSON": ('{"releases": [', "releases/releases.json"),
    "a list": ("[]", "releases/releases.json $: [] is not of type 'object'"),
    "no releases key": ('{"versions": []}', "releases/releases.json $: 'releases' is a required property"),
    "no release": ('{"releases": []}', "releases/releases.json $.releases: [] should be non-empty"),
    "version not semver": (_with(version="1.2"), "releases/releases.json $.releases[0].version: '1.2' does not match"),
    "version a number": (_with(version=1), "releases/releases.json $.releases[0].version: 1 is not of type 'string'"),
    "version missing": (_with(version=...), "releases/releases.json $.releases[0]: 'version' is a required property"),
    "files missing": (_with(files=...), "releases/releases.json $.releases[0]: 'files' is a required property"),
    "a bad checksum": (_with(manifest_sha256="xyz"), "releases/releases.json $.releases[0].manifest_sha256: 'xyz'"),
    "a key twice": ('{"releases": [], "releases": []}', "releases/releases.json"),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
@pytest.mark.parametrize("command", [["export"], ["export", "--without-text"], ["release"]])
def test_a_malformed_release_record_is_a_located_error_and_nothing_is_written(mini, cli, kind, command):
    text, message = MALFORMED[kind]
    (mini / "releases").mkdir()
    (mini / "releases" / "releases.json").write_text(text, encoding="utf-8")
    before = snapshot(mini)
    result = cli(*command, "--root", mini)
    _refused(result, f"Error: {message}")
    assert snapshot(mini) == before


# 5. Names that exist nowhere ---------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["render", "--compare", "ghost"],
     "Error: no annotator 'ghost' in annotations/*/annotators/ (annotators: alice)\n"),
    (["render", "--check", "--compare", "ghost"],
     "Error: no annotator 'ghost' in annotations/*/annotators/ (annotators: alice)\n"),
    (["agreement", "--doc", "../../etc"],
     "Error: document id '../../etc' is not a slug matching ^[a-z0-9][a-z0-9-]{2,80}$ (documents: mini-brittany-storm, mini-tromso-schools)\n"),
    (["agreement", "--doc", TROMSO, "--doc", "ghost-doc"],
     "Error: no document 'ghost-doc' in corpus/ (documents: mini-brittany-storm, mini-tromso-schools)\n"),
    (["adopt", "--from", "ghost", "--doc", TROMSO],
     f"Error: no annotator 'ghost' in annotations/{TROMSO}/annotators/ (annotators: alice)\n"),
    (["adopt", "--from", "alice", "--doc", "../../etc"],
     "Error: document id '../../etc' is not a slug matching ^[a-z0-9][a-z0-9-]{2,80}$ (documents: mini-brittany-storm, mini-tromso-schools)\n"),
    (["adopt", "--from", "alice", "--doc", "mini-brittany-storm"],
     "Error: no annotator 'alice' in annotations/mini-brittany-storm/annotators/ (annotators: none)\n"),
])
def test_a_name_that_exists_nowhere_is_an_error_listing_what_exists(mini, cli, args, message):
    before = snapshot(mini)
    result = cli(*args, "--root", mini)
    _refused(result)
    assert result.stderr == message
    assert snapshot(mini) == before


def test_the_library_refuses_unknown_names_too(mini):
    with pytest.raises(CorpusError, match="no document 'ghost-doc' in corpus/"):
        agreement(mini, ["ghost-doc"])
    with pytest.raises(CorpusError, match="no document 'ghost-doc' in corpus/"):
        push(mini, None, docs=["ghost-doc"])   # refused before any connection is used
    with pytest.raises(CorpusError, match="no annotator 'ghost'"):
        render_site(mini, mini / "docs", "ghost")
    assert not (mini / "docs").exists()
