"""What the pages show a reader: quotes on source pages, actor order, labels, footnote markers."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .conftest import Project


def tree(project: Project, rel: str) -> LexborHTMLParser:
    return LexborHTMLParser(project.page(rel))


def texts(nodes: list[LexborNode]) -> list[str]:
    return [" ".join(n.text(deep=True).split()) for n in nodes]


def test_source_page_shows_the_words_of_each_statement(project: Project) -> None:
    project.build()
    page = tree(project, "sources/haaretz-2017-01-17/index.html")
    (figure,) = page.css("#quotes-heading ~ figure.statement")
    assert texts(figure.css("blockquote")) == [
        "We expect the new administration to accept this invitation."
    ]
    assert texts(figure.css("figcaption")) == [
        "Sergei Lavrov, quoted in Russia invites the US to Astana, para. 3"
    ]
    links = [a.attributes["href"] for a in figure.css("figcaption a")]
    assert links == ["/actors/sergei-lavrov/", "/briefs/invitation/#statement-1"]


def add_people(project: Project) -> None:
    """Three people in one brief with Lavrov: each appears with him once, a tie."""
    for slug, name, extra in [
        ("vladimir-putin", "Vladimir Putin", ""),
        ("bashar-al-assad", "Bashar al-Assad", "sort_name: Assad\n"),
        ("angela-merkel", "Angela Merkel", "links:\n  wikipedia: https://example.org/m\n"),
    ]:
        project.write(f"content/actors/{slug}.md", f"---\nname: {name}\n{extra}---\n")
    project.write(
        "content/briefs/meeting.md",
        """
        ---
        title: A meeting
        date: 2017-01-10
        summary: S.
        actors: [vladimir-putin, bashar-al-assad, angela-merkel, sergei-lavrov, russia]
        ---
        Met.
        """,
    )


def test_people_are_listed_by_last_name_everywhere(project: Project) -> None:
    add_people(project)
    project.build()
    index = tree(project, "actors/index.html")
    assert texts(index.css("#kind-person + ul > li > a")) == [
        "Bashar al-Assad",  # sort_name: Assad
        "Sergei Lavrov",
        "Angela Merkel",
        "Vladimir Putin",
        "Donald Trump",
    ]
    chips = tree(project, "briefs/meeting/index.html").css(".page-header .chips a")
    # A brief's chips show each actor's role after the name (roles.py): the names alone.
    assert [chip.text(deep=False).strip() for chip in chips] == [
        "Bashar al-Assad",
        "Sergei Lavrov",
        "Angela Merkel",
        "Vladimir Putin",
        "Russia",
    ]


def test_appears_with_is_unnumbered_most_shared_first_then_by_name(project: Project) -> None:
    add_people(project)
    project.build()
    page = tree(project, "actors/sergei-lavrov/index.html")
    lists = page.css("#with-heading + ul.co-mentions")
    assert len(lists) == 1, "a plain list: numbers would rank entries that tie"
    names = texts(lists[0].css("li > a"))
    assert names == ["Russia", "Donald Trump", "Bashar al-Assad", "Angela Merkel", "Vladimir Putin"]
    assert texts(lists[0].css(".count")) == [
        "2 briefs",
        "2 briefs",
        "1 brief",
        "1 brief",
        "1 brief",
    ]


def test_link_labels_are_shown_as_names(project: Project) -> None:
    add_people(project)
    project.build()
    page = tree(project, "actors/angela-merkel/index.html")
    assert texts(page.css(".facts dd a")) == ["Wikipedia"]


def test_footnote_markers_are_superscript_numerals_and_citations_bracketed(
    project: Project,
) -> None:
    project.write(
        "content/briefs/sanctions.md",
        """
        ---
        title: Lavrov on sanctions
        date: 2017-01-16
        summary: S.
        ---
        [[sergei-lavrov]] said [[Trump]] was misread [@haaretz-2017-01-17, para. 14].[^1] Again.[^1]

        [^1]: A note.
        """,
    )
    project.build()
    page = tree(project, "briefs/sanctions/index.html")
    assert texts(page.css("sup.footnote-ref a")) == ["1", "1"]
    assert texts(page.css(".citation")) == ["[1, para. 14]"]
