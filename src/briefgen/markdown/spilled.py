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

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from ..store import BlobStore, digest
from .document import Rendered

_FIELDS = tuple(f.name for f in fields(Rendered))


class SpilledRendered(Rendered):
    """A rendered body whose HTML is in ``store`` under ``key`` (its digest)."""

    __slots__ = ("_key", "_store")
    _key: str
    _store: BlobStore

    @classmethod
    def of(cls, found: Rendered, store: BlobStore, key: str) -> SpilledRendered:
        """``found``'s findings, with the HTML stored under ``key``."""
        self = object.__new__(cls)
        for name in _FIELDS:
            if name != "html":
                object.__setattr__(self, name, getattr(found, name))
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_store", store)
        return self

    @property
    def html(self) -> str:
        """Read from the store each time: pages ask for it once or twice."""
        return self._store.get(self._key).decode()

    @property
    def html_key(self) -> str:
        return self._key

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rendered):
            return NotImplemented
        if isinstance(other, SpilledRendered) and other._key == self._key:
            # The same digest is the same HTML: only the findings are compared.
            return all(getattr(self, n) == getattr(other, n) for n in _FIELDS if n != "html")
        return self._values() == tuple(getattr(other, name) for name in _FIELDS)

    def __hash__(self) -> int:
        return hash(self._values())  # as the dataclass hashes a plain Rendered


def spill(rendered: Rendered, store: BlobStore) -> SpilledRendered:
    """``rendered`` with its HTML written to ``store`` (committed, for other processes)."""
    (made,) = spill_all([rendered], store)
    return made


def spill_all(bodies: Sequence[Rendered], store: BlobStore) -> list[SpilledRendered]:
    """Each of ``bodies`` with its HTML written to ``store``, in one transaction (a commit
    for each body cost 60 µs)."""
    blobs = {}
    made = []
    for rendered in bodies:
        if isinstance(rendered, SpilledRendered) and rendered._store is store:
            made.append(rendered)
            continue
        data = rendered.html.encode()
        key = digest(data)
        blobs[key] = data
        made.append(SpilledRendered.of(rendered, store, key))
    if blobs:
        store.put((key, data, "") for key, data in blobs.items())
    return made


def findings(rendered: SpilledRendered) -> tuple[str, Rendered]:
    """The HTML's key and the findings as a plain ``Rendered`` with no HTML: what a worker
    sends its parent, which makes the body again with ``SpilledRendered.of``."""
    return rendered.html_key, replace_html(rendered, "")


def replace_html(rendered: Rendered, html: str) -> Rendered:
    """A plain ``Rendered`` with ``rendered``'s findings and ``html``."""
    values = {name: getattr(rendered, name) for name in _FIELDS if name != "html"}
    return Rendered(html=html, **values)


def with_findings(body: Rendered, **changes: Any) -> Rendered:
    """``body`` with some of its findings changed (as ``dataclasses.replace``), its HTML
    left where it is."""
    if isinstance(body, SpilledRendered):
        changed = replace(replace_html(body, ""), **changes)
        return SpilledRendered.of(changed, body._store, body._key)
    return replace(body, **changes)
