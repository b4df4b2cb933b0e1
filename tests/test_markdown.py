"""The Markdown stage: HTML output (fixture file) and what it reports finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file
from selectolax.lexbor import LexborHTMLParser

from briefgen.errors import ContentError
from briefgen.markdown import Lookup, MarkdownRenderer, Rendered
from briefgen.model import Body
from briefgen.paths import Url, Urls

from .conftest import Project

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
    result = render("Claim [@ft para. 3] and [@ft and hz].\n")
    assert [d.format() for d in result.diagnostics] == [
        "content/briefs/x.md:1:7: error: malformed citation '[@ft para. 3]' "
        "(write '[@ft, para. 3]'; write \\[@ for a literal '[@')",
        "content/briefs/x.md:1:25: error: malformed citation '[@ft and hz]' "
        "(write [@source-id] or [@source-id, para. 3], several as [@a; @b]; "
        "write \\[@ for a literal '[@')",
    ]
    assert "[@ft para. 3]" in result.html


def test_a_malformed_citation_over_two_lines_is_quoted_on_one() -> None:
    assert errors("Claim [@ft para.\n3].\n") == [
        "1:7: error: malformed citation '[@ft para. 3]' "
        "(write '[@ft, para. 3]'; write \\[@ for a literal '[@')"
    ]


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


# --- Near misses: nothing unescaped reaches the page as [[, ]] or [@ -------------------------


def errors(text: str) -> list[str]:
    """Each diagnostic as line:col: message (hint)."""
    return [d.format().split(":", 1)[1] for d in render(text).diagnostics]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Then [[Amano signed the roadmap in Vienna.\n",
            "1:6: error: unclosed mention '[[Amano signed the roadmap in Vienna.' "
            "(close it with ']]'; write \\[[ for a literal '[[')",
        ),
        (
            "He met [[russia] officials.\n",
            "1:8: error: mention '[[russia]' is closed with one ']' "
            "(close it with ']]'; write \\[[ for a literal '[[')",
        ),
        (
            "Then [[Amano and [[russia]] agreed.\n",
            "1:6: error: unclosed mention '[[Amano and' "
            "(close it with ']]'; write \\[[ for a literal '[[')",
        ),
        (
            "Who [[]]?\n",
            "1:5: error: empty mention '[[]]' "
            "(put an actor's id inside, e.g. [[actor-id]]; write \\[[ for a literal '[[')",
        ),
        (
            "Said so]] twice.\n",
            "1:8: error: ']]' closes no mention "
            "(open the mention with '[[', or write \\]] for a literal ']]')",
        ),
        (
            "Confirmed [@ft on Monday.\n",
            "1:11: error: unclosed citation '[@ft on Monday.' "
            "(close it with ']'; write \\[@ for a literal '[@')",
        ),
        (
            "Intro.\n\nConfirmed [@ft",
            "3:11: error: unclosed citation '[@ft' (close it with ']'; write \\[@ for a literal '[@')",
        ),
        (
            "Cited [@].\n",
            "1:7: error: empty citation '[@]' "
            "(put a source id after '@', e.g. [@source-id]; write \\[@ for a literal '[@')",
        ),
        (
            "Cited [@ ft].\n",
            "1:7: error: malformed citation '[@ ft]' (write '[@ft]'; write \\[@ for a literal '[@')",
        ),
        (
            "Cited [@ft, @hz, p. 2].\n",
            "1:7: error: malformed citation '[@ft, @hz, p. 2]' "
            "(write '[@ft; @hz, p. 2]'; write \\[@ for a literal '[@')",
        ),
        (
            "Cited [@ft; hz].\n",
            "1:7: error: malformed citation '[@ft; hz]' "
            "(write '[@ft; @hz]'; write \\[@ for a literal '[@')",
        ),
    ],
)
def test_near_miss_is_an_error_at_its_column(text: str, expected: str) -> None:
    assert errors(text) == [expected]


def test_unclosed_mention_does_not_swallow_what_follows() -> None:
    result = render("Then [[Amano signed it; [[Lavrov]] agreed [@ft].\n")
    assert [m.actor_id for m in result.mentions] == ["sergei-lavrov"]
    assert [c.source_id for c in result.citations] == ["ft"]
    assert [(d.line, d.col) for d in result.diagnostics] == [(1, 6)]


def test_escapes_and_code_stay_literal_and_silent() -> None:
    text = (
        "Write \\[[x]] or \\[@ft] or \\]] and `[[x]] ]] [@y`.\n\n"
        "```\n[[fenced]] ]] [@fenced\n```\n\n    [[indented]] [@indented\n"
    )
    result = render(text)
    assert result.diagnostics == ()
    assert result.mentions == () and result.citations == ()
    assert "<p>Write [[x]] or [@ft] or ]] and <code>[[x]] ]] [@y</code>.</p>" in result.html
    assert "[[fenced]] ]] [@fenced" in result.html
    assert "[[indented]] [@indented" in result.html


def test_mention_and_citation_may_run_over_a_line_break() -> None:
    result = render("Intro\n[[sergei\nlavrov|the foreign\nminister]] said [@ft,\npara. 3].\n")
    assert result.diagnostics == ()
    assert '<a class="mention" href="/b/actors/sergei-lavrov/">the foreign minister</a>' in (
        result.html
    )
    (mention,) = result.mentions
    assert (mention.where.line, mention.where.col) == (2, 1)
    (citation,) = result.citations
    assert citation.locator == "para. 3"
    assert (citation.where.line, citation.where.col) == (4, 18)


def test_each_unknown_source_of_a_citation_is_reported_at_its_at_sign() -> None:
    assert errors("Both [@ft; @bad1, p. 2;\n  @bad2].\n") == [
        "1:12: error: unknown source 'bad1' (add it under content/sources/)",
        "2:3: error: unknown source 'bad2' (add it under content/sources/)",
    ]


TABLE = """\
| who | what |
|---|---|
| [[russia|the Agency]] | by [[russia|them]] and `a\\|b` |
| [[Lavrov\\|the minister]] \\| x | [[nobody]] and [[nobody|him]] |
| [[nobody]] | [[nobody]] |
"""


def test_a_pipe_inside_a_mention_stays_in_its_table_cell() -> None:
    result = render(TABLE)
    rows = result.html.split("<tr>")[2:]
    assert rows[0].count("<td>") == 2
    assert '<td><a class="mention" href="/b/actors/russia/">the Agency</a></td>' in rows[0]
    assert '<a class="mention" href="/b/actors/russia/">them</a>' in rows[0]
    assert "<code>a|b</code></td>" in rows[0]
    # The pipe escaped as the README used to advise still works.
    assert (
        '<a class="mention" href="/b/actors/sergei-lavrov/">the minister</a> | x</td>' in (rows[1])
    )
    assert [(d.line, d.col) for d in result.diagnostics] == [(4, 35), (4, 50), (5, 3), (5, 16)]


def test_heading_with_closing_hashes_reports_the_column() -> None:
    assert errors("## Talks with [[nobody]] ##\n") == [
        "1:15: error: unknown actor 'nobody' (add it under content/actors/)"
    ]


def test_mention_in_image_description_shows_the_name_and_a_citation_is_an_error() -> None:
    result = render("See ![A map of [[russia]]](/m.png) and ![Chart [@ft]](/c.png)\n")
    assert 'alt="A map of Russia"' in result.html
    assert [m.actor_id for m in result.mentions] == ["russia"]
    assert errors("See ![Chart [@ft]](/c.png)\n") == [
        "1:13: error: citation '[@ft]' in an image's description: a description is plain "
        "text (put it after the image: ![...](...) [@ft])"
    ]


def test_inline_note_is_resolved_and_checked() -> None:
    result = render("A claim.^[As [[Lavrov]] said [@ft].] And ^[[[nobody]] too.]\n")
    assert '<a class="mention" href="/b/actors/sergei-lavrov/">Sergei Lavrov</a>' in result.html
    assert [c.source_id for c in result.citations] == ["ft"]
    assert errors("A claim.^[As [[Lavrov]] said.] And ^[[[nobody]] too.]\n") == [
        "1:38: error: unknown actor 'nobody' (add it under content/actors/)"
    ]


def test_citation_inside_link_text_keeps_its_anchor() -> None:
    result = render("[the talks [@ft]](/briefs/y/)\n")
    (citation,) = result.citations
    assert f'id="{citation.anchor}"' in result.html
    assert '<a class="cite"' not in result.html  # no link inside a link


def test_markers_in_raw_html_are_reported_but_not_in_comments_or_pre() -> None:
    text = (
        '<div class="note">\nTold by [[Lavrov]].\n</div>\n\n<!-- [[todo]] -->\n\n<pre>[@x]</pre>\n'
    )
    assert errors(text) == [
        "2:9: error: '[[Lavrov]]' inside raw HTML is not read as Markdown (leave a blank line "
        "between the HTML tags and the Markdown text, or write &#91;&#91; for a literal '[[')"
    ]
    # The fix the message gives works.
    fixed = render('<div class="note">\n\nTold by [[Lavrov]].\n\n</div>\n')
    assert fixed.diagnostics == ()
    assert [m.actor_id for m in fixed.mentions] == ["sergei-lavrov"]


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (
            "- [[Lavrov]] [@hz, para. 3]",
            "'- [[Lavrov]] [@hz, para. 3]' looks like a quote's attribution but is a list item "
            "(write '-- [[Lavrov]] [@hz, para. 3]')",
        ),
        (
            "--- [[Lavrov]], in Moscow, [@hz].",
            "'--- [[Lavrov]], in Moscow, [@hz].' looks like a quote's attribution but starts "
            "with '---', not '--' (write '-- [[Lavrov]], in Moscow, [@hz].')",
        ),
        (
            "-[[Lavrov]] [@hz]",
            "'-[[Lavrov]] [@hz]' looks like a quote's attribution but starts with '-', not '--' "
            "(write '-- [[Lavrov]] [@hz]')",
        ),
        (
            "[[Lavrov]] [@hz]",
            "'[[Lavrov]] [@hz]' looks like a quote's attribution but has no dash "
            "(write '-- [[Lavrov]] [@hz]')",
        ),
        (
            "-- [@hz] [[Lavrov]]",
            "'-- [@hz] [[Lavrov]]' looks like a quote's attribution but cites the source "
            "before the speaker (write '-- [[Lavrov]] [@hz]')",
        ),
    ],
)
def test_near_miss_attribution_warns_with_the_form_meant(last: str, expected: str) -> None:
    result = render(f"> We expect them.\n>\n> {last}\n")
    assert result.statements == ()
    (diagnostic,) = result.diagnostics
    assert diagnostic.severity.value == "warning"
    assert (diagnostic.line, diagnostic.col) == (3, 3)
    assert diagnostic.format() == f"content/briefs/x.md:3:3: warning: {expected}"
    # The form the warning proposes is an attribution.
    fix = expected.split("(write '")[1][:-2]
    fixed = render(f"> We expect them.\n>\n> {fix}\n")
    assert fixed.diagnostics == ()
    assert len(fixed.statements) == 1


@pytest.mark.parametrize(
    "text",
    [
        "> Points:\n>\n> - [[Lavrov]] spoke first,\n> - [[russia]] agreed [@hz].\n",
        "> A quote that ends with a citation [@hz].\n",
        "> [[Lavrov]] said it [@hz].\n",
        "> Points:\n>\n> - [[Lavrov]] said so [@hz] twice\n",
        "> - [[Lavrov]] [@hz]\n",
        "> Points:\n>\n> * [[Lavrov]] [@hz]\n",
    ],
)
def test_ordinary_quotes_do_not_warn(text: str) -> None:
    assert render(text).diagnostics == ()


def test_a_broken_citation_in_an_attribution_gets_no_misleading_advice() -> None:
    assert errors("> Words.\n>\n> -- [[Lavrov]] [@hz, para. 3\n") == [
        "3:17: error: unclosed citation '[@hz, para. 3' "
        "(close it with ']'; write \\[@ for a literal '[@')"
    ]


ACCEPTED = """\
---
title: Near misses that work
date: 2017-01-18
summary: Every place a mention or a citation may go.
---

## Talks with [[sergei-lavrov|the minister]] [@ft-2017-01-17] ##

| who | said |
|---|---|
| [[sergei-lavrov|the minister]] | [[russia|Moscow's]] line [@haaretz-2017-01-17, para. 2] |
| [[Lavrov]] \\| [[russia]] | `[[code|span]]` and `]]` |

[[sergei-lavrov|the foreign
minister]] spoke [@ft-2017-01-17,
para. 4]; see [the talks with [[Lavrov]] [@haaretz-2017-01-17]](/briefs/invitation/).

![A map of [[russia]]](/map.png)

A note[^1] and an inline one.^[As [[sergei-lavrov]] said [@ft-2017-01-17].]

[^1]: As [[russia]] said [@haaretz-2017-01-17, p. 2].

> We expect them.
>
> -- [[sergei-lavrov]], in Moscow, [@haaretz-2017-01-17, para. 3].

> Points:
>
> - [[sergei-lavrov]] spoke first,
> - [[russia]] agreed [@haaretz-2017-01-17].

<div class="note">

Told by [[sergei-lavrov]] [@ft-2017-01-17].

</div>

<!-- [[todo]] check [@nothing] -->

```
[[fenced]] ]] [@fenced
```

    [[indented]] [@indented
"""

# A body that cannot be rendered as meant, with the body line and column of its error.
REJECTED = {
    "unclosed-mention": ("[[Amano signed the roadmap.", 1, 1),
    "one-bracket": ("He met [[russia] officials.", 1, 8),
    "empty": ("Who [[]] said it?", 1, 5),
    "stray-close": ("Lavrov]] said it.", 1, 7),
    "unclosed-citation": ("Said so [@ft-2017-01-17", 1, 9),
    "empty-citation": ("Said so [@].", 1, 9),
    "space-citation": ("Said so [@ ft-2017-01-17].", 1, 9),
    "heading": ("## Talks with [[Amano", 1, 15),
    "table": ("| a | b |\n|---|---|\n| x | [@ft-2017-01-17 |", 3, 7),
    "alt": ("![Chart [@ft-2017-01-17]](https://example.org/c.png)", 1, 9),
    "note": ("Claim[^1].\n\n[^1]: See [[Amano.", 3, 11),
    "inline-note": ("Claim.^[See [[Amano]] then.]", 1, 13),
    "html": ("<p>\nTold by [[russia]].\n</p>", 2, 9),
    "attribution": ("> Words.\n>\n> -- [[russia]] [@ft-2017-01-17", 3, 17),
}


def _text_outside_code(page: Path) -> list[str]:
    """The text a reader sees on a page (text nodes and alt texts), code left out."""
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    found = []
    for node in tree.root.traverse(include_text=True) if tree.root else []:
        parents = []
        parent = node.parent
        while parent is not None:
            parents.append(parent.tag)
            parent = parent.parent
        if {"code", "pre", "script", "style"} & set(parents):
            continue
        if node.tag == "-text":
            found.append(node.text(deep=False))
        elif node.tag == "img":
            found.append(node.attributes.get("alt") or "")
    return found


def test_no_page_of_a_built_site_shows_brackets_of_the_inline_syntax(project: Project) -> None:
    project.write("content/briefs/near-misses.md", ACCEPTED)
    result = project.build(strict=True)
    assert result.diagnostics == ()
    pages = sorted(project.out.rglob("*.html"))
    assert len(pages) > 10
    leaks = [
        (page.relative_to(project.out).as_posix(), text)
        for page in pages
        for text in _text_outside_code(page)
        if any(marker in text for marker in ("[[", "]]", "[@"))
    ]
    assert leaks == []
    brief = project.page("briefs/near-misses/index.html")
    assert 'alt="A map of Russia"' in brief
    assert "<code>[[code|span]]</code>" in brief and "[[fenced]] ]] [@fenced" in brief


def test_every_near_miss_that_cannot_be_rendered_fails_the_build(project: Project) -> None:
    project.build()
    before = sorted(p.relative_to(project.out) for p in project.out.rglob("*"))
    for name, (body, _, _) in REJECTED.items():
        project.write(
            f"content/briefs/{name}.md",
            f"---\ntitle: {name}\ndate: 2017-01-18\nsummary: A near miss.\n---\n\n{body}\n",
        )
    with pytest.raises(ContentError) as failed:
        project.build()
    found = {
        (Path(d.path).stem, d.line, d.col)
        for d in failed.value.diagnostics
        if d.severity.value == "error"
    }
    # The body starts on file line 7, after five lines of front matter and a blank line.
    expected = {(name, 6 + line, col) for name, (_, line, col) in REJECTED.items()}
    assert found == expected
    assert sorted(p.relative_to(project.out) for p in project.out.rglob("*")) == before


def test_unknown_mention_over_a_line_break_says_where_it_ends() -> None:
    assert errors("[[Amano signed the roadmap\nin Vienna]] and then.\n") == [
        "1:1: error: unknown actor 'Amano signed the roadmap in Vienna' (it runs over a line "
        "break to the next ']]': close it where you meant; add it under content/actors/)"
    ]


def test_attribution_without_a_blank_quote_line_warns_with_the_fix() -> None:
    result = render("> We expect them\n> to come.\n> -- [[Lavrov]] [@hz].\n")
    assert result.statements == ()
    assert [d.format() for d in result.diagnostics] == [
        "content/briefs/x.md:3:3: warning: '-- [[Lavrov]] [@hz].' looks like a quote's "
        "attribution but is part of the quoted paragraph (put a line with only '>' above it, "
        "to end the quoted paragraph)"
    ]
    fixed = render("> We expect them\n> to come.\n>\n> -- [[Lavrov]] [@hz].\n")
    assert fixed.diagnostics == ()
    assert len(fixed.statements) == 1


def test_an_address_shown_as_its_own_text_may_not_show_the_brackets() -> None:
    assert errors("See <http://x.org/[[a]]>.\n") == [
        "1:19: error: '[[' in the address <http://x.org/[[a]]> would show on the page "
        "(give the link its own text: [text](<http://x.org/[[a]]>))"
    ]
    fixed = render("See [the page](<http://x.org/[[a]]>).\n")
    assert fixed.diagnostics == ()
    assert '<a href="http://x.org/%5B%5Ba%5D%5D">the page</a>' in fixed.html
