"""Against a real Doccano server: `newsspans doccano annotator add|list` and the account files."""

import json
import os
import shutil
import stat

import pytest
from click.testing import CliRunner

from newsspans.cli import main
from newsspans.doccano import accounts
from newsspans.doccano.client import Connection
from newsspans.doccano.project import find_project
from newsspans.errors import DoccanoError

from tests.doccano.conftest import REPO

pytestmark = pytest.mark.doccano
PROJECT = "accounts"


@pytest.fixture(scope="module")
def root(tmp_path_factory, doccano_server):
    dest = tmp_path_factory.mktemp("accounts") / "mini"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", dest)
    done = run(doccano_server, "doccano", "setup", "--project", PROJECT, "--root", dest)
    assert done.exit_code == 0, done.output
    pushed = run(doccano_server, "doccano", "push", "--project", PROJECT, "--root", dest)
    assert pushed.exit_code == 0, pushed.output
    return dest


def run(server, *args, home=None):
    environment = {"NEWSSPANS_DOCCANO_HOME": str(home or server["state"]), "DOCCANO_URL": server["url"],
                   "DOCCANO_USERNAME": server["username"], "DOCCANO_PASSWORD": server["password"]}
    return CliRunner().invoke(main, [str(a) for a in args], env=environment)


def admin(server):
    return Connection(server["url"], server["username"], server["password"])


def test_add_creates_the_user_with_a_private_password_file_and_membership(doccano_server, root):
    server = doccano_server
    added = run(server, "doccano", "annotator", "add", "acc-alice", "--project", PROJECT, "--root", root)
    assert added.exit_code == 0, added.output
    path = server["state"] / "accounts" / "acc-alice.json"
    assert added.output == (f"user 'acc-alice' created; password in {path} (mode 0600); "
                            f"added to project {PROJECT!r} as annotator\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())
    assert sorted(saved) == ["password", "username"] and saved["username"] == "acc-alice"
    assert len(saved["password"]) >= 24 and saved["password"] not in added.output

    username, password = accounts.load("acc-alice", server["state"])
    alice = Connection(server["url"], username, password).login()
    assert alice.get("/v1/me")["username"] == "acc-alice"
    pid = find_project(admin(server), PROJECT)["id"]
    roles = {m["username"]: m["rolename"] for m in admin(server).get(f"/v1/projects/{pid}/members")}
    assert roles["acc-alice"] == "annotator"

    again = run(server, "doccano", "annotator", "add", "acc-alice", "--project", PROJECT, "--root", root)
    assert again.exit_code == 0 and "user 'acc-alice' exists" in again.output
    assert f"already in project {PROJECT!r}" in again.output
    assert json.loads(path.read_text()) == saved  # the password is kept

    approver = run(server, "doccano", "annotator", "add", "acc-alice", "--role", "annotation_approver",
                   "--project", PROJECT, "--root", root)
    assert "role changed in project" in approver.output
    roles = {m["username"]: m["rolename"] for m in admin(server).get(f"/v1/projects/{pid}/members")}
    assert roles["acc-alice"] == "annotation_approver"


def test_list_shows_members_roles_and_progress(doccano_server, root):
    server = doccano_server
    assert run(server, "doccano", "annotator", "add", "acc-bob", "--project", PROJECT, "--root", root).exit_code == 0
    bob = Connection(server["url"], *accounts.load("acc-bob", server["state"])).login()
    pid = find_project(bob, PROJECT)["id"]
    example = bob.get(f"/v1/projects/{pid}/examples", params={"limit": 1})["results"][0]
    bob.post(f"/v1/projects/{pid}/examples/{example['id']}/states", json={})  # bob confirms one

    listed = run(server, "doccano", "annotator", "list", "--project", PROJECT, "--root", root)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == f"project {PROJECT!r}: 2 examples"
    assert any(line.split() == ["acc-bob", "annotator", "confirmed", "1/2"] for line in lines), lines
    assert any(line.split()[:4] == [server["username"], "project_admin", "confirmed", "0/2"]
               and line.endswith("(you)") for line in lines), lines

    data = json.loads(run(server, "doccano", "annotator", "list", "--project", PROJECT, "--format", "json",
                          "--root", root).output)
    members = {m["user"]: m for m in data["members"]}
    assert members["acc-bob"] == {"user": "acc-bob", "role": "annotator", "confirmed": 1, "account_file": True,
                                  "you": False}


def test_a_user_without_a_password_file_is_reported_not_recreated(doccano_server, root, tmp_path):
    server = doccano_server
    assert run(server, "doccano", "annotator", "add", "acc-carol", "--project", PROJECT, "--root", root).exit_code == 0
    other_home = tmp_path / "elsewhere"
    refused = run(server, "doccano", "annotator", "add", "acc-carol", "--project", PROJECT, "--root", root,
                  home=other_home)
    assert refused.exit_code == 1
    assert "already has a user 'acc-carol' but there is no account file" in refused.output
    assert not (other_home / "accounts").exists()


def test_an_account_file_whose_password_no_longer_logs_in_is_reported(doccano_server, root, tmp_path):
    server = doccano_server
    assert run(server, "doccano", "annotator", "add", "acc-erin", "--project", PROJECT, "--root", root).exit_code == 0
    accounts.save("acc-erin", "not-the-Password-0000", server["state"])
    refused = run(server, "doccano", "annotator", "add", "acc-erin", "--project", PROJECT, "--root", root)
    assert refused.exit_code == 1 and "does not log in as 'acc-erin'" in refused.output
    assert "not-the-Password-0000" not in refused.output


def test_a_saved_password_is_reused_when_the_user_is_created(doccano_server, root, tmp_path):
    """A run that wrote the file and then failed (or a server rebuilt empty) keeps the password."""
    server = doccano_server
    accounts.save("acc-dave", "kept-Secret-4242-xyz", server["state"])
    assert run(server, "doccano", "annotator", "add", "acc-dave", "--project", PROJECT, "--root", root).exit_code == 0
    assert Connection(server["url"], "acc-dave", "kept-Secret-4242-xyz").login().get("/v1/me")["username"] == "acc-dave"


@pytest.mark.parametrize("name, message", [
    ("newsspans-gold", "is reserved"), ("gold", "is reserved"), ("a/b", "not allowed as a file name"),
    ("..", "not allowed as a file name")])
def test_bad_names_are_refused_before_anything_is_sent(doccano_server, tmp_path, name, message):
    server = dict(doccano_server, url="http://127.0.0.1:9")  # nothing listens there
    refused = run(server, "doccano", "annotator", "add", name, "--root", tmp_path, home=tmp_path)
    assert refused.exit_code == 1 and message in refused.output
    assert not (tmp_path / "accounts").exists()


def test_the_admin_is_refused_too(doccano_server, root):
    refused = run(doccano_server, "doccano", "annotator", "add", doccano_server["username"], "--project", PROJECT,
                  "--root", root)
    assert refused.exit_code == 1 and "is reserved" in refused.output


def test_load_names_the_file_and_what_is_wrong(tmp_path):
    with pytest.raises(DoccanoError, match="no account file for 'eve'.*annotator add eve"):
        accounts.load("eve", tmp_path)
    path = accounts.save("eve", "pw-0123456789abcdef", tmp_path)
    assert accounts.load("eve", tmp_path) == ("eve", "pw-0123456789abcdef")
    path.write_text(json.dumps({"username": "mallory", "password": "x"}))
    with pytest.raises(DoccanoError, match="holds user 'mallory', not 'eve'"):
        accounts.load("eve", tmp_path)
    path.write_text("[]")
    with pytest.raises(DoccanoError, match="not an account file"):
        accounts.load("eve", tmp_path)


def test_save_tightens_an_open_folder(tmp_path):
    (tmp_path / "accounts").mkdir(mode=0o755)
    os.chmod(tmp_path / "accounts", 0o755)
    path = accounts.save("frank", "pw-0123456789abcdef", tmp_path)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700 and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_home_is_the_environment_or_the_repository(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSSPANS_DOCCANO_HOME", str(tmp_path))
    assert accounts.home("/repo") == tmp_path
    monkeypatch.delenv("NEWSSPANS_DOCCANO_HOME")
    assert accounts.home(tmp_path) == tmp_path / ".doccano"


def test_the_commands_find_the_state_folder_the_server_script_remembered(tmp_path, monkeypatch):
    from newsspans.doccano.accounts import home
    from newsspans.doccano.client import credentials_file
    monkeypatch.delenv("NEWSSPANS_DOCCANO_HOME", raising=False)
    root, state = tmp_path / "repo", tmp_path / "elsewhere"
    (root / ".doccano").mkdir(parents=True)
    assert home(root) == root / ".doccano"
    state.mkdir()
    (root / ".doccano" / "state-folder").write_text(f"{state}\n")
    assert home(root) == state and credentials_file(root) == state / "credentials.env"
    monkeypatch.setenv("NEWSSPANS_DOCCANO_HOME", str(tmp_path / "env"))
    assert home(root) == tmp_path / "env"
    monkeypatch.delenv("NEWSSPANS_DOCCANO_HOME")
    state.rmdir()   # a remembered folder that is gone is not used
    assert home(root) == root / ".doccano"
