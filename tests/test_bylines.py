"""A brief's byline (``authors``) and revision date (``updated``): read, resolved, shown."""

from __future__ import annotations

import datetime as dt

from selectolax.lexbor import LexborHTMLParser

from .conftest import Project

BRIEF = """
---
title: Lavrov on sanctions
date: 2017-01-16
updated: 2017-01-20
summary: Lavrov read Trump's remark differently.
{authors}
---

[[sergei-lavrov]] said [[Trump]] was misread [@haaretz-2017-01-17, para. 14].
"""


def write(project: Project, authors: str) -> None:
    project.write("content/briefs/sanctions.md", BRIEF.format(authors=authors))


def test_byline_names_and_actor_links_and_the_update(project: Project) -> None:
    write(project, "authors: [Astana Watch desk, donald-trump, Jane Roe]")
    result = project.build()
    assert result.diagnostics == ()
    tree = LexborHTMLParser(project.page("briefs/sanctions/index.html"))
    byline = tree.css_first(".byline")
    assert byline is not None
    assert byline.text(deep=True) == "By Astana Watch desk, Donald Trump and Jane Roe"
    links = [(a.text(), a.attributes["href"]) for a in byline.css("a")]
    assert links == [("Donald Trump", "/actors/donald-trump/")]
    meta = tree.css_first(".page-header .meta")
    assert meta is not None
    assert meta.text(deep=True) == "As of 16 January 2017 · Updated 20 January 2017"
    assert meta.css("time")[1].attributes["datetime"] == "2017-01-20"


def test_single_author_is_a_list_of_one_and_an_author_actor_lists_the_brief(
    project: Project,
) -> None:
    write(project, "authors: sergei-lavrov")
    project.build()
    tree = LexborHTMLParser(project.page("briefs/sanctions/index.html"))
    byline = tree.css_first(".byline")
    assert byline is not None and byline.text(deep=True) == "By Sergei Lavrov"
    actor = LexborHTMLParser(project.page("actors/sergei-lavrov/index.html"))
    heading = actor.css_first("#authored-heading")
    assert heading is not None and heading.text() == "Briefs by Sergei Lavrov"
    assert [a.text() for a in actor.css("#authored-heading + ul a")] == ["Lavrov on sanctions"]


def test_an_actor_who_only_writes_is_not_reported_as_unused(project: Project) -> None:
    project.write("content/actors/jane-roe.md", "---\nname: Jane Roe\n---\n")
    write(project, "authors: [jane-roe]")
    result = project.build(strict=True)
    assert result.diagnostics == ()


def test_no_byline_and_no_update_when_not_given(project: Project) -> None:
    project.build()
    page = project.page("briefs/invitation/index.html")
    assert 'class="byline"' not in page
    assert "Updated" not in page


def test_authors_and_updated_are_in_the_model(project: Project) -> None:
    from briefgen.load import load_content

    write(project, "authors: [Astana Watch desk, Astana Watch desk]")
    content, problems = load_content(project.root)
    assert problems == []
    (brief,) = [b for b in content.briefs if b.id == "sanctions"]
    assert [a.id for a in brief.authors] == ["Astana Watch desk"]  # a repeat is one author
    assert brief.updated == dt.date(2017, 1, 20)
