"""The content model: what a briefing is made of. Frozen dataclasses, no I/O."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from .pickling import by_fields


def fold_name(name: str) -> str:
    """A name or id as mentions look it up: any case, any run of spaces."""
    return " ".join(name.lower().split())


ActorKind = Literal["person", "organisation", "state", "group"]
ACTOR_KINDS: tuple[ActorKind, ...] = ("person", "organisation", "state", "group")

SourceKind = Literal[
    "news",
    "report",
    "statement",
    "transcript",
    "speech",
    "law",
    "treaty",
    "book",
    "dataset",
    "article",
    "other",
]
SOURCE_KINDS: tuple[SourceKind, ...] = (
    "news",
    "report",
    "statement",
    "transcript",
    "speech",
    "law",
    "treaty",
    "book",
    "dataset",
    "article",
    "other",
)

CSL_TYPES: dict[SourceKind, str] = {
    "news": "article-newspaper",
    "report": "report",
    "statement": "document",
    "transcript": "document",
    "speech": "speech",
    "law": "legislation",
    "treaty": "treaty",
    "book": "book",
    "dataset": "dataset",
    "article": "article-journal",
    "other": "document",
}
"""The CSL-JSON ``type`` of each source kind (the README's table says the same; a test checks)."""

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


LINK_LABELS: dict[str, str] = {
    "wikipedia": "Wikipedia",
    "wikidata": "Wikidata",
    "website": "Website",
    "homepage": "Website",
    "twitter": "Twitter",
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "telegram": "Telegram",
    "vk": "VK",
    "github": "GitHub",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "opensanctions": "OpenSanctions",
    "littlesis": "LittleSis",
    "crunchbase": "Crunchbase",
}
"""Display names of the link labels writers use most, spelt as their owners spell them."""


def link_label(label: str) -> str:
    """How a link label is shown: a known site's own spelling, else each word capitalised."""
    known = LINK_LABELS.get(label.strip().lower())
    if known:
        return known
    if label != label.lower():
        return label  # the writer chose the capitals ('MFA', 'Kremlin.ru'): keep them
    return " ".join(word[:1].upper() + word[1:] for word in label.split(" "))


def doi_url(doi: str) -> str:
    """A DOI as a link through the DOI resolver; characters a URL cannot carry %-encoded."""
    return "https://doi.org/" + quote(doi, safe="/:;()._-~!$&'*+,=@") if doi else ""


def _collate(text: str) -> str:
    """Text folded for sorting: accents dropped (NFKD, then no combining marks), case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@by_fields
@dataclass(frozen=True, slots=True)
class Location:
    """A place in a content file."""

    path: str
    """Relative to the project folder, forward slashes."""
    line: int
    """1-based line, front matter included."""
    col: int
    """1-based column."""


@by_fields
@dataclass(frozen=True, slots=True)
class Ref:
    """An id written by a writer (in front matter or the body), with where it was written."""

    id: str
    """The id, alias or name as written; resolved to a real id by the graph stage."""
    where: Location
    """Where it was written, for error messages."""


@by_fields
@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the day (``2017-01-17``), the month (``2016-09``) or the year (``2015``)."""

    year: int
    month: int = 0
    """0 when only the year is known; such a date sorts before the year's months."""
    day: int = 0
    """0 when only the month is known; such a date sorts before the month's days."""
    qualifier: str = ""
    """EDTF's mark on the (start) date: '~' approximate, '?' uncertain, '%' both; '' exact."""
    end: tuple[int, ...] = ()
    """An interval's last date as (year, month, day), 0 for what is not known; () for none."""
    end_qualifier: str = ""
    """The EDTF mark on an interval's end."""
    open_end: str = ""
    """'..' for an interval still going (``2011-03/..``), '/' for one whose end is not
    known (``2011-03/``); '' otherwise."""

    @property
    def iso(self) -> str:
        """``2017-01-17``, ``2016-09`` or ``2015``, usable in a ``<time datetime>``.

        An EDTF date gives its (earliest) start: ``<time>`` takes no EDTF marks.
        """
        if not self.month:
            return f"{self.year:04d}"
        base = f"{self.year:04d}-{self.month:02d}"
        return f"{base}-{self.day:02d}" if self.day else base

    @property
    def exact(self) -> bool:
        """A plain day, month or year, with no EDTF mark and no interval."""
        return not (self.qualifier or self.end or self.open_end)

    @property
    def is_range(self) -> bool:
        """An interval: with a last date, still going, or with an end not known."""
        return bool(self.end or self.open_end)

    @property
    def end_date(self) -> PartialDate | None:
        """An interval's last date (with its mark); None when there is none."""
        if not self.end:
            return None
        year, month, day = self.end
        return PartialDate(year, month, day, qualifier=self.end_qualifier)

    @property
    def edtf(self) -> str:
        """The date in EDTF (ISO 8601-2): ``2017-01~``, ``2017-01-23/2017-01-24``, ``2011-03/..``"""
        start = self.iso + self.qualifier
        if self.open_end:
            return f"{start}/{'..' if self.open_end == '..' else ''}"
        end = self.end_date
        return f"{start}/{end.iso}{end.qualifier}" if end else start

    @property
    def label(self) -> str:
        """``17 January 2017``, ``September 2016`` or ``2015``; an EDTF date in words:
        ``c. January 2017``, ``2016 (uncertain)``, ``23-24 January 2017`` (an en dash),
        ``since March 2011``."""
        if not self.exact:
            return _edtf_label(self)
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


def _qualified(date: PartialDate, words: str) -> str:
    """A date's words with its EDTF mark: ``c. 2016``, ``2016 (uncertain)``."""
    if date.qualifier in ("~", "%"):
        words = f"c. {words}"
    if date.qualifier in ("?", "%"):
        words = f"{words} (uncertain)"
    return words


def _edtf_label(date: PartialDate) -> str:
    """An EDTF date in words; the shared month and year of an interval's ends said once."""
    start = PartialDate(date.year, date.month, date.day)
    if date.open_end:
        lead = "since" if date.open_end == ".." else "from"
        return f"{lead} {_qualified(date, start.label)}"
    end = date.end_date
    if end is None:
        return _qualified(date, start.label)
    stop = PartialDate(end.year, end.month, end.day)
    plain = not (date.qualifier or end.qualifier)
    if plain and start.day and stop.day and (start.year, start.month) == (stop.year, stop.month):
        return f"{start.day}\u2013{stop.label}"
    if plain and start.month and stop.month and start.year == stop.year:
        first = f"{start.day} {MONTHS[start.month - 1]}" if start.day else MONTHS[start.month - 1]
        if bool(start.day) == bool(stop.day):
            joint = "\u2013" if not start.day else " \u2013 "
            return f"{first}{joint}{stop.label}"
    if plain and not start.month and not stop.month:
        return f"{start.year}\u2013{stop.year}"
    return f"{_qualified(date, start.label)} \u2013 {_qualified(end, stop.label)}"


@by_fields
@dataclass(frozen=True, slots=True)
class Body:
    """The Markdown body of an entry and where it starts in its file."""

    text: str
    """The Markdown, exactly as in the file after the front matter."""
    path: str
    """The file, relative to the project folder."""
    first_line: int
    """0-based file line on which the body's first line lies; add it to markdown-it's line maps."""


@by_fields
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


@by_fields
@dataclass(frozen=True, slots=True)
class KeyJudgment:
    """One of a brief's key judgments (``key_judgments`` in its front matter)."""

    text: Body
    """The judgment in Markdown, with mentions and citations; ``first_line`` is the file
    line its text starts on."""
    lines: tuple[str, ...]
    """The file's lines the text is written on, as written, to place what is found in it."""
    likelihood: str
    """A term of the ICD 203 scale (``grades.LIKELIHOOD``), e.g. 'very likely'; '' when
    missing or wrong (an error says so)."""
    confidence: str
    """low, moderate or high; '' when missing or wrong."""
    where: Location
    """Where the judgment (its list item) is written."""


@by_fields
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
    authors: tuple[Ref, ...] = ()
    """The byline: names shown as written, or actor ids, shown as links to the actor."""
    updated: dt.date | None = None
    """When the brief was last revised, never before ``date``; None when it was not."""
    aliases_where: tuple[Location, ...] = ()
    """Where each alias is written, in the order of ``aliases``."""
    image: str = ""
    """The link-preview image: a path under static/ as the site serves it
    (``images/x.png``), or '' for none."""
    image_where: Location | None = None
    """Where ``image`` is written, to report a file missing from static/."""
    key_judgments: tuple[KeyJudgment, ...] = ()
    """The judgments shown in a box at the top of the brief, in the order written."""


@by_fields
@dataclass(frozen=True, slots=True)
class Role:
    """A title an actor holds for a time: ``{title: President of the United States, from: ...}``."""

    title: str
    start: PartialDate | None
    """``from``: the first day it holds (a month or year: its first day); None: always before."""
    until: PartialDate | None
    """The day it ends, which no longer counts (a month or year: it holds through it); None:
    still held."""
    affiliation: Ref | None
    """The actor the role is held at, e.g. an organisation; None when not given."""
    where: Location
    """Where the role is written."""


@by_fields
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
    """(label, URL) pairs as written, e.g. ('wikipedia', 'https://...')."""
    body: Body
    """The profile."""
    name_where: Location
    """Where the name is written, for ambiguity errors."""
    aliases_where: tuple[Location, ...] = ()
    """Where each alias is written, in the order of ``aliases``."""
    sort_name: str = ""
    """What the actor is sorted by, when not the default (see ``sort_key``)."""
    image: str = ""
    """The link-preview image: a path under static/ as the site serves it, or '' for none."""
    image_where: Location | None = None
    """Where ``image`` is written, to report a file missing from static/."""
    roles: tuple[Role, ...] = ()
    """Titles held for a time, in the order written (see roles.py)."""
    wikidata: str = ""
    """The Wikidata item, e.g. ``Q22686``; '' when not given."""
    wikidata_where: Location | None = None
    """Where ``wikidata`` is written."""
    ended: PartialDate | None = None
    """``died`` (a person) or ``dissolved`` (any other kind); None when not given."""
    ended_where: Location | None = None
    """Where ``died`` or ``dissolved`` is written."""

    @property
    def wikidata_url(self) -> str:
        """The item's page, ``https://www.wikidata.org/wiki/Q22686``; '' without an id."""
        return f"https://www.wikidata.org/wiki/{self.wikidata}" if self.wikidata else ""

    @property
    def shown_links(self) -> tuple[tuple[str, str], ...]:
        """(label as shown, URL): 'wikipedia' -> 'Wikipedia', 'foreign ministry' -> 'Foreign
        Ministry'; a label with a capital letter is kept as written."""
        return tuple((link_label(label), url) for label, url in self.links)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """People by ``sort_name`` or else the last word of the name; others by name.

        Accents and case are ignored, so 'Ötztal' sorts with 'O', not after 'Z'.
        """
        name = _collate(self.name)
        if self.sort_name:
            first = _collate(self.sort_name)
        elif self.kind == "person":
            first = name.split()[-1] if name.split() else name
        else:
            first = name
        return (first, name, self.id)


@by_fields
@dataclass(frozen=True, slots=True)
class Name:
    """A person's or a body's name as CSL keeps it: family and given names, or one literal."""

    family: str = ""
    """The family name (``Luhn``); '' for a literal name."""
    given: str = ""
    """The given names (``Alec``); '' when unknown."""
    literal: str = ""
    """A name not to be split (``World Bank``, ``Ministry of Foreign Affairs, Russia``)."""

    @property
    def shown(self) -> str:
        """``Luhn, Alec``, ``Luhn``, or the literal name."""
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family

    @classmethod
    def read(cls, text: str) -> Name:
        """A name written as text: ``Family, Given`` is split; any other (``Alec Luhn``,
        ``Reuters``) is kept whole, since a last word is not always a family name."""
        family, comma, given = text.partition(",")
        if comma and family.strip() and given.strip():
            return cls(family=family.strip(), given=given.strip())
        return cls(literal=text.strip())


@by_fields
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
    """IETF language tag of the document in its standard form (``en``, ``pt-BR``), or ''."""
    body: Body
    """A note on the source."""
    url_where: Location | None = None
    """Where ``url`` is written, so a link checker can say which file to fix."""
    language_name: str = ""
    """The language's English name, e.g. 'English'; '' when no language is given."""
    names: tuple[Name, ...] = ()
    """The authors as CSL names, in the order of ``authors``."""
    editors: tuple[Name, ...] = ()
    """CSL ``editor``."""
    issued: PartialDate | None = None
    """When it was published, to the day, month or year (``published`` is set only for a
    full date); CSL ``issued``."""
    doi: str = ""
    """CSL ``DOI``, e.g. ``10.1000/xyz123``; '' when not given."""
    volume: str = ""
    """CSL ``volume``."""
    issue: str = ""
    """CSL ``issue``."""
    pages: str = ""
    """CSL ``page``, e.g. ``12-19``."""
    publisher: str = ""
    """CSL ``publisher``."""
    place: str = ""
    """CSL ``publisher-place``."""
    isbn: str = ""
    """CSL ``ISBN``."""
    doi_where: Location | None = None
    """Where ``doi`` is written, for the link checker."""
    published_where: Location | None = None
    """Where ``published`` is written, for the source checks."""
    accessed_where: Location | None = None
    """Where ``accessed`` is written, for the source checks."""

    @property
    def doi_url(self) -> str:
        """The DOI as a link, ``https://doi.org/10.1000/xyz123``; '' without a DOI."""
        return doi_url(self.doi)

    @property
    def reliability_label(self) -> str:
        """The grade's meaning, e.g. 'Usually reliable'."""
        return RELIABILITY.get(self.reliability, "")


@by_fields
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


@by_fields
@dataclass(frozen=True, slots=True)
class Content:
    """Everything loaded from content/, before any id is resolved."""

    briefs: tuple[Brief, ...]
    actors: tuple[Actor, ...]
    sources: tuple[Source, ...]
    pages: tuple[Page, ...]


# What the Markdown stage finds in a body.


@by_fields
@dataclass(frozen=True, slots=True)
class Mention:
    """An ``[[actor]]`` in a body, resolved to an actor id."""

    actor_id: str
    where: Location


@by_fields
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
    credibility: int = 0
    """The Admiralty credibility of the information cited, 1 to 6 (``cred. 2``); 0 when
    not given."""


@by_fields
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
