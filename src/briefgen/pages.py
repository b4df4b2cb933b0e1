"""Which pages the site has: the page plan, and the site handle the pages read through.

Every output file is a plan entry: a template (or a Python producer), its URL, its
variables and the dependency keys of what the variables hold (track.py). Entry pages
read their node when they render; listing pages (the brief index, a tag's pages, the
timeline) are handed their share of the site, and declare its keys. ``replans`` says
when a rebuild needs a new plan. render.py renders the entries; outputs/ adds the files
made for machines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from . import paging
from .config import Config
from .outputs import absolute_outputs, feeds, sitemap
from .outputs import data as data_outputs
from .paths import Url
from .site import Site
from .track import ALL, Key

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


def page_plan(
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
    # Each entry's URL from its id, as the graph made it: a warm build's nodes wait in the
    # store (state.py), and a plan that read them would read them all.
    for brief_id in site.briefs:
        own = frozenset({("brief", brief_id)})
        yield "brief.html", urls.brief(brief_id), partial(_entry, handle, "briefs", brief_id), own
    yield "actors.html", urls.page("actors"), partial(_actor_index, handle), _actor_index_keys(site)
    for actor_id in site.actors:
        own = frozenset({("actor", actor_id)})
        yield "actor.html", urls.actor(actor_id), partial(_entry, handle, "actors", actor_id), own
    yield "sources.html", urls.page("sources"), {}, none
    for source_id in site.sources:
        own = frozenset({("source", source_id)})
        plan = partial(_entry, handle, "sources", source_id)
        yield "source.html", urls.source(source_id), plan, own
    yield from _timeline(site, handle, config.paging.timeline)
    yield "tags.html", urls.page("tags"), {}, none
    for slug, tag in site.tags.items():
        yield from _tag_pages(site, handle, slug, tag.briefs, config.paging.briefs)
    for page_id, page in site.pages.items():
        own = frozenset({("page", page_id)})
        yield "page.html", page.url, partial(_entry, handle, "pages", page_id), own
    yield "grades.html", urls.page("grades"), {}, none  # the legend of the grades
    if config.search.enabled:
        yield "search.html", urls.page("search"), {}, none
    yield from data_outputs.plan(site, handle, config)  # the network page, /data/
    yield "404.html", urls.file("404.html"), {}, none
    yield "_redirects.txt", urls.file("_redirects"), partial(_redirects, handle), REDIRECT_KEYS


def _actor_index_keys(site: Site) -> frozenset[Key]:
    """What the actors index shows: which actors there are, in order, each one's card
    (name, kind, role) and how many briefs mention it (``actor-ties``, track.py)."""
    each = {(kind, actor_id) for actor_id in site.actors for kind in ("actor", "actor-ties")}
    return frozenset({("actor", ALL)} | each)


def _actor_index(handle: SiteHandle) -> dict[str, Any]:
    """The actors index's variables, read untracked (its keys are declared): each kind's
    actors, each with how many briefs mention it. Read through the recorder, a count was
    each actor's list of briefs, which a title edit of any brief mentioning it changes:
    every title edit wrote the index again (1,000 actors: 20 to 40 ms of the preview's
    update)."""
    return {
        "groups": [
            (kind, [(node, len(node.briefs)) for node in actors])
            for kind, actors in handle.raw.actors_by_kind()
        ]
    }


REDIRECT_KEYS: frozenset[Key] = frozenset({("brief", ALL), ("aliases", ALL)})
"""What the redirects file shows: which briefs there are, in order, and their aliases
(``("aliases", "*")``, which the rebuild marks changed when a brief's aliases change), not
their titles: a title edit must not read every brief to write it again."""


def _redirects(handle: SiteHandle) -> dict[str, Any]:
    """The redirects file's variables: each brief's former paths with its URL, read
    untracked (its keys are declared)."""
    site = handle.raw
    return {
        "moves": [
            (alias, site.urls.brief(brief_id))
            for brief_id, node in site.briefs.items()
            for alias in node.brief.aliases
        ]
    }


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
