"""Hostile or odd input gets a clear error at its line, fast and in bounded memory."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import Diagnostic, Severity, error
from briefgen.front_matter import parse_file

from .conftest import FIXTURES


def _laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "---\ntitle: t\n" + "\n".join(lines) + "\n---\nBody.\n"


def test_nested_aliases_are_refused_before_they_expand() -> None:
    # Nine levels would expand to 9**9 (387 million) strings: this returned only after
    # exhausting the machine before aliases were refused.
    diagnostics: list[Diagnostic] = []
    assert parse_file(_laughs(9), "content/briefs/x.md", diagnostics) is None
    assert [d.format() for d in diagnostics] == [
        "content/briefs/x.md:4:10: error: anchors and aliases ('&name', '*name') are not "
        "allowed in front matter (write the value out in full)"
    ]


def test_a_single_alias_is_refused_too() -> None:
    text = "---\ntitle: &t Talks\nsummary: *t\n---\n"
    diagnostics: list[Diagnostic] = []
    assert parse_file(text, "x.md", diagnostics) is None
    assert (diagnostics[0].line, diagnostics[0].col) == (3, 10)


def test_keys_are_kept_as_written() -> None:
    diagnostics: list[Diagnostic] = []
    parsed = parse_file("---\nnull: 1\ntrue: 2\n2017: 3\n---\n", "x.md", diagnostics)
    assert parsed is not None
    assert list(parsed.data) == ["null", "true", "2017"]


def test_a_message_never_spans_lines() -> None:
    diagnostic = error("x.md", 3, 1, "unknown actor 'a\nb'", "did you mean\r\n'c'?")
    assert diagnostic.format() == "x.md:3:1: error: unknown actor 'a b' (did you mean 'c'?)"
    assert diagnostic.severity is Severity.ERROR


def test_raw_html_passes_through_as_written(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "base", project)
    (project / "content" / "briefs" / "raw.md").write_text(
        "---\ntitle: Raw\ndate: 2017-01-16\nsummary: s\n---\n"
        '<details><summary>More</summary>Hidden</details>\n\n<p style="color: red">Red</p>\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "forbids inline styles" in result.stderr
    page = (project / "site" / "briefs" / "raw" / "index.html").read_text(encoding="utf-8")
    assert "<details><summary>More</summary>Hidden</details>" in page
    assert '<p style="color: red">Red</p>' in page
