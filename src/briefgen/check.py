"""Check a built site's internal links: every target file exists, every #fragment names an id.

Reads the HTML with a real parser (selectolax), never with regular expressions.
Works on any folder of HTML, so it checks the output, not what we think we wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

# Elements and attributes that point at other resources.
_LINK_ATTRS = (
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("video", "poster"),
)
_SRCSET_TAGS = ("img", "source")


@dataclass(frozen=True, slots=True, order=True)
class BrokenLink:
    """A link whose target does not exist."""

    page: str
    """The page holding the link, relative to the site folder."""
    target: str
    """The link as written."""
    reason: str
    """Why it is broken."""

    def format(self) -> str:
        return f"{self.page}: broken link to {self.target} ({self.reason})"


@dataclass(frozen=True, slots=True)
class _Page:
    ids: frozenset[str]
    links: tuple[str, ...]


def _parse(file: Path) -> _Page:
    tree = LexborHTMLParser(file.read_bytes())
    ids = {str(node.attributes["id"]) for node in tree.css("[id]") if node.attributes.get("id")}
    ids |= {
        str(node.attributes["name"]) for node in tree.css("a[name]") if node.attributes.get("name")
    }
    links: list[str] = []
    for tag, attr in _LINK_ATTRS:
        for node in tree.css(f"{tag}[{attr}]"):
            value = node.attributes.get(attr)
            if value is not None:
                links.append(value.strip())
    for tag in _SRCSET_TAGS:
        for node in tree.css(f"{tag}[srcset]"):
            for candidate in (node.attributes.get("srcset") or "").split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    links.append(url)
    return _Page(frozenset(ids), tuple(links))


def _is_external(href: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.scheme) or href.startswith("//")


def _page_url(rel: str, base_path: str) -> str:
    """The URL a page is served at: ``briefs/x/index.html`` -> ``/base/briefs/x/``."""
    url = base_path + rel
    return (
        url[: -len("index.html")]
        if url.endswith("/index.html") or url == base_path + "index.html"
        else url
    )


class SiteChecker:
    """Checks the internal links of the site in ``root``, served under ``base_path``."""

    def __init__(self, root: Path, base_path: str = "/") -> None:
        self.root = root.resolve()
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        self._pages: dict[Path, _Page] = {}

    def page(self, file: Path) -> _Page:
        if file not in self._pages:
            self._pages[file] = _parse(file)
        return self._pages[file]

    def html_files(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def target_file(self, path: str) -> Path | None:
        """The file a URL path is served from, or None when it leaves the site."""
        if not path.startswith(self.base_path):
            return None
        rel = unquote(path[len(self.base_path) :])
        target = (self.root / rel).resolve()
        if target != self.root and self.root not in target.parents:
            return None
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        return target

    def check_page(self, file: Path) -> Iterator[BrokenLink]:
        rel = file.relative_to(self.root).as_posix()
        here = _page_url(rel, self.base_path)
        for href in self.page(file).links:
            if not href or _is_external(href):
                continue
            absolute = urljoin(here, href)
            parts = urlsplit(absolute)
            target = self.target_file(parts.path)
            if target is None:
                yield BrokenLink(rel, href, "outside the site")
                continue
            if not target.is_file():
                yield BrokenLink(rel, href, "no such file")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in self.page(target).ids:
                yield BrokenLink(rel, href, f"no element with id '{fragment}'")

    def check(self) -> list[BrokenLink]:
        """Every broken internal link of the site, sorted by page."""
        broken: list[BrokenLink] = []
        for file in self.html_files():
            broken.extend(self.check_page(file))
        return sorted(broken)
