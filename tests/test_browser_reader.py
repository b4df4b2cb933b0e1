"""What a reader sees on a phone, in Debian's chromium: the nav, tap targets, note markers."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from .test_browser import served  # noqa: F401  (the example site over HTTP, a fixture)


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 360, 320, 280])
def test_nav_rows_leave_no_section_alone_at_phone_width(
    browser: Any,
    served: str,  # noqa: F811
    width: int,
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(f"{served}/", timeout=15000)
    tops = page.eval_on_selector_all(
        ".site-nav li", "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
    )
    labels = page.eval_on_selector_all(".site-nav a", "links => links.map(a => a.innerText)")
    assert [label.lower() for label in labels] == [
        "briefs",
        "actors",
        "sources",
        "timeline",
        "tags",
    ]
    rows = Counter(tops)
    if width >= 360:
        assert len(rows) == 1, f"the nav wraps at {width} px: rows start at {tops}"
    assert 1 not in rows.values(), f"a section is alone on a row at {width} px: {tops}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.close()


@pytest.mark.browser
def test_back_links_are_big_enough_to_tap(browser: Any, served: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{served}/briefs/astana-invitation/", timeout=15000)
    sizes = page.eval_on_selector_all(
        ".backlinks a, .footnote-backref",
        "links => links.map(a => { const r = a.getBoundingClientRect();"
        " return [a.className, a.innerText, r.width, r.height]; })",
    )
    kinds = {name for name, *_ in sizes}
    assert kinds == {"backlink", "footnote-backref"}, "the page has both kinds of back-link"
    small = [(text, w, h) for _, text, w, h in sizes if w < 24 or h < 24]
    assert small == [], f"back-links smaller than 24x24 px: {small}"
    page.close()


@pytest.mark.browser
def test_footnote_markers_are_superscript_numerals_unlike_citations(
    browser: Any,
    served: str,  # noqa: F811
) -> None:
    page = browser.new_page()
    page.goto(f"{served}/briefs/astana-invitation/", timeout=15000)
    note = page.locator("sup.footnote-ref a").first
    assert note.inner_text().strip().isdigit(), "a footnote marker is a bare numeral"
    assert note.evaluate("a => getComputedStyle(a.parentElement).verticalAlign") == "super"
    note_box = note.bounding_box()
    citation = page.locator(".citation").first
    assert citation.inner_text().startswith("["), "a citation marker keeps its brackets"
    text_box = page.locator(".prose p").first.bounding_box()
    assert note_box is not None and text_box is not None
    # Raised above the line's middle, and smaller than the text around it.
    font = note.evaluate("a => parseFloat(getComputedStyle(a).fontSize)")
    body = page.locator(".prose p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert font < body * 0.8
    note.click()
    assert page.url.endswith("#fn1")
    page.close()
