"""sitemap.xml (sitemaps.org 0.9) and robots.txt.

Every page a reader can land on is listed with its absolute URL; a brief's
``lastmod`` is its ``updated`` date, or else its ``date``; the home page and the
brief index take the latest of those. Past ``LIMIT`` URLs (the protocol's cap),
sitemap.xml becomes a sitemap index of numbered sitemaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .feeds import last_change

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
