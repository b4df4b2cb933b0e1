"""The persistent build cache in .briefgen-cache/: a warm build redoes only what changed.

Three files live there. ``build.manifest`` is small: the cache key, the size and
modification time of every input file, and the size and modification time of
every output file as the build left it; when all of them match, the site is up
to date and nothing is read or written. When the output differs (a page
deleted, edited or added by hand), the build is a full one.
``build.pickle`` holds the last build's state (files as read, the site graph,
what each page read), and ``bodies.sqlite`` its rendered Markdown (state.py):
when some inputs changed, the build goes on from it like the preview server
does, re-reading the changed files and re-rendering the pages they touch.

The key covers everything that shapes the output besides the content:
briefgen's version and its own code, the Python version, briefgen.toml, every
template, and the build's options. A cache made under any other key is
ignored, so a stale cache can never produce a wrong page, and deleting the
folder is always safe.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import marshal
import os
import pickle
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from . import __version__
from .build import BuildResult, Progress
from .collector import collector_paused
from .config import CONFIG_FILE, load_config, style_files
from .errors import ConfigError, Diagnostic, Severity, unreadable
from .headers import NETLIFY_FILE
from .parallel import in_child
from .paths import content_file_names
from .rebuild import Rebuild, Rebuilder
from .render import THEME
from .siteindex import SiteIndex
from .state import Saver
from .state import load as load_state
from .state import save as save_state
from .store import BlobStore, MissingBlob
from .write import recover

CACHE_DIR = ".briefgen-cache"
_MANIFEST = "build.manifest"
"""Written with ``marshal``: plain dicts, lists, strings and numbers, for 27,000 files at
10,000 briefs. As JSON it took 0.1 s of a warm build to write and 0.03 s to read."""
_STATE = "build.pickle"
_BODIES = "bodies.sqlite"
_TEMPLATES = "templates"
"""Compiled templates (see render.py)."""
_CODE = Path(__file__).parent


def _hash_files(digest: Any, files: list[Path], root: Path, label: str = "") -> None:
    for file in files:
        shown = label + file.relative_to(root).as_posix()
        digest.update(shown.encode())
        try:
            digest.update(file.read_bytes())
        except OSError as exc:
            raise ConfigError([unreadable(shown, exc, "template")]) from None


def cache_key(project: Path, out: Path, options: dict[str, object]) -> str:
    """A hash of everything besides the content and static files that shapes the output."""
    digest = hashlib.sha256()
    digest.update(f"{__version__} {sys.version} {sorted(options.items())} {out}".encode())
    _hash_files(digest, sorted(_CODE.rglob("*.py")), _CODE)
    theme = sorted(p for p in (THEME / "templates").rglob("*") if p.is_file())
    _hash_files(digest, theme, THEME, "briefgen/theme/")
    templates = project / "templates"
    if templates.is_dir():
        _hash_files(digest, sorted(p for p in templates.rglob("*") if p.is_file()), project)
    config = project / CONFIG_FILE
    digest.update(config.read_bytes() if config.is_file() else b"")
    # A citation_style written as a .csl file in the project shapes every reference.
    for style in style_files(project):
        digest.update(style.read_bytes() if style.is_file() else b"")
    # Its policy decides whether search works, which a build warns about (see headers.py).
    netlify = project / NETLIFY_FILE
    digest.update(netlify.read_bytes() if netlify.is_file() else b"")
    return digest.hexdigest()


def input_stats(project: Path) -> tuple[dict[str, list[int]], list[Diagnostic]]:
    """Size and modification time of every content and static file; folders not read.

    A folder that cannot be read or loops back hides what is in it from the stats,
    so the build must not trust them: it reads everything again, and reports it.
    """
    files, problems = content_file_names(project)
    for folder in (project / "static", THEME / "static"):
        if folder.is_dir():
            files += sorted(str(p) for p in folder.rglob("*") if p.is_file())
    stats = {}
    for file in files:
        try:
            info = os.stat(file)  # noqa: PTH116 - a path as a string: no pathlib per file
        except OSError:  # a dangling or looping link: changed, so that loading reports it
            stats[file] = [-1, -1]
            continue
        stats[file] = [info.st_size, info.st_mtime_ns]
    return stats, problems


def output_files(out: Path) -> dict[str, list[int]]:
    """Size and modification time of every file in the output, by path relative to it.

    A walk of a 1,000-brief site (1,360 files) took 27 to 77 ms on a loaded
    two-core machine, next to 5.6 s to render it: cheap enough for every build.
    Paths are joined as strings: pathlib's ``relative_to`` made the walk of a
    10,000-brief site (13,400 files) take 1.2 s instead of about 0.1 s.
    """
    found: dict[str, list[int]] = {}
    folders = [(str(out), "")]  # (folder, its path relative to out with a final slash)
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found[prefix + entry.name] = [info.st_size, info.st_mtime_ns]
    return found


def output_changes(recorded: object, now: dict[str, list[int]]) -> list[str]:
    """What differs between the output as the last build left it and as it is now.

    Each entry is ``briefs/a/index.html missing``, ``... changed`` or ``... added``,
    sorted; an unreadable record counts as one change.
    """
    if not isinstance(recorded, dict) or not recorded:
        return ["the last build's file list is missing"]
    changes = [f"{rel} missing" for rel in recorded if rel not in now]
    changes += [
        f"{rel} changed" for rel, stat in now.items() if rel in recorded and recorded[rel] != stat
    ]
    changes += [f"{rel} added" for rel in now if rel not in recorded]
    return sorted(changes)


class BuildCache:
    """Reads and writes one project's cache folder."""

    def __init__(self, project: Path) -> None:
        self.folder = project / CACHE_DIR
        self.store = BlobStore(self.folder / _BODIES)
        """The rendered bodies the state refers to (see state.py)."""

    def manifest(self) -> dict[str, Any]:
        try:
            data = marshal.loads((self.folder / _MANIFEST).read_bytes())
        except (OSError, ValueError, EOFError, TypeError):  # gone, or damaged
            return {}
        return data if isinstance(data, dict) else {}

    def state(self) -> Rebuilder | None:
        try:
            with (self.folder / _STATE).open("rb") as file, collector_paused(freeze=True):
                state = load_state(file, self.store)
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            sqlite3.Error,
        ):
            return None
        return state if isinstance(state, Rebuilder) else None

    def forget(self) -> None:
        """Mark the output as no longer the one this cache describes (before changing it).

        A build killed while it moves files into the output then leaves no
        manifest, and the next build is a full one.
        """
        with contextlib.suppress(FileNotFoundError):
            (self.folder / _MANIFEST).unlink()

    def save(
        self,
        key: str,
        stats: dict[str, list[int]],
        out: Path,
        rebuilder: Rebuilder,
        warnings: tuple[Diagnostic, ...],
        output: dict[str, list[int]] | None = None,
        saver: Saver | None = None,
        live: int | None = None,
    ) -> None:
        """Save the state and the manifest; ``output``: the output's files as the build
        left them, when the caller knows (otherwise the folder is walked); ``saver``: one
        that began the save while the build rendered (``early_save``); ``live``: the
        blobs in use after the last collection of the store (see ``BlobStore.collect``)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{_STATE}.partial"
        with partial.open("wb") as file, collector_paused():
            used = save_state(rebuilder, file, self.store, saver)
        partial.replace(self.folder / _STATE)
        live = self.store.collect(used, live=live)
        manifest = {
            "key": key,
            "live": live,
            "stats": stats,
            "output": output_files(out) if output is None else output,
            "warnings": [asdict(w) | {"severity": w.severity.value} for w in warnings],
        }
        (self.folder / _MANIFEST).write_bytes(marshal.dumps(manifest))


def early_save(saver: Saver) -> Callable[[SiteIndex], Iterator[object]]:
    """The save of a site's nodes, years, briefs' parts and bodies as steps for while the
    workers render its pages: the parent process only waited for them, and then saved
    alone (5.7 s of a 10,000-brief cold build's 36 s)."""

    def steps(index: SiteIndex) -> Iterator[object]:
        site = index.site
        return saver.steps(
            itertools.chain(
                site.briefs.values(),
                site.actors.values(),
                site.sources.values(),
                site.timeline,
                (node.body for node in site.pages.values()),
                index.parts.values(),
            )
        )

    return steps


def _after(out: Path, before: dict[str, list[int]], report: Rebuild) -> dict[str, list[int]] | None:
    """The output's files after an update that says what it touched: the list taken
    before it, with those files looked at again (a second walk of a 10,000-brief site's
    13,700 files took 0.35 s of a 2.8 s warm build). None when the update does not say."""
    if report.full or report.touched is None:
        return None
    after = dict(before)
    for rel in report.touched:
        try:
            info = (out / rel).lstat()
        except FileNotFoundError:
            after.pop(rel, None)
            continue
        after[rel] = [info.st_size, info.st_mtime_ns]
    return after


def cached_build(
    project: Path,
    out: Path,
    *,
    drafts: bool = False,
    strict: bool = False,
    fingerprint: bool = True,
    jobs: int = 1,
    progress: Progress | None = None,
) -> BuildResult:
    """Build using and refreshing .briefgen-cache/; the result says how many pages were written."""
    started = time.perf_counter()
    if not (project / CONFIG_FILE).is_file():
        load_config(project)  # its error, as the cold build's, says where the project is
    project = project.resolve()
    out = out.resolve()
    options: dict[str, object] = {"drafts": drafts, "strict": strict, "fingerprint": fingerprint}
    key = cache_key(project, out, options)
    cache = BuildCache(project)
    recover(out)
    out_existed = out.is_dir()
    # The walk of the output (0.13 s at 10,000 briefs) in a child process, while this one
    # reads the inputs' stats, the manifest and, when some input changed, the state.
    walk = in_child(output_files, out) if jobs > 1 else partial(output_files, out)
    loaded: Rebuilder | None = None
    try:
        stats, unread = input_stats(project)
        manifest = cache.manifest()
        same_key = manifest.get("key") == key
        if same_key and not unread and manifest.get("stats") != stats:
            loaded = cache.state()  # not used if the output turns out changed by hand
    except BaseException:
        with contextlib.suppress(Exception):
            walk()  # the child reaped; the first problem is the one reported
        raise
    found = walk()
    if not same_key:
        # Compiled templates depend on briefgen's code too (what is escaped, filters folded
        # into constants), which Jinja's check of the template's text does not see.
        shutil.rmtree(cache.folder / _TEMPLATES, ignore_errors=True)
    recorded = manifest.get("output")
    changes = output_changes(recorded, found) if same_key else []
    # Pages missing or changed but none added: every file there is one a build wrote, so
    # it may be replaced even without its home page (which makes a folder look like a site).
    ours = (
        bool(changes)
        and isinstance(recorded, dict)
        and bool(recorded)
        and found.keys() <= recorded.keys()
    )
    # Folders that cannot be read: the full build that follows reports them with the rest.
    output_intact = same_key and not changes and not unread
    if output_intact and manifest.get("stats") == stats:
        warnings = tuple(
            Diagnostic(**(w | {"severity": Severity(w["severity"])})) for w in manifest["warnings"]
        )
        return BuildResult(out, 0, time.perf_counter() - started, warnings, mode="unchanged")

    rebuilder = loaded if output_intact else None
    if rebuilder is None and loaded is not None:
        # Loaded for nothing (the output was changed by hand): not kept through the full
        # build that follows, nor frozen out of the collector's sight.
        loaded = None
        cache.store.made.clear()
        gc.unfreeze()
    saver: Saver | None = None
    if rebuilder is not None:
        rebuilder.jobs, rebuilder.progress = jobs, progress
        rebuilder.template_cache = cache.folder / _TEMPLATES
        rebuilder.cache.scratch_folder = cache.folder
        old: dict[str, list[int]] = manifest.get("stats", {})
        changed = [Path(p) for p in stats.keys() | old.keys() if stats.get(p) != old.get(p)]
        # The loaded state is a million objects that live to the end of the build: out of
        # the cycle collector's sight, whose full passes over them cost 0.6 s at 10k briefs.
        gc.freeze()
        try:
            report = rebuilder.update(changed, before_apply=cache.forget)
        except (MissingBlob, sqlite3.Error):
            # A body the state names is gone from the store (deleted, or damaged): nothing
            # was written yet, so build everything instead, into a store started anew.
            rebuilder = loaded = None
            cache.store.made.clear()
            cache.store.clear()
        finally:
            gc.unfreeze()
    if rebuilder is None:
        rebuilder = Rebuilder(
            project,
            out,
            drafts=drafts,
            strict=strict,
            fingerprint=fingerprint,
            jobs=jobs,
            progress=progress,
        )
        rebuilder.template_cache = cache.folder / _TEMPLATES
        rebuilder.cache.scratch_folder = cache.folder
        saver = Saver(cache.store)
        try:
            report = rebuilder.full(ours=ours, meanwhile=early_save(saver))
        except BaseException:
            saver.abandon()
            raise
    # After a full build, every blob of the state before it is no longer in use.
    live = manifest.get("live") if saver is None else None
    cache.save(
        key,
        stats,
        out,
        rebuilder,
        report.diagnostics,
        _after(out, found, report),
        saver,
        live if isinstance(live, int) else None,
    )
    seconds = time.perf_counter() - started
    mode = "full" if report.full else "updated"
    repaired = tuple(changes) if out_existed else ()
    return BuildResult(
        out,
        report.written,
        seconds,
        report.diagnostics,
        mode=mode,
        output_changes=repaired,
        search=report.search,
    )
