"""Turn the site graph into pages: ``(output path, HTML)`` pairs. Writes nothing.

The only module that imports jinja2. Templates come from the project's
templates/ folder first and the built-in theme second, so a project overrides
the theme file by file. Markup templates (``.html``) autoescape: every
front-matter string is escaped; only rendered Markdown is marked safe.
Plain-text outputs (``_redirects.txt``) are not escaped.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from markupsafe import Markup

from . import paging
from .config import Config
from .errors import ConfigError, Diagnostic, error, unreadable
from .model import PartialDate
from .outputs import absolute_outputs, feeds, sitemap, structured
from .outputs import data as data_outputs
from .paths import Url
from .site import Site
from .track import Key, Recorder, tracked_site

THEME = Path(__file__).parent / "theme"
"""The built-in theme: templates/ for Jinja, static/ for files copied to /assets/."""


class TemplateError(ConfigError):
    """A template could not be loaded or failed while rendering: exit code 2."""


def template_dirs(project: Path) -> list[Path]:
    """Where templates are looked up, the project's own first."""
    return [project / "templates", THEME / "templates"]


_MARKUP = (".html", ".htm", ".xml", ".svg")
"""Templates of markup, whose values are escaped; others (``_redirects.txt``) are plain text."""


def _escapes(name: str | None) -> bool:
    """Autoescape markup templates (and strings), never plain-text ones.

    Escaping ``&`` as ``&amp;`` in a plain-text file such as ``_redirects``
    changes what it says, so a template is escaped only when its name says markup.
    """
    return name is None or name.endswith(_MARKUP)


def url_path(path: str) -> str:
    """A path written as a browser sends it, as Netlify's ``_redirects`` wants it.

    Netlify matches a rule against the path as requested, and asks for special
    characters to be %-encoded: browsers encode spaces and letters beyond ASCII
    (``/briefs/caf%C3%A9/``) but send RFC 3986's sub-delimiters such as ``&`` and
    ``'`` as they are, so those stay. A path written already encoded is not
    encoded twice.
    """
    return quote(unquote(path), safe="/:@!$&'()*+,;=")


class _Loader(jinja2.FileSystemLoader):
    """Jinja's file loader, with a template that cannot be read reported by its path."""

    def __init__(self, project: Path) -> None:
        super().__init__([str(p) for p in template_dirs(project)])
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise  # an OSError too, but a name to fix, not a file to make readable
        except OSError as exc:
            mine = (self.project / "templates" / template).is_file()
            shown = ("templates/" if mine else "briefgen/theme/templates/") + template
            raise TemplateError([unreadable(shown, exc, "template")]) from None


def make_environment(
    project: Path,
    config: Config,
    site: Site | SiteHandle,
    assets: Mapping[str, str],
    fragments: Fragments | None = None,
) -> jinja2.Environment:
    """A Jinja environment for one site, with its globals and filters."""
    env = jinja2.Environment(
        loader=_Loader(project),
        autoescape=_escapes,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    urls = site.urls

    def absolute(url: str) -> str:
        return config.origin + url

    env.globals.update(
        site=site,
        config=config,
        urls=urls,
        asset=lambda name: urls.file(assets.get(name, f"assets/{name}")),
        absolute=absolute,
        feeds_on=config.feeds.enabled and absolute_outputs(config),
        feed_url=feeds.feed_url,
        site_feed=urls.file(feeds.FEED_FILE),
        timestamp=feeds.timestamp,
        # A brief's body goes into several feeds (the site's, its actors', tags', sources'):
        # made absolute and wrapped for XML once for the feeds that come close together.
        feed_html=lru_cache(maxsize=2048)(
            lambda html, page: Markup(feeds.cdata(feeds.absolute_html(html, page)))
        ),
        jsonld_site=lambda: Markup(structured.website(config, absolute, urls.page())),
        jsonld_brief=lambda node, image="": Markup(
            structured.brief(node, site, config, absolute, image)
        ),
        jsonld_actor=lambda node, image="": Markup(structured.actor(node, site, absolute, image)),
        jsonld_source=lambda node: Markup(structured.source(node, absolute)),
    )
    if fragments is not None:
        macros = partial(env.get_template, "macros.html")

        def fragment(name: str, key: Hashable, *args: Any) -> Markup:
            return fragments.get((name, key), lambda: getattr(macros().module, name)(*args))

        env.globals["fragment"] = fragment
    env.filters["html"] = Markup
    env.filters["excerpt"] = structured.excerpt
    env.filters["urlpath"] = url_path
    env.filters["longdate"] = lambda d: PartialDate.of(d).label if d else ""
    return env


_TEMPLATE_FILES = (".html", ".xml", ".txt")
"""What the theme's templates are named: pages, feeds and sitemaps, robots.txt."""


def _template_diagnostic(exc: BaseException, project: Path) -> Diagnostic:
    """Point at the template file and line that failed."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "template"
        return error(_show(name, project), exc.lineno, 1, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template '{exc.name}' not found"
        hint = f"create templates/{exc.name}, or fix the name"
    else:
        message, hint = f"template error: {type(exc).__name__}: {exc}", None
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(_TEMPLATE_FILES):
            return error(_show(frame.filename, project), frame.lineno or 0, 1, message, hint)
    return error("templates", 0, 0, message, hint)


def _raised_in_template(exc: BaseException) -> bool:
    """True when the innermost frame of the traceback is a template's."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and frames[-1].filename.endswith(_TEMPLATE_FILES)


def _show(filename: str, project: Path) -> str:
    """A template's path as a writer would recognise it."""
    path = Path(filename)
    for base, label in ((project, ""), (THEME, "briefgen/theme/")):
        try:
            return label + path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return filename


@dataclass(frozen=True, slots=True)
class RenderedPage:
    path: str
    """Output path relative to the output folder."""
    html: str
    deps: frozenset[Key]
    """Everything of the site the page read (see track.py)."""


Variables = dict[str, Any] | Callable[[], dict[str, Any]]
"""A page's template variables, or what makes them when the page renders (most pages:
planning every page of a large site is then cheap, as a rebuild does each time)."""

Producer = Callable[..., str]
"""Makes a file's text in Python rather than from a template (a JSON or CSV export,
outputs/): called as ``producer(handle, **variables)``. What it reads through
``handle.current`` is recorded as a template's reads are; what it reads through
``handle.raw`` must be covered by the keys its plan entry declares."""

Plan = tuple[str | Producer, Url, Variables, frozenset[Key]]
"""A page to render: template name (or producer), URL, variables and the keys of what the
variables hold."""


def _entry(handle: SiteHandle, kind: str, key: str) -> dict[str, Any]:
    return {"node": getattr(handle.current, kind)[key]}


def _page_plan(
    site: Site, handle: SiteHandle, config: Config, *, own_robots: bool = False
) -> Iterator[Plan]:
    """Every page of the site, then the files made for machines: feeds, sitemap, robots.txt.

    ``own_robots``: the project has its own static/robots.txt, which wins.
    """
    pages = list(_reader_pages(site, handle, config))
    yield from pages
    if not absolute_outputs(config):
        return
    if config.feeds.enabled:
        yield from feeds.plan(site, handle, config.feeds.entries, config.title)
    if config.sitemap.enabled:
        yield from sitemap.plan(site, handle, pages, robots=not own_robots)


def _reader_pages(site: Site, handle: SiteHandle, config: Config) -> Iterator[Plan]:
    """Every page of the site: template name, URL, variables and the entry it is about.

    ``site`` says which pages there are. Most variables are made when the page renders,
    from the site ``handle`` holds then, seen through the recorder (track.py), so a page
    records what it reads of them, and a rebuild that changes no page's place keeps
    this plan (see ``replans``).
    """
    urls = site.urls
    none: frozenset[Key] = frozenset()
    yield _home(site, handle, config.latest)
    yield from _brief_index(site, handle, config.paging.briefs)
    for brief_id, brief in site.briefs.items():
        own = frozenset({("brief", brief_id)})
        yield "brief.html", brief.url, partial(_entry, handle, "briefs", brief_id), own
    yield "actors.html", urls.page("actors"), {}, none
    for actor_id, actor in site.actors.items():
        own = frozenset({("actor", actor_id)})
        yield "actor.html", actor.url, partial(_entry, handle, "actors", actor_id), own
    yield "sources.html", urls.page("sources"), {}, none
    for source_id, source in site.sources.items():
        own = frozenset({("source", source_id)})
        yield "source.html", source.url, partial(_entry, handle, "sources", source_id), own
    yield from _timeline(site, handle, config.paging.timeline)
    yield "tags.html", urls.page("tags"), {}, none
    for slug, tag in site.tags.items():
        yield from _tag_pages(site, handle, slug, tag.briefs, config.paging.briefs)
    for page_id, page in site.pages.items():
        own = frozenset({("page", page_id)})
        yield "page.html", page.url, partial(_entry, handle, "pages", page_id), own
    if config.search.enabled:
        yield "search.html", urls.page("search"), {}, none
    yield from data_outputs.plan(site, handle, config)  # the network page, /data/
    yield "404.html", urls.file("404.html"), {}, none
    yield "_redirects.txt", urls.file("_redirects"), {}, none


def replans(changed: Iterable[Key]) -> bool:
    """Whether a rebuild with these keys changed needs a new page plan: when pages may
    come or go, or a listing's share of the site moves (which briefs a page of the
    index or of a tag shows, which years the timeline's overview shows)."""
    return any(
        name == "*" or kind in ("brief-at", "brief-count", "years", "tag-page")
        for kind, name in changed
    )


def _listing(handle: SiteHandle, ids: Sequence[str], **variables: Any) -> dict[str, Any]:
    """The variables of a page listing the briefs ``ids``, as ``briefs``."""
    briefs = handle.current.briefs
    return {"briefs": [briefs[brief_id] for brief_id in ids], **variables}


def _home(site: Site, handle: SiteHandle, latest: int) -> Plan:
    """The home page, handed the latest briefs: it depends on those places and the count."""
    ids = list(site.briefs)
    own = frozenset({("brief-at", str(at)) for at in range(latest)} | {("brief-count", "*")})
    variables = partial(_listing, handle, ids[:latest], total=len(ids))
    return "home.html", site.urls.page(), variables, own


def _brief_index(site: Site, handle: SiteHandle, size: int) -> Iterator[Plan]:
    """The brief index, ``size`` briefs a page, each page handed only the briefs it lists.

    Its keys are those briefs, the positions it covers and the count, so an edit
    to one brief's card re-renders the one page showing it, while a brief added
    or removed re-renders the pages whose window moved.
    """
    ids = list(site.briefs)
    windows = paging.brief_windows(ids, size)
    for number, window in enumerate(windows, 1):
        start = (number - 1) * size
        own = frozenset(
            {("brief", brief_id) for brief_id in window}
            | {("brief-at", str(at)) for at in range(start, start + size)}
            | {("brief-count", "*")}
        )
        pager = paging.pager(site.urls, number, len(windows), size, len(ids))
        variables = partial(
            _listing,
            handle,
            window,
            total=len(ids),
            pager=pager if len(windows) > 1 else None,
        )
        yield "briefs.html", site.urls.briefs_page(number), variables, own


def _tag_listing(
    handle: SiteHandle, slug: str, ids: Sequence[str], **variables: Any
) -> dict[str, Any]:
    """A page of a tag's briefs: the tag as ``node``, the briefs of this page as ``briefs``."""
    return {"node": handle.current.tags[slug], **_listing(handle, ids, **variables)}


def _tag_pages(
    site: Site, handle: SiteHandle, slug: str, ids: Sequence[str], size: int
) -> Iterator[Plan]:
    """A tag's briefs, ``size`` a page, newest first, as the brief index is paged.

    Each page depends on the tag (its name), on which briefs the tag has in which order
    (``tag-page``: a brief tagged or untagged, or moved by its date, moves every page's
    window, so ``replans`` says so), and on the cards of its own briefs only.
    """
    windows = paging.brief_windows(ids, size)
    own = frozenset({("tag", slug), ("tag-page", slug)})
    page_url = partial(site.urls.tag_page, slug)
    for number, window in enumerate(windows, 1):
        pager = paging.pager(site.urls, number, len(windows), size, len(ids), page_url)
        variables = partial(
            _tag_listing,
            handle,
            slug,
            window,
            total=len(ids),
            pager=pager if len(windows) > 1 else None,
        )
        yield "tag.html", page_url(number), variables, own


def _overview(handle: SiteHandle, latest: int) -> dict[str, Any]:
    """The timeline overview's variables, from the site as it is when the page renders."""
    timeline = handle.raw.timeline
    years = [paging.year_summary(handle.raw.urls, group) for group in timeline]
    shown = paging.latest_entries(timeline, latest)
    entries = sum(summary.events + summary.briefs for summary in years)
    count = sum(len(month.entries) for group in shown for month in group.months)
    return {"years": years, "latest": shown, "entries": entries, "shown": count}


def _year(handle: SiteHandle, at: int, **variables: Any) -> dict[str, Any]:
    return {"year": handle.raw.timeline[at], **variables}


def _timeline(site: Site, handle: SiteHandle, latest: int) -> Iterator[Plan]:
    """The timeline's overview (every year, and the latest entries), then a page per year.

    Only years with entries get a page: events in 1991 and 2017 make two pages, not 27.
    The variables are read from the site untracked; the keys say what they hold.
    """
    urls = site.urls
    years = [group.year for group in site.timeline]
    shown = paging.latest_entries(site.timeline, latest)
    own = frozenset(
        {("years", "list"), ("years", "counts")} | {("year", str(group.year)) for group in shown}
    )
    yield "timeline.html", urls.page("timeline"), partial(_overview, handle, latest), own
    for at, year in enumerate(years):
        # Years only, not their counts: a page showing those would depend on them.
        variables = partial(
            _year,
            handle,
            at,
            previous=years[at - 1] if at > 0 else None,
            following=years[at + 1] if at + 1 < len(years) else None,
        )
        own = frozenset({("year", str(year)), ("years", "list")})
        yield "year.html", urls.timeline_year(year), variables, own


class Fragments:
    """Pieces of pages rendered once and reused: a brief's card on every list that shows it,
    a timeline entry on its year's page and on every actor page it appears on.

    Templates call ``fragment(name, key, *args)``: the macro ``name`` of macros.html
    called with ``args``, rendered the first time ``(name, key)`` is asked for and
    reused after that, within a build and (in the preview) across rebuilds. ``key``
    must say everything the piece shows that the site does not (a brief's URL and
    a heading level, say). What the piece reads of the site is recorded once, apart,
    and added to every page that shows it, so a page depends on exactly what it did
    when it rendered the piece itself; a rebuild forgets the pieces that read
    something that changed.
    """

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.pieces: dict[Hashable, tuple[Markup, frozenset[Key]]] = {}
        self.readers: dict[Key, set[Hashable]] = {}
        """Which pieces read each key."""

    def get(self, key: Hashable, make: Callable[[], str]) -> Markup:
        """The piece known by ``key``, made by ``make`` if it is not kept yet."""
        found = self.pieces.get(key)
        recorder = self.recorder
        if found is None:
            outer, recorder.keys = recorder.keys, set()
            try:
                html = Markup(make())
            finally:
                inner, recorder.keys = recorder.keys, outer
            found = self.pieces[key] = (html, frozenset(inner))
            for read in inner:
                self.readers.setdefault(read, set()).add(key)
        recorder.keys |= found[1]
        return found[0]

    def forget(self, changed: Iterable[Key]) -> None:
        """Drop the pieces that read any of the ``changed`` keys."""
        for read in changed:
            for key in self.readers.pop(read, ()):
                self.pieces.pop(key, None)

    def clear(self) -> None:
        self.pieces.clear()
        self.readers.clear()


class SiteHandle:
    """The ``site`` templates see: always this object, reading whichever site is current.

    Jinja caches an imported template (``{% from "macros.html" import ... %}``)
    together with the globals it saw first, so an environment reused across
    rebuilds must keep one global and change what it points at.
    """

    def __init__(self, site: Site, raw: Site) -> None:
        self.current = site
        """The site as templates see it: every read recorded."""
        self.raw = raw
        """The same site unrecorded, for variables whose keys the page plan declares."""
        self.kept: dict[str, Any] = {}
        """What outputs keep between rebuilds of the preview (outputs/data.py's fragments)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)


class SiteRenderer:
    """Renders the pages of one site, recording what each page reads.

    Pass the renderer of the previous build of the same project as ``reuse``
    to keep its compiled templates and the fragments still valid after the
    ``changed`` keys (the preview does, between rebuilds), and ``replan=False`` to
    keep its page plan too, when ``replans`` says the changes need none.
    """

    def __init__(
        self,
        site: Site,
        config: Config,
        project: Path,
        reuse: SiteRenderer | None = None,
        assets: Mapping[str, str] | None = None,
        *,
        replan: bool = True,
        changed: Iterable[Key] = (),
    ) -> None:
        self.site = site
        self.project = project
        self.recorder: Recorder = reuse.recorder if reuse else Recorder()
        tracked = tracked_site(site, self.recorder)
        self.env: jinja2.Environment
        self.handle: SiteHandle
        self.fragments: Fragments
        if reuse is not None:
            self.env, self.handle = reuse.env, reuse.handle
            self.handle.current, self.handle.raw = tracked, site
            self.fragments = reuse.fragments
            self.fragments.forget(changed)
        else:
            self.handle = SiteHandle(tracked, site)
            self.fragments = Fragments(self.recorder)
            self.env = make_environment(project, config, self.handle, assets or {}, self.fragments)
        if reuse is not None and not replan:
            self.pages: dict[str, Plan] = reuse.pages
            return
        self.pages = {
            site.urls.output_path(url): (name, url, variables, own)
            for name, url, variables, own in _page_plan(
                site, self.handle, config, own_robots=(project / "static" / "robots.txt").is_file()
            )
        }

    def compile_templates(self) -> None:
        """Compile every template the pages use, so forked workers inherit them compiled."""
        for name in {name for name, _, _, _ in self.pages.values() if isinstance(name, str)}:
            self.env.get_template(name)

    def render(self, output: str) -> RenderedPage:
        """Render the page written at ``output``."""
        name, url, planned, own = self.pages[output]
        self.recorder.take()
        try:
            variables = planned() if callable(planned) else planned
            if not isinstance(name, str):
                return RenderedPage(
                    output, name(self.handle, **variables), self.recorder.take() | own
                )
            html = self.env.get_template(name).render(page_url=url, **variables)
        except jinja2.TemplateError as exc:
            raise TemplateError([_template_diagnostic(exc, self.project)]) from exc
        except Exception as exc:
            # Raised by an expression in a template ({{ 1 + "a" }}, {{ 1 / 0 }}): the
            # template's fault.
            # Raised inside briefgen's own code: a bug, which must keep its traceback.
            if not _raised_in_template(exc):
                raise
            raise TemplateError([_template_diagnostic(exc, self.project)]) from exc
        return RenderedPage(output, html, self.recorder.take() | own)


def render_error_page(title: str, problems: list[str], trace: str = "") -> str:
    """A self-contained page listing build problems, in the theme's style (for the preview)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(THEME / "templates")), autoescape=True
    )
    css = (THEME / "static" / "style.css").read_text(encoding="utf-8")
    return env.get_template("error.html").render(
        title=title, problems=problems, trace=trace, css=Markup(css)
    )
