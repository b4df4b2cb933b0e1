"""The persistent cache: warm builds write what a clean build writes, and only when needed."""

from __future__ import annotations

import gc
import random
import shutil
from pathlib import Path

import pytest

from bench.generate import generate
from briefgen import cache as cache_module
from briefgen.build import build
from briefgen.cache import CACHE_DIR, cached_build
from briefgen.errors import ConfigError, ContentError
from briefgen.rebuild import Rebuilder

from .conftest import Project
from .test_rebuild import tree


def mtimes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_unchanged_inputs_write_nothing(project: Project) -> None:
    first = cached_build(project.root, project.out)
    assert first.mode == "full"
    before = mtimes(project.out)
    again = cached_build(project.root, project.out)
    assert again.mode == "unchanged"
    assert mtimes(project.out) == before


def test_edit_updates_only_some_files_and_matches_a_clean_build(
    project: Project, tmp_path: Path
) -> None:
    cached_build(project.root, project.out)
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text().replace("was misread", "was misread again"))
    result = cached_build(project.root, project.out)
    assert result.mode == "updated"
    assert 0 < result.pages < 19
    build(project.root, tmp_path / "clean")
    assert tree(project.out) == tree(tmp_path / "clean")


def test_template_change_or_missing_output_rebuilds_everything(project: Project) -> None:
    cached_build(project.root, project.out)
    project.write(
        "templates/tag.html",
        "{% extends 'base.html' %}{% block main %}<h1>{{ node.name }}</h1>{% endblock %}",
    )
    assert cached_build(project.root, project.out).mode == "full"
    shutil.rmtree(project.out)
    assert cached_build(project.root, project.out).mode == "full"
    assert (project.out / "index.html").is_file()


def test_compiled_templates_are_kept_and_never_outlive_their_text(project: Project) -> None:
    cached_build(project.root, project.out)
    compiled = project.root / CACHE_DIR / "templates"
    kept = {p.name for p in compiled.iterdir()}
    assert len(kept) >= 5  # base.html, brief.html, actor.html, ...
    # The same name, another text: Jinja compiles it again, and the page shows it.
    project.write(
        "templates/tag.html",
        "{% extends 'base.html' %}{% block main %}<h1>Tag {{ node.name }}</h1>{% endblock %}",
    )
    cached_build(project.root, project.out)
    tags = list((project.out / "tags").glob("*/index.html"))
    assert tags and all("<h1>Tag " in p.read_text() for p in tags)
    project.write(
        "templates/tag.html",
        "{% extends 'base.html' %}{% block main %}<h1>Topic {{ node.name }}</h1>{% endblock %}",
    )
    cached_build(project.root, project.out)
    assert all("<h1>Topic " in p.read_text() for p in tags)
    # Under another key (another briefgen, another configuration) none is kept: what a
    # template compiles to depends on briefgen's code as well as on its text.
    stale = compiled / "from-another-briefgen.cache"
    stale.write_bytes(b"old")
    config = project.root / "briefgen.toml"
    config.write_text(config.read_text() + "\n# another key\n")
    assert cached_build(project.root, project.out).mode == "full"
    assert not stale.exists() and any(compiled.iterdir())


def test_damaged_cache_is_ignored(project: Project) -> None:
    cached_build(project.root, project.out)
    (project.root / CACHE_DIR / "build.pickle").write_bytes(b"not a pickle")
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text() + "\nMore.\n")
    assert cached_build(project.root, project.out).mode == "full"


@pytest.mark.parametrize(
    "written", [b"", b"not marshal data", b"\xe9\x01\x02", b"i\x07\x00\x00\x00"]
)
def test_damaged_manifest_means_a_full_build(project: Project, written: bytes) -> None:
    """Cut short, overwritten, or a number where the manifest was: the build starts over."""
    cached_build(project.root, project.out)
    (project.root / CACHE_DIR / "build.manifest").write_bytes(written)
    assert cached_build(project.root, project.out).mode == "full"
    assert cached_build(project.root, project.out).mode == "unchanged"


def test_no_cache_neither_reads_nor_writes_it(project: Project) -> None:
    result = project.cli("build", "--no-cache")
    assert result.exit_code == 0
    assert not (project.root / CACHE_DIR).exists()
    assert project.cli("build").exit_code == 0
    assert (project.root / CACHE_DIR / "build.manifest").is_file()
    assert "is up to date" in project.cli("build").stdout


def test_strict_warm_build_fails_on_a_new_warning_and_keeps_the_site(project: Project) -> None:
    cached_build(project.root, project.out, strict=True)
    before = tree(project.out)
    project.write("content/sources/tass.md", "---\ntitle: TASS\n---\n")
    with pytest.raises(ContentError):
        cached_build(project.root, project.out, strict=True)
    assert tree(project.out) == before


@pytest.mark.parametrize("seed", [1, 2])
def test_serial_parallel_warm_and_incremental_builds_agree(tmp_path: Path, seed: int) -> None:
    """Over random edits, every way of building the same content writes the same bytes."""
    project = tmp_path / "project"
    generate(project, 220, seed=seed)
    rng = random.Random(seed)
    rebuilder = Rebuilder(project, tmp_path / "incremental", drafts=False, fingerprint=True)
    rebuilder.full()
    briefs = sorted((project / "content" / "briefs").glob("*.md"))
    for step in range(3):
        changed: list[Path] = []
        victim = rng.choice(briefs)
        if step == 1:
            victim.unlink()
            briefs.remove(victim)
        else:
            text = victim.read_text()
            victim.write_text(text.replace("## Key points", f"## Key points, revision {step}", 1))
        changed.append(victim)
        actor = rng.choice(sorted((project / "content" / "actors").glob("*.md")))
        actor.write_text(
            actor.read_text().replace("\n---\n", f"\nrole: Role {step}\n---\n", 1)
            if "role:" not in actor.read_text()
            else actor.read_text().replace("role: ", "role: New ", 1)
        )
        changed.append(actor)
        # A brief in a new year subfolder, and a stray file, must reach every kind of build.
        added = project / "content" / "briefs" / f"{2014 - step}" / f"archived-{step}.md"
        added.parent.mkdir(parents=True, exist_ok=True)
        added.write_text(victim.read_text() if victim.exists() else briefs[0].read_text())
        (added.parent / "notes.txt").write_text(f"step {step}")
        changed += [added, added.parent / "notes.txt"]

        build(project, tmp_path / "serial", jobs=1)
        build(project, tmp_path / "parallel", jobs=2)
        cached_build(project, tmp_path / "warm", jobs=2)
        rebuilder.update(changed)
        serial = tree(tmp_path / "serial")
        assert tree(tmp_path / "parallel") == serial
        assert tree(tmp_path / "warm") == serial
        assert tree(tmp_path / "incremental") == serial
        assert (tmp_path / "warm" / "briefs" / f"archived-{step}" / "index.html").is_file()


@pytest.mark.parametrize("damage", ["delete", "edit", "add"])
def test_output_changed_by_hand_is_rebuilt_and_said(
    project: Project, tmp_path: Path, damage: str
) -> None:
    """A page deleted, edited or added in site/ is never left as it is by a warm build."""
    assert project.cli("build").exit_code == 0
    page = project.out / "briefs" / "sanctions" / "index.html"
    if damage == "delete":
        page.unlink()
        change = "briefs/sanctions/index.html missing"
    elif damage == "edit":
        page.write_text(page.read_text().replace("<h1", "<h1 data-edited", 1))
        change = "briefs/sanctions/index.html changed"
    else:
        (project.out / "briefs" / "stray.html").write_text("stray")
        change = "briefs/stray.html added"
    result = project.cli("build")
    assert result.exit_code == 0, result.output
    assert f"site/ differs from the last build ({change}), so all of it was rebuilt" in (
        result.stdout
    )
    assert "built " in result.stdout
    build(project.root, tmp_path / "clean")
    assert tree(project.out) == tree(tmp_path / "clean")
    # Repaired, the output is what the cache describes again.
    assert "is up to date" in project.cli("build").stdout


def test_output_change_with_an_input_change_is_a_full_build(project: Project) -> None:
    cached_build(project.root, project.out)
    (project.out / "briefs" / "sanctions" / "index.html").unlink()
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text() + "\nMore.\n")
    result = cached_build(project.root, project.out)
    assert result.mode == "full"
    assert result.output_changes == ("briefs/sanctions/index.html missing",)
    assert (project.out / "briefs" / "sanctions" / "index.html").is_file()


def test_many_output_changes_are_counted(project: Project) -> None:
    cached_build(project.root, project.out)
    for name in "abcde":
        (project.out / f"{name}.txt").write_text(name)
    result = project.cli("build")
    assert "(a.txt added, b.txt added, c.txt added and 2 more)" in result.stdout


def test_deleted_home_page_is_rebuilt_not_refused(project: Project, tmp_path: Path) -> None:
    """Without index.html a folder does not look like a site, but the cache knows it is one."""
    cached_build(project.root, project.out)
    (project.out / "index.html").unlink()
    (project.out / "404.html").write_text("mine")
    result = cached_build(project.root, project.out)
    assert result.output_changes == ("404.html changed", "index.html missing")
    build(project.root, tmp_path / "clean")
    assert tree(project.out) == tree(tmp_path / "clean")


def test_a_folder_with_files_of_its_own_is_still_refused(project: Project) -> None:
    cached_build(project.root, project.out)
    (project.out / "index.html").unlink()
    (project.out / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="it holds files but no earlier site"):
        cached_build(project.root, project.out)
    assert (project.out / "notes.txt").read_text() == "mine"


def test_a_state_loaded_for_an_output_changed_by_hand_is_let_go(project: Project) -> None:
    """The state is read while the output is walked; when the walk finds a page edited by
    hand, the build is a full one and the state read is dropped, not kept frozen out of
    the collector's sight through it."""
    cached_build(project.root, project.out, jobs=2)
    (project.out / "index.html").write_text("edited by hand", encoding="utf-8")
    brief = project.root / "content/briefs/sanctions.md"
    brief.write_text(brief.read_text() + "\nMore.\n")
    assert cached_build(project.root, project.out, jobs=2).mode == "full"
    assert gc.get_freeze_count() == 0


def test_a_problem_while_the_output_is_walked_is_the_one_reported(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk in its child is waited for, and its own failure does not hide the first."""

    def stats(_project: Path) -> object:
        raise ValueError("the inputs could not be listed")

    def walk(_out: Path) -> object:
        raise OSError("the output could not be walked")

    monkeypatch.setattr(cache_module, "input_stats", stats)
    monkeypatch.setattr(cache_module, "output_files", walk)
    with pytest.raises(ValueError, match="inputs could not be listed"):
        cached_build(project.root, project.out, jobs=2)
