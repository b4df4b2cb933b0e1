"""Check a built site's links: every target exists, every #fragment names an element.

Reads the HTML with a real parser (selectolax), never with regular
expressions, so it checks the output, not what we think we wrote. Internal
links must reach a file of the site (clean URLs reach their index.html) and,
with a fragment, an element with that id. Pages no other page links to are
reported as orphans. External links are checked over HTTP on request (see
external.py). Where a link was written in Markdown, or is a source's
``url``, the report also names the content file, line and column to fix.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from .build import graph_of, load_files, sort_diagnostics
from .config import CONFIG_FILE, CheckConfig, Config, load_config
from .errors import BriefgenError, Diagnostic
from .model import Location
from .site import ActorNode, BriefNode, PageNode, Site, SourceNode
from .sourcecheck import source_warnings

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
    ("form", "action"),  # where a form goes: the masthead's search box, say
)
_SRCSET_TAGS = ("img", "source")
_NOT_CHECKED = ("mailto:", "tel:", "data:", "javascript:")
_ENTRY_PAGES = frozenset({"index.html", "404.html"})
"""Pages that are reached without a link: the home page and the not-found page."""


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """A broken link, an orphan page or a redirect."""

    page: str
    """The page holding the link (or the orphan page), relative to the site folder."""
    target: str
    """The link as written ('' for an orphan)."""
    reason: str
    kind: str = "broken"
    """'broken' (an error), 'orphan', 'redirect' or 'unchecked' (warnings)."""
    external: bool = False
    origin: Location | None = None
    """Where the link was written in the content, when it was."""
    other_pages: tuple[str, ...] = ()
    """Further pages with the same external link from the same place, said once."""

    @property
    def is_error(self) -> bool:
        return self.kind == "broken"

    def lines(self) -> list[str]:
        """``page: broken link to TARGET (reason)``, then the content line to fix."""
        page = self.page
        if self.other_pages:
            more = len(self.other_pages)
            page += f" and {more} other page{'s' * (more != 1)}"
        if self.kind == "orphan":
            head = f"{page}: warning: {self.reason}"
        elif self.kind in ("redirect", "unchecked"):
            head = f"{page}: warning: link to {self.target} {self.reason}"
        else:
            head = f"{page}: broken link to {self.target} ({self.reason})"
        if self.origin is None:
            return [head]
        where = self.origin
        severity = "error" if self.is_error else "warning"
        what = "broken link" if self.is_error else "link"
        tail = f"({self.reason})" if self.is_error else self.reason
        return [
            head,
            f"{where.path}:{where.line}:{where.col}: {severity}: {what} to {self.target} {tail}",
        ]

    def as_json(self) -> dict[str, object]:
        origin = self.origin
        return {
            "page": self.page,
            "target": self.target,
            "reason": self.reason,
            "kind": self.kind,
            "external": self.external,
            "other_pages": list(self.other_pages),
            "source": None
            if origin is None
            else {"path": origin.path, "line": origin.line, "col": origin.col},
        }


@dataclass
class Report:
    """Everything a check found."""

    pages: int = 0
    links: int = 0
    """Internal links checked."""
    external: int = 0
    """External URLs checked (skipped ones not counted)."""
    problems: list[Problem] = field(default_factory=list)
    content: list[Diagnostic] = field(default_factory=list)
    """Warnings about the content itself: the source checks (see sourcecheck.py)."""

    @property
    def broken(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def summary(self) -> str:
        broken, warnings = len(self.broken), len(self.warnings) + len(self.content)
        checked = f"checked {self.links} internal links on {self.pages} pages"
        if self.external:
            checked += f" and {self.external} external URLs"
        return f"{checked}: {broken} broken, {warnings} warning{'s' * (warnings != 1)}"

    def lines(self) -> list[str]:
        """Each problem's lines, a content line only once however many pages repeat it."""
        lines = [line for problem in sorted(self.problems) for line in problem.lines()]
        lines += [d.format() for d in self.content]
        return list(dict.fromkeys(lines))

    def text(self) -> str:
        return "\n".join([*self.lines(), self.summary()])

    def json(self) -> str:
        return json.dumps(
            {
                "pages": self.pages,
                "links": self.links,
                "external": self.external,
                "broken": [p.as_json() for p in sorted(self.broken)],
                "warnings": [p.as_json() for p in sorted(self.warnings)],
                "content_warnings": [
                    {
                        "path": d.path,
                        "line": d.line,
                        "col": d.col,
                        "message": d.message,
                        "hint": d.hint,
                    }
                    for d in self.content
                ],
            },
            indent=2,
        )


@dataclass(frozen=True, slots=True)
class Origins:
    """Where the links of each page were written in the content."""

    by_page: dict[str, dict[str, Location]]
    """Output page -> link as it appears in the HTML -> where it was written."""
    by_url: dict[str, Location]
    """External URL -> the source file line that gives it (a source's ``url``)."""
    page_of: dict[str, str] = field(default_factory=dict)
    """Content file -> the output page it is the body of."""

    def find(self, page: str, target: str) -> Location | None:
        return self.by_page.get(page, {}).get(target) or self.by_url.get(target)


def origins_of(site: Site) -> Origins:
    """Map every Markdown link and every source URL back to where it was written."""
    by_page: dict[str, dict[str, Location]] = {}
    nodes: list[BriefNode | ActorNode | SourceNode | PageNode] = [
        *site.briefs.values(),
        *site.actors.values(),
        *site.sources.values(),
        *site.pages.values(),
    ]
    page_of: dict[str, str] = {}
    for node in nodes:
        page = site.urls.output_path(node.url)
        page_of[_body_path(node)] = page
        for link in node.body.links:
            by_page.setdefault(page, {}).setdefault(link.href, link.where)
    by_url = {
        node.source.url: node.source.url_where
        for node in site.sources.values()
        if node.source.url and node.source.url_where is not None
    }
    # A DOI is shown as a link, checked like any URL: a bad one names the doi line.
    by_url.update(
        (node.source.doi_url, node.source.doi_where)
        for node in site.sources.values()
        if node.source.doi and node.source.doi_where is not None
    )
    return Origins(by_page, by_url, page_of)


def _body_path(node: BriefNode | ActorNode | SourceNode | PageNode) -> str:
    """The content file a node's page is made from."""
    if isinstance(node, BriefNode):
        return node.brief.body.path
    if isinstance(node, ActorNode):
        return node.actor.body.path
    if isinstance(node, SourceNode):
        return node.source.body.path
    return node.page.body.path


@dataclass(frozen=True, slots=True)
class _Page:
    ids: frozenset[str]
    links: tuple[str, ...]


# One selector for everything a page defines or points at, so each page is walked once.
_SELECTOR = "[id], a[name], [href], [src], [srcset], video[poster], form[action]"
_LINKING = {(tag, attr) for tag, attr in _LINK_ATTRS}


def _parse(file: Path) -> _Page:
    tree = LexborHTMLParser(file.read_bytes())
    ids: set[str] = set()
    links: list[str] = []
    seen: set[int] = set()
    for node in tree.css(_SELECTOR):
        if node.mem_id in seen:
            continue  # a node matching several parts of the selector comes once per part
        seen.add(node.mem_id)
        attributes = node.attributes
        tag = node.tag
        for attr, value in attributes.items():
            if value is None:
                continue
            if attr == "id" or (attr == "name" and tag == "a"):
                ids.add(value)
            elif attr == "srcset" and tag in _SRCSET_TAGS:
                links.extend(url for c in value.split(",") if (url := c.strip().split(" ")[0]))
            elif (tag, attr) in _LINKING:
                links.append(value.strip())
    return _Page(frozenset(ids), tuple(links))


# A URL scheme: a letter, then letters, digits, "+", "-" or ".", then a colon.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _is_external(href: str) -> bool:
    if href.startswith("//"):
        return True
    if href[0] in "/#.?":
        return False
    return _SCHEME.match(href) is not None


def _page_url(rel: str, base_path: str) -> str:
    """The URL a page is served at: ``briefs/x/index.html`` -> ``/base/briefs/x/``."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return base_path + rel


class SiteChecker:
    """Checks the links of the site in ``root``, served under ``base_path``."""

    def __init__(self, root: Path, base_path: str = "/", site_url: str = "") -> None:
        """``site_url`` is the absolute base_url, if any: links under it are this site's own."""
        self.root = root.resolve()
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        own = urlsplit(site_url)
        self.site_origin = (own.scheme.lower(), own.netloc.lower()) if own.netloc else None
        self.files = {
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
        }
        self.dirs = {str(Path(f).parent.as_posix()) for f in self.files}
        self._pages: dict[str, _Page] = {}
        self._resolved: dict[str, tuple[str | None, str | None]] = {}

    def page(self, rel: str) -> _Page:
        if rel not in self._pages:
            self._pages[rel] = _parse(self.root / rel)
        return self._pages[rel]

    def html_files(self) -> list[str]:
        return sorted(f for f in self.files if f.endswith(".html"))

    def target(self, path: str) -> str | None:
        """The site file a URL path is served from (may not exist); None outside the site."""
        if not path.startswith(self.base_path):
            return None
        rel = unquote(path[len(self.base_path) :])
        parts: list[str] = []
        for part in rel.split("/"):
            if part == "..":
                if not parts:
                    return None
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        joined = "/".join(parts)
        if path.endswith("/") or joined in self.dirs or joined == "":
            joined = f"{joined}/index.html" if joined else "index.html"
        return joined

    def own_path(self, href: str) -> str | None:
        """The path (query and fragment kept) of an absolute URL of one of this site's own
        pages, e.g. its canonical link; None for a link to anywhere else."""
        if self.site_origin is None:
            return None
        parts = urlsplit(self.site_origin[0] + ":" + href if href.startswith("//") else href)
        if (parts.scheme.lower(), parts.netloc.lower()) != self.site_origin:
            return None
        path = parts.path or "/"
        if path + "/" == self.base_path:
            path = self.base_path  # https://host/vienna is the site's home too
        if not path.startswith(self.base_path):
            return None  # another site on the same host
        return urlunsplit(("", "", path, parts.query, parts.fragment))

    def resolve(self, absolute: str) -> tuple[str | None, str | None]:
        """(the file an absolute URL reaches or None, why it is broken or None); cached."""
        known = self._resolved.get(absolute)
        if known is not None:
            return known
        parts = urlsplit(absolute)
        target = self.target(parts.path)
        reason: str | None = None
        if target is None:
            reason = "outside the site"
        elif target not in self.files:
            reason = "no such file"
        else:
            fragment = unquote(parts.fragment)
            if fragment and target.endswith(".html") and fragment not in self.page(target).ids:
                reason = f"no element with id '{fragment}'"
        self._resolved[absolute] = (target, reason)
        return target, reason

    def check(self, origins: Origins | None = None) -> tuple[Report, dict[str, set[str]]]:
        """Check every internal link; the report and, for each external URL, its pages."""
        report = Report()
        linked: set[str] = set()
        external: dict[str, set[str]] = defaultdict(set)
        pages = self.html_files()
        report.pages = len(pages)
        for rel in pages:
            here: str | None = None
            for href in self.page(rel).links:
                if not href or href.startswith(_NOT_CHECKED):
                    continue
                own = self.own_path(href) if _is_external(href) else None
                if _is_external(href) and own is None:
                    external[href if href[:2] != "//" else "https:" + href].add(rel)
                    continue
                report.links += 1
                here = here or _page_url(rel, self.base_path)
                if own is not None:
                    absolute = own  # checked against the built files, never fetched
                elif href.startswith("/"):
                    absolute = href
                elif href.startswith("#"):
                    absolute = here + href
                else:
                    absolute = urljoin(here, href)
                target, reason = self.resolve(absolute)
                if target is not None and target != rel:
                    linked.add(target)
                if reason:
                    origin = origins.find(rel, href) if origins else None
                    report.problems.append(Problem(rel, href, reason, origin=origin))
        for rel in pages:
            if rel not in linked and rel not in _ENTRY_PAGES:
                report.problems.append(
                    Problem(rel, "", "no other page links to this page", kind="orphan")
                )
        return report, external


def add_external(
    report: Report,
    pages_of: dict[str, set[str]],
    results: Iterable[tuple[str, bool, str, str | None]],
    origins: Origins | None,
    unchecked: Iterable[tuple[str, str]] = (),
) -> None:
    """Add what external checking found: (url, ok, reason, where it redirected to).

    ``unchecked`` holds (url, why) for the URLs not checked at all: warnings,
    so that no link goes unchecked without a word.
    """
    for url, reason in unchecked:
        for page in sorted(pages_of.get(url, ())):
            origin = origins.find(page, url) if origins else None
            problem = Problem(page, url, reason, "unchecked", external=True, origin=origin)
            report.problems.append(problem)
    for url, ok, reason, final in results:
        report.external += 1
        for page in sorted(pages_of.get(url, ())):
            origin = origins.find(page, url) if origins else None
            if not ok:
                report.problems.append(Problem(page, url, reason, external=True, origin=origin))
            elif final:
                problem = Problem(
                    page, url, f"redirects to {final}", "redirect", external=True, origin=origin
                )
                report.problems.append(problem)


def check_project(
    project: Path,
    site_dir: Path | None = None,
    *,
    external: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Check a built site; with a briefgen project beside it, name the content lines to fix.

    The content is read (to find where each bad link was written) only when a
    problem was found, so a clean check of a large site stays fast. ``progress``
    receives a line now and then while external links are checked.
    """
    site_dir = site_dir if site_dir is not None else project / "site"
    config = load_config(project) if (project / CONFIG_FILE).is_file() else None
    base_path = config.urls.base_path if config else "/"
    settings = config.check if config else CheckConfig()
    site_url = config.absolute_base if config else ""
    report, pages_of = SiteChecker(site_dir, base_path, site_url).check()
    if external:
        # Imported here: httpx adds 60 ms to every briefgen start, and only --external needs it.
        from .external import ExternalChecker

        cache = project / ".briefgen-cache" / "links.json"
        outside = ExternalChecker(settings, cache, progress=progress)
        results = outside.check(pages_of)
        found = ((r.url, r.ok, r.reason, r.final_url) for r in results.values() if not r.unchecked)
        unchecked = ((r.url, r.reason) for r in results.values() if r.unchecked)
        add_external(report, pages_of, found, None, unchecked)
    origins = None
    if config is not None and any(p.kind != "orphan" for p in report.problems):
        origins = _origins(project, config)
        if origins is not None:
            report.problems = [
                replace(p, origin=origins.find(p.page, p.target)) if p.target else p
                for p in report.problems
            ]
    report.problems = once_per_place(report.problems, origins)
    if config is not None:
        report.content = _source_warnings(project, config)
    return report


def _source_warnings(project: Path, config: Config) -> list[Diagnostic]:
    """The source checks' warnings, as ``build --strict`` would give them."""
    try:
        index, _ = graph_of(load_files(project).values(), config, drafts=False, strict=False)
    except BriefgenError:
        return []  # the content has errors: the build reports them
    return sort_diagnostics(source_warnings(index.site))


def once_per_place(problems: Iterable[Problem], origins: Origins | None = None) -> list[Problem]:
    """One problem for each external link and the place it was written, not one per page.

    A source's dead ``url`` is on the source's page and in the reference list of
    every brief citing it: the writer has one line to fix, so it is said once,
    naming the page made from that file (else the first) and how many others.
    """
    kept: list[Problem] = []
    groups: dict[tuple[str, str, Location | None], list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.external:
            groups[(problem.kind, problem.target, problem.origin)].append(problem)
        else:
            kept.append(problem)
    for (_, _, origin), same in groups.items():
        pages = sorted(p.page for p in same)
        home = origins.page_of.get(origin.path) if origins and origin else None
        first = home if home in pages else pages[0]
        chosen = next(p for p in same if p.page == first)
        others = tuple(page for page in pages if page != first)
        kept.append(replace(chosen, other_pages=others))
    return kept


def _origins(project: Path, config: Config) -> Origins | None:
    try:
        index, _ = graph_of(load_files(project).values(), config, drafts=True, strict=False)
    except BriefgenError:
        return None  # the content has errors of its own: report the HTML's problems alone
    return origins_of(index.site)
