"""What the open data exports and the network page cost: each file's render time and size,
and what a preview save rewrites.

::

    python bench/exports.py [--briefs 10000] [--work bench/.work/exports]

Generates a corpus with ``bench/generate.py`` (once per size; kept in ``--work``),
plans the site as a build does and renders each output of ``outputs/`` on its own,
printing milliseconds and kilobytes, then times preview saves through
``Rebuilder.update``: a body edit that moves no export, and an edit of one citation's
locator (which rewrites ``citations.json`` and ``citations.csv``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate
from briefgen.build import graph_of, load_files
from briefgen.config import load_config
from briefgen.rebuild import Rebuilder
from briefgen.render import SiteRenderer


def render_times(project: Path) -> list[tuple[str, float, int]]:
    """Each export's and the network page's render time (ms) and size (bytes)."""
    config = load_config(project)
    index, _ = graph_of(load_files(project).values(), config, drafts=False, strict=False)
    renderer = SiteRenderer(index.site, config, project)
    rows = []
    timelines, timelines_ms, timelines_size = 0, 0.0, 0
    for output in renderer.pages:
        actor_timeline = output.startswith("actors/") and output.endswith("/timeline.json")
        export = output.startswith("data/") or output == "actors/network/index.html"
        if not export and not actor_timeline:
            continue
        started = time.perf_counter()
        page = renderer.render(output)
        ms, size = (time.perf_counter() - started) * 1000, len(page.html.encode())
        if actor_timeline:
            timelines, timelines_ms, timelines_size = (
                timelines + 1,
                timelines_ms + ms,
                timelines_size + size,
            )
        else:
            rows.append((output, ms, size))
    label = f"actors/*/timeline.json ({timelines} files, in all)"
    rows.append((label, timelines_ms, timelines_size))
    return rows


def save_times(project: Path, out: Path) -> list[tuple[str, float, int, list[str]]]:
    """A preview save of one brief: a line of prose, then a citation's locator."""
    rebuilder = Rebuilder(project, out)
    rebuilder.full()
    brief = next(p for p in sorted((project / "content" / "briefs").rglob("*.md")))
    original = brief.read_text(encoding="utf-8")
    rows = []
    try:
        head, rule, body = original.partition("\n---\n")
        edits = {
            "prose line above the citations": head + rule + "\nA new line.\n" + body,
            "one citation's locator": head
            + rule
            + re.sub(r"(\[@[^\],;]+), ([^\];]+)\]", r"\1, p. 999]", body, count=1),
            # The first save after a parallel full build makes every brief's share; later
            # saves remake the edited brief's share and join the others.
            "the same locator again": head
            + rule
            + re.sub(r"(\[@[^\],;]+), ([^\];]+)\]", r"\1, p. 998]", body, count=1),
        }
        for label, text in edits.items():
            before = {p: p.stat().st_mtime_ns for p in (out / "data").iterdir()}
            brief.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            report = rebuilder.update([brief])
            took = (time.perf_counter() - started) * 1000
            data = sorted(p.name for p in before if p.stat().st_mtime_ns != before[p])
            rows.append((label, took, report.written, data))
    finally:
        brief.write_text(original, encoding="utf-8")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("bench/.work/exports"))
    args = parser.parse_args(argv)
    project = (args.work / f"corpus-{args.briefs}").resolve()
    if not (project / "briefgen.toml").is_file():
        generate(project, args.briefs)
    print(f"{args.briefs} briefs: render time and size of each output")
    print("| file | ms | KB |\n|---|--:|--:|")
    for output, ms, size in render_times(project):
        print(f"| {output} | {ms:.0f} | {size / 1024:.0f} |")
    print("\npreview saves (Rebuilder.update)")
    print("| edit | ms | files written | exports rewritten |\n|---|--:|--:|---|")
    for label, ms, written, data in save_times(project, args.work / "preview"):
        print(f"| {label} | {ms:.0f} | {written} | {', '.join(data) or 'none'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
