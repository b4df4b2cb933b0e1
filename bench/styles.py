"""What a CSL citation style costs a cold build: the same project in the house style and in
CSL styles (``citation_style``, formatted by citeproc-py once per source per build).

    python bench/styles.py PROJECT [--runs 1] [--styles apa,chicago-notes-bibliography]

For the house style and each style it times ``--runs`` cold builds (``build``, no cache,
the machine's cores) and the formatting of every source alone (``Citations.prime``, in
the same number of workers), printing medians. briefgen.toml is restored afterwards,
whatever happens.

Generate the project with ``python bench/generate.py DIR --briefs 10000``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefgen.build import build, graph_of, load_files
from briefgen.config import CONFIG_FILE, load_config
from briefgen.csl import Citations, load_style
from briefgen.parallel import default_jobs

HOUSE = "house style (no citation_style)"


def _with_style(original: str, style: str) -> str:
    """briefgen.toml with ``citation_style`` set first (top-level keys precede tables)."""
    kept = "".join(
        line for line in original.splitlines(keepends=True) if not line.startswith("citation_style")
    )
    return f'citation_style = "{style}"\n{kept}' if style else kept


def _seconds(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} s (min {min(times):.1f})"


def measure(project: Path, style: str, runs: int) -> tuple[list[float], float, int]:
    """Cold build times, the time to format every source, and how many sources."""
    cold: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs):
            started = time.perf_counter()
            build(project, Path(folder) / f"cold-{run}")
            cold.append(time.perf_counter() - started)
    config = load_config(project)
    index, _ = graph_of(load_files(project).values(), config, drafts=False, strict=False)
    sources = [node.source for node in index.site.sources.values()]
    citations = Citations(load_style(project, config))
    started = time.perf_counter()
    citations.prime(sources, jobs=default_jobs())
    return cold, time.perf_counter() - started, len(sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="styles.py", description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--styles", default="apa,chicago-notes-bibliography")
    args = parser.parse_args(argv)
    project: Path = args.project
    config = project / CONFIG_FILE
    original = config.read_text(encoding="utf-8")
    rows: list[tuple[str, list[float], float, int]] = []
    try:
        for style in ["", *args.styles.split(",")]:
            config.write_text(_with_style(original, style), encoding="utf-8")
            cold, formatting, count = measure(project, style, args.runs)
            rows.append((style or HOUSE, cold, formatting, count))
            print(f"{style or HOUSE}: cold {_seconds(cold)}, sources formatted {formatting:.1f} s")
    finally:
        config.write_text(original, encoding="utf-8")
    print()
    print("| references | cold build | formatting every source (in the build) | sources |")
    print("|---|--:|--:|--:|")
    for label, cold, formatting, count in rows:
        shown = "-" if label == HOUSE else f"{formatting:.1f} s"
        print(f"| {label} | {_seconds(cold)} | {shown} | {count} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
