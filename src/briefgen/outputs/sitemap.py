"""sitemap.xml (sitemaps.org 0.9) and robots.txt.

Every page a reader can land on is listed with its absolute URL; a brief's
``lastmod`` is its ``updated`` date, or else its ``date``; the home page and the
brief index take the latest of those. Past ``LIMIT`` URLs (the protocol's cap),
sitemap.xml becomes a sitemap index of numbered sitemaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ..site import Site
from ..track import Key
from .feeds import last_change

if TYPE_CHECKING:
    from ..pages import Plan, SiteHandle

LIMIT = 50_000
"""URLs one sitemap file may list (sitemaps.org)."""

LATEST = "*"
"""Stands for the latest change of any brief, in ``SitemapUrl.brief``."""


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    """A page of the sitemap: where it is, and which brief says when it changed."""

    url: str
    """The page's URL on the site (absolute path)."""
    brief: str | None = None
    """The brief whose date is the page's lastmod; ``LATEST`` for the newest of all."""


def chunks(urls: Sequence[SitemapUrl], limit: int = LIMIT) -> list[Sequence[SitemapUrl]]:
    """The URLs split into sitemaps of at most ``limit`` each (one when they fit)."""
    return [urls[at : at + limit] for at in range(0, max(len(urls), 1), limit)]


def lastmods(urls: Sequence[SitemapUrl], briefs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(URL, lastmod or '') of each page, lastmod read from the site's briefs now."""
    latest: dt.date | None = None
    if any(u.brief == LATEST for u in urls):
        latest = max((last_change(node.brief) for node in briefs.values()), default=None)
    found: list[tuple[str, str]] = []
    for item in urls:
        day: dt.date | None = None
        if item.brief == LATEST:
            day = latest
        elif item.brief is not None:
            day = last_change(briefs[item.brief].brief)
        found.append((item.url, day.isoformat() if day else ""))
    return found


SITEMAP_KEYS: frozenset[Key] = frozenset(
    {(kind, "*") for kind in ("brief", "actor", "source", "tag", "page", "brief-count")}
    | {("years", "list"), ("brief-dates", "*")}
)
"""What a sitemap shows: which pages there are (each kind's ``*``, the index's pages,
the years) and every brief's dates (``brief-dates``), not their titles or bodies."""


def _sitemap_urls(site: Site, pages: Sequence[Plan]) -> list[SitemapUrl]:
    """The pages a reader can land on, each with the brief that dates it."""
    urls = site.urls
    dated = {urls.brief(brief_id): brief_id for brief_id in site.briefs}  # nodes unread
    dated[urls.page()] = dated[urls.page("briefs")] = LATEST
    return [
        SitemapUrl(url, dated.get(url))
        for name, url, _, _ in pages
        if isinstance(name, str) and name.endswith(".html") and name != "404.html"
    ]


def _sitemap(handle: SiteHandle, urls: Sequence[SitemapUrl]) -> dict[str, Any]:
    """A sitemap's variables: its pages with their lastmod, read untracked (keys declared)."""
    return {"entries": lastmods(urls, handle.raw.briefs)}


def plan(
    site: Site, handle: SiteHandle, pages: Sequence[Plan], *, robots: bool = True
) -> Iterator[Plan]:
    """sitemap.xml, or past the protocol's limit a sitemap index and numbered sitemaps;
    then robots.txt pointing to it, unless ``robots`` is False (the writer has one)."""
    found = _sitemap_urls(site, pages)
    parts = chunks(found, LIMIT)
    main = site.urls.file("sitemap.xml")
    # A tag's briefs are paged: a brief tagged or untagged can add or drop one of its pages.
    keys = SITEMAP_KEYS | {("tag-page", slug) for slug in site.tags}
    if len(parts) == 1:
        yield "sitemap.xml", main, partial(_sitemap, handle, parts[0]), keys
    else:
        numbers = range(1, len(parts) + 1)
        files = [site.urls.file(f"sitemap-{number}.xml") for number in numbers]
        yield "sitemap-index.xml", main, {"sitemaps": files}, keys
        for file, part in zip(files, parts, strict=True):
            yield "sitemap.xml", file, partial(_sitemap, handle, part), keys
    if robots:
        yield "robots.txt", site.urls.file("robots.txt"), {"sitemap": main}, frozenset()
