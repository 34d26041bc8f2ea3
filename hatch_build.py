"""Build the compiled fast paths of validation (src/newsspans/_fastcheck.c) into the wheel.

The extension is optional: newsspans answers the same without it, in pure Python (the
reference), only slower. Where no C compiler or Python headers exist, the build says so
and goes on. An editable install compiles it next to the sources (src/newsspans/), where
the editable install imports the package from; `make setup` reinstalls when the C
source changes.
"""

import os
import shutil
import sys
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

NAME = "newsspans._fastcheck"
SOURCE = os.path.join("src", "newsspans", "_fastcheck.c")


def compile_extension(root: str, out_dir: str) -> str:
    """Compile the extension into `out_dir`; its path. Raises when it cannot be built."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(NAME, [os.path.join(root, SOURCE)], extra_compile_args=["-O2"])
    command = build_ext(Distribution({"name": "newsspans", "ext_modules": [extension]}))
    with tempfile.TemporaryDirectory() as temp:
        command.build_lib, command.build_temp = out_dir, temp
        command.ensure_finalized()
        command.run()
    return command.get_ext_fullpath(NAME)


class FastcheckHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        out = tempfile.mkdtemp(prefix="newsspans-build-")
        try:
            built = compile_extension(self.root, out)
        except Exception as exc:   # no compiler, no headers: the pure Python path serves
            print(f"newsspans: the compiled checks were not built ({exc}); validation runs "
                  f"its pure Python path", file=sys.stderr)
            shutil.rmtree(out, ignore_errors=True)
            return
        name = os.path.basename(built)
        if version == "editable":
            # The editable install imports newsspans from src/: the module goes there.
            shutil.move(built, os.path.join(self.root, "src", "newsspans", name))
            shutil.rmtree(out, ignore_errors=True)
        else:
            build_data["force_include"][built] = f"newsspans/{name}"
            self._built = out
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version, build_data, artifact_path):
        shutil.rmtree(getattr(self, "_built", ""), ignore_errors=True)
