"""Rendered bodies whose HTML waits in a store on disk until a page shows it.

A cold build renders every body before it renders any page: at 10,000 briefs their HTML
was 108 million characters, most of them held two bytes a character (one dash or curly
quote makes a whole Python string wide), about 300 MB of the build's 624 MB. A
``SpilledRendered`` keeps in memory what the graph reads (mentions, citations,
statements, links, ids, problems) and reads its HTML from the build's scratch store
(store.py) each time a template asks for it, which is once or twice per page that shows
the body.

It is a ``Rendered`` in every other way: equal to the plain one with the same HTML and
findings, and pickled as that plain one (to a saved state, say), so nothing downstream
knows where the HTML was.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

from ..model import Body
from ..store import BlobStore, digest
from .document import Link, Rendered

T = TypeVar("T")

_FIELDS = tuple(f.name for f in fields(Rendered))
_SPILLED = ("html", "links", "ids")
"""What waits in the store: the HTML, and what only the link checker and a brief's key
judgments read (its 320,000 element ids were 35 MB at 10,000 briefs)."""
_KEPT = tuple(name for name in _FIELDS if name not in _SPILLED)


class SpilledRendered(Rendered):
    """A rendered body whose HTML, links and ids are in ``store`` under ``key``."""

    __slots__ = ("_key", "_store")
    _key: str
    _store: BlobStore

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # Called with every field, as ``dataclasses.replace`` calls the class of what it
        # copies: the plain body, its HTML in memory again.
        return Rendered(*args, **kwargs)

    @classmethod
    def of(cls, found: Rendered, store: BlobStore, key: str) -> SpilledRendered:
        """``found``'s findings but those spilled, which are in ``store`` under ``key``."""
        self = object.__new__(cls)
        for name in _KEPT:
            object.__setattr__(self, name, getattr(found, name))
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_store", store)
        return self

    def _spilled(self) -> tuple[str, tuple[Link, ...], frozenset[str]]:
        found: tuple[str, tuple[Link, ...], frozenset[str]]
        found = pickle.loads(self._store.get(self._key))
        return found

    @property
    def html(self) -> str:
        """Read from the store each time: pages ask for it once or twice."""
        return self._spilled()[0]

    @property
    def links(self) -> tuple[Link, ...]:
        return self._spilled()[1]

    @property
    def ids(self) -> frozenset[str]:
        return self._spilled()[2]

    @property
    def spilled_key(self) -> str:
        return self._key

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rendered):
            return NotImplemented
        if isinstance(other, SpilledRendered) and other._key == self._key:
            # The same digest is the same HTML, links and ids: only the rest is compared.
            return all(getattr(self, name) == getattr(other, name) for name in _KEPT)
        return self._values() == tuple(getattr(other, name) for name in _FIELDS)

    def __hash__(self) -> int:
        return hash(self._values())  # as the dataclass hashes a plain Rendered


def spill(rendered: Rendered, store: BlobStore) -> SpilledRendered:
    """``rendered`` with its HTML, links and ids written to ``store`` (committed, for
    other processes)."""
    (made,) = spill_all([rendered], store)
    return made


def spill_all(bodies: Sequence[Rendered], store: BlobStore) -> list[SpilledRendered]:
    """Each of ``bodies`` spilled to ``store``, in one transaction (a commit for each body
    cost 60 µs)."""
    return _spill_each(
        bodies,
        store,
        lambda r: isinstance(r, SpilledRendered) and r._store is store,
        lambda r: pickle.dumps(
            tuple(getattr(r, name) for name in _SPILLED), protocol=pickle.HIGHEST_PROTOCOL
        ),
        SpilledRendered.of,
    )


def _spill_each(
    items: Sequence[T],
    store: BlobStore,
    done: Callable[[T], bool],
    data: Callable[[T], bytes],
    made: Callable[[T, BlobStore, str], Any],
) -> list[Any]:
    """Each item written to ``store`` as ``data`` gives it, under its digest, and made into
    its stand-in by ``made``; those ``done`` already stay as they are. One transaction."""
    blobs: dict[str, bytes] = {}
    found: list[Any] = []
    for item in items:
        if done(item):
            found.append(item)
            continue
        written = data(item)
        key = digest(written)
        blobs[key] = written
        found.append(made(item, store, key))
    if blobs:
        store.put((key, written, "") for key, written in blobs.items())
    return found


def findings(rendered: SpilledRendered) -> tuple[str, Rendered]:
    """The key and the findings kept as a plain ``Rendered`` (empty where spilled): what a
    worker sends its parent, which makes the body again with ``SpilledRendered.of``."""
    return rendered.spilled_key, _kept(rendered)


def _kept(rendered: Rendered) -> Rendered:
    """A plain ``Rendered`` with ``rendered``'s findings but those spilled, left empty."""
    values = {name: getattr(rendered, name) for name in _KEPT}
    return Rendered(html="", links=(), ids=frozenset(), **values)


def with_findings(body: Rendered, **changes: Any) -> Rendered:
    """``body`` with some of its findings changed (as ``dataclasses.replace``): a spilled
    body is spilled again when what changed is in the store."""
    if isinstance(body, SpilledRendered):
        if set(changes) & set(_SPILLED):
            return spill(replace(body, **changes), body._store)  # a plain body, then spilled
        return SpilledRendered.of(replace(_kept(body), **changes), body._store, body._key)
    return replace(body, **changes)


class SpilledBody(Body):
    """An entry's Markdown in ``store``, under the digest of its text (``text_digest``):
    at 10,000 briefs the texts were 54 MB that only the Markdown stage reads."""

    __slots__ = ("_key", "_store")
    _key: str
    _store: BlobStore

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # As for SpilledRendered: ``dataclasses.replace`` gets the plain body.
        return Body(*args, **kwargs)

    @classmethod
    def of(cls, body: Body, store: BlobStore, key: str) -> SpilledBody:
        self = object.__new__(cls)
        object.__setattr__(self, "path", body.path)
        object.__setattr__(self, "first_line", body.first_line)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_store", store)
        return self

    @property
    def text(self) -> str:
        return self._store.get(self._key).decode()

    @property
    def text_digest(self) -> str:
        return self._key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Body):
            return NotImplemented
        mine = (self.path, self.first_line)
        if isinstance(other, SpilledBody):
            return mine == (other.path, other.first_line) and self._key == other._key
        return mine == (other.path, other.first_line) and self.text == other.text

    def __hash__(self) -> int:
        return hash((self.text, self.path, self.first_line))  # as the dataclass hashes Body


def spill_texts(bodies: Sequence[Body], store: BlobStore) -> list[Body]:
    """Each of ``bodies`` with its text written to ``store``, in one transaction."""
    return _spill_each(
        bodies,
        store,
        lambda body: isinstance(body, SpilledBody),
        lambda body: body.text.encode(),
        SpilledBody.of,
    )


def text_digest(body: Body) -> str:
    """The digest of a body's text (kept with a spilled body: its text is not read)."""
    if isinstance(body, SpilledBody):
        return body.text_digest
    return digest(body.text.encode())


def in_memory(body: Body) -> Body:
    """The body with its text in memory, read once (rendering reads it several times)."""
    if isinstance(body, SpilledBody):
        return Body(body.text, body.path, body.first_line)
    return body
