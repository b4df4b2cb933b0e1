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
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, TypeVar, overload

from .model import Actor, Brief, Page, Source
from .site import ActorNode, BriefNode, PageNode, Site, SourceNode, TagNode

Key = tuple[str, str]
"""``("brief", "x")``: one entry; ``("brief", "*")``: which entries of a kind there are,
in which order; ``("site", "timeline")``.

Each entry has two keys: ``("brief", "x")`` for what its card shows anywhere (a
brief's title, date, summary, actors, tags...) and ``("brief-page", "x")`` for what
only its own page shows (its body, references and related briefs), so a body edit
re-renders that page alone; likewise ``actor-page`` (which briefs mention the actor,
its statements...), ``source-page`` (who cites it), ``page-page`` and ``tag-page``.
Reading a node through the site records the key of the attribute read (``SPLITS``).

Listing pages are handed their share of the site by the page plan (render.py) and
declare these keys instead of reading all of it: ``("brief-at", "17")``, which
brief is 18th in site order; ``("brief-count", "*")``, how many briefs there are;
``("year", "2017")``, the timeline entries of one year; ``("years", "list")``,
which years have entries; ``("years", "counts")``, each year's numbers of events
and briefs; ``("brief-dates", "*")``, which briefs there are and their ``date`` and
``updated`` (what the sitemap shows of them, so a title edit leaves it alone).
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

    def __init__(
        self,
        data: Mapping[str, V],
        kind: str,
        recorder: Recorder,
        view: Callable[[V, Recorder, str], V] | None = None,
    ) -> None:
        self._data = data
        self._kind = kind
        self._recorder = recorder
        self._view = view

    def __getitem__(self, key: str) -> V:
        self._recorder.add(self._kind, key)
        value = self._data[key]
        return value if self._view is None else self._view(value, self._recorder, key)

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


class _Split:
    """How the nodes of one kind split into what their cards show and what only their page does.

    Pages list an entry by its card (a brief's title and date, an actor's name, a
    source's title, a tag's name) far more often than they show the entry whole, so a
    change to what only the entry's own page shows (a body, who cites a source, which
    briefs mention an actor) must not re-render every page showing its card.
    """

    def __init__(
        self,
        kind: str,
        node: type,
        entry: str | None,
        page_only: Iterable[str],
        entry_type: type | None = None,
    ) -> None:
        self.kind = kind
        self.page_key = f"{kind}-page"
        self.entry = entry
        """The node's field holding the front matter (whose ``body`` is page-only too)."""
        self.page_only = frozenset(page_only)
        names = [f.name for f in dataclasses.fields(node)]
        self.card = tuple(n for n in names if n not in self.page_only and n != entry)
        self.page = tuple(n for n in names if n in self.page_only)
        self.proxy = _proxy_class(self, node)
        self.entry_proxy = _named(_EntryProxy, entry_type) if entry_type else _EntryProxy

    def id_of(self, node: Any) -> str:
        return str(node.slug if self.entry is None else getattr(node, self.entry).id)

    def changes(self, old: Any, new: Any) -> set[Key]:
        """Which of an entry's two keys differ between two versions of its node."""
        entry_id = self.id_of(old if new is None else new)
        card, page = (self.kind, entry_id), (self.page_key, entry_id)
        if old is None or new is None:
            return {card, page}
        changed: set[Key] = set()
        if any(getattr(old, f) != getattr(new, f) for f in self.card):
            changed.add(card)
        if any(getattr(old, f) != getattr(new, f) for f in self.page):
            changed.add(page)
        if self.entry is not None:
            was, now = getattr(old, self.entry), getattr(new, self.entry)
            if was != now:
                fields = [f.name for f in dataclasses.fields(was)]
                if any(getattr(was, f) != getattr(now, f) for f in fields if f not in _PAGE_ONLY):
                    changed.add(card)
                if any(getattr(was, f) != getattr(now, f) for f in fields if f in _PAGE_ONLY):
                    changed.add(page)
        return changed


class _Proxy:
    """A node as templates see it: each attribute read records the key it belongs to."""

    __slots__ = ("_id", "_node", "_recorder")
    _split: _Split

    def __init__(self, node: Any, recorder: Recorder, node_id: str | None = None) -> None:
        self._node = node
        self._recorder = recorder
        # Its key in the site's mapping when it comes from one: a warm build's node waits
        # in the store (state.py) until a template reads it.
        self._id = self._split.id_of(node) if node_id is None else node_id

    def __getattr__(self, name: str) -> Any:  # methods and properties of the node
        self._recorder.add(self._split.kind, self._id)
        self._recorder.add(self._split.page_key, self._id)
        return getattr(self._node, name)

    def __eq__(self, other: object) -> bool:
        self._recorder.add(self._split.kind, self._id)
        self._recorder.add(self._split.page_key, self._id)
        return bool(self._node == (other._node if isinstance(other, _Proxy) else other))

    def __hash__(self) -> int:
        return hash(self._node)


_PAGE_ONLY = frozenset({"body", "key_judgments"})
"""Front-matter fields only the entry's own page shows (a brief's key judgments)."""


class _EntryProxy:
    """A node's front matter (``node.brief``): reading its ``body`` (or a brief's
    ``key_judgments``) records the page key."""

    __slots__ = ("_entry", "_key", "_recorder")

    def __init__(self, entry: Any, recorder: Recorder, key: Key) -> None:
        self._entry = entry
        self._recorder = recorder
        self._key = key

    @property
    def body(self) -> Any:
        self._recorder.add(*self._key)
        return self._entry.body

    @property
    def key_judgments(self) -> Any:
        self._recorder.add(*self._key)
        return self._entry.key_judgments

    def __getattr__(self, name: str) -> Any:
        return getattr(self._entry, name)

    def __eq__(self, other: object) -> bool:
        self._recorder.add(*self._key)
        return bool(self._entry == (other._entry if isinstance(other, _EntryProxy) else other))

    def __hash__(self) -> int:
        return hash(self._entry)


def _proxy_class(split: _Split, node: type) -> type[_Proxy]:
    """A proxy class for one kind of node, with a property for each of its fields."""

    def attribute(name: str) -> property:
        key = split.page_key if name in split.page_only else split.kind
        if name == split.entry:

            def read_entry(self: _Proxy) -> Any:
                self._recorder.add(key, self._id)
                entry = getattr(self._node, name)
                return split.entry_proxy(entry, self._recorder, (split.page_key, self._id))

            return property(read_entry)

        def read(self: _Proxy) -> Any:
            self._recorder.add(key, self._id)
            return getattr(self._node, name)

        return property(read)

    namespace: dict[str, Any] = {"_split": split}
    namespace.update({f.name: attribute(f.name) for f in dataclasses.fields(node)})
    return _named(_Proxy, node, namespace)


P = TypeVar("P")


def _named(base: type[P], real: type, namespace: dict[str, Any] | None = None) -> type[P]:
    """A subclass of a proxy class named as the class it stands for.

    A template's mistake names the class ("'briefgen.model.Brief object' has no
    attribute 'subtitle'"): the writer knows the brief, not the tracking around it.
    """
    proxy = type(real.__name__, (base,), {"__slots__": (), **(namespace or {})})
    proxy.__module__, proxy.__qualname__ = real.__module__, real.__qualname__
    return proxy


SPLITS = {
    split.kind: split
    for split in (
        _Split("brief", BriefNode, "brief", ("body", "references", "related", "judgments"), Brief),
        _Split(
            "actor",
            ActorNode,
            "actor",
            (
                "body",
                "references",
                "members",
                "briefs",
                "statements",
                "co_mentions",
                "timeline",
                "authored",
            ),
            Actor,
        ),
        _Split(
            "source", SourceNode, "source", ("body", "citing", "statements", "references"), Source
        ),
        _Split("page", PageNode, "page", ("body", "references"), Page),
        _Split("tag", TagNode, None, ("briefs",)),
    )
}
"""Each kind's split into card and page; keys ``("brief", id)`` and ``("brief-page", id)``."""


def _view(kind: str) -> Callable[[Any, Recorder, str], Any]:
    proxy = SPLITS[kind].proxy
    return lambda node, recorder, key: proxy(node, recorder, key)


def _cites(node: BriefNode) -> object:
    return tuple((c.source_id, c.number, c.anchor, c.locator) for c in node.body.citations)


def _says(node: BriefNode) -> object:
    return tuple(
        (s.actor_id, s.source_id, s.locator, s.html, s.anchor) for s in node.body.statements
    )


def _ties(node: ActorNode) -> object:
    return len(node.briefs), node.co_mentions


FINER: dict[str, tuple[tuple[str, Callable[[Any], object]], ...]] = {
    "brief": (("brief-cites", _cites), ("brief-says", _says)),
    "actor": (("actor-ties", _ties),),
}
"""Keys finer than a page key, for the open data exports (outputs/data.py), which show a
part of every entry and must not be made again at each body edit: ``("brief-cites", id)``,
a brief's citations (source, number, anchor, locator: not where in the file they are);
``("brief-says", id)``, its statements; ``("actor-ties", id)``, how many briefs mention
the actor and whom it appears with."""


def node_changes(kind: str, old: Any, new: Any) -> set[Key]:
    """Which of an entry's keys (card, page and finer ones) differ between two versions
    of its node."""
    split = SPLITS[kind]
    changed = split.changes(old, new)
    for name, part in FINER.get(kind, ()):
        if old is None or new is None or part(old) != part(new):
            changed.add((name, split.id_of(old if new is None else new)))
    return changed


def tracked_site(site: Site, recorder: Recorder) -> Site:
    """The same site, but every read of it is recorded in ``recorder``."""
    return dataclasses.replace(
        site,
        briefs=TrackedMapping(site.briefs, "brief", recorder, _view("brief")),
        actors=TrackedMapping(site.actors, "actor", recorder, _view("actor")),
        sources=TrackedMapping(site.sources, "source", recorder, _view("source")),
        pages=TrackedMapping(site.pages, "page", recorder, _view("page")),
        tags=TrackedMapping(site.tags, "tag", recorder, _view("tag")),
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


PackedDeps = tuple[list[Key], list[str], bytes, bytes]
"""What every page read, packed: the keys once each, the pages in order, how many keys
each page read, and their places in the list of keys."""


def pack_deps(deps: Mapping[str, frozenset[Key]]) -> PackedDeps:
    """``deps`` as numbers: 13,700 pages each with a set of keys pickled and unpickled in
    0.2 s of a 10,000-brief warm build; their numbers as two byte strings in next to none."""
    every = list(frozenset[Key]().union(*deps.values()))
    place = {key: at for at, key in enumerate(every)}.__getitem__
    counts, flat = array("I"), array("I")
    for keys in deps.values():
        counts.append(len(keys))
        flat.extend(map(place, keys))
    return every, list(deps), counts.tobytes(), flat.tobytes()


class ReadsPacker:
    """Packs what each page read as the pages come in, into a ``PageReads``: a full build
    kept every page's keys as a set of tuples until its end, 60 MB at 10,000 briefs."""

    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._index: dict[Key, int] = {}
        self._pages: list[str] = []
        self._counts = array("I")
        self._flat = array("I")

    def add(self, page: str, keys: Iterable[Key]) -> None:
        index, every, flat = self._index, self._keys, self._flat
        count = 0
        for key in keys:
            at = index.get(key)
            if at is None:
                at = index[key] = len(every)
                every.append(key)
            flat.append(at)
            count += 1
        self._pages.append(page)
        self._counts.append(count)

    def __len__(self) -> int:
        return len(self._pages)

    def reads(self) -> PageReads:
        return PageReads((self._keys, self._pages, self._counts.tobytes(), self._flat.tobytes()))


def unpack_deps(packed: PackedDeps) -> dict[str, frozenset[Key]]:
    """The ``deps`` that ``pack_deps`` packed, in the same order."""
    keys, pages, counts_bytes, flat_bytes = packed
    counts, flat = array("I"), array("I")
    counts.frombytes(counts_bytes)
    flat.frombytes(flat_bytes)
    deps: dict[str, frozenset[Key]] = {}
    at = 0
    for page, count in zip(pages, counts, strict=True):
        deps[page] = frozenset([keys[i] for i in flat[at : at + count]])
        at += count
    return deps


class PageReads(MutableMapping[str, frozenset[Key]]):
    """What every page read, as ``pack_deps`` packed it, unpacked only where asked.

    Unpacking every page's keys took 0.1 s of a 10,000-brief warm build and packing them
    again as much, for an edit that re-renders one page. Here the pages that read a
    changed key are found from the numbers (``dirty``), a page rendered again replaces
    its entry, and ``pack`` copies the numbers of every other page as they are. Keys that
    no page reads any more stay in the list of keys until the next full build.
    """

    def __init__(self, packed: PackedDeps) -> None:
        keys, pages, counts_bytes, flat_bytes = packed
        self._keys = keys
        self._index: dict[Key, int] | None = None
        self._flat = array("I")
        self._flat.frombytes(flat_bytes)
        counts = array("I")
        counts.frombytes(counts_bytes)
        self._pages: dict[str, tuple[int, int] | frozenset[Key]] = {}
        """Each page's run in ``_flat``, or the keys it read when it was rendered since."""
        at = 0
        for page, count in zip(pages, counts, strict=True):
            self._pages[page] = (at, at + count)
            at += count

    def _key_index(self) -> dict[Key, int]:
        if self._index is None:
            self._index = {key: at for at, key in enumerate(self._keys)}
        return self._index

    def __getitem__(self, page: str) -> frozenset[Key]:
        found = self._pages[page]
        if isinstance(found, frozenset):
            return found
        keys = self._keys
        return frozenset([keys[i] for i in self._flat[found[0] : found[1]]])

    def __setitem__(self, page: str, keys: frozenset[Key]) -> None:
        self._pages[page] = keys

    def __delitem__(self, page: str) -> None:
        del self._pages[page]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)

    def dirty(self, pages: Iterable[str], changed: set[Key]) -> list[str]:
        """Those of ``pages`` never rendered, or that read one of the ``changed`` keys."""
        index = self._key_index()
        wanted = {index[key] for key in changed if key in index}
        flat, found = self._flat, []
        for page in pages:
            read = self._pages.get(page)
            if read is None:
                found.append(page)
            elif isinstance(read, frozenset):
                if not read.isdisjoint(changed):
                    found.append(page)
            elif wanted and not wanted.isdisjoint(flat[read[0] : read[1]]):
                found.append(page)
        return found

    def pack(self) -> PackedDeps:
        """As ``pack_deps`` packs the same pages and keys (the keys' numbers may differ)."""
        keys = list(self._keys)
        index = dict(self._key_index())
        counts, flat = array("I"), array("I")
        for read in self._pages.values():
            if isinstance(read, frozenset):
                for key in read:
                    if key not in index:
                        index[key] = len(keys)
                        keys.append(key)
                counts.append(len(read))
                flat.extend(index[key] for key in read)
            else:
                counts.append(read[1] - read[0])
                flat.extend(self._flat[read[0] : read[1]])
        return keys, list(self._pages), counts.tobytes(), flat.tobytes()


def dirty_pages(
    deps: Mapping[str, frozenset[Key]], pages: Iterable[str], changed: set[Key]
) -> list[str]:
    """Those of ``pages`` not in ``deps``, or whose keys there include a ``changed`` one."""
    if isinstance(deps, PageReads):
        return deps.dirty(pages, changed)
    return [page for page in pages if page not in deps or not deps[page].isdisjoint(changed)]


def changed_keys(old: Site, new: Site) -> set[Key]:
    """Every key whose value differs between two builds of a site.

    A kind's ``*`` key changes when an entry of it appears or goes, or when their
    order changes: reading the entries themselves records their own keys.
    """
    changed: set[Key] = set()
    old_maps, new_maps = _mappings(old), _mappings(new)
    for kind in KINDS:
        before, after = old_maps[kind], new_maps[kind]
        for key in before.keys() | after.keys():
            was, now = before.get(key), after.get(key)
            if was == now:
                continue
            changed |= node_changes(kind, was, now)
        if list(before) != list(after):
            changed.add((kind, ALL))
    if old.timeline != new.timeline:
        changed.add(("site", "timeline"))
        changed |= _timeline_keys(old, new)
    if brief_dates(old.briefs) != brief_dates(new.briefs):
        changed.add(("brief-dates", ALL))
    before_ids, after_ids = list(old.briefs), list(new.briefs)
    if len(before_ids) != len(after_ids):
        changed.add(("brief-count", ALL))
    for at in range(max(len(before_ids), len(after_ids))):
        if at >= len(before_ids) or at >= len(after_ids) or before_ids[at] != after_ids[at]:
            changed.add(("brief-at", str(at)))
    return changed


def dated(node: BriefNode | None) -> tuple[object, object] | None:
    """What ``("brief-dates", "*")`` holds of one brief: its date and updated (None: none)."""
    return None if node is None else (node.brief.date, node.brief.updated)


def brief_dates(briefs: Mapping[str, BriefNode]) -> dict[str, tuple[object, object] | None]:
    """Each brief's ``dated``, by id."""
    return {brief_id: dated(node) for brief_id, node in briefs.items()}


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
