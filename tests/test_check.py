"""The link checker, on sites with planted faults, and through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from briefgen.check import SiteChecker

from .conftest import Project


def site(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def lines(root: Path, base: str = "/") -> list[str]:
    report, _ = SiteChecker(root, base).check()
    return [line for problem in sorted(report.problems) for line in problem.lines()]


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
                ' <link rel="stylesheet" href="/assets/none.css">'
            ),
            "404.html": page("not found"),
            "a/index.html": page(
                '<h2 id="here">Here</h2><a href="../">up</a> <a href="/a">no slash</a>'
            ),
            "img/ok.png": "png",
            "lonely/index.html": page('<a href="/">home</a>'),
        },
    )
    assert lines(root) == [
        "index.html: broken link to #top (no element with id 'top')",
        "index.html: broken link to ../../etc/passwd (outside the site)",
        "index.html: broken link to /a/#nowhere (no element with id 'nowhere')",
        "index.html: broken link to /assets/none.css (no such file)",
        "index.html: broken link to /img/gone.png (no such file)",
        "index.html: broken link to /img/none.png (no such file)",
        "index.html: broken link to /missing/ (no such file)",
        "lonely/index.html: warning: no other page links to this page",
    ]


def test_sub_path_site(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {
            "index.html": page('<a href="/briefing/a/">ok</a> <a href="/a/">outside</a>'),
            "a/index.html": page('<a href="/briefing/">home</a>'),
        },
    )
    assert lines(root, "/briefing/") == ["index.html: broken link to /a/ (outside the site)"]


def test_broken_markdown_link_names_the_content_line(project: Project) -> None:
    path = "content/briefs/sanctions.md"
    project.write(path, (project.root / path).read_text() + "\nSee [the talks](/briefs/astana/).\n")
    result = project.cli("build", "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "briefs/sanctions/index.html: broken link to /briefs/astana/ (no such file)",
        "content/briefs/sanctions.md:10:17: error: broken link to /briefs/astana/ (no such file)",
    ]
    assert "1 broken" in result.stdout


def test_check_command_exit_codes_and_json(project: Project) -> None:
    assert project.cli("build").exit_code == 0
    good = project.cli("check")
    assert good.exit_code == 0
    assert good.stdout.startswith("checked ") and ": 0 broken, 0 warnings" in good.stdout
    (project.out / "about" / "index.html").unlink()
    bad = project.cli("check", "--format", "json")
    assert bad.exit_code == 1
    report = json.loads(bad.stdout)
    assert {b["target"] for b in report["broken"]} == {"/about/"}
    assert all(b["page"] and b["reason"] == "no such file" for b in report["broken"])
    missing = project.cli("check", str(project.root / "nowhere"))
    assert missing.exit_code == 2


def test_a_doi_is_checked_like_a_url_and_a_bad_one_names_the_doi_line(project: Project) -> None:
    # No request leaves the machine: the external result is given, as the checker would find it.
    from briefgen.check import _origins, add_external
    from briefgen.config import load_config

    path = "content/sources/ft-2017-01-17.md"
    text = (project.root / path).read_text()
    project.write(path, text.replace("published:", "doi: 10.1234/gone.1\npublished:"))
    project.build()
    report, pages_of = SiteChecker(project.out, "/").check()
    doi = "https://doi.org/10.1234/gone.1"
    assert "sources/ft-2017-01-17/index.html" in pages_of[doi]
    origins = _origins(project.root, load_config(project.root))
    add_external(report, pages_of, [(doi, False, "HTTP 404", None)], origins)
    found = [line for p in report.problems for line in p.lines() if p.target == doi]
    assert f"content/sources/ft-2017-01-17.md:4:6: error: broken link to {doi} (HTTP 404)" in found
