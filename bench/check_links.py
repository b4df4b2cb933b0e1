"""Time the link checker on a built site: median of several runs.

    python bench/check_links.py PROJECT [SITE_DIR] [--runs 3]

Builds PROJECT into SITE_DIR first when SITE_DIR does not exist yet.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from briefgen.build import build
from briefgen.check import check_project


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("project", type=Path)
    parser.add_argument("site", type=Path, nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    site = args.site or args.project / "site"
    if not site.exists():
        result = build(args.project, site)
        print(f"built {result.pages} pages in {result.seconds:.1f} s")
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report = check_project(args.project, site)
        times.append(time.perf_counter() - started)
    print(report.summary())
    low, mid, high = min(times), statistics.median(times), max(times)
    print(f"check, median of {args.runs}: {mid:.2f} s (min {low:.2f}, max {high:.2f})")


if __name__ == "__main__":
    main()
