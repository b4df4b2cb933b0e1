"""Ids, URLs and output paths: the one mapping between them, tested as tables."""

from __future__ import annotations

import pytest

from briefgen.paths import Urls, base_path_of, is_valid_id, slugify


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("sergei-lavrov", True),
        ("ft-2017-01-17", True),
        ("g20", True),
        ("Sergei-Lavrov", False),
        ("sergei_lavrov", False),
        ("sergei lavrov", False),
        ("-lavrov", False),
        ("", False),
        ("лавров", False),
    ],
)
def test_ids(text: str, valid: bool) -> None:
    assert is_valid_id(text) is valid


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Sergei Lavrov", "sergei-lavrov"),
        ("Сергей Лавров", "sergei-lavrov"),
        ("Russia–US relations", "russia-us-relations"),
        ("  Astana talks ", "astana-talks"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("base_url", "path"),
    [
        ("https://host/briefing/", "/briefing/"),
        ("https://host/briefing", "/briefing/"),
        ("https://host", "/"),
        ("/", "/"),
        ("/sub/", "/sub/"),
    ],
)
def test_base_path(base_url: str, path: str) -> None:
    assert base_path_of(base_url) == path


@pytest.mark.parametrize("base", ["/", "/briefing/"])
def test_urls_and_output_paths(base: str) -> None:
    urls = Urls(base)
    assert urls.page() == base
    assert urls.brief("x") == f"{base}briefs/x/"
    assert urls.actor("a") == f"{base}actors/a/"
    assert urls.source("s") == f"{base}sources/s/"
    assert urls.tag("t") == f"{base}tags/t/"
    assert urls.free_page("about") == f"{base}about/"
    assert urls.file("assets/style.css") == f"{base}assets/style.css"
    assert urls.output_path(urls.page()) == "index.html"
    assert urls.output_path(urls.brief("x")) == "briefs/x/index.html"
    assert urls.output_path(urls.file("404.html")) == "404.html"
    assert urls.output_path(f"{urls.actor('a')}#statements") == "actors/a/index.html"


def test_site_links_go_under_base_path() -> None:
    urls = Urls("/briefing/")
    assert urls.site_link("/actors/x/") == "/briefing/actors/x/"
    assert urls.site_link("//cdn.example/x.js") == "//cdn.example/x.js"
    assert urls.site_link("https://example.org/") == "https://example.org/"
    assert urls.site_link("../x/") == "../x/"
    assert urls.site_link("#ref-1") == "#ref-1"


def test_output_path_refuses_foreign_urls() -> None:
    with pytest.raises(ValueError, match="not under the base path"):
        Urls("/briefing/").output_path("/other/")
