"""Structured data for search engines: schema.org as JSON-LD, one graph per page.

A brief is an ``AnalysisNewsArticle`` whose ``about`` are the actors its front matter
names and whose ``mentions`` are the others it names, with the sources it cites as
``citation``; an actor is a ``Person``, ``Organization`` or ``Country``; a source a
``NewsArticle``, ``Report``, ``Legislation``, ``Book``, ``Dataset`` or ``CreativeWork``.
Nodes are named by their page's absolute URL (``@id``), so the graphs of the site's
pages join up. The nodes given are those templates see, so a page records what it reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

from ..model import fold_name
from .feeds import last_change

ACTOR_TYPES = {
    "person": "Person",
    "organisation": "Organization",
    "state": "Country",
    "group": "Organization",
}
SOURCE_TYPES = {
    "news": "NewsArticle",
    "report": "Report",
    "law": "Legislation",
    "treaty": "Legislation",
    "book": "Book",
    "dataset": "Dataset",
    "article": "ScholarlyArticle",
    "speech": "CreativeWork",
}

# The first paragraph of rendered Markdown (its markup inside).
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
# Citation markers ("[1, para. 2]") and footnote markers: not words of the text.
_MARKERS = re.compile(r'<span class="citation">.*?</span>|<sup class="footnote-ref">.*?</sup>')
# Any tag.
_TAG = re.compile(r"<[^>]*>")

EXCERPT = 200
"""Characters of a profile a link preview shows at most."""


def excerpt(html: str, limit: int = EXCERPT) -> str:
    """The first paragraph of rendered Markdown as plain text, cut at a word near ``limit``.

    For a description where the content has no summary (an actor's profile).
    """
    first = _PARAGRAPH.search(html)
    text = first[1] if first else html
    text = " ".join(unescape(_TAG.sub(" ", _MARKERS.sub("", text))).split())
    text = re.sub(r" ([.,;:!?)])", r"\1", text)  # a space left where a tag ended
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


Absolute = Callable[[str], str]
"""Makes a site URL absolute (the origin before it; '' when base_url has no host)."""


def script(data: dict[str, Any]) -> str:
    """JSON-LD text safe inside ``<script type="application/ld+json">``.

    ``<`` is escaped so no value can end the script element (``</script>``), and
    ``&`` and ``>`` too so no reader mistakes the text for markup.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _graph(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@graph": list(nodes)}


def _site(config: Any, absolute: Absolute, home: str) -> dict[str, Any]:
    site: dict[str, Any] = {"@type": "WebSite", "@id": absolute(home), "name": config.title}
    site["url"] = absolute(home)
    if config.description:
        site["description"] = config.description
    site["inLanguage"] = config.language
    return site


def _publisher(config: Any, absolute: Absolute, home: str) -> dict[str, Any]:
    return {"@type": "Organization", "@id": absolute(home) + "#publisher", "name": config.title}


def actor_ref(node: Any, absolute: Absolute) -> dict[str, Any]:
    """An actor named from another node: its type, @id and name."""
    actor = node.actor
    return {"@type": ACTOR_TYPES[actor.kind], "@id": absolute(node.url), "name": actor.name}


def website(config: Any, absolute: Absolute, home: str) -> str:
    """The home page's graph: the site and its publisher."""
    return script(_graph(_site(config, absolute, home), _publisher(config, absolute, home)))


def brief(node: Any, site: Any, config: Any, absolute: Absolute, image: str = "") -> str:
    """A brief's graph: the article, with its authors, actors and sources."""
    entry = node.brief
    home = site.urls.page()
    url = absolute(node.url)
    written = {fold_name(ref.id) for ref in entry.actors}
    about: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    for actor_id in node.actors:
        actor = site.actors[actor_id]
        names = {fold_name(actor_id), fold_name(actor.actor.name)}
        names |= {fold_name(alias) for alias in actor.actor.aliases}
        (about if names & written else mentions).append(actor_ref(actor, absolute))
    authors: list[dict[str, Any]] = []
    for author in node.authors:
        if author.actor_id is not None:
            authors.append(actor_ref(site.actors[author.actor_id], absolute))
        else:
            authors.append({"@type": "Person", "name": author.name})
    article: dict[str, Any] = {
        "@type": "AnalysisNewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": entry.title,
        "description": entry.summary,
        "datePublished": entry.date.isoformat(),
        "dateModified": last_change(entry).isoformat(),
        "inLanguage": config.language,
        "isPartOf": {"@id": absolute(home)},
        "publisher": {"@id": absolute(home) + "#publisher"},
    }
    if authors:
        article["author"] = authors
    else:
        article["author"] = {"@id": absolute(home) + "#publisher"}
    if about:
        article["about"] = about
    if mentions:
        article["mentions"] = mentions
    if node.sources:
        article["citation"] = [source_ref(site.sources[s], absolute) for s in node.sources]
    if entry.tags:
        article["keywords"] = list(entry.tags)
    if image:
        article["image"] = absolute(image)
    return script(
        _graph(article, _site(config, absolute, home), _publisher(config, absolute, home))
    )


def actor(node: Any, site: Any, absolute: Absolute, image: str = "") -> str:
    """An actor's graph: the person, organisation or country, its other names and links."""
    entry = node.actor
    data: dict[str, Any] = {**actor_ref(node, absolute), "url": absolute(node.url)}
    if entry.aliases:
        data["alternateName"] = list(entry.aliases)
    same = [entry.wikidata_url] if entry.wikidata else []
    same += [url for _, url in entry.links if url != entry.wikidata_url]
    if same:
        data["sameAs"] = same
    if entry.role:
        data["description"] = entry.role
        if entry.kind == "person":
            data["jobTitle"] = entry.role
    if node.affiliation is not None:
        other = actor_ref(site.actors[node.affiliation], absolute)
        if entry.kind == "person":
            data["affiliation"] = other
        elif entry.kind != "state":
            data["parentOrganization"] = other
    if image:
        data["image"] = absolute(image)
    return script(_graph(data))


def source_ref(node: Any, absolute: Absolute) -> dict[str, Any]:
    """A source as a creative work: title, authors, publisher, date and where it is."""
    entry = node.source
    data: dict[str, Any] = {
        "@type": SOURCE_TYPES.get(entry.kind, "CreativeWork"),
        "@id": absolute(node.url),
        "name": entry.title,
    }
    if entry.kind in ("news", "report"):
        data["headline"] = entry.title
    if entry.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in entry.authors]
    if entry.publication:
        data["publisher"] = {"@type": "Organization", "name": entry.publication}
    if entry.published is not None:
        data["datePublished"] = entry.published.isoformat()
    elif getattr(entry, "issued", None) is not None:
        data["datePublished"] = entry.issued.iso  # a month or a year: ISO 8601 allows both
    if getattr(entry, "doi", ""):
        data["identifier"] = entry.doi_url
    if entry.url:
        data["sameAs"] = entry.url
    if entry.language:
        data["inLanguage"] = entry.language
    return data


def source(node: Any, absolute: Absolute) -> str:
    """A source's graph."""
    return script(_graph({**source_ref(node, absolute), "url": absolute(node.url)}))
