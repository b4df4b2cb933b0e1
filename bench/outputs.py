"""What the feeds and the sitemap add to a build: the same project built with them and without.

    python bench/outputs.py PROJECT [--runs 2] [--edits 7]

For each setting (everything on; ``[feeds] enabled = false``; feeds and sitemap both
off) it times ``--runs`` cold builds (``build``, no cache, the machine's cores) and then,
in one preview ``Rebuilder``, ``--edits`` rebuilds after a body edit and after a title
edit of one brief, printing medians and the files each rebuild wrote. briefgen.toml
and the edited brief are restored afterwards, whatever happens.

Generate the project with ``python bench/generate.py DIR --briefs 10000``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.preview import _edited, _one_brief
from briefgen.build import build
from briefgen.rebuild import Rebuilder

SETTINGS = {
    "feeds and sitemap on (default)": "",
    "feeds off": "\n[feeds]\nenabled = false\n",
    "feeds and sitemap off": "\n[feeds]\nenabled = false\n\n[sitemap]\nenabled = false\n",
}


@dataclass(frozen=True, slots=True)
class Measured:
    label: str
    files: int
    """Files the build wrote (pages, feeds, sitemap, robots.txt; not static files)."""
    cold: list[float]
    body: list[float]
    body_written: list[int]
    title: list[float]
    title_written: list[int]


def _median_ms(times: list[float]) -> str:
    """Median and minimum: on a shared machine the minimum is the least disturbed."""
    if not times:
        return "-"
    return f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f})"


def measure(project: Path, label: str, runs: int, edits: int) -> Measured:
    brief = _one_brief(project)
    original = brief.read_text(encoding="utf-8")
    cold: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs):
            started = time.perf_counter()
            build(project, Path(folder) / f"cold-{run}")
            cold.append(time.perf_counter() - started)
        rebuilder = Rebuilder(project, Path(folder) / "preview", drafts=False)
        rebuilder.full()
        files = len(rebuilder.deps)
        found: dict[str, tuple[list[float], list[int]]] = {}
        try:
            for what in ("body", "title"):
                times: list[float] = []
                written: list[int] = []
                for edit in range(edits):
                    brief.write_text(_edited(original, edit, what), encoding="utf-8")
                    started = time.perf_counter()
                    report = rebuilder.update([brief])
                    times.append(time.perf_counter() - started)
                    written.append(report.written)
                found[what] = (times, written)
        finally:
            brief.write_text(original, encoding="utf-8")
    return Measured(label, files, cold, *found["body"], *found["title"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("project", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--edits", type=int, default=7)
    args = parser.parse_args(argv)
    config = args.project / "briefgen.toml"
    kept = config.read_text(encoding="utf-8")
    results: list[Measured] = []
    try:
        for label, extra in SETTINGS.items():
            config.write_text(kept + extra, encoding="utf-8")
            print(f"measuring: {label}", file=sys.stderr)
            results.append(measure(args.project, label, args.runs, args.edits))
    finally:
        config.write_text(kept, encoding="utf-8")
    print(f"project: {args.project}; {args.runs} cold builds, {args.edits} edits of each kind")
    print()
    print(
        "| setting | files written | cold build, median (min) | body edit rebuild, median "
        "(min); files written | title edit rebuild, median (min); files written |"
    )
    print("|---|--:|--:|--:|--:|")
    for m in results:
        print(
            f"| {m.label} | {m.files} | "
            f"{statistics.median(m.cold):.2f} s (min {min(m.cold):.2f}) | "
            f"{_median_ms(m.body)}; {statistics.median(m.body_written):.0f} | "
            f"{_median_ms(m.title)}; {statistics.median(m.title_written):.0f} |"
        )


if __name__ == "__main__":
    main()
