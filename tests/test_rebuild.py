"""Incremental rebuilds: which pages an edit touches, and equality with a clean build."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.errors import ContentError
from briefgen.rebuild import Rebuilder
from briefgen.render import RenderedPage, SiteRenderer, TemplateError

from .conftest import Project


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_same_as_clean_build(project: Project, rebuilder: Rebuilder, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    build(project.root, clean, drafts=rebuilder.drafts, fingerprint=False)
    incremental, expected = tree(rebuilder.out), tree(clean)
    assert sorted(incremental) == sorted(expected)
    differing = [rel for rel in expected if incremental[rel] != expected[rel]]
    assert differing == []


@pytest.fixture
def rebuilder(project: Project, tmp_path: Path) -> Rebuilder:
    builder = Rebuilder(project.root, tmp_path / "preview")
    builder.full()
    return builder


def written_by(rebuilder: Rebuilder, project: Project, *changed: str) -> set[str]:
    """The pages an update rewrote, found by their modification."""
    before = tree(rebuilder.out)
    report = rebuilder.update([project.root / rel for rel in changed])
    after = tree(rebuilder.out)
    # Pages and static files: the search bundle is made whole again when an indexed
    # page changes (tests/test_search.py says when; the random edits compare it).
    rewritten = {
        rel for rel in after if before.get(rel) != after[rel] and not rel.startswith("pagefind/")
    }
    assert report.written >= len(rewritten)
    return rewritten


def feeds_carrying(rebuilder: Rebuilder, brief_id: str) -> set[str]:
    """The feeds that carry a brief's body: the site's, and those of its actors, tags and
    sources (the fixture's are short enough for every brief to be among the latest)."""
    assert rebuilder.site is not None
    node = rebuilder.site.briefs[brief_id]
    folders = [
        *(f"actors/{a}" for a in node.actors),
        *(f"tags/{t}" for t in node.tags),
        *(f"sources/{s}" for s in node.sources),
    ]
    return {"feed.xml", *(f"{folder}/feed.xml" for folder in folders)}


def test_editing_a_brief_body_touches_its_pages_only(
    project: Project, rebuilder: Rebuilder
) -> None:
    path = "content/briefs/sanctions.md"
    text = (project.root / path).read_text()
    project.write(path, text + "\nA closing line, badly misread.\n")
    report = rebuilder.update([project.root / path])
    assert not report.full
    assert (
        rebuilder.out.joinpath("briefs/sanctions/index.html").read_text().count("badly misread")
        == 1
    )
    # A body edit touches the one page that shows the body, and the feeds that carry it;
    # cards elsewhere read other keys.
    # (An edit moving a citation also changes where its source's "cited by" entry points.)
    assert report.written == 1 + len(feeds_carrying(rebuilder, "sanctions"))
    shows_card = {rel for rel, deps in rebuilder.deps.items() if ("brief", "sanctions") in deps}
    shows_body = {
        rel for rel, deps in rebuilder.deps.items() if ("brief-page", "sanctions") in deps
    }
    assert shows_body == {"briefs/sanctions/index.html", *feeds_carrying(rebuilder, "sanctions")}
    assert {"index.html", "briefs/index.html", "actors/sergei-lavrov/index.html"} <= shows_card


def test_edit_rewrites_only_pages_whose_content_changed(
    project: Project, rebuilder: Rebuilder
) -> None:
    path = "content/briefs/sanctions.md"
    project.write(path, (project.root / path).read_text().replace("was misread", "was misheard"))
    assert written_by(rebuilder, project, path) == {
        "briefs/sanctions/index.html",
        *feeds_carrying(rebuilder, "sanctions"),
    }


def test_the_actors_index_follows_counts_and_cards_not_titles(
    project: Project, rebuilder: Rebuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The actors index shows each actor's brief count: a brief's title edit, which changes
    its actors' lists of briefs, leaves it alone; a brief more mentioning an actor does not."""
    index = "actors/index.html"
    assert ("actor-ties", "sergei-lavrov") in rebuilder.deps[index]
    assert ("actor-page", "sergei-lavrov") not in rebuilder.deps[index]
    path = "content/briefs/sanctions.md"
    text = (project.root / path).read_text()
    project.write(
        path, text.replace("title: Lavrov on sanctions", "title: Lavrov on the sanctions")
    )
    rendered: list[str] = []
    render = SiteRenderer.render

    def recorded(self: SiteRenderer, out: str) -> RenderedPage:
        rendered.append(out)
        return render(self, out)

    monkeypatch.setattr(SiteRenderer, "render", recorded)
    report = rebuilder.update([project.root / path])
    monkeypatch.undo()
    assert not report.full
    assert "actors/sergei-lavrov/index.html" in rendered
    assert index not in rendered
    before = (rebuilder.out / index).read_text()
    project.write(
        "content/briefs/more.md",
        """
        ---
        title: Lavrov again
        date: 2017-01-18
        summary: Lavrov spoke again.
        ---

        [[sergei-lavrov]] spoke again.
        """,
    )
    rewritten = written_by(rebuilder, project, "content/briefs/more.md")
    assert index in rewritten and (rebuilder.out / index).read_text() != before
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_renaming_an_actor_rewrites_every_page_that_shows_the_name(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    path = "content/actors/donald-trump.md"
    project.write(
        path,
        (project.root / path).read_text().replace("name: Donald Trump", "name: Donald J. Trump"),
    )
    rewritten = written_by(rebuilder, project, path)
    assert {
        "briefs/sanctions/index.html",
        "actors/donald-trump/index.html",
        "index.html",
    } <= rewritten
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_config_change_rebuilds_everything(project: Project, rebuilder: Rebuilder) -> None:
    project.write("briefgen.toml", 'title = "Renamed"\nbase_url = "https://example.org/"\n')
    report = rebuilder.update([project.root / "briefgen.toml"])
    assert report.full
    assert "Renamed" in rebuilder.out.joinpath("briefs/invitation/index.html").read_text()


def test_failed_update_keeps_output_and_recovers(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    before = tree(rebuilder.out)
    path = "content/briefs/sanctions.md"
    good = (project.root / path).read_text()
    project.write(path, good.replace("[[Trump]]", "[[Trumpp]]"))
    with pytest.raises(ContentError) as caught:
        rebuilder.update([project.root / path])
    assert caught.value.diagnostics[0].format().startswith("content/briefs/sanctions.md:8:")
    assert tree(rebuilder.out) == before
    project.write(path, good.replace("was misread", "was read"))
    rebuilder.update([project.root / path])
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_static_css_change_is_css_only(project: Project, rebuilder: Rebuilder) -> None:
    project.write("static/assets/extra.css", "body { color: red; }")
    report = rebuilder.update([project.root / "static/assets/extra.css"])
    assert report.css_only
    assert rebuilder.out.joinpath("assets/extra.css").read_text() == "body { color: red; }"


ACTORS = ["sergei-lavrov", "russia", "donald-trump"]
SOURCES = ["haaretz-2017-01-17", "ft-2017-01-17"]


def _brief(rng: random.Random, number: int) -> str:
    actors = rng.sample(ACTORS, rng.randint(1, 3))
    body = " ".join(
        f"[[{a}]] acted [@{rng.choice(SOURCES)}, para. {rng.randint(1, 9)}{_cred(rng)}]."
        for a in actors
    )
    quote = (
        f"\n\n> Words {number}.\n>\n> -- [[{actors[0]}]] [@{SOURCES[0]}]\n"
        if rng.random() < 0.5
        else ""
    )
    tags = rng.sample(["syria", "sanctions", "nuclear", "diplomacy"], rng.randint(0, 2))
    # Years far apart, and events known only to the year, so year pages come and go.
    when = rng.choice(["1991", "2015", f"2017-0{rng.randint(1, 9)}"])
    event = (
        f"events:\n  - {{date: {when}, title: Event {number}, actors: [{actors[-1]}]}}\n"
        if rng.random() < 0.5
        else ""
    )
    year = rng.choice([2016, 2017, 2017])
    # Sometimes revised later: the feeds' and the sitemap's dates read it.
    updated = (
        f"updated: 2018-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}\n" if rng.random() < 0.3 else ""
    )
    judged = _judgment(rng, number) if rng.random() < 0.4 else ""
    return (
        f"---\ntitle: Brief {number}\ndate: {year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n"
        f"{updated}summary: Summary {number}.\ntags: [{', '.join(tags)}]\n{event}{judged}---\n\n"
        f"{body}{quote}\n"
    )


def _cred(rng: random.Random) -> str:
    """Sometimes the information's credibility, shown with the source's grade."""
    return f", cred. {rng.randint(1, 6)}" if rng.random() < 0.4 else ""


def _judgment(rng: random.Random, number: int) -> str:
    """A key judgment citing one source (its grade shows in the box and the references)
    and mentioning an actor (who then counts as mentioned in the brief)."""
    likelihood = rng.choice(["likely", "unlikely", "almost certain"])
    return (
        f"key_judgments:\n  - text: Talks {number} go on with [[{rng.choice(ACTORS)}]] "
        f"[@{rng.choice(SOURCES)}{_cred(rng)}].\n"
        f"    likelihood: {likelihood}\n    confidence: {rng.choice(['low', 'high'])}\n"
    )


def _revise(rng: random.Random, text: str, step: int) -> str:
    """A small edit of a brief: its body, its title, its tags (which moves the pages of
    a tag's briefs and nothing else), the day it was last revised, or its former paths."""
    kind = rng.choice(["body", "title", "tags", "updated", "aliases"])
    if kind == "aliases":  # what the redirects file shows, and no page
        moved = f"aliases: [/old/{step}-{rng.randint(0, 999)}/]"
        if re.search(r"^aliases: .*$", text, flags=re.M):
            return re.sub(r"^aliases: .*$", moved, text, count=1, flags=re.M)
        return text.replace("summary: ", f"{moved}\nsummary: ", 1)
    if kind == "body":
        return text + f"\nMore words {step}.\n"
    if kind == "tags" and re.search(r"^tags: .*$", text, flags=re.M):
        tags = rng.sample(["syria", "sanctions", "nuclear", "diplomacy"], rng.randint(0, 3))
        return re.sub(r"^tags: .*$", f"tags: [{', '.join(tags)}]", text, count=1, flags=re.M)
    if kind == "title":
        return text.replace("title: ", f"title: T{step} ", 1)
    if "updated: " in text:
        return re.sub(r"updated: \S+", f"updated: 2019-01-{10 + step}", text, count=1)
    return text.replace("summary: ", f"updated: 2019-02-{10 + step}\nsummary: ", 1)


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_match_a_clean_build(project: Project, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    # Two briefs a page: adding, deleting and re-dating briefs moves them between index pages.
    # Two entries a feed: briefs move in and out of the feeds' latest too.
    config = project.root / "briefgen.toml"
    # Every other seed renders its references in a CSL style (csl.py) rather than the house's.
    style = 'citation_style = "apa"\n' if seed % 2 == 0 else ""
    config.write_text(
        style + config.read_text() + "\n[paging]\nbriefs = 2\ntimeline = 3\n[feeds]\nentries = 2\n"
    )
    rebuilder = Rebuilder(project.root, tmp_path / "preview", drafts=bool(seed % 2))
    rebuilder.full()
    briefs = ["invitation", "sanctions"]
    for step in range(12):
        action = rng.choice(
            [
                "add",
                "change",
                "change",
                "revise",
                "revise",
                "delete",
                "rename",
                "actor",
                "source",
                "draft",
                "entity",
                "entity",
                "move-folder",
                # Edits that change the open data exports (outputs/data.py) and little else.
                "kind",
                "locator",
                "statement",
                "prose",
                # Graded evidence: a source's reliability (the grades every citing brief
                # shows), and a brief's key judgments.
                "reliability",
                "judgment",
                "judgment",
                # Edits of what roles.py and dates.py read: the role each brief's chips show
                # as of its date, an actor's roles timeline, an event's EDTF date.
                "role",
                "edtf",
                # The fields a reference entry shows besides the title (csl.py, macros.html).
                "source-field",
            ]
        )
        changed: list[str] = []
        # Briefs live in year subfolders too; a moved folder brings one event, not one per file.
        folder = rng.choice(["", "", "2015/", "2016/q3/"])
        if action == "move-folder":
            years = sorted(p for p in (project.root / "content" / "briefs").iterdir() if p.is_dir())
            if years:
                old_dir = rng.choice(years)
                new_dir = old_dir.with_name(f"moved-{seed}-{step}")
                old_dir.rename(new_dir)
                before = old_dir.name + "/"
                briefs = [
                    new_dir.name + "/" + b[len(before) :] if b.startswith(before) else b
                    for b in briefs
                ]
                changed += [
                    old_dir.relative_to(project.root).as_posix(),
                    new_dir.relative_to(project.root).as_posix(),
                ]
                rebuilder.update([project.root / rel for rel in changed])
                assert_same_as_clean_build(project, rebuilder, tmp_path)
                continue
            action = "add"
        if action == "entity":
            # Add, rename or delete an actor or a source of its own (briefs do not mention these).
            folder = rng.choice(["actors", "sources"])
            extras = sorted((project.root / "content" / folder).rglob("extra-*.md"))
            verb = rng.choice(["add", "rename", "delete"]) if extras else "add"
            if verb == "add":
                key = "name" if folder == "actors" else "title"
                added = project.write(
                    f"content/{folder}/{rng.choice(['', 'more/'])}extra-{seed}-{step}.md",
                    f"---\n{key}: Extra {step}\n---\n",
                )
                changed.append(added.relative_to(project.root).as_posix())
            elif verb == "rename":
                old_path = rng.choice(extras)
                new_path = old_path.with_name(f"extra-r{seed}-{step}.md")
                old_path.rename(new_path)
                changed += [
                    old_path.relative_to(project.root).as_posix(),
                    new_path.relative_to(project.root).as_posix(),
                ]
            else:
                gone = rng.choice(extras)
                gone.unlink()
                changed.append(gone.relative_to(project.root).as_posix())
            rebuilder.update([project.root / rel for rel in changed])
            assert_same_as_clean_build(project, rebuilder, tmp_path)
            continue
        if action == "add" or (action in {"delete", "rename"} and len(briefs) < 2):
            name = f"{folder}brief-{seed}-{step}"
            changed.append(
                project.write(f"content/briefs/{name}.md", _brief(rng, step))
                .relative_to(project.root)
                .as_posix()
            )
            briefs.append(name)
        elif action == "change":
            name = rng.choice(briefs)
            changed.append(
                project.write(f"content/briefs/{name}.md", _brief(rng, step))
                .relative_to(project.root)
                .as_posix()
            )
        elif action == "revise":
            name = rng.choice(briefs)
            path = f"content/briefs/{name}.md"
            project.write(path, _revise(rng, (project.root / path).read_text(), step))
            changed.append(path)
        elif action == "delete":
            name = briefs.pop(rng.randrange(len(briefs)))
            project.remove(f"content/briefs/{name}.md")
            changed.append(f"content/briefs/{name}.md")
        elif action == "rename":
            old = briefs.pop(rng.randrange(len(briefs)))
            new = f"{folder}renamed-{seed}-{step}"
            (project.root / f"content/briefs/{new}.md").parent.mkdir(parents=True, exist_ok=True)
            (project.root / f"content/briefs/{old}.md").rename(
                project.root / f"content/briefs/{new}.md"
            )
            briefs.append(new)
            changed += [f"content/briefs/{old}.md", f"content/briefs/{new}.md"]
        elif action == "actor":
            actor = rng.choice(ACTORS)
            path = f"content/actors/{actor}.md"
            text = (project.root / path).read_text()
            project.write(
                path,
                text.replace("\n---\n", f"\nrole: Role {step}\n---\n", 1)
                if "role:" not in text
                else text.replace("role:", "role: New", 1),
            )
            changed.append(path)
        elif action == "kind":
            # The network's colours, actors.json and actors.csv show an actor's kind.
            path = f"content/actors/{rng.choice(ACTORS)}.md"
            text = (project.root / path).read_text()
            kind = rng.choice(["person", "organisation", "state", "group"])
            if "kind:" in text:
                text = re.sub(r"kind: \w+", f"kind: {kind}", text, count=1)
            else:
                text = text.replace("\n---\n", f"\nkind: {kind}\n---\n", 1)
            project.write(path, text)
            changed.append(path)
        elif action in ("locator", "statement", "prose"):
            # A citation's locator alone (citations.json), a statement's words alone
            # (statements.json), or a line of prose that moves every citation down a line
            # and changes no export.
            name = rng.choice(briefs)
            path = f"content/briefs/{name}.md"
            text = (project.root / path).read_text()
            head, rule, body = text.partition("\n---\n")
            if action == "locator":
                body = re.sub(r"para\. \d+", f"para. {step + 20}", body, count=1)
            elif action == "statement" and "> Words" in body:
                body = body.replace("> Words", f"> Other words ({step})", 1)
            else:
                body = f"\nA line of prose ({step}).\n" + body
            project.write(path, head + rule + body)
            changed.append(path)
        elif action == "reliability":
            path = f"content/sources/{rng.choice(SOURCES)}.md"
            text = re.sub(r"reliability: \w\n", "", (project.root / path).read_text())
            grade = rng.choice(["A", "B", "E", "F", ""])
            if grade:
                text = text.replace("\n---\n", f"\nreliability: {grade}\n---\n", 1)
            project.write(path, text)
            changed.append(path)
        elif action == "judgment":
            name = rng.choice(briefs)
            path = f"content/briefs/{name}.md"
            text = (project.root / path).read_text()
            judged = re.search(r"key_judgments:\n(?:  .*\n)+", text)
            if judged is None:
                text = text.replace("summary: ", _judgment(rng, step) + "summary: ", 1)
            elif rng.random() < 0.3:
                text = text.replace(judged[0], "", 1)  # the box goes
            else:  # another likelihood, or the credibility of what it cites
                text = text.replace(judged[0], _judgment(rng, step), 1)
            project.write(path, text)
            changed.append(path)
        elif action == "role":
            path = f"content/actors/{rng.choice(ACTORS)}.md"
            text = re.sub(r"roles:\n(  - .*\n)+", "", (project.root / path).read_text())
            turn = f"201{rng.randint(6, 7)}-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}"
            roles = (
                f"roles:\n  - {{title: Before {step}, from: 2015, until: {turn}}}\n"
                f"  - {{title: After {step}, from: {turn}}}\n"
                if rng.random() < 0.8
                else ""
            )
            project.write(path, text.replace("\n---\n", f"\n{roles}---\n", 1))
            changed.append(path)
        elif action == "edtf":
            # An event's date becomes approximate, uncertain or an interval (or another one).
            name = rng.choice(briefs)
            path = f"content/briefs/{name}.md"
            text = (project.root / path).read_text()
            when = rng.choice(
                ["2017-01~", "2016?", "2016-12-30/2017-01-02", "2015-03/..", "2017-0{}%", "2017"]
            ).format(rng.randint(1, 9))
            if "events:" in text:
                text = re.sub(r"\{date: [^,]+,", f"{{date: {when},", text, count=1)
            else:
                text = text.replace(
                    "summary: ", f"events:\n  - {{date: {when}, title: Dated {step}}}\nsummary: ", 1
                )
            project.write(path, text)
            changed.append(path)
        elif action == "source-field":
            path = "content/sources/haaretz-2017-01-17.md"
            text = (project.root / path).read_text()
            field = rng.choice(["doi: 10.1000/x", "publisher: Pub", "volume:", "published: 2016"])
            key = field.split(":")[0]
            text = re.sub(rf"\n{key}:.*", "", text)
            value = f"{field} {step}" if field.endswith(":") else f"{field}{step}"
            if key == "published":
                value = f"published: 20{10 + step % 7}-0{1 + step % 9}"
            project.write(path, text.replace("\n---\n", f"\n{value}\n---\n", 1))
            changed.append(path)
        elif action == "source":
            path = "content/sources/ft-2017-01-17.md"
            text = (project.root / path).read_text()
            project.write(path, text.replace("title: ", f"title: ({step}) ", 1))
            changed.append(path)
        else:
            name = rng.choice(briefs)
            path = f"content/briefs/{name}.md"
            text = (project.root / path).read_text()
            project.write(
                path,
                text.replace("---\n", "---\ndraft: true\n", 1)
                if "draft:" not in text
                else text.replace("draft: true\n", ""),
            )
            changed.append(path)
        rebuilder.update([project.root / rel for rel in changed])
        assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_deleting_a_stylesheet_override_restores_the_theme(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    project.write("static/assets/style.css", "body { color: red; }")
    rebuilder.update([project.root / "static/assets/style.css"])
    assert rebuilder.out.joinpath("assets/style.css").read_text() == "body { color: red; }"
    (project.root / "static/assets/style.css").unlink()
    rebuilder.update([project.root / "static/assets/style.css"])
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_static_file_may_not_replace_a_page(project: Project, rebuilder: Rebuilder) -> None:
    project.write("static/about/index.html", "<p>mine</p>")
    with pytest.raises(ContentError) as caught:
        rebuilder.update([project.root / "content/pages/about.md"])
    assert caught.value.diagnostics[0].format() == (
        "static/about/index.html:1:1: error: static file would replace the generated page "
        "'about/index.html' (rename or move it)"
    )


def test_static_folder_moved_in_is_copied(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere" / "img"
    elsewhere.mkdir(parents=True)
    (elsewhere / "a.png").write_bytes(b"\x89PNG a")
    (elsewhere / "deep").mkdir()
    (elsewhere / "deep" / "b.png").write_bytes(b"\x89PNG b")
    (project.root / "static").mkdir()
    shutil.move(elsewhere, project.root / "static" / "img")
    report = rebuilder.update([project.root / "static" / "img"])
    assert report.written == 2
    assert (rebuilder.out / "img" / "a.png").read_bytes() == b"\x89PNG a"
    assert (rebuilder.out / "img" / "deep" / "b.png").read_bytes() == b"\x89PNG b"
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_static_folder_removed_or_replaced_leaves_nothing_stale(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    project.write("static/img/a.png", "a")
    project.write("static/img/old/b.png", "b")
    project.write("static/assets/style.css", "body { color: red; }")
    rebuilder.update([project.root / "static"])
    assert (rebuilder.out / "img" / "old" / "b.png").is_file()
    assert_same_as_clean_build(project, rebuilder, tmp_path)
    # Replaced by a folder with other files, in one event.
    shutil.rmtree(project.root / "static" / "img")
    project.write("static/img/c.png", "c")
    rebuilder.update([project.root / "static" / "img"])
    assert not (rebuilder.out / "img" / "a.png").exists()
    assert_same_as_clean_build(project, rebuilder, tmp_path)
    # Moved away; the theme's stylesheet comes back and the pages stay.
    shutil.rmtree(project.root / "static" / "img")
    rebuilder.update([project.root / "static" / "img"])
    assert not (rebuilder.out / "img").exists()
    shutil.rmtree(project.root / "static")
    rebuilder.update([project.root / "static"])
    assert (rebuilder.out / "index.html").is_file()
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_static_file_replaced_by_a_folder(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    project.write("static/img", "a file")
    rebuilder.update([project.root / "static/img"])
    (project.root / "static/img").unlink()
    project.write("static/img/a.png", "a")
    rebuilder.update([project.root / "static/img"])
    assert_same_as_clean_build(project, rebuilder, tmp_path)
    shutil.rmtree(project.root / "static/img")
    project.write("static/img", "a file again")
    rebuilder.update([project.root / "static/img"])
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_a_body_edit_keeps_the_page_plan_and_a_new_brief_makes_one(
    project: Project, rebuilder: Rebuilder
) -> None:
    assert rebuilder.renderer is not None
    plan = rebuilder.renderer.pages
    path = project.root / "content/briefs/sanctions.md"
    project.write("content/briefs/sanctions.md", path.read_text() + "\nMore.\n")
    rebuilder.update([path])
    assert rebuilder.renderer.pages is plan, "no page came, went or moved: the plan stays"
    added = project.write(
        "content/briefs/later.md",
        "---\ntitle: Later\ndate: 2017-02-01\nsummary: S.\n---\n\n[[russia]] moved.\n",
    )
    rebuilder.update([added])
    assert rebuilder.renderer.pages is not plan
    assert "briefs/later/index.html" in rebuilder.renderer.pages
    assert "Later" in (rebuilder.out / "index.html").read_text()


def test_a_card_edit_renders_each_card_once_and_reuses_it(
    project: Project, rebuilder: Rebuilder
) -> None:
    path = "content/briefs/sanctions.md"
    text = (project.root / path).read_text()
    project.write(path, text.replace("title: Lavrov on sanctions", "title: Lavrov on tariffs"))
    rebuilder.update([project.root / path])
    assert rebuilder.renderer is not None
    kept = rebuilder.renderer.fragments.pieces
    card = kept[("brief_card", "/briefs/sanctions/")][0]
    assert "Lavrov on tariffs" in card
    # The card is the same piece on the brief index and on its tag's page.
    for page in ("briefs/index.html", "tags/sanctions/index.html"):
        assert str(card) in rebuilder.out.joinpath(page).read_text()


def test_pieces_of_a_failed_update_are_not_reused(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    """An update that fails after rendering some cards must not leave them for the next."""
    path = "content/briefs/sanctions.md"
    good = (project.root / path).read_text()
    # A template that fails on the brief's own page, rendered after the index shows its card.
    project.write(
        "templates/brief.html",
        '{% extends "base.html" %}'
        "{% block main %}{% if node.brief.title == 'Broken' %}{{ 1 / 0 }}{% endif %}"
        "{{ node.brief.title }}{% endblock %}",
    )
    rebuilder.full()
    project.write(path, good.replace("title: Lavrov on sanctions", "title: Broken"))
    with pytest.raises(TemplateError):
        rebuilder.update([project.root / path])
    # Back to the old title (no change to the last good site), and another brief's card
    # changes, so the index renders again: the sanctions card must be the old one.
    project.write(path, good)
    other = "content/briefs/invitation.md"
    text = (project.root / other).read_text()
    project.write(other, text.replace("title: ", "title: Now ", 1))
    rebuilder.update([project.root / path, project.root / other])
    assert "Broken" not in rebuilder.out.joinpath("briefs/index.html").read_text()
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_a_retag_moves_the_pages_of_a_tags_briefs(project: Project, tmp_path: Path) -> None:
    """Taking a tag off a brief shifts every later brief of the tag by a place, and can drop
    a page: the pages are planned again and the sitemap lists the pages left."""
    config = project.root / "briefgen.toml"
    config.write_text(config.read_text() + "\n[paging]\nbriefs = 2\n")
    for n in range(3):
        project.write(
            f"content/briefs/wire-{n}.md",
            f"---\ntitle: Wire {n}\ndate: 2017-03-0{n + 1}\nsummary: S.\ntags: [wire]\n---\n\n"
            "[[Russia]] acted.\n",
        )
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    assert (rebuilder.out / "tags/wire/page/2/index.html").is_file()
    path = "content/briefs/wire-2.md"
    project.write(path, (project.root / path).read_text().replace("tags: [wire]", "tags: []"))
    rebuilder.update([project.root / path])
    assert not (rebuilder.out / "tags/wire/page/2/index.html").exists()
    assert "tags/wire/page/2/" not in (rebuilder.out / "sitemap.xml").read_text()
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_a_reliability_edit_rewrites_the_pages_showing_its_grades(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    # Haaretz is cited by both briefs: their references show its grade, as do its own
    # page and the sources index. Nothing else shows it.
    path = "content/sources/haaretz-2017-01-17.md"
    project.write(
        path, (project.root / path).read_text().replace("reliability: B", "reliability: E")
    )
    assert written_by(rebuilder, project, path) == {
        "briefs/invitation/index.html",
        "briefs/sanctions/index.html",
        "sources/haaretz-2017-01-17/index.html",
        "sources/index.html",
    }
    page = (rebuilder.out / "briefs/invitation/index.html").read_text()
    assert 'title="Grade E: source unreliable"' in page
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_a_key_judgment_edit_rewrites_its_brief_alone(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    path = "content/briefs/invitation.md"
    judged = (
        "key_judgments:\n  - text: Talks go on [@ft-2017-01-17, cred. 2].\n"
        "    likelihood: likely\n    confidence: low\n"
    )
    project.write(path, (project.root / path).read_text().replace("events:", judged + "events:"))
    # A new citation: the brief, the cited source's "Cited in", and the citations export.
    assert written_by(rebuilder, project, path) == {
        "briefs/invitation/index.html",
        "sources/ft-2017-01-17/index.html",
        "data/citations.json",
        "data/citations.csv",
    }
    project.write(path, (project.root / path).read_text().replace("likely", "very likely"))
    assert written_by(rebuilder, project, path) == {"briefs/invitation/index.html"}
    assert "Very likely" in (rebuilder.out / "briefs/invitation/index.html").read_text()
    assert_same_as_clean_build(project, rebuilder, tmp_path)


def test_role_and_edtf_edits_rewrite_the_pages_showing_them(
    project: Project, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    """A role edit re-renders the pages whose chips show the actor; an event's EDTF date,
    the pages that show the event; each then equal to a clean build."""
    path = "content/actors/donald-trump.md"
    text = (project.root / path).read_text()
    roles = "roles:\n  - {title: President-elect, from: 2016-11-09, until: 2017-01-20}\n"
    project.write(path, text.replace("\n---\n", f"\n{roles}---\n", 1))
    written = written_by(rebuilder, project, path)
    assert {"actors/donald-trump/index.html", "briefs/sanctions/index.html"} <= written
    assert "about/index.html" not in written
    assert "President-elect" in (rebuilder.out / "briefs/sanctions/index.html").read_text()
    assert_same_as_clean_build(project, rebuilder, tmp_path)

    project.write(
        path, text.replace("\n---\n", f"\n{roles.replace('2017-01-20', '2017-01-10')}---\n", 1)
    )
    written = written_by(rebuilder, project, path)
    assert "briefs/sanctions/index.html" in written  # on 16 January no role holds any more
    assert "President-elect" not in (rebuilder.out / "briefs/sanctions/index.html").read_text()
    assert_same_as_clean_build(project, rebuilder, tmp_path)

    brief = "content/briefs/invitation.md"
    text = (project.root / brief).read_text()
    project.write(
        brief, text.replace("  - date: 2017-01-23\n", "  - date: 2017-01-23/2017-01-24\n")
    )
    written = written_by(rebuilder, project, brief)
    assert {"briefs/invitation/index.html", "timeline/index.html", "data/events.csv"} <= written
    assert "about/index.html" not in written
    assert "23\u201324 January 2017" in (rebuilder.out / "timeline/index.html").read_text()
    assert_same_as_clean_build(project, rebuilder, tmp_path)
