"""Writing: the swap, a failure mid-build, and refusing a dangerous output folder."""

from __future__ import annotations

import errno
import itertools
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefgen import write
from briefgen.build import build
from briefgen.cache import cached_build
from briefgen.errors import ConfigError
from briefgen.rebuild import Rebuilder
from briefgen.write import check_output_dir, updating, write_site

from .conftest import Project
from .test_rebuild import tree


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


@pytest.mark.parametrize("vcs", [".git", ".hg", ".svn"])
def test_refuses_a_built_site_that_is_a_working_copy(tmp_path: Path, vcs: str) -> None:
    # A GitHub Pages checkout holds index.html and 404.html too: replacing it lost .git.
    pages = tmp_path / "pages"
    write_site([("index.html", "home"), ("404.html", "missing")], pages, {})
    (pages / vcs).mkdir()
    (pages / vcs / "HEAD").write_text("ref: refs/heads/main")
    with pytest.raises(ConfigError) as caught:
        check_output_dir(tmp_path / "project", pages)
    assert caught.value.diagnostics[0].format() == (
        f"--out: error: refusing to build into '{pages.resolve()}': it is a version-control "
        f"working copy ('{vcs}'), whose history the build would delete (build into a folder of "
        "its own, such as 'site', and copy the site into the working copy after each build)"
    )
    assert (pages / vcs / "HEAD").is_file()


def test_accepts_an_earlier_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("index.html", "home"), ("404.html", "missing")], out, {})
    assert check_output_dir(tmp_path / "project", out) == out.resolve()


def test_unwritable_parent_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot write there"):
        write_site([("index.html", "x")], blocker / "site", {})


# Updates of an existing output (warm builds, preview rebuilds): all or nothing.


def siblings(out: Path) -> list[str]:
    """What lies beside the output folder: stage folders left behind would show here."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}"))


def test_update_lands_only_when_the_block_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("index.html", "home"), ("a/index.html", "A"), ("b/index.html", "B")], out, {})
    with pytest.raises(RuntimeError), updating(out) as update:
        update.write("index.html", "new home")
        update.remove("a/index.html")
        raise RuntimeError("a page failed to render")
    assert tree(out) == {"index.html": b"home", "a/index.html": b"A", "b/index.html": b"B"}
    with updating(out) as update:
        update.write("index.html", "new home")
        update.write("c/d/index.html", "D")
        update.remove("a/index.html")
    assert tree(out) == {"index.html": b"new home", "b/index.html": b"B", "c/d/index.html": b"D"}
    assert not (out / "a").exists(), "a folder left empty is removed"
    assert siblings(out) == []


def fail_after(count: int, real: Callable[..., None], *, once: bool = False) -> Callable[..., None]:
    """``real``, raising 'No space left on device' at its call number ``count + 1``.

    The disk stays full (every later call fails too) unless ``once``.
    """
    calls = itertools.count()

    def failing(*args: Any) -> None:
        call = next(calls)
        if call == count or (call > count and not once):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(*args)

    return failing


def rename_an_actor(project: Project) -> None:
    """An edit that changes many pages (every page showing the name)."""
    path = project.root / "content/actors/donald-trump.md"
    path.write_text(path.read_text().replace("name: Donald Trump", "name: Donald J. Trump"))


@pytest.mark.parametrize(("point", "count"), [("_put", 0), ("_put", 3), ("_move", 0), ("_move", 5)])
def test_full_disk_during_a_warm_build_leaves_the_site_as_it_was(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str, count: int
) -> None:
    """Writing a staged page fails (_put), or moving one into place does (_move)."""
    cached_build(project.root, project.out, jobs=1)
    before = tree(project.out)
    rename_an_actor(project)
    failing = fail_after(count, getattr(write, point), once=point == "_move")
    monkeypatch.setattr(write, point, failing)
    with pytest.raises(ConfigError) as caught:
        cached_build(project.root, project.out, jobs=1)
    (problem,) = caught.value.diagnostics
    assert caught.value.exit_code == 2
    assert problem.format().startswith("--out: error: cannot write '")
    assert problem.format().endswith(
        "(No space left on device) (free some disk space and build again)"
    )
    assert tree(project.out) == before
    assert siblings(project.out) == []
    monkeypatch.undo()
    # Once files start moving, the cache no longer vouches for the site: the next build is full.
    again = cached_build(project.root, project.out, jobs=1)
    assert again.mode == ("updated" if point == "_put" else "full")
    build(project.root, tmp_path / "clean", jobs=1)
    assert tree(project.out) == tree(tmp_path / "clean")


def test_a_failure_while_undoing_is_undone_by_the_next_build(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moving files fails, then putting them back fails too: the next build repairs the site."""
    cached_build(project.root, project.out, jobs=1)
    rename_an_actor(project)
    monkeypatch.setattr(write, "_move", fail_after(5, write._move))
    with pytest.raises(ConfigError, match="could not all be put back") as caught:
        cached_build(project.root, project.out, jobs=1)
    assert caught.value.exit_code == 2
    assert len(siblings(project.out)) == 1, "the stage is kept, with what is needed to undo"
    monkeypatch.undo()
    assert cached_build(project.root, project.out, jobs=1).mode == "full"
    build(project.root, tmp_path / "clean", jobs=1)
    assert tree(project.out) == tree(tmp_path / "clean")
    assert siblings(project.out) == []


@pytest.mark.parametrize(("point", "count"), [("_put", 2), ("_move", 4)])
def test_full_disk_during_a_preview_rebuild_leaves_the_preview_as_it_was(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str, count: int
) -> None:
    rebuilder = Rebuilder(project.root, tmp_path / "preview" / "site")
    rebuilder.full()
    before = tree(rebuilder.out)
    rename_an_actor(project)
    project.write("static/assets/extra.css", "p { color: red; }")
    changed = [project.root / "content/actors/donald-trump.md", project.root / "static/assets"]
    changed.append(project.root / "static/assets/extra.css")
    failing = fail_after(count, getattr(write, point), once=point == "_move")
    monkeypatch.setattr(write, point, failing)
    with pytest.raises(ConfigError, match="No space left on device"):
        rebuilder.update(changed)
    assert tree(rebuilder.out) == before
    assert siblings(rebuilder.out) == []
    monkeypatch.undo()
    # Only the actor is saved again: the stylesheet that failed to land still lands.
    rebuilder.update([project.root / "content/actors/donald-trump.md"])
    build(project.root, tmp_path / "clean", drafts=True, fingerprint=False, jobs=1)
    assert tree(rebuilder.out) == tree(tmp_path / "clean")


# A build killed with SIGKILL at chosen moments, in a real process.

KILLER = """
import os, signal, sys
from pathlib import Path
from briefgen import cache, write

point, count = sys.argv[3], int(sys.argv[4])
owner = cache.BuildCache if point == "save" else write
real = getattr(owner, point)
calls = iter(range(count))

def killing(*args, **kwargs):
    if next(calls, None) is None:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

setattr(owner, point, killing)
cache.cached_build(Path(sys.argv[1]), Path(sys.argv[2]), jobs=1)
"""


def killed_build(project: Project, point: str, count: int) -> None:
    """Run a warm build in a new process that kills itself at call ``count + 1`` of ``point``."""
    args = [sys.executable, "-c", KILLER, str(project.root), str(project.out), point, str(count)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr


@pytest.mark.parametrize(
    ("point", "count", "edit"),
    [
        ("_put", 2, True),  # while the new pages are staged
        ("_move", 3, True),  # while they are moved into place
        ("save", 0, True),  # the site updated, the cache not yet saved
        ("_move", 1, False),  # a whole build, between the two renames of its swap
    ],
)
def test_a_build_killed_at_any_moment_is_repaired_by_the_next(
    project: Project, tmp_path: Path, point: str, count: int, edit: bool
) -> None:
    cached_build(project.root, project.out, jobs=1)
    before = tree(project.out)
    if edit:
        rename_an_actor(project)
    else:
        project.write(
            "templates/tag.html", "{% extends 'base.html' %}{% block main %}{% endblock %}"
        )
    killed_build(project, point, count)
    if point != "save":
        write.recover(project.out)
        assert tree(project.out) == before, "what the killed build left is rolled back"
    result = cached_build(project.root, project.out, jobs=1)
    assert result.mode == ("updated" if point == "_put" else "full")
    build(project.root, tmp_path / "clean", jobs=1)
    assert tree(project.out) == tree(tmp_path / "clean")
    assert siblings(project.out) == []


# Permissions: a site is served as it is, so it gets the modes the user's umask gives.


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def modes(folder: Path) -> dict[str, str]:
    """Each distinct mode in the folder (itself included), with one path that has it."""
    found: dict[str, str] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        found.setdefault(oct(path.stat().st_mode & 0o7777), path.relative_to(folder).as_posix())
    return found


@pytest.mark.usefixtures("umask_022")
def test_cold_warm_and_incremental_builds_give_ordinary_permissions(
    project: Project, tmp_path: Path
) -> None:
    secret = project.write("static/robots.txt", "User-agent: *\n")
    secret.chmod(0o600)  # the writer's own file mode is not the published one
    expected = {"0o755", "0o644"}
    cached_build(project.root, project.out, jobs=1)
    assert set(modes(project.out)) == expected, modes(project.out)
    rename_an_actor(project)
    project.write("content/pages/new.md", "---\ntitle: New\n---\nA new page.\n")
    assert cached_build(project.root, project.out, jobs=1).mode == "updated"
    assert set(modes(project.out)) == expected, modes(project.out)
    rebuilder = Rebuilder(project.root, tmp_path / "preview" / "site")
    rebuilder.full()
    project.write("content/pages/other.md", "---\ntitle: Other\n---\nAnother page.\n")
    project.write("static/img/new.txt", "x")
    rebuilder.update([project.root / "content/pages/other.md", project.root / "static/img/new.txt"])
    assert set(modes(rebuilder.out)) == expected, modes(rebuilder.out)
    assert (rebuilder.out / "img/new.txt").is_file()


# Input files that exist but cannot be read: an error naming the file, never a traceback.


def make_unreadable(path: Path) -> None:
    """Make reading ``path`` fail, as a file without read permission does.

    File modes do not stop root, who runs CI containers, so the file becomes a
    link to a file whose reading always fails (with an I/O error).
    """
    if not Path("/proc/self/mem").exists():
        pytest.skip("needs Linux's /proc/self/mem")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to("/proc/self/mem")


@pytest.mark.parametrize("cache", [True, False])
@pytest.mark.parametrize(
    ("rel", "shown"),
    [
        ("templates/brief.html", "templates/brief.html: error: cannot read this template"),
        ("templates/base.html", "templates/base.html: error: cannot read this template"),
        ("static/assets/extra.css", "static/assets/extra.css: error: cannot read this static file"),
        ("static/robots.txt", "static/robots.txt: error: cannot read this static file"),
    ],
)
def test_an_unreadable_template_or_static_file_is_named(
    project: Project, rel: str, shown: str, cache: bool
) -> None:
    assert project.cli("build", "--jobs", "1").exit_code == 0
    before = tree(project.out)
    make_unreadable(project.root / rel)
    result = project.cli("build", "--jobs", "2", *([] if cache else ["--no-cache"]))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0] == (
        f"{shown} (Input/output error) (check that it is readable)"
    )
    assert tree(project.out) == before


def test_an_unreadable_static_file_in_the_preview_is_named(
    project: Project, tmp_path: Path
) -> None:
    rebuilder = Rebuilder(project.root, tmp_path / "preview" / "site")
    rebuilder.full()
    before = tree(rebuilder.out)
    make_unreadable(project.root / "static/notes.txt")
    with pytest.raises(ConfigError, match=r"^static/notes\.txt: error: cannot read this static"):
        rebuilder.update([project.root / "static/notes.txt"])
    assert tree(rebuilder.out) == before


def test_recovery_keeps_the_folders_of_a_build_still_running(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("index.html", "home"), ("404.html", "missing")], out, {})
    running, left = tmp_path / ".site-update-0badcafe", tmp_path / ".site-new-k2_x9qz1"
    running.mkdir()
    left.mkdir()
    (left / "index.html").write_text("half a build, from an older briefgen's mkdtemp")
    held = write._lock(running)
    try:
        write.recover(out)
        assert siblings(out) == [".site-update-0badcafe"]
    finally:
        write._unlock(held)
    write.recover(out)
    assert siblings(out) == []
    assert tree(out) == {"index.html": b"home", "404.html": b"missing"}


def test_a_new_stage_cannot_be_taken_for_a_leftover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another build's recover() running between the making of a stage folder and its lock
    # took it for a killed build's leftover and deleted it.
    import briefgen.write as write

    out = tmp_path / "site"
    out.mkdir()
    real_lock = write._lock
    raced: list[Path] = []

    def lock_after_another_recover(folder: Path, *, wait: bool = False) -> int | None:
        if not raced:
            raced.append(folder)
            write.recover(out)  # as a second build starting at this very moment would
        return real_lock(folder, wait=wait)

    monkeypatch.setattr(write, "_lock", lock_after_another_recover)
    stage, fd = write._new_stage(out, "update")
    try:
        assert stage.is_dir()
        assert write._lock(stage) is None, "the stage is locked: a live build holds it"
    finally:
        write._unlock(fd)
