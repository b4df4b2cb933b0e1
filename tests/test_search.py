"""Search (outputs/search.py, outputs/bundle.py): what the index holds, its settings,
that it is the same bytes whatever the path, and when a warm build indexes again.

What a reader sees in a browser is in test_search_browser.py.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import build
from briefgen.cache import cached_build
from briefgen.config import parse_config
from briefgen.errors import ContentError
from briefgen.headers import search_policy_problems
from briefgen.outputs import bundle
from briefgen.outputs.search import BUNDLE, reindex, searchable
from briefgen.rebuild import Rebuilder
from briefgen.serve.indexing import DEBOUNCE, BackgroundIndexer

from .conftest import Project


def records(site: Path) -> dict[str, dict[str, Any]]:
    """Every page in the index, by URL: its text, filters and metadata, as Pagefind stored them."""
    found = {}
    for file in (site / BUNDLE / "fragment").iterdir():
        data = gzip.decompress(file.read_bytes())
        assert data.startswith(bundle.SIGNATURE)
        record = json.loads(data[len(bundle.SIGNATURE) :])
        found[record["url"]] = record
    return found


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_index_holds_briefs_actors_sources_and_pages_only(project: Project) -> None:
    result = project.build()
    assert result.search is not None and result.search.pages == 8
    indexed = records(project.out)
    assert sorted(indexed) == [
        "/about/",
        "/actors/donald-trump/",
        "/actors/russia/",
        "/actors/sergei-lavrov/",
        "/briefs/invitation/",
        "/briefs/sanctions/",
        "/sources/ft-2017-01-17/",
        "/sources/haaretz-2017-01-17/",
    ]
    # Listings (home, indexes, tags, timeline) and the search page itself are not indexed.
    assert "data-pagefind-body" not in project.page("index.html")
    assert "data-pagefind-body" not in project.page("search/index.html")


def test_a_brief_carries_its_filters_date_and_title(project: Project) -> None:
    project.build()
    brief = records(project.out)["/briefs/sanctions/"]
    assert brief["filters"] == {
        "kind": ["brief"],
        "actor": ["Sergei Lavrov", "Donald Trump"],
        "tag": ["sanctions"],
        "year": ["2017"],
    }
    assert brief["meta"] == {"title": "Lavrov on sanctions", "date": "16 January 2017"}
    # The masthead, the footer and the hidden marks are not the brief's text.
    assert "Test Briefing" not in brief["content"]
    assert "Trump was misread" in brief["content"]


def test_an_actor_is_found_by_its_aliases_in_any_script(project: Project) -> None:
    project.build()
    actor = records(project.out)["/actors/sergei-lavrov/"]
    assert actor["filters"] == {"kind": ["actor"], "actor": ["Sergei Lavrov"]}
    assert "Сергей Лавров" in actor["content"]
    # Pagefind's word index for Cyrillic holds the alias too (its words are in the
    # index chunks, named in the metadata file): a reader's search finds it.
    meta = bundle.read(next((project.out / BUNDLE).glob("*.pf_meta")))
    words = [chunk[:2] for chunk in meta[2]]
    assert any(first <= "лавров" <= last for first, last in words)


def test_the_search_page_and_box_follow_a_sub_path(project: Project) -> None:
    project.write("briefgen.toml", 'title = "T"\nbase_url = "https://example.org/vienna/"\n')
    project.build()
    page = project.page("search/index.html")
    assert 'data-bundle="/vienna/pagefind/"' in page
    assert 'data-base="/vienna/"' in page
    assert '<script type="module" src="/vienna/assets/search.' in page
    home = project.page("index.html")
    assert '<form class="site-search" role="search" action="/vienna/search/" method="get">' in home
    # Pagefind's URLs are the site's paths; the page adds the base path (data-base).
    assert "/briefs/sanctions/" in records(project.out)


def test_without_javascript_the_search_page_points_to_the_indexes(project: Project) -> None:
    project.build()
    page = project.page("search/index.html")
    assert "needs JavaScript" in page
    for section in ("briefs", "actors", "sources", "timeline", "tags"):
        assert f'href="/{section}/"' in page
    # The form works without script: it asks the search page with the words as ?q=.
    assert 'action="/search/" method="get"' in page


def test_search_off_leaves_no_trace(project: Project) -> None:
    project.write(
        "briefgen.toml",
        'title = "T"\nbase_url = "https://example.org/"\n\n[search]\nenabled = false\n',
    )
    result = project.build()
    assert result.search is None
    assert not (project.out / BUNDLE).exists()
    assert not (project.out / "search").exists()
    for page in project.out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "pagefind" not in text and "site-search" not in text, page


def test_settings() -> None:
    assert parse_config('title = "T"\n').search.enabled is True
    off = parse_config('title = "T"\n[search]\nenabled = false\n')
    assert off.search.enabled is False


def test_a_page_may_not_be_named_pagefind(project: Project) -> None:
    project.write("content/pages/pagefind.md", "---\ntitle: Index\n---\n")
    with pytest.raises(ContentError) as caught:
        project.build()
    assert [d.message for d in caught.value.diagnostics] == [
        "page id 'pagefind' is taken by a section of the site"
    ]


def test_the_bundle_is_the_same_bytes_whatever_the_path(project: Project, tmp_path: Path) -> None:
    """Pagefind writes its filter lists in no fixed order; bundle.settle puts them in one."""
    first, second = tmp_path / "one", tmp_path / "other-folder" / "two"
    build(project.root, first, jobs=1)
    build(project.root, second, jobs=2)
    assert tree(first) == tree(second)
    filters = sorted((first / BUNDLE / "filter").iterdir())
    assert len(filters) == 4  # kind, actor, tag, year
    for file in filters:
        name, values = bundle.read(file)
        assert values == sorted(values), name


def test_a_warm_build_indexes_again_only_when_an_indexed_page_changed(
    project: Project, tmp_path: Path
) -> None:
    out, cold = tmp_path / "warm", tmp_path / "cold"
    assert cached_build(project.root, out).search is not None
    # A brief saved again as it was re-renders its pages the same: the index stays.
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text() + "\n")
    result = cached_build(project.root, out)
    assert result.mode == "updated" and result.pages > 0 and result.search is None
    # A brief's text changes: the index is made again and says the new words.
    path.write_text(path.read_text().replace("was misread", "was misquoted"))
    result = cached_build(project.root, out)
    assert result.mode == "updated" and result.search is not None
    assert "was misquoted" in records(out)["/briefs/sanctions/"]["content"]
    build(project.root, cold)
    assert tree(out) == tree(cold)
    # A brief removed leaves the index with it.
    project.remove("content/briefs/invitation.md")
    assert cached_build(project.root, out).search is not None
    assert "/briefs/invitation/" not in records(out)


def test_the_codec_reads_back_what_it_writes() -> None:
    value = ["1.5.2", [["en_abc", 300], ["en_def", 70000]], [], ["date", "title"]]
    data = bundle.SIGNATURE + bundle._encode(value)
    assert bundle._decode(data, len(bundle.SIGNATURE)) == (value, len(data))


def test_settle_leaves_a_layout_it_does_not_know(tmp_path: Path) -> None:
    folder = tmp_path / BUNDLE
    folder.mkdir()
    entry = '{"version":"9","languages":{"en":{"hash":"en_x","page_count":1}}}'
    (folder / "pagefind-entry.json").write_text(entry)
    (folder / "pagefind.en_x.pf_meta").write_bytes(gzip.compress(b"pagefind_dcd\xf5"))
    bundle.settle(folder)
    assert (folder / "pagefind-entry.json").read_text() == entry
    assert sorted(p.name for p in folder.iterdir()) == [
        "pagefind-entry.json",
        "pagefind.en_x.pf_meta",
    ]


def test_searchable_pages_are_those_marked() -> None:
    assert searchable('<article data-pagefind-body class="brief">')
    assert not searchable("<main><h1>Briefs</h1></main>")


@pytest.mark.parametrize(
    ("policy", "warned"),
    [
        ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'", False),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'", False),
        ("default-src 'self' 'wasm-unsafe-eval'", False),
        ("default-src 'self'", True),
        ("default-src 'self' 'wasm-unsafe-eval'; script-src 'self'", True),
        ("img-src 'self'", False),  # nothing restricts scripts
    ],
)
def test_a_policy_that_blocks_search_is_a_warning(
    project: Project, policy: str, warned: bool
) -> None:
    project.write(
        "netlify.toml",
        f'[[headers]]\n  for = "/*"\n  [headers.values]\n    Content-Security-Policy = "{policy}"\n',
    )
    problems = search_policy_problems(project.root)
    assert [(p.path, p.line) for p in problems] == ([("netlify.toml", 4)] if warned else [])
    result = project.build()
    assert len(result.diagnostics) == int(warned)


def test_the_preview_serves_the_last_index_until_the_next(project: Project, tmp_path: Path) -> None:
    site = tmp_path / "preview" / "site"
    rebuilder = Rebuilder(project.root, site, search_now=False)
    assert rebuilder.full().search_stale
    assert not (site / BUNDLE).exists()  # the first index comes from the background
    reindex(site)
    last = tree(site / BUNDLE)
    # A full rebuild (a new setting) and an edit: neither waits for the index, and the
    # last one stays in place meanwhile.
    project.write("briefgen.toml", 'title = "Retitled"\nbase_url = "https://example.org/"\n')
    report = rebuilder.update([project.root / "briefgen.toml"])
    assert report.full and report.search_stale and report.search is None
    assert tree(site / BUNDLE) == last
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text().replace("was misread", "was misquoted"))
    report = rebuilder.update([path])
    assert not report.full and report.search_stale and report.search is None
    assert tree(site / BUNDLE) == last
    # Once indexed again, the preview's site is the build's, bundle and all.
    reindex(site)
    clean = tmp_path / "clean"
    build(project.root, clean, drafts=True, fingerprint=False)
    assert tree(site) == tree(clean)


def test_a_burst_of_requests_indexes_once(project: Project, tmp_path: Path) -> None:
    project.build()
    said: list[str] = []
    indexer = BackgroundIndexer(project.out, said.append, threading.Lock())
    indexer.start()
    try:
        for _ in range(3):
            indexer.request()
            time.sleep(0.1)
        deadline = time.monotonic() + 30
        while indexer.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(DEBOUNCE + 0.3)
        assert indexer.runs == 1
        assert said == [said[0]] and said[0].startswith("search index updated: 8 pages in ")
    finally:
        indexer.stop()
        indexer.join(timeout=10)
    assert not indexer.is_alive()
