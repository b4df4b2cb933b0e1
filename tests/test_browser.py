"""What a reader sees, in Debian's chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(example_site: Path) -> Iterator[str]:
    """The example site over HTTP on 127.0.0.1, on a free port."""
    handler = functools.partial(_QuietHandler, directory=str(example_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_citation_marker_takes_reader_to_reference_and_back(browser: Any, served: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{served}/briefs/astana-invitation/", timeout=15000)
    assert page.title().startswith("Russia invites the incoming Trump administration")
    page.locator("a.cite").first.click()
    assert page.url.endswith("#ref-1")
    target = page.locator("#ref-1")
    assert target.is_visible()
    assert "Financial Times" in target.inner_text() or "Haaretz" in target.inner_text()
    # The reference list's backlink returns to the marker.
    target.locator(".backlinks a").first.click()
    assert page.url.endswith("#cite-1-1")
    assert errors == []
    page.close()


@pytest.mark.browser
def test_stylesheet_applies_and_quotes_are_set_apart(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(f"{served}/actors/sergei-lavrov/", timeout=15000)
    border = page.locator("figure.statement").first.evaluate(
        "el => getComputedStyle(el).borderLeftStyle"
    )
    assert border == "solid"
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/briefs/astana-invitation/", "/actors/", "/timeline/"])
def test_phone_width_has_no_sideways_scrolling(browser: Any, served: str, path: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{served}{path}", timeout=15000)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.close()


@pytest.mark.browser
def test_print_hides_navigation(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(f"{served}/briefs/astana-invitation/", timeout=15000)
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert page.locator(".references").is_visible()
    page.close()
