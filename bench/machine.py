"""A description of the machine and software a benchmark ran on."""

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

LIBRARIES = ("newsspans", "pyarrow", "datasets", "jsonschema", "jsonschema-rs",
             "fastjsonschema", "orjson", "spacy")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return 0.0


def _version(name: str):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git(repo: Path) -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=repo, capture_output=True, text=True).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def describe(repo: Path) -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": _memory_gib(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "commit": _git(repo),
    }


def format_machine(info: dict) -> str:
    libs = ", ".join(f"{k} {v}" for k, v in info["libraries"].items() if v)
    return (f"machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), "
            f"{info['memory_gib']} GiB, {info['os']}, load average {info['load_average']}\n"
            f"python {info['python']}; {libs}\ncommit {info['commit']}")
