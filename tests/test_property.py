"""Property: whatever a writer types, the build succeeds or reports problems with lines.

Hypothesis writes front matter and bodies from the pieces writers use (keys, dates,
lists, mentions, citations, quotes, tables, code, raw HTML, odd characters and line
endings) and builds each into a real project. The build must never crash, never hang
(Hypothesis's deadline bounds each example) and never print a problem without its file,
line and column, or with a line past the end of the file.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen.cli import main

from .conftest import FIXTURES

_PROBLEM = re.compile(r"^(?P<path>content/[^:]+):(?P<line>\d+):(?P<col>\d+): (error|warning): \S")

_KEYS = ["title", "date", "summary", "actors", "sources", "tags", "events", "draft", "titel", "x"]
_VALUES = [
    "Talks",
    "2017-01-16",
    "2017-02-30",
    "2017-01",
    "2017",
    "[sergei-lavrov, russia]",
    "sergei-lavrov, russia",
    "[ft-2017-01-17]",
    "true",
    "null",
    "~",
    "'quoted: colon'",
    "a: b",
    "[unclosed",
    "{a: 1}",
    "- item",
    "&anchor x",
    "*alias",
    "99999999999999999999999999999999",
    "9" * 4400,
    "\t",
    "|\n  block\n  text",
    "Сергей Лавров",
    "\x00",
]
_PIECES = [
    "[[sergei-lavrov]]",
    "[[Lavrov|the minister]]",
    "[[nobody]]",
    "[[",
    "]]",
    "[[]]",
    "[@ft-2017-01-17]",
    "[@ft-2017-01-17, para. 3]",
    "[@ft-2017-01-17; @haaretz-2017-01-17, p. 2]",
    "[@nothing",
    "[@]",
    "\\[[",
    "\\[@",
    "> ",
    "-- ",
    "- ",
    "| a | b |\n|---|---|\n| ",
    "`",
    "```\n",
    "*",
    "_",
    "<span>",
    '<b onclick="x()">',
    "[^1]",
    "\n\n[^1]: A note.\n",
    "## ",
    "[a link](/briefs/invitation/)",
    "[a link](/nowhere/)",
    "words ",
    "\n",
    "\r\n",
    "\r",
    "\u2014 ",
    "\x07",
]


@st.composite
def _brief(draw: st.DrawFn) -> str:
    lines = [
        f"{draw(st.sampled_from(_KEYS))}: {draw(st.sampled_from(_VALUES))}"
        for _ in range(draw(st.integers(0, 6)))
    ]
    if draw(st.booleans()):
        lines = ["title: T", "date: 2017-01-16", "summary: S", *lines]
    opening = draw(st.sampled_from(["---\n", "---\n", "--- \n", ""]))
    closing = draw(st.sampled_from(["---\n", "---\n", "...\n", ""]))
    body = "".join(draw(st.lists(st.sampled_from(_PIECES), max_size=25)))
    return opening + "\n".join(lines) + "\n" + closing + body


@settings(
    max_examples=40,
    deadline=10_000,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=_brief())
# Found by the adversarial review; kept so that they are tried on every run.
@example(text="---\ntitle: T\ndate: 2017-01-16\nsummary: S\ntags: [" + "9" * 4400 + "]\n---\n")
@example(text="---\ntitle: T\ndate: 2017-01-16\nsummary: S\x00\n---\nA \x00 NUL.\n")
@example(text="---\ntitle: T\ndate: 2017-01-16\nsummary: S\n[a, b]: c\n---\n")
def test_any_brief_builds_or_is_reported_with_lines(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(FIXTURES / "base", project)
        brief = project / "content" / "briefs" / "fuzzed.md"
        brief.write_bytes(text.encode("utf-8"))
        result = CliRunner().invoke(main, ["build", "--project", str(project), "--no-cache"])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output
        assert result.exit_code in (0, 1), result.output
        for line in result.stderr.splitlines():
            if line.startswith("build failed:"):
                continue
            match = _PROBLEM.match(line)
            assert match, f"a problem without its place: {line!r}"
            written = (project / match["path"]).read_bytes().decode("utf-8")
            assert 1 <= int(match["line"]) <= len(written.splitlines()) + 1, line
