"""The command line: thin click commands that call one core function each.

The only module that imports click. Core exceptions carry their exit code and
format their own diagnostics; this module prints them and exits, never
showing a writer a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from . import __version__
from .build import build as run_build
from .cache import cached_build
from .check import Report, check_project
from .config import load_config
from .errors import BriefgenError, Severity
from .outputs import skipped_note
from .parallel import default_jobs
from .scaffold import DEFAULT_TITLE, KINDS, BadInput, init_project, new_entry


class ProgressBar:
    """Pages written so far, drawn on a terminal; never in logs or in CI."""

    MIN_PAGES = 500
    """Builds of fewer pages are over before a bar would help."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None

    @classmethod
    def for_stream(cls, stream: TextIO, *, enabled: bool = True) -> ProgressBar | None:
        in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
        if not enabled or in_ci or not stream.isatty():
            return None
        return cls(stream)

    def __call__(self, done: int, total: int) -> None:
        if total < self.MIN_PAGES:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="writing pages", file=self.stream)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _report(exc: BriefgenError, *, what: str, untouched: Path | None) -> None:
    for diagnostic in exc.diagnostics:
        click.echo(diagnostic.format(), err=True)
    errors = sum(d.severity is Severity.ERROR for d in exc.diagnostics)
    warnings = len(exc.diagnostics) - errors
    tail = f"; '{untouched}' was left as it was" if untouched else ""
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    click.echo(f"{what} failed: {counts}{tail}", err=True)


project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default="the current folder",
    help="The project folder (holding briefgen.toml and content/).",
)


@click.group()
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """briefgen: build a static site of analytic briefings from Markdown."""


@main.command()
@project_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="The output folder.  [default: PROJECT/site]",
)
@click.option("--drafts", is_flag=True, help="Include briefs marked draft: true.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--check", "then_check", is_flag=True, help="Check the built site's links.")
@click.option(
    "--no-cache", is_flag=True, help="Build everything; neither read nor write .briefgen-cache/."
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes for rendering pages.  [default: the cores available]",
)
def build(
    project: Path,
    out: Path | None,
    drafts: bool,
    strict: bool,
    quiet: bool,
    then_check: bool,
    no_cache: bool,
    jobs: int | None,
) -> None:
    """Build the site."""
    target = out if out is not None else project / "site"
    workers = jobs or default_jobs()
    bar = ProgressBar.for_stream(sys.stderr, enabled=not quiet)
    way = run_build if no_cache else cached_build
    try:
        try:
            result = way(project, target, drafts=drafts, strict=strict, jobs=workers, progress=bar)
        finally:
            if bar is not None:
                bar.finish()
            # What the build leaves (the site, held in cycles through Jinja's environment)
            # is never needed again: out of the collector's sight, the process ends without
            # the full collection over it that took 1.5 s of a 10,000-brief build's exit.
            gc.freeze()
    except BriefgenError as exc:
        _report(exc, what="build", untouched=target if target.exists() else None)
        raise SystemExit(exc.exit_code) from None
    for diagnostic in result.diagnostics:
        click.echo(diagnostic.format(), err=True)
    note = skipped_note(load_config(project))
    if note:
        click.echo(note, err=True)
    if not quiet:
        shown = result.out
        with contextlib.suppress(ValueError):
            shown = result.out.relative_to(Path.cwd())
        took = f"in {result.seconds:.2f} s"
        if result.search is not None:
            # Next to the build's time: what indexing for search took of it.
            took += f" (search index of {result.search.pages} pages: {result.search.seconds:.2f} s)"
        if result.output_changes:
            listed = ", ".join(result.output_changes[:3])
            more = len(result.output_changes) - 3
            listed += f" and {more} more" if more > 0 else ""
            click.echo(f"{shown}/ differs from the last build ({listed}), so all of it was rebuilt")
        if result.mode == "unchanged":
            click.echo(f"{shown}/ is up to date ({took})")
        elif result.mode == "updated":
            click.echo(f"updated {result.pages} files in {shown}/ {took}")
        else:
            click.echo(f"built {result.pages} pages into {shown}/ {took}")
    if then_check:
        report = check_project(project, result.out)
        _print_report(report, "text", quiet=quiet)
        if report.broken:
            raise SystemExit(1)


@main.command()
@project_option
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


def _print_report(report: Report, fmt: str, *, quiet: bool = False) -> None:
    if fmt == "json":
        click.echo(report.json())
        return
    for line in report.lines():
        click.echo(line, err=True)
    if not quiet or report.problems:
        click.echo(report.summary())


@main.command()
@click.argument("site_dir", required=False, type=click.Path(path_type=Path))
@project_option
@click.option("--external", is_flag=True, help="Also check links to other sites.")
@click.option(
    "--wikidata",
    "wikidata",
    is_flag=True,
    help="Also compare each actor's name with its Wikidata item's labels (asks Wikidata).",
)
@click.option(
    "--wikidata-endpoint",
    default="https://www.wikidata.org/w/api.php",
    show_default=True,
    help="The Wikidata API that --wikidata asks.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints a machine-readable report.",
)
def check(
    site_dir: Path | None,
    project: Path,
    external: bool,
    wikidata: bool,
    wikidata_endpoint: str,
    fmt: str,
) -> None:
    """Check every link of a built site (default: PROJECT/site)."""
    if wikidata and not wikidata_endpoint.startswith(("http://", "https://")):
        raise click.BadParameter(
            f"'{wikidata_endpoint}' is not a web address; write e.g. "
            "https://www.wikidata.org/w/api.php",
            param_hint="'--wikidata-endpoint'",
        )
    folder = site_dir if site_dir is not None else project / "site"
    if not folder.is_dir():
        raise click.BadParameter(
            f"'{folder}' is not a folder; build the site first", param_hint="SITE_DIR"
        )
    try:
        # Progress lines only for a person at a terminal: not in logs, CI or JSON.
        on_terminal = ProgressBar.for_stream(sys.stderr, enabled=fmt == "text") is not None
        progress = (lambda line: click.echo(line, err=True)) if on_terminal else None
        report = check_project(project, folder, external=external, progress=progress)
    except BriefgenError as exc:
        _report(exc, what="check", untouched=None)
        raise SystemExit(exc.exit_code) from None
    _print_report(report, fmt)
    problems = []
    if wikidata:
        from .wikidata import check_wikidata

        problems = check_wikidata(project, wikidata_endpoint)
        for diagnostic in problems:
            click.echo(diagnostic.format(), err=True)
        click.echo(
            f"wikidata: {len(problems)} problem{'s' * (len(problems) != 1)}",
            err=fmt == "json",
        )
    if report.broken or problems:
        raise SystemExit(1)


def _refused(exc: BriefgenError) -> SystemExit:
    """Print the problems of init or new; the exit to raise."""
    for diagnostic in exc.diagnostics:
        click.echo(diagnostic.format(), err=True)
    return SystemExit(exc.exit_code)


def _bad_parameter(exc: BadInput) -> click.BadParameter:
    return click.BadParameter(exc.message, param_hint=f"'{exc.param}'")


@main.command()
@click.argument(
    "folder", metavar="[DIR]", required=False, default=Path(), type=click.Path(path_type=Path)
)
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="The site's title.")
@click.option(
    "--base-url",
    default="/",
    show_default=True,
    help="Where the site will be published: https://host/path/ or a path such as /briefing/.",
)
@click.option(
    "--force",
    is_flag=True,
    help="In a folder that is not empty, write the starter files that are missing.",
)
def init(folder: Path, title: str, base_url: str, force: bool) -> None:
    """Start a briefing in DIR (default: the current folder).

    Writes briefgen.toml, an example brief with its actors and source, a README for
    the writers, .gitignore, netlify.toml and a GitHub workflow. Never overwrites a file.
    """
    try:
        result = init_project(folder, title=title, base_url=base_url, force=force)
    except BadInput as exc:
        raise _bad_parameter(exc) from None
    except BriefgenError as exc:
        raise _refused(exc) from None
    here = folder == Path()
    where = "the current folder" if here else f"{folder.as_posix()}/"
    click.echo(f"wrote a briefgen {__version__} project into {where}:")
    for name in result.written:
        click.echo(f"  {name}")
    if result.kept:
        click.echo(
            f"kept {', '.join(result.kept)}: already there (briefgen never overwrites a file)"
        )
    go = "" if here else f"cd {folder.as_posix()} && "
    click.echo(f"next: {go}briefgen serve --open  (README.md says what goes where)")


@main.command(short_help="Write a new brief, actor, source or page.")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("title")
@project_option
@click.option(
    "--id",
    "entry_id",
    default=None,
    help="The id, which is the file name, instead of one made from TITLE.",
)
def new(kind: str, title: str, project: Path, entry_id: str | None) -> None:
    """Write a new brief, actor, source or page; print its path.

    The id (the file name) is made from TITLE: "Сергей Лавров" gives sergei-lavrov.
    Never overwrites a file.
    """
    try:
        result = new_entry(project, kind, title, entry_id=entry_id)
    except BadInput as exc:
        raise _bad_parameter(exc) from None
    except BriefgenError as exc:
        raise _refused(exc) from None
    # The path alone on stdout, so that `$EDITOR "$(briefgen new brief '...')"` opens it.
    click.echo(result.path.as_posix())
    click.echo(result.hint, err=True)


@main.group()
def export() -> None:
    """Write the briefing in a format for another tool."""


@export.command("ftm")
@project_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (default: print to standard output).",
)
@click.option("--drafts", is_flag=True, help="Include briefs marked draft: true.")
def export_ftm(project: Path, output: Path | None, drafts: bool) -> None:
    """Actors, sources, events and statements as FollowTheMoney entities (JSON lines)."""
    from .export import export_ftm as run_export

    try:
        text, count = run_export(project, output, drafts=drafts)
    except BriefgenError as exc:
        _report(exc, what="export", untouched=None)
        raise SystemExit(exc.exit_code) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {count} entities to {output}", err=True)


@main.command("import", short_help="Write sources from a CSL-JSON, BibTeX or RIS file.")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@project_option
@click.option(
    "--update", is_flag=True, help="Rewrite the imported fields of sources already there."
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
def import_command(file: Path, project: Path, update: bool, dry_run: bool) -> None:
    """Write content/sources/<id>.md for each entry of FILE (.json, .bib or .ris).

    The id is the citation key, made valid. A source already there is compared and
    kept; with --update only the fields the import gives are rewritten, keeping the
    writer's reliability, body and other fields.
    """
    from .importers.sources import import_file

    try:
        load_config(project)
    except BriefgenError as exc:
        raise _refused(exc) from None
    outcome = import_file(project, file, update=update, dry_run=dry_run)
    for line in outcome.lines:
        click.echo(line)
    for problem in outcome.problems:
        click.echo(problem.format(), err=True)
    done = "would write" if dry_run else "wrote"
    count = len(outcome.planned)
    refused = len(outcome.problems)
    summary = f"{done} {count} source{'s' * (count != 1)}"
    if refused:
        summary += f"; {refused} entr{'ies' if refused != 1 else 'y'} not imported"
    click.echo(summary, err=True)
    if refused:
        raise SystemExit(1)
