"""The W3C Nu HTML Checker (npm package vnu-jar, on the installed Java) finds no errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO, Project, require
from .test_paging import paged_project

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _vnu_errors(site: Path) -> list[str]:
    """The Nu HTML Checker's errors over every page of a built site."""
    require(shutil.which("java") is not None, "java is not installed")
    require(VNU.is_file(), "vnu.jar missing: run `npm install` (make test does)")
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--skip-non-html",
            str(site),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages]
    assert run.returncode == 0 or errors
    return errors


@pytest.mark.vnu
def test_example_site_has_no_html_errors(example_site: Path) -> None:
    assert _vnu_errors(example_site) == []


@pytest.mark.vnu
def test_paged_listings_have_no_html_errors(project: Project) -> None:
    # Pagers with ellipses, year pages and a bounded timeline overview.
    paged_project(project, briefs=30, size=2)
    project.build()
    assert (project.out / "briefs/page/16/index.html").is_file()
    assert _vnu_errors(project.out) == []


@pytest.mark.vnu
def test_feed_links_previews_and_structured_data_have_no_html_errors(project: Project) -> None:
    # Under a sub-path, with a preview image, authors and an updated date: every head tag.
    project.write(
        "briefgen.toml", 'title = "Test Briefing"\nbase_url = "https://example.org/vienna/"\n'
    )
    (project.root / "static/images").mkdir(parents=True)
    (project.root / "static/images/talks.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = project.root / "content/briefs/invitation.md"
    text = path.read_text().replace(
        "tags:", "image: images/talks.png\nupdated: 2017-02-01\nauthors: [A desk]\ntags:", 1
    )
    path.write_text(text)
    project.build(strict=True)
    page = project.page("briefs/invitation/index.html")
    assert 'property="og:image"' in page and "application/ld+json" in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert _vnu_errors(project.out) == []


@pytest.mark.vnu
@pytest.mark.parametrize("style", ["", "apa", "chicago-notes-bibliography"])
def test_imported_sources_in_a_csl_style_have_no_html_errors(
    project: Project, style: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Names, editors, DOIs, partial dates and the entries citeproc-py writes.
    monkeypatch.setenv("BRIEFGEN_TODAY", "2026-12-01")
    fixtures = REPO / "tests" / "fixtures" / "import"
    for name in ("zotero.json", "library.bib", "export.ris"):
        project.cli("import", str(fixtures / name))
    if style:
        config = project.root / "briefgen.toml"
        config.write_text(f'citation_style = "{style}"\n' + config.read_text())
    ids = sorted(p.stem for p in (project.root / "content/sources").glob("*.md"))
    project.write(
        "content/briefs/reading.md",
        "---\ntitle: Reading\ndate: 2026-11-30\nsummary: All.\n---\n\n"
        + " ".join(f"See [@{source_id}]." for source_id in ids)
        + "\n",
    )
    project.build(strict=True)
    assert _vnu_errors(project.out) == []
