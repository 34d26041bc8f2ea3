"""The wheel: built from the checkout as pip builds it, it carries the schemas and the
compiled checks (a platform wheel), and the package inside it finds both; where no C
compiler exists, the build still succeeds, as a pure Python wheel that answers the same."""

import os
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO


def _build(out, env=None):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), str(REPO)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    wheels = list(out.glob("newsspans-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0], proc.stderr


def _run_from(unpacked, code):
    """`code` run with the unpacked wheel first on the path (the checkout's copy shadowed)."""
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    env.pop("NEWSSPANS_PURE_PYTHON", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=unpacked, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("wheel"))[0]


def test_the_wheel_carries_the_schemas_and_the_compiled_checks(wheel, tmp_path):
    names = zipfile.ZipFile(wheel).namelist()
    assert "newsspans/schema/annotations.schema.json" in names
    assert [n for n in names if n.startswith("newsspans/_fastcheck.")] != []
    assert all(n.endswith((".so", ".pyd")) for n in names if n.startswith("newsspans/_fastcheck.")), names
    assert not wheel.name.endswith("-py3-none-any.whl"), wheel.name   # a platform wheel
    zipfile.ZipFile(wheel).extractall(tmp_path)
    found = _run_from(tmp_path, "import newsspans.store.compiled as c, newsspans.validation.schemas as s; "
                                "print(c.fastcheck.__file__); print(s.schema_dir())")
    module, schemas = found.splitlines()
    assert module.startswith(str(tmp_path)) and schemas == str(tmp_path / "newsspans" / "schema")


def test_without_a_compiler_the_wheel_is_pure_python(tmp_path):
    env = {**os.environ, "CC": str(tmp_path / "no-such-compiler")}
    wheel, said = _build(tmp_path / "out", env)
    assert wheel.name.endswith("-py3-none-any.whl") and "pure Python path" in said
    names = zipfile.ZipFile(wheel).namelist()
    assert not any(n.startswith("newsspans/_fastcheck.") for n in names), names
    zipfile.ZipFile(wheel).extractall(tmp_path / "unpacked")
    assert _run_from(tmp_path / "unpacked", "import newsspans.store.compiled as c; print(c.fastcheck)") == "None"
