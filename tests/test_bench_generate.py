"""The benchmark corpus generator: valid under --strict, deterministic, in proportion."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bench.generate import generate, main
from briefgen.build import build


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def front_matter(path: Path) -> str:
    """The YAML between the opening and closing ``---`` of a content file."""
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[0]


def test_generated_project_builds_strictly(tmp_path: Path) -> None:
    project = tmp_path / "project"
    counts = generate(project, 40)
    assert counts == {"briefs": 40, "actors": 10, "sources": 8, "tags": 10}

    out = tmp_path / "site"
    result = build(project, out, strict=True)

    assert result.diagnostics == ()
    brief_pages = sorted((out / "briefs").glob("*/index.html"))
    assert len(brief_pages) == 40
    for page in brief_pages:
        html = page.read_text(encoding="utf-8")
        assert "[[" not in html, page  # every mention became a link
        assert "[@" not in html, page  # every citation became a number
    # Ten actors' pages, and the actor network page at /actors/network/.
    actor_pages = {p.parent.name for p in (out / "actors").glob("*/index.html")}
    assert len(actor_pages - {"network"}) == 10
    assert "network" in actor_pages
    assert len(list((out / "sources").glob("*/index.html"))) == 8
    assert (out / "about" / "index.html").is_file()


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", 60, seed=7)
    generate(tmp_path / "b", 60, seed=7)
    generate(tmp_path / "c", 60, seed=8)

    first = tree(tmp_path / "a")
    assert first == tree(tmp_path / "b")
    assert first != tree(tmp_path / "c")


def test_counts_follow_the_reference_proportions(tmp_path: Path) -> None:
    project = tmp_path / "project"
    counts = generate(project, 200)

    assert counts == {"briefs": 200, "actors": 20, "sources": 40, "tags": 10}
    content = project / "content"
    for folder in ("briefs", "actors", "sources"):
        assert len(list((content / folder).glob("*.md"))) == counts[folder]
    tags: set[str] = set()
    for brief in (content / "briefs").glob("*.md"):
        match = re.search(r"^tags: \[(.*)\]$", front_matter(brief), re.MULTILINE)
        assert match is not None
        tags.update(tag.strip() for tag in match[1].split(","))
    assert len(tags) == counts["tags"]


def test_briefs_have_the_reference_shape(tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(project, 300, seed=3)

    briefs = sorted((project / "content" / "briefs").glob("*.md"))
    quotes = tables = footnotes = 0
    for brief in briefs:
        text = brief.read_text(encoding="utf-8")
        head, body = text.split("\n---\n", 1)
        actors = re.search(r"^actors: \[(.*)\]$", head, re.MULTILINE)
        sources = re.search(r"^sources: \[(.*)\]$", head, re.MULTILINE)
        tags = re.search(r"^tags: \[(.*)\]$", head, re.MULTILINE)
        assert actors and sources and tags
        assert 2 <= len(actors[1].split(",")) <= 6
        assert 1 <= len(sources[1].split(",")) <= 4
        assert 1 <= len(tags[1].split(",")) <= 3
        headings = re.findall(r"^## (.+)$", body, re.MULTILINE)
        assert body.lstrip().startswith("## Key points\n")
        assert 3 <= len(headings) - 1 <= 5
        assert 400 <= len(body.split()) <= 1200
        quotes += "\n>\n> -- [[" in body
        tables += "\n|---|---|---|\n" in body
        footnotes += "\n[^1]: " in body
    assert quotes > len(briefs) * 0.6
    assert len(briefs) * 0.2 < tables < len(briefs) * 0.5
    assert len(briefs) * 0.2 < footnotes < len(briefs) * 0.5


def test_actor_kinds_are_mixed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(project, 1000)

    kinds: Counter[str] = Counter()
    for actor in (project / "content" / "actors").glob("*.md"):
        match = re.search(r"^kind: (\w+)$", front_matter(actor), re.MULTILINE)
        assert match is not None
        kinds[match[1]] += 1
    assert kinds == {"person": 60, "state": 15, "organisation": 15, "group": 10}


def test_cli_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")

    assert main([str(out), "--briefs", "20"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").exists()

    assert main([str(out), "--briefs", "20", "--force"]) == 0
    assert not (out / "keep.txt").exists()
    assert capsys.readouterr().out.startswith("generated 20 briefs, 10 actors, 5 sources, 10 tags")
