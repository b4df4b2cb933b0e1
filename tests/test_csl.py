"""Reference entries in a CSL style (``citation_style``), through citeproc-py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.csl import choose_style
from briefgen.cslformat import CslStyle
from briefgen.errors import ConfigError
from briefgen.rebuild import Rebuilder

from .conftest import Project

ALLISON = """\
---
title: "Russia and Syria: Explaining alignment with a regime in crisis"
publication: International Affairs
authors: ["Allison, Roy"]
published: 2013-07
doi: 10.1111/1468-2346.12046
volume: 89
issue: 4
pages: 795-823
kind: article
---
"""

DOI_LINK = (
    '<a class="original" href="https://doi.org/10.1111/1468-2346.12046">'
    "https://doi.org/10.1111/1468-2346.12046</a>"
)

# What each style prescribes for this article (Chicago Manual of Style, 18th ed., 14.70;
# APA Publication Manual, 7th ed., 10.1; Cite Them Right, 12th ed., journal articles;
# IEEE Reference Guide, 2023, periodicals), as the style's CSL file writes it in HTML.
PRESCRIBED = {
    "chicago-notes-bibliography": (
        "en",
        "Allison, Roy. “Russia and Syria: Explaining Alignment with a Regime in Crisis.” "
        f"<i>International Affairs</i> 89, no. 4 (2013): 795–823. {DOI_LINK}.",
    ),
    "apa": (
        "en",
        "Allison, R. (2013). Russia and Syria: Explaining alignment with a regime in crisis. "
        f"<i>International Affairs</i>, <i>89</i>(4), 795–823. {DOI_LINK}",
    ),
    "harvard-cite-them-right": (
        "en-GB",
        "Allison, R. (2013) ‘Russia and Syria: Explaining alignment with a regime in crisis’, "
        f"<i>International Affairs</i>, 89(4), pp. 795–823. Available at: {DOI_LINK}.",
    ),
    "ieee": (
        "en",
        "R. Allison, “Russia and Syria: Explaining alignment with a regime in crisis,” "
        "<i>International Affairs</i>, vol. 89, no. 4, pp. 795–823, Jul. 2013, "
        "doi: 10.1111/1468-2346.12046.",
    ),
}


def _style(project: Project, style: str, language: str = "en") -> None:
    project.write(
        "briefgen.toml",
        f'title = "Test Briefing"\nbase_url = "https://example.org/"\n'
        f'language = "{language}"\ncitation_style = "{style}"\n',
    )


def _cite_allison(project: Project) -> None:
    project.write("content/sources/allison2013.md", ALLISON)
    path = project.root / "content/briefs/invitation.md"
    text = path.read_text(encoding="utf-8")
    head, rule, body = text.partition("\n---\n")
    path.write_text(head + rule + "\nBackground [@allison2013, p. 800].\n" + body, "utf-8")


def _reference(html: str, number: int) -> str:
    found = re.search(rf'<li id="ref-{number}" value="{number}">\s*(.*?)\n', html)
    assert found, f"no reference {number}"
    return found[1]


@pytest.mark.parametrize("style", sorted(PRESCRIBED))
def test_a_brief_lists_its_references_in_the_style(project: Project, style: str) -> None:
    language, prescribed = PRESCRIBED[style]
    _style(project, style, language)
    _cite_allison(project)
    project.build(strict=True)
    html = project.page("briefs/invitation/index.html")
    assert _reference(html, 1) == prescribed
    # The in-text mark is briefgen's own numbered link with its locator, whatever the style.
    assert re.search(r'\[<a href="#ref-1" [^>]*>1</a>, p\. 800\]', html)
    # The source's page shows the same full citation.
    page = project.page("sources/allison2013/index.html")
    assert f'<p class="full-citation">{prescribed}</p>' in page


def test_without_a_style_the_house_style_stays(project: Project) -> None:
    _cite_allison(project)
    project.build(strict=True)
    assert _reference(project.page("briefs/invitation/index.html"), 1) == (
        '<span class="authors">Allison, Roy</span>. <span class="source-title">'
        "“Russia and Syria: Explaining alignment with a regime in crisis”</span>. "
        '<i>International Affairs</i>, <time datetime="2013-07">July 2013</time>. '
        '<a class="doi" href="https://doi.org/10.1111/1468-2346.12046">'
        "https://doi.org/10.1111/1468-2346.12046</a>"
    )


def test_text_is_escaped_in_a_styled_entry(project: Project) -> None:
    _style(project, "apa")
    _cite_allison(project)
    project.write(
        "content/sources/allison2013.md",
        ALLISON.replace("Russia and Syria:", "R&D <script>alert(1)</script> and Syria:"),
    )
    project.build(strict=True)
    entry = _reference(project.page("briefs/invitation/index.html"), 1)
    assert "R&amp;D &lt;script&gt;alert(1)&lt;/script&gt; and Syria" in entry


def test_each_source_is_formatted_once_a_build(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _style(project, "apa")
    formatted: list[str] = []
    original = CslStyle.source

    def counting(self: CslStyle, source: object) -> str:
        formatted.append(source.id)  # type: ignore[attr-defined]
        return original(self, source)  # type: ignore[arg-type]

    monkeypatch.setattr(CslStyle, "source", counting)
    project.build()
    # Both briefs cite haaretz: one entry, formatted once, for both pages and its own.
    assert sorted(formatted) == ["ft-2017-01-17", "haaretz-2017-01-17"]


def test_editing_a_source_rebuilds_the_pages_citing_it_and_the_style_every_page(
    project: Project, tmp_path: Path
) -> None:
    _style(project, "apa")
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    before = {p: p.read_bytes() for p in rebuilder.out.rglob("*.html")}
    path = project.root / "content/sources/ft-2017-01-17.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("publication:", "volume: 7\npublication:"),
        "utf-8",
    )
    report = rebuilder.update([path])
    assert not report.full
    changed = {
        p.relative_to(rebuilder.out).as_posix()
        for p in rebuilder.out.rglob("*.html")
        if before.get(p) != p.read_bytes()
    }
    cited_by = {c.brief_id for c in rebuilder.site.sources["ft-2017-01-17"].citing}  # type: ignore[union-attr]
    assert {f"briefs/{b}/index.html" for b in cited_by} <= changed
    assert "sources/ft-2017-01-17/index.html" in changed
    assert "actors/donald-trump/index.html" not in changed
    clean = tmp_path / "clean"
    build(project.root, clean, fingerprint=False)
    for page in changed:
        assert (clean / page).read_bytes() == (rebuilder.out / page).read_bytes()

    # A note on the source is on its own page only: the briefs citing it stay as they were.
    before = {p: p.read_bytes() for p in rebuilder.out.rglob("*.html")}
    path.write_text(path.read_text(encoding="utf-8") + "\nA note.\n", "utf-8")
    rebuilder.update([path])
    changed = {
        p.relative_to(rebuilder.out).as_posix()
        for p in rebuilder.out.rglob("*.html")
        if before.get(p) != p.read_bytes()
    }
    assert changed == {"sources/ft-2017-01-17/index.html"}

    _style(project, "ieee")
    report = rebuilder.update([project.root / "briefgen.toml"])
    assert report.full
    assert "vol. 7" in (rebuilder.out / "sources/ft-2017-01-17/index.html").read_text("utf-8")


def test_a_csl_file_in_the_project_is_a_style(project: Project, tmp_path: Path) -> None:
    packaged = choose_style(project.root, "apa", "").file
    project.write("styles/house.csl", packaged.read_text(encoding="utf-8"))
    _style(project, "styles/house.csl")
    _cite_allison(project)
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    assert (
        _reference((rebuilder.out / "briefs/invitation/index.html").read_text(encoding="utf-8"), 1)
        == PRESCRIBED["apa"][1]
    )
    # Editing the style file rebuilds every page, as editing briefgen.toml does.
    report = rebuilder.update([project.root / "styles/house.csl"])
    assert report.full


@pytest.mark.parametrize(
    ("setting", "files", "message"),
    [
        (
            "chicago-note-bibliography",
            {},
            "briefgen.toml:4:18: error: unknown citation style 'chicago-note-bibliography' "
            "(did you mean 'chicago-notes-bibliography'?)",
        ),
        (
            "styles/missing.csl",
            {},
            "briefgen.toml:4:18: error: citation_style file 'styles/missing.csl' does not exist "
            "(put the .csl file there (a path from the folder of briefgen.toml), or name a "
            "packaged style such as 'apa')",
        ),
        (
            "../outside.csl",
            {},
            "briefgen.toml:4:18: error: citation_style '../outside.csl' is outside the project "
            "(copy the .csl file into the project, e.g. styles/house.csl, and write "
            'citation_style = "styles/house.csl")',
        ),
    ],
)
def test_a_bad_style_is_an_error_at_its_line(
    project: Project, setting: str, files: dict[str, str], message: str
) -> None:
    _style(project, setting)
    with pytest.raises(ConfigError) as caught:
        project.build()
    assert [d.format() for d in caught.value.diagnostics] == [message]
