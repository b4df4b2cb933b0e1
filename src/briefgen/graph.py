"""Resolve ids and link everything: the briefing as a graph of briefs, actors and sources.

Takes the loaded ``Content``, renders each body once through the Markdown
stage, checks every id written in front matter, and computes what the pages
show: who is mentioned where, what cites what, who appears with whom, what is
related, and the timelines. Pure: no files are read or written here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from .errors import Diagnostic, did_you_mean, error, warning
from .markdown import Lookup, RenderCache, Rendered
from .model import (
    ACTOR_KINDS,
    Actor,
    Body,
    Brief,
    Citation,
    Content,
    Page,
    PartialDate,
    Ref,
    Source,
    fold_name,
)
from .paths import Url, Urls, is_valid_id, slugify
from .site import (
    ActorNode,
    Author,
    BriefNode,
    Citing,
    MonthGroup,
    PageNode,
    QuotedStatement,
    Reference,
    Site,
    SourceNode,
    TagNode,
    TimelineEntry,
    YearGroup,
)

RELATED_LIMIT = 5


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


def group_timeline(entries: Iterable[TimelineEntry]) -> tuple[YearGroup, ...]:
    """Entries in date order, grouped by year, then month."""
    ordered = sorted(entries, key=lambda e: (e.date, not e.is_brief, e.title))
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
    by_source: dict[str, list[Citation]] = defaultdict(list)
    for citation in body.citations:
        by_source[citation.source_id].append(citation)
    cited = [
        Reference(source_id, items[0].number, tuple(items))
        for source_id, items in by_source.items()
    ]
    cited.sort(key=lambda r: r.number or 0)
    uncited = [Reference(s, None, ()) for s in dict.fromkeys(listed) if s not in by_source]
    return (*cited, *uncited)


class _Resolver:
    """Checks ids written in front matter, recording a diagnostic for each unknown one."""

    def __init__(self, lookup: Lookup, sources: Iterable[str]) -> None:
        self.lookup = lookup
        self.sources = set(sources)
        self.diagnostics: list[Diagnostic] = []

    def actors(self, refs: Iterable[Ref]) -> list[str]:
        found = []
        for ref in refs:
            actor_id, message, hint = self.lookup.resolve_actor(ref.id)
            if actor_id is None:
                where = ref.where
                self.diagnostics.append(
                    error(where.path, where.line, where.col, message or "", hint)
                )
            else:
                found.append(actor_id)
        return found

    def sources_of(self, refs: Iterable[Ref]) -> list[str]:
        found = []
        for ref in refs:
            if ref.id in self.sources:
                found.append(ref.id)
            else:
                hint = did_you_mean(ref.id, self.sources) or "add it under content/sources/"
                where = ref.where
                self.diagnostics.append(
                    error(where.path, where.line, where.col, f"unknown source '{ref.id}'", hint)
                )
        return found


PARALLEL_MIN = 200
"""Fewer pages than this are rendered in this process: forking costs more."""


@dataclass(frozen=True, slots=True)
class _BriefParts:
    """A brief resolved on its own, before anything that needs the other briefs."""

    brief: Brief
    url: Url
    body: Rendered
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    events: tuple[TimelineEntry, ...]
    authors: tuple[Author, ...]


class _GraphBuilder:
    """Builds the site graph in stages; each stage reads what earlier ones made."""

    def __init__(
        self, content: Content, urls: Urls, cache: RenderCache, unused_warnings: bool
    ) -> None:
        self.content = content
        self.unused_warnings = unused_warnings
        self.urls = urls
        self.cache = cache
        lookup = build_lookup(content, urls)
        cache.renderer_for(lookup)
        self.used: set[tuple[Body, str]] = set()
        self.resolve = _Resolver(lookup, (s.id for s in content.sources))
        self.diagnostics = self.resolve.diagnostics
        self.diagnostics.extend(shadowed_names(content))
        self.tag_names: dict[str, str] = {}
        self.tag_briefs: dict[str, list[str]] = defaultdict(list)
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

    def authors(self, brief: Brief) -> tuple[Author, ...]:
        """The byline: an actor id becomes a link to the actor, any other name stays as written."""
        found = []
        for ref in brief.authors:
            if ref.id in self.actor_names:
                found.append(Author(self.actor_names[ref.id], ref.id))
                continue
            # Names read 'Astana Watch desk'; text shaped like an id, and close to one, is a slip.
            close = did_you_mean(ref.id, self.actor_names) if is_valid_id(ref.id) else None
            if close is None:
                found.append(Author(ref.id, None))
                continue
            where = ref.where
            message = f"author '{ref.id}' looks like an actor id, but there is no such actor"
            self.diagnostics.append(error(where.path, where.line, where.col, message, close))
        return tuple(found)

    def render(self, owner: Brief | Actor | Source | Page, url: Url) -> Rendered:
        self.used.add((owner.body, url))
        rendered = self.cache.render(owner.body, url)
        self.diagnostics.extend(rendered.diagnostics)
        return rendered

    def warn(self, path: str, message: str, hint: str) -> None:
        self.diagnostics.append(warning(path, 1, 1, message, hint))

    def brief_parts(self) -> dict[str, _BriefParts]:
        """Each brief's body, events, actors and sources, newest brief first."""
        parts: dict[str, _BriefParts] = {}
        for brief in sorted(self.content.briefs, key=lambda b: (-b.date.toordinal(), b.id)):
            url = self.urls.brief(brief.id)
            body = self.render(brief, url)
            events = []
            for number, event in enumerate(brief.events, start=1):
                who = self.in_order(self.resolve.actors(event.actors))
                cites = tuple(self.resolve.sources_of(event.sources))
                where = Url(f"{url}#event-{number}")
                events.append(
                    TimelineEntry(event.date, event.title, where, brief.id, who, cites, False)
                )
            actors = self.in_order(
                [
                    *self.resolve.actors(brief.actors),
                    *(m.actor_id for m in body.mentions),
                    *(s.actor_id for s in body.statements),
                    *(a for e in events for a in e.actors),
                ]
            )
            sources = dict.fromkeys(
                [
                    *self.resolve.sources_of(brief.sources),
                    *body.cited_sources,
                    *(s for e in events for s in e.sources),
                ]
            )
            self.add_tags(brief)
            parts[brief.id] = _BriefParts(
                brief, url, body, actors, tuple(sources), tuple(events), self.authors(brief)
            )
        return parts

    def add_tags(self, brief: Brief) -> None:
        for tag in brief.tags:
            slug = slugify(tag)
            seen = self.tag_names.setdefault(slug, tag)
            if seen.lower() != tag.lower():
                self.warn(
                    brief.body.path,
                    f"tags '{seen}' and '{tag}' share the page /tags/{slug}/",
                    "spell them alike, or make them differ in letters",
                )
            if brief.id not in self.tag_briefs[slug]:
                self.tag_briefs[slug].append(brief.id)

    def brief_nodes(
        self, parts: dict[str, _BriefParts]
    ) -> tuple[dict[str, BriefNode], dict[str, list[str]], dict[str, Counter[str]]]:
        """Brief nodes with related briefs; which briefs each actor is in; who appears with whom."""
        together: dict[str, Counter[str]] = defaultdict(Counter)
        briefs_of_actor: dict[str, list[str]] = defaultdict(list)
        for brief_id, part in parts.items():
            for actor_id in part.actors:
                briefs_of_actor[actor_id].append(brief_id)
            for a, b in combinations(sorted(part.actors), 2):
                together[a][b] += 1
                together[b][a] += 1
        order = {brief_id: index for index, brief_id in enumerate(parts)}
        briefs: dict[str, BriefNode] = {}
        for brief_id, part in parts.items():
            shared: Counter[str] = Counter()
            for actor_id in part.actors:
                for other in briefs_of_actor[actor_id]:
                    if other != brief_id:
                        shared[other] += 1
            related = sorted(shared, key=lambda other: (-shared[other], order[other]))
            briefs[brief_id] = BriefNode(
                brief=part.brief,
                url=part.url,
                body=part.body,
                actors=part.actors,
                sources=part.sources,
                references=references_of(part.body, part.sources),
                tags=tuple(dict.fromkeys(slug for t in part.brief.tags if (slug := slugify(t)))),
                events=part.events,
                related=tuple(related[:RELATED_LIMIT]),
                authors=part.authors,
            )
        return briefs, briefs_of_actor, together

    def affiliations(self) -> tuple[dict[str, str | None], dict[str, list[str]]]:
        """Each actor's affiliation, and each actor's members."""
        actor_ids = {a.id for a in self.content.actors}
        members: dict[str, list[str]] = defaultdict(list)
        affiliations: dict[str, str | None] = {}
        for actor in self.content.actors:
            affiliation = None
            ref = actor.affiliation
            if ref is not None and ref.id == actor.id:
                where = ref.where
                message = "an actor cannot be its own affiliation"
                hint = "name the organisation or state it belongs to, or delete 'affiliation'"
                self.diagnostics.append(error(where.path, where.line, where.col, message, hint))
            elif ref is not None:
                found = [ref.id] if ref.id in actor_ids else self.resolve.actors([ref])
                affiliation = found[0] if found else None
                if affiliation:
                    members[affiliation].append(actor.id)
            affiliations[actor.id] = affiliation
        by_name = self.actor_order.__getitem__
        return affiliations, {key: sorted(ids, key=by_name) for key, ids in members.items()}

    def actor_nodes(
        self,
        briefs: dict[str, BriefNode],
        briefs_of_actor: dict[str, list[str]],
        together: dict[str, Counter[str]],
        statements: dict[str, list[QuotedStatement]],
    ) -> dict[str, ActorNode]:
        affiliations, members = self.affiliations()
        events_of_actor: dict[str, list[TimelineEntry]] = defaultdict(list)
        for node in briefs.values():
            for entry in node.events:
                for actor_id in entry.actors:
                    events_of_actor[actor_id].append(entry)
        authored: dict[str, list[str]] = defaultdict(list)
        for node in briefs.values():
            for author in node.authors:
                if author.actor_id is not None:
                    authored[author.actor_id].append(node.brief.id)
        nodes: dict[str, ActorNode] = {}
        for actor in sorted(self.content.actors, key=lambda a: a.sort_key):
            url = self.urls.actor(actor.id)
            body = self.render(actor, url)
            mentioned_in = briefs_of_actor.get(actor.id, [])
            if not mentioned_in and not authored.get(actor.id) and self.unused_warnings:
                self.warn(
                    actor.body.path,
                    f"actor '{actor.id}' is not mentioned in any brief",
                    f"mention it as [[{actor.id}]] or delete the file",
                )
            companions = sorted(
                together[actor.id].items(), key=lambda kv: (-kv[1], self.actor_order[kv[0]])
            )
            nodes[actor.id] = ActorNode(
                actor=actor,
                url=url,
                body=body,
                references=references_of(body),
                affiliation=affiliations[actor.id],
                members=tuple(members.get(actor.id, [])),
                briefs=tuple(mentioned_in),
                statements=tuple(statements.get(actor.id, [])),
                co_mentions=tuple(companions),
                timeline=group_timeline(events_of_actor.get(actor.id, [])),
                authored=tuple(authored.get(actor.id, [])),
            )
        return nodes

    def source_nodes(
        self, briefs: dict[str, BriefNode], statements: dict[str, list[QuotedStatement]]
    ) -> dict[str, SourceNode]:
        briefs_citing: dict[str, list[BriefNode]] = defaultdict(list)
        for node in briefs.values():
            for source_id in node.sources:
                briefs_citing[source_id].append(node)
        nodes: dict[str, SourceNode] = {}
        for source in sorted(self.content.sources, key=lambda s: s.id):
            url = self.urls.source(source.id)
            body = self.render(source, url)
            citing = tuple(
                Citing(
                    node.brief.id, tuple(c for c in node.body.citations if c.source_id == source.id)
                )
                for node in briefs_citing.get(source.id, [])
            )
            if not citing and self.unused_warnings:
                self.warn(
                    source.body.path,
                    f"source '{source.id}' is not cited in any brief",
                    f"cite it as [@{source.id}] or delete the file",
                )
            quoted = tuple(statements.get(source.id, []))
            nodes[source.id] = SourceNode(source, url, body, citing, quoted, references_of(body))
        return nodes

    def page_nodes(self) -> dict[str, PageNode]:
        nodes: dict[str, PageNode] = {}
        for page in sorted(self.content.pages, key=lambda p: p.id):
            url = self.urls.free_page(page.id)
            body = self.render(page, url)
            nodes[page.id] = PageNode(page, url, body, references_of(body))
        return nodes

    def build(self) -> Site:
        briefs, briefs_of_actor, together = self.brief_nodes(self.brief_parts())
        by_actor: dict[str, list[QuotedStatement]] = defaultdict(list)
        by_source: dict[str, list[QuotedStatement]] = defaultdict(list)
        for node in briefs.values():
            for statement in node.body.statements:
                url = Url(f"{node.url}#{statement.anchor}")
                quoted = QuotedStatement(statement, node.brief.id, url)
                by_actor[statement.actor_id].append(quoted)
                by_source[statement.source_id].append(quoted)
        tags = {
            slug: TagNode(
                slug, self.tag_names[slug], self.urls.tag(slug), tuple(self.tag_briefs[slug])
            )
            for slug in sorted(self.tag_names)
        }
        entries = [e for node in briefs.values() for e in node.events]
        entries += [
            TimelineEntry(
                PartialDate.of(node.brief.date),
                node.brief.title,
                node.url,
                node.brief.id,
                node.actors,
                node.sources,
                True,
            )
            for node in briefs.values()
        ]
        site = Site(
            self.urls,
            briefs,
            self.actor_nodes(briefs, briefs_of_actor, together, by_actor),
            self.source_nodes(briefs, by_source),
            self.page_nodes(),
            tags,
            group_timeline(entries),
        )
        self.cache.keep_only(self.used)
        return site


def build_graph(
    content: Content,
    urls: Urls,
    cache: RenderCache | None = None,
    *,
    unused_warnings: bool = True,
) -> tuple[Site, list[Diagnostic]]:
    """Render every body and cross-link the content; return the site and every problem found.

    ``cache`` keeps rendered bodies between calls (the preview server passes
    one); without it every body is rendered. ``unused_warnings=False`` leaves
    out "actor not mentioned" and "source not cited": when a file failed to
    load, the mentions it holds are missing and those warnings would be false.
    """
    builder = _GraphBuilder(content, urls, cache or RenderCache(), unused_warnings)
    site = builder.build()
    return site, builder.diagnostics
