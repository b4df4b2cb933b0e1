"""Roles in Debian's chromium, without JavaScript: a brief's chips show the role as of its
date, an actor page draws its roles as a timeline, an interval as a bar."""

from __future__ import annotations

import functools
import http.server
import threading
from typing import Any

import pytest

from .conftest import Project
from .test_browser import served  # noqa: F401  (the example site over HTTP, a fixture)


@pytest.mark.browser
def test_a_chip_shows_the_role_as_of_the_brief(browser: Any, served: str) -> None:  # noqa: F811
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1000, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{served}/briefs/lavrov-sanctions-nuclear-dossier/", timeout=15000)
    chip = page.locator(".page-header .chips a[href$='/actors/donald-trump/']")
    # The brief is of 17 January 2017: Trump is President-elect until the 20th.
    assert chip.get_attribute("title") == "President-elect of the United States"
    role = chip.locator(".chip-role")
    assert role.inner_text() == "President-elect of the United States"
    assert role.is_visible()
    tillerson = page.locator(".page-header .chips a[href$='/actors/rex-tillerson/'] .chip-role")
    assert tillerson.inner_text() == "Nominee for US Secretary of State"
    context.close()


@pytest.mark.browser
def test_the_roles_timeline_renders(browser: Any, served: str) -> None:  # noqa: F811
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1000, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{served}/actors/donald-trump/", timeout=15000)
    entries = page.locator(".role-timeline > li")
    assert entries.count() == 2
    assert (
        entries.nth(0).locator(".role-title").inner_text() == "President-elect of the United States"
    )
    assert (
        entries.nth(0).locator(".role-period").inner_text()
        == "9 November 2016 \u2013 20 January 2017"
    )
    # Each role is drawn as a bar: a visible left border, as tall as the entry.
    for at in range(2):
        style = entries.nth(at).evaluate(
            "li => { const s = getComputedStyle(li); const r = li.getBoundingClientRect();"
            " return [parseFloat(s.borderLeftWidth), s.borderLeftStyle, r.height]; }"
        )
        width, kind, height = style
        assert width >= 4 and kind == "solid" and height > 20
    link = page.locator("a.wikidata")
    assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q22686"
    context.close()


@pytest.mark.browser
def test_an_approximate_date_reads_in_words(browser: Any, served: str) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}/briefs/syria-obama-record/", timeout=15000)
    dates = page.locator(".events time").all_inner_texts()
    assert "c. December 2016" in dates
    context.close()


@pytest.mark.browser
def test_an_interval_is_drawn_as_a_bar(browser: Any, project: Project) -> None:
    text = (project.root / "content/briefs/invitation.md").read_text()
    project.write(
        "content/briefs/invitation.md",
        text.replace("  - date: 2017-01-23\n", "  - date: 2017-01-23/2017-01-24\n"),
    )
    project.build(strict=True)
    handler = functools.partial(_Quiet, directory=str(project.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/timeline/", timeout=15000)
        entry = page.locator("li.timeline-range")
        assert entry.locator("time").inner_text() == "23\u201324 January 2017"
        bar = entry.evaluate(
            "li => { const s = getComputedStyle(li, '::before');"
            " return [parseFloat(s.width), parseFloat(s.height)]; }"
        )
        dot = page.locator("li.timeline-brief").first.evaluate(
            "li => { const s = getComputedStyle(li, '::before');"
            " return [parseFloat(s.width), parseFloat(s.height)]; }"
        )
        assert bar[1] > 2 * bar[0], f"an interval is a bar, taller than wide: {bar}"
        assert dot[0] == dot[1], f"a dated entry keeps its square dot: {dot}"
    finally:
        context.close()
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
