"""Incremental rebuilds for the preview: re-read what changed, re-render the pages it touches.

A ``Rebuilder`` keeps the last good build in memory: every content file as
read, the rendered Markdown bodies, the site graph and, for every page, what
it read (see track.py). An edit to one brief re-reads that file, rebuilds the
graph (cheap: unchanged bodies come from the cache), compares the new graph
with the old one and re-renders only the pages that read something that
changed. The result is byte-for-byte what a full build writes; a test checks
it over random sequences of edits. A change to briefgen.toml or a template
rebuilds everything.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .assets import plan_static
from .build import (
    Progress,
    alias_collisions,
    bundle_collisions,
    checked,
    full_build,
    graph_of,
    missing_images,
    static_collisions,
)
from .config import CONFIG_FILE, Config, style_files
from .errors import ContentError, Diagnostic, Severity, has_errors
from .load import LoadedFile, load_file, load_tree
from .markdown import RenderCache
from .model import Brief
from .outputs.search import BUNDLE, Indexed, reindex, searchable
from .pages import replans
from .paths import content_path
from .render import THEME, RenderedPage, SiteRenderer
from .site import Site
from .siteindex import SiteIndex
from .track import ALL, Key, PageReads, changed_keys, dirty_pages, pack_deps
from .write import updating


@dataclass(frozen=True, slots=True)
class Rebuild:
    """What one build or rebuild did, for the one-line report."""

    changed: tuple[str, ...]
    """The files that changed, relative to the project ('' entries for a first build)."""
    full: bool
    """True when every page was rendered."""
    written: int
    """Pages (and static files) written."""
    removed: int
    """Pages deleted because their entry went away."""
    seconds: float
    diagnostics: tuple[Diagnostic, ...]
    """Warnings."""
    css_only: bool = False
    """True when only stylesheets changed, so pages can swap them without reloading."""
    search_stale: bool = False
    """True when what the search index holds changed and it was not indexed again here
    (the preview indexes in the background: see serve/)."""
    search: Indexed | None = None
    """What indexing the site for search did, when this build did."""
    touched: tuple[str, ...] | None = None
    """The output files this update wrote or removed (relative to the output folder), so
    the cache can refresh its list of the output without walking it; None when unknown
    (a full build, or a search index written)."""

    def summary(self) -> str:
        """``content/briefs/x.md changed: 14 pages written in 38 ms``."""
        what = ", ".join(self.changed[:3]) + (" ..." if len(self.changed) > 3 else "")
        head = f"{what} changed" if self.changed else "built"
        kind = "all pages" if self.full else "incremental"
        removed = f", {self.removed} removed" if self.removed else ""
        search = f", search index {self.search.seconds:.1f} s" if self.search else ""
        took = f"{self.seconds * 1000:.0f} ms"
        return f"{head}: {self.written} written{removed} ({kind}) in {took}{search}"


class Rebuilder:
    """Builds a project into ``out`` and keeps it up to date, one change set at a time."""

    def __init__(
        self,
        project: Path,
        out: Path,
        *,
        drafts: bool = True,
        strict: bool = False,
        fingerprint: bool = False,
        jobs: int = 1,
        progress: Progress | None = None,
        search_now: bool = True,
        keep_fragments: bool = False,
    ) -> None:
        self.project = project.resolve()
        self.out = out
        self.drafts = drafts
        self.strict = strict
        self.fingerprint = fingerprint
        """The preview keeps asset names as they are, so stylesheets can be swapped live."""
        self.jobs = jobs
        self.progress = progress
        self.files: dict[str, LoadedFile] = {}
        self.cache = RenderCache()
        self.config: Config | None = None
        self.site: Site | None = None
        self.deps: MutableMapping[str, frozenset[Key]] = {}
        """What each page read (after a warm build's load, packed: ``track.PageReads``)."""
        self.renderer: SiteRenderer | None = None
        self.index: SiteIndex | None = None
        """The last site's indexes, for the next rebuild to go on from."""
        self.stale = True
        """True until a full build succeeds, and again after one fails."""
        self.unsynced: set[Path] = set()
        """Static files changed since the output last took an update."""
        self.template_cache: Path | None = None
        """Where Jinja may keep compiled templates between processes (see render.py)."""
        self.keep_fragments = keep_fragments
        """Have a full build's workers send back the pieces of pages they made (the preview:
        see ``full_build``)."""
        self.search_now = search_now
        """Index for search as part of each build that changes what the index holds (warm
        builds: a stale index must never be published); False for the preview, which keeps
        the last index and reports it stale (``Rebuild.search_stale``)."""

    def __getstate__(self) -> dict[str, object]:
        # What a warm build needs from the last one; compiled templates are made again.
        state = {k: v for k, v in self.__dict__.items() if k not in ("renderer", "progress")}
        deps = self.deps
        packed = deps.pack() if isinstance(deps, PageReads) else pack_deps(deps)
        return {**state, "renderer": None, "progress": None, "deps": packed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, deps=PageReads(state["deps"]))

    def full(
        self,
        changed: Iterable[str] = (),
        *,
        ours: bool = False,
        meanwhile: Callable[[SiteIndex], Iterator[object]] | None = None,
    ) -> Rebuild:
        """Read everything and render every page (the same path as ``briefgen build``).

        ``ours``: every file in the output is one a build wrote; ``meanwhile``: work for
        while the workers render (both: see ``full_build``).
        """
        self.stale = True
        self.index = None
        done = full_build(
            self.project,
            self.out,
            drafts=self.drafts,
            strict=self.strict,
            cache=self.cache,
            fingerprint=self.fingerprint,
            jobs=self.jobs,
            progress=self.progress,
            ours=ours,
            search_now=self.search_now,
            template_cache=self.template_cache,
            meanwhile=meanwhile,
            keep_fragments=self.keep_fragments,
        )
        self.config, self.site, self.files = done.config, done.site, done.files
        self.deps, self.renderer, self.index = done.deps, done.renderer, done.index
        # The bodies an update renders stay in memory: a few per edit, and all of them after
        # a new name or alias, which in a scratch store would be written again each time
        # while the texts still there kept it from going (see markdown/spilled.py).
        self.cache.spill = None
        self.stale = False
        self.unsynced = set()
        result = done.result
        return Rebuild(
            tuple(changed),
            True,
            result.pages,
            0,
            result.seconds,
            result.diagnostics,
            search_stale=done.config.search.enabled and not self.search_now,
            search=result.search,
        )

    def update(
        self, paths: Iterable[Path], before_apply: Callable[[], None] | None = None
    ) -> Rebuild:
        """Bring the output up to date after ``paths`` changed (created, edited or deleted).

        Nothing in the output changes unless every page and file is ready; then
        they land together (see write.py). ``before_apply`` runs just before.
        """
        renderer = self.renderer
        try:
            return self._update(paths, before_apply)
        except BaseException:
            # Pieces of pages rendered from a site that did not land must not outlive it.
            if renderer is not None:
                renderer.fragments.clear()
            raise

    def _update(
        self, paths: Iterable[Path], before_apply: Callable[[], None] | None = None
    ) -> Rebuild:
        started = time.perf_counter()
        resolved = sorted({p for p in map(self.absolute, paths) if self.affects_site(p)})
        if not resolved:
            return Rebuild((), False, 0, 0, time.perf_counter() - started, (), touched=())
        shown = tuple(self._show(p) for p in resolved)
        if self.stale or self.site is None or self.config is None:
            return self.full(shown)
        fingerprinted = self.fingerprint and any(self._static_target(p) for p in resolved)
        swapped = any(self._file_became_folder(p) for p in resolved)
        if fingerprinted or swapped or any(self._needs_full(p) for p in resolved):
            return self.full(shown)

        statics = set(self.unsynced)
        for path in resolved:
            statics |= self._static_files(path)
        if self.config.search.enabled:
            rels = [
                target.relative_to(self.out).as_posix()
                for target in map(self._static_target, statics)
                if target
            ]
            if collisions := bundle_collisions(rels):
                raise ContentError(collisions)
        content_changed = False
        before: dict[str, LoadedFile | None] = {}
        """Each content file the changes touched, as it was."""
        for path in resolved:
            if content_path(self.project, path) is not None:
                content_changed = True
                self._reload(path, before)
        # Until they land, static changes wait here: a content error must not lose them.
        self.unsynced = statics
        pages: list[RenderedPage] = []
        gone: list[str] = []
        site, renderer, index = self.site, self.renderer, self.index
        diagnostics: list[Diagnostic] = []
        if content_changed:
            index, changed, diagnostics = self._regraph(before)
            site = index.site
            # A warm build's first update has no renderer: it plans every page.
            replan = replans(changed) or self.renderer is None
            static = plan_static(self.project, fingerprint=self.fingerprint)
            renderer = SiteRenderer(
                site,
                self.config,
                self.project,
                reuse=self.renderer,
                assets=static.names,
                replan=replan,
                changed=changed,
                template_cache=self.template_cache,
            )
            # A static file may have come without a change of its own seen: check them all.
            collisions = static_collisions(self.project, static.copies, renderer.pages)
            # The same pages and aliases as the last good build: no alias can collide. (A
            # warm build plans every page, but the same pages unless ``replans`` says so,
            # as it does when an alias changed: ``_regraph`` adds ``("aliases", "*")``;
            # reading every brief's aliases would read every brief from the store.)
            if replans(changed):
                collisions += alias_collisions(site, renderer.pages)
            # With static/ as it was, only the changed briefs can name an image it lacks.
            edited = {f.entry.id for f in self._new_and_old(before) if isinstance(f.entry, Brief)}
            actors = index.actor_by_id.values()
            collisions += missing_images(
                self.project, site, None if statics else edited, actors=actors
            )
            if collisions:
                raise ContentError(collisions)
            dirty = dirty_pages(self.deps, renderer.pages, changed)
            pages = [renderer.render(out) for out in dirty]  # all rendered before any is written
            gone = [out for out in self.deps if out not in renderer.pages]
        elif statics and (missing := missing_images(self.project, site)):
            # An image a preview names may have left static/: a full build says so.
            raise ContentError(missing)
        removed = sum((self.out / rel).is_file() for rel in gone)
        search = self.config.search.enabled and self._search_changed(pages, gone)
        with updating(self.out, self.project, before_apply) as update:
            for path in sorted(statics):
                target = self._static_target(path)
                assert target is not None
                rel = target.relative_to(self.out).as_posix()
                winner = self._static_winner(target)
                if winner.is_file():
                    update.copy(rel, winner)
                else:
                    update.remove(rel)
            for page in pages:
                update.write(page.path, page.html)
            for rel in gone:
                update.remove(rel)
        self.unsynced = set()
        self.site, self.renderer, self.index = site, renderer, index
        for out in gone:
            del self.deps[out]
        self.deps.update((p.path, p.deps) for p in pages)
        css_only = not content_changed and all(p.suffix == ".css" for p in resolved)
        indexed = None
        if search and self.search_now:
            # After the pages landed: Pagefind reads them from the output. A failure
            # here leaves the cache forgotten (before_apply), so the next build is full.
            indexed = reindex(self.out)
        return Rebuild(
            shown,
            False,
            len(pages) + len(statics),
            removed,
            time.perf_counter() - started,
            tuple(d for d in diagnostics if d.severity is Severity.WARNING),
            css_only=css_only,
            search_stale=search and not self.search_now,
            search=indexed,
            touched=None if indexed else (*update.writes, *update.removes),
        )

    def _search_changed(self, pages: list[RenderedPage], gone: list[str]) -> bool:
        """Whether the pages about to be written or removed change what the index holds:
        a page indexed before or after whose text is not the same."""
        for page in pages:
            try:
                old = (self.out / page.path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                old = ""
            if old != page.html and (searchable(old) or searchable(page.html)):
                return True
        for rel in gone:
            try:
                if searchable((self.out / rel).read_text(encoding="utf-8")):
                    return True
            except (OSError, UnicodeDecodeError):
                continue
        return False

    def _aliases_changed(self, site: Site, changed: set[Key]) -> bool:
        """Whether a brief whose card changed has other aliases now."""
        assert self.site is not None
        for kind, brief_id in changed:
            if kind == "brief" and brief_id != "*":
                old, new = self.site.briefs.get(brief_id), site.briefs.get(brief_id)
                if old is None or new is None or old.brief.aliases != new.brief.aliases:
                    return True
        return False

    def _regraph(
        self, before: dict[str, LoadedFile | None]
    ) -> tuple[SiteIndex, set[Key], list[Diagnostic]]:
        """The site after content files changed (``before``: the files as they were), the
        keys that changed, and the problems; ContentError when there are errors.

        When only briefs changed and they read without errors, the index goes on from
        the last site and re-derives what they touch; otherwise the graph is made anew
        (unchanged bodies still come from the cache).
        """
        assert self.site is not None and self.config is not None
        # Until the update lands (update() keeps it then), a failure anywhere leaves no index.
        index, self.index = self.index, None
        changes = self._brief_changes(before) if index is not None else None
        changed = index.update(changes) if index is not None and changes is not None else None
        if index is None or changed is None:
            index, diagnostics = graph_of(
                self.files.values(),
                self.config,
                drafts=self.drafts,
                strict=self.strict,
                cache=self.cache,
            )
            changed = changed_keys(self.site, index.site)
        else:
            loaded = dict.fromkeys(d for f in self.files.values() for d in f.diagnostics)
            diagnostics = checked([*loaded, *index.diagnostics()], strict=self.strict)
        if self._aliases_changed(index.site, changed):
            changed.add(("aliases", ALL))  # what the redirects file reads (pages.py)
        return index, changed, diagnostics

    def _brief_changes(
        self, before: dict[str, LoadedFile | None]
    ) -> dict[str, Brief | None] | None:
        """The briefs that changed, by id (None: gone), when nothing else did and each
        reads without errors; None otherwise."""
        changes: dict[str, Brief | None] = {}
        added: dict[str, Brief | None] = {}
        moved = False
        """Whether a file now holds an id it did not hold before: it may be taken."""
        for path, was in before.items():
            now = self.files.get(path)
            for loaded in (was, now):
                if loaded is not None and loaded.folder != "briefs":
                    return None
            if was is not None and isinstance(was.entry, Brief):
                changes[was.entry.id] = None
            if now is None:
                continue
            if not isinstance(now.entry, Brief) or has_errors(now.diagnostics):
                return None
            shown = self.drafts or not now.entry.draft
            if now.entry.id in added:
                return None  # two changed files with one id: the whole graph reports it
            added[now.entry.id] = now.entry if shown else None
            moved = moved or was is None or was.entry_id != now.entry_id
        if moved:
            taken = Counter(f.entry_id for f in self.files.values() if f.folder == "briefs")
            if any(taken[brief_id] != 1 for brief_id in added):
                return None  # an id taken twice: the whole graph reports it
        return {**changes, **added}

    def _new_and_old(self, before: dict[str, LoadedFile | None]) -> list[LoadedFile]:
        """The changed content files, as they were and as they are."""
        found = [f for f in before.values() if f is not None]
        return found + [self.files[path] for path in before if path in self.files]

    def _reload(self, path: Path, before: dict[str, LoadedFile | None]) -> None:
        """Re-read a changed path under content/: a file, or a folder moved in or away.

        ``before`` gets each file it replaces or removes as it was (None: new), unless
        it holds that file already.
        """
        rel = path.relative_to(self.project).as_posix()

        def put(key: str, loaded: LoadedFile | None) -> None:
            before.setdefault(key, self.files.get(key))
            if loaded is None:
                del self.files[key]
            else:
                self.files[key] = loaded

        if path.is_dir():  # a folder moved in: its files may bring no event of their own
            for found in load_tree(self.project, under=path):
                put(found.path, found)
            return
        # A dangling link is still a file the writer made: load_file reports it.
        there = path.exists() or path.is_symlink()
        loaded = load_file(self.project, path) if there else None
        if loaded is not None:
            put(rel, loaded)
            return
        # Deleted (or moved away): a folder's files may not each bring an event.
        for gone in [p for p in self.files if p == rel or p.startswith(rel + "/")]:
            put(gone, None)

    # Where a changed file belongs.

    def _show(self, path: Path) -> str:
        try:
            return path.relative_to(self.project).as_posix()
        except ValueError:
            return str(path)

    def absolute(self, path: Path) -> Path:
        """The path absolute and normalised, without following a link at its end.

        A brief may be a link to a file elsewhere: it belongs where it is linked, as in
        a full build, not where the link points.
        """
        return Path(os.path.normpath(self.project / path))

    def affects_site(self, path: Path) -> bool:
        """False for files the site is not made from, such as an editor's temporary files."""
        return (
            content_path(self.project, path) is not None
            or self._needs_full(path)
            or self._static_target(path) is not None
        )

    def _needs_full(self, path: Path) -> bool:
        """Configuration and templates feed every page; a robots.txt of the writer's
        replaces the one the page plan makes."""
        if path in (self.project / CONFIG_FILE, self.project / "static" / "robots.txt"):
            return True
        if path in style_files(self.project):
            return True  # the .csl file of citation_style: every reference entry
        for templates in (self.project / "templates", THEME / "templates"):
            if templates in path.parents:
                return True
        return False

    def _static_files(self, path: Path) -> set[Path]:
        """The static files a changed path stands for: itself, or a folder's files.

        A folder moved in brings its files (found with the walk plan_static uses);
        a folder moved away or replaced also stands for every file the output holds
        where it was, besides pages, so that they are removed or replaced.
        """
        target = self._static_target(path)
        if target is None:
            return set()
        found: set[Path] = set()
        if path.is_dir():
            found = {p for p in path.rglob("*") if p.is_file()}
        elif not target.is_dir() or target.is_symlink():  # a file (or a folder's output gone)
            found = {path}
        if target.is_dir() and not target.is_symlink():
            for file in target.rglob("*"):
                rel = file.relative_to(self.out).as_posix()
                if file.is_file() and rel not in self.deps and not self._in_bundle(rel):
                    found.add(path / file.relative_to(target))
        return found

    def _in_bundle(self, rel: str) -> bool:
        """Whether an output file is the search index's, which no static file may touch."""
        searching = self.config is not None and self.config.search.enabled
        return searching and rel.startswith(f"{BUNDLE}/")

    def _file_became_folder(self, path: Path) -> bool:
        """A static file replaced by a folder or the other way round: a full build's job."""
        target = self._static_target(path)
        if target is None or target.is_symlink():
            return False
        return (path.is_dir() and target.is_file()) or (path.is_file() and target.is_dir())

    def _static_winner(self, target: Path) -> Path:
        """The file a full build leaves at ``target``: the project's, else the theme's."""
        rel = target.relative_to(self.out)
        project_file = self.project / "static" / rel
        if project_file.is_file() or rel.parts[0] != "assets":
            return project_file
        return THEME / "static" / Path(*rel.parts[1:])

    def _static_target(self, path: Path) -> Path | None:
        for source, under in ((self.project / "static", ""), (THEME / "static", "assets")):
            if path == source or source in path.parents:  # static/ itself may move in
                return self.out / under / path.relative_to(source)
        return None
