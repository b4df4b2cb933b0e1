"""Search as a reader uses it, in Debian's chromium, under netlify.toml's real policy.

The example briefing is built at the root and under a sub-path, and served from
127.0.0.1 with the headers netlify.toml gives each path: type a name, see the
right results, filter them, follow one. Every Content-Security-Policy violation
is recorded, in the page and in the console, and none is allowed.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import build

from .conftest import REPO
from .serving import ServeProcess
from .test_netlify import headers_for

pytestmark = pytest.mark.browser

_RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The built site at ``prefix``, with netlify.toml's headers on every file."""

    prefix = "/"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        for key, value in headers_for(self.path.split("?")[0]).items():
            self.send_header(key, value)
        super().end_headers()


@pytest.fixture(scope="module", params=["/", "/vienna/"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The example briefing built for ``base_url``'s path, served: its home page's URL."""
    prefix: str = request.param
    root = tmp_path_factory.mktemp("search-site")
    project = root / "project"
    shutil.copytree(REPO / "content", project / "content")
    config = (REPO / "briefgen.toml").read_text(encoding="utf-8")
    config = config.replace('"https://briefgen.netlify.app/"', f'"https://example.org{prefix}"')
    (project / "briefgen.toml").write_text(config, encoding="utf-8")
    out = root / "site"
    build(project, out, strict=True, jobs=1)
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(out))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    server.shutdown()
    server.server_close()


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    page.add_init_script(_RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda exc: console.append(f"page error: {exc}"))
    response = page.goto(url, timeout=15000)
    assert response is not None and response.status == 200
    assert "'wasm-unsafe-eval'" in response.headers["content-security-policy"]
    return page, console


def _results(page: Any) -> list[str]:
    titles: list[str] = page.eval_on_selector_all(
        "#search-results h2 a", "links => links.map(a => a.textContent)"
    )
    return titles


def _clean(page: Any, console: list[str]) -> None:
    assert page.evaluate("window.cspViolations") == []
    assert [m for m in console if "Content Security Policy" in m or "error" in m.lower()] == []


def test_search_a_name_filter_and_follow(browser: Any, served: str) -> None:
    page, console = _open(browser, served)
    # The box in the masthead leads to the search page with the words typed.
    page.fill("#site-search-q", "Lavrov")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=Lavrov", timeout=10000)
    page.wait_for_selector("#search-results li", timeout=15000)
    assert page.is_hidden("#search-without-js")
    titles = _results(page)
    assert "Sergei Lavrov" in titles
    assert "Lavrov on sanctions, nuclear talks and the Trump dossier" in titles
    # A brief's result shows its date and an excerpt with the word found.
    title = page.get_by_role(
        "link", name="Lavrov on sanctions, nuclear talks and the Trump dossier", exact=True
    )
    brief = page.locator("#search-results li").filter(has=title)
    assert "Brief · 17 January 2017" in brief.locator(".kicker-text").text_content()
    assert "Lavrov" in brief.locator(".search-excerpt mark").first.inner_text()

    # Only actors: the briefs go, Lavrov stays.
    page.select_option("#search-filter-kind", "actor")
    page.wait_for_function(
        "() => { const kinds = [...document.querySelectorAll('#search-results .kicker-text')];"
        " return kinds.length > 0 && kinds.every(p => p.textContent.startsWith('Actor')); }",
        timeout=10000,
    )
    titles = _results(page)
    assert "Sergei Lavrov" in titles
    assert "Lavrov on sanctions, nuclear talks and the Trump dossier" not in titles
    assert "kind=actor" in page.url

    # Follow the result: the actor's page, under the site's own path.
    page.click("#search-results a:text-is('Sergei Lavrov')")
    page.wait_for_url(f"{served}actors/sergei-lavrov/", timeout=10000)
    assert page.inner_text("h1") == "Sergei Lavrov"
    _clean(page, console)
    page.close()


def test_an_alias_in_another_script_finds_the_actor(browser: Any, served: str) -> None:
    page, console = _open(browser, served + "search/?q=Лавров")
    page.wait_for_selector("#search-results li", timeout=15000)
    titles = _results(page)
    assert titles[0] == "Sergei Lavrov"
    _clean(page, console)
    page.close()


def test_filters_without_words_and_by_year(browser: Any, served: str) -> None:
    page, console = _open(browser, served + "search/")
    page.wait_for_selector("#search-filters:not([hidden])", timeout=15000)
    actors = page.eval_on_selector_all(
        "#search-filter-actor option", "options => options.map(o => o.value)"
    )
    assert "Sergei Lavrov" in actors and "Сергей Лавров" not in actors
    years = page.eval_on_selector_all(
        "#search-filter-year option", "options => options.map(o => o.value)"
    )
    assert "2017" in years
    page.select_option("#search-filter-actor", "Alexander Lapshin")
    page.wait_for_selector("#search-results li", timeout=10000)
    titles = _results(page)
    assert (
        "Russia moves to block the extradition of blogger Alexander Lapshin from Belarus to Azerbaijan"
        in titles
    )
    assert "Lavrov on sanctions, nuclear talks and the Trump dossier" not in titles
    _clean(page, console)
    page.close()


def test_without_javascript_the_search_page_says_what_to_do(browser: Any, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "search/?q=Lavrov", timeout=15000)
    assert page.is_visible("#search-without-js")
    assert "needs JavaScript" in page.inner_text("#search-without-js")
    assert page.is_visible("#search-without-js a:text-is('actors')")
    context.close()


def test_the_preview_searches_and_follows_edits(browser: Any, tmp_path: Path) -> None:
    """Under the preview's policy, search works once the background index is there, and
    a saved edit is found after the preview indexed again, without a rebuild waiting."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    shutil.copy(REPO / "briefgen.toml", project / "briefgen.toml")
    shutil.copy(REPO / "netlify.toml", project / "netlify.toml")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    server = ServeProcess(project, tmpdir)
    try:
        server.wait_for(r"search index updated: 36 pages")
        page, console = _open(browser, server.url + "search/?q=Лавров")
        page.wait_for_selector("#search-results li", timeout=15000)
        assert _results(page)[0] == "Sergei Lavrov"
        brief = project / "content/briefs/lapshin-extradition.md"
        after = len(server.lines)
        brief.write_text(
            brief.read_text().replace("Sergei Lavrov said", "Sergei Lavrov zugzwanged")
        )
        rebuilt = server.wait_for(r"changed: \d+ written \(incremental\)", after=after)
        assert "search index" not in rebuilt  # the rebuild did not wait for indexing
        server.wait_for(r"search index updated", after=after)
        page.goto(server.url + "search/?q=zugzwanged", timeout=15000)
        page.wait_for_selector("#search-results li", timeout=15000)
        assert _results(page)[0].startswith("Russia moves to block the extradition")
        _clean(page, console)
        page.close()
    finally:
        server.stop()
