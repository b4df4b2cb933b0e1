"""Atom feeds (RFC 4287): the site's latest briefs, and one per actor, tag and source.

A feed carries each brief's summary and its whole rendered body. A feed reader shows
the body away from the site, so every link and image in it is made absolute, against
the brief's own URL (a sub-path base_url included).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..paths import Url

FEED_FILE = "feed.xml"
"""The feed's file name, beside the page it follows (``/actors/x/feed.xml``)."""

EMPTY_UPDATED = "1970-01-01T00:00:00Z"
"""A feed with no entry still needs an ``updated``: a fixed one, so builds stay byte-identical."""

# An href or src attribute as the Markdown renderer writes it: double-quoted value.
_LINK = re.compile(r'\b(href|src)="([^"]*)"')
# A URL's scheme (RFC 3986: a letter, then letters, digits, '+', '-', '.'), then ':'.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def feed_url(page: Url) -> Url:
    """The URL of the feed that follows a page (the page's URL ends with '/')."""
    return Url(page + FEED_FILE)


def absolute_html(html: str, page: str) -> str:
    """Rendered HTML with every link and image made absolute against ``page``'s full URL.

    ``/briefs/x/`` gets the host, ``#cite-1`` the brief's URL, a relative path both;
    absolute URLs and other schemes (``mailto:``) are kept.
    """
    parts = urlsplit(page)
    origin = f"{parts.scheme}://{parts.netloc}"

    def absolute(match: re.Match[str]) -> str:
        link = match[2]
        # The common cases without urljoin, which costs more than the rest of a feed.
        if link.startswith("/") and not link.startswith("//"):
            return f'{match[1]}="{origin}{link}"'
        if link.startswith("#"):
            return f'{match[1]}="{page.split("#")[0]}{link}"'
        if _SCHEME.match(link):
            return match[0]
        return f'{match[1]}="{urljoin(page, link)}"'

    return _LINK.sub(absolute, html)


def timestamp(day: dt.date) -> str:
    """An RFC 3339 date-time for a day: midnight UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def last_change(brief: Any) -> dt.date:
    """When a brief last changed: ``updated`` when it has one, else its ``date``."""
    updated: dt.date | None = brief.updated
    date: dt.date = brief.date
    return updated or date


def feed_updated(nodes: Iterable[Any]) -> str:
    """A feed's ``updated``: the latest change among its entries."""
    days = [last_change(node.brief) for node in nodes]
    return timestamp(max(days)) if days else EMPTY_UPDATED
