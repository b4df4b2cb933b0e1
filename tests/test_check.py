"""The internal link checker, on sites with planted faults."""

from __future__ import annotations

from pathlib import Path

from briefgen.check import SiteChecker


def site(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def test_planted_faults_are_each_reported(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {
            "index.html": page(
                '<a href="/a/">ok</a> <a href="/a/#here">ok</a> <a href="/missing/">x</a>'
                ' <a href="/a/#nowhere">x</a> <img src="/img/none.png" alt="">'
                ' <img srcset="/img/ok.png 1x, /img/gone.png 2x" alt="">'
                ' <a href="../../etc/passwd">x</a> <a href="https://example.org/">ext</a>'
                ' <a href="mailto:x@example.org">mail</a> <a href="#top">x</a>'
            ),
            "a/index.html": page(
                '<h2 id="here">Here</h2><a href="../">up</a> <a href="/a">no slash</a>'
            ),
            "img/ok.png": "png",
        },
    )
    broken = [b.format() for b in SiteChecker(root).check()]
    assert broken == [
        "index.html: broken link to #top (no element with id 'top')",
        "index.html: broken link to ../../etc/passwd (outside the site)",
        "index.html: broken link to /a/#nowhere (no element with id 'nowhere')",
        "index.html: broken link to /img/gone.png (no such file)",
        "index.html: broken link to /img/none.png (no such file)",
        "index.html: broken link to /missing/ (no such file)",
    ]


def test_sub_path_site(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {
            "index.html": page('<a href="/briefing/a/">ok</a> <a href="/a/">outside</a>'),
            "a/index.html": page('<a href="/briefing/">home</a>'),
        },
    )
    broken = [b.format() for b in SiteChecker(root, "/briefing/").check()]
    assert broken == ["index.html: broken link to /a/ (outside the site)"]
