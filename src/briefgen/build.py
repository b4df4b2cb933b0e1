"""The build: config, load, graph, render, write."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from .config import load_config
from .errors import ContentError, Diagnostic, Severity, has_errors
from .graph import build_graph
from .load import load_content
from .model import Content
from .render import THEME, render_site
from .write import check_output_dir, write_site


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a successful build did."""

    out: Path
    """The output folder."""
    pages: int
    """HTML pages written."""
    seconds: float
    """Wall time of the whole build."""
    diagnostics: tuple[Diagnostic, ...]
    """Warnings (a build with errors raises instead)."""


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """File order, then line and column, so a writer can work down the list."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.col, d.message))


def without_drafts(content: Content) -> Content:
    """The content with draft briefs left out."""
    return replace(content, briefs=tuple(b for b in content.briefs if not b.draft))


def build(
    project: Path,
    out: Path | None = None,
    *,
    drafts: bool = False,
    strict: bool = False,
) -> BuildResult:
    """Build a project into ``out`` (default ``project/site``).

    Raises ContentError (exit 1) listing every problem when the content has
    errors, or warnings under ``strict``; ConfigError (exit 2) for a bad
    briefgen.toml, template or output folder. The previous output is then untouched.
    """
    started = time.perf_counter()
    config = load_config(project)
    out = check_output_dir(project, out if out is not None else project / "site")
    content, diagnostics = load_content(project)
    if not drafts:
        content = without_drafts(content)
    site, found = build_graph(content, config.urls)
    diagnostics = sort_diagnostics([*diagnostics, *found])
    warnings = any(d.severity is Severity.WARNING for d in diagnostics)
    if has_errors(diagnostics) or (strict and warnings):
        raise ContentError(diagnostics)
    pages = render_site(site, config, project)
    static = [(THEME / "static", "assets"), (project / "static", "")]
    count = write_site(pages, out, static)
    return BuildResult(out, count, time.perf_counter() - started, tuple(diagnostics))
