"""The resolved site: what the templates show, cross-linked and ready to render.

Built by ``siteindex.SiteIndex``; read by ``render``. Frozen: no stage changes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .markdown import Rendered
from .model import ACTOR_KINDS, Actor, Brief, Citation, Page, PartialDate, Source, Statement
from .paths import Url, Urls
from .pickling import by_fields


def _cites(body: Rendered | None, source_id: str) -> tuple[Citation, ...]:
    if body is None:
        return ()
    return body.citations_of(source_id)


@by_fields
@dataclass(frozen=True, slots=True, eq=False)
class Reference:
    """One entry of a document's reference list."""

    source_id: str
    number: int | None
    """The citation number; None for a source listed in front matter but never cited."""
    body: Rendered | None
    """The document's rendered body, whose citations of the source this entry lists
    (None for a source never cited). The citations are read from it rather than kept:
    a warm build's saved state then holds each citation once, inside the body, which
    it keeps in the body store (see state.py) and reads only when a page shows it."""

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every place the document cites it, in order."""
        return _cites(self.body, self.source_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reference):
            return NotImplemented
        return (self.source_id, self.number, self.citations) == (
            other.source_id,
            other.number,
            other.citations,
        )

    def __hash__(self) -> int:
        return hash((self.source_id, self.number, self.citations))


@by_fields
@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """An event, or a brief placed at its date."""

    date: PartialDate
    title: str
    url: Url
    """The brief the entry comes from (the event's section of it, for events)."""
    brief_id: str
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    is_brief: bool
    brief_title: str = ""
    """The title of the brief it comes from, for an event's "from" link: a year's page
    then reads no brief's node (in a warm build, each read from the store: 2,800 for one
    year's events at 10,000 briefs)."""


@by_fields
@dataclass(frozen=True, slots=True)
class MonthGroup:
    label: str
    entries: tuple[TimelineEntry, ...]


@by_fields
@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]

    @property
    def counts(self) -> tuple[int, int]:
        """How many events and how many briefs the year holds."""
        briefs = sum(entry.is_brief for month in self.months for entry in month.entries)
        return sum(len(month.entries) for month in self.months) - briefs, briefs


@by_fields
@dataclass(frozen=True, slots=True)
class QuotedStatement:
    """A statement with the brief it appears in."""

    statement: Statement
    brief_id: str
    url: Url
    """Link to the quote in its brief."""


@by_fields
@dataclass(frozen=True, slots=True)
class Author:
    """One name of a brief's byline."""

    name: str
    """As shown: the actor's name when the writer gave an actor id."""
    actor_id: str | None
    """The actor whose page the name links to; None for a name that is not an actor."""


@by_fields
@dataclass(frozen=True, slots=True)
class Judgment:
    """One key judgment as the brief's box shows it (``judgments.py``)."""

    html: str
    """The text, rendered: mentions linked, citations numbered with the body's."""
    likelihood: str
    """The ICD 203 term as shown, 'Very likely'; '' when it was written wrong."""
    band: str
    """Its probability band, '80\u201395 %' (an en dash)."""
    confidence: str
    """low, moderate or high; '' when it was written wrong."""
    citations: tuple[Citation, ...]
    """What it cites, in order: the box shows each one's grade."""
    anchor: str
    """Its id in the page, ``judgment-1``."""


@by_fields
@dataclass(frozen=True, slots=True)
class BriefNode:
    brief: Brief
    url: Url
    body: Rendered
    actors: tuple[str, ...]
    """Front-matter actors, body mentions and event actors, without repeats, in actor order."""
    sources: tuple[str, ...]
    references: tuple[Reference, ...]
    tags: tuple[str, ...]
    """Tag slugs."""
    events: tuple[TimelineEntry, ...]
    related: tuple[str, ...]
    """Brief ids sharing the most actors with this one."""
    authors: tuple[Author, ...] = ()
    """The byline, in the order written."""
    judgments: tuple[Judgment, ...] = ()
    """The key judgments, shown in a box at the top of the page."""


@by_fields
@dataclass(frozen=True, slots=True)
class ActorNode:
    actor: Actor
    url: Url
    body: Rendered
    references: tuple[Reference, ...]
    affiliation: str | None
    members: tuple[str, ...]
    """Actors whose affiliation is this one."""
    briefs: tuple[str, ...]
    """Briefs that mention the actor, newest first."""
    statements: tuple[QuotedStatement, ...]
    co_mentions: tuple[tuple[str, int], ...]
    """Other actors and the number of briefs they share with this one, most first, then in
    actor order."""
    timeline: tuple[YearGroup, ...]
    authored: tuple[str, ...] = ()
    """Briefs whose byline names this actor, newest first."""


@by_fields
@dataclass(frozen=True, slots=True, eq=False)
class Citing:
    """The citations of one source in one brief."""

    brief_id: str
    source_id: str
    body: Rendered
    """The brief's rendered body (see ``Reference.body`` for why not the citations)."""

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Where the brief cites the source, in order; empty when only its front matter
        lists it."""
        return _cites(self.body, self.source_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Citing):
            return NotImplemented
        return (self.brief_id, self.citations) == (other.brief_id, other.citations)

    def __hash__(self) -> int:
        return hash((self.brief_id, self.citations))


@by_fields
@dataclass(frozen=True, slots=True)
class SourceNode:
    source: Source
    url: Url
    body: Rendered
    citing: tuple[Citing, ...]
    """Briefs citing the source (in the body or front matter), newest first."""
    statements: tuple[QuotedStatement, ...]
    references: tuple[Reference, ...]
    """Sources cited in the note on this source."""


@by_fields
@dataclass(frozen=True, slots=True)
class PageNode:
    page: Page
    url: Url
    body: Rendered
    references: tuple[Reference, ...]


@by_fields
@dataclass(frozen=True, slots=True)
class TagNode:
    slug: str
    name: str
    url: Url
    briefs: tuple[str, ...]


@by_fields
@dataclass(frozen=True, slots=True)
class Site:
    """Everything the templates show, resolved and cross-linked."""

    urls: Urls
    briefs: Mapping[str, BriefNode]
    """Newest first."""
    actors: Mapping[str, ActorNode]
    """In actor order: people by ``sort_name`` or last name, the others by name
    (``Actor.sort_key``)."""
    sources: Mapping[str, SourceNode]
    pages: Mapping[str, PageNode]
    tags: Mapping[str, TagNode]
    """By slug, alphabetical."""
    timeline: Sequence[YearGroup]

    def actors_by_kind(self) -> list[tuple[str, list[ActorNode]]]:
        """Actor kinds in a fixed order, each with its actors; empty kinds left out."""
        groups = [
            (kind, [a for a in self.actors.values() if a.actor.kind == kind])
            for kind in ACTOR_KINDS
        ]
        return [(kind, actors) for kind, actors in groups if actors]
