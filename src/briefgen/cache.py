"""The persistent build cache in .briefgen-cache/: a warm build redoes only what changed.

Two files live there. ``build.json`` is small: the cache key, the size and
modification time of every input file, and a stamp of the output folder; when
all of them match, the site is up to date and nothing is read or written.
``build.pickle`` holds the last build's state (files as read, rendered
Markdown, the site graph, what each page read): when some inputs changed, the
build goes on from it like the preview server does, re-reading the changed
files and re-rendering the pages they touch.

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
import json
import pickle
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .build import BuildResult, Progress
from .config import CONFIG_FILE, load_config
from .errors import ConfigError, Diagnostic, Severity, unreadable
from .paths import content_files
from .rebuild import Rebuilder
from .render import THEME
from .write import recover

CACHE_DIR = ".briefgen-cache"
_MANIFEST = "build.json"
_STATE = "build.pickle"
_CODE = Path(__file__).parent


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cycle collector while pickle makes or reads millions of objects.

    It holds no cycles worth collecting then, and its repeated passes over the
    growing heap made loading a 10,000-brief state take 5.6 s instead of 3.5 s.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    return digest.hexdigest()


def input_stats(project: Path) -> tuple[dict[str, list[int]], list[Diagnostic]]:
    """Size and modification time of every content and static file; folders not read.

    A folder that cannot be read or loops back hides what is in it from the stats,
    so the build must not trust them: it reads everything again, and reports it.
    """
    found = content_files(project)
    files = list(found.files)
    for folder in (project / "static", THEME / "static"):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    stats = {}
    for file in files:
        try:
            info = file.stat()
        except OSError:  # a dangling or looping link: changed, so that loading reports it
            stats[str(file)] = [-1, -1]
            continue
        stats[str(file)] = [info.st_size, info.st_mtime_ns]
    return stats, found.problems


def output_stamp(out: Path) -> list[int] | None:
    """Enough of the output folder to tell that it is the one this cache wrote."""
    index, missing = out / "index.html", out / "404.html"
    if not (index.is_file() and missing.is_file()):
        return None
    return [index.stat().st_mtime_ns, index.stat().st_size, missing.stat().st_mtime_ns]


class BuildCache:
    """Reads and writes one project's cache folder."""

    def __init__(self, project: Path) -> None:
        self.folder = project / CACHE_DIR

    def manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.folder / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def state(self) -> Rebuilder | None:
        try:
            with (self.folder / _STATE).open("rb") as file, _collector_paused():
                state = pickle.load(file)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
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
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{_STATE}.partial"
        with partial.open("wb") as file, _collector_paused():
            pickle.dump(rebuilder, file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(self.folder / _STATE)
        manifest = {
            "key": key,
            "stats": stats,
            "stamp": output_stamp(out),
            "warnings": [asdict(w) | {"severity": w.severity.value} for w in warnings],
        }
        (self.folder / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


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
    stats, unread = input_stats(project)
    cache = BuildCache(project)
    recover(out)
    manifest = cache.manifest()
    stamp = output_stamp(out)
    output_intact = (
        manifest.get("key") == key and stamp is not None and stamp == manifest.get("stamp")
    )
    if unread:
        output_intact = False  # the full build that follows reports them with everything else
    if output_intact and manifest.get("stats") == stats:
        warnings = tuple(
            Diagnostic(**(w | {"severity": Severity(w["severity"])})) for w in manifest["warnings"]
        )
        return BuildResult(out, 0, time.perf_counter() - started, warnings, mode="unchanged")

    rebuilder = cache.state() if output_intact else None
    if rebuilder is not None:
        rebuilder.jobs, rebuilder.progress = jobs, progress
        old: dict[str, list[int]] = manifest.get("stats", {})
        changed = [Path(p) for p in stats.keys() | old.keys() if stats.get(p) != old.get(p)]
        report = rebuilder.update(changed, before_apply=cache.forget)
    else:
        rebuilder = Rebuilder(
            project,
            out,
            drafts=drafts,
            strict=strict,
            fingerprint=fingerprint,
            jobs=jobs,
            progress=progress,
        )
        report = rebuilder.full()
    cache.save(key, stats, out, rebuilder, report.diagnostics)
    seconds = time.perf_counter() - started
    mode = "full" if report.full else "updated"
    return BuildResult(out, report.written, seconds, report.diagnostics, mode=mode)
