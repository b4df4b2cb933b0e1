"""The benchmark's report: the cold-build table, the goals table, and bench/RESULTS.md.

The goals are issue 10's, set for a 10,000-brief briefing (and 50,000 for the large
row): cold build faster than Hugo's; save-to-visible under 150 ms; a warm build with
nothing changed under 0.5 s, with one brief edited under 1 s; peak memory under
400 MB at 10,000 briefs and under 1 GB at 50,000. Each row says whether its goal is
met, and says so with the corpus size when the run was of another size.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.latency import Spread
from bench.timing import Sample, Tool

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
GOAL_BRIEFS = 10_000
"""The corpus size the goals are set for."""
LARGE_BRIEFS = 50_000
"""The corpus size of the large row's memory goal."""
MB = 1024
"""KiB in a MiB: the report's MB are MiB."""


# ---------------------------------------------------------------------------
# Figures.


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


@dataclass(frozen=True, slots=True)
class Build:
    """The medians of one tool's timed builds."""

    wall: float
    cpu: float
    largest_mb: float
    """Peak memory of the largest single process."""
    tree_mb: float
    """Peak memory summed over the process tree."""
    runs: int

    @classmethod
    def of(cls, tool: Tool | None) -> Build | None:
        if tool is None or not tool.ok:
            return None
        return cls(
            wall=tool.median(lambda s: s.wall),
            cpu=tool.median(lambda s: s.cpu),
            largest_mb=tool.median(lambda s: s.largest_kb) / MB,
            tree_mb=tool.median(lambda s: s.tree_kb) / MB,
            runs=len(tool.samples),
        )


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything the goals table shows; None where it was not measured (or failed)."""

    briefs: int
    cold: Build | None
    hugo: Build | None
    warm: Build | None
    """Warm build, nothing changed."""
    warm_body: Build | None
    warm_title: Build | None
    serve_body: Spread | None
    serve_title: Spread | None
    hugo_body: Spread | None
    hugo_title: Spread | None
    large: Build | None = None
    large_briefs: int = 0


# ---------------------------------------------------------------------------
# Goals.


@dataclass(frozen=True, slots=True)
class Goal:
    """A limit a figure must stay under, for a corpus of ``briefs`` briefs."""

    text: str
    limit: float
    briefs: int = GOAL_BRIEFS


def verdict(goal: Goal, value: float | None, briefs: int) -> str:
    """``met``, ``**not met**``, ``not measured``; the size when the run was of another."""
    if value is None:
        return "not measured"
    shown = "met" if value < goal.limit else "**not met**"
    if briefs != goal.briefs:
        shown += f" at {briefs:,} briefs (the goal is for {goal.briefs:,})"
    return shown


COLD_GOAL = Goal("faster than Hugo (ratio under 1)", 1.0)
SERVE_GOAL = Goal("under 150 ms", 0.150)
WARM_GOAL = Goal("under 0.5 s", 0.5)
EDIT_GOAL = Goal("under 1 s", 1.0)
MEMORY_GOAL = Goal("under 400 MB", 400)
LARGE_MEMORY_GOAL = Goal("under 1 GB", 1024, LARGE_BRIEFS)


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs <= 0:
        return "n/a"
    ratio = ours / theirs
    return f"{ratio:.3f}" if ratio < 0.1 else f"{ratio:.2f}"


def _seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{fmt_seconds(value)} s"


def _mb(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.0f} MB"


def _spread(value: Spread | None) -> str:
    if value is None:
        return "not measured"
    return f"{fmt_ms(value.median)} ({fmt_ms(value.low)} to {fmt_ms(value.high)})"


def goals_table(figures: Figures) -> str:
    """The goals table (Markdown): each measure, briefgen, Hugo, the ratio, the goal, met."""
    f, n = figures, figures.briefs
    cold, hugo = f.cold, f.hugo
    hugo_wall = hugo.wall if hugo else None
    rows: list[tuple[str, str, str, str, str, str]] = []

    def build_row(name: str, ours: Build | None, goal: Goal) -> None:
        wall = ours.wall if ours else None
        rows.append(
            (
                name,
                _seconds(wall),
                _seconds(hugo_wall),
                _ratio(wall, hugo_wall),
                goal.text,
                verdict(goal, wall, n),
            )
        )

    cold_wall = cold.wall if cold else None
    cold_ratio = cold_wall / hugo_wall if cold_wall is not None and hugo_wall else None
    rows.append(
        (
            "cold build, wall",
            _seconds(cold_wall),
            _seconds(hugo_wall),
            _ratio(cold_wall, hugo_wall),
            COLD_GOAL.text,
            verdict(COLD_GOAL, cold_ratio, n),
        )
    )
    rows.append(
        (
            "cold build, cpu",
            _seconds(cold.cpu if cold else None),
            _seconds(hugo.cpu if hugo else None),
            _ratio(cold.cpu if cold else None, hugo.cpu if hugo else None),
            "",
            "",
        )
    )
    for name, ours, theirs in (
        (
            "cold build, peak memory of the largest process",
            cold.largest_mb if cold else None,
            hugo.largest_mb if hugo else None,
        ),
        (
            "cold build, peak memory of the process tree",
            cold.tree_mb if cold else None,
            hugo.tree_mb if hugo else None,
        ),
    ):
        rows.append(
            (
                name,
                _mb(ours),
                _mb(theirs),
                _ratio(ours, theirs),
                f"{MEMORY_GOAL.text} at {MEMORY_GOAL.briefs:,} briefs",
                verdict(MEMORY_GOAL, ours, n),
            )
        )
    build_row("warm build, nothing changed (Hugo: its full build)", f.warm, WARM_GOAL)
    build_row("warm build, one brief's body edited (Hugo: its full build)", f.warm_body, EDIT_GOAL)
    build_row(
        "warm build, one brief's title edited (Hugo: its full build)", f.warm_title, EDIT_GOAL
    )
    for name, ours_spread, theirs_spread in (
        ("save to visible, body edit", f.serve_body, f.hugo_body),
        ("save to visible, title edit (page and brief index)", f.serve_title, f.hugo_title),
    ):
        rows.append(
            (
                name + " (median, min to max)",
                _spread(ours_spread),
                _spread(theirs_spread),
                _ratio(
                    ours_spread.median if ours_spread else None,
                    theirs_spread.median if theirs_spread else None,
                ),
                SERVE_GOAL.text,
                verdict(SERVE_GOAL, ours_spread.median if ours_spread else None, n),
            )
        )
    if f.large_briefs:
        large, size = f.large, f.large_briefs
        per_brief = ""
        if large is not None and cold is not None:
            per_brief = (
                f"; {large.wall / size * 1000:.1f} ms a brief against "
                f"{cold.wall / n * 1000:.1f} at {n:,}"
            )
        rows.append(
            (
                f"cold build at {size:,} briefs, wall (one run)",
                _seconds(large.wall if large else None) + per_brief,
                "not run",
                "n/a",
                "",
                "",
            )
        )
        for name, value in (
            ("largest process", large.largest_mb if large else None),
            ("process tree", large.tree_mb if large else None),
        ):
            rows.append(
                (
                    f"cold build at {size:,} briefs, peak memory of the {name}",
                    _mb(value),
                    "not run",
                    "n/a",
                    f"{LARGE_MEMORY_GOAL.text} at {LARGE_MEMORY_GOAL.briefs:,} briefs",
                    verdict(LARGE_MEMORY_GOAL, value, size),
                )
            )
    lines = [
        "| measure | briefgen | Hugo | briefgen / Hugo | goal | met? |",
        "|---|--:|--:|--:|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The cold-build table and the notes.


def cold_table(tools: Sequence[Tool], briefgen: Tool) -> str:
    """The Markdown table of every tool's cold-build medians."""
    lines = [
        "| tool | version | wall s | cpu s | peak MB, largest process | peak MB, process tree "
        "| pages | pages/s | briefgen ratio |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    ours = Build.of(briefgen)
    for tool in tools:
        build = Build.of(tool)
        if build is None:
            lines.append(f"| {tool.name} | {tool.version} | failed | | | | | | |")
            continue
        ratio = _ratio(ours.wall if ours else None, build.wall)
        lines.append(
            f"| {tool.name} | {tool.version} | {fmt_seconds(build.wall)} | "
            f"{fmt_seconds(build.cpu)} | {build.largest_mb:.0f} | {build.tree_mb:.0f} | "
            f"{tool.pages} | {tool.pages / build.wall:.0f} | {ratio} |"
        )
    return "\n".join(lines)


BUSY = 0.15
"""Cores busy outside the measured process above which a run is flagged."""


def outside_load(samples: Sequence[Sample]) -> str:
    """One line: how busy the machine was with other work during the timed runs."""
    loads = [s.other for s in samples]
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
