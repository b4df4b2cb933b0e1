"""What search indexing adds to a build: cold, warm, and the preview's.

::

    python bench/search.py [--briefs 1000,10000] [--work bench/.work/search]
                           [--results bench/RESULTS.md]

For each corpus size it generates a project (``bench/generate.py``, seed 1) and
measures, each once (the figures of a two-core machine shared with other work
drift by 15 %; the point is the share search takes, not the third digit):

1. the cold build (``briefgen build --no-cache`` as a whole process) with
   ``[search] enabled = false`` and with search on, and what the build itself
   reports the indexing took;
2. the warm build (``briefgen build``, from the cache of the build before it) after
   one brief's body is edited, search on: the edit changes an indexed page, so the
   whole site is indexed again;
3. the preview's way: an in-process ``Rebuilder`` that does not index (as
   ``briefgen serve`` runs it) takes the same edit, then the background indexer's
   work (``reindex``) is timed on its own: the save shows after the first figure,
   search finds the edit after both.

The figures are printed as a Markdown table and added to ``--results`` under a
heading of their own, newest first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate
from bench.latency import edit_body
from briefgen.outputs.search import reindex
from briefgen.rebuild import Rebuilder

# "... in 12.34 s (search index of 1234 pages: 5.67 s)", as `briefgen build` reports it.
_REPORTED = re.compile(
    r"in (?P<wall>[\d.]+) s(?: \(search index of (?P<pages>\d+) pages: (?P<search>[\d.]+) s\))?"
)


def run_build(project: Path, out: Path, *, cold: bool) -> tuple[float, float, int]:
    """Wall seconds of a ``briefgen build`` process; the indexing it reported; pages indexed."""
    command = [
        sys.executable,
        "-m",
        "briefgen",
        "build",
        "--project",
        str(project),
        "--out",
        str(out),
    ]
    if cold:
        command.append("--no-cache")
        shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    found = _REPORTED.search(done.stdout)
    if found is None or found["search"] is None:
        return wall, 0.0, 0
    return wall, float(found["search"]), int(found["pages"])


def set_search(project: Path, enabled: bool) -> None:
    config = project / "briefgen.toml"
    text = re.sub(r"\n\[search\]\nenabled = \w+\n", "\n", config.read_text(encoding="utf-8"))
    flag = "true" if enabled else "false"
    config.write_text(text.rstrip("\n") + f"\n\n[search]\nenabled = {flag}\n", encoding="utf-8")


def first_brief(project: Path) -> Path:
    return sorted((project / "content" / "briefs").rglob("*.md"))[0]


def measure(briefs: int, work: Path) -> dict[str, float]:
    project = work / f"project-{briefs}"
    shutil.rmtree(project, ignore_errors=True)
    generate(project, briefs, seed=1)
    out = work / f"site-{briefs}"
    figures: dict[str, float] = {}
    set_search(project, False)
    figures["cold_off"], _, _ = run_build(project, out, cold=True)
    set_search(project, True)
    figures["cold_on"], figures["cold_index"], pages = run_build(project, out, cold=True)
    figures["indexed_pages"] = pages
    brief = first_brief(project)
    brief.write_text(edit_body(brief.read_text(encoding="utf-8"), "zugzwang"), encoding="utf-8")
    figures["warm_on"], figures["warm_index"], _ = run_build(project, out, cold=False)
    # The preview: rebuild without indexing, then the background indexer's work.
    preview = work / f"preview-{briefs}"
    shutil.rmtree(preview, ignore_errors=True)
    rebuilder = Rebuilder(project, preview / "site", search_now=False)
    rebuilder.full()
    reindex(preview / "site")
    brief.write_text(edit_body(brief.read_text(encoding="utf-8"), "zeitnot"), encoding="utf-8")
    started = time.perf_counter()
    report = rebuilder.update([brief])
    figures["preview_rebuild"] = time.perf_counter() - started
    assert report.search_stale, "the edit changed an indexed page"
    figures["preview_index"] = reindex(preview / "site").seconds
    shutil.rmtree(preview, ignore_errors=True)
    return figures


def table(results: dict[int, dict[str, float]]) -> str:
    rows = [
        "| briefs | pages indexed | cold build, search off | cold build, search on | "
        "indexing (as the build reports it) | share of the cold build | "
        "warm build, one body edit | of which indexing | preview rebuild, one body edit | "
        "preview's background indexing after it |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for briefs, f in sorted(results.items()):
        share = f["cold_index"] / f["cold_on"] if f["cold_on"] else 0.0
        rows.append(
            f"| {briefs} | {int(f['indexed_pages'])} | {f['cold_off']:.1f} s | "
            f"{f['cold_on']:.1f} s | {f['cold_index']:.1f} s | {share:.0%} | "
            f"{f['warm_on']:.1f} s | "
            f"{f['warm_index']:.1f} s | {f['preview_rebuild'] * 1000:.0f} ms | "
            f"{f['preview_index']:.1f} s |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--work", type=Path, default=Path("bench/.work/search"))
    parser.add_argument("--results", type=Path, default=Path("bench/RESULTS.md"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = {}
    for size in (int(n) for n in args.briefs.split(",")):
        print(f"{size} briefs ...", flush=True)
        results[size] = measure(size, args.work.resolve())
        print(table({size: results[size]}), flush=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            f"## {stamp}: search indexing (Pagefind), {args.briefs} briefs",
            "",
            f"- machine: {platform.system()} {platform.release()}, {os.cpu_count()} cores, "
            f"CPython {platform.python_version()}",
            f"- command: `bench/search.py --briefs {args.briefs}`; each figure is one run",
            "",
            table(results),
            "",
            "Notes:",
            "- cold builds are whole `briefgen build --no-cache` processes into an empty "
            "folder; the warm build is `briefgen build` from the cache, after one brief's "
            "body was edited, so the whole index is made again (Pagefind has no partial update).",
            "- the preview rebuild is `Rebuilder.update` without indexing, as `briefgen serve` "
            "runs it; its background indexer then takes the time in the last column, during "
            "which the search page searches the previous index.",
            f"- this run took {(time.perf_counter() - started) / 60:.1f} minutes.",
            "",
        ]
    )
    print(section)
    if args.results.exists():
        text = args.results.read_text(encoding="utf-8")
        head, sep, rest = text.partition("\n## ")
        args.results.write_text(
            head.rstrip("\n") + "\n\n" + section + "\n" + sep.lstrip("\n") + rest
            if sep
            else text + "\n" + section,
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
