"""The Markdown stage: HTML output (fixture file) and what it reports finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefgen.markdown import Lookup, MarkdownRenderer, Rendered
from briefgen.model import Body
from briefgen.paths import Url, Urls

FIXTURE = Path(__file__).parent / "fixtures" / "markdown" / "briefgen.md"

LOOKUP = Lookup(
    actor_keys={
        "sergei-lavrov": ("sergei-lavrov",),
        "sergei lavrov": ("sergei-lavrov",),
        "lavrov": ("sergei-lavrov",),
        "сергей лавров": ("sergei-lavrov",),
        "russia": ("russia",),
        "moscow": ("russia", "kremlin"),
        "kremlin": ("kremlin",),
    },
    actor_names={"sergei-lavrov": "Sergei Lavrov", "russia": "Russia", "kremlin": "The Kremlin"},
    source_titles={"ft": "FT story", "hz": 'Haaretz "story"'},
    urls=Urls("/b/"),
)
RENDERER = MarkdownRenderer(LOOKUP)


def render(text: str, first_line: int = 0) -> Rendered:
    return RENDERER.render(Body(text, "content/briefs/x.md", first_line), Url("/b/briefs/x/"))


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    read_fixture_file(FIXTURE),
    ids=[case[1] for case in read_fixture_file(FIXTURE)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    result = render(text)
    assert result.html == expected
    assert result.diagnostics == ()


def test_reports_mentions_and_citations_in_order() -> None:
    result = render("[[Lavrov]] met [[russia]] [@hz].\n\nAgain [@ft, p. 1; @hz].\n")
    assert [m.actor_id for m in result.mentions] == ["sergei-lavrov", "russia"]
    assert [(c.source_id, c.number, c.anchor, c.locator) for c in result.citations] == [
        ("hz", 1, "cite-1-1", ""),
        ("ft", 2, "cite-2-1", "p. 1"),
        ("hz", 1, "cite-1-2", ""),
    ]
    assert result.cited_sources == ("hz", "ft")
    assert {"cite-1-1", "cite-2-1", "cite-1-2"} <= result.ids


def test_positions_are_file_lines_and_columns() -> None:
    # The body starts on file line 6 (0-based 5): line numbers must count the front matter.
    text = "\nIntro.\n\n> quoted [[nobody]]\n\n| a | b |\n|---|---|\n| x | [@missing] |\n"
    result = render(text, first_line=5)
    found = [(d.line, d.col, d.message) for d in result.diagnostics]
    assert found == [
        (9, 10, "unknown actor 'nobody'"),
        (13, 8, "unknown source 'missing'"),
    ]


def test_repeated_mention_on_one_line_is_located_each_time() -> None:
    result = render("[[nobody]] and [[nobody]]\n")
    assert [(d.line, d.col) for d in result.diagnostics] == [(1, 1), (1, 16)]


def test_unknown_actor_proposes_nearest_id_via_alias() -> None:
    (diagnostic,) = render("[[lavrof]]").diagnostics
    assert diagnostic.format() == (
        "content/briefs/x.md:1:1: error: unknown actor 'lavrof' (did you mean 'sergei-lavrov'?)"
    )


def test_ambiguous_alias_names_every_candidate() -> None:
    (diagnostic,) = render("[[Moscow]]").diagnostics
    assert diagnostic.message == "ambiguous actor 'Moscow': it may mean 'russia', 'kremlin'"


def test_unknown_source_proposes_nearest() -> None:
    (diagnostic,) = render("x [@hzz]").diagnostics
    assert diagnostic.format() == (
        "content/briefs/x.md:1:4: error: unknown source 'hzz' (did you mean 'hz'?)"
    )


def test_statement_is_returned_without_its_attribution() -> None:
    result = render("> We *expect* it [@ft].\n>\n> -- [[Lavrov]] [@hz, para. 3]\n")
    (statement,) = result.statements
    assert statement.actor_id == "sergei-lavrov"
    assert statement.source_id == "hz"
    assert statement.locator == "para. 3"
    assert statement.anchor == "statement-1"
    # The excerpt links its citation back to the brief, and defines no ids of its own.
    assert statement.html == (
        '<p>We <em>expect</em> it <span class="citation">[<a href="/b/briefs/x/#ref-1" '
        'title="FT story">1</a>]</span>.</p>\n'
    )
    assert statement.where.line == 3


def test_quote_without_source_is_a_warning_not_a_statement() -> None:
    result = render("> Words.\n>\n> -- [[Lavrov]]\n")
    assert result.statements == ()
    (diagnostic,) = result.diagnostics
    assert diagnostic.severity.value == "warning"
    assert "[@source]" in diagnostic.message


def test_links_are_reported_with_their_place() -> None:
    result = render("Intro\n\nSee [x](/briefs/y/#top).\n")
    (link,) = result.links
    assert link.href == "/b/briefs/y/#top"
    assert (link.where.line, link.where.col) == (3, 9)


def test_malformed_citation_is_an_error_with_the_forms_that_work() -> None:
    result = render("Claim [@ft para. 3].\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.format().startswith(
        "content/briefs/x.md:1:7: error: malformed citation '[@ft para. 3]' (write [@source-id]"
    )
    assert "[@ft para. 3]" in result.html


@pytest.mark.parametrize(
    ("attribution", "message"),
    [
        ("-- [[Lavrov]] and [[russia]] [@ft]", "it names more than the speaker"),
        ("-- [[Lavrov]] [@ft] [@hz]", "quote attribution should be"),
        ("-- [[Lavrov]] [@ft] in Moscow", "only punctuation may follow the citation"),
    ],
)
def test_malformed_attributions_warn_at_the_speaker(attribution: str, message: str) -> None:
    result = render(f"> Words.\n>\n> {attribution}\n")
    assert result.statements == ()
    (diagnostic,) = result.diagnostics
    assert diagnostic.severity.value == "warning"
    assert message in diagnostic.message
    assert (diagnostic.line, diagnostic.col) == (3, 6)


def test_attribution_alone_is_not_a_statement() -> None:
    result = render("> -- [[Lavrov]] [@ft]\n")
    assert result.statements == ()
    assert [d.message for d in result.diagnostics] == [
        "the quote has no text before its attribution"
    ]


def test_statement_excerpt_has_no_ids_or_footnote_markers() -> None:
    result = render("> ## Heading\n>\n> Words[^1].\n>\n> -- [[Lavrov]] [@ft]\n\n[^1]: A note.\n")
    (statement,) = result.statements
    assert "id=" not in statement.html
    assert "fnref" not in statement.html
    assert "Words." in statement.html
