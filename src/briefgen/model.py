"""The content model: what a briefing is made of. Frozen dataclasses, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["person", "organisation", "state", "group"]
ACTOR_KINDS: tuple[ActorKind, ...] = ("person", "organisation", "state", "group")

SourceKind = Literal["news", "report", "statement", "transcript", "dataset", "other"]
SOURCE_KINDS: tuple[SourceKind, ...] = (
    "news",
    "report",
    "statement",
    "transcript",
    "dataset",
    "other",
)

RELIABILITY: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
"""The Admiralty (NATO) grading of a source's reliability."""

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a content file."""

    path: str
    """Relative to the project folder, forward slashes."""
    line: int
    """1-based line, front matter included."""
    col: int
    """1-based column."""


@dataclass(frozen=True, slots=True)
class Ref:
    """An id written by a writer (in front matter or the body), with where it was written."""

    id: str
    """The id, alias or name as written; resolved to a real id by the graph stage."""
    where: Location
    """Where it was written, for error messages."""


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the day (``2017-01-17``), the month (``2016-09``) or the year (``2015``)."""

    year: int
    month: int = 0
    """0 when only the year is known; such a date sorts before the year's months."""
    day: int = 0
    """0 when only the month is known; such a date sorts before the month's days."""

    @property
    def iso(self) -> str:
        """``2017-01-17``, ``2016-09`` or ``2015``, usable in a ``<time datetime>``."""
        if not self.month:
            return f"{self.year:04d}"
        base = f"{self.year:04d}-{self.month:02d}"
        return f"{base}-{self.day:02d}" if self.day else base

    @property
    def label(self) -> str:
        """``17 January 2017``, ``September 2016`` or ``2015``."""
        if not self.month:
            return str(self.year)
        month = f"{MONTHS[self.month - 1]} {self.year}"
        return f"{self.day} {month}" if self.day else month

    @property
    def month_label(self) -> str:
        """``January 2017``: the heading a timeline groups this date under.

        A date known only to the year goes under ``During 2015``, before the year's months.
        """
        if not self.month:
            return f"During {self.year}"
        return f"{MONTHS[self.month - 1]} {self.year}"

    @classmethod
    def of(cls, day: dt.date) -> PartialDate:
        """The PartialDate of a full date."""
        return cls(day.year, day.month, day.day)


@dataclass(frozen=True, slots=True)
class Body:
    """The Markdown body of an entry and where it starts in its file."""

    text: str
    """The Markdown, exactly as in the file after the front matter."""
    path: str
    """The file, relative to the project folder."""
    first_line: int
    """0-based file line on which the body's first line lies; add it to markdown-it's line maps."""


@dataclass(frozen=True, slots=True)
class Event:
    """A dated event listed in a brief's front matter, for the timelines."""

    date: PartialDate
    """When it happened."""
    title: str
    """What happened, in one line."""
    actors: tuple[Ref, ...]
    """Who took part (actor ids)."""
    sources: tuple[Ref, ...]
    """What reports it (source ids)."""
    where: Location
    """Where the event is written."""


@dataclass(frozen=True, slots=True)
class Brief:
    """A short analytic text, dated, about some actors, citing some sources."""

    id: str
    """File name without ``.md``."""
    title: str
    """Headline."""
    date: dt.date
    """The date the brief is as of."""
    summary: str
    """One or two sentences, for cards and meta descriptions."""
    actors: tuple[Ref, ...]
    """Actors named in front matter; body mentions are added by the graph stage."""
    sources: tuple[Ref, ...]
    """Sources named in front matter; body citations are added by the graph stage."""
    tags: tuple[str, ...]
    """Free labels."""
    draft: bool
    """Drafts are left out of ``build`` unless ``--drafts``."""
    events: tuple[Event, ...]
    """Dated events for the timelines."""
    aliases: tuple[str, ...]
    """Former URLs of this brief."""
    body: Body
    """The Markdown text."""


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, organisation, state or armed group."""

    id: str
    """File name without ``.md``."""
    name: str
    """Display name, any Unicode."""
    kind: ActorKind
    """person, organisation, state or group."""
    role: str
    """E.g. 'Foreign Minister of Russia'; '' when not given."""
    affiliation: Ref | None
    """Another actor this one belongs to."""
    aliases: tuple[str, ...]
    """Other names writers may use in mentions."""
    links: tuple[tuple[str, str], ...]
    """(label, URL) pairs, e.g. ('wikipedia', 'https://...')."""
    body: Body
    """The profile."""
    name_where: Location
    """Where the name is written, for ambiguity errors."""
    aliases_where: tuple[Location, ...] = ()
    """Where each alias is written, in the order of ``aliases``."""


@dataclass(frozen=True, slots=True)
class Source:
    """A document that briefs cite. Field names map onto CSL-JSON (see README)."""

    id: str
    """File name without ``.md``."""
    title: str
    """CSL ``title``."""
    publication: str
    """CSL ``container-title``; '' when not given."""
    authors: tuple[str, ...]
    """CSL ``author``."""
    published: dt.date | None
    """CSL ``issued``."""
    url: str
    """CSL ``URL``; '' when not given."""
    accessed: dt.date | None
    """CSL ``accessed``."""
    kind: SourceKind
    """What sort of document it is."""
    reliability: str
    """Admiralty grade A-F, or ''."""
    language: str
    """Language code of the document, or ''."""
    body: Body
    """A note on the source."""
    url_where: Location | None = None
    """Where ``url`` is written, so a link checker can say which file to fix."""

    @property
    def reliability_label(self) -> str:
        """The grade's meaning, e.g. 'Usually reliable'."""
        return RELIABILITY.get(self.reliability, "")


@dataclass(frozen=True, slots=True)
class Page:
    """A free page such as About or Method."""

    id: str
    """File name without ``.md``; the page lives at ``/<id>/``."""
    title: str
    """Heading and title."""
    summary: str
    """Meta description; '' when not given."""
    body: Body
    """The Markdown text."""


@dataclass(frozen=True, slots=True)
class Content:
    """Everything loaded from content/, before any id is resolved."""

    briefs: tuple[Brief, ...]
    actors: tuple[Actor, ...]
    sources: tuple[Source, ...]
    pages: tuple[Page, ...]


# What the Markdown stage finds in a body.


@dataclass(frozen=True, slots=True)
class Mention:
    """An ``[[actor]]`` in a body, resolved to an actor id."""

    actor_id: str
    where: Location


@dataclass(frozen=True, slots=True)
class Citation:
    """One ``@source`` inside a ``[@...]`` group of a body."""

    source_id: str
    """The cited source."""
    number: int
    """The reference number in this document: order of first citation."""
    anchor: str
    """The id of the marker in the page, e.g. ``cite-2-1``; links point back to it."""
    locator: str
    """E.g. 'para. 3'; '' when none."""
    where: Location


@dataclass(frozen=True, slots=True)
class Statement:
    """A quote attributed to an actor: a blockquote ending in ``-- [[actor]] [@source]``."""

    actor_id: str
    """Who said it."""
    source_id: str
    """Where it is reported."""
    locator: str
    """Where in the source, '' when not given."""
    html: str
    """The quoted text as HTML, without its attribution."""
    anchor: str
    """The id of the quote in its page, e.g. ``statement-1``."""
    where: Location
