"""briefgen side by side with Hugo, Pelican and MkDocs on one generated corpus.

::

    python bench/run.py [--briefs 10000] [--runs 3] [--edits 10] [--briefs-large 0]
                        [--peers hugo,pelican,mkdocs] [--skip-peers] [--seed 1]
                        [--edit-deadline 120] [--work bench/.work]
                        [--results bench/RESULTS.md]

``make bench`` runs it in its own virtual environment (bench/.venv), where the peers
are installed from PyPI. It generates one project with ``bench/generate.py``, writes
it for each peer with ``bench/peers.py``, then measures, each as a whole process:

1. each tool's cold build, ``--runs`` times, the tools taking turns (so a drift of
   the machine touches them all alike);
2. briefgen's warm build with nothing changed, with one brief's body edited and with
   one brief's title edited (a card edit, which touches the lists), ``--runs`` times
   each: one untimed build fills the cache first, each run edits another brief and
   starts from the cache the previous run left, and the edit must show in its page;
3. the preview's save-to-visible latency, from outside over HTTP on 127.0.0.1
   (``bench/latency.py``): ``briefgen serve`` and ``hugo server --disableFastRender``
   each take ``--edits`` body edits and ``--edits`` title edits, one brief each, and
   the time from the write to the page (and for a title, the brief index) showing it
   is the latency; an edit not visible within ``--edit-deadline`` seconds is a failure;
4. with ``--briefs-large N``, briefgen's cold build of an ``N``-brief corpus, once.

Wall, CPU and peak memory (of the largest process and of the process tree) come from
``bench/timing.py``. The medians are printed as two Markdown tables, the cold builds
and the goals (``bench/report.py``: briefgen, Hugo, their ratio, the issue's goal and
whether it is met), and added to ``--results`` under a dated heading naming the
machine, newest first, earlier sections kept. Exit code 1 when anything failed.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate
from bench.latency import (
    Latency,
    Server,
    Site,
    Spread,
    briefgen_ready,
    edit_body,
    edit_title,
    free_port,
    hugo_ready,
    marker,
    measure_latency,
    spread,
)
from bench.peers import PEERS, convert
from bench.report import (
    PEER_NAMES,
    PEER_NOTES,
    Build,
    Figures,
    add_section,
    cold_table,
    fmt_ms,
    goals_table,
    machine,
    outside_load,
)
from bench.timing import Tool, measure

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# The tools.


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


def compile_briefgen() -> Path | None:
    """Write the bytecode of the briefgen the bench times, as pip does when it installs a
    package. The bench's is an editable install, and under PYTHONDONTWRITEBYTECODE (set in
    CI and on the machines we measure on) each run compiled every module again: about
    0.1 s of a warm build's 1.2 s, which no installed briefgen spends."""
    spec = importlib.util.find_spec("briefgen")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder if compileall.compile_dir(folder, quiet=1) else None


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
# The run.


def say(text: str) -> None:
    print(text, flush=True)


def briefs_of(project: Path) -> list[Path]:
    """The brief files of a project, sorted (a brief's id is its file name's stem).

    Hugo's section file ``_index.md`` is not a brief.
    """
    found = (project / "content" / "briefs").glob("*.md")
    return sorted(path for path in found if not path.name.startswith("_"))


def edited_build(
    name: str,
    command: list[str],
    project: Path,
    out: Path,
    kind: str,
    runs: int,
    version: str,
) -> Tool:
    """A warm build timed after editing one brief (another each run); the page must show it."""
    edit = edit_body if kind == "body" else edit_title
    picks = spread(briefs_of(project), runs, offset=0 if kind == "body" else 1)
    words: dict[int, str] = {}

    def before(number: int) -> None:
        brief = picks[number - 1]
        words[number] = marker("warm", kind, number)
        brief.write_text(edit(brief.read_text(encoding="utf-8"), words[number]), "utf-8")

    def after(number: int) -> str | None:
        brief = picks[number - 1]
        page = out / "briefs" / brief.stem / "index.html"
        shown = page.read_text(encoding="utf-8") if page.is_file() else ""
        if words[number] not in shown:
            return f"the {kind} edit of {brief.name} did not reach {page} (a stale warm build)"
        return None

    tool = Tool("warm-" + kind, name, version, command, project, out, before, after)
    tool.clean_out = False
    return tool


def serve_latency(
    server: Server, site: Site, edits: int, deadline: float, start_deadline: float
) -> Latency:
    """One server's latencies, its progress printed."""
    say(f"timing {server.name}: {edits} body edits and {edits} title edits ...")
    measured = measure_latency(
        server, site, edits, deadline=deadline, start_deadline=start_deadline, say=say
    )
    if measured.failure:
        say(f"  {server.name} FAILED: {measured.failure}")
    return measured


def build_line(label: str, tool: Tool, hugo: Build | None) -> str:
    """A line under the tables: one build's medians, and its ratio to Hugo's full build."""
    build = Build.of(tool)
    if build is None:
        return f"- **{label}**: failed ({' '.join((tool.failure or 'not run').split())[:300]})"
    against = ""
    if hugo is not None:
        against = f"; {build.wall / hugo.wall:.3f}x Hugo's full build"
    return (
        f"- **{label}** (median of {build.runs}): {build.wall:.2f} s wall, {build.cpu:.2f} s "
        f"cpu, {build.largest_mb:.0f} MB largest process, {build.tree_mb:.0f} MB process "
        f"tree{against}"
    )


def latency_line(measured: Latency | None, name: str) -> str:
    if measured is None:
        return f"- **{name} save to visible**: not run"
    parts = []
    for kind, values in (("body", measured.body), ("title", measured.title)):
        found = Spread.of(values)
        if found is not None:
            parts.append(
                f"{kind} edit median {fmt_ms(found.median)} (min {fmt_ms(found.low)}, "
                f"max {fmt_ms(found.high)}, {found.count} edits)"
            )
    line = f"- **{measured.name} save to visible**: " + ("; ".join(parts) or "no edit measured")
    if measured.failure:
        line += f". **Failed**: {measured.failure}"
    for hang in measured.hangs:
        line += f". **Restarted**: {hang}"
    return line


def like_the_peers(project: Path) -> None:
    """Turn off what the peers' builds here do not make: the search index, the Atom feeds,
    the sitemap and the open data exports (``bench/search.py``, ``bench/outputs.py`` and
    ``bench/exports.py`` measure what each adds)."""
    config = project / "briefgen.toml"
    text = config.read_text(encoding="utf-8").rstrip("\n")
    for table in ("search", "feeds", "sitemap", "data"):
        text += f"\n\n[{table}]\nenabled = false"
    config.write_text(text + "\n", encoding="utf-8")


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
    parser.add_argument(
        "--edits", type=int, default=10, help="preview edits of each kind (body, title) to time"
    )
    parser.add_argument(
        "--edit-deadline",
        type=float,
        default=120.0,
        help="seconds an edit may take to become visible before it counts as a failure",
    )
    parser.add_argument(
        "--start-deadline",
        type=float,
        default=300.0,
        help="seconds a preview server may take for its first build",
    )
    parser.add_argument(
        "--briefs-large",
        type=int,
        default=0,
        help="also time briefgen alone on a corpus of this many briefs, once (0: not)",
    )
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
    if args.briefs_large < 0 or args.edit_deadline <= 0 or args.start_deadline <= 0:
        parser.error("--briefs-large must not be negative, the deadlines must be positive")
    peers = [] if args.skip_peers else [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        parser.error(f"unknown peer {unknown[0]!r} (choose from {', '.join(PEERS)})")
    began = time.perf_counter()
    work: Path = args.work.resolve()
    project, out, large_project = work / "project", work / "out", work / "large"

    for folder in (project, out, large_project, *(work / peer for peer in PEERS)):
        if folder.exists():
            shutil.rmtree(folder)
    started = time.perf_counter()
    counts = generate(project, args.briefs, args.seed)
    like_the_peers(project)
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
    compiled = compile_briefgen()
    if compiled is not None:
        say(f"compiled the bytecode of {compiled}, as an install does")
    version = version_of("briefgen", command[0])
    no_cache = accepts_no_cache(command)

    def cold_tool(key: str, name: str, source: Path, into: Path) -> tuple[Tool, str]:
        folder = ["--project", str(source), "--out", str(into), "--quiet"]
        if no_cache:
            uncached = [*command, "build", *folder, "--no-cache"]
            tool = Tool(key, name, version, uncached, source, into)
            return tool, "`briefgen build --no-cache` into an empty folder"
        cache = source / ".briefgen-cache"

        def delete_cache(_: int) -> None:
            if cache.exists():
                shutil.rmtree(cache)

        tool = Tool(key, name, version, [*command, "build", *folder], source, into, delete_cache)
        return tool, (
            "this briefgen has no `--no-cache`: `briefgen build` with .briefgen-cache deleted "
            "first, into an empty folder"
        )

    cold, cold_note = cold_tool("briefgen", "briefgen (cold)", project, out / "briefgen")
    tools = [cold, *(peer_tool(peer, work / peer, out / peer) for peer in peers)]

    # 1. Cold builds, the tools taking turns.
    for run in range(1, args.runs + 1):
        for tool in tools:
            sample = tool.run_once()
            if sample is None:
                if tool.failure and len(tool.samples) == run - 1:
                    say(f"run {run}/{args.runs} {tool.name}: FAILED: {tool.failure}")
                continue
            say(
                f"run {run}/{args.runs} {tool.name}: {sample.wall:.2f} s wall, "
                f"{sample.cpu:.2f} s cpu, {sample.largest_kb / 1024:.0f} MB largest process, "
                f"{sample.tree_kb / 1024:.0f} MB process tree, {tool.pages} pages "
                f"(outside load {sample.other:.2f} cores)"
            )

    # 2. Warm builds: the same build with its cache kept (filled by one untimed build),
    # into the existing site, as a writer rebuilds.
    warm_out = out / "briefgen-warm"
    warm_command = [*command, "build", "--project", str(project), "--out", str(warm_out)]
    warm_command.append("--quiet")
    warm = Tool("warm", "briefgen (warm)", version, warm_command, project, warm_out)
    warm.clean_out = False
    warm_body = edited_build(
        "briefgen (warm, body edited)",
        warm_command,
        project,
        warm_out,
        "body",
        args.runs,
        version,
    )
    warm_title = edited_build(
        "briefgen (warm, title edited)",
        warm_command,
        project,
        warm_out,
        "title",
        args.runs,
        version,
    )
    warm_tools = [warm, warm_body, warm_title]
    filled = measure(warm_command, project)
    if filled.returncode != 0:
        for tool in warm_tools:
            tool.failure = f"exit code {filled.returncode}: {filled.output.strip()[-500:]}"
    for tool in warm_tools:
        for run in range(1, args.runs + 1):
            sample = tool.run_once()
            if sample is not None:
                say(
                    f"run {run}/{args.runs} {tool.name}: {sample.wall:.2f} s wall, "
                    f"{sample.cpu:.2f} s cpu, {sample.largest_kb / 1024:.0f} MB "
                    f"(outside load {sample.other:.2f} cores)"
                )
            elif tool.failure and len(tool.samples) == run - 1:
                say(f"run {run}/{args.runs} {tool.name}: FAILED: {tool.failure}")

    # 3. Save to visible, over HTTP on 127.0.0.1.
    serve = Server(
        "briefgen serve",
        [*command, "serve", "--project", str(project), "--port", "0"],
        project,
        briefgen_ready,
    )
    briefgen_site = Site(briefs_of(project), lambda brief_id: f"briefs/{brief_id}/")
    latencies: list[Latency] = [
        serve_latency(serve, briefgen_site, args.edits, args.edit_deadline, args.start_deadline)
    ]
    hugo = next((t for t in tools if t.key == "hugo"), None)
    if hugo is not None and hugo.ok:
        hugo_source = work / "hugo"
        hugo_server = Server(
            "hugo server",
            [
                hugo.command[0],
                "server",
                "--source",
                str(hugo_source),
                "--destination",
                str(out / "hugo-server"),
                "--disableFastRender",
                "--bind",
                "127.0.0.1",
                "--port",
                str(free_port()),
                "--baseURL",
                "http://127.0.0.1/",
            ],
            hugo_source,
            hugo_ready,
        )
        hugo_site = Site(briefs_of(hugo_source), lambda brief_id: f"briefs/{brief_id}/")
        latencies.append(
            serve_latency(
                hugo_server, hugo_site, args.edits, args.edit_deadline, args.start_deadline
            )
        )
    hugo_latency = latencies[1] if len(latencies) > 1 else None

    # 4. The large corpus: briefgen alone, once.
    large: Tool | None = None
    large_counts: dict[str, int] = {}
    if args.briefs_large:
        started = time.perf_counter()
        large_counts = generate(large_project, args.briefs_large, args.seed)
        like_the_peers(large_project)
        say(
            f"generated {large_counts['briefs']} briefs into {large_project} "
            f"in {time.perf_counter() - started:.1f} s"
        )
        large, _ = cold_tool(
            "large",
            f"briefgen (cold, {args.briefs_large:,} briefs)",
            large_project,
            out / "briefgen-large",
        )
        sample = large.run_once()
        if sample is None:
            say(f"{large.name}: FAILED: {large.failure}")
        else:
            say(
                f"{large.name}: {sample.wall:.2f} s wall, {sample.cpu:.2f} s cpu, "
                f"{sample.largest_kb / 1024:.0f} MB largest process, "
                f"{sample.tree_kb / 1024:.0f} MB process tree, {large.pages} pages"
            )
        # The large corpus and its site take disk space and are not needed again.
        for folder in (large_project, out / "briefgen-large"):
            shutil.rmtree(folder, ignore_errors=True)

    hugo_build = Build.of(hugo)
    figures = Figures(
        briefs=counts["briefs"],
        cold=Build.of(cold),
        hugo=hugo_build,
        warm=Build.of(warm),
        warm_body=Build.of(warm_body),
        warm_title=Build.of(warm_title),
        serve_body=Spread.of(latencies[0].body) if latencies[0].ok else None,
        serve_title=Spread.of(latencies[0].title) if latencies[0].ok else None,
        hugo_body=Spread.of(hugo_latency.body) if hugo_latency and hugo_latency.ok else None,
        hugo_title=Spread.of(hugo_latency.title) if hugo_latency and hugo_latency.ok else None,
        large=Build.of(large),
        large_briefs=args.briefs_large,
    )
    lines = [
        cold_table(tools, cold),
        "",
        goals_table(figures),
        "",
        build_line("briefgen warm build, nothing changed", warm, hugo_build),
        build_line("briefgen warm build, one brief's body edited", warm_body, hugo_build),
        build_line("briefgen warm build, one brief's title edited", warm_title, hugo_build),
        latency_line(latencies[0], "briefgen serve"),
        latency_line(hugo_latency, "hugo server --disableFastRender"),
    ]
    if large is not None:
        lines.append(build_line(f"briefgen cold build, {args.briefs_large:,} briefs", large, None))
    lines += [
        "",
        "Notes:",
        f"- briefgen (cold): {cold_note}; warm: `briefgen build` into the site of an untimed "
        "build that filled the cache; each edited run edits another brief (a marker word "
        "added to its body, or put first in its title) and checks that its page shows it; "
        "search, feeds, sitemap and open data are turned off (`enabled = false` under "
        "`[search]`, `[feeds]`, `[sitemap]` and `[data]`), as the peers make none of them "
        "here: `bench/search.py`, `bench/outputs.py` and `bench/exports.py` measure what "
        "each adds.",
        "- save to visible: the time from writing the brief's file to the first HTTP "
        "response from 127.0.0.1 that shows the marker word, polled every 5 ms (or as long as "
        "the last request took, if longer); for a title "
        "edit, the brief's page then the brief index (`/briefs/`), so it counts the watcher, "
        "the debounce and the rebuild; the next edit waits until the server has printed its "
        "rebuild's end and been quiet for 0.5 s.",
        "- the goals are set for 10,000 briefs (the large row's memory goal for 50,000); "
        "verdicts from a corpus of another size say so.",
    ]
    for tool in tools:
        if tool.key in PEER_NOTES:
            lines.append(f"- {tool.name}: {PEER_NOTES[tool.key]}.")
        if tool.failure:
            lines.append(f"- {tool.name} failed: `{' '.join(tool.failure.split())[:300]}`")
    if hugo is None:
        lines.append("- Hugo was not run (`--skip-peers` or `--peers` without hugo).")
    timed = [*tools, *warm_tools, *([large] if large else [])]
    lines.append(outside_load([s for tool in timed for s in tool.samples]))
    lines.append(
        "- wall, cpu and peak memory are medians; cpu is user + system of the process tree, "
        "so it exceeds wall when a tool uses both cores; peak memory is of the largest "
        "single process and of the process tree summed (forked workers share most of their "
        "pages with the parent, so the sum overstates what the machine needs); MB are MiB."
    )
    minutes = (time.perf_counter() - began) / 60
    lines.append(f"- this whole run took {minutes:.1f} minutes.")
    text = "\n".join(lines) + "\n"

    now = dt.datetime.now().astimezone()
    heading = (
        f"## {now:%Y-%m-%d %H:%M %Z}: {counts['briefs']} briefs, {args.runs} "
        f"run{'s' if args.runs > 1 else ''}"
    )
    large_line = ""
    if large_counts:
        large_line = f"- large corpus: {large_counts['briefs']} briefs, seed {args.seed}\n"
    section = (
        f"{heading}\n\n"
        f"- machine: {machine()}\n"
        f"- corpus: {counts['briefs']} briefs, {counts['actors']} actors, "
        f"{counts['sources']} sources, {counts['tags']} tags (`bench/generate.py`, seed "
        f"{args.seed})\n"
        f"{large_line}"
        f"- command: `bench/run.py {' '.join(argv if argv is not None else sys.argv[1:])}`\n\n"
        f"{text}"
    )
    say("")
    say(section)
    add_section(args.results, section)
    say(f"added to {args.results}")
    failed = [t.name for t in [*tools, *warm_tools, *([large] if large else [])] if not t.ok]
    failed += [f"{m.name} save to visible" for m in latencies if not m.ok]
    if failed:
        say(f"failed: {', '.join(failed)} (see the notes above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
