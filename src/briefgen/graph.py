"""Resolve ids, one entry at a time: what a brief, actor, source or page is on its own.

``Linker`` renders each body through the Markdown stage, checks every id written in
front matter, and derives what one entry contributes to the site (a brief's actors,
sources, events, byline and tags; an actor's affiliation). Putting the entries
together (who is mentioned where, what cites what, related briefs, the timelines)
is ``siteindex``'s work, which keeps it up to date as briefs change. Pure: no files
are read or written here.
"""

from __future__ import annotations

import heapq
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from .config import LintConfig
from .errors import Diagnostic, did_you_mean, error, warning
from .judgments import judgments_of, render_judgments
from .markdown import Lookup, RenderCache, Rendered
from .model import (
    ACTOR_KINDS,
    Actor,
    Brief,
    Content,
    Page,
    PartialDate,
    Ref,
    Source,
    fold_name,
)
from .paths import Url, Urls, is_valid_id, slugify
from .pickling import by_fields
from .site import (
    Author,
    Judgment,
    MonthGroup,
    Reference,
    TimelineEntry,
    YearGroup,
)

RELATED_LIMIT = 5
ALL_CHECKS = LintConfig()
"""Every check of key judgments on, as briefgen.toml has it without ``[lint]``."""


def build_lookup(content: Content, urls: Urls) -> Lookup:
    """Index actor ids, names and aliases (lowercased) for mention resolution."""
    keys: dict[str, list[str]] = defaultdict(list)
    for actor in content.actors:
        for key in (actor.id, actor.name, *actor.aliases):
            folded = fold_name(key)
            if folded and actor.id not in keys[folded]:
                keys[folded].append(actor.id)
    return Lookup(
        actor_keys={key: tuple(ids) for key, ids in keys.items()},
        actor_names={actor.id: actor.name for actor in content.actors},
        source_titles={source.id: source.title for source in content.sources},
        urls=urls,
    )


def shadowed_names(content: Content) -> list[Diagnostic]:
    """Names and aliases equal to another actor's id: mentioning them means that actor."""
    ids = {actor.id for actor in content.actors}
    found = []
    for actor in content.actors:
        # Point at the very name or alias that collides, not at the actor's name line.
        places = (actor.name_where, *actor.aliases_where)
        for index, name in enumerate((actor.name, *actor.aliases)):
            folded = fold_name(name)
            if folded in ids and folded != actor.id:
                where = places[index] if index < len(places) else actor.name_where
                found.append(
                    warning(
                        where.path,
                        where.line,
                        where.col,
                        f"'{name}' of actor '{actor.id}' is the id of another actor, "
                        f"so [[{folded}]] always means '{folded}'",
                        f"remove '{name}' or write [[{actor.id}]]",
                    )
                )
    return found


_DATE_ORDER = operator.attrgetter(*(f.name for f in fields(PartialDate)))
"""A date's fields as a tuple, which orders as the date does (``order=True`` compares
them in turn), without a Python-level comparison per pair: sorting a year's 2,300
entries by the dates themselves took 40 ms of a preview rebuild after a title edit."""


def group_timeline(entries: Iterable[TimelineEntry]) -> tuple[YearGroup, ...]:
    """Entries in date order, grouped by year, then month."""
    ordered = sorted(entries, key=lambda e: (_DATE_ORDER(e.date), not e.is_brief, e.title))
    years: dict[int, dict[int, list[TimelineEntry]]] = defaultdict(lambda: defaultdict(list))
    for entry in ordered:
        years[entry.date.year][entry.date.month].append(entry)
    return tuple(
        YearGroup(
            year,
            tuple(
                MonthGroup(PartialDate(year, month).month_label, tuple(items))
                for month, items in months.items()
            ),
        )
        for year, months in years.items()
    )


def references_of(body: Rendered, listed: Sequence[str] = ()) -> tuple[Reference, ...]:
    """Cited sources by number, then sources listed in front matter but never cited."""
    numbers = body.first_numbers()
    cited = [Reference(source_id, number, body) for source_id, number in numbers.items()]
    cited.sort(key=lambda r: r.number or 0)
    uncited = [Reference(s, None, None) for s in dict.fromkeys(listed) if s not in numbers]
    return (*cited, *uncited)


class _Resolver:
    """Checks ids written in front matter, reporting each unknown one into ``found``."""

    def __init__(self, lookup: Lookup, sources: Iterable[str]) -> None:
        self.lookup = lookup
        self.sources = set(sources)

    def actors(self, refs: Iterable[Ref], found: list[Diagnostic]) -> list[str]:
        ids = []
        for ref in refs:
            actor_id, message, hint = self.lookup.resolve_actor(ref.id)
            if actor_id is None:
                where = ref.where
                found.append(error(where.path, where.line, where.col, message or "", hint))
            else:
                ids.append(actor_id)
        return ids

    def sources_of(self, refs: Iterable[Ref], found: list[Diagnostic]) -> list[str]:
        ids = []
        for ref in refs:
            if ref.id in self.sources:
                ids.append(ref.id)
            else:
                hint = did_you_mean(ref.id, self.sources) or "add it under content/sources/"
                where = ref.where
                found.append(
                    error(where.path, where.line, where.col, f"unknown source '{ref.id}'", hint)
                )
        return ids


BriefKey = tuple[int, str]
"""Where a brief stands in site order: newest first, then by id (see ``brief_key``)."""


def brief_key(brief: Brief) -> BriefKey:
    """Sorts briefs newest first, then by id: the order of ``Site.briefs``."""
    return (-brief.date.toordinal(), brief.id)


@by_fields
@dataclass(frozen=True, slots=True)
class BriefParts:
    """A brief resolved on its own, before anything that needs the other briefs."""

    brief: Brief
    url: Url
    body: Rendered
    actors: tuple[str, ...]
    """Front-matter actors, body mentions and event actors, without repeats, in actor order."""
    sources: tuple[str, ...]
    events: tuple[TimelineEntry, ...]
    authors: tuple[Author, ...]
    tags: tuple[tuple[str, str], ...]
    """(slug, tag as written) for every tag, in the order written."""
    diagnostics: tuple[Diagnostic, ...]
    """What resolving it found: its Markdown's problems, unknown ids, a byline slip."""
    judgments: tuple[Judgment, ...] = ()
    """Its key judgments as the page shows them (their citations are in ``body`` too)."""

    @property
    def sort_key(self) -> BriefKey:
        return brief_key(self.brief)

    @property
    def entry(self) -> TimelineEntry:
        """The brief itself, placed on the timeline at its date."""
        brief = self.brief
        return TimelineEntry(
            PartialDate.of(brief.date),
            brief.title,
            self.url,
            brief.id,
            self.actors,
            self.sources,
            True,
            brief.title,
        )

    @property
    def entries(self) -> tuple[TimelineEntry, ...]:
        """Everything it puts on the timeline: its events, then itself."""
        return (*self.events, self.entry)

    @property
    def author_ids(self) -> tuple[str, ...]:
        return tuple(a.actor_id for a in self.authors if a.actor_id is not None)

    @property
    def slugs(self) -> tuple[str, ...]:
        """Tag slugs without repeats, in the order written."""
        return tuple(dict.fromkeys(slug for slug, _ in self.tags if slug))


def tag_warnings(slug: str, spellings: Iterable[tuple[str, str]]) -> tuple[str, list[Diagnostic]]:
    """A tag's name (its first spelling in site order) and a warning for each other spelling.

    ``spellings`` is (path of the brief, tag as written) for every use, in site order.
    """
    name = ""
    found = []
    for path, tag in spellings:
        if not name:
            name = tag
        elif name.lower() != tag.lower():
            found.append(
                warning(
                    path,
                    1,
                    1,
                    f"tags '{name}' and '{tag}' share the page /tags/{slug}/",
                    "spell them alike, or make them differ in letters",
                )
            )
    return name, found


def unused_warning(path: str, kind: str, entry_id: str) -> Diagnostic:
    """An actor mentioned in no brief, or a source cited in none."""
    if kind == "actor":
        message = f"actor '{entry_id}' is not mentioned in any brief"
        hint = f"mention it as [[{entry_id}]] or delete the file"
    else:
        message = f"source '{entry_id}' is not cited in any brief"
        hint = f"cite it as [@{entry_id}] or delete the file"
    return warning(path, 1, 1, message, hint)


class Linker:
    """Resolves one entry at a time against the actors and sources of a site.

    It holds what depends on actors, sources and URLs only, so it serves every
    brief edit until an actor, source or page changes.
    """

    def __init__(
        self, content: Content, urls: Urls, cache: RenderCache, lint: LintConfig = ALL_CHECKS
    ) -> None:
        self.urls = urls
        self.cache = cache
        self.lint = lint
        self.reliability = {source.id: source.reliability for source in content.sources}
        """Each source's grade, which the checks of key judgments read."""
        self.lookup = lookup = build_lookup(content, urls)
        cache.renderer_for(lookup)
        self.resolve = _Resolver(lookup, (s.id for s in content.sources))
        self.actor_order = {actor.id: actor.sort_key for actor in content.actors}
        kinds = {kind: index for index, kind in enumerate(ACTOR_KINDS)}
        self.chip_order = {
            actor.id: (kinds[actor.kind], actor.sort_key) for actor in content.actors
        }
        self.actor_names = {actor.id: actor.name for actor in content.actors}

    def in_order(self, actor_ids: Iterable[str]) -> tuple[str, ...]:
        """Actor ids without repeats, as the actors index lists them: by kind, then each kind
        in actor order (people by last name), so a brief's chips read like the index."""
        return tuple(sorted(dict.fromkeys(actor_ids), key=self.chip_order.__getitem__))

    def authors(self, brief: Brief, found: list[Diagnostic]) -> tuple[Author, ...]:
        """The byline: an actor id becomes a link to the actor, any other name stays as written."""
        names = []
        for ref in brief.authors:
            if ref.id in self.actor_names:
                names.append(Author(self.actor_names[ref.id], ref.id))
                continue
            # Names read 'Astana Watch desk'; text shaped like an id, and close to one, is a slip.
            close = did_you_mean(ref.id, self.actor_names) if is_valid_id(ref.id) else None
            if close is None:
                names.append(Author(ref.id, None))
                continue
            where = ref.where
            message = f"author '{ref.id}' looks like an actor id, but there is no such actor"
            found.append(error(where.path, where.line, where.col, message, close))
        return tuple(names)

    def render(self, owner: Brief | Actor | Source | Page, url: Url) -> Rendered:
        if self.cache.renderer is None:  # the parser is not kept in the persistent cache
            self.cache.renderer_for(self.lookup)
        return self.cache.render(owner.body, url)

    def brief(self, brief: Brief) -> BriefParts:
        """A brief's body, events, actors, sources, byline and tags."""
        found: list[Diagnostic] = []
        url = self.urls.brief(brief.id)
        body = self.render(brief, url)
        found.extend(body.diagnostics)
        renderer = self.cache.renderer
        assert renderer is not None
        body, texts = render_judgments(renderer, brief, body, url)
        judged = judgments_of(brief, texts, self.reliability, self.lint, found)
        events = []
        for number, event in enumerate(brief.events, start=1):
            who = self.in_order(self.resolve.actors(event.actors, found))
            cites = tuple(self.resolve.sources_of(event.sources, found))
            where = Url(f"{url}#event-{number}")
            events.append(
                TimelineEntry(
                    event.date, event.title, where, brief.id, who, cites, False, brief.title
                )
            )
        actors = self.in_order(
            [
                *self.resolve.actors(brief.actors, found),
                *body.mentioned,
                *(s.actor_id for s in body.statements),
                *(a for e in events for a in e.actors),
            ]
        )
        sources = dict.fromkeys(
            [
                *self.resolve.sources_of(brief.sources, found),
                *body.cited_sources,
                *(s for e in events for s in e.sources),
            ]
        )
        authors = self.authors(brief, found)
        tags = tuple((slugify(tag), tag) for tag in brief.tags)
        return BriefParts(
            brief,
            url,
            body,
            actors,
            tuple(sources),
            tuple(events),
            authors,
            tags,
            tuple(found),
            judged,
        )

    def affiliations(
        self, actors: Iterable[Actor], found: list[Diagnostic]
    ) -> tuple[dict[str, str | None], dict[str, list[str]]]:
        """Each actor's affiliation, and each actor's members."""
        actors = list(actors)
        actor_ids = {a.id for a in actors}
        members: dict[str, list[str]] = defaultdict(list)
        affiliations: dict[str, str | None] = {}
        for actor in actors:
            affiliation = None
            ref = actor.affiliation
            if ref is not None and ref.id == actor.id:
                where = ref.where
                message = "an actor cannot be its own affiliation"
                hint = "name the organisation or state it belongs to, or delete 'affiliation'"
                found.append(error(where.path, where.line, where.col, message, hint))
            elif ref is not None:
                ids = [ref.id] if ref.id in actor_ids else self.resolve.actors([ref], found)
                affiliation = ids[0] if ids else None
                if affiliation:
                    members[affiliation].append(actor.id)
            affiliations[actor.id] = affiliation
        by_name = self.actor_order.__getitem__
        return affiliations, {key: sorted(ids, key=by_name) for key, ids in members.items()}

    def related(
        self,
        brief_id: str,
        actors: Iterable[str],
        briefs_of_actor: dict[str, list[str]],
        keys: dict[str, BriefKey],
    ) -> tuple[str, ...]:
        """The briefs sharing the most actors with this one; ties go to the newest."""
        shared: Counter[str] = Counter()
        for actor_id in actors:
            shared.update(briefs_of_actor[actor_id])
        shared.pop(brief_id, None)
        return tuple(
            heapq.nsmallest(RELATED_LIMIT, shared, key=lambda other: (-shared[other], keys[other]))
        )
