"""Resolve ids and link everything: the briefing as a graph of briefs, actors and sources.

Takes the loaded ``Content``, renders each body once through the Markdown
stage, checks every id written in front matter, and computes what the pages
show: who is mentioned where, what cites what, who appears with whom, what is
related, and the timelines. Pure: no files are read or written here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

from .errors import Diagnostic, did_you_mean, error, warning
from .markdown import Lookup, MarkdownRenderer, Rendered
from .model import Actor, Body, Brief, Citation, Content, Page, PartialDate, Ref, Source
from .paths import Url, Urls, slugify
from .site import (
    ActorNode,
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
            folded = " ".join(key.lower().split())
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
        for name in (actor.name, *actor.aliases):
            folded = " ".join(name.lower().split())
            if folded in ids and folded != actor.id:
                where = actor.name_where
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


class RenderCache:
    """Rendered bodies kept between builds, valid while actors, sources and URLs stay the same.

    A body's HTML depends only on its text, its place and the lookup of actor
    names, aliases and source titles; when that lookup changes, everything is
    rendered again, so a cached body can never be stale.
    """

    def __init__(self) -> None:
        self.lookup: Lookup | None = None
        self.renderer: MarkdownRenderer | None = None
        self.bodies: dict[tuple[Body, str], Rendered] = {}

    def renderer_for(self, lookup: Lookup) -> MarkdownRenderer:
        if self.renderer is None or lookup != self.lookup:
            self.lookup, self.renderer, self.bodies = lookup, MarkdownRenderer(lookup), {}
        return self.renderer

    def render(self, body: Body, url: Url) -> Rendered:
        assert self.renderer is not None
        key = (body, url)
        rendered = self.bodies.get(key)
        if rendered is None:
            rendered = self.bodies[key] = self.renderer.render(body, url)
        return rendered

    def keep_only(self, used: set[tuple[Body, str]]) -> None:
        """Forget bodies that are no longer part of the site."""
        self.bodies = {key: value for key, value in self.bodies.items() if key in used}


def build_graph(
    content: Content, urls: Urls, cache: RenderCache | None = None
) -> tuple[Site, list[Diagnostic]]:
    """Render every body and cross-link the content; return the site and every problem found.

    ``cache`` keeps rendered bodies between calls (the preview server passes
    one); without it every body is rendered.
    """
    cache = cache or RenderCache()
    lookup = build_lookup(content, urls)
    cache.renderer_for(lookup)
    used: set[tuple[Body, str]] = set()
    resolve = _Resolver(lookup, (s.id for s in content.sources))
    diagnostics = resolve.diagnostics
    diagnostics.extend(shadowed_names(content))

    def render(body_owner: Brief | Actor | Source | Page, url: Url) -> Rendered:
        used.add((body_owner.body, url))
        rendered = cache.render(body_owner.body, url)
        diagnostics.extend(rendered.diagnostics)
        return rendered

    briefs_sorted = sorted(content.briefs, key=lambda b: (-b.date.toordinal(), b.id))
    tag_names: dict[str, str] = {}
    tag_briefs: dict[str, list[str]] = defaultdict(list)
    partial: dict[
        str,
        tuple[Brief, Url, Rendered, tuple[str, ...], tuple[str, ...], tuple[TimelineEntry, ...]],
    ] = {}
    for brief in briefs_sorted:
        url = urls.brief(brief.id)
        body = render(brief, url)
        events: list[TimelineEntry] = []
        event_actors: list[str] = []
        event_sources: list[str] = []
        for number, event in enumerate(brief.events, start=1):
            who = resolve.actors(event.actors)
            cites = resolve.sources_of(event.sources)
            event_actors += who
            event_sources += cites
            events.append(
                TimelineEntry(
                    event.date,
                    event.title,
                    Url(f"{url}#event-{number}"),
                    brief.id,
                    tuple(who),
                    tuple(cites),
                    False,
                )
            )
        brief_actors = tuple(
            dict.fromkeys(
                [
                    *resolve.actors(brief.actors),
                    *(m.actor_id for m in body.mentions),
                    *(s.actor_id for s in body.statements),
                    *event_actors,
                ]
            )
        )
        brief_sources = tuple(
            dict.fromkeys([*resolve.sources_of(brief.sources), *body.cited_sources, *event_sources])
        )
        for tag in brief.tags:
            slug = slugify(tag)
            seen = tag_names.setdefault(slug, tag)
            if seen.lower() != tag.lower():
                diagnostics.append(
                    warning(
                        brief.body.path,
                        1,
                        1,
                        f"tags '{seen}' and '{tag}' share the page /tags/{slug}/",
                        "spell them alike, or make them differ in letters",
                    )
                )
            if brief.id not in tag_briefs[slug]:
                tag_briefs[slug].append(brief.id)
        partial[brief.id] = (brief, url, body, brief_actors, brief_sources, tuple(events))

    # Who appears with whom, and which briefs share actors.
    together: dict[str, Counter[str]] = defaultdict(Counter)
    briefs_of_actor: dict[str, list[str]] = defaultdict(list)
    for brief_id, (_, _, _, actors, _, _) in partial.items():
        for actor_id in actors:
            briefs_of_actor[actor_id].append(brief_id)
        for a, b in combinations(sorted(actors), 2):
            together[a][b] += 1
            together[b][a] += 1

    order = {brief_id: index for index, brief_id in enumerate(partial)}
    briefs: dict[str, BriefNode] = {}
    for brief_id, (brief, url, body, actors, sources, brief_events) in partial.items():
        shared: Counter[str] = Counter()
        for actor_id in actors:
            for other in briefs_of_actor[actor_id]:
                if other != brief_id:
                    shared[other] += 1
        related = sorted(shared, key=lambda other: (-shared[other], order[other]))[:RELATED_LIMIT]
        briefs[brief_id] = BriefNode(
            brief=brief,
            url=url,
            body=body,
            actors=actors,
            sources=sources,
            references=references_of(body, sources),
            tags=tuple(dict.fromkeys(slug for t in brief.tags if (slug := slugify(t)))),
            events=brief_events,
            related=tuple(related),
        )

    statements_by_actor: dict[str, list[QuotedStatement]] = defaultdict(list)
    statements_by_source: dict[str, list[QuotedStatement]] = defaultdict(list)
    for node in briefs.values():
        for statement in node.body.statements:
            quoted = QuotedStatement(
                statement, node.brief.id, Url(f"{node.url}#{statement.anchor}")
            )
            statements_by_actor[statement.actor_id].append(quoted)
            statements_by_source[statement.source_id].append(quoted)

    actor_ids = {a.id for a in content.actors}
    members: dict[str, list[str]] = defaultdict(list)
    affiliations: dict[str, str | None] = {}
    for actor in content.actors:
        affiliation = None
        if actor.affiliation is not None:
            where = actor.affiliation.where
            if actor.affiliation.id == actor.id:
                diagnostics.append(
                    error(
                        where.path, where.line, where.col, "an actor cannot be its own affiliation"
                    )
                )
            elif actor.affiliation.id in actor_ids:
                affiliation = actor.affiliation.id
                members[affiliation].append(actor.id)
            else:
                resolved = resolve.actors([actor.affiliation])
                affiliation = resolved[0] if resolved else None
                if affiliation:
                    members[affiliation].append(actor.id)
        affiliations[actor.id] = affiliation

    actor_nodes: dict[str, ActorNode] = {}
    all_events = [e for node in briefs.values() for e in node.events]
    events_of_actor: dict[str, list[TimelineEntry]] = defaultdict(list)
    for entry in all_events:
        for actor_id in entry.actors:
            events_of_actor[actor_id].append(entry)
    briefs_citing: dict[str, list[BriefNode]] = defaultdict(list)
    for node in briefs.values():
        for source_id in node.sources:
            briefs_citing[source_id].append(node)
    for actor in sorted(content.actors, key=lambda a: (a.name.lower(), a.id)):
        url = urls.actor(actor.id)
        body = render(actor, url)
        mentioned_in = briefs_of_actor.get(actor.id, [])
        if not mentioned_in:
            diagnostics.append(
                warning(
                    actor.body.path,
                    1,
                    1,
                    f"actor '{actor.id}' is not mentioned in any brief",
                    f"mention it as [[{actor.id}]] or delete the file",
                )
            )
        actor_nodes[actor.id] = ActorNode(
            actor=actor,
            url=url,
            body=body,
            references=references_of(body),
            affiliation=affiliations[actor.id],
            members=tuple(sorted(members.get(actor.id, []))),
            briefs=tuple(sorted(mentioned_in, key=order.__getitem__)),
            statements=tuple(statements_by_actor.get(actor.id, [])),
            co_mentions=tuple(sorted(together[actor.id].items(), key=lambda kv: (-kv[1], kv[0]))),
            timeline=group_timeline(events_of_actor.get(actor.id, [])),
        )

    source_nodes: dict[str, SourceNode] = {}
    for source in sorted(content.sources, key=lambda s: s.id):
        url = urls.source(source.id)
        body = render(source, url)
        citing = tuple(
            Citing(node.brief.id, tuple(c for c in node.body.citations if c.source_id == source.id))
            for node in briefs_citing.get(source.id, [])
        )
        if not citing:
            diagnostics.append(
                warning(
                    source.body.path,
                    1,
                    1,
                    f"source '{source.id}' is not cited in any brief",
                    f"cite it as [@{source.id}] or delete the file",
                )
            )
        source_nodes[source.id] = SourceNode(
            source,
            url,
            body,
            citing,
            tuple(statements_by_source.get(source.id, [])),
            references_of(body),
        )

    pages: dict[str, PageNode] = {}
    for page in sorted(content.pages, key=lambda p: p.id):
        url = urls.free_page(page.id)
        body = render(page, url)
        pages[page.id] = PageNode(page, url, body, references_of(body))

    tags = {
        slug: TagNode(slug, tag_names[slug], urls.tag(slug), tuple(tag_briefs[slug]))
        for slug in sorted(tag_names)
    }
    brief_entries = (
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
    )
    timeline = group_timeline([*all_events, *brief_entries])
    site = Site(urls, briefs, actor_nodes, source_nodes, pages, tags, timeline)
    cache.keep_only(used)
    return site, diagnostics
