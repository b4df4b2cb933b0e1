"""The warm build's saved state, lean: rendered bodies go to the body store, by key.

A warm build goes on from the last build's ``Rebuilder`` (cache.py). Pickled whole, at
10,000 briefs that was 230 MB and 1.46 million objects, and loading and saving it took
5 of the 6.6 s a warm build with one edit took. Most of it was the rendered bodies:
each ``Rendered`` holds the HTML and every mention, citation, statement and link with
its place in the file. Here each body is written to the content-addressed store
(store.py) once, and the state refers to it by key; loading the state gives each body
as a ``StoredRendered``, which reads it from the store the first time something asks
for its HTML or what it found. A one-brief edit reads a few bodies, not 13,000. Each
brief as read goes there too (``StoredBrief``): its front matter's actor and source ids,
each with its place in the file, were another 200,000 objects at 10,000 briefs, which
only a brief's own edit or a whole new graph reads again.

The site's other objects that pointed into bodies (a reference list's citations, a
source's "cited by" entries) read them through the body (``site.Reference``,
``site.Citing``), so each citation is saved once, inside its body.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from typing import IO, Any, ClassVar, TypeVar

from .graph import BriefParts
from .markdown import Rendered
from .markdown.spilled import SpilledRendered
from .model import Brief
from .site import ActorNode, BriefNode, SourceNode, YearGroup
from .store import BlobStore, digest

T = TypeVar("T")


def stored(kind: str, key: str, known: tuple[Any, ...] = ()) -> Any:
    """What a saved state names for a stored object; ``load`` puts the store behind it."""
    raise pickle.UnpicklingError(f"the stored {kind} {key} is read through state.load")


class Stored:
    """An object in the store, read on first use; equal to the object it holds.

    Made for each class by ``_stored_class``, as a subclass of it whose fields read
    through the stored value (the slots the class declares for them stay empty).
    """

    __slots__ = ()
    _real: ClassVar[type]
    """The class whose instance it stands for."""

    @property
    def key(self) -> str:
        return str(object.__getattribute__(self, "_key"))

    def value(self) -> Any:
        """The object, read from the store the first time."""
        found = object.__getattribute__(self, "_value")
        if found is None:
            store = object.__getattribute__(self, "_store")
            found = _loads(io.BytesIO(store.get(self.key)), store, set())
            assert type(found) is self._real
            object.__setattr__(self, "_value", found)
        return found

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, Stored) and other.key == self.key:
            return True  # the same key is the same content
        if isinstance(other, self._real):
            return bool(self.value() == (other.value() if isinstance(other, Stored) else other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value())

    def __repr__(self) -> str:
        return repr(self.value())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled anywhere but in a state (to a worker, say): the plain object it holds.
        return self.value().__reduce__()  # type: ignore[no-any-return]


_KNOWN: dict[type, tuple[str, ...]] = {
    YearGroup: ("year",),
    BriefParts: ("diagnostics", "actors"),
    ActorNode: ("actor", "url", "briefs"),
}
"""Fields kept in the state beside a stored object's key, for what reads them without
wanting the rest: the page plan lists the timeline's years, each of them a 0.7 MB object
at 10,000 briefs; every warm build gathers each brief's problems, and one that changes a
brief's actors or date looks at the actors of the briefs that might now be related; an
actor's chip (its name, kind and role, on every page that shows the actor) reads the
actor as read and its URL, and the list of actors their briefs' count, not each node's
statements and timeline (1,000 actors read back after a title edit at 10,000 briefs)."""


def _stored_class(cls: type[T]) -> type[T]:
    """The subclass of the frozen dataclass ``cls`` whose instances are ``Stored``."""

    def __new__(made: type, *args: Any, **kwargs: Any) -> Any:
        # Called with field values, as ``dataclasses.replace`` calls the class of what it
        # copies: the plain object, as if the stand-in were what it holds.
        return cls(*args, **kwargs)

    def stand_in(made: type, key: str, store: BlobStore, known: tuple[Any, ...] = ()) -> Any:
        self: Any = object.__new__(made)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_value", None)
        object.__setattr__(self, "_known", known)
        return self

    def read(name: str) -> property:
        return property(lambda self: getattr(self.value(), name))

    def read_known(at: int, name: str) -> property:
        # Kept in the state beside the key: read without reading the object.
        return property(lambda self: object.__getattribute__(self, "_known")[at])

    namespace: dict[str, Any] = {
        "__slots__": ("_key", "_store", "_value", "_known"),
        "__new__": __new__,
        "stand_in": classmethod(stand_in),
        "_real": cls,
    }
    namespace |= {f.name: read(f.name) for f in fields(cls)}  # type: ignore[arg-type]
    namespace |= {name: read_known(at, name) for at, name in enumerate(_KNOWN.get(cls, ()))}
    for name in ("__eq__", "__hash__", "__repr__", "__reduce__"):
        namespace[name] = getattr(Stored, name)
    made = type(f"Stored{cls.__name__}", (Stored, cls), namespace)
    made.__module__ = __name__
    return made


StoredRendered = _stored_class(Rendered)
"""A rendered body: HTML, and every mention, citation, statement and link with its place."""
StoredBrief = _stored_class(Brief)
"""A brief as read: the front matter's every id with its place, its events, its text."""
StoredBriefNode = _stored_class(BriefNode)
"""A brief's place in the site: its references, events, related briefs, judgments."""
StoredActorNode = _stored_class(ActorNode)
"""An actor's page's facts: statements, timeline, who appears with them."""
StoredSourceNode = _stored_class(SourceNode)
"""A source's page's facts: where it is cited, what it reports was said."""
StoredYearGroup = _stored_class(YearGroup)
"""A year of the site's timeline: each month's events and briefs (read by its pages)."""
StoredBriefParts = _stored_class(BriefParts)
"""A brief resolved on its own: its actors, sources, events, tags (read by the graph
when the brief, or a node showing it, is derived again)."""
_STORED: dict[type, type] = {
    Rendered: StoredRendered,
    Brief: StoredBrief,
    BriefNode: StoredBriefNode,
    ActorNode: StoredActorNode,
    SourceNode: StoredSourceNode,
    YearGroup: StoredYearGroup,
    BriefParts: StoredBriefParts,
}
_BY_NAME = {real.__name__: made for real, made in _STORED.items()}
_SPILLED: dict[type, type] = {SpilledRendered: Rendered}
"""A build's bodies whose HTML waits in its scratch store (markdown/spilled.py), saved as
the plain bodies they stand for."""
_BATCH = 500
"""New objects written to the store at a time while saving, so they are never all held."""


class Saver:
    """Pickles a state, writing each object of a stored class to the store once, however
    many objects hold it (a brief's body is in its node, its references and the "cited
    by" list of each source it cites).

    A save may begin before the state is whole: ``steps`` writes objects the state will
    hold (a cold build's nodes, while its workers render the pages), and ``save`` with
    this saver then writes only what is left. The store's transaction stays open from the
    first object written to the end of ``save``; ``abandon`` drops it all.
    """

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        self.new: list[tuple[str, bytes, str]] = []
        """Blobs not written yet: ``(key, data, keys it names)``."""
        self.done: dict[int, tuple[object, str]] = {}
        """Each object pickled, by id, with its key (the object held, so the id stays its)."""

    def pickler(self, file: IO[bytes], named: set[str], top: object = None) -> pickle.Pickler:
        """A pickler writing each stored object's key to ``file``, and its key to ``named``;
        ``top``: the stored object this pickler writes to the store, pickled as it is."""

        def reduce(obj: object) -> Any:
            if obj is top:
                return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
            key = self.key(obj)
            named.add(key)
            kind = obj._real if isinstance(obj, Stored) else _SPILLED.get(type(obj), type(obj))
            known = tuple(getattr(obj, name) for name in _KNOWN.get(kind, ()))
            return stored, (kind.__name__, key, known)

        pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
        table = copyreg.dispatch_table.copy()
        for real, made in _STORED.items():
            table[real] = table[made] = reduce
        for spilled in _SPILLED:
            table[spilled] = reduce
        pickler.dispatch_table = table
        return pickler

    def key(self, obj: object) -> str:
        """The key of a stored object, pickled on its own the first time, with the stored
        objects it holds named by key."""
        if isinstance(obj, Stored):
            return obj.key
        found = self.done.get(id(obj))
        if found is not None:
            return found[1]
        held: set[str] = set()
        inner = io.BytesIO()
        self.pickler(inner, held, obj).dump(obj)
        data = inner.getvalue()
        key = digest(data)
        self.done[id(obj)] = (obj, key)
        self.new.append((key, data, " ".join(sorted(held))))
        if len(self.new) >= _BATCH:  # written as it goes: 300 MB at 10,000 briefs
            self.flush()
        return key

    def flush(self, *, commit: bool = False) -> None:
        self.store.put(self.new, commit=commit)
        self.new.clear()

    def steps(self, objects: Iterable[object], per_step: int = 20) -> Iterator[None]:
        """Write ``objects`` (those of a stored class; the others are left to ``save``),
        ``per_step`` of them between yields."""
        for done, obj in enumerate(objects, 1):
            if type(obj) in _STORED:
                self.key(obj)
            if done % per_step == 0:
                yield

    def abandon(self) -> None:
        """Drop every object written since the save began (the build failed)."""
        self.new.clear()
        self.done.clear()
        self.store.rollback()


def save(state: object, file: IO[bytes], store: BlobStore, saver: Saver | None = None) -> set[str]:
    """Pickle ``state`` into ``file``, its stored objects into ``store``; the keys the
    state names (the store keeps what those name in turn: ``BlobStore.keep_only``).
    ``saver``: one that has written some of them already (``Saver.steps``).

    The objects are in the store when this returns; the caller puts the state file in
    place, then may drop every other blob.
    """
    saver = saver or Saver(store)
    used: set[str] = set()
    try:
        saver.pickler(file, used).dump(state)
        saver.flush(commit=True)
    except BaseException:
        store.rollback()  # none of it: a blob without the state naming it is only waste
        raise
    return used


class _Unpickler(pickle.Unpickler):
    """Unpickles what ``Saver`` wrote, each stored object named through ``stand_in``."""

    def __init__(self, file: IO[bytes], stand_in: Callable[..., Any]) -> None:
        super().__init__(file)
        self.stand_in = stand_in

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "stored"):
            return self.stand_in
        return super().find_class(module, name)


def _loads(file: IO[bytes], store: BlobStore, named: set[str]) -> object:
    """Unpickle what ``Saver`` wrote, each stored object as a stand-in that reads it on
    first use; ``named`` gets the keys it names."""

    def stand_in(kind: str, key: str, known: tuple[Any, ...] = ()) -> Any:
        named.add(key)
        made = store.made.get(key)
        if made is None:
            made = store.made[key] = _BY_NAME[kind].stand_in(key, store, known)  # type: ignore[attr-defined]
        return made

    return _Unpickler(file, stand_in).load()


def load(file: IO[bytes], store: BlobStore) -> object | None:
    """Unpickle a state saved by ``save``; None when the store lacks an object it names."""
    used: set[str] = set()
    state = _loads(file, store, used)
    if used - store.keys():
        return None
    return state
