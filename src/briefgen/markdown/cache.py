"""Rendered bodies kept between builds (by the preview and the persistent cache)."""

from __future__ import annotations

from ..model import Body
from ..paths import Url
from .document import Lookup, Rendered
from .renderer import MarkdownRenderer


class RenderCache:
    """Rendered bodies kept between builds, valid while actors, sources and URLs stay the same.

    A body's HTML depends only on its text, its place and the lookup of actor
    names, aliases and source titles; when that lookup changes, everything is
    rendered again, so a cached body can never be stale.
    """

    def __init__(self) -> None:
        self.lookup: Lookup | None = None
        self.renderer: MarkdownRenderer | None = None
        self.bodies: dict[tuple[Body, str], Rendered] = {}

    def renderer_for(self, lookup: Lookup) -> MarkdownRenderer:
        if lookup != self.lookup:
            self.lookup, self.bodies = lookup, {}
            self.renderer = None
        if self.renderer is None:
            self.renderer = MarkdownRenderer(lookup)
        return self.renderer

    def __getstate__(self) -> dict[str, object]:
        # The parser is made again after unpickling; the rendered bodies are what is kept.
        return {"lookup": self.lookup, "renderer": None, "bodies": self.bodies}

    def render(self, body: Body, url: Url) -> Rendered:
        assert self.renderer is not None
        key = (body, url)
        rendered = self.bodies.get(key)
        if rendered is None:
            rendered = self.bodies[key] = self.renderer.render(body, url)
        return rendered

    def keep_only(self, used: set[tuple[Body, str]]) -> None:
        """Forget bodies that are no longer part of the site."""
        self.bodies = {key: value for key, value in self.bodies.items() if key in used}
