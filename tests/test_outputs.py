"""Feeds, the sitemap, robots.txt and link previews, read back as their readers read them.

Feeds go through feedparser, the sitemap through the sitemaps.org schema (xmlschema),
and the structured data and OpenGraph tags through extruct: each test checks what a
feed reader, a crawler or a link preview would take from the built site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import extruct
import feedparser
import pytest
import xmlschema

from briefgen.build import build
from briefgen.errors import ContentError
from briefgen.outputs import sitemap
from briefgen.rebuild import Rebuilder

from .conftest import Project

SCHEMAS = Path(__file__).parent / "schemas"
SUB = "https://example.org/vienna/"


def _config(project: Project, base_url: str = SUB, extra: str = "") -> None:
    project.write("briefgen.toml", f'title = "Test Briefing"\nbase_url = "{base_url}"\n{extra}')


def _brief(
    project: Project, name: str, date: str, actors: str, *, extra: str = "", body: str = ""
) -> None:
    project.write(
        f"content/briefs/{name}.md",
        f"---\ntitle: Brief {name}\ndate: {date}\nsummary: About {name}.\n{extra}---\n\n"
        f"{body or f'{actors} met [@ft-2017-01-17].'}\n",
    )


def _feed(out: Path, rel: str) -> Any:
    parsed = feedparser.parse((out / rel).read_bytes())
    assert not parsed.bozo, f"{rel}: {parsed.get('bozo_exception')}"
    assert parsed.version == "atom10"
    return parsed


def _structured(out: Path, rel: str, url: str) -> dict[str, Any]:
    html = (out / rel).read_text(encoding="utf-8")
    found: dict[str, Any] = extruct.extract(
        html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True
    )
    return found


def _nodes(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The JSON-LD nodes of a page by @id (the graph's named nodes)."""
    nodes: dict[str, dict[str, Any]] = {}
    for block in found["json-ld"]:
        for node in block.get("@graph", [block]):
            if "@id" in node:
                nodes[node["@id"]] = node
    return nodes


def test_every_feed_of_the_example_parses_cleanly(example_site: Path) -> None:
    feeds = sorted(example_site.rglob("feed.xml"))
    assert len(feeds) > 30  # the site's, and one per actor, tag and source
    for feed in feeds:
        _feed(example_site, feed.relative_to(example_site).as_posix())
    home = _feed(example_site, "feed.xml")
    assert [e.title for e in home.entries][:1] == [
        "Russia invites the incoming Trump administration to Syria talks in Astana"
    ]


def test_an_actors_feed_lists_exactly_the_briefs_that_mention_it_newest_first_capped(
    project: Project,
) -> None:
    _config(project, extra="[feeds]\nentries = 3\n")
    # Five more briefs; three mention Lavrov besides the fixture's two, one does not.
    _brief(project, "a", "2017-02-01", "[[Lavrov]]")
    _brief(project, "b", "2017-03-01", "[[russia]]")
    _brief(project, "c", "2017-04-01", "[[sergei-lavrov]] and [[Trump]]")
    # d and e are older than the source every other brief cites: they cite none.
    _brief(project, "d", "2016-05-01", "[[Lavrov]]", body="[[Lavrov]] met.")
    _brief(project, "e", "2017-01-10", "[[donald-trump]]", body="[[donald-trump]] met.")
    project.build(strict=True)
    lavrov = _feed(project.out, "actors/sergei-lavrov/feed.xml")
    # Newest first: c (Apr), a (Feb), invitation (17 Jan); then sanctions (16 Jan), d: capped.
    assert [e.link for e in lavrov.entries] == [
        f"{SUB}briefs/c/",
        f"{SUB}briefs/a/",
        f"{SUB}briefs/invitation/",
    ]
    trump = _feed(project.out, "actors/donald-trump/feed.xml")
    # c, invitation, sanctions (16 Jan); e (10 Jan) is the fourth: capped.
    assert [e.link for e in trump.entries] == [
        f"{SUB}briefs/c/",
        f"{SUB}briefs/invitation/",
        f"{SUB}briefs/sanctions/",
    ]
    site = _feed(project.out, "feed.xml")
    assert [e.link.rsplit("/", 2)[1] for e in site.entries] == ["c", "b", "a"]
    tag = _feed(project.out, "tags/sanctions/feed.xml")
    assert [e.link for e in tag.entries] == [f"{SUB}briefs/sanctions/"]
    cited = _feed(project.out, "sources/ft-2017-01-17/feed.xml")
    assert [e.link.rsplit("/", 2)[1] for e in cited.entries] == ["c", "b", "a"]


def test_feed_entries_carry_dates_authors_summary_and_an_absolute_body(project: Project) -> None:
    _config(project)
    _brief(
        project,
        "revised",
        "2017-02-01",
        "",
        extra="updated: 2017-03-05\nauthors: [sergei-lavrov, A desk]\n",
        body="[[russia]] spoke [@ft-2017-01-17, para. 2]; see [the other](/briefs/invitation/)"
        " and [a note](#x).",
    )
    project.build(strict=True)
    feed = _feed(project.out, "actors/russia/feed.xml")
    assert feed.feed.link == f"{SUB}actors/russia/"
    assert feed.feed.id == f"{SUB}actors/russia/feed.xml"
    entry = feed.entries[0]
    assert entry.id == f"{SUB}briefs/revised/"
    assert entry.published == "2017-02-01T00:00:00Z"
    assert entry.updated == "2017-03-05T00:00:00Z"
    assert feed.feed.updated == "2017-03-05T00:00:00Z"
    assert [a.name for a in entry.authors] == ["Sergei Lavrov", "A desk"]
    assert entry.authors[0].href == f"{SUB}actors/sergei-lavrov/"
    assert entry.summary == "About revised."
    body = entry.content[0].value
    links = re.findall(r'href="([^"]*)"', body)
    assert links, body
    assert f"{SUB}briefs/invitation/" in links
    assert f"{SUB}briefs/revised/#x" in links
    assert f"{SUB}actors/russia/" in links
    assert all(link.startswith(SUB) for link in links), links
    # An entry without `updated` is updated when it was published.
    older = _feed(project.out, "feed.xml").entries[-1]
    assert older.id == f"{SUB}briefs/sanctions/"
    assert older.published == older.updated == "2017-01-16T00:00:00Z"


def test_entry_ids_survive_a_rebuild_and_an_edit(project: Project, tmp_path: Path) -> None:
    project.build()
    first = [e.id for e in _feed(project.out, "feed.xml").entries]
    path = "content/briefs/sanctions.md"
    text = (project.root / path).read_text()
    project.write(path, text.replace("title: Lavrov on sanctions", "title: Lavrov, again"))
    build(project.root, tmp_path / "again")
    again = _feed(tmp_path / "again", "feed.xml")
    assert [e.id for e in again.entries] == first
    assert "Lavrov, again" in [e.title for e in again.entries]


def test_pages_advertise_their_feeds_and_the_entity_pages_a_follow_link(
    project: Project,
) -> None:
    _config(project)
    project.build()
    site_feed = f'<link rel="alternate" type="application/atom+xml" href="{SUB}feed.xml"'
    for rel in ("index.html", "briefs/sanctions/index.html", "about/index.html"):
        assert site_feed in project.page(rel)
    for folder in ("actors/sergei-lavrov", "tags/sanctions", "sources/ft-2017-01-17"):
        page = project.page(f"{folder}/index.html")
        assert f'href="{SUB}{folder}/feed.xml"' in page
        follow = re.search(r'<p class="follow"><a href="([^"]+)"[^>]*>Follow', page)
        assert follow is not None and follow[1] == f"/vienna/{folder}/feed.xml"
        assert (project.out / folder / "feed.xml").is_file()


def _sitemap_urls(out: Path, rel: str = "sitemap.xml") -> dict[str, str]:
    schema = xmlschema.XMLSchema(SCHEMAS / "sitemap.xsd")
    schema.validate(str(out / rel))
    decoded: Any = schema.to_dict(str(out / rel))
    return {url["loc"]: url.get("lastmod", "") for url in decoded["url"]}


def _pages(out: Path, prefix: str) -> set[str]:
    """Every page a reader can land on, as a crawler would ask for it."""
    return {
        prefix + p.relative_to(out).as_posix().removesuffix("index.html")
        for p in out.rglob("*.html")
        if p.name == "index.html"
    }


def test_the_sitemap_lists_every_page_with_dates_from_the_content(project: Project) -> None:
    _config(project)
    _brief(project, "revised", "2017-02-01", "[[russia]]", extra="updated: 2017-03-05\n")
    project.build(strict=True)
    urls = _sitemap_urls(project.out)
    assert set(urls) == _pages(project.out, SUB)
    assert urls[f"{SUB}briefs/revised/"] == "2017-03-05"
    assert urls[f"{SUB}briefs/sanctions/"] == "2017-01-16"
    assert urls[SUB] == urls[f"{SUB}briefs/"] == "2017-03-05"
    robots = (project.out / "robots.txt").read_text()
    assert f"Sitemap: {SUB}sitemap.xml" in robots.splitlines()


def test_the_example_sitemap_is_valid(example_site: Path) -> None:
    urls = _sitemap_urls(example_site)
    assert set(urls) == _pages(example_site, "https://briefgen.netlify.app/")


def test_past_the_limit_the_sitemap_is_an_index_of_sitemaps(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemap, "LIMIT", 5)
    _config(project)
    project.build()
    index = xmlschema.XMLSchema(SCHEMAS / "siteindex.xsd")
    index.validate(str(project.out / "sitemap.xml"))
    decoded: Any = index.to_dict(str(project.out / "sitemap.xml"))
    parts = [item["loc"] for item in decoded["sitemap"]]
    assert len(parts) > 1
    found: dict[str, str] = {}
    for url in parts:
        rel = url.removeprefix(SUB)
        listed = _sitemap_urls(project.out, rel)
        assert len(listed) <= 5
        found |= listed
    assert set(found) == _pages(project.out, SUB)


def test_a_writers_robots_txt_wins(project: Project) -> None:
    project.write("static/robots.txt", "User-agent: *\nDisallow: /drafts/\n")
    project.build(strict=True)
    assert (project.out / "robots.txt").read_text() == "User-agent: *\nDisallow: /drafts/\n"
    assert (project.out / "sitemap.xml").is_file()


def test_without_a_host_feeds_and_sitemap_are_left_out_with_a_note(project: Project) -> None:
    _config(project, base_url="/vienna/")
    result = project.cli("build", "--out", str(project.out), "--strict")
    assert result.exit_code == 0, result.output
    assert (
        "note: base_url '/vienna/' names no host, so Atom feeds and sitemap.xml and robots.txt "
        "are not written: they need absolute URLs "
        '(set base_url = "https://your.host/" in briefgen.toml)'
    ) in result.stderr.splitlines()
    written = {p.name for p in project.out.rglob("*") if p.is_file()}
    assert not written & {"feed.xml", "sitemap.xml", "robots.txt"}
    page = project.page("actors/sergei-lavrov/index.html")
    assert "application/atom+xml" not in page
    assert "Follow" not in page


def test_feeds_can_be_turned_off(project: Project) -> None:
    _config(project, extra="[feeds]\nenabled = false\n")
    result = project.cli("build", "--out", str(project.out))
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output
    assert not list(project.out.rglob("feed.xml"))
    assert "application/atom+xml" not in project.page("index.html")
    assert (project.out / "sitemap.xml").is_file()


def test_a_brief_is_an_analysis_article_about_its_actors_citing_its_sources(
    project: Project,
) -> None:
    _config(project)
    _brief(
        project,
        "revised",
        "2017-02-01",
        "",
        extra="updated: 2017-03-05\nactors: [Lavrov]\nauthors: [donald-trump, A desk]\n",
        body="[[russia]] spoke [@ft-2017-01-17] and [@haaretz-2017-01-17].",
    )
    project.build(strict=True)
    url = f"{SUB}briefs/revised/"
    found = _structured(project.out, "briefs/revised/index.html", url)
    nodes = _nodes(found)
    article = nodes[url]
    assert article["@type"] == "AnalysisNewsArticle"
    assert article["headline"] == "Brief revised"
    assert (article["datePublished"], article["dateModified"]) == ("2017-02-01", "2017-03-05")
    assert [a.get("@id", a["name"]) for a in article["author"]] == [
        f"{SUB}actors/donald-trump/",
        "A desk",
    ]
    assert [a["@id"] for a in article["about"]] == [f"{SUB}actors/sergei-lavrov/"]
    assert [a["@id"] for a in article["mentions"]] == [f"{SUB}actors/russia/"]
    assert article["mentions"][0]["@type"] == "Country"
    cited = {c["@id"]: c for c in article["citation"]}
    assert set(cited) == {f"{SUB}sources/ft-2017-01-17/", f"{SUB}sources/haaretz-2017-01-17/"}
    haaretz = cited[f"{SUB}sources/haaretz-2017-01-17/"]
    assert haaretz["@type"] == "NewsArticle"
    assert haaretz["author"] == [{"@type": "Person", "name": "Alec Luhn"}]
    assert haaretz["publisher"]["name"] == "Haaretz"
    assert haaretz["datePublished"] == "2017-01-17"
    # The article's site and publisher are nodes of the same graph.
    assert nodes[article["isPartOf"]["@id"]]["@type"] == "WebSite"
    assert nodes[article["publisher"]["@id"]]["name"] == "Test Briefing"
    og = dict(found["opengraph"][0])
    assert og["@type"] == "article"
    assert og["og:title"] == "Brief revised"
    assert og["og:description"] == "About revised."
    assert og["og:url"] == url
    assert og["og:site_name"] == "Test Briefing"
    assert og["article:published_time"] == "2017-02-01"
    assert og["article:modified_time"] == "2017-03-05"


def test_an_actor_is_a_person_with_its_aliases_and_links(project: Project) -> None:
    _config(project)
    project.write(
        "content/actors/sergei-lavrov.md",
        "---\nname: Sergei Lavrov\nkind: person\nrole: Foreign Minister of Russia\n"
        "affiliation: russia\naliases: [Lavrov, Сергей Лавров]\n"
        "links:\n  wikipedia: https://en.wikipedia.org/wiki/Sergey_Lavrov\n---\n"
        "Profile [@ft-2017-01-17, para. 2].\n",
    )
    project.build(strict=True)
    url = f"{SUB}actors/sergei-lavrov/"
    found = _structured(project.out, "actors/sergei-lavrov/index.html", url)
    person = _nodes(found)[url]
    assert person["@type"] == "Person"
    assert person["name"] == "Sergei Lavrov"
    assert person["alternateName"] == ["Lavrov", "Сергей Лавров"]
    assert person["sameAs"] == ["https://en.wikipedia.org/wiki/Sergey_Lavrov"]
    assert person["affiliation"]["@id"] == f"{SUB}actors/russia/"
    russia = _nodes(_structured(project.out, "actors/russia/index.html", SUB))
    assert russia[f"{SUB}actors/russia/"]["@type"] == "Country"
    og = dict(found["opengraph"][0])
    assert og["@type"] == "profile"
    assert og["og:title"] == "Sergei Lavrov"
    # The description is the role and the profile's first words, its markers left out.
    assert og["og:description"] == "Sergei Lavrov, Foreign Minister of Russia. Profile."


def test_a_source_is_a_creative_work_with_author_publisher_and_date(project: Project) -> None:
    _config(project)
    project.build(strict=True)
    url = f"{SUB}sources/haaretz-2017-01-17/"
    source = _nodes(_structured(project.out, "sources/haaretz-2017-01-17/index.html", url))[url]
    assert source["@type"] == "NewsArticle"
    assert source["author"] == [{"@type": "Person", "name": "Alec Luhn"}]
    assert source["publisher"] == {"@type": "Organization", "name": "Haaretz"}
    assert source["datePublished"] == "2017-01-17"


def test_every_page_has_a_link_preview(example_site: Path) -> None:
    for page in example_site.rglob("index.html"):
        rel = page.relative_to(example_site).as_posix()
        og = dict(_structured(example_site, rel, "https://briefgen.netlify.app/")["opengraph"][0])
        assert og["og:title"] and og["og:description"], rel
        assert og["og:site_name"] == "Astana Watch"
        expected = "https://briefgen.netlify.app/" + rel.removesuffix("index.html")
        assert og["og:url"] == expected


def _png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A 1x1 PNG: what the file holds is the writer's affair, its place and name are checked.
    path.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
            "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
        )
    )


def test_a_preview_image_from_static(project: Project) -> None:
    _config(project)
    _png(project.root / "static/images/talks.png")
    text = (project.root / "content/briefs/invitation.md").read_text()
    project.write(
        "content/briefs/invitation.md", text.replace("tags:", "image: images/talks.png\ntags:", 1)
    )
    project.build(strict=True)
    url = f"{SUB}briefs/invitation/"
    found = _structured(project.out, "briefs/invitation/index.html", url)
    og = dict(found["opengraph"][0])
    assert og["og:image"] == f"{SUB}images/talks.png"
    assert _nodes(found)[url]["image"] == f"{SUB}images/talks.png"
    assert 'name="twitter:card" content="summary_large_image"' in project.page(
        "briefs/invitation/index.html"
    )
    assert (project.out / "images/talks.png").is_file()


def test_the_preview_reports_a_missing_image_as_the_build_does(
    project: Project, tmp_path: Path
) -> None:
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text().replace("tags:", "image: images/gone.png\ntags:", 1))
    with pytest.raises(ContentError) as caught:
        rebuilder.update([path])
    expected = (
        "content/briefs/sanctions.md:5:8: error: image 'images/gone.png' is not in static/ "
        "(add static/images/gone.png, or fix the path)"
    )
    assert [d.format() for d in caught.value.diagnostics] == [expected]
    with pytest.raises(ContentError) as full:
        build(project.root, tmp_path / "full")
    assert [d.format() for d in full.value.diagnostics] == [expected]
    # The image arrives: the preview takes it and the page shows it.
    _png(project.root / "static/images/gone.png")
    rebuilder.update([project.root / "static/images/gone.png", path])
    assert "images/gone.png" in (tmp_path / "preview/briefs/sanctions/index.html").read_text()
    # And leaves again: the preview says so, as a full build would.
    (project.root / "static/images/gone.png").unlink()
    with pytest.raises(ContentError):
        rebuilder.update([project.root / "static/images/gone.png"])


def _stamp(file: Path) -> tuple[int, int]:
    """Which file is there and when it was written: rendering it again changes this."""
    found = file.stat()
    return found.st_ino, found.st_mtime_ns


def test_a_title_edit_leaves_the_sitemap_alone_a_new_date_does_not(
    project: Project, tmp_path: Path
) -> None:
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    sitemap_file, feed_file = rebuilder.out / "sitemap.xml", rebuilder.out / "feed.xml"
    before, feed_before = _stamp(sitemap_file), _stamp(feed_file)
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text().replace("title: Lavrov on sanctions", "title: Retitled"))
    rebuilder.update([path])
    assert _stamp(sitemap_file) == before, "a title edit re-rendered the sitemap"
    assert _stamp(feed_file) != feed_before and "Retitled" in feed_file.read_text()
    path.write_text(path.read_text().replace("tags:", "updated: 2017-02-02\ntags:", 1))
    rebuilder.update([path])
    assert _stamp(sitemap_file) != before
    assert "<lastmod>2017-02-02</lastmod>" in sitemap_file.read_text()


def test_a_body_holding_the_end_of_a_cdata_section_reads_back_whole(project: Project) -> None:
    # The feed carries bodies in CDATA sections; raw HTML may hold the one string that ends one.
    _brief(project, "odd", "2017-02-01", "", body='[[russia]] said <span title="a]]>b">so</span>.')
    project.build()
    entry = _feed(project.out, "actors/russia/feed.xml").entries[0]
    assert entry.id == "https://example.org/briefs/odd/"
    assert 'title="a]]>b"' in entry.content[0].value or 'title="a]]&gt;b"' in entry.content[0].value
    assert "said" in entry.content[0].value and "so</span>" in entry.content[0].value
