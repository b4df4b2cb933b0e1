"""Graded evidence in chromium, without JavaScript: the key judgments box and the legend."""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser import served  # noqa: F401  (the example site over HTTP, a fixture)


@pytest.mark.browser
def test_key_judgments_and_a_grades_legend_link_work_without_javascript(
    browser: Any,
    served: str,  # noqa: F811
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{served}/briefs/astana-invitation/", timeout=15000)
    box = page.locator(".key-judgments")
    assert box.is_visible()
    # At the top of the brief: above the body's first paragraph.
    box_top = box.bounding_box()
    prose_top = page.locator(".prose").bounding_box()
    assert box_top is not None and prose_top is not None and box_top["y"] < prose_top["y"]
    judgments = box.locator("li")
    assert judgments.count() == 2
    first = judgments.first.inner_text()
    assert "Likelihood: Very likely (80\u201395 %)" in first
    assert "Confidence: moderate" in first
    # A grade is text, explained in words (not by colour alone), and leads to the legend.
    grade = box.locator("a.grade").first
    assert grade.is_visible() and grade.inner_text() == "B2"
    assert grade.get_attribute("title") == (
        "Grade B2: source usually reliable, information probably true"
    )
    grade.click()
    page.wait_for_url("**/grades/")
    assert page.locator("h1").inner_text() == "Grades and estimative language"
    assert page.locator("#reliability-b + dd").inner_text() == "Usually reliable"
    assert page.locator("#credibility-2 + dd").inner_text() == "Probably true"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
