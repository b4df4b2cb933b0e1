"""The one place that maps content files to ids, ids to URLs, and URLs to output files.

Three distinct types keep them apart, as Quartz does:

- a content id (``sergei-lavrov``) names an entry and comes from its file name;
- a ``Url`` is what a link points at, already prefixed with the site's sub-path
  (``/briefing/actors/sergei-lavrov/``);
- an output path is where a page is written, relative to the output folder
  (``actors/sergei-lavrov/index.html``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NewType
from urllib.parse import urlsplit

from slugify import slugify as _slugify

Url = NewType("Url", str)
"""A link target as written in HTML: the site's base path, then the page path."""

# An id: lowercase ASCII letters and digits, hyphens between (not leading).
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")

SECTIONS = ("briefs", "actors", "sources", "tags", "timeline")
"""Top-level folders the site generates; free pages may not take these names."""
RESERVED_PAGE_IDS = frozenset({*SECTIONS, "assets", "404", "index"})


MAX_SEGMENT = 200
"""The longest id or tag slug: each names a folder of the site, and file systems allow
255 bytes in one name; a longer one would fail while the site is written."""


def is_valid_id(text: str) -> bool:
    """True for a well-formed content id."""
    return ID_PATTERN.fullmatch(text) is not None


@functools.lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """A URL-safe id for any text, transliterated: ``Сергей Лавров`` -> ``sergei-lavrov``."""
    return str(_slugify(text))


def base_path_of(base_url: str) -> str:
    """The path part of base_url, always starting and ending with a slash."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


@dataclass(frozen=True, slots=True)
class Urls:
    """Builds every internal URL of a site served under ``base_path``."""

    base_path: str = "/"
    """Where the site lives on its host, e.g. ``/briefing/``; ``/`` at the root."""

    def page(self, *parts: str) -> Url:
        """A clean URL for a page made of path parts: ``page("actors", "x")`` -> ``/actors/x/``."""
        if not parts:
            return Url(self.base_path)
        return Url(self.base_path + "/".join(parts) + "/")

    def file(self, path: str) -> Url:
        """A URL for a file written as it is, e.g. ``assets/style.css`` or ``404.html``."""
        return Url(self.base_path + path.lstrip("/"))

    def brief(self, brief_id: str) -> Url:
        return self.page("briefs", brief_id)

    def actor(self, actor_id: str) -> Url:
        return self.page("actors", actor_id)

    def source(self, source_id: str) -> Url:
        return self.page("sources", source_id)

    def tag(self, tag_slug: str) -> Url:
        return self.page("tags", tag_slug)

    def free_page(self, page_id: str) -> Url:
        return self.page(page_id)

    def site_link(self, href: str) -> str:
        """Put a root-relative link written in Markdown (``/briefs/x/``) under the base path.

        Links that are relative, absolute with a scheme, protocol-relative or
        fragment-only are returned unchanged.
        """
        if href.startswith("/") and not href.startswith("//"):
            return self.base_path + href[1:]
        return href

    def output_path(self, url: str) -> str:
        """Where the page for an internal URL is written, relative to the output folder."""
        if not url.startswith(self.base_path):
            raise ValueError(f"{url!r} is not under the base path {self.base_path!r}")
        rest = url[len(self.base_path) :].split("#", 1)[0]
        if rest == "" or rest.endswith("/"):
            rest += "index.html"
        return str(PurePosixPath(rest))
