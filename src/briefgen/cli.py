"""The command line: thin click commands that call one core function each.

The only module that imports click. Core exceptions carry their exit code and
format their own diagnostics; this module prints them and exits, never
showing a writer a traceback.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from . import __version__
from .build import build as run_build
from .errors import BriefgenError, Severity


def _report(exc: BriefgenError, *, what: str, untouched: Path | None) -> None:
    for diagnostic in exc.diagnostics:
        click.echo(diagnostic.format(), err=True)
    errors = sum(d.severity is Severity.ERROR for d in exc.diagnostics)
    warnings = len(exc.diagnostics) - errors
    tail = f"; '{untouched}' was left as it was" if untouched else ""
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    click.echo(f"{what} failed: {counts}{tail}", err=True)


@click.group()
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """briefgen: build a static site of analytic briefings from Markdown."""


@main.command()
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default="the current folder",
    help="The project folder (holding briefgen.toml and content/).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="The output folder.  [default: PROJECT/site]",
)
@click.option("--drafts", is_flag=True, help="Include briefs marked draft: true.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--quiet", is_flag=True, help="Print only problems.")
def build(project: Path, out: Path | None, drafts: bool, strict: bool, quiet: bool) -> None:
    """Build the site."""
    target = out if out is not None else project / "site"
    try:
        result = run_build(project, out, drafts=drafts, strict=strict)
    except BriefgenError as exc:
        _report(exc, what="build", untouched=target if target.exists() else None)
        raise SystemExit(exc.exit_code) from None
    for diagnostic in result.diagnostics:
        click.echo(diagnostic.format(), err=True)
    if not quiet:
        shown = result.out
        with contextlib.suppress(ValueError):
            shown = result.out.relative_to(Path.cwd())
        click.echo(f"built {result.pages} pages into {shown}/ in {result.seconds:.2f} s")


@main.command()
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default="the current folder",
    help="The project folder (holding briefgen.toml and content/).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="0 picks a free port.",
)
@click.option("--no-drafts", is_flag=True, help="Leave out briefs marked draft: true.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
def serve(project: Path, host: str, port: int, no_drafts: bool, open_browser: bool) -> None:
    """Preview the site with live reload while you write."""
    from .serve import serve as run_serve

    try:
        run_serve(
            project,
            host=host,
            port=port,
            drafts=not no_drafts,
            open_browser=open_browser,
            echo=lambda line: click.echo(
                line, err=line.startswith(("content/", "templates/", "warning"))
            ),
        )
    except BriefgenError as exc:
        _report(exc, what="serve", untouched=None)
        raise SystemExit(exc.exit_code) from None
