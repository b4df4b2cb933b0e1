"""Markdown texts that wait in a build's scratch store until the Markdown stage reads them.

At 10,000 briefs the texts of the entries were 54 MB, and 270 MB at 50,000, that only the
Markdown stage reads, once. A cold build that spills (``build.SPILL_MIN`` files and more)
has its loading workers write each text to the scratch store (store.py) and send back
the entry without it (load.py); a ``SpilledBody`` stands for the text by its digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .model import Body
from .store import BlobStore, digest, spill_each


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
    return spill_each(
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
