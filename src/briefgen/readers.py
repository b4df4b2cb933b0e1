"""Typed entries from parsed files: the keys each kind of file takes, and how each is read."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

from . import dates, languages, roles
from .errors import Diagnostic, error
from .fields import FieldReader
from .front_matter import Parsed
from .judgments import read_key_judgments
from .model import (
    ACTOR_KINDS,
    SOURCE_KINDS,
    Actor,
    Brief,
    Event,
    Location,
    Name,
    Page,
    PartialDate,
    Ref,
    Source,
    fold_name,
)
from .paths import (
    CONTENT_FOLDERS,
    MAX_SEGMENT,
    RESERVED_ACTOR_IDS,
    RESERVED_BRIEF_IDS,
    RESERVED_PAGE_IDS,
    slugify,
)

BRIEF_KEYS = (
    "title",
    "date",
    "updated",
    "summary",
    "authors",
    "actors",
    "sources",
    "tags",
    "draft",
    "events",
    "aliases",
    "image",
    "key_judgments",
)
EVENT_KEYS = ("date", "title", "actors", "sources")
ACTOR_KEYS = (
    "name",
    "sort_name",
    "kind",
    "role",
    "affiliation",
    "aliases",
    "links",
    "image",
    "roles",
    "wikidata",
    "died",
    "dissolved",
)
SOURCE_KEYS = (
    "title",
    "publication",
    "authors",
    "published",
    "url",
    "accessed",
    "kind",
    "reliability",
    "language",
    "doi",
    "editors",
    "volume",
    "issue",
    "pages",
    "publisher",
    "place",
    "isbn",
)
NAME_KEYS = ("family", "given", "literal")
# A DOI: the directory indicator 10., a registrant code of digits (dots allowed), a slash,
# then a suffix of any printable characters.
DOI_PATTERN = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
# A DOI written as a link or with a prefix: https://doi.org/..., doi.org/..., doi:...
DOI_PREFIX = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*", re.IGNORECASE)
PAGE_KEYS = ("title", "summary")
_PLACEHOLDER_DATE = dt.date(1, 1, 1)


def _reader(parsed: Parsed, diagnostics: list[Diagnostic]) -> FieldReader:
    return FieldReader(parsed.data, parsed.locate, parsed.body.path, diagnostics)


def _first_of_each(refs: Iterable[Ref]) -> list[Ref]:
    """Refs without repeats: a name written twice is one author."""
    first: dict[str, Ref] = {}
    for ref in refs:
        first.setdefault(ref.id, ref)
    return list(first.values())


def read_brief(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Brief:
    """A Brief from its parsed file; problems are added to diagnostics."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(BRIEF_KEYS, "brief")
    if entry_id in RESERVED_BRIEF_IDS:
        diagnostics.append(
            error(
                parsed.body.path,
                1,
                1,
                f"brief id '{entry_id}' is taken by the pages of the brief index (/briefs/page/2/)",
                f"rename the file, e.g. to '{entry_id}-brief.md'",
            )
        )
    events = []
    for item in fields.mappings("events"):
        item.check_keys(EVENT_KEYS, "event")
        when = dates.event_date(item, "date")
        title = item.text("title", required=True, example="Talks open in Astana")
        if when is not None:
            events.append(
                Event(when, title, item.refs("actors"), item.refs("sources"), item.where())
            )
    aliases: list[tuple[str, Location]] = []
    listed = isinstance(parsed.data.get("aliases"), list)
    for index, alias in enumerate(fields.strings("aliases")):
        where = fields.where("aliases", index) if listed else fields.where("aliases")
        if not alias.startswith("/") or alias.startswith("//"):
            message = f"alias '{alias}' must be a path on this site, starting with '/'"
            fields.problem(where, message, "write the former URL's path, e.g. /briefs/old-name/")
        elif any(c.isspace() for c in alias):
            message = f"alias '{alias}' has a space, which a URL's path cannot hold"
            fields.problem(where, message, f"write '{'-'.join(alias.split())}'")
        elif "?" in alias or "#" in alias:
            path = alias.split("#")[0].split("?")[0]
            message = f"alias '{alias}' has a query or fragment, which no redirect can match"
            fields.problem(where, message, f"write only its path, '{path}'")
        else:
            aliases.append((alias, where))
    tags = fields.strings("tags", comma_list=True)
    for index, tag in enumerate(tags):
        where = (
            fields.where("tags", index)
            if isinstance(parsed.data.get("tags"), list)
            else fields.where("tags")
        )
        if not slugify(tag):
            fields.problem(
                where, f"tag '{tag}' has no letters or digits to make a URL of", "use a word"
            )
        elif len(slugify(tag)) > MAX_SEGMENT:
            message = (
                f"tag '{tag}' makes a URL segment of {len(slugify(tag))} characters, "
                f"over the limit of {MAX_SEGMENT}"
            )
            fields.problem(where, message, "shorten the tag")
    date = dates.exact_day(fields, "date", required=True)
    updated = dates.exact_day(fields, "updated")
    if date is not None and updated is not None and updated < date:
        fields.problem(
            fields.where("updated"),
            f"'updated' ({updated.isoformat()}) is before 'date' ({date.isoformat()})",
            "'updated' is the day the brief was last revised: on or after its date",
        )
        updated = None
    authors = fields.refs(
        "authors", "names", "write each author as text, e.g. authors: [Astana Watch desk]"
    )
    return Brief(
        id=entry_id,
        title=fields.text("title", required=True, example="Russia invites the US to Astana"),
        date=date or _PLACEHOLDER_DATE,
        updated=updated,
        authors=tuple(_first_of_each(authors)),
        summary=fields.text("summary", required=True, example="One or two sentences."),
        actors=fields.refs("actors"),
        sources=fields.refs("sources"),
        tags=tuple(t for t in tags if 0 < len(slugify(t)) <= MAX_SEGMENT),
        draft=fields.boolean("draft"),
        events=tuple(events),
        aliases=tuple(alias for alias, _ in aliases),
        body=parsed.body,
        aliases_where=tuple(where for _, where in aliases),
        image=(image := fields.image("image")),
        image_where=fields.where("image") if image else None,
        key_judgments=read_key_judgments(fields, parsed),
    )


def read_actor(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Actor:
    """An Actor from its parsed file."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(ACTOR_KEYS, "actor")
    if entry_id in RESERVED_ACTOR_IDS:
        diagnostics.append(
            error(
                parsed.body.path,
                1,
                1,
                f"actor id '{entry_id}' is taken by the actor network page (/actors/network/)",
                f"rename the file, e.g. to '{entry_id}-actor.md'",
            )
        )
    aliases = fields.located_strings("aliases")
    seen: dict[str, Location] = {}
    for alias, where in aliases:
        first = seen.setdefault(fold_name(alias), where)
        if first is not where:
            fields.problem(
                where,
                f"alias '{alias}' is written twice (first on line {first.line})",
                "delete one of the two",
            )
    kind = fields.choice("kind", ACTOR_KINDS, "person") or "person"
    ended, ended_where = roles.read_end(fields, kind)
    return Actor(
        id=entry_id,
        name=fields.text("name", required=True, example="Sergei Lavrov"),
        sort_name=fields.text("sort_name"),
        kind=kind,
        role=fields.text("role"),
        affiliation=fields.ref("affiliation"),
        aliases=tuple(alias for alias, _ in aliases),
        links=fields.links("links"),
        body=parsed.body,
        name_where=fields.where("name"),
        aliases_where=tuple(where for _, where in aliases),
        image=(image := fields.image("image")),
        image_where=fields.where("image") if image else None,
        roles=roles.read_roles(fields),
        wikidata=(wikidata := roles.read_wikidata(fields)),
        wikidata_where=fields.where("wikidata") if wikidata else None,
        ended=ended,
        ended_where=ended_where,
    )


def read_source(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Source:
    """A Source from its parsed file."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(SOURCE_KEYS, "source")
    reliability = fields.text("reliability")
    if reliability and reliability not in "ABCDEF":
        fields.problem(
            fields.where("reliability"),
            f"'reliability' must be one letter from A to F, not '{reliability}'",
            "A completely reliable ... F cannot be judged",
        )
        reliability = ""
    language, language_name = fields.text("language"), ""
    if language:
        known = languages.language(language)
        if isinstance(known, languages.Language):
            language, language_name = known.tag, known.name
        else:
            fields.problem(fields.where("language"), known.message, known.hint)
            language = ""
    authors = _names(fields, "authors")
    issued = _published(fields)
    return Source(
        id=entry_id,
        title=fields.text("title", required=True, example="Russia invites Trump team to talks"),
        publication=fields.text("publication"),
        authors=tuple(shown for shown, _ in authors),
        published=dt.date(issued.year, issued.month, issued.day) if issued and issued.day else None,
        url=fields.url("url"),
        accessed=fields.date("accessed"),
        kind=fields.choice("kind", SOURCE_KINDS, "news") or "news",
        reliability=reliability,
        language=language,
        body=parsed.body,
        url_where=fields.where("url") if "url" in parsed.data else None,
        language_name=language_name,
        names=tuple(name for _, name in authors),
        editors=tuple(name for _, name in _names(fields, "editors")),
        issued=issued,
        doi=_doi(fields),
        volume=fields.text("volume"),
        issue=fields.text("issue"),
        pages=fields.text("pages"),
        publisher=fields.text("publisher"),
        place=fields.text("place"),
        isbn=fields.text("isbn"),
        doi_where=fields.where("doi") if "doi" in parsed.data else None,
        published_where=fields.where("published") if issued else None,
        accessed_where=fields.where("accessed") if "accessed" in parsed.data else None,
    )


def _published(fields: FieldReader) -> PartialDate | None:
    """``published``: a day (2017-01-17), or a month (2017-01) or a year (2017) when no more
    is known, as reference managers often give."""
    return fields.partial_date("published", required=False)


def _doi(fields: FieldReader) -> str:
    """``doi``: the bare DOI (``10.1000/xyz123``); a link or ``doi:`` prefix is reported."""
    value = fields.text("doi")
    if not value:
        return ""
    bare = DOI_PREFIX.sub("", value, count=1)
    if bare != value and DOI_PATTERN.fullmatch(bare):
        fields.problem(
            fields.where("doi"),
            f"'doi' is the DOI alone, not '{value}'",
            f"write doi: {bare}",
        )
        return bare
    if not DOI_PATTERN.fullmatch(value):
        fields.problem(
            fields.where("doi"),
            f"'doi' must be a DOI such as 10.1000/xyz123, not '{value}'",
            "copy the DOI from the document: it starts with 10. and has a '/'; or delete the line",
        )
        return ""
    return value


def _names(fields: FieldReader, key: str) -> list[tuple[str, Name]]:
    """Authors or editors: each as text (``Alec Luhn``, ``Luhn, Alec``) or as a mapping
    (``{family: Luhn, given: Alec}``, ``{literal: World Bank}``); (as shown, CSL name)."""
    value = fields.data.get(key)
    if not isinstance(value, list) or not any(isinstance(item, dict) for item in value):
        return [(text, Name.read(text)) for text in fields.strings(key)]
    found: list[tuple[str, Name]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            if isinstance(item, str) and item.strip():
                found.append((item.strip(), Name.read(item)))
            else:
                fields.problem(
                    fields.where(key, index),
                    f"items of '{key}' must be names, not {item!r}",
                    "write e.g. Luhn, Alec",
                )
            continue
        nested = FieldReader(
            item, fields.locate, fields.path, fields.diagnostics, (*fields.prefix, key, index)
        )
        nested.check_keys(NAME_KEYS, "name")
        name = Name(nested.text("family"), nested.text("given"), nested.text("literal"))
        if not name.family and not name.literal:
            nested.problem(
                fields.where(key, index),
                f"a name in '{key}' has no 'family' or 'literal'",
                "write {family: Luhn, given: Alec}, or {literal: World Bank} for a body",
            )
            continue
        if name.literal and (name.family or name.given):
            nested.problem(
                fields.where(key, index),
                f"a name in '{key}' has both 'literal' and 'family' or 'given'",
                "keep literal for a body's name, or family and given for a person's",
            )
            continue
        found.append((name.shown, name))
    return found


def read_page(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Page:
    """A free Page from its parsed file."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(PAGE_KEYS, "page")
    if entry_id in RESERVED_PAGE_IDS:
        diagnostics.append(
            error(
                parsed.body.path,
                1,
                1,
                f"page id '{entry_id}' is taken by a section of the site",
                f"rename the file, e.g. to '{entry_id}-page.md'",
            )
        )
    return Page(
        id=entry_id,
        title=fields.text("title", required=True, example="About this briefing"),
        summary=fields.text("summary"),
        body=parsed.body,
    )


Entry = Brief | Actor | Source | Page

READERS: dict[str, Callable[[str, Parsed, list[Diagnostic]], Entry]] = {
    "briefs": read_brief,
    "actors": read_actor,
    "sources": read_source,
    "pages": read_page,
}
"""The content folders and how each one's files are read."""
assert tuple(READERS) == CONTENT_FOLDERS
