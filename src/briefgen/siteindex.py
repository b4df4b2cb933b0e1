"""The linked site, kept up to date: an edit to a brief re-derives only what it touches.

``SiteIndex`` puts the entries resolved by ``graph.Linker`` together: which briefs
mention each actor, who appears with whom, which briefs cite each source, the
related briefs, the tags and the timeline by year. It keeps those indexes, so that
when briefs change, ``update`` re-derives the changed briefs and only the nodes that
read them (their actors, sources, tags and years, and the briefs whose related list
they enter or leave), and says which dependency keys changed (see track.py) without
comparing the whole site. A change to an actor, source or page changes what every
body may render to, and goes through a whole new index instead.

A test runs random sequences of edits through ``update`` and checks the site and the
problems it reports against a whole new index each time.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from itertools import combinations
from typing import TypeVar

from .config import LintConfig
from .errors import Diagnostic
from .graph import (
    ALL_CHECKS,
    RELATED_LIMIT,
    BriefKey,
    BriefParts,
    Linker,
    brief_key,
    group_timeline,
    references_of,
    shadowed_names,
    tag_warnings,
    unused_warning,
)
from .markdown import RenderCache, Rendered
from .markdown.cache import body_key
from .model import Actor, Brief, Content
from .paths import Url, Urls
from .roles import actor_problems, limits, mention_problems
from .site import (
    ActorNode,
    BriefNode,
    Citing,
    PageNode,
    QuotedStatement,
    Site,
    SourceNode,
    TagNode,
    TimelineEntry,
    YearGroup,
)
from .sourcecheck import source_warnings
from .track import ALL, Key, dated, node_changes

T = TypeVar("T")

INCREMENTAL_MAX = 0.2
"""Above this share of the briefs changed at once, a whole new index is quicker."""


def _insert(ids: list[str], brief_id: str, keys: Mapping[str, BriefKey]) -> None:
    """Put ``brief_id`` in its place in a list kept in site order."""
    bisect.insort(ids, brief_id, key=keys.__getitem__)


def _remove(ids: list[str], brief_id: str, keys: Mapping[str, BriefKey]) -> None:
    """Take ``brief_id`` out of a list kept in site order (its key must be the one it had)."""
    at = bisect.bisect_left(ids, keys[brief_id], key=keys.__getitem__)
    assert ids[at] == brief_id
    del ids[at]


class SiteIndex:
    """The site graph of some content, and the indexes that keep it up to date."""

    def __init__(
        self,
        content: Content,
        urls: Urls,
        cache: RenderCache,
        *,
        unused_warnings: bool = True,
        lint: LintConfig = ALL_CHECKS,
    ) -> None:
        self.urls = urls
        self.cache = cache
        self.unused_warnings = unused_warnings
        self.linker = Linker(content, urls, cache, lint)
        self.actor_list: tuple[Actor, ...] = tuple(sorted(content.actors, key=lambda a: a.sort_key))
        self.fixed: list[Diagnostic] = shadowed_names(content) + actor_problems(content.actors)
        """Problems that only actors, sources and pages decide."""
        self.affiliations, self.members = self.linker.affiliations(content.actors, self.fixed)
        self.parts: dict[str, BriefParts] = {}
        self.keys: dict[str, BriefKey] = {}
        self.order: list[str] = []
        """Brief ids in site order."""
        self.briefs_of_actor: dict[str, list[str]] = defaultdict(list)
        self.authored: dict[str, list[str]] = defaultdict(list)
        self.citing: dict[str, list[str]] = defaultdict(list)
        self.tag_briefs: dict[str, list[str]] = defaultdict(list)
        self.year_briefs: dict[int, list[str]] = defaultdict(list)
        self.together: dict[str, Counter[str]] = defaultdict(Counter)
        self.unused: dict[str, Diagnostic] = {}
        """By ``actor:<id>`` or ``source:<id>``."""
        self.tag_problems: dict[str, list[Diagnostic]] = {}
        self.bounded = limits(self.actor_list)
        """Actors with a first role's start or an end, which a brief's date can contradict."""
        self.dated_mentions: dict[str, list[Diagnostic]] = {}
        """By brief: its mentions that its date contradicts (made when the brief is linked,
        so that asking for the problems reads no brief again: see state.py)."""

        for brief in sorted(content.briefs, key=brief_key):
            parts = self.linker.brief(brief)
            self.keys[brief.id] = parts.sort_key
            self.order.append(brief.id)
            self._link(brief.id, parts, append=True)
        briefs = {brief_id: self._brief_node(brief_id) for brief_id in self.order}
        self.briefs: dict[str, BriefNode] = briefs
        self.actors: dict[str, ActorNode] = {}
        self.actor_bodies: dict[str, tuple[Url, Rendered]] = {}
        self.actor_by_id = {actor.id: actor for actor in self.actor_list}
        for actor in self.actor_list:
            url = urls.actor(actor.id)
            body = self.linker.render(actor, url)
            self.fixed.extend(body.diagnostics)
            self.actor_bodies[actor.id] = (url, body)
            self.actors[actor.id] = self._actor_node(actor)
        self.source_by_id = {s.id: s for s in sorted(content.sources, key=lambda s: s.id)}
        self.source_bodies: dict[str, tuple[Url, Rendered]] = {}
        self.sources: dict[str, SourceNode] = {}
        for source in self.source_by_id.values():
            url = urls.source(source.id)
            body = self.linker.render(source, url)
            self.fixed.extend(body.diagnostics)
            self.source_bodies[source.id] = (url, body)
            self.sources[source.id] = self._source_node(source.id)
        self.pages: dict[str, PageNode] = {}
        for page in sorted(content.pages, key=lambda p: p.id):
            url = urls.free_page(page.id)
            body = self.linker.render(page, url)
            self.fixed.extend(body.diagnostics)
            self.pages[page.id] = PageNode(page, url, body, references_of(body))
        self.tags: dict[str, TagNode] = {}
        for slug in sorted(self.tag_briefs):
            self.tags[slug] = self._tag_node(slug)
        self.years: dict[int, YearGroup] = {}
        for year in sorted(self.year_briefs):
            self.years[year] = self._year_group(year)
        self.site = self._site()
        used = {body_key(p.brief.body, p.url) for p in self.parts.values()}
        used |= {body_key(node.actor.body, node.url) for node in self.actors.values()}
        used |= {body_key(node.source.body, node.url) for node in self.sources.values()}
        used |= {body_key(node.page.body, node.url) for node in self.pages.values()}
        cache.keep_only(used)

    # Putting the site together.

    def _site(self) -> Site:
        return Site(
            self.urls,
            self.briefs,
            self.actors,
            self.sources,
            self.pages,
            self.tags,
            tuple(self.years.values()),
        )

    def diagnostics(self) -> list[Diagnostic]:
        """Every problem the site's entries and links show (load problems aside)."""
        found = list(self.fixed)
        for parts in self.parts.values():
            found.extend(parts.diagnostics)
        for problems in self.dated_mentions.values():
            found.extend(problems)
        for problems in self.tag_problems.values():
            found.extend(problems)
        found.extend(self.unused.values())
        if self.unused_warnings:
            # A brief whose date failed to load would make every source look later than it.
            found.extend(
                source_warnings(
                    self.site,
                    date_of=self._date_of,
                    citing=self.citing,
                    entries=self.source_by_id,
                )
            )
        return found

    def _date_of(self, brief_id: str) -> dt.date:
        """A brief's date, from its place in site order (``brief_key``)."""
        return dt.date.fromordinal(-self.keys[brief_id][0])

    def _link(self, brief_id: str, parts: BriefParts, *, append: bool) -> None:
        """Enter a brief into the indexes (``append``: it comes after every brief there)."""
        self.parts[brief_id] = parts
        if not self.bounded.keys().isdisjoint(parts.actors):
            self.dated_mentions[brief_id] = mention_problems(
                parts.brief, parts.actors, parts.body.mentions, self.bounded
            )
        add = (
            (lambda ids: ids.append(brief_id))
            if append
            else (lambda ids: _insert(ids, brief_id, self.keys))
        )
        for actor_id in parts.actors:
            add(self.briefs_of_actor[actor_id])
        for a, b in combinations(sorted(parts.actors), 2):
            self.together[a][b] += 1
            self.together[b][a] += 1
        for actor_id in dict.fromkeys(parts.author_ids):
            add(self.authored[actor_id])
        for source_id in parts.sources:
            add(self.citing[source_id])
        for slug in dict.fromkeys(slug for slug, _ in parts.tags):
            add(self.tag_briefs[slug])
        for year in dict.fromkeys(e.date.year for e in parts.entries):
            add(self.year_briefs[year])

    def _unlink(self, brief_id: str) -> BriefParts:
        """Take a brief out of the indexes; what it was."""
        parts = self.parts.pop(brief_id)
        self.dated_mentions.pop(brief_id, None)
        for actor_id in parts.actors:
            _remove(self.briefs_of_actor[actor_id], brief_id, self.keys)
        for a, b in combinations(sorted(parts.actors), 2):
            for one, other in ((a, b), (b, a)):
                counts = self.together[one]
                counts[other] -= 1
                if not counts[other]:
                    del counts[other]
        for actor_id in dict.fromkeys(parts.author_ids):
            _remove(self.authored[actor_id], brief_id, self.keys)
        for source_id in parts.sources:
            _remove(self.citing[source_id], brief_id, self.keys)
        for slug in dict.fromkeys(slug for slug, _ in parts.tags):
            _remove(self.tag_briefs[slug], brief_id, self.keys)
            if not self.tag_briefs[slug]:
                del self.tag_briefs[slug]
        for year in dict.fromkeys(e.date.year for e in parts.entries):
            _remove(self.year_briefs[year], brief_id, self.keys)
            if not self.year_briefs[year]:
                del self.year_briefs[year]
        return parts

    # The nodes, each from the indexes.

    def _brief_node(self, brief_id: str) -> BriefNode:
        parts = self.parts[brief_id]
        return BriefNode(
            brief=parts.brief,
            url=parts.url,
            body=parts.body,
            actors=parts.actors,
            sources=parts.sources,
            references=references_of(parts.body, parts.sources),
            tags=parts.slugs,
            events=parts.events,
            related=self.linker.related(brief_id, parts.actors, self.briefs_of_actor, self.keys),
            authors=parts.authors,
            judgments=parts.judgments,
        )

    def _quoted(
        self, brief_id: str, source_id: str = "", actor_id: str = ""
    ) -> list[QuotedStatement]:
        parts = self.parts[brief_id]
        return [
            QuotedStatement(statement, brief_id, Url(f"{parts.url}#{statement.anchor}"))
            for statement in parts.body.statements
            if (not source_id or statement.source_id == source_id)
            and (not actor_id or statement.actor_id == actor_id)
        ]

    def _actor_node(self, actor: Actor) -> ActorNode:
        actor_id = actor.id
        url, body = self.actor_bodies[actor_id]
        mentioned_in = self.briefs_of_actor.get(actor_id, [])
        authored = self.authored.get(actor_id, [])
        key = f"actor:{actor_id}"
        self.unused.pop(key, None)
        if not mentioned_in and not authored and self.unused_warnings:
            self.unused[key] = unused_warning(actor.body.path, "actor", actor_id)
        order = self.linker.actor_order
        companions = sorted(self.together[actor_id].items(), key=lambda kv: (-kv[1], order[kv[0]]))
        statements = [q for b in mentioned_in for q in self._quoted(b, actor_id=actor_id)]
        events = [
            entry
            for brief_id in mentioned_in
            for entry in self.parts[brief_id].events
            if actor_id in entry.actors
        ]
        return ActorNode(
            actor=actor,
            url=url,
            body=body,
            references=references_of(body),
            affiliation=self.affiliations[actor_id],
            members=tuple(self.members.get(actor_id, [])),
            briefs=tuple(mentioned_in),
            statements=tuple(statements),
            co_mentions=tuple(companions),
            timeline=group_timeline(events),
            authored=tuple(authored),
        )

    def _source_node(self, source_id: str) -> SourceNode:
        url, body = self.source_bodies[source_id]
        source = self.source_by_id[source_id]
        briefs = self.citing.get(source_id, [])
        citing = tuple(
            Citing(brief_id, source_id, self.parts[brief_id].body) for brief_id in briefs
        )
        key = f"source:{source_id}"
        self.unused.pop(key, None)
        if not citing and self.unused_warnings:
            self.unused[key] = unused_warning(source.body.path, "source", source_id)
        quoted = tuple(q for b in briefs for q in self._quoted(b, source_id=source_id))
        return SourceNode(source, url, body, citing, quoted, references_of(body))

    def _tag_node(self, slug: str) -> TagNode:
        briefs = self.tag_briefs[slug]
        spellings = [
            (self.parts[b].brief.body.path, tag)
            for b in briefs
            for tag_slug, tag in self.parts[b].tags
            if tag_slug == slug
        ]
        name, problems = tag_warnings(slug, spellings)
        self.tag_problems[slug] = problems
        return TagNode(slug, name, self.urls.tag(slug), tuple(briefs))

    def _year_group(self, year: int) -> YearGroup:
        briefs = self.year_briefs[year]
        entries: list[TimelineEntry] = [
            e for b in briefs for e in self.parts[b].events if e.date.year == year
        ]
        entries += [p.entry for b in briefs if (p := self.parts[b]).brief.date.year == year]
        (group,) = group_timeline(entries)
        return group

    def _year_group_after(self, year: int, old: YearGroup, briefs: Collection[str]) -> YearGroup:
        """The year's group once ``briefs`` changed, the other briefs' entries taken from
        ``old`` as they are: ``_year_group`` reads every brief of the year (in a warm build
        after a title edit at 10,000 briefs, 4,000 objects read back from the store).

        The same group as ``_year_group``: its entries are put in the order it gathers
        them in (events, then briefs, each in the year's order of briefs; a brief's own
        entries kept in the order they had) before ``group_timeline`` sorts them, so
        entries that sort alike stay in the same order."""
        gone = set(briefs)
        entries = [e for month in old.months for e in month.entries if e.brief_id not in gone]
        for brief_id in briefs:
            parts = self.parts.get(brief_id)
            if parts is not None:
                entries += [e for e in parts.events if e.date.year == year]
                if parts.brief.date.year == year:
                    entries.append(parts.entry)
        place = {brief_id: at for at, brief_id in enumerate(self.year_briefs[year])}
        entries.sort(key=lambda e: (e.is_brief, place[e.brief_id]))
        (group,) = group_timeline(entries)
        return group

    # Keeping it up to date.

    def update(self, changes: Mapping[str, Brief | None]) -> set[Key] | None:
        """Apply changed briefs (by id: the brief as it is now, None when gone); the keys
        that changed, or None when there are too many changes to be worth it (nothing is
        changed then).

        ``self.site`` is the new site afterwards. The index must not be used again if
        this raises.
        """
        changes = {
            brief_id: brief
            for brief_id, brief in changes.items()
            if brief is not None or brief_id in self.parts
        }
        if len(changes) > max(1, INCREMENTAL_MAX * len(self.parts)):
            return None
        old_order = self.order
        old_briefs = self.briefs
        touched_actors: set[str] = set()
        touched_sources: set[str] = set()
        touched_slugs: set[str] = set()
        touched_years: set[int] = set()
        reranked: set[str] = set()
        """Changed briefs whose actors or place in site order changed."""
        for brief_id, brief in changes.items():
            before = self.parts.get(brief_id)
            after = self.linker.brief(brief) if brief is not None else None
            if before is not None:
                self._unlink(brief_id)
                self._forget_body(before)
                del self.keys[brief_id]
            if after is not None:
                self.keys[brief_id] = after.sort_key
                self._link(brief_id, after, append=False)
            if (
                before is None
                or after is None
                or (before.actors, before.sort_key)
                != (
                    after.actors,
                    after.sort_key,
                )
            ):
                reranked.add(brief_id)
            _touch(before, after, _actor_facts, touched_actors)
            _touch(before, after, _source_facts, touched_sources)
            _touch(before, after, _tag_facts, touched_slugs)
            _touch(before, after, _year_facts, touched_years)
        order_changed = any(
            brief_id not in old_briefs
            or brief_id not in self.parts
            or old_briefs[brief_id].brief.date != self.parts[brief_id].brief.date
            for brief_id in changes
        )
        if order_changed:
            self.order = sorted(self.parts, key=self.keys.__getitem__)
        nodes = {b: self._brief_node(b) for b in changes if b in self.parts}
        for brief_id in self._related_candidates(reranked, changes):
            node = old_briefs[brief_id]
            parts = self.parts[brief_id]
            related = self.linker.related(brief_id, parts.actors, self.briefs_of_actor, self.keys)
            if related != node.related:
                nodes[brief_id] = replace(node, related=related)
        changed: set[Key] = set()
        for brief_id in changes:
            if brief_id not in self.parts and brief_id in old_briefs:
                changed |= node_changes("brief", old_briefs[brief_id], None)
        for brief_id, node in nodes.items():
            changed |= node_changes("brief", old_briefs.get(brief_id), node)
        if any(dated(old_briefs.get(b)) != dated(nodes.get(b)) for b in changes):
            changed.add(("brief-dates", ALL))
        if order_changed:
            self.briefs = {b: nodes[b] if b in nodes else old_briefs[b] for b in self.order}
        else:
            self.briefs = {**old_briefs, **nodes}
        if old_order != self.order:
            changed.add(("brief", ALL))
            if len(old_order) != len(self.order):
                changed.add(("brief-count", ALL))
            for at in range(max(len(old_order), len(self.order))):
                if at >= len(old_order) or at >= len(self.order) or old_order[at] != self.order[at]:
                    changed.add(("brief-at", str(at)))
        changed |= self._refresh_actors(touched_actors)
        changed |= self._refresh_sources(touched_sources)
        changed |= self._refresh_tags(touched_slugs)
        changed |= self._refresh_years(touched_years, changes.keys())
        self.site = self._site()
        return changed

    def _forget_body(self, parts: BriefParts) -> None:
        """Drop a brief's rendered body from the cache once no brief shows it."""
        self.cache.bodies.pop(body_key(parts.brief.body, parts.url), None)

    def _related_candidates(self, reranked: set[str], changes: Mapping[str, object]) -> set[str]:
        """Briefs whose related list may differ now that ``reranked`` briefs moved or changed
        actors.

        A brief's related list is the top few others by shared actors, then site order.
        Only the changed briefs' standing changed, so the list stays as it was unless it
        held one of them, had room, or one of them now ranks above its last entry.
        """
        actors: set[str] = set()
        for brief_id in reranked:
            old = self.briefs.get(brief_id)
            if old is not None:
                actors.update(old.actors)
            if brief_id in self.parts:
                actors.update(self.parts[brief_id].actors)
        # A brief in another's related list shares an actor with it, so this finds them all.
        candidates = {b for a in actors for b in self.briefs_of_actor.get(a, ())}
        found = set()
        present = [b for b in reranked if b in self.parts]
        for candidate in candidates:
            if candidate in changes:
                continue
            related = self.briefs[candidate].related
            if set(related) & set(changes) or len(related) < RELATED_LIMIT:
                found.add(candidate)
                continue
            mine = set(self.parts[candidate].actors)
            last = related[-1]
            bar = (-len(mine & set(self.parts[last].actors)), self.keys[last])
            for brief_id in present:
                rank = (-len(mine & set(self.parts[brief_id].actors)), self.keys[brief_id])
                if rank[0] < 0 and rank < bar:
                    found.add(candidate)
                    break
        return found

    def _refresh_actors(self, ids: Iterable[str]) -> set[Key]:
        nodes = {actor_id: self._actor_node(self.actor_by_id[actor_id]) for actor_id in ids}
        nodes = {k: node for k, node in nodes.items() if node != self.actors[k]}
        changed = set().union(*(node_changes("actor", self.actors[k], n) for k, n in nodes.items()))
        if nodes:  # a new mapping: the last site keeps its own
            self.actors = {**self.actors, **nodes}
        return changed

    def _refresh_sources(self, ids: Iterable[str]) -> set[Key]:
        nodes = {source_id: self._source_node(source_id) for source_id in ids}
        nodes = {k: node for k, node in nodes.items() if node != self.sources[k]}
        changed = set().union(
            *(node_changes("source", self.sources[k], n) for k, n in nodes.items())
        )
        if nodes:
            self.sources = {**self.sources, **nodes}
        return changed

    def _refresh_tags(self, slugs: Iterable[str]) -> set[Key]:
        changed: set[Key] = set()
        tags = dict(self.tags)
        for slug in slugs:
            if slug in self.tag_briefs:
                node = self._tag_node(slug)
                if node != tags.get(slug):
                    changed |= node_changes("tag", tags.get(slug), node)
                    tags[slug] = node
            elif slug in tags:
                changed |= node_changes("tag", tags.pop(slug), None)
                self.tag_problems.pop(slug, None)
        if tags.keys() != self.tags.keys():
            changed.add(("tag", ALL))
            tags = {slug: tags[slug] for slug in sorted(tags)}
        self.tags = tags
        return changed

    def _refresh_years(self, years: Iterable[int], briefs: Collection[str]) -> set[Key]:
        """The groups of ``years`` made again after ``briefs`` changed."""
        changed: set[Key] = set()
        groups = dict(self.years)
        for year in years:
            old = groups.get(year)
            if year in self.year_briefs:
                groups[year] = (
                    self._year_group(year)
                    if old is None
                    else self._year_group_after(year, old, briefs)
                )
            else:
                groups.pop(year, None)
            if groups.get(year) != old:
                changed.add(("year", str(year)))
                if old is None or year not in groups or old.counts != groups[year].counts:
                    changed.add(("years", "counts"))
        if groups.keys() != self.years.keys():
            changed |= {("years", "list"), ("years", "counts")}
            groups = {year: groups[year] for year in sorted(groups)}
        if changed:
            changed.add(("site", "timeline"))
        self.years = groups
        return changed


def _touch(
    before: BriefParts | None,
    after: BriefParts | None,
    facts: Callable[[BriefParts], tuple[frozenset[T], object]],
    into: set[T],
) -> None:
    """Add to ``into`` the nodes a brief's change touches, when the facts they read differ."""
    was = facts(before) if before is not None else None
    now = facts(after) if after is not None else None
    if was != now:
        for found in (was, now):
            if found is not None:
                into.update(found[0])


# What of a brief each kind of node reads: when it differs after an edit, those nodes
# are derived again. Each gives (the ids it touches, the facts themselves).


def _actor_facts(parts: BriefParts) -> tuple[frozenset[str], object]:
    ids = frozenset(parts.actors) | frozenset(parts.author_ids)
    facts = (parts.sort_key, parts.actors, parts.authors, parts.events, parts.body.statements)
    return ids, facts


def _source_facts(parts: BriefParts) -> tuple[frozenset[str], object]:
    ids = frozenset(parts.sources)
    facts = (parts.sort_key, parts.sources, parts.body.citations, parts.body.statements)
    return ids, facts


def _tag_facts(parts: BriefParts) -> tuple[frozenset[str], object]:
    return frozenset(slug for slug, _ in parts.tags), (
        parts.sort_key,
        parts.tags,
        parts.brief.body.path,
    )


def _year_facts(parts: BriefParts) -> tuple[frozenset[int], object]:
    entries = parts.entries
    return frozenset(e.date.year for e in entries), (parts.sort_key, entries)


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
    index = SiteIndex(content, urls, cache or RenderCache(), unused_warnings=unused_warnings)
    return index.site, index.diagnostics()
