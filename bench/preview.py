"""Measure the preview: save-to-visible latency, rebuild time, an idle server's CPU use.

    python bench/preview.py latency PROJECT [--edits 5] [--deadline 120]
    python bench/preview.py rebuild PROJECT [--edits 15]
    python bench/preview.py idle PROJECT [--seconds 30]

``latency`` is what ``make bench`` measures and what a writer feels: it starts
``briefgen serve`` on 127.0.0.1, edits briefs (body, then title) and times each
save until the page shows it over HTTP (``bench/latency.py``); the edits stay in
the files. ``rebuild`` edits one brief's body repeatedly and reports the median time
of ``Rebuilder.update`` (the rebuild alone, in this process, without the watcher),
next to the median full build of the same project. ``idle`` starts ``briefgen serve`` on
127.0.0.1, measures its CPU time over an idle period (from /proc), then saves
one brief and measures how long the server takes to notice it (the time from
the save to the rebuild's report, minus the rebuild's own time).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.latency import Server, Site, Spread, briefgen_ready, fmt, measure_latency
from briefgen.build import build
from briefgen.rebuild import Rebuilder


def _one_brief(project: Path) -> Path:
    return sorted((project / "content" / "briefs").glob("*.md"))[
        len(list((project / "content" / "briefs").glob("*.md"))) // 2
    ]


@dataclass(frozen=True, slots=True)
class RebuildTimes:
    """What ``measure_rebuild`` saw: seconds of each full build and of each rebuild."""

    brief: Path
    """The brief that was edited."""
    pages: int
    """Pages of the preview site."""
    fulls: list[float]
    times: list[float]
    written: list[int]
    """Pages written by each rebuild."""

    @property
    def median(self) -> float:
        """The median rebuild, in seconds."""
        return statistics.median(self.times)


def _edited(original: str, edit: int, what: str) -> str:
    """The brief's text after edit number ``edit``: a sentence added, or a new title."""
    if what == "title":
        title = f'title: "A retitled brief, number {edit}"'
        return re.sub(r"^title: .*$", title, original, count=1, flags=re.MULTILINE)
    return original + f"\nAn added sentence, number {edit}.\n"


def measure_rebuild(project: Path, edits: int, fulls: int = 3, what: str = "body") -> RebuildTimes:
    """Time ``fulls`` full builds, then ``edits`` preview rebuilds after editing one brief.

    ``what`` is edited: "body" adds a sentence, "title" changes what the brief's card shows.

    The brief is restored afterwards, whatever happens.
    """
    brief = _one_brief(project)
    original = brief.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        full_times: list[float] = []
        for run in range(fulls):
            started = time.perf_counter()
            build(project, Path(folder) / f"full-{run}")
            full_times.append(time.perf_counter() - started)
        rebuilder = Rebuilder(project, Path(folder) / "preview", drafts=False)
        rebuilder.full()
        times: list[float] = []
        written: list[int] = []
        try:
            for edit in range(edits):
                brief.write_text(_edited(original, edit, what), encoding="utf-8")
                started = time.perf_counter()
                report = rebuilder.update([brief])
                times.append(time.perf_counter() - started)
                written.append(report.written)
        finally:
            brief.write_text(original, encoding="utf-8")
    return RebuildTimes(brief, len(rebuilder.deps), full_times, times, written)


def rebuild(project: Path, edits: int, what: str = "body") -> None:
    measured = measure_rebuild(project, edits, what=what)
    fulls, times, written = measured.fulls, measured.times, measured.written
    print(f"project: {project} ({measured.pages} pages)")
    print(f"full build, median of 3: {statistics.median(fulls) * 1000:.0f} ms")
    low, mid, high = (1000 * x for x in (min(times), statistics.median(times), max(times)))
    print(
        f"rebuild after editing the {what} of {measured.brief.name}, "
        f"median of {edits}: {mid:.1f} ms "
        f"(min {low:.1f}, max {high:.1f}); pages written: median {statistics.median(written):.0f}"
    )
    print(f"ratio full/rebuild: {statistics.median(fulls) / statistics.median(times):.0f}x")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def idle(project: Path, seconds: float) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "briefgen",
            "serve",
            "--project",
            str(project),
            "--port",
            "0",
            "--no-drafts",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.perf_counter(), line.rstrip()))

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.perf_counter() + 600
        while not any("serving http" in line for _, line in lines):
            if time.perf_counter() > deadline or process.poll() is not None:
                output = "\n".join(text for _, text in lines)
                raise SystemExit("the server did not start:\n" + output)
            time.sleep(0.1)
        print("\n".join(line for _, line in lines))
        time.sleep(2)  # let the first build's aftermath settle
        before, started = _cpu_seconds(process.pid), time.perf_counter()
        time.sleep(seconds)
        used, elapsed = _cpu_seconds(process.pid) - before, time.perf_counter() - started
        print(
            f"idle CPU over {elapsed:.0f} s: {used:.2f} s = {100 * used / elapsed:.2f}% of one core"
        )

        brief = _one_brief(project)
        original = brief.read_text(encoding="utf-8")
        notices = []
        try:
            for edit in range(5):
                seen = len(lines)
                brief.write_text(original + f"\nEdit {edit}.\n", encoding="utf-8")
                saved = time.perf_counter()
                while not any("changed:" in line for _, line in lines[seen:]):
                    time.sleep(0.005)
                at, line = next((t, text) for t, text in lines[seen:] if "changed:" in text)
                match = re.search(r"in (\d+) ms", line)
                build_ms = int(match.group(1)) if match else 0
                notices.append((at - saved) * 1000 - build_ms)
                print(f"  {line}  (reported {(at - saved) * 1000:.0f} ms after the save)")
                time.sleep(1)
        finally:
            brief.write_text(original, encoding="utf-8")
        median, worst = statistics.median(notices), max(notices)
        print(f"noticed a save after: median {median:.0f} ms (max {worst:.0f} ms)")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def latency(project: Path, edits: int, deadline: float) -> None:
    briefs = sorted((project / "content" / "briefs").glob("*.md"))
    server = Server(
        "briefgen serve",
        [sys.executable, "-m", "briefgen", "serve", "--project", str(project), "--port", "0"],
        project,
        briefgen_ready,
    )
    measured = measure_latency(
        server, Site(briefs, lambda brief_id: f"briefs/{brief_id}/"), edits, deadline=deadline
    )
    for kind, values in (("body", measured.body), ("title", measured.title)):
        found = Spread.of(values)
        if found is not None:
            print(
                f"{kind} edit, save to visible: median {fmt(found.median)} "
                f"(min {fmt(found.low)}, max {fmt(found.high)}, {found.count} edits)"
            )
    if measured.failure:
        raise SystemExit(f"failed: {measured.failure}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    timed = sub.add_parser("latency")
    timed.add_argument("project", type=Path)
    timed.add_argument("--edits", type=int, default=5)
    timed.add_argument("--deadline", type=float, default=120.0)
    one = sub.add_parser("rebuild")
    one.add_argument("project", type=Path)
    one.add_argument("--edits", type=int, default=15)
    one.add_argument(
        "--edit", choices=("body", "title"), default="body", help="what to edit (default body)"
    )
    two = sub.add_parser("idle")
    two.add_argument("project", type=Path)
    two.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args(argv)
    if args.command == "latency":
        latency(args.project.resolve(), args.edits, args.deadline)
    elif args.command == "rebuild":
        rebuild(args.project.resolve(), args.edits, args.edit)
    else:
        idle(args.project.resolve(), args.seconds)


if __name__ == "__main__":
    main()
