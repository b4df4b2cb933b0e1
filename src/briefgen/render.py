"""Turn the site graph into pages: ``(output path, HTML)`` pairs. Writes nothing.

The only module that imports jinja2. Templates come from the project's
templates/ folder first and the built-in theme second, so a project overrides
the theme file by file. Markup templates (``.html``) autoescape: every
front-matter string is escaped; only rendered Markdown is marked safe.
Plain-text outputs (``_redirects.txt``) are not escaped.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from markupsafe import Markup

from . import grades, roles
from .config import Config
from .csl import Citations, load_style
from .errors import ConfigError, Diagnostic, error, unreadable
from .model import PartialDate
from .outputs import absolute_outputs, feeds, structured
from .pages import Plan, SiteHandle, page_plan
from .site import Site
from .track import Key, Recorder, tracked_site

THEME = Path(__file__).parent / "theme"
"""The built-in theme: templates/ for Jinja, static/ for files copied to /assets/."""


class TemplateError(ConfigError):
    """A template could not be loaded or failed while rendering: exit code 2."""


def template_dirs(project: Path) -> list[Path]:
    """Where templates are looked up, the project's own first."""
    return [project / "templates", THEME / "templates"]


_MARKUP = (".html", ".htm", ".xml", ".svg")
"""Templates of markup, whose values are escaped; others (``_redirects.txt``) are plain text."""


def _escapes(name: str | None) -> bool:
    """Autoescape markup templates (and strings), never plain-text ones.

    Escaping ``&`` as ``&amp;`` in a plain-text file such as ``_redirects``
    changes what it says, so a template is escaped only when its name says markup.
    """
    return name is None or name.endswith(_MARKUP)


def url_path(path: str) -> str:
    """A path written as a browser sends it, as Netlify's ``_redirects`` wants it.

    Netlify matches a rule against the path as requested, and asks for special
    characters to be %-encoded: browsers encode spaces and letters beyond ASCII
    (``/briefs/caf%C3%A9/``) but send RFC 3986's sub-delimiters such as ``&`` and
    ``'`` as they are, so those stay. A path written already encoded is not
    encoded twice.
    """
    return quote(unquote(path), safe="/:@!$&'()*+,;=")


class _Loader(jinja2.FileSystemLoader):
    """Jinja's file loader, with a template that cannot be read reported by its path."""

    def __init__(self, project: Path) -> None:
        super().__init__([str(p) for p in template_dirs(project)])
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise  # an OSError too, but a name to fix, not a file to make readable
        except OSError as exc:
            mine = (self.project / "templates" / template).is_file()
            shown = ("templates/" if mine else "briefgen/theme/templates/") + template
            raise TemplateError([unreadable(shown, exc, "template")]) from None


_LEXING: dict[str, Any] = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}
"""Settings that shape what a template compiles to."""


def _bytecode_cache(folder: Path) -> jinja2.FileSystemBytecodeCache:
    """Jinja's own cache of compiled templates in ``folder``. Jinja checks each against
    the template's text; its version and the settings above name the files, so no other
    Jinja, and no other settings, read them."""
    folder.mkdir(parents=True, exist_ok=True)
    shaping = hashlib.blake2b(f"{jinja2.__version__} {sorted(_LEXING.items())}".encode())
    return jinja2.FileSystemBytecodeCache(str(folder), f"{shaping.hexdigest()[:16]}-%s.cache")


def make_environment(
    project: Path,
    config: Config,
    site: Site | SiteHandle,
    assets: Mapping[str, str],
    fragments: Fragments | None = None,
    citations: Citations | None = None,
    template_cache: Path | None = None,
) -> jinja2.Environment:
    """A Jinja environment for one site, with its globals and filters.

    ``template_cache``: a folder where Jinja keeps templates compiled, by their text (a
    warm build at 10,000 briefs spent 0.15 s of its 2.5 s compiling three templates).
    """
    env = jinja2.Environment(
        loader=_Loader(project),
        autoescape=_escapes,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_bytecode_cache(template_cache) if template_cache else None,
        **_LEXING,
    )
    urls = site.urls

    def absolute(url: str) -> str:
        return config.origin + url

    env.globals.update(
        site=site,
        config=config,
        urls=urls,
        asset=lambda name: urls.file(assets.get(name, f"assets/{name}")),
        absolute=absolute,
        feeds_on=config.feeds.enabled and absolute_outputs(config),
        feed_url=feeds.feed_url,
        site_feed=urls.file(feeds.FEED_FILE),
        timestamp=feeds.timestamp,
        # A brief's body goes into several feeds (the site's, its actors', tags', sources'):
        # made absolute and wrapped for XML once for the feeds that come close together.
        feed_html=lru_cache(maxsize=2048)(
            lambda html, page: Markup(feeds.cdata(feeds.absolute_html(html, page)))
        ),
        jsonld_site=lambda: Markup(structured.website(config, absolute, urls.page())),
        jsonld_brief=lambda node, image="": Markup(
            structured.brief(node, site, config, absolute, image)
        ),
        jsonld_actor=lambda node, image="": Markup(structured.actor(node, site, absolute, image)),
        jsonld_source=lambda node: Markup(structured.source(node, absolute)),
        grade=grades.grade,
        grade_label=grades.grade_label,
        scales=grades.SCALES,
        # A source's entry in the site's citation_style; None for the house style.
        csl_citation=(
            (lambda source: Markup(citations.of(source)))
            if citations is not None and citations.style is not None
            else None
        ),
    )
    if fragments is not None:
        macros = partial(env.get_template, "macros.html")

        def fragment(name: str, key: Hashable, *args: Any) -> Markup:
            return fragments.get((name, key), lambda: getattr(macros().module, name)(*args))

        env.globals["fragment"] = fragment
    env.filters["html"] = Markup
    env.filters["excerpt"] = structured.excerpt
    env.filters["urlpath"] = url_path
    env.filters["longdate"] = lambda d: PartialDate.of(d).label if d else ""
    env.globals["role_on"] = roles.role_on
    env.globals["role_period"] = roles.period
    return env


_TEMPLATE_FILES = (".html", ".xml", ".txt")
"""What the theme's templates are named: pages, feeds and sitemaps, robots.txt."""


def _template_diagnostic(exc: BaseException, project: Path) -> Diagnostic:
    """Point at the template file and line that failed."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "template"
        return error(_show(name, project), exc.lineno, 1, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template '{exc.name}' not found"
        hint = f"create templates/{exc.name}, or fix the name"
    else:
        message, hint = f"template error: {type(exc).__name__}: {exc}", None
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(_TEMPLATE_FILES):
            return error(_show(frame.filename, project), frame.lineno or 0, 1, message, hint)
    return error("templates", 0, 0, message, hint)


def _raised_in_template(exc: BaseException) -> bool:
    """True when the innermost frame of the traceback is a template's."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and frames[-1].filename.endswith(_TEMPLATE_FILES)


def _show(filename: str, project: Path) -> str:
    """A template's path as a writer would recognise it."""
    path = Path(filename)
    for base, label in ((project, ""), (THEME, "briefgen/theme/")):
        try:
            return label + path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return filename


@dataclass(frozen=True, slots=True)
class RenderedPage:
    path: str
    """Output path relative to the output folder."""
    html: str
    deps: frozenset[Key]
    """Everything of the site the page read (see track.py)."""


Piece = tuple[Hashable, Markup, frozenset[Key]]
"""A piece of a page as ``Fragments`` keeps it: its key, its HTML, what it read."""


class Fragments:
    """Pieces of pages rendered once and reused: a brief's card on every list that shows it,
    a timeline entry on its year's page and on every actor page it appears on.

    Templates call ``fragment(name, key, *args)``: the macro ``name`` of macros.html
    called with ``args``, rendered the first time ``(name, key)`` is asked for and
    reused after that, within a build and (in the preview) across rebuilds. ``key``
    must say everything the piece shows that the site does not (a brief's URL and
    a heading level, say). What the piece reads of the site is recorded once, apart,
    and added to every page that shows it, so a page depends on exactly what it did
    when it rendered the piece itself; a rebuild forgets the pieces that read
    something that changed.
    """

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.pieces: dict[Hashable, tuple[Markup, frozenset[Key]]] = {}
        self.readers: dict[Key, set[Hashable]] = {}
        """Which pieces read each key."""
        self.gathering = False
        """Whether to note the pieces made, for ``take_made`` (a worker's, for its parent)."""
        self.indexing = True
        """Whether to note which pieces read each key (``readers``), for ``forget``: not in a
        worker, which renders once (at 10,000 briefs the sets were 19 MB)."""
        self.made: list[Hashable] = []
        """The pieces made since ``take_made`` was last called, while gathering."""

    def get(self, key: Hashable, make: Callable[[], str]) -> Markup:
        """The piece known by ``key``, made by ``make`` if it is not kept yet."""
        found = self.pieces.get(key)
        recorder = self.recorder
        if found is None:
            outer, recorder.keys = recorder.keys, set()
            try:
                html = Markup(make())
            finally:
                inner, recorder.keys = recorder.keys, outer
            found = self.pieces[key] = (html, frozenset(inner))
            if self.indexing:
                for read in inner:
                    self.readers.setdefault(read, set()).add(key)
            if self.gathering:
                self.made.append(key)
        recorder.keys |= found[1]
        return found[0]

    def take_made(self) -> list[Piece]:
        """The pieces made since the last call, with what each read (a worker's, to send to
        the process that forked it)."""
        made, self.made = self.made, []
        return [(key, *self.pieces[key]) for key in made]

    def add(self, pieces: Iterable[Piece]) -> None:
        """Keep pieces made elsewhere (by a worker) as if made here."""
        for key, html, reads in pieces:
            if key not in self.pieces:
                self.pieces[key] = (html, reads)
                for read in reads:
                    self.readers.setdefault(read, set()).add(key)

    def forget(self, changed: Iterable[Key]) -> None:
        """Drop the pieces that read any of the ``changed`` keys."""
        for read in changed:
            for key in self.readers.pop(read, ()):
                self.pieces.pop(key, None)

    def clear(self) -> None:
        self.pieces.clear()
        self.readers.clear()
        self.made.clear()


class SiteRenderer:
    """Renders the pages of one site, recording what each page reads.

    Pass the renderer of the previous build of the same project as ``reuse``
    to keep its compiled templates and the fragments still valid after the
    ``changed`` keys (the preview does, between rebuilds), and ``replan=False`` to
    keep its page plan too, when ``replans`` says the changes need none.
    """

    def __init__(
        self,
        site: Site,
        config: Config,
        project: Path,
        reuse: SiteRenderer | None = None,
        assets: Mapping[str, str] | None = None,
        *,
        replan: bool = True,
        changed: Iterable[Key] = (),
        template_cache: Path | None = None,
    ) -> None:
        self.site = site
        self.project = project
        self.recorder: Recorder = reuse.recorder if reuse else Recorder()
        tracked = tracked_site(site, self.recorder)
        self.env: jinja2.Environment
        self.handle: SiteHandle
        self.fragments: Fragments
        self.citations: Citations
        if reuse is not None:
            self.env, self.handle = reuse.env, reuse.handle
            self.handle.current, self.handle.raw = tracked, site
            self.fragments = reuse.fragments
            self.fragments.forget(changed)
            self.citations = reuse.citations
        else:
            self.handle = SiteHandle(tracked, site)
            self.fragments = Fragments(self.recorder)
            self.citations = Citations(load_style(project, config))
            self.env = make_environment(
                project,
                config,
                self.handle,
                assets or {},
                self.fragments,
                self.citations,
                template_cache,
            )
        if reuse is not None and not replan:
            self.pages: dict[str, Plan] = reuse.pages
            return
        self.pages = {
            site.urls.output_path(url): (name, url, variables, own)
            for name, url, variables, own in page_plan(
                site, self.handle, config, own_robots=(project / "static" / "robots.txt").is_file()
            )
        }

    def compile_templates(self) -> None:
        """Compile every template the pages use, so forked workers inherit them compiled."""
        for name in {name for name, _, _, _ in self.pages.values() if isinstance(name, str)}:
            self.env.get_template(name)

    def render(self, output: str) -> RenderedPage:
        """Render the page written at ``output``."""
        name, url, planned, own = self.pages[output]
        self.recorder.take()
        try:
            variables = planned() if callable(planned) else planned
            if not isinstance(name, str):
                return RenderedPage(
                    output, name(self.handle, **variables), self.recorder.take() | own
                )
            html = self.env.get_template(name).render(page_url=url, **variables)
        except jinja2.TemplateError as exc:
            raise TemplateError([_template_diagnostic(exc, self.project)]) from exc
        except Exception as exc:
            # Raised by an expression in a template ({{ 1 + "a" }}, {{ 1 / 0 }}): the
            # template's fault.
            # Raised inside briefgen's own code: a bug, which must keep its traceback.
            if not _raised_in_template(exc):
                raise
            raise TemplateError([_template_diagnostic(exc, self.project)]) from exc
        return RenderedPage(output, html, self.recorder.take() | own)


def render_error_page(title: str, problems: list[str], trace: str = "") -> str:
    """A self-contained page listing build problems, in the theme's style (for the preview)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(THEME / "templates")), autoescape=True
    )
    css = (THEME / "static" / "style.css").read_text(encoding="utf-8")
    return env.get_template("error.html").render(
        title=title, problems=problems, trace=trace, css=Markup(css)
    )
