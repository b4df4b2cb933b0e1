"""Full-text search: index the built pages with Pagefind and write its bundle.

The only module that imports pagefind. Pagefind runs as a subprocess (the
binary comes with the ``pagefind[bin]`` package; nothing is downloaded) and
reads the pages the build has just written: its own HTML reader decides what
a page says, what its filters are (``data-pagefind-filter``) and what shows in
a result (``data-pagefind-meta``), all set in the theme's templates. Only
pages with ``data-pagefind-body`` are indexed: briefs, actors, sources and
free pages, not the listings that repeat them. (A site with none of those,
an empty project, has every page indexed: that is Pagefind's rule when no page
is marked.)

Pagefind reads the folder the build has just written, with its command-line
program (found by the package), not page by page through its Python API: that
API reads each answer after a 0.1 s pause (10,000 pages would take over a quarter
of an hour) and stops its service as soon as the last answer comes, which under
load left files of the bundle empty. For the same pages the bundle is the same,
byte for byte, once bundle.py has put in order what Pagefind writes in no fixed
order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, error
from .bundle import settle

BUNDLE = "pagefind"
"""The folder of the output that holds the search bundle (``/pagefind/pagefind.js``...)."""

MARKER = "data-pagefind-body"
"""What a page that is indexed carries (see the theme's templates)."""


@dataclass(frozen=True, slots=True)
class Indexed:
    """What one indexing did."""

    pages: int
    """Pages in the index."""
    seconds: float
    """Wall time, the Pagefind process's start included."""


def searchable(html: str) -> bool:
    """Whether a rendered page goes into the index."""
    return MARKER in html


def _pagefind() -> Path:
    """Pagefind's binary, as its Python package finds it (``pagefind[bin]`` ships it)."""
    from pagefind.service import get_executable  # asyncio and more: only when indexing

    found = get_executable()
    if found is None or not found.is_file():
        hint = "pip install 'pagefind[bin]', or set enabled = false under [search] in briefgen.toml"
        raise ConfigError([error("[search]", 0, 0, "cannot find Pagefind's program", hint)])
    return found


def indexed_pages(bundle: Path) -> int:
    """How many pages a bundle holds (Pagefind's own count is of every HTML file it read)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(int(language["page_count"]) for language in entry["languages"].values())


def write_index(site: Path, bundle: Path | None = None) -> Indexed:
    """Index the pages under ``site`` and write the bundle to ``bundle`` (``site/pagefind``).

    Pagefind runs as its command-line program, which exits only once every file is
    written. (Its Python API's service answers as soon as the writes are under way, and
    then stops it: under load, files came out empty.) It runs in an empty folder, with
    no PAGEFIND_ variables, so no pagefind.yml or setting of the machine changes the
    index. ConfigError (exit 2) when it cannot run or fails.
    """
    started = time.perf_counter()
    target = (bundle or site / BUNDLE).resolve()
    program = _pagefind()
    command = [str(program), "--site", str(site.resolve()), "--output-path", str(target)]
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    with tempfile.TemporaryDirectory(prefix="briefgen-pagefind-") as empty:
        try:
            done = subprocess.run(
                [*command, "--silent"], cwd=empty, env=env, capture_output=True, text=True
            )
        except OSError as exc:
            message = f"cannot run Pagefind ({exc.strerror})"
            raise ConfigError([error("[search]", 0, 0, message)]) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        message = f"Pagefind could not index the site ({said[-1] if said else done.returncode})"
        raise ConfigError([error("[search]", 0, 0, message)])
    settle(target)
    return Indexed(indexed_pages(target), time.perf_counter() - started)


def reindex(site: Path, swapping: AbstractContextManager[object] | None = None) -> Indexed:
    """Index ``site`` again and swap the new bundle in for the old one.

    The new bundle is written beside the site, then takes the old one's place with
    two renames (under ``swapping``, when given: the preview holds its rebuilds off
    meanwhile): a reader of ``site/pagefind/`` meanwhile gets the last whole index.
    """
    site = site.resolve()
    fresh = Path(tempfile.mkdtemp(prefix=f".{site.name}-search-", dir=site.parent))
    try:
        done = write_index(site, fresh / BUNDLE)
        with swapping or nullcontext():
            current = site / BUNDLE
            if current.exists():
                current.replace(fresh / "old")
            (fresh / BUNDLE).replace(current)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return done


def keep_index(previous: Path, staging: Path) -> None:
    """Give a staging folder the last bundle (linked, not copied), until it is indexed again."""
    if not (previous / BUNDLE).is_dir():
        return

    def link(source: str, target: str) -> None:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    shutil.copytree(previous / BUNDLE, staging / BUNDLE, copy_function=link, dirs_exist_ok=True)
