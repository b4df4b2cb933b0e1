"""The benchmark's report (bench/report.py) and its memory figures (bench/timing.py).

The goals table is what the lead reads to decide whether issue 10 is done: each goal
next to its figure, met or not, and said so when the run was of another size.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.latency import Spread
from bench.report import (
    COLD_GOAL,
    LARGE_MEMORY_GOAL,
    MEMORY_GOAL,
    SERVE_GOAL,
    Build,
    Figures,
    goals_table,
    verdict,
)
from bench.timing import peaks


def test_verdict_says_met_not_met_or_not_measured() -> None:
    assert verdict(SERVE_GOAL, 0.120, 10_000) == "met"
    assert verdict(SERVE_GOAL, 0.150, 10_000) == "**not met**"  # "under" is strict
    assert verdict(SERVE_GOAL, None, 10_000) == "not measured"
    assert verdict(MEMORY_GOAL, 47, 300) == "met at 300 briefs (the goal is for 10,000)"
    assert verdict(LARGE_MEMORY_GOAL, 3000, 50_000) == "**not met**"
    assert verdict(COLD_GOAL, 2.59, 10_000) == "**not met**"


def figures(briefs: int = 10_000, large_briefs: int = 0) -> Figures:
    return Figures(
        briefs=briefs,
        cold=Build(wall=37.6, cpu=41.6, largest_mb=590, tree_mb=1732, runs=3),
        hugo=Build(wall=14.6, cpu=25.6, largest_mb=1843, tree_mb=1843, runs=3),
        warm=Build(wall=0.42, cpu=0.41, largest_mb=47, tree_mb=47, runs=3),
        warm_body=Build(wall=16.5, cpu=16.0, largest_mb=900, tree_mb=900, runs=3),
        warm_title=None,
        serve_body=Spread(0.120, 0.100, 0.300, 10),
        serve_title=Spread(4.58, 4.1, 5.0, 10),
        hugo_body=Spread(0.470, 0.430, 0.530, 10),
        hugo_title=None,
        large=Build(wall=179.2, cpu=190.0, largest_mb=3000, tree_mb=3100, runs=1)
        if large_briefs
        else None,
        large_briefs=large_briefs,
    )


def rows(table: str) -> dict[str, list[str]]:
    """The table's rows by their first cell, each a list of the other cells."""
    found = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        found[cells[0]] = cells[1:]
    return found


def test_goals_table_puts_each_figure_next_to_hugo_and_its_goal() -> None:
    table = rows(goals_table(figures()))

    assert table["cold build, wall"] == [
        "37.6 s",
        "14.6 s",
        "2.58",
        "faster than Hugo (ratio under 1)",
        "**not met**",
    ]
    assert table["cold build, peak memory of the largest process"] == [
        "590 MB",
        "1843 MB",
        "0.32",
        "under 400 MB at 10,000 briefs",
        "**not met**",
    ]
    assert table["cold build, peak memory of the process tree"][0] == "1732 MB"
    assert table["warm build, nothing changed (Hugo: its full build)"][3:] == [
        "under 0.5 s",
        "met",
    ]
    assert table["warm build, one brief's body edited (Hugo: its full build)"][4] == ("**not met**")
    assert table["warm build, one brief's title edited (Hugo: its full build)"] == [
        "not measured",
        "14.6 s",
        "n/a",
        "under 1 s",
        "not measured",
    ]
    assert table["save to visible, body edit (median, min to max)"] == [
        "120 ms (100 ms to 300 ms)",
        "470 ms (430 ms to 530 ms)",
        "0.26",
        "under 150 ms",
        "met",
    ]
    title = table["save to visible, title edit (page and brief index) (median, min to max)"]
    assert title == [
        "4.58 s (4.10 s to 5.00 s)",
        "not measured",
        "n/a",
        "under 150 ms",
        "**not met**",
    ]
    assert not any("50,000" in name for name in table)  # no large row unless asked


def test_goals_table_large_row_and_other_sizes() -> None:
    table = rows(goals_table(figures(briefs=1_000, large_briefs=50_000)))

    assert table["cold build, wall"][4] == "**not met** at 1,000 briefs (the goal is for 10,000)"
    wall = table["cold build at 50,000 briefs, wall (one run)"]
    assert wall[0] == "179.2 s; 3.6 ms a brief against 37.6 at 1,000"
    memory = table["cold build at 50,000 briefs, peak memory of the largest process"]
    assert memory[0] == "3000 MB"
    assert memory[3:] == ["under 1 GB at 50,000 briefs", "**not met**"]


def test_peaks_keep_the_kernel_figure_and_a_tree_no_smaller_than_its_largest() -> None:
    assert peaks(maxrss_kb=500, sampled_largest_kb=400, sampled_tree_kb=900) == (500, 900)
    assert peaks(maxrss_kb=500, sampled_largest_kb=600, sampled_tree_kb=0) == (600, 600)


def test_measure_counts_forked_children_in_the_tree_not_in_the_largest(tmp_path: Path) -> None:
    # Two processes of about 60 MB each, alive at once for two seconds: the tree is about
    # the sum, the largest process about one of them.
    script = (
        "import os, time\n"
        "child = os.fork()\n"
        "block = b'x' * (60 * 1024 * 1024)\n"  # touched, so resident, in both processes
        "time.sleep(2)\n"
        "if child:\n"
        "    os.waitpid(child, 0)\n"
        "else:\n"
        "    os._exit(0)\n"
    )
    # The sampler reads /proc every 50 ms from a thread of this process; on a machine busy
    # with the rest of the suite a thread can be starved for the whole window, so a run that
    # saw only one process is tried again (at most three runs).
    # It measures from a fresh interpreter: the kernel's peak RSS of a child counts the
    # process it was forked from before its exec, and a test worker that has run half the
    # suite is itself over 100 MB.
    runner = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from bench.timing import measure\n"
        "s = measure([sys.executable, '-c', sys.argv[1]], Path(sys.argv[2]))\n"
        "print(json.dumps([s.returncode, s.largest_kb, s.tree_kb]))\n"
    )
    root = Path(__file__).resolve().parent.parent
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", runner, script, str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
        )
        returncode, largest_kb, tree_kb = json.loads(done.stdout)
        if tree_kb > largest_kb + 25 * 1024:
            break

    assert returncode == 0
    assert 60 * 1024 < largest_kb < 120 * 1024
    # The second process's 60 MB count in the tree, not in the largest process (the
    # kernel's peak for the largest can run past one process's sampled figure on a busy
    # machine, so the margin asked for is less than the whole 60 MB).
    assert tree_kb > largest_kb + 25 * 1024
