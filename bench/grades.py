"""What graded evidence costs: credibility on every citation, and key judgments on every brief.

    python bench/grades.py [--briefs 1000] [--runs 3]

Generates one corpus (bench/generate.py), then two copies of it: ``graded``, where
every citation carries credibility (``[@id, para. 3, cred. 2]``) and every source a
reliability, and ``judged``, which adds two key judgments to every brief as well. For
each it prints the best of ``--runs`` timings of the graph stage (every Markdown body
rendered, serially, without the cache: where credibility is parsed and judgments are
rendered and checked), the share of body lines the fast Markdown path rendered, and
the warnings the checks found.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate
from briefgen.build import graph_of, load_files
from briefgen.config import load_config
from briefgen.graph import build_lookup
from briefgen.load import load_content
from briefgen.markdown import MarkdownRenderer
from briefgen.paths import Url

# A citation item's locator, or its id alone, just before the ";" or "]" that ends it.
_ITEM_END = re.compile(r"(\[@[^\]\[]*?)(?=[;\]])")
_ITEM = re.compile(r"@[^\s,;\]]+(?:,[^;\]]*)?")


def _graded(text: str, rng: random.Random) -> str:
    """Every citation item of a body with a credibility after its locator."""

    def item(match: re.Match[str]) -> str:
        return f"{match[0]}, cred. {rng.randint(1, 6)}"

    def citation(match: re.Match[str]) -> str:
        return _ITEM.sub(item, match[0])

    return re.sub(r"\[@[^\]\[]*\]", citation, text)


def _judged(text: str, sources: list[str], rng: random.Random) -> str:
    """A brief with two key judgments in its front matter."""
    lines = []
    for number in (1, 2):
        cited = "; ".join(
            f"@{s}, para. {rng.randint(1, 9)}, cred. {rng.randint(1, 6)}"
            for s in rng.sample(sources, 2)
        )
        lines.append(
            f"  - text: >-\n      Judgment {number} holds for the talks and what follows\n"
            f"      from them [{cited}].\n    likelihood: likely\n    confidence: moderate\n"
        )
    return text.replace("\n---\n", "\nkey_judgments:\n" + "".join(lines) + "---\n", 1)


def _copy(source: Path, target: Path, judgments: bool) -> None:
    shutil.copytree(source, target)
    rng = random.Random(7)
    sources = sorted(p.stem for p in (target / "content" / "sources").rglob("*.md"))
    for path in sorted((target / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        head, rule, body = text.partition("\n---\n")
        if "/sources/" in path.as_posix() and "reliability:" not in head:
            head += f"\nreliability: {rng.choice('ABCDE')}"
        text = head + rule + _graded(body, rng)
        if judgments and "/briefs/" in path.as_posix():
            text = _judged(text, sources, rng)
        path.write_text(text, encoding="utf-8")


def _fast_share(project: Path) -> float:
    """The share of body lines the fast path renders."""
    content, _ = load_content(project)
    renderer = MarkdownRenderer(build_lookup(content, load_config(project).urls), path="fast")
    bodies = [brief.body for brief in content.briefs]
    bodies += [actor.body for actor in content.actors]
    bodies += [source.body for source in content.sources]
    fast = total = 0
    for body in bodies:
        lines = body.text.count("\n") + 1
        total += lines
        done = renderer.render_fast(body, Url("/x/"))
        fast += done[1] if done is not None else 0
    return fast / total if total else 0.0


def _graph_seconds(project: Path, runs: int) -> tuple[float, int]:
    config = load_config(project)
    best, warnings = float("inf"), 0
    for _ in range(runs):
        files = load_files(project)
        started = time.perf_counter()
        _, found = graph_of(files.values(), config, drafts=False, strict=False)
        best = min(best, time.perf_counter() - started)
        warnings = len(found)
    return best, warnings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "plain"
        generate(plain, briefs=args.briefs)
        _copy(plain, Path(folder) / "graded", judgments=False)
        _copy(plain, Path(folder) / "judged", judgments=True)
        print(f"{args.briefs} briefs, best of {args.runs} runs of the graph stage (serial)")
        print("| corpus | graph stage | fast-path share of body lines | warnings |")
        print("|---|---|---|---|")
        for name in ("plain", "graded", "judged"):
            project = Path(folder) / name
            seconds, warnings = _graph_seconds(project, args.runs)
            share = _fast_share(project)
            print(f"| {name} | {seconds:.2f} s | {100 * share:.1f} % | {warnings} |")


if __name__ == "__main__":
    main()
