"""scripts/doccano-server on both databases: the state folder is remembered, a restart on
the same port works at once, data survives it, PostgreSQL's cluster is private."""

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsspans.doccano.client import Connection

pytestmark = pytest.mark.doccano

REPO = Path(__file__).resolve().parents[2]


def checkout_copy(tmp_path) -> Path:
    """The script in a copy of the repository's scripts/ folder: it remembers its state
    folder in <checkout>/.doccano/, which must not be the developer's own."""
    scripts = tmp_path / "checkout" / "scripts"
    scripts.mkdir(parents=True)
    for name in ("doccano-server", "doccano-server-constraints.txt"):
        shutil.copy2(REPO / "scripts" / name, scripts / name)
    return scripts / "doccano-server"


def run(script, *args, env):
    return subprocess.run([sys.executable, str(script), *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=600)


def tcp_sockets(port, state_hex):
    """Local 127.0.0.1:`port` sockets in a TCP state (0A listen, 05 FIN-WAIT-2, 06 TIME-WAIT)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return [r for r in rows if r.split()[1] == f"0100007F:{port:04X}" and r.split()[3] == state_hex]


def socket_inodes(pid):
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def tcp_listeners_of(pid):
    inodes = socket_inodes(pid)
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:
                found.append(fields[1])
    return found


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_remembered_state_restart_on_the_same_port_and_data_kept(database, start_server, tmp_path):
    script = checkout_copy(tmp_path)
    server = start_server(database, script=script)
    env = dict(server["env"])
    env.pop("NEWSSPANS_DOCCANO_HOME")
    state, port = server["state"], server["port"]
    # Started through the environment: now once more with --state, which is remembered.
    again = run(script, "start", "--state", state, env=env)
    assert again.returncode == 0 and "already running" in again.stdout, again.stderr
    assert (script.parents[1] / ".doccano" / "state-folder").read_text() == f"{state}\n"

    status = run(script, "status", env=env)
    assert status.returncode == 0, status.stdout
    assert status.stdout.startswith(f"running: {server['url']} ")
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[database]
    assert f"\ndatabase: {name} (" in status.stdout and f"\nstate: {state}\n" in status.stdout

    conn = Connection(server["url"], server["username"], server["password"])
    conn.post("/v1/projects", json={"name": "kept", "description": "d", "project_type": "SequenceLabeling",
                                    "resourcetype": "SequenceLabelingProject"})
    # A kept-alive connection that the server closes first, on stop, leaves the server's
    # side of it on the port (FIN-WAIT-2, then TIME-WAIT, for up to a minute): what made
    # the old free-port check refuse a restart.
    keep = socket.create_connection(("127.0.0.1", port))
    keep.sendall(f"GET /v1/projects HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert keep.recv(100).startswith(b"HTTP/1.1 ")
    cluster = server["pids"][2:]
    stopped = run(script, "stop", env=env)
    assert stopped.returncode == 0 and stopped.stdout.startswith("stopped (pids "), stopped.stdout
    assert not [p for p in server["pids"] if Path(f"/proc/{p}").exists()]
    assert tcp_sockets(port, "05") + tcp_sockets(port, "06"), "nothing left on the port: this proves nothing"
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # a bind without SO_REUSEADDR, as the old check did
    assert run(script, "status", env=env).stdout.startswith(f"not running: {server['url']} ")

    began = time.monotonic()
    restarted = run(script, "start", env=env)
    assert restarted.returncode == 0, restarted.stderr
    assert time.monotonic() - began < 60
    assert f"running: {server['url']} " in restarted.stdout
    keep.close()
    names = [p["name"] for p in Connection(server["url"], server["username"], server["password"])
             .paginate("/v1/projects")]
    assert names == ["kept"]

    refused = run(script, "start", "--database", "sqlite" if database == "postgres" else "postgres", env=env)
    assert refused.returncode == 1 and f"holds a {name} database" in refused.stderr
    if database == "postgres":
        pg = state / "postgres"
        assert stat.S_IMODE(os.stat(pg / "postgres.env").st_mode) == 0o600
        assert stat.S_IMODE(os.stat(pg).st_mode) == 0o700
        postmaster = int((state / "postgres.pid").read_text().split()[0])
        assert postmaster not in cluster  # a new cluster process after the restart
        assert tcp_listeners_of(postmaster) == []  # the unix socket in the state folder only
        assert (pg / "run" / ".s.PGSQL.5432").is_socket()
    final = run(script, "stop", env=env)
    assert final.returncode == 0
    assert run(script, "stop", env=env).stdout == f"not running ({state})\n"


def test_backup_and_restore_need_a_path_and_refuse_what_they_cannot_do(tmp_path):
    script = checkout_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSSPANS_DOCCANO_HOME", "DATABASE_URL")}
    assert run(script, "backup", env=env).returncode == 2
    empty = tmp_path / "empty-state"
    nothing = run(script, "backup", tmp_path / "b.tar.gz", "--state", empty, env=env)
    assert nothing.returncode == 1 and f"{empty} holds no database to back up" in nothing.stderr
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    bad = run(script, "restore", junk, "--state", empty, env=env)
    assert bad.returncode == 1 and "is not a backup made by this script" in bad.stderr
