"""Roles that hold for a time, an actor's end, and its Wikidata id: read, checked, shown.

An actor's ``roles`` list gives titles with the period each holds; the single ``role``
stays the actor's standing description (its page's standfirst, the actor list, the
structured data's ``jobTitle``). A brief shows each actor's role as of the brief's
date: the titles of the roles holding that day, or, for an actor without ``roles``,
its ``role``.

A role holds from the first day of its ``from`` (a month or year: its first day) up to
its ``until``: a full day is the day it ends, which no longer counts (the next
President's first day), while a month or year is held through its end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence

from .dates import optional_partial
from .errors import Diagnostic, did_you_mean, error, warning
from .fields import FieldReader
from .model import Actor, Brief, Location, Mention, PartialDate, Role, fold_name

ROLE_KEYS = ("title", "from", "until", "affiliation")

_WIKIDATA = re.compile(r"Q[1-9]\d*")
# A Wikidata id as people paste it: with a URL before it or in lower case.
_WIKIDATA_LOOSE = re.compile(
    r"(?:https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/)?[Qq]?(\d+)/?"
)

_FAR_PAST = (0, 0, 0)
_FAR_FUTURE = (9999, 99, 99)


def first_day(date: PartialDate) -> tuple[int, int, int]:
    """The first day of a day, month or year, as (year, month, day)."""
    return date.year, date.month or 1, date.day or 1


def after_last_day(date: PartialDate) -> tuple[int, int, int]:
    """The day after a month or year (a day: the day itself), as a comparable triple."""
    if date.day:
        return date.year, date.month, date.day
    if date.month:
        return date.year, date.month, 32
    return date.year, 13, 0


def span(role: Role) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The days a role holds: [start, end)."""
    start = first_day(role.start) if role.start else _FAR_PAST
    end = after_last_day(role.until) if role.until else _FAR_FUTURE
    return start, end


def _day(when: dt.date) -> tuple[int, int, int]:
    return when.year, when.month, when.day


def roles_on(actor: Actor, when: dt.date) -> tuple[Role, ...]:
    """The roles holding on a day."""
    day = _day(when)
    return tuple(role for role in actor.roles if span(role)[0] <= day < span(role)[1])


def role_on(actor: Actor, when: dt.date | None) -> str:
    """The role shown for an actor in a brief of this date: the titles holding then,
    joined by '; ' (an actor without ``roles``: its ``role``; '' when none holds)."""
    if not actor.roles or when is None:
        return actor.role
    return "; ".join(role.title for role in roles_on(actor, when))


def period(role: Role) -> str:
    """A role's period in words: ``9 November 2016 - 20 January 2017`` (an en dash),
    ``since 20 January 2017``, ``until 2016``."""
    if role.start and role.until:
        return f"{role.start.label} \u2013 {role.until.label}"
    if role.start:
        return f"since {role.start.label}"
    if role.until:
        return f"until {role.until.label}"
    return ""


def read_roles(fields: FieldReader) -> tuple[Role, ...]:
    """An actor's ``roles``, each mistake reported where it is written."""
    roles: list[Role] = []
    for item in _role_items(fields):
        before = len(fields.diagnostics)
        item.check_keys(ROLE_KEYS, "role")
        title = item.text("title", required=True, example="President of the United States")
        start = optional_partial(item, "from")
        until = optional_partial(item, "until")
        if start and until and after_last_day(until) <= first_day(start):
            if until.iso == start.iso:  # two full days: a month or year holds through its end
                after = dt.date(until.year, until.month, until.day) + dt.timedelta(days=1)
                item.problem(
                    item.where("until"),
                    f"role '{title}' ends ({until.iso}) on the day it starts",
                    "'until' is the first day the role no longer holds: for a role of one day, "
                    f"write until: {after.isoformat()}",
                )
                continue
            item.problem(
                item.where("until"),
                f"role '{title}' ends ({until.iso}) before it starts ({start.iso})",
                "'until' is the day the role ended, after 'from'; swap them if they are reversed",
            )
            continue
        # A role with a mistake is left out, so its missing dates raise no false overlap.
        if title and len(fields.diagnostics) == before:
            roles.append(Role(title, start, until, item.ref("affiliation"), item.where()))
    _overlaps(roles, fields)
    return tuple(roles)


def _role_items(fields: FieldReader) -> list[FieldReader]:
    """A reader for each role written as a mapping; every other item reported with its fix."""
    raw = fields.data.get("roles")
    if raw is None:
        return []
    if not isinstance(raw, list):
        example = f"{{title: {raw}}}" if isinstance(raw, str) else "{title: ..., from: ...}"
        fields.problem(
            fields.where("roles"),
            f"'roles' must be a list of roles, not {_shown(raw)}",
            f"write a list: roles: [{example}]",
        )
        return []
    readers = []
    for index, item in enumerate(raw):
        if isinstance(item, Mapping):
            prefix = (*fields.prefix, "roles", index)
            readers.append(
                FieldReader(item, fields.locate, fields.path, fields.diagnostics, prefix)
            )
            continue
        text = str(item).strip() if isinstance(item, str | int | float) else ""
        fields.problem(
            fields.where("roles", index),
            f"role {_shown(item)} is not a mapping with a title",
            f"write - {{title: {text or '...'}}}, with from: and until: when known",
        )
    return readers


def _shown(value: object) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return f"'{value}'"
    return (
        "a mapping"
        if isinstance(value, Mapping)
        else "a list"
        if isinstance(value, list)
        else "an empty value"
    )


def _overlaps(roles: Sequence[Role], fields: FieldReader) -> None:
    """A warning for each role overlapping an earlier-starting one of the same title.

    Roles of one title are walked in order of their start, keeping the one that ends
    last so far: n log n, however long a hostile list is.
    """
    by_title: dict[str, list[Role]] = {}
    for role in roles:
        by_title.setdefault(fold_name(role.title), []).append(role)
    for same in by_title.values():
        latest: Role | None = None
        for role in sorted(same, key=lambda r: (span(r)[0], r.where.line, r.where.col)):
            if latest is not None and span(role)[0] < span(latest)[1]:
                first, second = sorted((latest, role), key=lambda r: (r.where.line, r.where.col))
                fields.diagnostics.append(
                    warning(
                        second.where.path,
                        second.where.line,
                        second.where.col,
                        f"role '{second.title}' overlaps the same role on line {first.where.line}",
                        "merge the two into one role, or fix the dates of one",
                    )
                )
            if latest is None or span(role)[1] > span(latest)[1]:
                latest = role


def read_wikidata(fields: FieldReader) -> str:
    """An actor's ``wikidata`` id: ``Q`` and digits."""
    value = fields.text("wikidata")
    if not value or _WIKIDATA.fullmatch(value):
        return value
    loose = _WIKIDATA_LOOSE.fullmatch(value)
    fix = (
        f"write wikidata: Q{int(loose[1])}"
        if loose and int(loose[1])
        else "write the item's id from its Wikidata page, e.g. wikidata: Q22686"
    )
    fields.problem(
        fields.where("wikidata"), f"'wikidata' must be an id such as Q22686, not '{value}'", fix
    )
    return ""


def read_end(fields: FieldReader, kind: str) -> tuple[PartialDate | None, Location | None]:
    """``died`` (a person) or ``dissolved`` (any other kind), with where it is written."""
    right, wrong = ("died", "dissolved") if kind == "person" else ("dissolved", "died")
    if fields.data.get(wrong) is not None:
        fields.problem(
            fields.where(wrong, at_key=True),
            f"'{wrong}' is for {'people' if wrong == 'died' else 'the other kinds of actor'}, "
            f"and this actor is a {kind}",
            f"write {right}: instead",
        )
    key = right if fields.data.get(right) is not None else wrong
    ended = optional_partial(fields, key)
    return ended, fields.where(key) if ended else None


def actor_problems(actors: Iterable[Actor]) -> list[Diagnostic]:
    """What no single actor file shows: a Wikidata id given twice, a role's unknown
    affiliation."""
    found: list[Diagnostic] = []
    listed = sorted(actors, key=lambda a: a.body.path)
    ids = {actor.id for actor in listed}
    first: dict[str, Actor] = {}
    for actor in listed:
        for role in actor.roles:
            ref = role.affiliation
            if ref is not None and ref.id not in ids:
                hint = did_you_mean(ref.id, ids) or "write the id of an actor in content/actors/"
                found.append(
                    error(
                        ref.where.path,
                        ref.where.line,
                        ref.where.col,
                        f"unknown actor '{ref.id}' as the affiliation of role '{role.title}'",
                        hint,
                    )
                )
        if not actor.wikidata:
            continue
        other = first.setdefault(actor.wikidata, actor)
        if other is not actor:
            where = actor.wikidata_where or Location(actor.body.path, 1, 1)
            found.append(
                error(
                    where.path,
                    where.line,
                    where.col,
                    f"Wikidata id '{actor.wikidata}' is also the id of actor '{other.id}' "
                    f"({other.body.path})",
                    "one Wikidata item is one actor: merge the two, or fix the id of one",
                )
            )
    return found


def _place(brief: Brief, actor_id: str, mentions: Sequence[Mention]) -> Location:
    """Where a brief first names an actor: a mention in its body, else its front matter."""
    for mention in mentions:
        if mention.actor_id == actor_id:
            return mention.where
    for ref in brief.actors:
        if ref.id == actor_id:
            return ref.where
    return Location(brief.body.path, 1, 1)


def limits(actors: Iterable[Actor]) -> dict[str, tuple[Actor, PartialDate | None]]:
    """The actors a brief's date can be wrong for, by id, each with its first role's start
    (None when a role holds from always, or it has no roles): worked out once a graph."""
    found: dict[str, tuple[Actor, PartialDate | None]] = {}
    for actor in actors:
        starts = [role.start for role in actor.roles if role.start]
        first = min(starts, key=first_day) if starts and len(starts) == len(actor.roles) else None
        if first is not None or actor.ended is not None:
            found[actor.id] = (actor, first)
    return found


def mention_problems(
    brief: Brief,
    mentioned: Iterable[str],
    mentions: Sequence[Mention],
    bounded: Mapping[str, tuple[Actor, PartialDate | None]],
) -> list[Diagnostic]:
    """Warnings for a brief naming an actor before its first role starts, or after it
    died or was dissolved; each where the brief first names the actor. ``bounded``:
    ``limits`` of the site's actors."""
    found: list[Diagnostic] = []
    day = _day(brief.date)
    for actor_id in mentioned:
        if actor_id not in bounded:
            continue
        actor, first = bounded[actor_id]
        if first is not None and day < first_day(first):
            where = _place(brief, actor_id, mentions)
            found.append(
                warning(
                    where.path,
                    where.line,
                    where.col,
                    f"the brief is of {brief.date.isoformat()}, before the first role of "
                    f"'{actor.id}' starts ({first.iso})",
                    f"add the role {actor.name} held then to {actor.body.path}, "
                    "or check the brief's date",
                )
            )
        if actor.ended is not None and day > after_last_day(actor.ended):
            key = "died" if actor.kind == "person" else "dissolved"
            where = _place(brief, actor_id, mentions)
            found.append(
                warning(
                    where.path,
                    where.line,
                    where.col,
                    f"the brief is of {brief.date.isoformat()}, after '{actor.id}' "
                    f"{'died' if key == 'died' else 'was dissolved'} ({actor.ended.iso})",
                    f"check the brief's date, or '{key}' in {actor.body.path}",
                )
            )
    return found
