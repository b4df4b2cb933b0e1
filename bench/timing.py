"""Timing one process tree: wall, CPU, and peak memory of its largest process and of the tree.

``measure(command, cwd)`` runs a command to its end; a ``Tool`` is one build timed
several times (with what to do before and after each run), its samples kept. CPU is
user + system of the process and every child it waited for (from ``wait4``). Peak
memory comes in two figures, because a pool of forked workers shares most of its pages
with the parent, so one figure cannot say both how big the build is and what the
machine needs:

- **largest process**: the larger of the kernel's peak RSS (``ru_maxrss``, the
  largest single process among the tree's waited-for processes) and the largest
  RSS of any one process sampled from /proc every 50 ms (the kernel's figure also
  counts the measuring process as it was when it forked the command, before the exec:
  negligible for ``bench/run.py``, not for a test worker of 100 MB);
- **process tree**: the peak of the RSS summed over the process and all its
  descendants, sampled from /proc every 50 ms (shared pages count once per
  process, so this is an upper bound). Off Linux it is the largest process's.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_EVERY = 0.05


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed process."""

    wall: float
    """Seconds."""
    cpu: float
    """User + system seconds of the process and the children it waited for."""
    largest_kb: int
    """Peak resident memory of the largest single process, KiB."""
    tree_kb: int
    """Peak resident memory summed over the process tree, KiB."""
    returncode: int
    output: str
    other: float = 0.0
    """Cores kept busy by other processes meanwhile, on average (from /proc/stat)."""


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (None off Linux)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return resident * os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kb(pid: int) -> tuple[int, int]:
    """The RSS of ``pid`` and its descendants in KiB: (largest one, sum); (0, 0) once gone."""
    total, largest, todo, seen = 0, 0, [pid], set[int]()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        rss = _rss_kb(current)
        total += rss
        largest = max(largest, rss)
        todo += _children(current)
    return largest, total


class TreeSampler(threading.Thread):
    """Samples a process tree's RSS until stopped; keeps the peaks (largest one, sum)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.largest_kb = 0
        self.tree_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/statm").exists():  # not Linux: the kernel's figure alone
            return
        while not self._stop_event.is_set():
            largest, total = tree_rss_kb(self.pid)
            self.largest_kb = max(self.largest_kb, largest)
            self.tree_kb = max(self.tree_kb, total)
            self._stop_event.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def peaks(maxrss_kb: int, sampled_largest_kb: int, sampled_tree_kb: int) -> tuple[int, int]:
    """(largest process, process tree) from the kernel's figure and the samples.

    The sampler can miss a peak between two samples, the kernel's figure cannot; a tree
    is never smaller than its largest process.
    """
    largest = max(maxrss_kb, sampled_largest_kb)
    return largest, max(largest, sampled_tree_kb)


def measure(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run ``command`` to its end and measure it."""
    with tempfile.TemporaryFile() as log:
        busy_before = busy_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            sampler.stop()
        wall = time.perf_counter() - started
        busy_after = busy_seconds()
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    maxrss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime
    other = 0.0
    if busy_before is not None and busy_after is not None and wall > 0:
        other = max(0.0, (busy_after - busy_before - cpu) / wall)
    largest, tree = peaks(maxrss, sampler.largest_kb, sampler.tree_kb)
    return Sample(
        wall=wall,
        cpu=cpu,
        largest_kb=largest,
        tree_kb=tree,
        returncode=process.returncode,
        output=output,
        other=other,
    )


def count_pages(out: Path) -> int:
    """HTML files written under ``out``."""
    return sum(1 for _ in out.rglob("*.html")) if out.is_dir() else 0


@dataclass(slots=True)
class Tool:
    """One build to time, and what it measured."""

    key: str
    name: str
    version: str
    command: list[str]
    cwd: Path
    out: Path
    before: Callable[[int], None] | None = None
    """Runs before each timed run, untimed, given the run's number from 1 (e.g. deletes a
    cache, or edits a brief)."""
    after: Callable[[int], str | None] | None = None
    """Runs after each timed run, untimed: what is wrong with the output, or None."""
    clean_out: bool = True
    """Delete the output folder before each run."""
    samples: list[Sample] = field(default_factory=list)
    failure: str | None = None
    pages: int = 0

    @property
    def ok(self) -> bool:
        return self.failure is None and bool(self.samples)

    def median(self, what: Callable[[Sample], float]) -> float:
        return statistics.median(what(s) for s in self.samples)

    def run_once(self) -> Sample | None:
        """One timed run; None (and ``failure`` set) when it fails."""
        if self.failure is not None:
            return None
        number = len(self.samples) + 1
        if self.before is not None:
            self.before(number)
        if self.clean_out and self.out.exists():
            shutil.rmtree(self.out)
        sample = measure(self.command, self.cwd)
        if sample.returncode != 0:
            tail = "\n".join(sample.output.strip().splitlines()[-15:])
            self.failure = f"exit code {sample.returncode}: {tail}"
            return None
        wrong = self.after(number) if self.after is not None else None
        if wrong is not None:
            self.failure = wrong
            return None
        self.samples.append(sample)
        self.pages = count_pages(self.out)
        return sample


def tree_cpu_seconds(pid: int) -> float:
    """User + system seconds used so far by ``pid`` and its living descendants (0 off Linux)."""
    total, todo, seen = 0.0, [pid], set[int]()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            # Fields after the command name (which may hold spaces): utime, stime are 12, 13.
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            continue
        todo += _children(current)
    return total
