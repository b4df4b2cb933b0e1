"""The warm build's saved state, lean: rendered bodies go to the body store, by key.

A warm build goes on from the last build's ``Rebuilder`` (cache.py). Pickled whole, at
10,000 briefs that was 230 MB and 1.46 million objects, and loading and saving it took
5 of the 6.6 s a warm build with one edit took. Most of it was the rendered bodies:
each ``Rendered`` holds the HTML and every mention, citation, statement and link with
its place in the file. Here each body is written to the content-addressed store
(store.py) once, and the state refers to it by key; loading the state gives each body
as a ``StoredRendered``, which reads it from the store the first time something asks
for its HTML or what it found. A one-brief edit reads a few bodies, not 13,000.

The site's other objects that pointed into bodies (a reference list's citations, a
source's "cited by" entries) read them through the body (``site.Reference``,
``site.Citing``), so each citation is saved once, inside its body.
"""

from __future__ import annotations

import copyreg
import pickle
from collections.abc import Callable
from dataclasses import fields
from typing import IO, Any

from .markdown import Rendered
from .store import BlobStore, digest

_FIELDS = tuple(f.name for f in fields(Rendered))


def stored_body(key: str) -> Rendered:
    """What a saved state names for a stored body; ``load`` puts the store behind it."""
    raise pickle.UnpicklingError(f"the stored body {key} is read through state.load")


class StoredRendered(Rendered):
    """A rendered body in the store, read on first use; equal to the ``Rendered`` it holds."""

    __slots__ = ("_key", "_store", "_value")

    def __init__(self, key: str, store: BlobStore) -> None:
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_value", None)

    @property
    def key(self) -> str:
        return str(object.__getattribute__(self, "_key"))

    def value(self) -> Rendered:
        """The body, read from the store the first time."""
        found: Rendered | None = object.__getattribute__(self, "_value")
        if found is None:
            data = object.__getattribute__(self, "_store").get(self.key)
            found = pickle.loads(data)
            assert type(found) is Rendered
            object.__setattr__(self, "_value", found)
        return found

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, StoredRendered) and other.key == self.key:
            return True  # the same key is the same content
        if isinstance(other, Rendered):
            return _values(self) == _values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_values(self))

    def __repr__(self) -> str:
        return repr(self.value())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled anywhere but in a state (to a worker, say): the plain body it holds.
        return Rendered, _values(self)


def _values(body: Rendered) -> tuple[Any, ...]:
    return tuple(getattr(body, name) for name in _FIELDS)


def _read(name: str) -> property:
    return property(lambda self: getattr(self.value(), name))


# Each field of the body is read through the stored value (the slots Rendered declares
# for them stay empty in a StoredRendered).
for _name in _FIELDS:
    setattr(StoredRendered, _name, _read(_name))


def save(state: object, file: IO[bytes], store: BlobStore) -> set[str]:
    """Pickle ``state`` into ``file``, its bodies into ``store``; the keys the state uses.

    The bodies are in the store when this returns; the caller puts the state file in
    place, then may drop every other blob (``BlobStore.keep_only``).
    """
    new: dict[str, bytes] = {}
    used: set[str] = set()

    def reduce(body: Rendered) -> tuple[Callable[[str], Rendered], tuple[str]]:
        if isinstance(body, StoredRendered):
            key = body.key
        else:
            data = pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)
            key = digest(data)
            new[key] = data
        used.add(key)
        return stored_body, (key,)

    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[Rendered] = reduce
    table[StoredRendered] = reduce
    pickler.dispatch_table = table
    pickler.dump(state)
    store.put(sorted(new.items()))
    return used


def load(file: IO[bytes], store: BlobStore) -> object | None:
    """Unpickle a state saved by ``save``; None when the store lacks a body it names."""
    used: set[str] = set()

    def body(key: str) -> Rendered:
        used.add(key)
        return StoredRendered(key, store)

    class Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == (__name__, "stored_body"):
                return body
            return super().find_class(module, name)

    state: object = Unpickler(file).load()
    if used - store.keys():
        return None
    return state
