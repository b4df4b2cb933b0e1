"""``briefgen export ftm``: the briefing as FollowTheMoney entities, one JSON object a line.

The only module that imports ``followthemoney`` (an optional dependency:
``pip install 'briefgen[ftm]'``), so that Aleph and OpenSanctions-style tools can import
a briefing. What becomes what:

- an actor: a ``Person``, an ``Organization`` (organisations and armed groups) or a
  ``PublicBody`` (states), with its name, other names, role, Wikidata id, death or
  dissolution date and page;
- its affiliation: a ``Membership``; each dated role of a person: a ``Position`` held
  through an ``Occupancy`` from ``from`` to ``until``;
- a source: an ``Article`` (news) or a ``Document`` (the other kinds);
- an event: an ``Event`` with its actors as ``involved`` and its sources as ``proof``;
  an EDTF date gives its start as ``startDate`` (an interval's end as ``endDate``);
- a statement: a ``Documentation`` tying the source that reports it to the actor who
  said it, with the words quoted as its ``summary``.

Entity ids are ``briefgen-<kind>-<id>``, stable from one export to the next.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from ..config import Config
from ..model import PartialDate
from ..site import Site
from .data import plain_text

ACTOR_SCHEMATA = {
    "person": "Person",
    "organisation": "Organization",
    "state": "PublicBody",
    "group": "Organization",
}
"""The FollowTheMoney schema of each actor kind."""


def _entity(schema: str, entity_id: str, **properties: Any) -> EntityProxy:
    """An entity with its properties; empty values are left out (the library drops them)."""
    entity = model.make_entity(schema)
    entity.id = entity_id
    for name, value in properties.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            if item:
                entity.add(name, item)
    return entity


def _start(date: PartialDate) -> str:
    """An event date as FollowTheMoney takes it: its (earliest) start, ``2017-01``."""
    return date.iso


def entities(site: Site, config: Config) -> Iterator[EntityProxy]:
    """Every entity of the briefing, in a fixed order: actors, sources, events, statements."""

    def link(url: str) -> str:
        return config.origin + url if config.origin else ""

    def actor_id(actor: str) -> str:
        return f"briefgen-actor-{actor}"

    for key, node in site.actors.items():
        actor = node.actor
        schema = ACTOR_SCHEMATA[actor.kind]
        ended = actor.ended.iso if actor.ended else ""
        yield _entity(
            schema,
            actor_id(key),
            name=actor.name,
            alias=list(actor.aliases),
            description=actor.role,
            wikidataId=actor.wikidata,
            sourceUrl=link(node.url),
            **({"deathDate": ended} if schema == "Person" else {"dissolutionDate": ended}),
            **({"position": [r.title for r in actor.roles]} if schema == "Person" else {}),
        )
        other = site.actors.get(node.affiliation) if node.affiliation else None
        if other is not None and model.get(ACTOR_SCHEMATA[other.actor.kind]).is_a("Organization"):  # type: ignore[union-attr, unused-ignore]
            yield _entity(
                "Membership",
                f"briefgen-membership-{key}-{node.affiliation}",
                member=actor_id(key),
                organization=actor_id(other.actor.id),
            )
        if schema != "Person":
            continue
        for number, role in enumerate(actor.roles, 1):
            post = f"briefgen-position-{key}-{number}"
            at = role.affiliation.id if role.affiliation else ""
            yield _entity(
                "Position",
                post,
                name=role.title,
                organization=actor_id(at) if at in site.actors else "",
            )
            yield _entity(
                "Occupancy",
                f"briefgen-occupancy-{key}-{number}",
                holder=actor_id(key),
                post=post,
                startDate=role.start.iso if role.start else "",
                endDate=role.until.iso if role.until else "",
            )
    for key, source_node in site.sources.items():
        source = source_node.source
        yield _entity(
            "Article" if source.kind == "news" else "Document",
            f"briefgen-source-{key}",
            title=source.title,
            publisher=source.publication,
            author=list(source.authors),
            publishedAt=source.published.isoformat() if source.published else "",
            sourceUrl=source.url,
            summary=plain_text(source_node.body.html)[:4000],
        )
    for brief_id, brief in site.briefs.items():
        for number, event in enumerate(brief.events, 1):
            end = event.date.end_date
            yield _entity(
                "Event",
                f"briefgen-event-{brief_id}-{number}",
                name=event.title,
                date=_start(event.date) if event.date.exact else "",
                startDate="" if event.date.exact else _start(event.date),
                endDate=end.iso if end else "",
                description="" if event.date.exact else event.date.label,
                involved=[actor_id(a) for a in event.actors],
                proof=[f"briefgen-source-{s}" for s in event.sources],
                sourceUrl=link(event.url),
            )
        for statement in brief.body.statements:
            yield _entity(
                "Documentation",
                f"briefgen-statement-{brief_id}-{statement.anchor}",
                document=f"briefgen-source-{statement.source_id}",
                entity=actor_id(statement.actor_id),
                role="quoted",
                summary=plain_text(statement.html),
                description=statement.locator,
                date=brief.brief.date.isoformat(),
                sourceUrl=link(f"{brief.url}#{statement.anchor}"),
            )


def ftm_lines(site: Site, config: Config) -> str:
    """The entities as line-delimited JSON, each line an entity's ``to_dict()``."""
    return "".join(
        json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        for entity in entities(site, config)
    )
