"""Atom feeds (RFC 4287): the site's latest briefs, and one per actor, tag and source.

A feed carries each brief's summary and its whole rendered body. A feed reader shows
the body away from the site, so every link and image in it is made absolute, against
the brief's own URL (a sub-path base_url included).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ..paths import Url
from ..site import Site
from ..track import Key

if TYPE_CHECKING:
    from ..pages import Plan, SiteHandle

FEED_FILE = "feed.xml"
"""The feed's file name, beside the page it follows (``/actors/x/feed.xml``)."""

EMPTY_UPDATED = "1970-01-01T00:00:00Z"
"""A feed with no entry still needs an ``updated``: a fixed one, so builds stay byte-identical."""

# An href or src attribute (double-quoted, as the Markdown renderer writes them) whose
# value is relative (or empty: the page itself): not a site path ('/'), not a fragment
# ('#'), not a URL with a scheme (RFC 3986: a letter, then letters, digits, '+', '-',
# '.', then ':'). One pattern for each attribute, each starting with its literal name, so
# that the search skips ahead to it (an alternation in front makes it try every place).
_RELATIVE = tuple(
    re.compile(rf'{name}="((?![/#]|[A-Za-z][A-Za-z0-9+.-]*:)[^"]*)"') for name in ("href", "src")
)


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
    here = page.split("#")[0]
    # The links the renderer writes (site paths, fragments) by plain replacement: a regular
    # expression over every body of every feed cost more than the rest of the feeds.
    for attribute in ("href", "src"):
        html = html.replace(f'{attribute}="/', f'{attribute}="{origin}/')
        html = html.replace(f'{attribute}="#', f'{attribute}="{here}#')
        # A scheme-relative link ("//host/x") is not a site path: put it back.
        html = html.replace(f'{attribute}="{origin}//', f'{attribute}="//')
    for name, relative in zip(("href", "src"), _RELATIVE, strict=True):
        if relative.search(html) is not None:
            html = relative.sub(partial(_joined, name, page), html)
    return html


def _joined(name: str, page: str, match: re.Match[str]) -> str:
    """A relative link's attribute, the link resolved against the page."""
    return f'{name}="{urljoin(page, match[1])}"'


def cdata(html: str) -> str:
    """HTML as the text of an XML element, in a CDATA section: nothing to escape but ``]]>``.

    A brief's body goes into several feeds; escaping every ``<`` of it each time cost
    more than the rest of the feed.
    """
    return "<![CDATA[" + html.replace("]]>", "]]]]><![CDATA[>") + "]]>"


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


def _feed(
    handle: SiteHandle, ids: Sequence[str], title: str, page: Url, subtitle: str = ""
) -> dict[str, Any]:
    """A feed's variables: its briefs, read through the recorder, newest first."""
    briefs = handle.current.briefs
    entries = [briefs[brief_id] for brief_id in ids]
    return {
        "entries": entries,
        "title": title,
        "page": page,
        "subtitle": subtitle,
        "updated": feed_updated(entries),
    }


def _entity_feed(
    handle: SiteHandle, kind: str, key: str, limit: int, site_title: str
) -> dict[str, Any]:
    """The feed of an actor, tag or source: the newest briefs that mention, carry or cite it.

    It reads the entry's list of briefs through the recorder (its page key), and each
    brief it carries, so an edit re-renders it only when it touches those.
    """
    node = getattr(handle.current, kind)[key]
    if kind == "actors":
        ids, name = node.briefs, node.actor.name
    elif kind == "tags":
        ids, name = node.briefs, node.name
    else:
        ids, name = [citing.brief_id for citing in node.citing], node.source.title
    return _feed(handle, ids[:limit], f"{name} · {site_title}", node.url)


def plan(site: Site, handle: SiteHandle, limit: int, title: str) -> Iterator[Plan]:
    """The site's feed (its latest ``limit`` briefs), then one per actor, tag and source."""
    urls = site.urls
    ids = list(site.briefs)[:limit]
    own = frozenset({("brief-at", str(at)) for at in range(limit)} | {("brief-count", "*")})
    variables = partial(_feed, handle, ids, title, urls.page())
    yield "feed.xml", urls.file(FEED_FILE), variables, own
    none: frozenset[Key] = frozenset()
    for kind, nodes in (("actors", site.actors), ("tags", site.tags), ("sources", site.sources)):
        for key, node in nodes.items():
            variables = partial(_entity_feed, handle, kind, key, limit, title)
            yield "feed.xml", feed_url(node.url), variables, none
