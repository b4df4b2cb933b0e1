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
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple, NewType
from urllib.parse import urlsplit

from slugify import slugify as _slugify

from .errors import ContentError, Diagnostic, error
from .pickling import by_fields

Url = NewType("Url", str)
"""A link target as written in HTML: the site's base path, then the page path."""

# An id: lowercase ASCII letters and digits, hyphens between (not leading).
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")

SECTIONS = ("briefs", "actors", "sources", "tags", "timeline")
"""Top-level folders the site generates; free pages may not take these names."""
RESERVED_PAGE_IDS = frozenset(
    {*SECTIONS, "assets", "404", "index", "search", "pagefind", "data", "grades"}
)
"""Also /search/ (the search page) and /pagefind/ (its index), with or without search on,
/data/ (the Open data page and its exports) and /grades/ (the legend of the grades)."""
RESERVED_BRIEF_IDS = frozenset({"page"})
"""Names under /briefs/ the site generates: ``/briefs/page/2/`` is the brief index's page 2."""
RESERVED_ACTOR_IDS = frozenset({"network"})
"""Names under /actors/ the site generates: ``/actors/network/`` is the actor network page."""


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


@by_fields
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

    def tag_page(self, tag_slug: str, number: int) -> Url:
        """Page ``number`` of a tag's briefs: ``/tags/x/`` for the first, ``/tags/x/page/2/``."""
        return (
            self.tag(tag_slug) if number == 1 else self.page("tags", tag_slug, "page", str(number))
        )

    def free_page(self, page_id: str) -> Url:
        return self.page(page_id)

    def briefs_page(self, number: int) -> Url:
        """Page ``number`` of the brief index: ``/briefs/`` for the first, ``/briefs/page/2/``."""
        return self.page("briefs") if number == 1 else self.page("briefs", "page", str(number))

    def timeline_year(self, year: int) -> Url:
        """One year of the timeline: ``/timeline/2017/`` (four digits, as ``<time>`` writes it)."""
        return self.page("timeline", f"{year:04d}")

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
        # The URLs a build makes are clean already; only others go through the normaliser.
        return str(PurePosixPath(rest)) if _UNCLEAN.search(rest) else rest


_UNCLEAN = re.compile(r"//|(^|/)\.\.?(/|$)|^/")
"""What a normalised path never holds: an empty segment, ``.`` or ``..``, a leading slash."""

CONTENT_FOLDERS = ("briefs", "actors", "sources", "pages")
"""The folders under content/, one per kind of entry; each may have subfolders."""

MARKDOWN_SUFFIXES = (".md", ".markdown")
"""File endings read as Markdown, in any case (``x.MD`` is Markdown too)."""

# Editors' temporary files, skipped without a word: backups (``x.md~``), Emacs autosaves
# (``#x.md#``; its locks ``.#x.md`` are dotfiles), Vim swap files (``.x.md.swp``, ``.swo``,
# ``.swx``), ``*.tmp``, and JetBrains' safe-write copies (``x.md___jb_tmp___``).
_LEFTOVER = re.compile(r"(.*~|#.*#|.*\.(swp|swo|swx|tmp)|.*___jb_\w+___)", re.IGNORECASE)


@by_fields
@dataclass(frozen=True, slots=True)
class ContentPath:
    """A file under content/ and what the build makes of it."""

    rel: str
    """Relative to the project, forward slashes: ``content/briefs/2015/roadmap.md``."""
    folder: str
    """The first folder under content/ (``briefs``); '' for a file directly in content/."""
    markdown: bool
    """True when its ending is one of MARKDOWN_SUFFIXES, in any case."""

    @property
    def section(self) -> str | None:
        """The content folder it belongs to, or None when it is in no known one."""
        return self.folder if self.folder in CONTENT_FOLDERS else None

    @property
    def entry_id(self) -> str:
        """Its id: the file name without its ending, whatever folder it is in."""
        name = self.rel.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0] if self.markdown else name


def is_skipped_name(name: str) -> bool:
    """Dotfiles and editors' leftovers, which are never content and never reported."""
    return name.startswith(".") or _LEFTOVER.fullmatch(name) is not None


def content_path(project: Path, file: Path) -> ContentPath | None:
    """What a path under ``project/content`` is; None outside it or when skipped silently.

    The one rule for "which files are content": the cold build, the cache's
    manifest, the incremental rebuild and the preview's watcher all ask here.
    """
    try:
        parts = file.relative_to(project / "content").parts
    except ValueError:
        return None
    if not parts or any(is_skipped_name(part) for part in parts):
        return None
    markdown = parts[-1].lower().endswith(MARKDOWN_SUFFIXES)
    folder = parts[0] if len(parts) > 1 else ""
    return ContentPath("/".join(("content", *parts)), folder, markdown)


class ContentFiles(NamedTuple):
    """The files under content/, and the folders that could not be read to find them."""

    files: list[Path]
    """Every file found that is not skipped, in path order."""
    problems: list[Diagnostic]
    """A folder that cannot be read, a folder link that loops back or cannot be followed."""


def content_files(project: Path, under: Path | None = None) -> ContentFiles:
    """Every file under content/ (or a folder in it) that is not skipped, in path order,
    as paths (see ``content_file_names``)."""
    names, problems = content_file_names(project, under)
    return ContentFiles([Path(name) for name in names], problems)


def content_file_names(
    project: Path, under: Path | None = None
) -> tuple[list[str], list[Diagnostic]]:
    """Every file under content/ (or a folder in it) that is not skipped, in path order.

    Links are followed, to files and to folders alike, so that every way of building
    sees the same files. A project without content/ is an error (ContentError) at
    once. A folder that cannot be read and a folder link that loops back are errors
    too, returned with the files found so that the load reports them together with
    every problem in those files: building on would publish a site with whole
    sections silently missing.
    """
    top = under if under is not None else project / "content"
    if under is None and not top.is_dir():
        what = "is a file, not a folder" if top.exists() else "is missing"
        raise ContentError(
            [
                error(
                    "content/",
                    0,
                    0,
                    f"the content/ folder {what}: there is nothing to build",
                    "put briefs in content/briefs/, or start a project with 'briefgen init'",
                )
            ]
        )
    problems: list[Diagnostic] = []

    def rel(path: str | Path) -> str:
        return Path(path).relative_to(project).as_posix() + "/"

    def unreadable(exc: OSError) -> None:
        problems.append(
            error(
                rel(exc.filename),
                0,
                0,
                f"folder cannot be read: {exc.strerror}",
                "fix its permissions (chmod u+rx), or move it out of content/",
            )
        )

    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(top, onerror=unreadable, followlinks=True):
        info = Path(folder).stat()
        seen.add((info.st_dev, info.st_ino))
        kept = []
        for name in sorted(dirs):
            if is_skipped_name(name):
                continue
            sub = Path(folder) / name
            try:
                sub_info = sub.stat()
            except OSError as exc:
                problems.append(
                    error(
                        rel(sub),
                        0,
                        0,
                        f"folder link cannot be followed: {exc.strerror}",
                        "remove the link or point it at a folder",
                    )
                )
                continue
            if (sub_info.st_dev, sub_info.st_ino) in seen:
                problems.append(
                    error(
                        rel(sub),
                        0,
                        0,
                        "folder link loops back to a folder already read",
                        "remove the link",
                    )
                )
                continue
            kept.append(name)
        dirs[:] = kept
        # The folders on the way are not skipped (see above), so the name decides; joined
        # as strings: pathlib's parsing took 0.6 s for a 10,000-brief project.
        found.extend(folder + os.sep + name for name in files if not is_skipped_name(name))
    # content/ itself or a skipped folder given as ``under``: what content_path says.
    if content_path(project, top / "x.md") is None:
        found = []
    # Sorted part by part, as paths sort: 'a/x' before 'a-b/x'.
    return sorted(found, key=lambda name: name.split(os.sep)), problems  # noqa: PTH206
