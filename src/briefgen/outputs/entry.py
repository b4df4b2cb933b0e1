"""What the output modules share: the shape of a plan entry, the site handle they read,
the fragments they keep between rebuilds and how they write JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from ..paths import Url
from ..site import Site
from ..track import Key


class Handle(Protocol):
    """The site an output reads when it is made (pages.py's ``SiteHandle``).

    ``current`` records every read as a dependency key (track.py); ``raw`` records
    nothing, for values whose keys the plan entry declares itself.
    """

    current: Site
    raw: Site
    kept: dict[str, Any]
    """What outputs keep from one rebuild to the next (see ``Fragments``)."""


Producer = Callable[..., str]
"""Makes a file's text in Python: called with the handle and the entry's variables."""

Variables = dict[str, Any] | Callable[[], dict[str, Any]]

Entry = tuple[str | Producer, Url, Variables, frozenset[Key]]
"""A page-plan entry: template name or producer, URL, variables, declared keys."""


class Fragments:
    """Text made from parts of the site, kept while those parts are the very same objects.

    The site's nodes are frozen and replaced when they change, so a part that is the
    same object as last time makes the same text: a 10,000-brief export made again
    after one brief changed remakes that brief's share and joins the rest. A fragment
    not asked for in one run is dropped after it (``done``).
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[tuple[object, ...], str]] = {}
        self._next: dict[str, tuple[tuple[object, ...], str]] = {}

    def get(self, key: str, parts: tuple[object, ...], make: Callable[[], str]) -> str:
        kept = self._kept.get(key)
        same = kept is not None and len(kept[0]) == len(parts)
        if kept is not None and same and all(a is b for a, b in zip(kept[0], parts, strict=True)):
            self._next[key] = kept
            return kept[1]
        text = make()
        self._next[key] = (parts, text)
        return text

    def done(self) -> None:
        self._kept, self._next = self._next, {}


def fragments(handle: Handle, name: str) -> Fragments:
    """The fragments one output keeps on the handle."""
    kept = handle.kept.get(name)
    if not isinstance(kept, Fragments):
        kept = handle.kept[name] = Fragments()
    return kept


def compact(value: object) -> str:
    """One JSON value on one line, keys sorted (json's C encoder: no indent)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_lines(lines: Iterable[str]) -> str:
    """A JSON array of values already written by ``compact``, one to a line, so a diff of
    two builds shows the records that changed; '' items (an entry with none) are skipped."""
    body = ",\n".join(line for line in lines if line)
    return f"[\n{body}\n]" if body else "[]"
