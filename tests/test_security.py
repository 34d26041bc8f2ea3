"""Security: secrets stay secret, the local server listens on loopback only, names used as
file names cannot escape their folder, YAML is loaded safely.

The server tests reuse the real Doccano server fixture of tests/doccano (a fresh state
folder); they cover what tests/doccano does not: every listening socket of every server
process, the server's own logs, a full sync's output and files, the SECRET_KEY.
"""

import importlib.machinery
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MINI, REPO

from newsspans.cli import main
from newsspans.store.layout import check_doc_id, check_user_name
from newsspans.errors import CorpusError

from doccano.conftest import SCRIPT, alive, free_port, read_credentials, server_pids

HOSTILE_NAMES = ["../evil", "..", ".", "a/b", "a\\b", "/etc/passwd", "", " ", "x\x00y", "..mallory",
                 ".hidden", "a" * 300, "é/../x", "~root", "name\n", "name\r", "$(reboot)", "a b"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_user_names_and_doc_ids_are_refused(name):
    with pytest.raises(CorpusError):
        check_doc_id(name)
    with pytest.raises(CorpusError):
        check_user_name(name)


def test_every_yaml_load_in_the_code_is_safe():
    unsafe = []
    for folder in ("src", "scripts", "tests", "bench"):
        for path in (REPO / folder).rglob("*"):
            if not path.is_file() or path.suffix not in ("", ".py") or "__pycache__" in path.parts:
                continue
            try:
                source = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for match in re.finditer(r"yaml\.(load|load_all|unsafe_load|full_load)\s*\(", source):
                unsafe.append(f"{path.relative_to(REPO)}: {match.group(0)}")
    assert unsafe == []
    assert "safe_load" in (REPO / "src/newsspans/export/loadcheck.py").read_text(encoding="utf-8")


def test_an_unsafe_yaml_tag_in_the_card_is_not_run(tmp_path):
    from newsspans.export.loadcheck import check_load
    from newsspans.errors import NewsspansError
    root = tmp_path / "repo"
    shutil.copytree(MINI, root)
    marker = tmp_path / "pwned"
    (root / "README.md").write_text(f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n",
                                    encoding="utf-8")
    with pytest.raises((NewsspansError, Exception)) as caught:
        list(check_load(root))
    assert "ConstructorError" in type(caught.value).__name__ or "could not determine a constructor" in str(caught.value) \
        or isinstance(caught.value, NewsspansError)
    assert not marker.exists()


def _script_module():
    loader = importlib.machinery.SourceFileLoader("doccano_server_script", str(REPO / "scripts" / "doccano-server"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_each_installation_gets_its_own_secret_key_and_private_files(tmp_path):
    script = _script_module()
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    key1, creds1, created1 = script._secrets(first, 8123, "sqlite")
    key2, creds2, _ = script._secrets(second, 8123, "sqlite")
    again, creds1_again, created_again = script._secrets(first, 8124, "sqlite")
    assert created1 and not created_again
    assert key1 != key2 and len(key1) >= 50
    assert again == key1 and creds1_again["DOCCANO_PASSWORD"] == creds1["DOCCANO_PASSWORD"]
    assert creds1["DOCCANO_PASSWORD"] != creds2["DOCCANO_PASSWORD"]
    for folder in (first, second):
        for name in ("server.env", "credentials.env"):
            assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    # Doccano's settings fall back to a key published in its source: it must never be used.
    settings = next((REPO / ".doccano").glob("venv/lib/python*/site-packages/backend/config/settings/base.py"), None)
    if settings is not None:
        published = re.search(r"SECRET_KEY\s*=\s*env\([^,]+,\s*['\"]([^'\"]+)", settings.read_text(encoding="utf-8"))
        if published:
            assert published.group(1) not in (key1, key2)


@pytest.fixture(scope="module")
def doccano_server(tmp_path_factory):
    """A real Doccano server for this module only (as tests/doccano/conftest.py starts one,
    but stopped when the module ends, not at the end of the session)."""
    state = tmp_path_factory.mktemp("doccano-security")
    env = dict(os.environ, NEWSSPANS_DOCCANO_HOME=str(state))
    for key in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD", "DATABASE_URL"):
        env.pop(key, None)
    started = subprocess.run([sys.executable, str(SCRIPT), "start", "--port", str(free_port())], env=env,
                             capture_output=True, text=True, timeout=1200)
    try:
        assert started.returncode == 0, f"the Doccano server did not start:\n{started.stdout}\n{started.stderr}"
        pids = server_pids(state)
        values = read_credentials(state / "credentials.env")
        yield {"url": values["DOCCANO_URL"], "username": values["DOCCANO_USERNAME"],
               "password": values["DOCCANO_PASSWORD"], "state": state, "script": SCRIPT, "env": env,
               "start_output": started.stdout + started.stderr, "pids": pids}
    finally:
        subprocess.run([sys.executable, str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
    leftover = [pid for pid in pids if alive(pid)]
    assert not leftover, f"Doccano processes left running: {leftover}"


def _process_group(pgid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                found.append(int(entry.name))
    return found


def _socket_inodes(pid):
    inodes = set()
    try:
        for fd in (Path("/proc") / str(pid) / "fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def _listening(inodes):
    """Local addresses (hex, as /proc/net shows them) of LISTEN sockets among `inodes`."""
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:
                found.append((table, cols[1]))
    return found


def test_every_server_process_listens_on_loopback_only(doccano_server):
    pids = [p for group in doccano_server["pids"] for p in _process_group(group)]
    assert len(pids) >= 2, f"expected the web server and its workers, found {pids}"
    listening = _listening(set().union(*(_socket_inodes(p) for p in pids)))
    assert listening, "the web server listens on nothing"
    for table, address in listening:
        host = address.split(":")[0]
        assert (table, host) in {("tcp", "0100007F"), ("tcp6", "00000000000000000000000001000000")}, \
            f"a server process listens on {table} {address}, not loopback"


def test_a_full_sync_shows_the_password_nowhere(doccano_server, tmp_path, monkeypatch):
    server = doccano_server
    root = tmp_path / "repo"
    shutil.copytree(MINI, root)
    for key in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NEWSSPANS_DOCCANO_HOME", str(server["state"]))
    outputs = [server["start_output"]]
    project = "security-sync"
    for args in (["doccano", "setup", "--project", project],
                 ["doccano", "push", "--preannotate", "gold", "--project", project],
                 ["doccano", "pull", "--project", project, "--format", "json"],
                 ["doccano", "status", "--project", project, "--format", "json"]):
        result = CliRunner().invoke(main, args + ["--root", str(root)])
        outputs.append(result.stdout + result.stderr + repr(result.exception))
        assert result.exit_code == 0, outputs[-1]
    monkeypatch.setenv("DOCCANO_PASSWORD", server["password"] + "-wrong")
    monkeypatch.setenv("DOCCANO_URL", server["url"])
    monkeypatch.setenv("DOCCANO_USERNAME", server["username"])
    wrong = CliRunner().invoke(main, ["doccano", "status", "--project", project, "--root", str(root)])
    assert wrong.exit_code == 1 and "wrong user name or password" in wrong.stderr
    outputs.append(wrong.stdout + wrong.stderr + repr(wrong.exception))
    status = subprocess.run([sys.executable, str(server["script"]), "status"], env=server["env"],
                            capture_output=True, text=True, timeout=60)
    outputs.append(status.stdout + status.stderr)
    secret = (server["state"] / "server.env").read_text().split("=", 1)[1].strip()
    password = server["password"]
    for text in outputs:
        assert password not in text and secret not in text
    written = [p for p in root.rglob("*") if p.is_file()]
    assert any("annotators" in p.parts for p in written), "the pull wrote no annotator file"
    for path in written:
        data = path.read_bytes()
        assert password.encode() not in data and secret.encode() not in data, path
    for path in _committed_files():
        data = path.read_bytes()
        assert password.encode() not in data and secret.encode() not in data, path
    logs = [p for p in server["state"].rglob("*.log") if p.is_file()]
    assert logs, "the server keeps no log"
    for path in logs:
        data = path.read_bytes()
        assert password.encode() not in data and secret.encode() not in data, path


def _committed_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, timeout=60)
    assert listed.returncode == 0
    return [REPO / n for n in listed.stdout.decode().split("\0") if n and (REPO / n).is_file()]


def test_no_credentials_file_is_committed_and_the_local_one_is_ignored():
    committed = _committed_files()
    assert not [p for p in committed if p.name in ("credentials.env", "server.env", ".env")]
    for name in (".doccano/credentials.env", ".doccano/server.env", ".env"):
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=REPO, timeout=60)
        assert ignored.returncode == 0, f"{name} must be ignored by git"
    local = REPO / ".doccano" / "credentials.env"
    if local.is_file():
        # The developer's own server: its password must not be in any committed file.
        values = [v.strip() for line in local.read_text().splitlines() if "=" in line
                  for k, v in [line.split("=", 1)] if k.strip() == "DOCCANO_PASSWORD"]
        for path in committed:
            data = path.read_bytes()
            assert not any(v and v.encode() in data for v in values), path
