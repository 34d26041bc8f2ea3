"""A real Doccano server for the session, started and stopped with scripts/doccano-server.

The server's virtual environment is the repository's cached .doccano/venv (built on the
first start from a fresh clone); its state (database, credentials) is a fresh temporary
folder, so a developer's own server and data are never touched.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "doccano-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_credentials(path: Path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def _pids(state: Path):
    pids = []
    for name in ("web", "worker"):
        path = state / f"{name}.pid"
        if path.is_file():
            pids.append(int(path.read_text().split()[0]))
    return pids


def _alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="session")
def doccano_server(tmp_path_factory):
    """{"url", "username", "password", "state", "credentials", "script", "env"} of a running server."""
    state = tmp_path_factory.mktemp("doccano-state")
    env = dict(os.environ, NEWSSPANS_DOCCANO_HOME=str(state))
    for key in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD", "DATABASE_URL"):
        env.pop(key, None)
    port = free_port()
    started = subprocess.run([sys.executable, str(SCRIPT), "start", "--port", str(port)], env=env,
                             capture_output=True, text=True, timeout=1200)
    if started.returncode != 0:
        subprocess.run([sys.executable, str(SCRIPT), "stop"], env=env, capture_output=True, timeout=60)
        pytest.fail(f"the Doccano server did not start:\n{started.stdout}\n{started.stderr}")
    pids = _pids(state)
    credentials = state / "credentials.env"
    values = read_credentials(credentials)
    try:
        yield {"url": values["DOCCANO_URL"], "username": values["DOCCANO_USERNAME"],
               "password": values["DOCCANO_PASSWORD"], "state": state, "credentials": credentials,
               "script": SCRIPT, "env": env, "start_output": started.stdout, "pids": pids}
    finally:
        subprocess.run([sys.executable, str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
        leftover = [pid for pid in pids if _alive(pid)]
        assert not leftover, f"Doccano processes left running: {leftover}"
