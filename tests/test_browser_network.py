"""The actor network page in Debian's chromium: a node leads to its actor, the table holds
the same ties as the drawing, and axe-core finds no serious accessibility violation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, require
from .test_browser import served  # noqa: F401  (the example site over HTTP, a fixture)

# axe-core, pinned in package.json (`make test` installs it); BRIEFGEN_AXE names another copy.
AXE = Path(os.environ.get("BRIEFGEN_AXE", REPO / "node_modules" / "axe-core" / "axe.min.js"))


def _serious_violations(page: Any) -> list[str]:
    """axe-core's violations of impact serious or critical on the page as it is."""
    require(AXE.is_file(), "axe-core missing: run `npm install` (make test does)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
def test_a_node_leads_to_its_actor_and_back(browser: Any, served: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{served}/actors/", timeout=15000)
    page.get_by_role("link", name="See who appears with whom: the actor network").click()
    assert page.url.endswith("/actors/network/")
    svg = page.locator("figure.network svg")
    assert svg.locator("title#network-title").text_content() == "Actor network"
    assert "table below" in (svg.locator("desc").text_content() or "")
    nodes = svg.locator("a.node")
    assert nodes.count() > 5
    for at in range(nodes.count()):
        assert nodes.nth(at).locator("title").text_content(), "every node has a title"
    # The drawing is visible and laid out inside its box.
    box = svg.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 250

    page.locator("#actor-russia circle").click()
    page.wait_for_url("**/actors/russia/")
    assert page.locator("h1").inner_text() == "Russia"
    page.get_by_role("link", name="Russia in the actor network").click()
    page.wait_for_url("**/actors/network/#actor-russia")

    table = page.get_by_role("table")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == svg.locator("g.ties line").count() > 0
    first = rows.first.locator("td")
    assert first.nth(0).locator("a").count() == 1 and int(first.nth(2).inner_text()) >= 1
    assert errors == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/actors/network/", "/data/", "/actors/russia/"])
def test_axe_finds_no_serious_violation(browser: Any, served: str, path: str) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"{served}{path}", timeout=15000)
    assert _serious_violations(page) == []
    page.close()


@pytest.mark.browser
def test_axe_does_report_a_serious_violation(browser: Any) -> None:
    # The check above can fail: an image without a text alternative is a critical one.
    page = browser.new_page()
    page.set_content('<!DOCTYPE html><html lang="en"><title>t</title><img src="a.png"></html>')
    assert any(v.startswith("image-alt") for v in _serious_violations(page))
    page.close()
