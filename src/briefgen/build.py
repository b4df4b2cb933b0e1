"""The build: config, load, graph, render, write.

``full_build`` is the one path that builds a whole site; ``briefgen build``
calls it, and so does the preview server for its first build (keeping the
render cache and what each page read for later incremental rebuilds).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path

from .assets import plan_static
from .collector import collector_paused
from .config import Config, load_config
from .errors import ContentError, Diagnostic, Severity, error, has_errors
from .graph import build_lookup
from .headers import search_policy_problems
from .load import LoadedFile, assemble, load_tree
from .markdown import MarkdownRenderer, RenderCache, Rendered
from .markdown.cache import body_key
from .markdown.spilled import Findings, findings, made_again, spill_all
from .model import Actor, Body, Brief, Content, Location
from .outputs.search import BUNDLE, Indexed, keep_index, write_index
from .parallel import default_jobs, fork_map, in_worker
from .paths import Url, Urls
from .render import Piece, SiteRenderer, url_path
from .site import Site
from .siteindex import SiteIndex
from .store import BlobStore
from .track import Key, ReadsPacker
from .write import check_output_dir, copy_static, staged, write_page

PARALLEL_MIN = 200
"""Fewer pages than this are rendered in this process: forking costs more."""

Progress = Callable[[int, int], None]
"""Told (pages written, pages in all) while a build writes its pages."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a successful build did."""

    out: Path
    """The output folder."""
    pages: int
    """HTML pages written."""
    seconds: float
    """Wall time of the whole build."""
    diagnostics: tuple[Diagnostic, ...]
    """Warnings (a build with errors raises instead)."""
    mode: str = "full"
    """'full'; with the cache also 'updated' (only some pages) or 'unchanged' (nothing to do)."""
    output_changes: tuple[str, ...] = ()
    """With the cache: how the output differed from what the last build wrote
    (``briefs/a/index.html missing``), which made this build a full one."""
    search: Indexed | None = None
    """What indexing the site for search did, when this build indexed it."""


@dataclass(frozen=True, slots=True)
class FullBuild:
    """A whole build and what an incremental rebuild needs to go on from it."""

    result: BuildResult
    config: Config
    site: Site
    files: dict[str, LoadedFile]
    """Every content file as read, by its path relative to the project."""
    deps: MutableMapping[str, frozenset[Key]]
    """For every page written, what it read of the site."""
    renderer: SiteRenderer
    """Its compiled templates serve the rebuilds that follow."""
    index: SiteIndex
    """The site's indexes, which rebuilds keep up to date."""


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """File order, then line and column, so a writer can work down the list."""
    return sorted(
        diagnostics,
        key=lambda d: (d.path, d.line, d.col, d.message, d.severity.value, d.hint or ""),
    )


def without_drafts(content: Content) -> Content:
    """The content with draft briefs left out."""
    return replace(content, briefs=tuple(b for b in content.briefs if not b.draft))


def load_files(
    project: Path, *, jobs: int = 1, spill: Callable[[], BlobStore] | None = None
) -> dict[str, LoadedFile]:
    """Every content file of the project, read (in ``jobs`` forked workers, from 1,000).

    ``spill``: from ``SPILL_MIN`` files, each entry's Markdown goes to the store it gives
    as it is read, and is read again only to render it (texts.py).
    """
    found = load_tree(project, jobs=jobs, spill=spill, spill_from=SPILL_MIN)
    return {f.path: f for f in found}


MARKDOWN_PARALLEL_MIN = 400
"""Fewer bodies to render than this are rendered in this process: forking costs more."""

SPILL_MIN = 400
"""From this many bodies, a build keeps their HTML in a scratch store until a page shows
it (markdown/spilled.py): at 10,000 briefs it was half the build's memory."""


_BODY_BATCH = 25
"""Bodies a worker renders, then writes to the scratch store in one transaction."""


def _render_bodies(
    shared: tuple[MarkdownRenderer, list[tuple[Body, Url]], BlobStore | None], batch: range
) -> list[tuple[int, Rendered | Findings]]:
    """Render some bodies; with a store, their HTML goes there and what the parent needs
    to make each again comes back (``spilled.findings``), else each body whole."""
    renderer, bodies, store = shared
    done = [renderer.render(*bodies[at]) for at in batch]
    if store is None:
        return [(at, rendered) for at, rendered in zip(batch, done, strict=True)]
    return [(at, findings(made)) for at, made in zip(batch, spill_all(done, store), strict=True)]


def prerender(content: Content, urls: Urls, cache: RenderCache, *, jobs: int) -> None:
    """Render every body not in ``cache`` yet in ``jobs`` forked workers, into the cache.

    The graph then finds each body rendered, so its Markdown (half of a cold build)
    uses both cores. A body renders the same in a worker as in this process: the
    workers are forked with the parser and the lookup already made. With the cache's
    ``spill`` store, the workers write the HTML there and send back the rest.
    """
    renderer = cache.renderer_for(build_lookup(content, urls))
    wanted = [(brief.body, urls.brief(brief.id)) for brief in content.briefs]
    wanted += [(actor.body, urls.actor(actor.id)) for actor in content.actors]
    wanted += [(source.body, urls.source(source.id)) for source in content.sources]
    wanted += [(page.body, urls.free_page(page.id)) for page in content.pages]
    keys = {body_key(body, url): (body, url) for body, url in wanted}
    missing = [(key, item) for key, item in keys.items() if key not in cache.bodies]
    if jobs <= 1 or len(missing) < MARKDOWN_PARALLEL_MIN:
        return
    items = [item for _, item in missing]
    store = cache.spill
    if store is not None:
        store.close()  # the workers open their own; none is carried across the fork
    batches = [
        range(at, min(at + _BODY_BATCH, len(items))) for at in range(0, len(items), _BODY_BATCH)
    ]
    for results in fork_map(_render_bodies, (renderer, items, store), batches, jobs=jobs):
        for at, found in (done for batch in results for done in batch):
            if not isinstance(found, Rendered):  # spilled by the worker: a store was given
                assert store is not None
                found = made_again(found, store)
            cache.bodies[missing[at][0]] = found


def graph_of(
    files: Iterable[LoadedFile],
    config: Config,
    *,
    drafts: bool,
    strict: bool,
    cache: RenderCache | None = None,
    jobs: int = 1,
) -> tuple[SiteIndex, list[Diagnostic]]:
    """The site graph of the loaded files, and its indexes; ContentError when they have errors.

    With ``jobs`` above 1, the bodies are rendered in that many forked workers first.
    """
    content, diagnostics = assemble(files)
    if not drafts:
        content = without_drafts(content)
    cache = cache or RenderCache()
    if jobs > 1:
        prerender(content, config.urls, cache, jobs=jobs)
    # A file that failed to load hides its mentions and citations: "not mentioned" would lie.
    index = SiteIndex(
        content,
        config.urls,
        cache,
        unused_warnings=not has_errors(diagnostics),
        lint=config.lint,
    )
    return index, checked([*diagnostics, *index.diagnostics()], strict=strict)


def checked(diagnostics: Iterable[Diagnostic], *, strict: bool) -> list[Diagnostic]:
    """The problems in order; ContentError when they have errors, or warnings under strict."""
    found = sort_diagnostics(diagnostics)
    warnings = any(d.severity is Severity.WARNING for d in found)
    if has_errors(found) or (strict and warnings):
        raise ContentError(found)
    return found


def static_collisions(
    project: Path, static: Iterable[str], pages: Iterable[str]
) -> list[Diagnostic]:
    """A project static file at a generated page's path would silently replace the page."""
    taken = set(pages)
    return [
        error(
            f"static/{rel}",
            1,
            1,
            f"static file would replace the generated page '{rel}'",
            "rename or move it",
        )
        for rel in sorted(static)
        if rel in taken and (project / "static" / rel).is_file()
    ]


def bundle_collisions(static: Iterable[str]) -> list[Diagnostic]:
    """Project static files inside the search bundle's folder would be mixed into it."""
    return [
        error(
            f"static/{rel}",
            1,
            1,
            f"static file is inside '{BUNDLE}/', the folder of the search index",
            f"move it out of static/{BUNDLE}/, or turn search off with "
            "enabled = false under [search] in briefgen.toml",
        )
        for rel in sorted(static)
        if rel.startswith(f"{BUNDLE}/")
    ]


def missing_images(
    project: Path,
    site: Site,
    briefs: Iterable[str] | None = None,
    actors: Iterable[Actor] | None = None,
) -> list[Diagnostic]:
    """Preview images a brief or actor names that static/ does not hold: every brief's,
    or only those of ``briefs`` (ids; ones no longer in the site are skipped). ``actors``:
    the actors as read, when the caller has them without the nodes (a warm build's wait
    in the store: see state.py)."""
    nodes = site.briefs.values() if briefs is None else (site.briefs.get(b) for b in briefs)
    entries: list[Brief | Actor] = [node.brief for node in nodes if node is not None]
    entries += [node.actor for node in site.actors.values()] if actors is None else actors
    found = []
    for entry in entries:
        if not entry.image or (project / "static" / entry.image).is_file():
            continue
        where = entry.image_where or Location(entry.body.path, 1, 1)
        shown = entry.image
        hint = f"add static/{shown}, or fix the path"
        if shown.startswith("static/"):
            hint = f"write the path from static/: image: {shown.removeprefix('static/')}"
        found.append(
            error(where.path, where.line, where.col, f"image '{shown}' is not in static/", hint)
        )
    return found


def alias_collisions(site: Site, pages: Iterable[str]) -> list[Diagnostic]:
    """Aliases that cannot redirect: some page's URL now, or another alias already.

    A page shadows a redirect from its own URL; two redirects from one path would
    leave the host to pick one (``/old`` and ``/old/`` are one path to it). Each
    is reported where the alias is written, the second of two (in file order)
    naming the first.
    """
    taken = set(pages)
    found = []
    first: dict[str, tuple[str, Location]] = {}
    for node in sorted(site.briefs.values(), key=lambda node: node.brief.body.path):
        brief = node.brief
        wheres = brief.aliases_where or (Location(brief.body.path, 1, 1),) * len(brief.aliases)
        for alias, where in zip(brief.aliases, wheres, strict=True):
            link = site.urls.site_link(alias)
            target = site.urls.output_path(link)
            # As the host matches a redirect: encoded, with or without its final slash.
            redirect = url_path(link).rstrip("/")
            if target in taken:
                found.append(
                    error(
                        where.path,
                        where.line,
                        where.col,
                        f"alias '{alias}' is the URL of a page of the site, so it cannot redirect",
                        "remove the alias",
                    )
                )
            elif redirect in first:
                other, there = first[redirect]
                written = "" if other == alias else f", as '{other}'"
                same = there.path == where.path
                hint = (
                    "remove one of the two"
                    if same
                    else f"keep it in one of {there.path} and {where.path}"
                )
                found.append(
                    error(
                        where.path,
                        where.line,
                        where.col,
                        f"alias '{alias}' is already an alias of this brief, line {there.line}"
                        f"{written}: one path redirects once"
                        if same
                        else f"alias '{alias}' is also an alias of {there.path} "
                        f"(line {there.line}){written}: one path cannot redirect to two briefs",
                        hint,
                    )
                )
            else:
                first[redirect] = (alias, where)
    return found


def _render_page(
    shared: tuple[SiteRenderer, Path, bool], output: str
) -> tuple[str, frozenset[Key], list[Piece]]:
    """Render one page into the staging folder; what it read of the site, and (when the
    third of ``shared`` says so) the pieces of pages made for it. In a forked worker,
    which never rebuilds, the pieces are not indexed by what they read."""
    renderer, staging, gather = shared
    renderer.fragments.gathering = gather  # in a worker, its own copy of the renderer
    renderer.fragments.indexing = not in_worker()
    page = renderer.render(output)
    write_page(staging, page.path, page.html)
    return page.path, page.deps, renderer.fragments.take_made() if gather else []


def full_build(
    project: Path,
    out: Path,
    *,
    drafts: bool = False,
    strict: bool = False,
    cache: RenderCache | None = None,
    fingerprint: bool = True,
    jobs: int = 1,
    progress: Progress | None = None,
    ours: bool = False,
    search_now: bool = True,
    template_cache: Path | None = None,
    meanwhile: Callable[[SiteIndex], Iterator[object]] | None = None,
    keep_fragments: bool = False,
) -> FullBuild:
    """Read, check, render and write a whole site; the previous output is untouched on failure.

    ``fingerprint`` puts a hash of their content in the names of assets (see assets.py);
    ``progress(done, total)`` hears how many pages are written as they are.
    ``ours``: the cache knows every file in ``out`` to be one a build wrote, so it
    is replaced even when its home page or 404 page is gone.
    ``search_now``: index the site for search before it replaces ``out`` (when
    the site has search); the preview passes False, keeps the last index and
    indexes in the background (see serve/).
    ``template_cache``: where Jinja may keep compiled templates (see render.py).
    ``meanwhile(index)``: work for this process, a step at a time, while forked workers
    render the pages (the cache's save of the site: see ``parallel.fork_map``).
    ``keep_fragments``: the workers send back the pieces of pages they made, so that this
    process has them for the rebuilds that follow (the preview: after a title edit, each
    entry of its year's timeline rendered again took 40 ms more than reusing them).
    """
    started = time.perf_counter()
    config = load_config(project)
    out = check_output_dir(project, out, ours=ours)
    # Millions of objects that live to the end of the build (see collector.py): unpickling
    # 13,000 bodies from the workers took 0.9 s paused, 2.5 s with the collector running.
    cache = cache if cache is not None else RenderCache()
    with collector_paused():
        # From SPILL_MIN files, texts, and the bodies rendered from them (``graph_of``
        # renders into ``cache``), go to a scratch store; an update's graph does not
        # (rebuild.py).
        files = load_files(project, jobs=jobs, spill=cache.spill_to_scratch)
        index, diagnostics = graph_of(
            files.values(), config, drafts=drafts, strict=strict, cache=cache, jobs=jobs
        )
    if config.search.enabled and (blocked := search_policy_problems(project)):
        diagnostics = checked([*diagnostics, *blocked], strict=strict)
    site = index.site
    static = plan_static(project, fingerprint=fingerprint)
    renderer = SiteRenderer(
        site, config, project, assets=static.names, template_cache=template_cache
    )
    collisions = static_collisions(project, static.copies, renderer.pages)
    collisions += alias_collisions(site, renderer.pages)
    if config.search.enabled:
        collisions += bundle_collisions(static.copies)
    collisions += missing_images(project, site)
    if collisions:
        raise ContentError(sort_diagnostics([*diagnostics, *collisions]))
    reads = ReadsPacker()  # what each page read, packed as it comes
    indexed: Indexed | None = None
    outputs = list(renderer.pages)
    report = progress or (lambda done, total: None)
    with staged(out) as staging:
        # Each source in the citation style once, before the workers fork (a no-op without).
        sources = [node.source for node in site.sources.values()]
        renderer.citations.prime(sources, jobs=jobs if len(outputs) >= PARALLEL_MIN else 1)
        if jobs > 1 and len(outputs) >= PARALLEL_MIN:
            renderer.compile_templates()  # once, before the workers fork
            if cache.spill is not None:
                cache.spill.close()  # the workers open their own
            steps = meanwhile(index) if meanwhile is not None else None
            shared = (renderer, staging, keep_fragments)
            # Pages in small pieces (32 a worker): a piece's results, what each page read,
            # come back at once, and at 50,000 briefs 16 pieces left the parent 250 MB
            # larger after taking them in.
            pieces = fork_map(
                _render_page, shared, outputs, jobs=jobs, pieces_per_job=32, meanwhile=steps
            )
            for results in pieces:
                for path, read, made in results:
                    reads.add(path, read)
                    renderer.fragments.add(made)
                report(len(reads), len(outputs))
        else:
            for output in outputs:
                path, read, _ = _render_page((renderer, staging, False), output)
                reads.add(path, read)
                if len(reads) % 100 == 0 or len(reads) == len(outputs):
                    report(len(reads), len(outputs))
        copy_static(staging, static.copies, project)
        if config.search.enabled and search_now:
            indexed = write_index(staging)
        elif config.search.enabled:
            keep_index(out, staging)
    count = sum(rel.endswith(".html") for rel in outputs)
    warnings = tuple(d for d in diagnostics if d.severity is Severity.WARNING)
    result = BuildResult(out, count, time.perf_counter() - started, warnings, search=indexed)
    return FullBuild(result, config, site, files, reads.reads(), renderer, index)


def build(
    project: Path,
    out: Path | None = None,
    *,
    drafts: bool = False,
    strict: bool = False,
    fingerprint: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build a project into ``out`` (default ``project/site``).

    Raises ContentError (exit 1) listing every problem when the content has
    errors, or warnings under ``strict``; ConfigError (exit 2) for a bad
    briefgen.toml, template or output folder. The previous output is then untouched.
    """
    target = out if out is not None else project / "site"
    workers = default_jobs() if jobs is None else jobs
    return full_build(
        project,
        target,
        drafts=drafts,
        strict=strict,
        fingerprint=fingerprint,
        jobs=workers,
        progress=progress,
    ).result
