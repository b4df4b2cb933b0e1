"""Integration: the repository's own briefing builds strictly and shows every page kind."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from briefgen.build import build
from briefgen.check import SiteChecker

from .conftest import REPO


def html(site: Path, rel: str) -> LexborHTMLParser:
    return LexborHTMLParser((site / rel).read_text(encoding="utf-8"))


def texts(tree: LexborHTMLParser, selector: str) -> list[str]:
    return [node.text(strip=True) for node in tree.css(selector)]


def test_every_page_kind_is_written(example_site: Path) -> None:
    briefs = sorted(p.stem for p in (REPO / "content" / "briefs").glob("*.md"))
    actors = sorted(p.stem for p in (REPO / "content" / "actors").glob("*.md"))
    assert len(briefs) >= 3 and len(actors) >= 15
    expected = [
        "index.html",
        "404.html",
        "briefs/index.html",
        "actors/index.html",
        "sources/index.html",
        "timeline/index.html",
        "tags/index.html",
        "about/index.html",
        "method/index.html",
        *(f"briefs/{b}/index.html" for b in briefs),
        *(f"actors/{a}/index.html" for a in actors),
        "sources/haaretz-2017-01-17/index.html",
        "sources/ft-2017-01-17/index.html",
    ]
    missing = [rel for rel in expected if not (example_site / rel).is_file()]
    assert missing == []
    # The stylesheet carries a hash of its content in its name, and pages link that name.
    (stylesheet,) = (example_site / "assets").glob("style.*.css")
    assert re.fullmatch(r"style\.[0-9a-f]{10}\.css", stylesheet.name)
    assert f'href="/assets/{stylesheet.name}"' in (example_site / "index.html").read_text()


def test_brief_page_has_citations_references_and_statements(example_site: Path) -> None:
    tree = html(example_site, "briefs/astana-invitation/index.html")
    markers = tree.css("a.cite")
    assert len(markers) > 10
    # Every marker points at a reference entry that exists and links back to it.
    ids = {node.attributes["id"] for node in tree.css("[id]")}
    for marker in markers:
        assert (marker.attributes["href"] or "")[1:] in ids
    first = tree.css_first("#ref-1")
    assert first is not None
    backlinks = [a.attributes["href"] for a in first.css(".backlinks a")]
    assert "#cite-1-1" in backlinks
    assert tree.css("figure.statement figcaption a.mention")
    assert texts(tree, "#events-heading") == ["Events"]


def test_actor_page_gathers_briefs_statements_and_companions(example_site: Path) -> None:
    tree = html(example_site, "actors/sergei-lavrov/index.html")
    assert texts(tree, "h1") == ["Sergei Lavrov"]
    mentioned = [a.attributes["href"] for a in tree.css(".brief-list a")]
    assert "/briefs/astana-invitation/" in mentioned
    assert len(tree.css("figure.statement")) >= 3
    assert tree.css(".co-mentions li")
    assert tree.css(".timeline time")


def test_source_page_links_each_citation_to_its_place(example_site: Path) -> None:
    tree = html(example_site, "sources/haaretz-2017-01-17/index.html")
    places = [a.attributes["href"] or "" for a in tree.css(".citation-places a:not(.grade)")]
    assert places, "the source page lists its citations"
    assert all("#cite-" in href for href in places)
    # Each place shows its grade, linked to the legend: the source's B, with the
    # credibility the brief gave the information there (B1: confirmed by the FT too).
    grades = [a.text() for a in tree.css(".citation-places a.grade")]
    assert len(grades) == len(places) and {"B", "B1"} <= set(grades)
    assert {a.attributes["href"] for a in tree.css(".citation-places a.grade")} == {"/grades/"}
    assert tree.body is not None
    assert "Usually reliable" in tree.body.text()


def test_timeline_is_in_date_order(example_site: Path) -> None:
    tree = html(example_site, "timeline/index.html")
    dates = [node.attributes["datetime"] or "" for node in tree.css(".timeline time")]
    assert dates == sorted(dates)
    assert dates[0].startswith("2016-09")
    assert "2017-01-23" in dates


def test_no_broken_internal_link_or_fragment(example_site: Path) -> None:
    """The link-check test: every internal href, src and #fragment of the example resolves."""
    checker = SiteChecker(example_site)
    report, _ = checker.check()
    assert report.pages > 40 and report.links > 1000
    assert [line for p in report.problems for line in p.lines()] == []


def test_example_works_under_a_sub_path(tmp_path: Path) -> None:
    """Published at https://host/briefing/, every internal link still resolves."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    (project / "briefgen.toml").write_text(
        'title = "Astana Watch"\nbase_url = "https://host/briefing/"\n', encoding="utf-8"
    )
    result = build(project, project / "site", strict=True)
    report, _ = SiteChecker(result.out, "/briefing/").check()
    assert [line for p in report.problems for line in p.lines()] == []
    home = (result.out / "index.html").read_text(encoding="utf-8")
    assert 'href="/briefing/briefs/astana-invitation/"' in home
