"""Rendered bodies kept between builds (by the preview and the persistent cache)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..model import Body
from ..paths import Url
from ..store import BlobStore
from ..texts import text_digest
from .document import Lookup, Rendered
from .renderer import MarkdownRenderer
from .spilled import spill


def body_key(body: Body, url: str) -> str:
    """What a rendered body is kept by: a digest of its place, its URL and its text's
    digest (the key of a spilled body's text, so it is not read). (The text itself as the
    key made the warm build's saved state 56 MB of its 87 MB at 10,000 briefs.) A file's
    path holds no NUL, so the parts cannot run together."""
    parts = f"{body.path}\0{body.first_line}\0{url}\0{text_digest(body)}"
    return hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()


class RenderCache:
    """Rendered bodies kept between builds, valid while actors, sources and URLs stay the same.

    A body's HTML depends only on its text, its place and the lookup of actor
    names, aliases and source titles; when that lookup changes, everything is
    rendered again, so a cached body can never be stale.
    """

    def __init__(self) -> None:
        self.lookup: Lookup | None = None
        self.renderer: MarkdownRenderer | None = None
        self.bodies: dict[str, Rendered] = {}
        """Each rendered body by ``body_key``."""
        self.spill: BlobStore | None = None
        """Where the HTML of bodies rendered from now on goes (a scratch store: see
        spilled.py), or None to keep it in memory."""
        self.scratch_folder: Path | None = None
        """Where a scratch store is made: the build cache's folder for a build that keeps
        one (on the project's disk, where the system's temporary folder may be memory),
        else None, the system's temporary folder."""

    def spill_to_scratch(self) -> BlobStore:
        """Spill every body rendered from now on to a scratch store of its own."""
        if self.spill is None:
            self.spill = BlobStore.scratch_store(self.scratch_folder)
        return self.spill

    def renderer_for(self, lookup: Lookup) -> MarkdownRenderer:
        if lookup != self.lookup:
            self.lookup, self.bodies = lookup, {}
            self.renderer = None
        if self.renderer is None:
            self.renderer = MarkdownRenderer(lookup)
        return self.renderer

    def __getstate__(self) -> dict[str, object]:
        # The parser is made again after unpickling; the rendered bodies are what is kept.
        # A saved state holds each body's HTML (state.py), not the scratch store's.
        return {
            "lookup": self.lookup,
            "renderer": None,
            "bodies": self.bodies,
            "spill": None,
            "scratch_folder": None,
        }

    def render(self, body: Body, url: Url) -> Rendered:
        assert self.renderer is not None
        key = body_key(body, url)
        rendered = self.bodies.get(key)
        if rendered is None:
            rendered = self.renderer.render(body, url)
            if self.spill is not None:
                rendered = spill(rendered, self.spill)
            self.bodies[key] = rendered
        return rendered

    def keep_only(self, used: set[str]) -> None:
        """Forget bodies that are no longer part of the site."""
        self.bodies = {key: value for key, value in self.bodies.items() if key in used}
