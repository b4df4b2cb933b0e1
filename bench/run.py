"""briefgen side by side with Hugo, Pelican and MkDocs on one generated corpus.

::

    python bench/run.py [--briefs 10000] [--runs 3] [--peers hugo,pelican,mkdocs]
                        [--skip-peers] [--edits 15] [--seed 1]
                        [--work bench/.work] [--results bench/RESULTS.md]

``make bench`` runs it in its own virtual environment (bench/.venv), where the peers
are installed from PyPI. It generates one project with ``bench/generate.py``, writes
it for each peer with ``bench/peers.py``, then times whole processes: each tool's
cold build ``--runs`` times (the tools take turns, so a drift of the machine touches
them all alike), then briefgen's warm build (its cache filled by one build first)
and the preview's incremental rebuild after editing one brief (``bench/preview.py``).

For each process: wall time, CPU time (user + system, of the process and every
child it waited for, from ``wait4``) and peak memory: the larger of the kernel's
peak RSS (of the largest single process of the tree) and the peak of the RSS summed
over the process tree, sampled from /proc every 50 ms (a pool of worker processes
counts whole). Medians of the runs are printed as a Markdown table, with briefgen's
ratio to each peer, and added to ``--results`` under a dated heading naming the
machine, newest first, earlier sections kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import re
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate
from bench.peers import PEERS, convert

ROOT = Path(__file__).resolve().parent.parent
HEADER = """\
# Benchmark results

Written by `make bench` (`bench/run.py`): briefgen's build against Hugo, Pelican and
MkDocs building the same generated corpus in the same run, newest run first. Wall, CPU
(user + system of the whole process tree) and peak memory are medians of several runs;
"briefgen ratio" is briefgen's cold wall time divided by the peer's (above 1: briefgen is
slower). Runs on one machine drift by up to 15 % from one batch to the next, so compare
figures only within one section.
"""
PEER_NAMES = {"hugo": "Hugo", "pelican": "Pelican", "mkdocs": "MkDocs"}
PEER_NOTES = {
    "hugo": "actors, sources and tags as taxonomies with term pages; minimal layouts; "
    "no RSS or sitemap",
    "pelican": "actors (and tags) as Pelican tags, sources as authors, no actor or source "
    "profiles; no feeds; default theme",
    "mkdocs": "briefs and an index only (no taxonomy pages; mentions and citations as plain "
    "text); default theme, no plugins",
}
SAMPLE_EVERY = 0.05


# ---------------------------------------------------------------------------
# Timing one process tree.


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed process."""

    wall: float
    """Seconds."""
    cpu: float
    """User + system seconds of the process and the children it waited for."""
    rss_kb: int
    """Peak resident memory in KiB (see the module's docstring)."""
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


def tree_rss_kb(pid: int) -> int:
    """The RSS of ``pid`` and all its descendants, summed, in KiB (0 once it is gone)."""
    total, todo, seen = 0, [pid], set[int]()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss_kb(current)
        todo += _children(current)
    return total


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/statm").exists():  # not Linux: the kernel's figure alone
            return
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self._stop_event.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


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
    return Sample(
        wall=wall,
        cpu=cpu,
        rss_kb=max(maxrss, sampler.peak_kb),
        returncode=process.returncode,
        output=output,
        other=other,
    )


def count_pages(out: Path) -> int:
    """HTML files written under ``out``."""
    return sum(1 for _ in out.rglob("*.html")) if out.is_dir() else 0


# ---------------------------------------------------------------------------
# The tools.


@dataclass(slots=True)
class Tool:
    """One build to time, and what it measured."""

    key: str
    name: str
    version: str
    command: list[str]
    cwd: Path
    out: Path
    before: Callable[[], None] | None = None
    """Runs before each timed run, untimed (e.g. deletes a cache)."""
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
        if self.before is not None:
            self.before()
        if self.clean_out and self.out.exists():
            shutil.rmtree(self.out)
        sample = measure(self.command, self.cwd)
        if sample.returncode != 0:
            tail = "\n".join(sample.output.strip().splitlines()[-15:])
            self.failure = f"exit code {sample.returncode}: {tail}"
            return None
        self.samples.append(sample)
        self.pages = count_pages(self.out)
        return sample


def executable(name: str) -> str | None:
    """The tool installed next to this Python (bench/.venv/bin), else one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def version_of(distribution: str, command: str | None) -> str:
    """The installed version of a Python distribution, else what ``command --version`` says."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        pass
    if command is None:
        return "?"
    arguments = [command, "version"] if distribution == "hugo" else [command, "--version"]
    try:
        printed = subprocess.run(arguments, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    found = re.search(r"v?(\d+\.\d+(?:\.\d+)?)", printed)
    return found.group(1) if found else "?"


def briefgen_command() -> list[str]:
    found = executable("briefgen")
    return [found] if found else [sys.executable, "-m", "briefgen"]


def accepts_no_cache(command: Sequence[str]) -> bool:
    """Whether ``briefgen build`` has a ``--no-cache`` option."""
    try:
        shown = subprocess.run(
            [*command, "build", "--help"], capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return "--no-cache" in shown.stdout


def peer_tool(peer: str, source: Path, out: Path) -> Tool:
    """The command that builds ``source`` (written by bench/peers.py) with ``peer``."""
    found = executable(peer)
    name = PEER_NAMES[peer]
    if peer == "hugo":
        command = [str(found), "--source", str(source), "--destination", str(out), "--quiet"]
    elif peer == "pelican":
        content, conf = str(source / "content"), str(source / "pelicanconf.py")
        command = [str(found), content, "-s", conf, "-o", str(out), "-q"]
    else:
        command = [str(found), "build", "-f", str(source / "mkdocs.yml"), "-d", str(out), "-q"]
    tool = Tool(peer, name, version_of(peer, found), command, source, out)
    if found is None:
        tool.failure = f"not installed (no `{peer}` beside {sys.executable} or on PATH)"
    return tool


# ---------------------------------------------------------------------------
# The report.


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(tools: Sequence[Tool], briefgen: Tool) -> str:
    """The Markdown table of every tool's medians."""
    lines = [
        "| tool | version | wall s | cpu s | peak RSS MB | pages | pages/s | briefgen ratio |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for tool in tools:
        if not tool.ok:
            lines.append(f"| {tool.name} | {tool.version} | failed | | | | | |")
            continue
        wall = tool.median(lambda s: s.wall)
        cpu = tool.median(lambda s: s.cpu)
        rss = tool.median(lambda s: s.rss_kb) / 1024
        ratio = f"{briefgen.median(lambda s: s.wall) / wall:.2f}" if briefgen.ok else "n/a"
        lines.append(
            f"| {tool.name} | {tool.version} | {fmt_seconds(wall)} | {fmt_seconds(cpu)} | "
            f"{rss:.0f} | {tool.pages} | {tool.pages / wall:.0f} | {ratio} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Preview:
    median: float
    edits: int
    written: float
    pages: int


def to_hugo(seconds: float, hugo: Tool | None) -> str:
    if hugo is None or not hugo.ok:
        return "ratio to Hugo's full build: n/a (Hugo not run)"
    ratio = seconds / hugo.median(lambda s: s.wall)
    return f"{ratio:.3f}x Hugo's full build" if ratio < 0.1 else f"{ratio:.2f}x Hugo's full build"


def report(
    tools: Sequence[Tool],
    briefgen: Tool,
    warm: Tool,
    preview: Preview | str,
    runs: int,
    cold_note: str,
) -> str:
    """The table and the lines under it (Markdown)."""
    hugo = next((t for t in tools if t.key == "hugo"), None)
    lines = [table(tools, briefgen), ""]
    if warm.ok:
        wall = warm.median(lambda s: s.wall)
        lines.append(
            f"- **briefgen warm build** (cache filled by one build first, nothing changed "
            f"since, median of {runs}): "
            f"{fmt_seconds(wall)} s wall, {fmt_seconds(warm.median(lambda s: s.cpu))} s cpu, "
            f"{warm.median(lambda s: s.rss_kb) / 1024:.0f} MB; {to_hugo(wall, hugo)}"
        )
    else:
        lines.append(f"- **briefgen warm build**: failed ({warm.failure})")
    if isinstance(preview, Preview):
        lines.append(
            f"- **preview rebuild** (one brief edited, `Rebuilder.update`, median of "
            f"{preview.edits}): {fmt_ms(preview.median)}, {preview.written:.0f} of "
            f"{preview.pages} pages written; {to_hugo(preview.median, hugo)}"
        )
    else:
        lines.append(f"- **preview rebuild**: {preview}")
    lines += ["", "Notes:", f"- briefgen (cold): {cold_note}."]
    for tool in tools:
        if tool.key in PEER_NOTES:
            lines.append(f"- {tool.name}: {PEER_NOTES[tool.key]}.")
        if tool.failure:
            lines.append(f"- {tool.name} failed: `{' '.join(tool.failure.split())[:300]}`")
    lines.append(outside_load([*tools, warm]))
    lines.append(
        "- wall, cpu and peak RSS are medians; cpu is user + system of the process tree, so "
        "it exceeds wall when a tool uses both cores; MB are MiB."
    )
    return "\n".join(lines) + "\n"


BUSY = 0.15
"""Cores busy outside the measured process above which a run is flagged."""


def outside_load(tools: Sequence[Tool]) -> str:
    """One line: how busy the machine was with other work during the timed runs."""
    loads = [s.other for tool in tools for s in tool.samples]
    if not loads:
        return "- outside load: not measured"
    median, worst = statistics.median(loads), max(loads)
    line = (
        f"- outside load (cores kept busy by other processes during the timed runs, "
        f"from /proc/stat): median {median:.2f}, max {worst:.2f}"
    )
    if worst > BUSY:
        line += (
            f". **The machine was busy with other work during some runs** (over {BUSY} "
            "cores): the figures of those runs are inflated"
        )
    return line + "."


def machine() -> str:
    """The machine, in one line: ``uname -sr``, cores, memory, Python."""
    memory = "? GiB"
    try:
        found = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        if found:
            memory = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, "
        f"{memory} memory, {python}"
    )


def add_section(results: Path, section: str) -> None:
    """Put ``section`` first under the file's header, keeping every earlier section."""
    text = results.read_text(encoding="utf-8") if results.is_file() else HEADER
    found = re.search(r"^## ", text, re.MULTILINE)
    head, rest = (text[: found.start()], text[found.start() :]) if found else (text, "")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(head.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n", encoding="utf-8")
    if rest:
        with results.open("a", encoding="utf-8") as file:
            file.write("\n" + rest)


# ---------------------------------------------------------------------------
# The run.


def say(text: str) -> None:
    print(text, flush=True)


def measure_preview(project: Path, edits: int) -> Preview | str:
    """The preview's median rebuild, measured in this process as bench/preview.py does."""
    try:
        from bench.preview import measure_rebuild

        measured = measure_rebuild(project, edits, fulls=0)
    except Exception as problem:  # a broken briefgen must not lose the other figures
        return f"failed ({type(problem).__name__}: {problem})"
    return Preview(measured.median, edits, statistics.median(measured.written), measured.pages)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--briefs", type=int, default=10000, help="briefs to generate")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each build")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated peers")
    parser.add_argument("--skip-peers", action="store_true", help="time briefgen alone")
    parser.add_argument("--edits", type=int, default=15, help="preview rebuilds to time")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "bench" / ".work", help="where the corpora go"
    )
    parser.add_argument(
        "--results", type=Path, default=ROOT / "bench" / "RESULTS.md", help="the results file"
    )
    args = parser.parse_args(argv)
    if args.briefs < 1 or args.runs < 1 or args.edits < 1:
        parser.error("--briefs, --runs and --edits must be at least 1")
    peers = [] if args.skip_peers else [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        parser.error(f"unknown peer {unknown[0]!r} (choose from {', '.join(PEERS)})")
    work: Path = args.work.resolve()
    project, out = work / "project", work / "out"

    for folder in (project, out, *(work / peer for peer in PEERS)):
        if folder.exists():
            shutil.rmtree(folder)
    started = time.perf_counter()
    counts = generate(project, args.briefs, args.seed)
    say(
        f"generated {counts['briefs']} briefs, {counts['actors']} actors, {counts['sources']} "
        f"sources, {counts['tags']} tags into {project} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if peers:
        started = time.perf_counter()
        written = convert(project, work, peers)
        files = ", ".join(f"{peer} {count}" for peer, count in written.items())
        say(f"wrote the peers' corpora ({files} files) in {time.perf_counter() - started:.1f} s")

    command = briefgen_command()
    version = version_of("briefgen", command[0])
    cache = project / ".briefgen-cache"

    def delete_cache() -> None:
        if cache.exists():
            shutil.rmtree(cache)

    def build(into: Path, *extra: str) -> list[str]:
        folder = ["--project", str(project), "--out", str(into)]
        return [*command, "build", *folder, "--quiet", *extra]

    if accepts_no_cache(command):
        cold = Tool(
            "briefgen",
            "briefgen (cold)",
            version,
            build(out / "briefgen", "--no-cache"),
            project,
            out / "briefgen",
        )
        cold_note = "`briefgen build --no-cache` into an empty folder"
    else:
        cold = Tool(
            "briefgen",
            "briefgen (cold)",
            version,
            build(out / "briefgen"),
            project,
            out / "briefgen",
            before=delete_cache,
        )
        cold_note = (
            "this briefgen has no `--no-cache`: `briefgen build` with .briefgen-cache deleted "
            "first, into an empty folder"
        )
    tools = [cold, *(peer_tool(peer, work / peer, out / peer) for peer in peers)]

    for run in range(1, args.runs + 1):
        for tool in tools:
            sample = tool.run_once()
            if sample is None:
                if tool.failure and len(tool.samples) == run - 1:
                    say(f"run {run}/{args.runs} {tool.name}: FAILED: {tool.failure}")
                continue
            say(
                f"run {run}/{args.runs} {tool.name}: {sample.wall:.2f} s wall, "
                f"{sample.cpu:.2f} s cpu, {sample.rss_kb / 1024:.0f} MB, {tool.pages} pages "
                f"(outside load {sample.other:.2f} cores)"
            )

    # Warm: the same build with its cache kept (filled by one untimed build), into the
    # existing site, as a writer rebuilds.
    warm_out = out / "briefgen-warm"
    warm = Tool("warm", "briefgen (warm)", version, build(warm_out), project, warm_out)
    warm.clean_out = False
    filled = measure(warm.command, project)
    if filled.returncode != 0:
        warm.failure = f"exit code {filled.returncode}: {filled.output.strip()[-500:]}"
    for run in range(1, args.runs + 1):
        sample = warm.run_once()
        if sample is not None:
            say(
                f"run {run}/{args.runs} briefgen warm: {sample.wall:.2f} s wall, "
                f"{sample.cpu:.2f} s cpu (outside load {sample.other:.2f} cores)"
            )

    say(f"timing {args.edits} preview rebuilds ...")
    preview = measure_preview(project, args.edits)

    text = report(tools, cold, warm, preview, args.runs, cold_note)
    now = dt.datetime.now().astimezone()
    heading = (
        f"## {now:%Y-%m-%d %H:%M %Z}: {counts['briefs']} briefs, {args.runs} "
        f"run{'s' if args.runs > 1 else ''}"
    )
    section = (
        f"{heading}\n\n"
        f"- machine: {machine()}\n"
        f"- corpus: {counts['briefs']} briefs, {counts['actors']} actors, "
        f"{counts['sources']} sources, {counts['tags']} tags (`bench/generate.py`, seed "
        f"{args.seed})\n"
        f"- command: `bench/run.py {' '.join(argv if argv is not None else sys.argv[1:])}`\n\n"
        f"{text}"
    )
    say("")
    say(section)
    add_section(args.results, section)
    say(f"added to {args.results}")
    failed = [t.name for t in [*tools, warm] if not t.ok]
    if failed or not isinstance(preview, Preview):
        say(f"failed: {', '.join(failed) or 'preview rebuild'} (see the notes above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
