"""``briefgen check --wikidata``: compare each actor's name with its Wikidata item's labels.

Off by default: it asks a server (``--wikidata-endpoint``, the Wikidata API unless told
otherwise) for the labels and aliases of every item the actors name, 50 items a
request, one request at a time, each within ``timeout`` seconds, through
``external.get_json`` (the only module that speaks HTTP). An actor whose name and
aliases match none of its item's labels or aliases in the languages asked for is
reported, as is an id the server does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import Diagnostic, error, warning
from .load import load_content
from .model import Actor, Location, fold_name

ENDPOINT = "https://www.wikidata.org/w/api.php"
"""The Wikidata API, which ``--wikidata-endpoint`` replaces (tests: a local server)."""
BATCH = 50
"""Items asked for in one request: the most ``wbgetentities`` answers."""
LANGUAGES = ("en", "mul")
"""The languages of the labels compared ('mul': Wikidata's label for every language)."""


def _names(entity: dict[str, Any]) -> tuple[list[str], str]:
    """An item's labels and aliases in ``LANGUAGES``, and its label to quote."""
    labels = entity.get("labels") or {}
    aliases = entity.get("aliases") or {}
    names: list[str] = []
    for language in LANGUAGES:
        if isinstance(labels.get(language), dict):
            names.append(str(labels[language].get("value", "")))
        names += [str(a.get("value", "")) for a in aliases.get(language, []) if isinstance(a, dict)]
    shown = next((name for name in names if name), "")
    return names, shown


def compare(actors: Sequence[Actor], entities: dict[str, Any]) -> list[Diagnostic]:
    """A problem for each actor whose item is missing or is labelled otherwise."""
    found = []
    for actor in actors:
        where = actor.wikidata_where or Location(actor.body.path, 1, 1)
        entity = entities.get(actor.wikidata)
        if not isinstance(entity, dict) or "missing" in entity:
            found.append(
                error(
                    where.path,
                    where.line,
                    where.col,
                    f"Wikidata has no item '{actor.wikidata}'",
                    "check the id on the item's Wikidata page",
                )
            )
            continue
        names, shown = _names(entity)
        ours = {fold_name(name) for name in (actor.name, *actor.aliases)}
        if ours & {fold_name(name) for name in names}:
            continue
        found.append(
            warning(
                where.path,
                where.line,
                where.col,
                f"actor '{actor.id}' is named '{actor.name}', but Wikidata's {actor.wikidata} "
                f"is labelled '{shown}'",
                f"check the id; if it is right, add '{shown}' to the actor's aliases",
            )
        )
    return found


def fetch(ids: Iterable[str], endpoint: str, *, timeout: float) -> dict[str, Any]:
    """The items, by id, as ``wbgetentities`` gives them; ValueError when a request fails."""
    from .external import get_json  # httpx costs every briefgen start 60 ms: only when asked

    wanted = sorted(set(ids))
    entities: dict[str, Any] = {}
    for at in range(0, len(wanted), BATCH):
        params = {
            "action": "wbgetentities",
            "ids": "|".join(wanted[at : at + BATCH]),
            "props": "labels|aliases",
            "languages": "|".join(LANGUAGES),
            "format": "json",
        }
        answer = get_json(endpoint, params, timeout=timeout)
        got = answer.get("entities") if isinstance(answer, dict) else None
        if not isinstance(got, dict):
            raise ValueError("the answer holds no 'entities'")
        entities.update(got)
    return entities


def check_wikidata(
    project: Path, endpoint: str = ENDPOINT, *, timeout: float = 10.0
) -> list[Diagnostic]:
    """The Wikidata problems of a project's actors (a failed request: one error)."""
    content, _ = load_content(project)
    actors = sorted((a for a in content.actors if a.wikidata), key=lambda a: a.body.path)
    if not actors:
        return []
    try:
        entities = fetch((a.wikidata for a in actors), endpoint, timeout=timeout)
    except ValueError as exc:
        return [
            error(
                "briefgen check --wikidata",
                0,
                0,
                f"could not read the labels from {endpoint}: {exc}",
                "try again later, or check --wikidata-endpoint",
            )
        ]
    return compare(actors, entities)
