"""A real Doccano server for the session, started and stopped with scripts/doccano-server,
once on each database: SQLite (the default, for one person) and PostgreSQL (for a team).

The server's virtual environment is the repository's cached .doccano/venv (built on the
first start from a fresh clone); its state (database, credentials) is a fresh temporary
folder, so a developer's own server and data are never touched. PostgreSQL runs where
Debian's postgresql is installed or the script can install it (as root, with apt-get);
elsewhere its tests are skipped and say why, unless NEWSSPANS_REQUIRE_POSTGRES=1 (CI),
which turns the skip into a failure.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "doccano-server"
DATABASES = ("sqlite", "postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_credentials(path: Path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def server_pids(state: Path):
    pids = []
    for name in ("web", "worker", "postgres"):
        path = state / f"{name}.pid"
        if path.is_file():
            pids.append(int(path.read_text().split()[0]))
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def postgres_unavailable():
    """Why PostgreSQL cannot run here, or None (the script installs it as root with apt-get)."""
    if any(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        return None
    if os.geteuid() == 0 and shutil.which("apt-get"):
        return None
    return ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and cannot be "
            "installed by the test: not root, or no apt-get")


def state_folder(database: str) -> Path:
    """A fresh state folder. PostgreSQL's cluster runs as the `postgres` user when the tests
    run as root, and that user must pass through the folders above it: pytest's own
    temporary folders are private (0700), so the base is a folder others may only traverse."""
    base = Path(tempfile.mkdtemp(prefix=f"newsspans-doccano-{database}-"))
    base.chmod(0o711)
    return base / "state"


def script_env(state: Path) -> dict:
    env = dict(os.environ, NEWSSPANS_DOCCANO_HOME=str(state))
    for key in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD", "DATABASE_URL"):
        env.pop(key, None)
    return env


def run_script(*args, env, timeout=1200):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=timeout)


def skip_or_fail_without_postgres(database):
    if database != "postgres":
        return
    reason = postgres_unavailable()
    if reason and os.environ.get("NEWSSPANS_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"NEWSSPANS_REQUIRE_POSTGRES=1 but {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session", params=DATABASES)
def doccano_server(request):
    """{"url", "username", "password", "state", "credentials", "script", "env", "database",
    "start_output", "pids"} of a running server; parametrised by database."""
    database = request.param
    skip_or_fail_without_postgres(database)
    state = state_folder(database)
    env = script_env(state)
    started = run_script("start", "--port", free_port(), "--database", database, env=env)
    if started.returncode != 0:
        run_script("stop", env=env, timeout=120)
        pytest.fail(f"the Doccano server ({database}) did not start:\n{started.stdout}\n{started.stderr}")
    pids = server_pids(state)
    credentials = state / "credentials.env"
    values = read_credentials(credentials)
    try:
        yield {"url": values["DOCCANO_URL"], "username": values["DOCCANO_USERNAME"],
               "password": values["DOCCANO_PASSWORD"], "state": state, "credentials": credentials,
               "script": SCRIPT, "env": env, "start_output": started.stdout, "pids": pids,
               "database": database}
    finally:
        run_script("stop", env=env, timeout=120)
        leftover = [pid for pid in pids if alive(pid)]
        shutil.rmtree(state.parent, ignore_errors=True)
        assert not leftover, f"Doccano processes left running: {leftover}"


@pytest.fixture
def start_server():
    """start(database, state=None, port=None, script=SCRIPT) -> the server's dict, like
    doccano_server's; every server started is stopped and its state removed at the end."""
    started = []

    def start(database, state=None, port=None, script=SCRIPT):
        skip_or_fail_without_postgres(database)
        state = state or state_folder(database)
        env = script_env(state)
        port = port or free_port()
        result = subprocess.run([sys.executable, str(script), "start", "--port", str(port), "--database",
                                 database], env=env, capture_output=True, text=True, timeout=1200)
        started.append((state, env, script))
        assert result.returncode == 0, f"the Doccano server ({database}) did not start:\n" \
                                       f"{result.stdout}\n{result.stderr}"
        values = read_credentials(state / "credentials.env")
        return {"url": values["DOCCANO_URL"], "username": values["DOCCANO_USERNAME"],
                "password": values["DOCCANO_PASSWORD"], "state": state, "credentials": state / "credentials.env",
                "script": script, "env": env, "start_output": result.stdout, "pids": server_pids(state),
                "database": database, "port": port}

    yield start
    for state, env, script in started:
        pids = server_pids(state)
        subprocess.run([sys.executable, str(script), "stop"], env=env, capture_output=True, timeout=120)
        leftover = [pid for pid in pids if alive(pid)]
        shutil.rmtree(state.parent, ignore_errors=True)
        assert not leftover, f"Doccano processes left running: {leftover}"
