"""Which parts of the site each page reads, so that an edit re-renders only the pages it touches.

While a page renders, templates see the site through ``tracked_site``: every
lookup of a brief, actor, source, tag or page, every walk over all of them,
and every read of the timeline is recorded as a ``Key``. After an edit,
``changed_keys`` compares the old and new site, and a page is rendered again
exactly when one of its keys changed. Nothing has to be declared by hand, so a
project's own templates are tracked as precisely as the built-in ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar, overload

from .site import Site

Key = tuple[str, str]
"""``("brief", "x")``: one entry; ``("brief", "*")``: all of a kind; ``("site", "timeline")``.

Listing pages are handed their share of the site by the page plan (render.py) and
declare these keys instead of reading all of it: ``("brief-at", "17")``, which
brief is 18th in site order; ``("brief-count", "*")``, how many briefs there are;
``("year", "2017")``, the timeline entries of one year; ``("years", "list")``,
which years have entries; ``("years", "counts")``, each year's numbers of events
and briefs.
"""

ALL = "*"
KINDS = ("brief", "actor", "source", "page", "tag")

V = TypeVar("V")


class Recorder:
    """Collects the keys read while one page renders."""

    def __init__(self) -> None:
        self.keys: set[Key] = set()
        self._known: dict[Key, Key] = {}

    def add(self, kind: str, name: str) -> None:
        """Record a key; equal keys of all pages share one tuple (thousands of pages hold them)."""
        key = (kind, name)
        self.keys.add(self._known.setdefault(key, key))

    def take(self) -> frozenset[Key]:
        """The keys read since the last call, clearing the record."""
        keys, self.keys = frozenset(self.keys), set()
        return keys


class TrackedMapping(Mapping[str, V]):
    """A read-only mapping that records which entries were looked up or walked over."""

    def __init__(self, data: Mapping[str, V], kind: str, recorder: Recorder) -> None:
        self._data = data
        self._kind = kind
        self._recorder = recorder

    def __getitem__(self, key: str) -> V:
        self._recorder.add(self._kind, key)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        self._recorder.add(self._kind, str(key))
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self._recorder.add(self._kind, ALL)
        return iter(self._data)

    def __len__(self) -> int:
        self._recorder.add(self._kind, ALL)
        return len(self._data)


class TrackedSequence(Sequence[V]):
    """A read-only sequence that records that it was read."""

    def __init__(self, data: Sequence[V], key: Key, recorder: Recorder) -> None:
        self._data = data
        self._key = key
        self._recorder = recorder

    @overload
    def __getitem__(self, index: int) -> V: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[V]: ...
    def __getitem__(self, index: int | slice) -> V | Sequence[V]:
        self._recorder.add(*self._key)
        return self._data[index]

    def __len__(self) -> int:
        self._recorder.add(*self._key)
        return len(self._data)

    def __iter__(self) -> Iterator[V]:
        self._recorder.add(*self._key)
        return iter(self._data)


def tracked_site(site: Site, recorder: Recorder) -> Site:
    """The same site, but every read of it is recorded in ``recorder``."""
    return dataclasses.replace(
        site,
        briefs=TrackedMapping(site.briefs, "brief", recorder),
        actors=TrackedMapping(site.actors, "actor", recorder),
        sources=TrackedMapping(site.sources, "source", recorder),
        pages=TrackedMapping(site.pages, "page", recorder),
        tags=TrackedMapping(site.tags, "tag", recorder),
        timeline=TrackedSequence(site.timeline, ("site", "timeline"), recorder),
    )


def _mappings(site: Site) -> dict[str, Mapping[str, object]]:
    return {
        "brief": site.briefs,
        "actor": site.actors,
        "source": site.sources,
        "page": site.pages,
        "tag": site.tags,
    }


def changed_keys(old: Site, new: Site) -> set[Key]:
    """Every key whose value differs between two builds of a site.

    A kind's ``*`` key changes when any entry of it changes, appears, goes,
    or when their order changes.
    """
    changed: set[Key] = set()
    old_maps, new_maps = _mappings(old), _mappings(new)
    for kind in KINDS:
        before, after = old_maps[kind], new_maps[kind]
        differ = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        changed.update((kind, key) for key in differ)
        if differ or list(before) != list(after):
            changed.add((kind, ALL))
    if old.timeline != new.timeline:
        changed.add(("site", "timeline"))
        changed |= _timeline_keys(old, new)
    before_ids, after_ids = list(old.briefs), list(new.briefs)
    if len(before_ids) != len(after_ids):
        changed.add(("brief-count", ALL))
    for at in range(max(len(before_ids), len(after_ids))):
        if at >= len(before_ids) or at >= len(after_ids) or before_ids[at] != after_ids[at]:
            changed.add(("brief-at", str(at)))
    return changed


def _timeline_keys(old: Site, new: Site) -> set[Key]:
    """The years whose entries differ, and whether the list of years or their counts did."""
    before = {group.year: group for group in old.timeline}
    after = {group.year: group for group in new.timeline}
    changed = {
        ("year", str(year))
        for year in before.keys() | after.keys()
        if before.get(year) != after.get(year)
    }
    if list(before) != list(after):
        changed.add(("years", "list"))
    if [g.counts for g in old.timeline] != [g.counts for g in new.timeline]:
        changed.add(("years", "counts"))
    return changed
