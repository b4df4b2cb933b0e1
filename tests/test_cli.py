"""The command line: summary, exit codes, drafts, strict mode, no tracebacks."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner

from briefgen.cli import ProgressBar, main

from .conftest import Project


def test_build_prints_one_line_summary(project: Project) -> None:
    result = project.cli("build")
    assert result.exit_code == 0, result.output
    # 18 pages, the timeline page of 2017 (the base project's one year), the search page,
    # the actor network page, the Open data page (the exports under /data/ are not
    # pages) and the legend of the grades (/grades/); then what indexing for search took
    # of the time: 8 pages (2 briefs, 3 actors, 2 sources, 1 page).
    assert re.fullmatch(
        r"built 23 pages into .+/ in \d+\.\d\d s \(search index of 8 pages: \d+\.\d\d s\)\n",
        result.stdout,
    )
    assert result.stderr == ""


@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_quiet_prints_nothing_when_all_is_well(project: Project, flag: str) -> None:
    result = project.cli("build", flag)
    assert result.exit_code == 0
    assert result.output == ""


def test_drafts_are_left_out_unless_asked_for(project: Project) -> None:
    project.write(
        "content/briefs/draft.md",
        "---\ntitle: Unfinished\ndate: 2017-01-18\nsummary: S.\ndraft: true\n---\n[[Lavrov]]\n",
    )
    assert project.cli("build").exit_code == 0
    assert not (project.out / "briefs" / "draft").exists()
    assert "Unfinished" not in project.page("index.html")
    assert project.cli("build", "--drafts").exit_code == 0
    page = project.page("briefs/draft/index.html")
    assert "Draft: not published" in page


def test_strict_fails_on_warnings(project: Project) -> None:
    project.write("content/sources/tass.md", "---\ntitle: TASS\npublication: TASS\n---\n")
    relaxed = project.cli("build")
    assert relaxed.exit_code == 0
    assert "warning: source 'tass' is not cited in any brief" in relaxed.stderr
    strict = project.cli("build", "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[-1].startswith("build failed: 0 errors, 1 warning;")


def test_usage_and_config_errors_exit_2(project: Project) -> None:
    assert project.cli("build", "--no-such-option").exit_code == 2
    result = project.cli("build", "--out", str(project.root / "content"))
    assert result.exit_code == 2
    assert "refusing to build into" in result.stderr
    assert "Traceback" not in result.output
    (project.root / "briefgen.toml").unlink()
    missing = project.cli("build")
    assert missing.exit_code == 2
    assert "no briefgen.toml in" in missing.stderr


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("briefgen, version ")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert ProgressBar.for_stream(io.StringIO()) is None, "not a terminal: no bar in logs"
    assert ProgressBar.for_stream(_Terminal(), enabled=False) is None, "--quiet"
    terminal = _Terminal()
    bar = ProgressBar.for_stream(terminal)
    assert bar is not None
    bar(600, 1200)
    bar(1200, 1200)
    bar.finish()
    assert "writing pages" in terminal.getvalue()
    monkeypatch.setenv("CI", "true")
    assert ProgressBar.for_stream(_Terminal()) is None, "never in CI logs"
