"""Which files a project is built from: the same for cached, uncached and preview builds.

Links to files and folders are followed wherever they point; a link that cannot be
followed, a folder that cannot be read and a missing content/ folder are errors that
leave the previous site as it was, whichever way the site is built.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import ContentError
from briefgen.rebuild import Rebuilder

from .conftest import FIXTURES

WAYS = [["--no-cache"], []]


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "base", project)
    return project


def _build(project: Path, *options: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["build", "--project", str(project), *options])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines()


def _linked_brief(tmp_path: Path) -> Path:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "linked.md"
    target.write_text(
        "---\ntitle: A linked brief\ndate: 2017-01-18\nsummary: Kept outside content/.\n---\n"
        "[[sergei-lavrov]] again.\n",
        encoding="utf-8",
    )
    return target


@pytest.mark.parametrize("way", WAYS, ids=["no-cache", "cached"])
def test_a_linked_brief_is_built_whichever_way(tmp_path: Path, way: list[str]) -> None:
    project = _project(tmp_path)
    assert _build(project, *way)[0] == 0  # a cached build then starts from a filled cache
    (project / "content" / "briefs" / "linked.md").symlink_to(_linked_brief(tmp_path))
    code, _ = _build(project, *way)
    assert code == 0
    page = project / "site" / "briefs" / "linked" / "index.html"
    assert "A linked brief" in page.read_text(encoding="utf-8")


def test_a_linked_brief_reaches_the_preview(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = tmp_path / "preview"
    rebuilder = Rebuilder(project, out)
    rebuilder.full()
    link = project / "content" / "briefs" / "linked.md"
    link.symlink_to(_linked_brief(tmp_path))
    rebuilder.update([link])
    assert (out / "briefs" / "linked" / "index.html").is_file()


@pytest.mark.parametrize("way", WAYS, ids=["no-cache", "cached"])
@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda briefs: (briefs / "dangling.md").symlink_to(briefs / "nowhere.md"),
            "content/briefs/dangling.md:1:1: error: 'dangling.md' cannot be read: "
            "No such file or directory (move or rename it)",
        ),
        (
            lambda briefs: (briefs / "loop.md").symlink_to(briefs / "loop.md"),
            "content/briefs/loop.md:1:1: error: 'loop.md' cannot be read: "
            "Too many levels of symbolic links (move or rename it)",
        ),
        (
            lambda briefs: (briefs / "up").symlink_to(briefs.parent),
            "content/briefs/up/: error: folder link loops back to a folder already read "
            "(remove the link)",
        ),
    ],
    ids=["dangling", "looping-file", "looping-folder"],
)
def test_links_that_cannot_be_followed_are_errors_whichever_way(
    tmp_path: Path, way: list[str], make: Callable[[Path], None], expected: str
) -> None:
    project = _project(tmp_path)
    assert _build(project, *way)[0] == 0
    before = (project / "site" / "index.html").read_bytes()
    make(project / "content" / "briefs")
    code, lines = _build(project, *way)
    assert code == 1
    assert lines[0] == expected
    assert (project / "site" / "index.html").read_bytes() == before


@pytest.mark.parametrize("way", WAYS, ids=["no-cache", "cached"])
def test_a_missing_content_folder_is_an_error(tmp_path: Path, way: list[str]) -> None:
    project = _project(tmp_path)
    assert _build(project, *way)[0] == 0
    before = (project / "site" / "briefs" / "sanctions" / "index.html").read_bytes()
    shutil.rmtree(project / "content")
    code, lines = _build(project, *way)
    assert code == 1
    assert lines[0] == (
        "content/: error: the content/ folder is missing: there is nothing to build "
        "(put briefs in content/briefs/, or start a project with 'briefgen init')"
    )
    assert (project / "site" / "briefs" / "sanctions" / "index.html").read_bytes() == before


@pytest.mark.parametrize("way", WAYS, ids=["no-cache", "cached"])
def test_an_unreadable_folder_is_an_error(
    tmp_path: Path, way: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    assert _build(project, *way)[0] == 0
    before = (project / "site" / "briefs" / "sanctions" / "index.html").read_bytes()
    briefs = project / "content" / "briefs"
    real_walk = os.walk

    # Root reads any folder, and tests may run as root: the refusal is injected where the
    # walk lists content/briefs/, exactly as os.walk reports a folder it may not list.
    def walk(top: str | Path, **kwargs: Any) -> Iterator[tuple[str, list[str], list[str]]]:
        for folder, dirs, files in real_walk(top, **kwargs):
            if Path(folder) == briefs:
                onerror = kwargs["onerror"]
                assert callable(onerror)
                onerror(PermissionError(errno.EACCES, "Permission denied", str(briefs)))
                continue
            yield folder, dirs, files

    monkeypatch.setattr("briefgen.paths.os.walk", walk)
    code, lines = _build(project, *way)
    assert code == 1
    assert lines[0] == (
        "content/briefs/: error: folder cannot be read: Permission denied "
        "(fix its permissions (chmod u+rx), or move it out of content/)"
    )
    assert (project / "site" / "briefs" / "sanctions" / "index.html").read_bytes() == before


@pytest.mark.parametrize("way", WAYS, ids=["no-cache", "cached"])
def test_a_folder_link_loop_is_reported_with_every_other_problem(
    tmp_path: Path, way: list[str]
) -> None:
    project = _project(tmp_path)
    assert _build(project, *way)[0] == 0
    before = (project / "site" / "index.html").read_bytes()
    folder = project / "content" / "briefs" / "y"
    folder.mkdir()
    (folder / "archive").symlink_to("..")
    brief = project / "content" / "briefs" / "sanctions.md"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("---\n", "---\nsumary: x\n", 1),
        encoding="utf-8",
    )
    code, lines = _build(project, *way)
    assert code == 1
    assert lines[:2] == [
        "content/briefs/sanctions.md:2:1: error: unknown brief key 'sumary' "
        "(did you mean 'summary'?)",
        "content/briefs/y/archive/: error: folder link loops back to a folder already read "
        "(remove the link)",
    ]
    assert (project / "site" / "index.html").read_bytes() == before
    # Once the link is gone, the build goes on as before.
    (folder / "archive").unlink()
    assert _build(project, *way)[0] == 1  # the unknown key is still there
    brief.write_text(brief.read_text(encoding="utf-8").replace("sumary: x\n", ""), "utf-8")
    assert _build(project, *way)[0] == 0


@pytest.mark.parametrize("way", WAYS, ids=["no-cache", "cached"])
def test_an_unreadable_folder_is_reported_with_every_other_problem(
    tmp_path: Path, way: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    assert _build(project, *way)[0] == 0
    pages = project / "content" / "pages"
    pages.mkdir(exist_ok=True)
    real_walk = os.walk

    def walk(top: str | Path, **kwargs: Any) -> Iterator[tuple[str, list[str], list[str]]]:
        for folder, dirs, files in real_walk(top, **kwargs):
            if Path(folder) == pages:
                onerror = kwargs["onerror"]
                assert callable(onerror)
                onerror(PermissionError(errno.EACCES, "Permission denied", str(pages)))
                continue
            yield folder, dirs, files

    monkeypatch.setattr("briefgen.paths.os.walk", walk)
    brief = project / "content" / "briefs" / "sanctions.md"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("---\n", "---\nsumary: x\n", 1),
        encoding="utf-8",
    )
    code, lines = _build(project, *way)
    assert code == 1
    assert lines[:2] == [
        "content/briefs/sanctions.md:2:1: error: unknown brief key 'sumary' "
        "(did you mean 'summary'?)",
        "content/pages/: error: folder cannot be read: Permission denied "
        "(fix its permissions (chmod u+rx), or move it out of content/)",
    ]


def test_a_folder_moved_into_the_preview_reports_its_loop_with_its_files(tmp_path: Path) -> None:
    project = _project(tmp_path)
    rebuilder = Rebuilder(project, tmp_path / "preview")
    rebuilder.full()
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "archive").symlink_to(".")
    (moved / "odd.md").write_text(
        "---\ntitle: Odd\ndate: 2017-01-18\nsummary: S.\nsumary: x\n---\nText.\n",
        encoding="utf-8",
    )
    folder = project / "content" / "briefs" / "moved"
    moved.rename(folder)
    with pytest.raises(ContentError) as caught:
        rebuilder.update([folder])
    assert [(d.path, d.line, d.message) for d in caught.value.diagnostics] == [
        ("content/briefs/moved/archive/", 0, "folder link loops back to a folder already read"),
        ("content/briefs/moved/odd.md", 5, "unknown brief key 'sumary'"),
    ]
    (folder / "archive").unlink()
    (folder / "odd.md").unlink()
    rebuilder.update([folder / "archive", folder / "odd.md"])
