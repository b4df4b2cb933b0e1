"""Where a build's time goes: each stage of one cold, serial build, timed.

    python bench/stages.py PROJECT

Runs the same stages as ``briefgen build --no-cache --jobs 1`` one by one
(config, load, graph with its Markdown rendering, render and write, static
files) and prints the seconds each took and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from briefgen.assets import plan_static
from briefgen.build import _render_page, graph_of, load_files
from briefgen.config import load_config
from briefgen.render import SiteRenderer
from briefgen.write import copy_static, staged


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("project", type=Path)
    args = parser.parse_args(argv)
    times: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        times[name] = now - started
        started = now

    config = load_config(args.project)
    lap("config")
    files = load_files(args.project)
    lap(f"load {len(files)} files (YAML, front matter)")
    site = graph_of(files.values(), config, drafts=False, strict=False)[0].site
    lap("graph (Markdown of every body, backlinks, timelines)")
    static = plan_static(args.project, fingerprint=True)
    renderer = SiteRenderer(site, config, args.project, assets=static.names)
    with tempfile.TemporaryDirectory() as folder, staged(Path(folder) / "site") as staging:
        lap("plan pages")
        for output in renderer.pages:
            _render_page((renderer, staging, False), output)
        lap(f"render and write {len(renderer.pages)} pages (Jinja)")
        copy_static(staging, static.copies)
        lap("static files")
    total = sum(times.values())
    for name, seconds in times.items():
        print(f"{seconds:8.2f} s  {100 * seconds / total:5.1f} %  {name}")
    print(f"{total:8.2f} s  total")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
