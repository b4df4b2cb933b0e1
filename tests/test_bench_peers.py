"""The benchmark's peer corpora (bench/peers.py) and its runner (bench/run.py).

None of this needs Hugo, Pelican or MkDocs installed: the corpora are checked as
files, and the runner is run with --skip-peers.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.generate import generate
from bench.peers import Corpus, convert, convert_body, read_project
from bench.report import HEADER, add_section

ROOT = Path(__file__).resolve().parent.parent


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    data = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert isinstance(data, dict), path
    return data


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, peers): a 20-brief project and its corpora for every peer."""
    root = tmp_path_factory.mktemp("peers")
    generate(root / "project", 20)
    written = convert(root / "project", root / "peers")
    assert written == {"hugo": 46, "pelican": 22, "mkdocs": 22}
    return root / "project", root / "peers"


def test_no_mention_or_citation_is_left(converted: tuple[Path, Path]) -> None:
    _, peers = converted
    files = sorted(peers.rglob("*.md"))
    # Hugo: 20 briefs, _index.md, 10 actors, 5 sources, about; Pelican: 20 briefs, about;
    # MkDocs: 20 briefs, index.
    assert len(files) == 37 + 21 + 21
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "[[" not in text, path
        assert "[@" not in text, path


def test_hugo_corpus(converted: tuple[Path, Path]) -> None:
    project, peers = converted
    hugo = peers / "hugo"
    config = (hugo / "hugo.toml").read_text(encoding="utf-8")
    assert 'disableKinds = ["rss", "sitemap", "robotsTXT"]' in config
    assert 'actor = "actors"\nsource = "sources"\ntag = "tags"' in config
    for layout in ("baseof", "home", "single", "list", "taxonomy", "term", "404"):
        assert (hugo / "layouts" / f"{layout}.html").is_file(), layout

    briefs = sorted((hugo / "content" / "briefs").glob("*.md"))
    assert [p.name for p in briefs if p.name != "_index.md"] == sorted(
        p.name for p in (project / "content" / "briefs").glob("*.md")
    )
    assert len(list((hugo / "content" / "actors").glob("*/_index.md"))) == 10
    assert len(list((hugo / "content" / "sources").glob("*/_index.md"))) == 5
    assert (hugo / "content" / "about.md").is_file()

    actors = {p.parent.name for p in (hugo / "content" / "actors").glob("*/_index.md")}
    sources = {p.parent.name for p in (hugo / "content" / "sources").glob("*/_index.md")}
    for path in briefs:
        if path.name == "_index.md":
            continue
        original = front_matter(project / "content" / "briefs" / path.name)
        data = front_matter(path)
        assert list(data) == ["title", "date", "summary", "actors", "sources", "tags"]
        for key in ("title", "date", "summary", "actors", "sources", "tags"):
            assert data[key] == original[key], (path, key)
        text = path.read_text(encoding="utf-8")
        # Every mention links to an actor's term page, every citation to a source's.
        assert set(re.findall(r"\]\(/actors/([a-z0-9-]+)/\)", text)) <= actors
        cited = re.findall(r"\[\\\[\d+(?:, [^\]]*)?\\\]\]\(/sources/([a-z0-9-]+)/\)", text)
        assert cited and set(cited) <= sources
        assert "\n## References\n\n1. [" in text


def test_pelican_corpus(converted: tuple[Path, Path]) -> None:
    project, peers = converted
    pelican = peers / "pelican"
    settings = runpy.run_path(str(pelican / "pelicanconf.py"))
    feeds = [key for key in settings if "FEED" in key]
    assert feeds and all(settings[key] is None for key in feeds)
    assert settings["PATH"] == "content"
    assert "THEME" not in settings  # the default theme

    articles = sorted((pelican / "content").glob("*.md"))
    assert len(articles) == 20
    assert (pelican / "content" / "pages" / "about.md").is_file()
    actor_names = {
        p.stem: str(front_matter(p)["name"]) for p in (project / "content" / "actors").glob("*.md")
    }
    for path in articles:
        original = front_matter(project / "content" / "briefs" / path.name)
        head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        assert list(meta) == ["Title", "Date", "Slug", "Category", "Tags", "Authors", "Summary"]
        assert meta["Title"] == original["title"]
        assert meta["Date"] == str(original["date"])
        assert meta["Slug"] == path.stem
        assert isinstance(original["actors"], list) and isinstance(original["tags"], list)
        names = [actor_names[a] for a in original["actors"]]
        assert meta["Tags"].split(", ") == names + original["tags"]
        assert meta["Authors"].split(", ") == original["sources"]
        assert body.startswith("## Key points")
        assert "](/tag/" in body and "](/author/" in body


def test_mkdocs_corpus(converted: tuple[Path, Path]) -> None:
    _, peers = converted
    mkdocs = peers / "mkdocs"
    config = yaml.safe_load((mkdocs / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"] == {"name": "mkdocs"}
    assert config["plugins"] == []
    briefs = sorted((mkdocs / "docs" / "briefs").glob("*.md"))
    assert len(briefs) == 20
    index = (mkdocs / "docs" / "index.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(briefs/([a-z0-9-]+)\.md\)", index)
    assert sorted(linked) == sorted(p.stem for p in briefs)
    for path in briefs:
        data = front_matter(path)
        assert list(data) == ["title", "date", "summary", "actors", "tags"]
        text = path.read_text(encoding="utf-8")
        assert f"\n# {data['title']}\n" in text
        assert "](/" not in text  # no page to link mentions or citations to
        assert re.search(r"\\\[\d+(, (para|p)\. \d+)?\\\]", text)


def test_conversion_is_deterministic(converted: tuple[Path, Path], tmp_path: Path) -> None:
    project, peers = converted
    convert(project, tmp_path)
    for peer in ("hugo", "pelican", "mkdocs"):
        assert tree(tmp_path / peer) == tree(peers / peer), peer


def test_mentions_and_citations(converted: tuple[Path, Path]) -> None:
    project, _ = converted
    corpus: Corpus = read_project(project)
    actor = next(iter(corpus.actors.values()))
    first, second = list(corpus.sources)[:2]
    text = (
        f"[[{actor.id}]] and [[{actor.name.upper()}]] and [[{actor.id}|the text]] | "
        f"[[{actor.id}\\|in a table]] [@{first}, para. 3; @{second}] [@{second}, p. 9]"
    )
    done = convert_body(corpus, text, lambda a: f"/a/{a}/", lambda s: f"/s/{s}/")
    link = f"(/a/{actor.id}/)"
    assert done.text == (
        f"[{actor.name}]{link} and [{actor.name}]{link} and [the text]{link} | "
        f"[in a table]{link} [\\[1, para. 3\\]](/s/{first}/) [\\[2\\]](/s/{second}/) "
        f"[\\[2, p. 9\\]](/s/{second}/)"
    )
    assert done.cited == [first, second]
    plain = convert_body(corpus, text, lambda _: None, lambda _: None)
    assert plain.text == (
        f"{actor.name} and {actor.name} and the text | in a table \\[1, para. 3\\] \\[2\\] "
        "\\[2, p. 9\\]"
    )


def test_results_keep_earlier_sections(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    add_section(results, "## first\n\nold table\n")
    add_section(results, "## second\n\nnew table\n")
    text = results.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert text.count("# Benchmark results") == 1
    assert text.index("## second") < text.index("## first")
    assert "old table" in text and "new table" in text


def test_run_briefgen_alone(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    ran = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--briefs",
            "20",
            "--runs",
            "1",
            "--edits",
            "2",
            "--edit-deadline",
            "30",
            "--start-deadline",
            "60",
            "--skip-peers",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    row = re.search(
        r"^\| briefgen \(cold\) \| \S+ \| [\d.]+ \| [\d.]+ \| (\d+) \| (\d+) \| (\d+) \| \d+ \| "
        r"1\.00 \|$",
        ran.stdout,
        re.MULTILINE,
    )
    assert row, ran.stdout
    largest, tree, pages = (int(group) for group in row.groups())
    assert 0 < largest <= tree
    assert pages > 20  # briefs, actors, sources, tags, indexes
    for label in (
        "briefgen warm build, nothing changed",
        "briefgen warm build, one brief's body edited",
        "briefgen warm build, one brief's title edited",
    ):
        assert re.search(rf"^- \*\*{label}\*\* \(median of 1\): [\d.]+ s wall", ran.stdout, re.M)
    # The preview's latency, measured over HTTP: two edits of each kind, all seen.
    assert re.search(
        r"^- \*\*briefgen serve save to visible\*\*: body edit median \d+ ms \(min \d+ ms, "
        r"max [\d.]+ m?s, 2 edits\); title edit median .*2 edits\)$",
        ran.stdout,
        re.M,
    ), ran.stdout
    assert ran.stdout.count("briefgen serve: body edit of ") == 2
    assert ran.stdout.count("briefgen serve: title edit of ") == 2
    assert "| save to visible, body edit (median, min to max) | " in ran.stdout
    assert "hugo server --disableFastRender save to visible**: not run" in ran.stdout
    text = results.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert text.count("\n## ") == 1 and "20 briefs, 1 run" in text
    assert "- machine: " in text and " cores, " in text
