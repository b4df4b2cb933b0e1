"""Writing: the swap, a failure mid-build, and refusing a dangerous output folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.errors import ConfigError
from briefgen.write import check_output_dir, write_site


def test_swap_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("a/index.html", "A"), ("index.html", "home")], out, {})
    write_site([("b/index.html", "B")], out, {})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "b/index.html"
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no temporary folder left behind"


def test_failure_mid_stream_leaves_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("index.html", "old")], out, {})

    def pages() -> Iterator[tuple[str, str]]:
        yield "index.html", "new"
        raise RuntimeError("template blew up")

    with pytest.raises(RuntimeError):
        write_site(pages(), out, {})
    assert (out / "index.html").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_static_folders_are_copied(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "img").mkdir(parents=True)
    (static / "img" / "x.png").write_bytes(b"\x89PNG")
    out = tmp_path / "site"
    write_site(
        [],
        out,
        {"img/x.png": static / "img" / "x.png", "assets/img/x.png": static / "img" / "x.png"},
    )
    assert (out / "img" / "x.png").read_bytes() == b"\x89PNG"
    assert (out / "assets" / "img" / "x.png").exists()


@pytest.mark.parametrize("rel", [".", "content", "templates", "static", ".."])
def test_refuses_project_folders_and_parents(tmp_path: Path, rel: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    with pytest.raises(ConfigError, match="refusing to build into") as caught:
        check_output_dir(project, project / rel)
    assert caught.value.exit_code == 2


def test_accepts_a_folder_of_its_own(tmp_path: Path) -> None:
    assert check_output_dir(tmp_path, tmp_path / "site") == (tmp_path / "site").resolve()


@pytest.mark.parametrize("rel", ["content/briefs", "templates/partials", "static/img"])
def test_refuses_folders_inside_project_sources(tmp_path: Path, rel: str) -> None:
    project = tmp_path / "project"
    (project / rel).mkdir(parents=True)
    with pytest.raises(ConfigError, match="it is inside"):
        check_output_dir(project, project / rel)


def test_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("years of work")
    with pytest.raises(ConfigError, match="holds files but no earlier site"):
        check_output_dir(tmp_path / "project", docs)
    assert (docs / "thesis.txt").read_text() == "years of work"


def test_accepts_an_earlier_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("index.html", "home"), ("404.html", "missing")], out, {})
    assert check_output_dir(tmp_path / "project", out) == out.resolve()


def test_unwritable_parent_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot write there"):
        write_site([("index.html", "x")], blocker / "site", {})
