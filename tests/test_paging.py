"""Listing pages that stay small: the brief index in pages, the timeline by year."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from bench.generate import generate
from briefgen.build import build
from briefgen.check import check_project
from briefgen.model import PartialDate
from briefgen.paging import latest_entries, page_numbers
from briefgen.paths import Url
from briefgen.rebuild import Rebuilder
from briefgen.site import MonthGroup, TimelineEntry, YearGroup

from .conftest import Project


@pytest.mark.parametrize(
    ("current", "count", "shown"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, 4, 5]),
        (1, 20, [1, 2, 3, 0, 20]),
        (5, 20, [1, 2, 3, 4, 5, 6, 7, 0, 20]),
        (10, 20, [1, 0, 8, 9, 10, 11, 12, 0, 20]),
        (20, 20, [1, 0, 18, 19, 20]),
        (17, 20, [1, 0, 15, 16, 17, 18, 19, 20]),
    ],
)
def test_page_numbers_keep_first_last_and_neighbours(
    current: int, count: int, shown: list[int]
) -> None:
    assert page_numbers(current, count) == shown


def _entry(year: int, month: int, title: str) -> TimelineEntry:
    return TimelineEntry(PartialDate(year, month), title, Url("/x/"), "x", (), (), False)


def test_latest_entries_are_the_last_ones_still_grouped() -> None:
    timeline = (
        YearGroup(1991, (MonthGroup("May 1991", (_entry(1991, 5, "a"), _entry(1991, 5, "b"))),)),
        YearGroup(
            2017,
            (
                MonthGroup("January 2017", (_entry(2017, 1, "c"),)),
                MonthGroup("March 2017", (_entry(2017, 3, "d"), _entry(2017, 3, "e"))),
            ),
        ),
    )
    latest = latest_entries(timeline, 4)
    titles = [e.title for g in latest for m in g.months for e in m.entries]
    assert titles == ["b", "c", "d", "e"]
    assert [g.year for g in latest] == [1991, 2017]
    assert latest_entries(timeline, 10) == timeline
    assert latest_entries((), 3) == ()


BRIEF = """\
---
title: Brief {n}
date: {date}
summary: Summary {n}.
actors: [russia]
---

[[Russia]] acted.
"""


def paged_project(project: Project, briefs: int = 5, size: int = 2, latest: int = 3) -> None:
    """The base project with ``briefs`` more briefs, small pages and events far apart in time."""
    project.write(
        "briefgen.toml",
        f'title = "Test Briefing"\nbase_url = "https://example.org/"\n\n'
        f"[paging]\nbriefs = {size}\ntimeline = {latest}\n",
    )
    for n in range(briefs):
        project.write(
            f"content/briefs/extra-{n}.md",
            BRIEF.format(n=n, date=dt.date(2017, 2, 1) + dt.timedelta(days=n)),
        )
    path = project.root / "content/briefs/sanctions.md"
    text = path.read_text(encoding="utf-8")
    events = (
        "events:\n"
        "  - {date: 1991-12, title: The Soviet Union ends, actors: [russia]}\n"
        "  - {date: 2015, title: A year-long thaw, actors: [russia]}\n"
    )
    path.write_text(text.replace("---\n", "---\n" + events, 1), encoding="utf-8")


def html(project: Project, rel: str) -> LexborHTMLParser:
    return LexborHTMLParser(project.page(rel))


def one(page: LexborHTMLParser | LexborNode, selector: str) -> LexborNode:
    """The first element matching ``selector``, which must be there."""
    node = page.css_first(selector)
    assert node is not None, f"nothing matches {selector}"
    return node


def text(page: LexborHTMLParser | LexborNode, selector: str) -> str:
    return one(page, selector).text()


def href(page: LexborHTMLParser | LexborNode, selector: str) -> str | None:
    return one(page, selector).attributes["href"]


def test_brief_index_is_paged_newest_first_with_a_pager(project: Project) -> None:
    paged_project(project)  # 7 briefs, 2 a page: 4 pages
    project.build()
    first = html(project, "briefs/index.html")
    assert text(first, ".standfirst") == ("7 briefs, newest first. Page 1 of 4: briefs 1 to 2.")
    assert text(first, "title") == "Briefs, page 1 of 4 · Test Briefing"
    pager = one(first, "nav.pager")
    assert [a.text() for a in pager.css("a")] == ["1", "2", "3", "4", "Older →"]
    assert href(pager, "a[aria-current=page]") == "/briefs/"
    assert href(pager, "a[rel=next]") == "/briefs/page/2/"
    assert pager.css_first("a[rel=prev]") is None

    last = html(project, "briefs/page/4/index.html")
    assert text(last, ".standfirst").endswith("Page 4 of 4: briefs 7 to 7.")
    assert href(last, "nav.pager a[rel=prev]") == "/briefs/page/3/"
    assert last.css_first("nav.pager a[rel=next]") is None
    assert text(last, "nav.pager a[aria-current=page]") == "4"
    # Every brief is listed once over all pages, newest first.
    titles = [
        a.text()
        for rel in ["briefs/index.html", *(f"briefs/page/{n}/index.html" for n in (2, 3, 4))]
        for a in html(project, rel).css(".card-title a")
    ]
    assert titles[:2] == ["Brief 4", "Brief 3"]
    assert len(titles) == len(set(titles)) == 7
    assert not (project.out / "briefs/page/1").exists()
    assert not (project.out / "briefs/page/5").exists()


def test_a_small_site_has_one_index_page_and_no_pager(project: Project) -> None:
    project.build()
    page = html(project, "briefs/index.html")
    assert page.css_first("nav.pager") is None
    assert text(page, ".standfirst") == "2 briefs, newest first."
    assert text(page, "title") == "Briefs · Test Briefing"
    assert not (project.out / "briefs/page").exists()


def test_timeline_has_a_page_per_year_and_none_for_empty_years(project: Project) -> None:
    paged_project(project)
    project.build()
    years = sorted(p.name for p in (project.out / "timeline").iterdir() if p.is_dir())
    assert years == ["1991", "2015", "2017"]  # nothing for the 25 years without entries
    overview = html(project, "timeline/index.html")
    listed = [(href(li, "a"), text(li, ".meta")) for li in overview.css("nav.timeline-years li")]
    assert listed == [
        ("/timeline/1991/", "1 event"),
        ("/timeline/2015/", "1 event"),
        ("/timeline/2017/", "1 event, 7 briefs"),
    ]
    # The overview stays bounded: the latest 3 entries only.
    assert len(overview.css(".timeline-entries > li")) == 3
    assert text(overview, ".standfirst") == (
        "The latest 3 of 10 events and briefs, in date order. Every year has a page of its own."
    )

    year = html(project, "timeline/2015/index.html")
    assert text(year, "h1") == "2015"
    assert text(year, ".timeline-month") == "During 2015"
    assert text(year, ".entry-title") == "A year-long thaw"
    assert href(year, "a[rel=prev]") == "/timeline/1991/"
    assert href(year, "a[rel=next]") == "/timeline/2017/"
    assert html(project, "timeline/1991/index.html").css_first("a[rel=prev]") is None
    assert len(html(project, "timeline/2017/index.html").css(".timeline-entries > li")) == 8


def test_paged_site_has_no_broken_link_and_no_orphan(project: Project) -> None:
    paged_project(project, briefs=30, size=2)  # 16 pages: the pager leaves most out
    project.build()
    report = check_project(project.root, project.out)
    assert report.problems == []
    pager = one(html(project, "briefs/page/8/index.html"), "nav.pager")
    assert [a.text() for a in pager.css("a")] == [
        "← Newer", "1", "6", "7", "8", "9", "10", "16", "Older →",
    ]  # fmt: skip
    assert len(pager.css(".pager-gap")) == 2


def test_brief_id_page_is_reserved(project: Project) -> None:
    project.write("content/briefs/page.md", BRIEF.format(n=0, date="2017-02-01"))
    result = project.cli("build")
    assert result.exit_code == 1
    assert (
        "content/briefs/page.md:1:1: error: brief id 'page' is taken by the pages of the brief "
        "index (/briefs/page/2/) (rename the file, e.g. to 'page-brief.md')"
    ) in result.output


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_title_edit_rewrites_a_bounded_set_of_listing_pages(tmp_path: Path) -> None:
    project = tmp_path / "p300"
    generate(project, 300)
    config = project / "briefgen.toml"
    config.write_text(config.read_text() + "\n[paging]\nbriefs = 10\ntimeline = 20\n")
    rebuilder = Rebuilder(project, tmp_path / "preview", drafts=False)
    rebuilder.full()
    index_pages = {p for p in rebuilder.deps if re.fullmatch(r"briefs/(page/\d+/)?index.html", p)}
    assert len(index_pages) == 30
    # A brief in the middle of the archive: not on the first index page, not the latest year.
    brief_id = list(rebuilder.site.briefs)[155] if rebuilder.site else ""
    node = rebuilder.site.briefs[brief_id] if rebuilder.site else None
    assert node is not None
    path = project / "content/briefs" / f"{brief_id}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(node.brief.title, "A retitled brief", 1), encoding="utf-8")
    before = _tree(rebuilder.out)
    rebuilder.update([path])
    after = _tree(rebuilder.out)
    # Pages only: the search index is made whole again (Pagefind has no partial update);
    # the clean build below compares it with the rest.
    rewritten = {
        rel for rel in after if before.get(rel) != after[rel] and not rel.startswith("pagefind/")
    }
    assert any(rel.startswith("pagefind/") and before.get(rel) != after[rel] for rel in after)

    assert rewritten & index_pages == {"briefs/page/16/index.html"}
    year_pages = {rel for rel in rewritten if rel.startswith("timeline/")}
    event_years = {f"timeline/{e.date.year:04d}/index.html" for e in node.events}
    assert year_pages <= {f"timeline/{node.brief.date.year:04d}/index.html", *event_years}
    assert f"timeline/{node.brief.date.year:04d}/index.html" in year_pages
    assert "A retitled brief" in after["briefs/page/16/index.html"].decode()
    # Bounded: the brief, the pages listing it (its actors, tags, sources, related briefs), one
    # index page, its years and the home page; not every listing page of the site.
    assert len(rewritten) < 60
    clean = tmp_path / "clean"
    build(project, clean, fingerprint=False)
    assert _tree(clean) == after


def _update_matches_a_clean_build(project: Project, rebuilder: Rebuilder, rel: str) -> set[str]:
    """Apply an edit through the preview's rebuilder; its output must equal a clean build's."""
    before = _tree(rebuilder.out)
    rebuilder.update([project.root / rel])
    after = _tree(rebuilder.out)
    clean = project.root.parent / "clean"
    build(project.root, clean, fingerprint=False)
    assert _tree(clean) == after
    return {rel for rel in after if before.get(rel) != after[rel]}


def test_a_brief_moving_far_shifts_the_pages_between(project: Project, tmp_path: Path) -> None:
    paged_project(project)  # 7 briefs, 2 a page: Brief 4 is the newest
    rel = "content/briefs/extra-4.md"
    # Brief 4 shares no actor with pages 2 and 3, whose cards show only Russia.
    text = (project.root / rel).read_text(encoding="utf-8").replace("russia", "donald-trump")
    project.write(rel, text.replace("[[Russia]]", "[[Trump]]"))
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    project.write(rel, text.replace("[[Russia]]", "[[Trump]]").replace("2017-02-05", "2016-01-05"))
    rewritten = _update_matches_a_clean_build(project, rebuilder, rel)
    # Every index page's window moved by one, though no brief on page 2 or 3 changed.
    assert {"briefs/page/2/index.html", "briefs/page/3/index.html"} <= rewritten
    assert "timeline/2016/index.html" in rewritten  # a year page that is new


def test_a_title_edit_in_the_latest_entries_rewrites_the_overview(
    project: Project, tmp_path: Path
) -> None:
    paged_project(project)
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    rel = "content/briefs/extra-4.md"
    text = (project.root / rel).read_text(encoding="utf-8")
    project.write(rel, text.replace("title: Brief 4", "title: Brief four"))
    rewritten = _update_matches_a_clean_build(project, rebuilder, rel)
    assert "timeline/index.html" in rewritten
    assert "Brief four" in project.root.parent.joinpath("clean/timeline/index.html").read_text()
    # Older years and index pages that do not list it are left alone.
    assert not {"timeline/1991/index.html", "briefs/page/2/index.html"} & rewritten


def test_a_tags_briefs_are_paged_as_the_index_is(project: Project) -> None:
    paged_project(project, briefs=0)  # pages of 2
    for n in range(5):
        project.write(
            f"content/briefs/wire-{n}.md",
            BRIEF.format(n=n, date=dt.date(2017, 3, 1) + dt.timedelta(days=n)).replace(
                "actors: [russia]\n", "actors: [russia]\ntags: [wire]\n"
            ),
        )
    project.build()
    first = html(project, "tags/wire/index.html")
    assert text(first, "title") == "Tag: wire, page 1 of 3 · Test Briefing"
    assert text(first, ".standfirst") == "5 briefs, newest first. Page 1 of 3: briefs 1 to 2."
    assert href(first, "nav.pager a[rel=next]") == "/tags/wire/page/2/"
    last_page = "tags/wire/page/3/index.html"
    last = html(project, last_page)
    assert href(last, "nav.pager a[rel=prev]") == "/tags/wire/page/2/"
    titles = [
        a.text()
        for rel in ("tags/wire/index.html", "tags/wire/page/2/index.html", last_page)
        for a in html(project, rel).css(".card-title a")
    ]
    assert titles == ["Brief 4", "Brief 3", "Brief 2", "Brief 1", "Brief 0"]
    assert not (project.out / "tags/wire/page/4").exists()
    # A tag with fewer briefs than a page has one page and no pager.
    small = html(project, "tags/sanctions/index.html")
    assert small.css_first("nav.pager") is None
    assert not (project.out / "tags/sanctions/page").exists()
