"""Open data exports under /data/: CSL-JSON, TimelineJS, JSON and CSV of the site's content.

Every file is made by a Python function (a *producer*, see render.py) and is
deterministic: keys sorted, lists in a fixed order, so a rebuild writes the same
bytes. Most producers read the site untracked and their plan entries declare the
keys of what they read; the finer keys (``brief-cites``, ``brief-says``,
``actor-ties``, see track.py) keep a 10,000-brief export from being made again
when an edit changes nothing it shows. The timelines read the site through the
tracked site instead, so what they read is recorded as a template's reads are.

URLs in the exports are absolute when ``base_url`` names a host, and carry its path.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from ..config import Config
from ..model import CSL_TYPES, PartialDate, Source
from ..paths import Url
from ..site import Site, TimelineEntry, YearGroup
from ..track import Key
from . import network
from .entry import Entry, Handle

DATA_FOLDER = "data"


def to_json(value: object) -> str:
    """JSON as every export writes it: keys sorted, two-space indent, UTF-8 text, final newline."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV per RFC 4180: a header row, CRLF line ends, fields quoted when they need it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# A tag of the statement's HTML, which briefgen's own Markdown renderer wrote.
_TAG = re.compile(r"<[^>]+>")


def plain_text(markup: str) -> str:
    """The text of a statement's HTML: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _link(config: Config, url: str) -> str:
    """A site URL as the exports write it: absolute when the site has a host."""
    return config.origin + url


# ---- sources.json: CSL-JSON ----


def csl_name(name: str) -> dict[str, str]:
    """A CSL name: ``Family, Given`` is split; any other name (``Alec Luhn``, ``Reuters``)
    is kept whole as a ``literal``, since a last word is not always a family name."""
    family, comma, given = name.partition(",")
    if comma and family.strip() and given.strip():
        return {"family": family.strip(), "given": given.strip()}
    return {"literal": name}


def csl_date(value: Any) -> dict[str, list[list[int]]]:
    return {"date-parts": [[value.year, value.month, value.day]]}


def csl_item(source: Source, page: str) -> dict[str, Any]:
    """One source as a CSL-JSON item, through the README's field mapping."""
    item: dict[str, Any] = {"id": source.id, "type": CSL_TYPES[source.kind], "title": source.title}
    if source.publication:
        item["container-title"] = source.publication
    if source.authors:
        item["author"] = [csl_name(name) for name in source.authors]
    if source.published:
        item["issued"] = csl_date(source.published)
    if source.accessed:
        item["accessed"] = csl_date(source.accessed)
    if source.url:
        item["URL"] = source.url
    if source.language:
        item["language"] = source.language
    item["note"] = f"briefgen: {page}"
    return item


def sources_json(handle: Handle, config: Config) -> str:
    site = handle.raw
    return to_json(
        [csl_item(node.source, _link(config, node.url)) for _, node in sorted(site.sources.items())]
    )


# ---- briefs.json and actors ----


def briefs_json(handle: Handle, config: Config) -> str:
    site = handle.raw
    rows = []
    for brief_id, node in sorted(site.briefs.items()):
        brief = node.brief
        rows.append(
            {
                "id": brief_id,
                "title": brief.title,
                "date": _date(brief.date),
                "updated": _date(brief.updated),
                "summary": brief.summary,
                "url": _link(config, node.url),
                "authors": [author.actor_id or author.name for author in node.authors],
                "actors": list(node.actors),
                "sources": list(node.sources),
                "tags": list(node.tags),
            }
        )
    return to_json(rows)


ACTOR_FIELDS = ("id", "name", "kind", "role", "affiliation", "briefs", "url")


def _actor_rows(site: Site, config: Config) -> Iterator[dict[str, Any]]:
    for actor_id, node in sorted(site.actors.items()):
        yield {
            "id": actor_id,
            "name": node.actor.name,
            "kind": node.actor.kind,
            "role": node.actor.role,
            "affiliation": node.affiliation or "",
            "briefs": len(node.briefs),
            "url": _link(config, node.url),
        }


def actors_json(handle: Handle, config: Config) -> str:
    rows = []
    for row in _actor_rows(handle.raw, config):
        node = handle.raw.actors[row["id"]]
        row["aliases"] = list(node.actor.aliases)
        row["links"] = [{"label": label, "url": url} for label, url in node.actor.links]
        rows.append(row)
    return to_json(rows)


def actors_csv(handle: Handle, config: Config) -> str:
    rows = _actor_rows(handle.raw, config)
    return to_csv(ACTOR_FIELDS, ([row[f] for f in ACTOR_FIELDS] for row in rows))


# ---- statements and citations: read from each brief's body ----

STATEMENT_FIELDS = ("brief", "actor", "source", "locator", "text", "url")
CITATION_FIELDS = ("brief", "source", "number", "locator", "url")


def _statement_rows(site: Site, config: Config) -> Iterator[dict[str, Any]]:
    for brief_id, node in sorted(site.briefs.items()):
        for statement in node.body.statements:
            yield {
                "brief": brief_id,
                "actor": statement.actor_id,
                "source": statement.source_id,
                "locator": statement.locator,
                "text": plain_text(statement.html),
                "html": statement.html,
                "url": _link(config, f"{node.url}#{statement.anchor}"),
            }


def _citation_rows(site: Site, config: Config) -> Iterator[dict[str, Any]]:
    for brief_id, node in sorted(site.briefs.items()):
        for citation in node.body.citations:
            yield {
                "brief": brief_id,
                "source": citation.source_id,
                "number": citation.number,
                "locator": citation.locator,
                "url": _link(config, f"{node.url}#{citation.anchor}"),
            }


def statements_json(handle: Handle, config: Config) -> str:
    return to_json(list(_statement_rows(handle.raw, config)))


def statements_csv(handle: Handle, config: Config) -> str:
    rows = _statement_rows(handle.raw, config)
    return to_csv(STATEMENT_FIELDS, ([row[f] for f in STATEMENT_FIELDS] for row in rows))


def citations_json(handle: Handle, config: Config) -> str:
    return to_json(list(_citation_rows(handle.raw, config)))


def citations_csv(handle: Handle, config: Config) -> str:
    rows = _citation_rows(handle.raw, config)
    return to_csv(CITATION_FIELDS, ([row[f] for f in CITATION_FIELDS] for row in rows))


# ---- timelines: TimelineJS JSON, and events as CSV (read through the tracked site) ----

EVENT_FIELDS = ("date", "title", "brief", "actors", "sources", "url")


def _entries(groups: Iterable[YearGroup]) -> Iterator[TimelineEntry]:
    for group in groups:
        for month in group.months:
            yield from month.entries


def timeline_date(date: PartialDate) -> dict[str, str]:
    """A TimelineJS date: ``year``, and ``month`` and ``day`` when known."""
    parts = {"year": str(date.year)}
    if date.month:
        parts["month"] = str(date.month)
    if date.day:
        parts["day"] = str(date.day)
    return parts


def _timeline_text(site: Site, config: Config, entry: TimelineEntry) -> str:
    """The event's actors and sources as HTML links to their pages on the site."""
    lines = []
    if entry.actors:
        links = [
            f'<a href="{html.escape(_link(config, site.actors[a].url))}">'
            f"{html.escape(site.actors[a].actor.name)}</a>"
            for a in entry.actors
        ]
        lines.append("<p>Actors: " + ", ".join(links) + "</p>")
    if entry.sources:
        links = [
            f'<a href="{html.escape(_link(config, site.sources[s].url))}">'
            f"{html.escape(site.sources[s].source.title)}</a>"
            for s in entry.sources
        ]
        lines.append("<p>Sources: " + ", ".join(links) + "</p>")
    lines.append(f'<p><a href="{html.escape(_link(config, entry.url))}">Read the brief</a></p>')
    return "\n".join(lines)


def timeline_document(
    site: Site, config: Config, groups: Iterable[YearGroup], headline: str
) -> dict[str, Any]:
    """A TimelineJS document: a title slide and an event for each event and brief, each in
    the group of its brief (named by the brief's title)."""
    events = []
    for entry in _entries(groups):
        kind = "brief" if entry.is_brief else "event"
        events.append(
            {
                "start_date": timeline_date(entry.date),
                "text": {
                    "headline": html.escape(entry.title),
                    "text": _timeline_text(site, config, entry),
                },
                "group": site.briefs[entry.brief_id].brief.title,
                "unique_id": f"{kind}-{len(events) + 1}",
            }
        )
    return {"title": {"text": {"headline": html.escape(headline), "text": ""}}, "events": events}


def timeline_json(handle: Handle, config: Config) -> str:
    site = handle.current
    return to_json(timeline_document(site, config, site.timeline, config.title))


def actor_timeline_json(handle: Handle, config: Config, actor_id: str) -> str:
    site = handle.current
    node = site.actors[actor_id]
    headline = f"{node.actor.name}: {config.title}"
    return to_json(timeline_document(site, config, node.timeline, headline))


def events_csv(handle: Handle, config: Config) -> str:
    site = handle.current
    rows = (
        (
            entry.date.iso,
            entry.title,
            entry.brief_id,
            " ".join(entry.actors),
            " ".join(entry.sources),
            _link(config, entry.url),
        )
        for entry in _entries(site.timeline)
        if not entry.is_brief
    )
    return to_csv(EVENT_FIELDS, rows)


# ---- the plan ----


def _keys(site: Site, kind: str, *names: str) -> frozenset[Key]:
    """``(kind, "*")`` and, for every entry of the kind, a key of each of ``names``."""
    ids = site.briefs if kind == "brief" else site.actors if kind == "actor" else site.sources
    return frozenset({(kind, "*")} | {(name, entry_id) for entry_id in ids for name in names})


def plan(site: Site, handle: Handle, config: Config) -> Iterator[Entry]:
    """The actor network page, then, unless ``[data] enabled = false``, every export and
    the Open data page that documents them."""
    yield network.plan(site, handle, config)
    if not config.data.enabled:
        return
    urls = site.urls
    none: frozenset[Key] = frozenset()

    def url(name: str) -> Url:
        return urls.file(f"{DATA_FOLDER}/{name}")

    variables = {"config": config}
    sources = _keys(site, "source", "source")
    briefs = _keys(site, "brief", "brief")
    cites = _keys(site, "brief", "brief-cites")
    says = _keys(site, "brief", "brief-says")
    actors = _keys(site, "actor", "actor", "actor-ties")
    yield "data.html", urls.page(DATA_FOLDER), {}, none
    yield sources_json, url("sources.json"), variables, sources
    yield briefs_json, url("briefs.json"), variables, briefs
    yield actors_json, url("actors.json"), variables, actors
    yield actors_csv, url("actors.csv"), variables, actors
    yield statements_json, url("statements.json"), variables, says
    yield statements_csv, url("statements.csv"), variables, says
    yield citations_json, url("citations.json"), variables, cites
    yield citations_csv, url("citations.csv"), variables, cites
    yield timeline_json, url("timeline.json"), variables, none
    yield events_csv, url("events.csv"), variables, none
    for actor_id in site.actors:
        own = frozenset({("actor-page", actor_id)})
        yield (
            partial(actor_timeline_json, actor_id=actor_id),
            urls.file(f"actors/{actor_id}/timeline.json"),
            variables,
            own,
        )
    for name, producer in network.data_files().items():
        yield producer, url(name), variables, actors
