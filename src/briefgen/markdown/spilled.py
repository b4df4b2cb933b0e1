"""Rendered bodies whose HTML waits in a store on disk until a page shows it.

A cold build renders every body before it renders any page: at 10,000 briefs their HTML
was 108 million characters, most of them held two bytes a character (one dash or curly
quote makes a whole Python string wide), about 300 MB of the build's 624 MB. A
``SpilledRendered`` keeps in memory what the graph reads (mentions, citations,
statements, links, ids, problems) and reads its HTML from the build's scratch store
(store.py) each time a template asks for it, which is once or twice per page that shows
the body.

Its mentions and citations (at 10,000 briefs 500,000 objects, each with a ``Location``:
about 110 MB, and five times that at 50,000) are kept packed, one compressed ``marshal`` string a
body (25 MB at 10,000 briefs, 7.4 MB compressed), and made into objects when read; what
reads only a few values of each (the graph's mentioned actors and reference numbers, a
source page's lines) reads the rows and makes no objects.

It is a ``Rendered`` in every other way: equal to the plain one with the same HTML and
findings, and pickled as that plain one (to a saved state, say), so nothing downstream
knows where the HTML was.
"""

from __future__ import annotations

import marshal
import pickle
import zlib
from collections.abc import Sequence
from dataclasses import fields, replace
from functools import lru_cache
from typing import Any

from ..model import Citation, Mention
from ..store import BlobStore, spill_each
from .document import (
    CitationRow,
    Link,
    MentionRow,
    Rendered,
    _rendered,
    citation_rows,
    citations_of,
    mention_rows,
    mentions_of,
)

_FIELDS = tuple(f.name for f in fields(Rendered))
_SPILLED = ("html", "links", "ids")
"""What waits in the store: the HTML, and what only the link checker and a brief's key
judgments read (its 320,000 element ids were 35 MB at 10,000 briefs)."""
_PACKED = ("mentions", "citations")
"""What is kept packed (``pack``), made into objects when read."""
_KEPT = tuple(name for name in _FIELDS if name not in _SPILLED and name not in _PACKED)


def pack(found: Rendered) -> bytes:
    """``found``'s mentions and citations as one compressed ``marshal`` string
    (``unpacked`` reads it).

    Every mention and citation of a body shares its path, which marshal writes once.
    Compressed, the strings of 10,000 briefs took 7.4 MB instead of 25 MB (zlib at level
    1, 10 µs to decompress a body's; at level 6, 6.7 MB and 9 µs).
    """
    rows = (mention_rows(found.mentions), citation_rows(found.citations))
    return zlib.compress(marshal.dumps(rows), 1)


Rows = tuple[tuple[MentionRow, ...], tuple[CitationRow, ...]]


@lru_cache(maxsize=32)
def unpacked(packed: bytes) -> tuple[tuple[Mention, ...], tuple[Citation, ...]]:
    """The mentions and citations ``pack`` packed. The last bodies read stay made: a page
    reads its body's citations several times, one after the other."""
    rows = _rows(packed)
    return mentions_of(rows[0]), citations_of(rows[1])


@lru_cache(maxsize=32)
def _rows(packed: bytes) -> Rows:
    """The rows ``pack`` packed: what reads a few values of each (the graph's mentioned
    actors and reference numbers, a source page's lines) makes no objects. Making every
    mention and citation of a body took 65 µs, reading its rows 6 µs."""
    rows: Rows = marshal.loads(zlib.decompress(packed))
    return rows


@lru_cache(maxsize=64)
def _citations_of(packed: bytes, source_id: str) -> tuple[Citation, ...]:
    """The citations of one source among those ``pack`` packed. Kept for the next few
    calls: a template reads a reference's citations twice, one call after the other
    (50,000 calls each at 10,000 briefs)."""
    return citations_of([row for row in _rows(packed)[1] if row[0] == source_id])


class SpilledRendered(Rendered):
    """A rendered body whose HTML, links and ids are in ``store`` under ``key``, and whose
    mentions and citations are packed."""

    __slots__ = ("_key", "_packed", "_store")
    _key: str
    _store: BlobStore
    _packed: bytes

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # Called with every field, as ``dataclasses.replace`` calls the class of what it
        # copies: the plain body, its HTML in memory again.
        return Rendered(*args, **kwargs)

    @classmethod
    def of(cls, found: Rendered, store: BlobStore, key: str) -> SpilledRendered:
        """``found``'s findings but those spilled, which are in ``store`` under ``key``."""
        packed = found._packed if isinstance(found, SpilledRendered) else pack(found)
        return cls.packed(found, packed, store, key)

    @classmethod
    def packed(cls, found: Rendered, packed: bytes, store: BlobStore, key: str) -> SpilledRendered:
        """``found``'s statements and diagnostics, the mentions and citations ``packed``,
        the rest in ``store`` under ``key``."""
        self = object.__new__(cls)
        for name in _KEPT:
            object.__setattr__(self, name, getattr(found, name))
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_packed", packed)
        return self

    @property
    def mentions(self) -> tuple[Mention, ...]:
        return unpacked(self._packed)[0]

    @property
    def citations(self) -> tuple[Citation, ...]:
        return unpacked(self._packed)[1]

    @property
    def cited_sources(self) -> tuple[str, ...]:
        return tuple(self.first_numbers())

    @property
    def mentioned(self) -> tuple[str, ...]:
        return tuple(row[0] for row in _rows(self._packed)[0])

    def first_numbers(self) -> dict[str, int]:
        numbers: dict[str, int] = {}
        for row in _rows(self._packed)[1]:
            numbers.setdefault(row[0], row[1])
        return numbers

    def citations_of(self, source_id: str) -> tuple[Citation, ...]:
        return _citations_of(self._packed, source_id)

    def __reduce__(self) -> tuple[Any, ...]:
        # As a plain body pickles (the rows straight from the packed string).
        html, links, ids = self._spilled()
        rows = _rows(self._packed)
        return _rendered, (html, *rows, self.statements, links, ids, self.diagnostics)

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
            # The packed strings of equal findings may differ (marshal writes a string
            # met twice once only when it is the same object), so unequal ones are read.
            same = self._packed == other._packed or _rows(self._packed) == _rows(other._packed)
            return same and all(getattr(self, name) == getattr(other, name) for name in _KEPT)
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
    return spill_each(
        bodies,
        store,
        lambda r: isinstance(r, SpilledRendered) and r._store is store,
        lambda r: pickle.dumps(
            tuple(getattr(r, name) for name in _SPILLED), protocol=pickle.HIGHEST_PROTOCOL
        ),
        SpilledRendered.of,
    )


Findings = tuple[str, bytes, Rendered]
"""What a worker sends its parent of a spilled body: its key, its packed mentions and
citations, and the rest kept as a plain ``Rendered`` (empty where spilled or packed)."""


def findings(rendered: SpilledRendered) -> Findings:
    """What a worker sends its parent, which makes the body again with ``made_again``."""
    values = {name: getattr(rendered, name) for name in _KEPT}
    kept = Rendered(html="", mentions=(), citations=(), links=(), ids=frozenset(), **values)
    return rendered.spilled_key, rendered._packed, kept


def made_again(found: Findings, store: BlobStore) -> SpilledRendered:
    """The spilled body a worker's ``findings`` stand for, its HTML in ``store``."""
    key, packed, kept = found
    return SpilledRendered.packed(kept, packed, store, key)


def with_findings(body: Rendered, **changes: Any) -> Rendered:
    """``body`` with some of its findings changed (as ``dataclasses.replace``): a spilled
    body is spilled again when what changed is in the store."""
    if isinstance(body, SpilledRendered):
        if set(changes) & set(_SPILLED):
            return spill(replace(body, **changes), body._store)  # a plain body, then spilled
        values = {name: getattr(body, name) for name in (*_KEPT, *_PACKED)}
        plain = Rendered(html="", links=(), ids=frozenset(), **{**values, **changes})
        return SpilledRendered.of(plain, body._store, body._key)
    return replace(body, **changes)
