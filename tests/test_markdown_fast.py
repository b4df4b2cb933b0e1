"""The fast Markdown path against the reference: the same Rendered for every body it takes.

markdown-it-py with the briefgen plugins is the oracle. Every body of the example
site, of the test fixtures, of a generated corpus and of fuzzed Markdown is
rendered both ways; whenever the fast path takes a body, html, mentions,
citations, statements, links, ids and diagnostics must all be equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from bench.generate import generate
from briefgen.build import build
from briefgen.config import load_config
from briefgen.errors import ConfigError
from briefgen.front_matter import parse_file
from briefgen.graph import build_lookup
from briefgen.load import load_content
from briefgen.markdown import MarkdownRenderer, Rendered
from briefgen.markdown.renderer import PATH_VARIABLE
from briefgen.model import Body
from briefgen.paths import Url

from .test_markdown import LOOKUP

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
URL = Url("/b/briefs/x/")

# The same actors and sources as the reference path's own tests.
RENDERER = MarkdownRenderer(LOOKUP, path="fast")


def differ(renderer: MarkdownRenderer, body: Body, url: Url = URL) -> int | None:
    """Lines rendered by markdown-it-pyrs (None: the fast path declined); fails on any difference."""
    reference = renderer.render_reference(body, url)
    fast = renderer.render_fast(body, url)
    if fast is None:
        return None
    rendered, lines = fast
    for field in Rendered.__slots__:
        assert getattr(rendered, field) == getattr(reference, field), (field, body.text)
    assert renderer.render(body, url) == reference
    return lines


def project_bodies(project: Path) -> tuple[MarkdownRenderer, list[Body]]:
    content, _ = load_content(project)
    lookup = build_lookup(content, load_config(project).urls)
    bodies = [entry.body for entry in content.briefs]
    bodies += [entry.body for entry in content.actors]
    bodies += [entry.body for entry in content.sources]
    bodies += [entry.body for entry in content.pages]
    return MarkdownRenderer(lookup, path="fast"), bodies


def share(renderer: MarkdownRenderer, bodies: Iterable[Body]) -> tuple[int, int, int, int]:
    """(bodies, bodies the fast path took, lines, lines markdown-it-pyrs rendered)."""
    count = taken = lines = fast_lines = 0
    for body in bodies:
        count += 1
        lines += body.text.count("\n") + 1
        done = differ(renderer, body)
        if done is not None:
            taken += 1
            fast_lines += done
    return count, taken, lines, fast_lines


def test_generated_corpus_is_the_same_and_mostly_fast(tmp_path: Path) -> None:
    generate(tmp_path, 200)
    count, taken, lines, fast_lines = share(*project_bodies(tmp_path))
    assert count > 200
    # Without these floors the test would pass with the fast path never used.
    assert taken >= count * 0.9, (taken, count)
    assert fast_lines >= lines * 0.9, (fast_lines, lines)


def test_example_site_is_the_same() -> None:
    count, taken, _, _ = share(*project_bodies(ROOT))
    assert count > 20
    assert taken > 0


def test_every_fixture_body_is_the_same() -> None:
    renderer = project_bodies(FIXTURES / "base")[0]
    files = sorted(FIXTURES.glob("**/*.md"))
    assert len(files) > 50
    taken = 0
    for file in files:
        if file.parent.name == "markdown":
            continue
        parsed = parse_file(file.read_text(encoding="utf-8"), file.as_posix(), [])
        if parsed is not None and differ(renderer, parsed.body) is not None:
            taken += 1
    for _, _, text, _ in read_fixture_file(FIXTURES / "markdown" / "briefgen.md"):
        if differ(RENDERER, Body(text, "content/briefs/x.md", 3)) is not None:
            taken += 1
    assert taken > 10


def test_a_heading_line_and_column_are_kept() -> None:
    text = "Intro.\n\n## By [[lavrov|the minister]] [@ft]\n\nSaid [[russia]] [@hz, p. 2; @ft].\n"
    body = Body(text, "content/briefs/x.md", 4)
    fast = RENDERER.render_fast(body, URL)
    assert fast is not None and fast[1] == 6
    rendered = fast[0]
    assert '<h2 id="by-the-minister">' in rendered.html
    assert [(m.where.line, m.where.col) for m in rendered.mentions] == [(7, 7), (9, 6)]
    assert [(c.where.line, c.where.col, c.anchor) for c in rendered.citations] == [
        (7, 32, "cite-1-1"),
        (9, 18, "cite-2-1"),
        (9, 29, "cite-1-2"),
    ]


def test_a_problem_sends_the_whole_body_to_the_reference() -> None:
    text = "Plain [[lavrov]].\n\nAnd [[nobody]] here.\n"
    assert RENDERER.render_fast(Body(text, "content/briefs/x.md", 0), URL) is None


def test_the_reference_path_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PATH_VARIABLE, "reference")
    assert MarkdownRenderer(LOOKUP).path == "reference"
    monkeypatch.setenv(PATH_VARIABLE, "fast")
    assert MarkdownRenderer(LOOKUP).path == "fast"
    monkeypatch.setenv(PATH_VARIABLE, "quick")
    with pytest.raises(ConfigError) as raised:
        MarkdownRenderer(LOOKUP)
    assert raised.value.format() == (
        "BRIEFGEN_MARKDOWN: error: unknown Markdown path 'quick' "
        "(set it to 'fast' or 'reference', or leave it unset)"
    )


def test_the_example_site_builds_the_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = {}
    for path in ("reference", "fast"):
        monkeypatch.setenv(PATH_VARIABLE, path)
        out = tmp_path / path
        build(ROOT, out=out)
        outputs[path] = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
    assert outputs["fast"] == outputs["reference"]


# Pieces of Markdown for the fuzzer: mentions and citations, good, unknown and
# malformed, next to everything the fast path must either render exactly or decline.
INLINE = st.sampled_from(
    [
        "[[lavrov]]",
        "[[Sergei  Lavrov]]",
        "[[sergei-lavrov|the minister]]",
        "[[сергей лавров]]",
        '[[russia|a "country" & co]]',
        "[[moscow]]",
        "[[nobody]]",
        "[[ ]]",
        "[[lavrov]",
        "[[lavrov",
        "]]",
        "[[lavrov\\|him]]",
        "[@ft]",
        "[@ft, para. 3]",
        "[@ft; @hz, p. 2]",
        "[@ hz]",
        "[@nope]",
        "[@ft, @hz]",
        "[@ft, cred. 2]",
        "[@ft, para. 3, cred. 5]",
        "[@ft, cred.1, p. 2; @hz, Cred. 6]",
        "[@hz, p. 4,cred. 3]",
        "[@ft, cred. 7]",
        "[@ft, cred. 0]",
        "[@ft, crd. 2]",
        "[@ft, cred 2]",
        "[@ft, credibility: 2]",
        "[@ft, cred. 2, cred. 3]",
        "[@ft, para. 3 cred. 2]",
        "[@ft cred. 2]",
        "[@ft, col. 2]",
        "\\[[lavrov]]",
        "`[[lavrov]]`",
        "`code`",
        "*em*",
        "**strong**",
        "_under_",
        "*",
        "~~gone~~",
        "<span>raw</span>",
        "<b>",
        "&amp;",
        "&copy;",
        "[link](/briefs/x/)",
        '[link [[lavrov]]](https://example.org "t")',
        "![img [[lavrov]]](/a.png)",
        "<https://example.org>",
        "[^1]",
        "[^2]",
        "[^n-3]",
        "[^x]",
        "^[inline note]",
        "word",
        "more words",
        "Phase 2",
        "\u00a0",
        "\u2003",
        "\u3000",
        "é",
        "\ue000",
        "!",
        "|",
        "\\",
        "'quote'",
        "a  ",
        "(x)",
        "1.",
        "#",
    ]
)
SEPARATOR = st.sampled_from([" ", "", "\n", " \n", "  \n"])
PREFIX = st.sampled_from(
    [
        "",
        "",
        "",
        "- ",
        "* ",
        "1. ",
        "## ",
        "### ",
        "# ",
        "> ",
        "    ",
        "  ",
        "\t",
        "| ",
        "  - ",
        "3) ",
    ]
)
BLOCK_EXTRA = st.sampled_from(
    [
        "",
        "",
        "===",
        "---",
        "| a | b |\n|---|---|\n| [[lavrov|x]] | [@ft] |",
        "| [[lavrov]] | x | [[lavrov]] |\n|:--|:-:|--:|\n| [[russia]] | x | [[lavrov\\|him]] [@hz] |",
        "a | [[kremlin]]\n-- | --\n[@ft] | [[russia|x]] y",
        "| a | [[kremlin]] |\n|--|--|\n| [@ft] | x |\n- [[lavrov]] | y\n1. z | [[russia]]",
        "> quoted words\n>\n> -- [[lavrov]] [@ft]",
        "> Words [[russia]] [@hz].\n> more\n>\n> Second.\n>\n> -- [[kremlin]] [@ft; @hz, p. 2]",
        "> [[russia|Moscow]] said\n>\n>\n> -- [[lavrov]] [@ft, para. 2]",
        "> 1. Listed\n>\n> -- [[lavrov]] [@hz]",
        "> Said.\n>\n> -- [[nobody]] [@ft]",
        "> Said.\n>\n> -- [[lavrov]] [@ft].",
        "> Said.\n>\n> -- [[lavrov]] [@ft, para. 2, cred. 3]",
        "> Said.\n>\n> -- [[lavrov]] [@ft, cred. 9]",
        "> quoted words\n> -- [[lavrov]] [@ft]",
        "```\n[[lavrov]]\n```",
        "<div>\n[[lavrov]]\n</div>",
        "<!-- [[x]] -->",
        "[^1]: A note [[russia]].",
        "[^2]: Another [@hz, p. 4] note.\n[^n-3]: Third [[kremlin]].",
        "[^1]: Twice defined.",
        "[^x]:   spaced",
        "[ref]: /x",
        "  continued [[kremlin]]",
        "- [[lavrov]] [@ft]",
        "2. [[russia]]",
    ]
)


@st.composite
def markdown(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 6))):
        pieces = draw(st.lists(st.tuples(INLINE, SEPARATOR), min_size=1, max_size=8))
        line = "".join(piece + sep for piece, sep in pieces)
        blocks.append(draw(PREFIX) + line)
        extra = draw(BLOCK_EXTRA)
        if extra:
            blocks.append(extra)
    joiners = draw(st.lists(st.sampled_from(["\n\n", "\n", "\n\n\n"]), min_size=len(blocks)))
    return "".join(block + joiner for block, joiner in zip(blocks, joiners, strict=False))


@settings(max_examples=400, deadline=None)
@given(markdown(), st.integers(0, 5))
def test_fuzzed_markdown_is_the_same(text: str, first_line: int) -> None:
    differ(RENDERER, Body(text, "content/briefs/x.md", first_line))


def test_quotes_tables_and_notes_of_the_usual_shape_take_the_fast_path() -> None:
    text = (
        "## Points\n\n- [[lavrov]] said it [@ft, para. 3; @hz].[^1]\n\n"
        "| Who | Said |\n|---|---|\n| [[lavrov\\|him]] | [@hz, p. 2] |\n\n"
        "> The words [[russia]] used.\n>\n> -- [[lavrov]] [@ft, p. 9]\n\n"
        "[^1]: A note on [[kremlin|the Kremlin]] [@hz].\n"
    )
    body = Body(text, "content/briefs/x.md", 5)
    assert differ(RENDERER, body) == text.count("\n") + 1
    rendered = RENDERER.render(body, URL)
    assert [s.anchor for s in rendered.statements] == ["statement-1"]
    # The "@" of the last citation, in the note on the body's 13th line.
    assert [(c.where.line, c.where.col) for c in rendered.citations][-1] == (18, 42)


def test_a_list_item_ends_a_table_as_the_reference_reads_it() -> None:
    # Found by the fuzzer: markdown-it-pyrs kept "1." as a table row.
    text = "[[lavrov]]\n\na | [[kremlin]]\n-- | --\n[@ft] | [[russia|x]] y\n1.\n"
    assert differ(RENDERER, Body(text, "content/briefs/x.md", 0)) == 2


def test_a_row_with_more_cells_than_the_header_takes_the_reference() -> None:
    # markdown-it-pyrs drops the extra cell as silently as markdown-it-py; the reference reports it.
    text = "[[lavrov]]\n\n| who | what |\n|---|---|\n| [[lavrov|him]] | said | more |\n"
    body = Body(text, "content/briefs/x.md", 0)
    assert differ(RENDERER, body) is None
    rendered = RENDERER.render(body, URL)
    assert [(d.line, d.col) for d in rendered.diagnostics] == [(5, 27)]
    assert "more" in rendered.diagnostics[0].message


# Plain text only, with the characters that make blocks: the fast path takes most of
# these, so every difference in block structure between the two parsers shows.
PLAIN = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[[lavrov]]",
                "[[russia|the state]]",
                "[@ft]",
                "[@hz, p. 2; @ft]",
                "[^1]",
                "[@ft, cred. 2]",
                "[@hz, p. 2, cred. 4; @ft, cred. 8]",
            ]
        ),
        st.text(alphabet=" ab12#-+=.):'\"(/|\n", max_size=10),
    ),
    max_size=14,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(PLAIN, st.booleans())
def test_fuzzed_plain_text_is_the_same(text: str, note: bool) -> None:
    differ(RENDERER, Body(text + ("\n\n[^1]: A note.\n" if note else ""), "content/briefs/x.md", 0))
