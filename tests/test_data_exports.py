"""The open data exports under /data/: each parsed with the standard reader for its format
(json and the CSL-JSON schema, csv, networkx's GEXF and GraphML readers) and checked
against the content it comes from."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx
import pytest

from briefgen.build import FullBuild, full_build
from briefgen.headers import read_header_rules
from briefgen.model import CSL_TYPES
from briefgen.rebuild import Rebuilder
from briefgen.site import Site

from .conftest import REPO, Project
from .csl_schema import SCHEMA
from .test_rebuild import written_by

EXPORTS = {
    "sources.json",
    "timeline.json",
    "briefs.json",
    "actors.json",
    "actors.csv",
    "statements.json",
    "statements.csv",
    "citations.json",
    "citations.csv",
    "events.csv",
    "network.json",
    "network.gexf",
    "network.graphml",
    "index.html",
}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullBuild]:
    """The repository's example briefing, built once, with the site it was built from."""
    out = tmp_path_factory.mktemp("example") / "site"
    yield full_build(REPO, out)


def _json(built: FullBuild, name: str) -> Any:
    return json.loads((built.result.out / "data" / name).read_text(encoding="utf-8"))


def _csv(built: FullBuild, name: str) -> list[dict[str, str]]:
    raw = (built.result.out / "data" / name).read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def _page_ids(out: Path, url: str, origin: str) -> set[str]:
    """The element ids of the page a URL of the site points at."""
    path = url.removeprefix(origin).split("#")[0].lstrip("/")
    html = (out / path / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_every_export_is_written(example: FullBuild) -> None:
    assert {p.name for p in (example.result.out / "data").iterdir()} == EXPORTS
    for actor_id in example.site.actors:
        assert (example.result.out / "actors" / actor_id / "timeline.json").is_file()


def test_sources_are_valid_csl_json_with_the_readme_mapping(example: FullBuild) -> None:
    items = _json(example, "sources.json")
    jsonschema.validate(items, SCHEMA)
    site = example.site
    assert [item["id"] for item in items] == sorted(site.sources)
    for item in items:
        source = site.sources[item["id"]].source
        assert item["title"] == source.title
        assert item["type"] == CSL_TYPES[source.kind]
        assert item.get("container-title", "") == source.publication
        assert item.get("URL", "") == source.url
        if source.published:
            published = source.published
            assert item["issued"] == {
                "date-parts": [[published.year, published.month, published.day]]
            }
        names = [a.get("literal") or f"{a['family']}, {a['given']}" for a in item.get("author", [])]
        assert names == list(source.authors)


def test_the_schema_rejects_what_is_not_csl_json(example: FullBuild) -> None:
    items = _json(example, "sources.json")
    for broken in (
        [{**items[0], "kind": "news"}],  # not a CSL variable
        [{**items[0], "type": "newspaper"}],  # not a CSL type
        [{**items[0], "author": [{"name": "Alec Luhn"}]}],  # not a part of a CSL name
        [{k: v for k, v in items[0].items() if k != "id"}],
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def _timeline_count(site: Site) -> int:
    return sum(len(month.entries) for group in site.timeline for month in group.months)


def _check_timeline(document: dict[str, Any], site: Site, headline: str) -> None:
    """The shape TimelineJS reads: a title slide and events with a start date and text."""
    assert document["title"]["text"]["headline"] == headline
    titles = {node.brief.title for node in site.briefs.values()}
    for event in document["events"]:
        date = event["start_date"]
        assert set(date) <= {"year", "month", "day"} and re.fullmatch(r"\d{4}", date["year"])
        assert 1 <= int(date.get("month", 1)) <= 12 and 1 <= int(date.get("day", 1)) <= 31
        assert event["text"]["headline"] and "Read the brief" in event["text"]["text"]
        assert event["group"] in titles
    ids = [event["unique_id"] for event in document["events"]]
    assert len(set(ids)) == len(ids)


def test_timeline_is_timelinejs_with_every_event_and_brief(example: FullBuild) -> None:
    site = example.site
    document = _json(example, "timeline.json")
    _check_timeline(document, site, "Astana Watch")
    assert len(document["events"]) == _timeline_count(site)
    briefs = [e for e in document["events"] if e["unique_id"].startswith("brief-")]
    assert len(briefs) == len(site.briefs)
    events = sum(len(node.brief.events) for node in site.briefs.values())
    assert len(document["events"]) - len(briefs) == events
    # An event's text links its actors' and sources' pages, and it is grouped by its brief.
    entry = next(
        e for group in site.timeline for m in group.months for e in m.entries if not e.is_brief
    )
    shown = next(e for e in document["events"] if e["text"]["headline"] == entry.title)
    for actor_id in entry.actors:
        assert f'href="https://briefgen.netlify.app/actors/{actor_id}/"' in shown["text"]["text"]
    for source_id in entry.sources:
        assert f'href="https://briefgen.netlify.app/sources/{source_id}/"' in shown["text"]["text"]
    assert shown["group"] == site.briefs[entry.brief_id].brief.title


def test_each_actor_has_a_timeline_of_its_own(example: FullBuild) -> None:
    site = example.site
    for actor_id, node in site.actors.items():
        path = example.result.out / "actors" / actor_id / "timeline.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        _check_timeline(document, site, f"{node.actor.name}: Astana Watch")
        count = sum(len(month.entries) for group in node.timeline for month in group.months)
        assert len(document["events"]) == count


def test_briefs_json_lists_every_brief(example: FullBuild) -> None:
    rows = _json(example, "briefs.json")
    site = example.site
    assert [row["id"] for row in rows] == sorted(site.briefs)
    for row in rows:
        node = site.briefs[row["id"]]
        assert row["title"] == node.brief.title
        assert row["date"] == node.brief.date.isoformat()
        assert row["actors"] == list(node.actors)
        assert row["url"] == "https://briefgen.netlify.app" + node.url


def test_actors_json_and_csv_agree_with_the_content(example: FullBuild) -> None:
    site = example.site
    rows = _json(example, "actors.json")
    table = _csv(example, "actors.csv")
    assert [row["id"] for row in rows] == [row["id"] for row in table] == sorted(site.actors)
    for row, line in zip(rows, table, strict=True):
        node = site.actors[row["id"]]
        assert row["kind"] == line["kind"] == node.actor.kind
        assert row["name"] == line["name"] == node.actor.name
        assert row["briefs"] == int(line["briefs"]) == len(node.briefs)
        assert row["affiliation"] == line["affiliation"] == (node.affiliation or "")


def test_statements_say_who_said_what_where(example: FullBuild) -> None:
    site = example.site
    rows = _json(example, "statements.json")
    table = _csv(example, "statements.csv")
    expected = [
        (brief_id, s.actor_id, s.source_id, s.locator)
        for brief_id, node in sorted(site.briefs.items())
        for s in node.body.statements
    ]
    assert expected, "the example briefing quotes someone"
    assert [(r["brief"], r["actor"], r["source"], r["locator"]) for r in rows] == expected
    assert [(r["brief"], r["actor"], r["source"], r["locator"]) for r in table] == expected
    assert [r["text"] for r in rows] == [r["text"] for r in table]
    for row in rows:
        assert row["text"] and "<" not in row["text"]
        anchor = row["url"].split("#")[1]
        assert anchor in _page_ids(example.result.out, row["url"], "https://briefgen.netlify.app")


def test_citations_point_at_their_sentence(example: FullBuild) -> None:
    site = example.site
    rows = _json(example, "citations.json")
    table = _csv(example, "citations.csv")
    expected = [
        (brief_id, c.source_id, c.number, c.locator)
        for brief_id, node in sorted(site.briefs.items())
        for c in node.body.citations
    ]
    assert [(r["brief"], r["source"], r["number"], r["locator"]) for r in rows] == expected
    assert [(r["brief"], r["source"], int(r["number"]), r["locator"]) for r in table] == expected
    for row in rows:
        anchor = row["url"].split("#")[1]
        assert anchor in _page_ids(example.result.out, row["url"], "https://briefgen.netlify.app")


def test_events_csv_lists_the_events(example: FullBuild) -> None:
    site = example.site
    table = _csv(example, "events.csv")
    events = [e for g in site.timeline for m in g.months for e in m.entries if not e.is_brief]
    assert [(r["date"], r["title"], r["brief"]) for r in table] == [
        (e.date.edtf, e.title, e.brief_id) for e in events
    ]
    assert [r["actors"].split() for r in table] == [list(e.actors) for e in events]


def _edges(g: Any) -> set[tuple[str, str, int]]:
    return {(*sorted((a, b)), int(w)) for a, b, w in g.edges(data="weight")}


def test_network_json_gexf_and_graphml_hold_the_same_graph(example: FullBuild) -> None:
    site = example.site
    document = _json(example, "network.json")
    nodes = {node["id"]: node for node in document["nodes"]}
    assert sorted(nodes) == sorted(site.actors)
    for actor_id, node in nodes.items():
        assert node["kind"] == site.actors[actor_id].actor.kind
        assert node["briefs"] == len(site.actors[actor_id].briefs)
    edges = {(*sorted((e["source"], e["target"])), e["weight"]) for e in document["edges"]}
    co_mentions = {
        (*sorted((actor_id, other)), count)
        for actor_id, node in site.actors.items()
        for other, count in node.co_mentions
    }
    assert edges == co_mentions and edges
    gexf = nx.read_gexf(example.result.out / "data" / "network.gexf")
    graphml = nx.read_graphml(example.result.out / "data" / "network.graphml")
    for g in (gexf, graphml):
        assert sorted(g.nodes) == sorted(nodes)
        assert _edges(g) == edges
        for actor_id in g.nodes:
            assert g.nodes[actor_id]["kind"] == nodes[actor_id]["kind"]
            assert int(g.nodes[actor_id]["briefs"]) == nodes[actor_id]["briefs"]
    assert "lastmodifieddate" not in (example.result.out / "data" / "network.gexf").read_text()


def test_open_data_page_links_each_file_and_is_linked_from_every_page(example: FullBuild) -> None:
    out = example.result.out
    page = (out / "data" / "index.html").read_text(encoding="utf-8")
    for name in EXPORTS - {"index.html"}:
        assert f'href="/data/{name}"' in page
    assert 'href="/data/"' in (out / "index.html").read_text(encoding="utf-8")


def test_a_sub_path_site_links_under_its_path(project: Project) -> None:
    config = project.root / "briefgen.toml"
    config.write_text('title = "Vienna"\nbase_url = "https://example.org/vienna/"\n')
    project.build()
    data = project.out / "data"
    for row in json.loads((data / "citations.json").read_text()):
        assert row["url"].startswith("https://example.org/vienna/briefs/")
    timeline = (data / "timeline.json").read_text()
    assert "https://example.org/vienna/actors/russia/" in timeline
    assert 'href="/vienna/data/sources.json"' in (data / "index.html").read_text()
    assert 'href="/vienna/data/"' in project.page("index.html")


def test_csv_quotes_commas_quotes_and_line_ends(project: Project) -> None:
    project.write(
        "content/briefs/quoting.md",
        """
        ---
        title: Quoting
        date: 2017-01-18
        summary: A quote with the characters CSV must quote.
        ---

        > We said "no", then, after a pause, "yes".
        >
        > -- [[sergei-lavrov]] [@ft-2017-01-17, p. 3, col. 2]
        """,
    )
    project.build()
    raw = (project.out / "data" / "statements.csv").read_bytes()
    assert raw.startswith(b"brief,actor,source,locator,text,url\r\n")
    assert b'"We said ""no"", then, after a pause, ""yes""."' in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    quoted = next(row for row in rows if row["brief"] == "quoting")
    assert quoted["text"] == 'We said "no", then, after a pause, "yes".'
    assert quoted["locator"] == "p. 3, col. 2"


def test_data_can_be_turned_off(project: Project) -> None:
    config = project.root / "briefgen.toml"
    config.write_text(config.read_text() + "\n[data]\nenabled = false\n")
    project.build()
    assert not (project.out / "data").exists()
    assert not (project.out / "actors" / "russia" / "timeline.json").exists()
    assert "Open data" not in project.page("index.html")
    assert (project.out / "actors" / "network" / "index.html").is_file()


def test_a_body_edit_rewrites_no_export_unless_it_shows_the_change(
    project: Project, tmp_path: Path
) -> None:
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    path = "content/briefs/sanctions.md"
    text = (project.root / path).read_text()
    # Prose above the citation: every citation moves down a line, no export shows that.
    project.write(
        path, text.replace("[[sergei-lavrov]] said", "A new line.\n\n[[sergei-lavrov]] said")
    )
    rewritten = written_by(rebuilder, project, path)
    # The Atom feeds carrying the brief carry its body, so they change too; no export does.
    assert {r for r in rewritten if not r.endswith("feed.xml")} == {"briefs/sanctions/index.html"}
    # A locator: the citations (and the pages showing the citation) change, not the rest.
    text = (project.root / path).read_text()
    project.write(path, text.replace("para. 14", "para. 15"))
    rewritten = written_by(rebuilder, project, path)
    assert {r for r in rewritten if r.startswith("data/")} == {
        "data/citations.json",
        "data/citations.csv",
    }


def test_other_sites_may_fetch_the_exports() -> None:
    # A TimelineJS embed on another site fetches timeline.json; pages stay same-origin.
    rules = read_header_rules(REPO)
    for path in ("/data/timeline.json", "/data/sources.json", "/actors/russia/timeline.json"):
        assert rules.for_path(path).get("Access-Control-Allow-Origin") == "*", path
    assert "Access-Control-Allow-Origin" not in rules.for_path("/actors/russia/")
