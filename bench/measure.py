"""Run one command as a child process; measure its wall time and peak memory.

Peak memory is the larger of two readings: the child's own maximum resident set size
from wait4() (the largest single process of its tree), and the sum of resident sizes of
the whole process tree, sampled every few milliseconds from /proc (a command that uses
several worker processes holds their memory at the same time, and a bound on memory
is a bound on that sum).
"""

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

_SAMPLE_SECONDS = 0.01
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float   # user + system time of the process and the children it waited for
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _children(pid: int) -> list:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants, now."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss(p)
        todo.extend(_children(p))
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._halt.wait(_SAMPLE_SECONDS)

    def stop(self):
        self._halt.set()
        self.join()


def run(cmd, *, env=None, cwd=None, timeout=None) -> Measurement:
    """Run `cmd` (a list) to completion and measure it; output is captured, not shown."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, env=env, cwd=cwd)
        sampler = _Sampler(proc.pid)
        sampler.start()
        deadline = None if timeout is None else started + timeout
        try:
            status, usage = _wait(proc.pid, deadline)
        except TimeoutError:
            proc.kill()
            os.wait4(proc.pid, 0)
            sampler.stop()
            raise
        seconds = time.perf_counter() - started
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    # ru_maxrss is in kilobytes on Linux.
    peak = max(usage.ru_maxrss * 1024, sampler.peak)
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(seconds, peak / 2**20, cpu, proc.returncode, stdout, stderr)


def _wait(pid, deadline):
    if deadline is None:
        _, status, usage = os.wait4(pid, 0)
        return status, usage
    while True:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got:
            return status, usage
        if time.perf_counter() > deadline:
            raise TimeoutError(f"process {pid} did not finish in time")
        time.sleep(0.005)

