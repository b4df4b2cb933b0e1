"""Open data exports under /data/: CSL-JSON, TimelineJS, JSON and CSV of the site's content.

Every file is made by a Python function (a *producer*, see pages.py) and is
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
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from json.encoder import encode_basestring
from typing import Any

from ..config import Config
from ..model import CSL_TYPES, Name, PartialDate, Source
from ..paths import Url
from ..site import BriefNode, Site, TimelineEntry, YearGroup
from ..track import Key
from . import network
from .entry import Entry, Handle, compact, fragments, json_lines

DATA_FOLDER = "data"


def to_json(value: list[Any]) -> str:
    """A JSON file of records: an array, one record to a line, final newline."""
    return json_lines(compact(item) for item in value) + "\n"


def csv_rows(rows: Iterable[Sequence[object]]) -> str:
    """CSV lines per RFC 4180: CRLF line ends, fields quoted when they need it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV file with a header row."""
    return csv_rows([header]) + csv_rows(rows)


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


def csl_name(name: str | Name) -> dict[str, str]:
    """A CSL name: ``Family, Given`` is split; any other name (``Alec Luhn``, ``Reuters``)
    is kept whole as a ``literal``, since a last word is not always a family name."""
    found = Name.read(name) if isinstance(name, str) else name
    if found.literal:
        return {"literal": found.literal}
    return {"family": found.family, **({"given": found.given} if found.given else {})}


def csl_date(value: Any) -> dict[str, list[list[int]]]:
    return {"date-parts": [[value.year, value.month, value.day]]}


def _partial(value: PartialDate) -> dict[str, list[list[int]]]:
    parts = [value.year, value.month, value.day]
    return {"date-parts": [[part for part in parts if part]]}


_CSL_TEXTS = (
    ("doi", "DOI"),
    ("volume", "volume"),
    ("issue", "issue"),
    ("pages", "page"),
    ("publisher", "publisher"),
    ("place", "publisher-place"),
    ("isbn", "ISBN"),
)
"""The plain text fields of a source and their CSL-JSON names."""


def csl_fields(source: Source) -> dict[str, Any]:
    """One source as a CSL-JSON item, through the README's field mapping (no ``note``)."""
    item: dict[str, Any] = {"id": source.id, "type": CSL_TYPES[source.kind], "title": source.title}
    if source.publication:
        item["container-title"] = source.publication
    if source.authors:
        names = source.names or tuple(Name.read(name) for name in source.authors)
        item["author"] = [csl_name(name) for name in names]
    if source.editors:
        item["editor"] = [csl_name(name) for name in source.editors]
    if source.published:
        item["issued"] = csl_date(source.published)
    elif source.issued:
        item["issued"] = _partial(source.issued)
    for field, key in _CSL_TEXTS:
        if getattr(source, field):
            item[key] = getattr(source, field)
    if source.accessed:
        item["accessed"] = csl_date(source.accessed)
    if source.url:
        item["URL"] = source.url
    if source.language:
        item["language"] = source.language
    return item


def csl_item(source: Source, page: str) -> dict[str, Any]:
    """One source as the CSL-JSON export writes it: its fields and its page on the site."""
    return {**csl_fields(source), "note": f"briefgen: {page}"}


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


ACTOR_FIELDS = ("id", "name", "kind", "role", "affiliation", "briefs", "url", "wikidata")


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
            "wikidata": node.actor.wikidata_url,
        }


def actors_json(handle: Handle, config: Config) -> str:
    rows = []
    for row in _actor_rows(handle.raw, config):
        node = handle.raw.actors[row["id"]]
        row["aliases"] = list(node.actor.aliases)
        row["links"] = [{"label": label, "url": url} for label, url in node.actor.links]
        row["sameAs"] = [row["wikidata"]] if row["wikidata"] else []
        rows.append(row)
    return to_json(rows)


def actors_csv(handle: Handle, config: Config) -> str:
    rows = _actor_rows(handle.raw, config)
    return to_csv(ACTOR_FIELDS, ([row[f] for f in ACTOR_FIELDS] for row in rows))


# ---- statements and citations: read from each brief's body ----

STATEMENT_FIELDS = ("brief", "actor", "source", "locator", "text", "url")
CITATION_FIELDS = ("brief", "source", "number", "locator", "url")


def _statement_rows(config: Config, brief_id: str, node: BriefNode) -> list[dict[str, Any]]:
    return [
        {
            "brief": brief_id,
            "actor": statement.actor_id,
            "source": statement.source_id,
            "locator": statement.locator,
            "text": plain_text(statement.html),
            "html": statement.html,
            "url": _link(config, f"{node.url}#{statement.anchor}"),
        }
        for statement in node.body.statements
    ]


def _citation_rows(config: Config, brief_id: str, node: BriefNode) -> list[dict[str, Any]]:
    return [
        {
            "brief": brief_id,
            "source": citation.source_id,
            "number": citation.number,
            "locator": citation.locator,
            "url": _link(config, f"{node.url}#{citation.anchor}"),
        }
        for citation in node.body.citations
    ]


Rows = Callable[[Config, str, BriefNode], list[dict[str, Any]]]


def record(row: dict[str, str | int]) -> str:
    """``compact(row)`` for a flat record of text and whole numbers, several times quicker:
    the exports write hundreds of thousands of them at 10,000 briefs."""
    return (
        "{"
        + ",".join(
            f"{encode_basestring(key)}:"
            + (encode_basestring(value) if isinstance(value, str) else str(value))
            for key, value in sorted(row.items())
        )
        + "}"
    )


def _by_brief(
    handle: Handle, config: Config, name: str, rows: Rows, fields: Sequence[str] | None
) -> Iterator[str]:
    """Each brief's share of an export (JSON lines, or CSV rows with ``fields``), in brief
    id order, kept while the brief's body and URL are the same objects."""
    kept = fragments(handle, name)
    for brief_id, node in sorted(handle.raw.briefs.items()):

        def make(brief_id: str = brief_id, node: BriefNode = node) -> str:
            found = rows(config, brief_id, node)
            if fields is None:
                return ",\n".join(record(row) for row in found)
            return csv_rows([row[f] for f in fields] for row in found)

        yield kept.get(brief_id, (node.body, node.url), make)
    kept.done()


def statements_json(handle: Handle, config: Config) -> str:
    return json_lines(_by_brief(handle, config, "statements.json", _statement_rows, None)) + "\n"


def statements_csv(handle: Handle, config: Config) -> str:
    parts = _by_brief(handle, config, "statements.csv", _statement_rows, STATEMENT_FIELDS)
    return csv_rows([STATEMENT_FIELDS]) + "".join(parts)


def citations_json(handle: Handle, config: Config) -> str:
    return json_lines(_by_brief(handle, config, "citations.json", _citation_rows, None)) + "\n"


def citations_csv(handle: Handle, config: Config) -> str:
    parts = _by_brief(handle, config, "citations.csv", _citation_rows, CITATION_FIELDS)
    return csv_rows([CITATION_FIELDS]) + "".join(parts)


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


def _edtf_dates(date: PartialDate) -> dict[str, Any]:
    """What TimelineJS adds for a date that is not exact: an interval's ``end_date``, and
    the date in words as ``display_date`` (``c. January 2017``, ``since March 2011``)."""
    if date.exact:
        return {}
    end = date.end_date
    extra: dict[str, Any] = {"end_date": timeline_date(end)} if end else {}
    return {**extra, "display_date": date.label}


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


def _unique_id(entry: TimelineEntry) -> str:
    """``brief-<id>``, or ``<brief id>-event-<n>`` after the event's anchor in its brief."""
    if entry.is_brief:
        return f"brief-{entry.brief_id}"
    return f"{entry.brief_id}-{entry.url.rpartition('#')[2]}"


def _timeline_year(site: Site, config: Config, group: YearGroup, titles: dict[str, str]) -> str:
    """One year's TimelineJS events, one to a line."""
    return ",\n".join(
        compact(
            {
                "start_date": timeline_date(entry.date),
                **_edtf_dates(entry.date),
                "text": {
                    "headline": html.escape(entry.title),
                    "text": _timeline_text(site, config, entry),
                },
                "group": titles[entry.brief_id],
                "unique_id": _unique_id(entry),
            }
        )
        for entry in _entries([group])
    )


def _brief_titles(groups: Iterable[YearGroup]) -> dict[str, str]:
    """Each brief's title, from its own entry of the timeline (every brief has one)."""
    return {entry.brief_id: entry.title for entry in _entries(groups) if entry.is_brief}


def timeline_document(years: Iterable[str], headline: str) -> str:
    """A TimelineJS document: its title slide, then an event for each event and brief, in
    the group of its brief (named by the brief's title); years already written."""
    title = compact({"text": {"headline": html.escape(headline), "text": ""}})
    return '{\n"events":' + json_lines(years) + ',\n"title":' + title + "\n}\n"


def timeline_json(handle: Handle, config: Config) -> str:
    """The whole timeline: it reads the timeline and the actors' and sources' cards
    (their names in each event's text), untracked: its plan entry declares them. Each
    year's events are kept while the year is the same object."""
    site = handle.raw
    kept = fragments(handle, "timeline.json")
    titles: dict[str, str] | None = None

    def year(group: YearGroup) -> str:
        nonlocal titles
        if titles is None:
            titles = _brief_titles(site.timeline)
        return _timeline_year(site, config, group, titles)

    years = [kept.get(str(g.year), (g,), partial(year, g)) for g in site.timeline]
    kept.done()
    return timeline_document(years, config.title)


def actor_timeline_json(handle: Handle, config: Config, actor_id: str) -> str:
    """One actor's timeline, read through the tracked site: what it reads is recorded."""
    site = handle.current
    node = site.actors[actor_id]
    groups = node.timeline
    titles = {entry.brief_id: site.briefs[entry.brief_id].brief.title for entry in _entries(groups)}
    years = [_timeline_year(site, config, group, titles) for group in groups]
    return timeline_document(years, f"{node.actor.name}: {config.title}")


def events_csv(handle: Handle, config: Config) -> str:
    """Every event (not the briefs) in date order, kept a year at a time."""
    kept = fragments(handle, "events.csv")

    def year(group: YearGroup) -> str:
        return csv_rows(
            (
                entry.date.edtf,
                entry.title,
                entry.brief_id,
                " ".join(entry.actors),
                " ".join(entry.sources),
                _link(config, entry.url),
            )
            for entry in _entries([group])
            if not entry.is_brief
        )

    rows = [kept.get(str(g.year), (g,), partial(year, g)) for g in handle.raw.timeline]
    kept.done()
    return csv_rows([EVENT_FIELDS]) + "".join(rows)


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
    timeline = frozenset(
        {("site", "timeline"), ("actor", "*"), ("source", "*")}
        | {("actor", actor_id) for actor_id in site.actors}
        | {("source", source_id) for source_id in site.sources}
    )
    yield timeline_json, url("timeline.json"), variables, timeline
    yield events_csv, url("events.csv"), variables, frozenset({("site", "timeline")})
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
