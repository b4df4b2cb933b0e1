"""The preview as a writer sees it, in Debian's chromium: edits appear without reloading by hand.

The project publishes with the repository's netlify.toml, so every page here runs under
production's Content-Security-Policy (as the preview adapts it): no violation is allowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefgen.render import THEME

from .conftest import REPO, Project
from .serving import ServeProcess

pytestmark = pytest.mark.browser


@pytest.fixture
def server(project: Project, tmp_path: Path) -> Iterator[ServeProcess]:
    # The project restyles the site with its own copy of the stylesheet.
    css = (THEME / "static" / "style.css").read_text()
    project.write(
        "static/assets/style.css", css + "\nbody { background-color: rgb(250, 250, 250); }\n"
    )
    project.write("netlify.toml", (REPO / "netlify.toml").read_text())
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = ServeProcess(project.root, tmpdir)
    yield process
    process.stop()


# Kept in sessionStorage, so violations on a page that has since reloaded are counted too.
_RECORD_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', e => {
  const seen = JSON.parse(sessionStorage.getItem('violations') || '[]');
  seen.push(e.violatedDirective + ' ' + e.blockedURI);
  sessionStorage.setItem('violations', JSON.stringify(seen));
});
"""


def violations(page: Any) -> list[str]:
    found: list[str] = page.evaluate(
        "() => JSON.parse(sessionStorage.getItem('violations') || '[]')"
    )
    return found


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_page()
    page.add_init_script(_RECORD_VIOLATIONS)
    response = page.goto(url, timeout=15000)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # livereload.js connects over its WebSocket once loaded.
    page.wait_for_function(
        "() => window.LiveReload && window.LiveReload.connector && window.LiveReload.connector._connectionDesired",
        timeout=15000,
    )
    page.wait_for_timeout(300)
    page.evaluate("() => { window.briefgenMarker = 'still here'; }")
    return page


def test_edited_text_appears_without_reloading_by_hand(
    browser: Any, server: ServeProcess, project: Project
) -> None:
    page = open_page(browser, server.url + "briefs/sanctions/")
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text().replace("was misread", "had been misquoted by the press"))
    page.wait_for_selector("text=had been misquoted by the press", timeout=10000)
    assert violations(page) == []
    # The policy is enforced, not only sent: an inline script is refused.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }"
    )
    page.wait_for_function("() => sessionStorage.getItem('violations') !== null", timeout=5000)
    assert page.evaluate("() => window.ran") is None
    assert [v for v in violations(page) if v.startswith("script-src")] != []
    page.close()


def test_broken_mention_shows_error_page_then_page_returns(
    browser: Any, server: ServeProcess, project: Project
) -> None:
    page = open_page(browser, server.url + "briefs/invitation/")
    path = project.root / "content/briefs/sanctions.md"
    good = path.read_text()
    path.write_text(good.replace("[[Trump]]", "[[Trumpp]]"))
    problem = page.wait_for_selector(".build-errors li", timeout=10000)
    text = problem.inner_text()
    assert text.startswith("content/briefs/sanctions.md:8:")
    assert "unknown actor 'Trumpp'" in text
    # The error page's own inline stylesheet is allowed by its hash, and applies.
    assert (
        page.evaluate(
            "() => getComputedStyle(document.querySelector('.build-errors')).listStyleType"
        )
        == "none"
    )
    path.write_text(good)
    page.wait_for_selector("h1:has-text('Russia invites the US to Astana')", timeout=10000)
    assert page.locator(".build-errors").count() == 0
    assert violations(page) == []
    page.close()


def test_css_change_restyles_without_navigation(
    browser: Any, server: ServeProcess, project: Project
) -> None:
    page = open_page(browser, server.url + "briefs/invitation/")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(250, 250, 250)"
    css = project.root / "static/assets/style.css"
    css.write_text(css.read_text().replace("rgb(250, 250, 250)", "rgb(10, 20, 30)"))
    page.wait_for_function(
        "() => getComputedStyle(document.body).backgroundColor === 'rgb(10, 20, 30)'",
        timeout=10000,
    )
    # No navigation happened: state set on the page survived the style swap.
    assert page.evaluate("window.briefgenMarker") == "still here"
    assert violations(page) == []
    page.close()


def test_follow_link_and_feed_discovery_under_the_policy(
    browser: Any, server: ServeProcess
) -> None:
    page = open_page(browser, server.url + "actors/sergei-lavrov/")
    follow = page.locator("p.follow a")
    assert follow.inner_text() == "Follow Sergei Lavrov"
    assert follow.is_visible()
    feeds = page.eval_on_selector_all(
        'link[rel="alternate"][type="application/atom+xml"]',
        "links => links.map(l => l.getAttribute('href'))",
    )
    assert feeds == [
        "https://example.org/feed.xml",
        "https://example.org/actors/sergei-lavrov/feed.xml",
    ]
    # The structured data is data, not a script: the policy has nothing to refuse.
    assert page.locator('script[type="application/ld+json"]').count() == 1
    # The Follow link leads to the actor's feed, served by the preview.
    response = page.request.get(server.url + follow.get_attribute("href").lstrip("/"))
    assert response.status == 200
    assert "<title>Sergei Lavrov · Test Briefing</title>" in response.text()
    assert violations(page) == []
    page.close()
