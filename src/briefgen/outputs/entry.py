"""What the output modules share: the shape of a plan entry and the site handle they read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..paths import Url
from ..site import Site
from ..track import Key


class Handle(Protocol):
    """The site an output reads when it is made (render.py's ``SiteHandle``).

    ``current`` records every read as a dependency key (track.py); ``raw`` records
    nothing, for values whose keys the plan entry declares itself.
    """

    current: Site
    raw: Site


Producer = Callable[..., str]
"""Makes a file's text in Python: called with the handle and the entry's variables."""

Variables = dict[str, Any] | Callable[[], dict[str, Any]]

Entry = tuple[str | Producer, Url, Variables, frozenset[Key]]
"""A page-plan entry: template name or producer, URL, variables, declared keys."""
