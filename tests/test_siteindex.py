"""The site index kept up to date: every update gives what a whole new index gives.

Random sequences of brief edits (added, deleted, re-dated, re-titled, new actors,
new tags spelled another way, bylines, quotes, events in other years, drafts) go
through ``SiteIndex.update``; after each, the site, its order, the problems found
and the keys said to have changed must equal those of an index made from scratch.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from briefgen.build import sort_diagnostics, without_drafts
from briefgen.load import LoadedFile, assemble, load_file
from briefgen.markdown import RenderCache
from briefgen.model import Brief, Content
from briefgen.paths import Urls
from briefgen.site import Site
from briefgen.siteindex import INCREMENTAL_MAX, SiteIndex
from briefgen.track import changed_keys

from .conftest import Project

ACTORS = ["sergei-lavrov", "russia", "donald-trump", "Lavrov", "Trump"]
SOURCES = ["haaretz-2017-01-17", "ft-2017-01-17"]
TAGS = ["syria", "Syria", "sanctions", "nuclear", "Nuclear!", "diplomacy"]


def _brief(rng: random.Random, number: int) -> str:
    actors = rng.sample(ACTORS, rng.randint(0, 3))
    body = " ".join(
        f"[[{a}]] acted [@{rng.choice(SOURCES)}, para. {rng.randint(1, 9)}]." for a in actors
    )
    if actors and rng.random() < 0.5:
        body += f"\n\n> Words {number}.\n>\n> -- [[{actors[0]}]] [@{rng.choice(SOURCES)}]\n"
    tags = rng.sample(TAGS, rng.randint(0, 3))
    when = rng.choice(["1991", "2015", f"2017-0{rng.randint(1, 9)}"])
    front = [
        f"title: Brief {rng.randint(1, 5)}",
        f"date: {rng.choice([2016, 2017])}-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}",
        f"summary: Summary {number}.",
        f"tags: [{', '.join(tags)}]",
    ]
    if rng.random() < 0.4:
        front.append(f"events:\n  - {{date: {when}, title: Event {number}, actors: [russia]}}")
    if rng.random() < 0.3:
        front.append(f"authors: [{rng.choice(['sergei-lavrov', 'A desk'])}]")
    if rng.random() < 0.3:
        front.append(f"sources: [{rng.choice(SOURCES)}]")
    if rng.random() < 0.15:
        front.append("draft: true")
    return "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n"


def _edit(rng: random.Random, text: str, step: int) -> str:
    """A small edit of one kind a writer makes: body only, title, date, updated."""
    kind = rng.choice(["body", "title", "date", "updated"])
    if kind == "updated":
        # The sitemap and the feeds read it (key brief-dates): add it, or move it on.
        if "updated: " in text:
            return text.replace("updated: 2018-", "updated: 2019-", 1)
        return text.replace("summary: ", "updated: 2018-06-01\nsummary: ", 1)
    if kind == "body":
        return text + f"\nMore words {step}.\n"
    if kind == "title":
        return text.replace("title: ", f"title: T{step} ", 1)
    return text.replace("date: 2017", "date: 2016", 1).replace("-1", "-2", 1)


def _same(one: Site, two: Site) -> bool:
    kinds = ("briefs", "actors", "sources", "pages", "tags")
    return one == two and all(list(getattr(one, k)) == list(getattr(two, k)) for k in kinds)


@pytest.mark.parametrize("seed", range(8))
def test_updates_match_a_new_index(project: Project, seed: int) -> None:
    rng = random.Random(seed)
    drafts = bool(seed % 2)
    urls = Urls("/")
    files: dict[str, LoadedFile] = {}

    def load(rel: str) -> None:
        loaded = load_file(project.root, project.root / rel)
        assert loaded is not None
        files[rel] = loaded

    for path in sorted((project.root / "content").rglob("*.md")):
        load(path.relative_to(project.root).as_posix())

    def content() -> Content:
        found, problems = assemble(files.values())
        assert not [p for p in problems if p.severity.value == "error"]
        return found if drafts else without_drafts(found)

    def shown(rel: str) -> Brief | None:
        entry = files[rel].entry if rel in files else None
        assert entry is None or isinstance(entry, Brief)
        return entry if entry is not None and (drafts or not entry.draft) else None

    for number in range(12):
        project.write(f"content/briefs/b{number}.md", _brief(rng, number))
        load(f"content/briefs/b{number}.md")
    index = SiteIndex(content(), urls, RenderCache())
    for step in range(25):
        briefs = sorted(p for p in files if p.startswith("content/briefs/"))
        changes: dict[str, Brief | None] = {}
        for _ in range(rng.choice([1, 1, 1, 2])):
            action = rng.choice(["edit", "edit", "edit", "replace", "add", "delete"])
            rel = rng.choice(briefs)
            brief_id = Path(rel).stem
            if action == "delete" and len(briefs) > 2:
                (project.root / rel).unlink()
                del files[rel]
                briefs.remove(rel)
                changes[brief_id] = None
                continue
            if action == "add":
                rel = f"content/briefs/new-{step}.md"
                brief_id = f"new-{step}"
                project.write(rel, _brief(rng, step))
            elif action == "replace":
                project.write(rel, _brief(rng, step))
            else:
                project.write(rel, _edit(rng, (project.root / rel).read_text(), step))
            load(rel)
            changes[brief_id] = shown(rel)
        before = index.site
        changed = index.update(changes)
        fresh = SiteIndex(content(), urls, RenderCache())
        if changed is None:
            # Too many at once for the briefs there are: the caller makes a new index.
            assert len(changes) > max(1, INCREMENTAL_MAX * len(index.parts))
            index = fresh
            continue
        assert _same(index.site, fresh.site), f"step {step}: {changes.keys()}"
        assert sort_diagnostics(index.diagnostics()) == sort_diagnostics(fresh.diagnostics())
        assert changed == changed_keys(before, fresh.site), f"step {step}"


def test_a_body_edit_changes_only_the_brief_page_key(project: Project) -> None:
    urls = Urls("/")
    files = [load_file(project.root, p) for p in (project.root / "content").rglob("*.md")]
    index = SiteIndex(assemble([f for f in files if f])[0], urls, RenderCache())
    path = project.root / "content/briefs/sanctions.md"
    project.write("content/briefs/sanctions.md", path.read_text() + "\nOne more sentence.\n")
    loaded = load_file(project.root, path)
    assert loaded is not None and isinstance(loaded.entry, Brief)
    assert index.update({"sanctions": loaded.entry}) == {("brief-page", "sanctions")}


def test_too_many_changes_at_once_ask_for_a_new_index(project: Project, tmp_path: Path) -> None:
    files = [load_file(project.root, p) for p in (project.root / "content").rglob("*.md")]
    index = SiteIndex(assemble([f for f in files if f])[0], Urls("/"), RenderCache())
    site = index.site
    assert index.update({"sanctions": None, "invitation": None}) is None
    assert index.site is site
