"""The warm build's lean state: bodies in the store, read only when a page needs them."""

from __future__ import annotations

import io
import random
import sqlite3
from dataclasses import replace
from pathlib import Path

import frontmatter
import pytest

from bench.generate import generate
from briefgen import build as build_module
from briefgen.build import build
from briefgen.cache import CACHE_DIR, BuildCache, cached_build, output_files
from briefgen.config import load_config
from briefgen.graph import RELATED_LIMIT
from briefgen.markdown import Rendered
from briefgen.markdown.cache import body_key
from briefgen.model import Body
from briefgen.paging import latest_entries
from briefgen.rebuild import Rebuilder
from briefgen.render import TemplateError
from briefgen.site import BriefNode
from briefgen.state import (
    Saver,
    Stored,
    StoredBrief,
    StoredBriefNode,
    StoredBriefParts,
    StoredRendered,
    load,
    save,
)
from briefgen.store import GARBAGE, BlobStore, MissingBlob, digest
from briefgen.track import PageReads, ReadsPacker, dirty_pages, pack_deps, unpack_deps

from .conftest import Project
from .test_rebuild import tree


class CountingStore(BlobStore):
    """A store that counts the bodies read from it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads: list[str] = []

    def get(self, key: str) -> bytes:
        self.reads.append(key)
        return super().get(key)


def test_store_keeps_blobs_by_their_digest(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "bodies.sqlite")
    one, two = b"first body", b"second body"
    store.put([(digest(one), one, ""), (digest(two), two, ""), (digest(one), one, "")])
    assert store.get(digest(two)) == two
    assert store.keys() == {digest(one), digest(two)}
    assert store.keep_only({digest(one)}) == 1
    with pytest.raises(MissingBlob):
        store.get(digest(two))
    store.close()
    assert BlobStore(tmp_path / "bodies.sqlite").get(digest(one)) == one


def test_the_store_is_collected_once_a_twentieth_of_it_is_named_by_no_state(
    tmp_path: Path,
) -> None:
    store = BlobStore(tmp_path / "bodies.sqlite")
    live = [f"body {n}".encode() for n in range(100)]
    store.put([(digest(data), data, "") for data in live])
    keys = {digest(data) for data in live}
    assert store.collect(keys) == 100  # after a full build: collected at once
    store.put([(digest(b"old %d" % n), b"old %d" % n, "") for n in range(5)])
    assert store.collect(keys, live=100) == 100  # 105 blobs for 100 in use: not yet
    assert len(store.keys()) == 105
    store.put([(digest(b"older"), b"older", "")])
    assert store.collect(keys, live=100) == 100  # 106: the six no state names go
    assert store.keys() == keys


def test_blobs_named_by_blobs_count_as_in_use_once_collected(tmp_path: Path) -> None:
    """A state names its nodes, which name bodies: 46,000 keys for 54,000 blobs in use."""
    store = BlobStore(tmp_path / "bodies.sqlite")
    inner = [f"body {n}".encode() for n in range(20)]
    store.put([(digest(data), data, "") for data in inner])
    outer = b"node"
    store.put([(digest(outer), outer, " ".join(digest(data) for data in inner))])
    keys = {digest(outer)}
    live = store.collect(keys)
    assert live == 21 and len(store.keys()) == 21  # collected: nothing to delete
    store.put([(digest(b"old"), b"old", "")])
    assert store.collect(keys, live=live) == 21  # 22 blobs for 21 in use: not yet
    assert len(store.keys()) == 22
    store.put([(digest(b"older"), b"older", "")])
    assert store.collect(keys, live=live) == 21  # 23: the two no blob in use names go
    assert len(store.keys()) == 21


def test_a_blob_keeps_what_it_names_however_deep(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "bodies.sqlite")
    body, node, page, stray = b"body", b"node naming body", b"page naming node", b"stray"
    store.put(
        [
            (digest(body), body, ""),
            (digest(node), node, digest(body)),
            (digest(page), page, digest(node)),
            (digest(stray), stray, digest(body)),
        ]
    )
    assert store.keep_only({digest(page)}) == 1
    assert store.keys() == {digest(page), digest(node), digest(body)}


def test_a_store_of_an_earlier_shape_is_started_anew(tmp_path: Path) -> None:
    path = tmp_path / "bodies.sqlite"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        old.execute("INSERT INTO blobs VALUES ('k', x'00')")
    old.close()
    store = BlobStore(path)
    assert store.keys() == set()
    store.put([(digest(b"new"), b"new", "")])
    assert store.get(digest(b"new")) == b"new"


def saved_and_loaded(
    project: Project, tmp_path: Path
) -> tuple[Rebuilder, Rebuilder, CountingStore]:
    rebuilder = Rebuilder(project.root, project.out, drafts=False)
    rebuilder.full()
    store = CountingStore(tmp_path / "bodies.sqlite")
    file = io.BytesIO()
    save(rebuilder, file, store)
    file.seek(0)
    loaded = load(file, store)
    assert isinstance(loaded, Rebuilder)
    return rebuilder, loaded, store


def test_a_loaded_state_reads_a_body_only_when_asked(project: Project, tmp_path: Path) -> None:
    before, after, store = saved_and_loaded(project, tmp_path)
    assert before.site is not None and after.site is not None
    brief_id = next(iter(after.site.briefs))
    node = after.site.briefs[brief_id]
    assert isinstance(node, StoredBriefNode) and isinstance(node, Stored)
    assert store.reads == []
    body = node.body  # the brief's node is read, not its body
    assert store.reads == [node.key]
    store.reads.clear()
    # A copy with a field changed, as the graph makes one, is a plain node.
    copy = replace(node, related=())
    assert type(copy) is BriefNode and copy.related == () and copy.body is body
    assert isinstance(body, StoredRendered) and isinstance(body, Stored)
    brief = after.site.briefs[brief_id].brief
    assert isinstance(brief, StoredBrief) and isinstance(brief, Stored)
    assert store.reads == []
    # One body, shared by the site, the index and the Markdown cache, read once.
    assert after.index is not None
    assert after.index.parts[brief_id].body is body  # (its parts read: see below)
    store.reads.clear()
    assert body.html == before.site.briefs[brief_id].body.html
    assert store.reads == [body.key]
    assert body == before.site.briefs[brief_id].body
    assert before.site.briefs[brief_id].body == body
    assert hash(body) == hash(before.site.briefs[brief_id].body)
    # A brief as read, shared by the loaded files, the index and the site.
    assert after.files[brief.body.path].entry is brief
    assert brief == before.site.briefs[brief_id].brief
    assert brief.title == before.site.briefs[brief_id].brief.title
    assert store.reads == [body.key, brief.key]
    # A brief's parts, as the graph resolved it: what every warm build asks of all of
    # them (their problems; their actors, for related briefs) is kept beside the key.
    store.reads.clear()
    other = list(after.index.parts)[1]
    parts = after.index.parts[other]
    assert isinstance(parts, StoredBriefParts) and isinstance(parts, Stored)
    old_parts = before.index.parts[other] if before.index else None
    assert old_parts is not None
    assert (parts.diagnostics, parts.actors) == (old_parts.diagnostics, old_parts.actors)
    assert store.reads == []
    assert parts.events == old_parts.events
    assert store.reads == [parts.key]
    store.reads.clear()
    # A reference list reads its citations through the body.
    old, new = before.site.briefs[brief_id].references, after.site.briefs[brief_id].references
    assert new == old
    assert [c.anchor for r in new for c in r.citations] == [
        c.anchor for r in old for c in r.citations
    ]
    assert any(r.citations for r in new)


def test_saving_a_loaded_state_again_reads_no_body(project: Project, tmp_path: Path) -> None:
    _, loaded, store = saved_and_loaded(project, tmp_path)
    keys = store.keys()
    again = save(loaded, io.BytesIO(), store)
    assert store.reads == []
    # The same keys, or the ones those name: nothing in the store goes.
    assert again <= keys
    assert store.keep_only(again) == 0
    assert store.keys() == keys


def test_a_state_whose_store_lost_a_body_is_not_used(project: Project, tmp_path: Path) -> None:
    rebuilder = Rebuilder(project.root, project.out, drafts=False)
    rebuilder.full()
    store = BlobStore(tmp_path / "bodies.sqlite")
    file = io.BytesIO()
    used = save(rebuilder, file, store)
    with store._db() as db:  # a blob the state names lost (what it names in turn is kept)
        for table in ("blobs", "names"):
            db.execute(f"DELETE FROM {table} WHERE key = ?", (sorted(used)[0],))
    file.seek(0)
    assert load(file, store) is None


def test_a_stored_body_pickles_as_the_body_it_holds(project: Project, tmp_path: Path) -> None:
    import pickle

    _, loaded, _ = saved_and_loaded(project, tmp_path)
    assert loaded.site is not None
    body = next(iter(loaded.site.briefs.values())).body
    copy = pickle.loads(pickle.dumps(body))
    assert type(copy) is Rendered
    assert copy == body


def test_warm_builds_over_many_edits_match_clean_builds(tmp_path: Path) -> None:
    """Brief edits one after another, each a warm build from the last one's lean state."""
    project = tmp_path / "project"
    generate(project, 60, seed=3)
    rng = random.Random(3)
    briefs = sorted((project / "content" / "briefs").glob("*.md"))
    assert cached_build(project, tmp_path / "warm").mode == "full"
    store = BlobStore(project / CACHE_DIR / "bodies.sqlite")
    for step in range(6):
        victim = rng.choice(briefs)
        text = victim.read_text()
        if step % 3 == 0:  # a body edit
            victim.write_text(text + f"\nA line added at step {step}.\n")
        elif step % 3 == 1:  # a title edit
            victim.write_text(text.replace('title: "', f'title: "Step {step}, ', 1))
        else:  # a citation moved to the top of the body
            first = text.index("[@")
            cite = text[first : text.index("]", first) + 1]
            head, _, body = text.partition("\n---\n")
            victim.write_text(f"{head}\n---\nMoved {cite}.\n{body}")
        result = cached_build(project, tmp_path / "warm")
        assert result.mode == "updated"
        # The cache's list of the output, kept up to date without a walk, is the output.
        assert BuildCache(project).manifest()["output"] == output_files(tmp_path / "warm")
        build(project, tmp_path / f"clean-{step}")
        assert tree(tmp_path / "warm") == tree(tmp_path / f"clean-{step}")
        # The store holds what the state uses (every rendered body, every brief as read,
        # every brief's, actor's and source's node, and what those name), and what the
        # edits left behind, up to a twentieth of it.
        state = BuildCache(project).state()
        assert state is not None
        used = save(state, io.BytesIO(), BlobStore(tmp_path / f"other-{step}.sqlite"))
        total = len(store.keys())
        assert used <= store.keys()
        assert store.keep_only(used) <= max(1, GARBAGE * total)
        held: list[object] = [*state.cache.bodies.values()]
        held += [f.entry for f in state.files.values()]
        keys = {obj.key for obj in held if isinstance(obj, Stored)}
        assert len(keys) > len(briefs)
        assert keys <= used


@pytest.mark.parametrize("damage", ["deleted", "rows lost", "not a database", "blobs damaged"])
def test_a_damaged_body_store_means_a_full_build(
    project: Project, tmp_path: Path, damage: str
) -> None:
    cached_build(project.root, project.out)
    path = project.root / CACHE_DIR / "bodies.sqlite"
    if damage == "deleted":
        for file in path.parent.glob("bodies.sqlite*"):
            file.unlink()
    elif damage == "rows lost":  # the list of keys kept: found when the edit reads one
        with sqlite3.connect(path) as db:
            db.execute("DELETE FROM blobs")
    elif damage == "blobs damaged":  # found only when the edit reads them, mid-build
        with sqlite3.connect(path) as db:
            db.execute("UPDATE blobs SET data = x'00'")
    else:
        path.unlink()
        path.write_bytes(b"not a database, and long enough to look like one " * 100)
    brief = project.root / "content/briefs/sanctions.md"
    brief.write_text(brief.read_text() + "\nMore.\n")
    assert cached_build(project.root, project.out).mode == "full"
    build(project.root, tmp_path / "clean")
    assert tree(project.out) == tree(tmp_path / "clean")
    assert cached_build(project.root, project.out).mode == "unchanged"
    # The store was started anew: no damaged blob is left to make the next build full too.
    brief.write_text(brief.read_text() + "\nAnd more.\n")
    assert cached_build(project.root, project.out).mode == "updated"
    build(project.root, tmp_path / "clean-2")
    assert tree(project.out) == tree(tmp_path / "clean-2")


@pytest.mark.parametrize("spilled", [False, True])
def test_a_warm_build_after_a_body_edit_reads_few_objects_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spilled: bool
) -> None:
    """What keeps a warm build lean: reading every brief back from the store would undo it.
    ``spilled``: the cold build kept texts and HTML in its scratch store (markdown/spilled.py)."""
    project = tmp_path / "project"
    generate(project, 80, seed=5)
    # The feeds carry the newest bodies, and would rightly read them: without them, the
    # edit re-renders the brief's page alone.
    with (project / "briefgen.toml").open("a", encoding="utf-8") as config:
        config.write("\n[feeds]\nenabled = false\n")
    if spilled:
        monkeypatch.setattr(build_module, "SPILL_MIN", 1)
        monkeypatch.setattr(build_module, "MARKDOWN_PARALLEL_MIN", 1)
    cached_build(project, tmp_path / "warm", jobs=2 if spilled else 1)
    # Every body is named by its key in the saved state, none of them held in it.
    saved = BuildCache(project).state()
    assert saved is not None and saved.cache.bodies
    assert all(isinstance(body, Stored) for body in saved.cache.bodies.values())
    del saved
    reads: list[str] = []
    real_get = BlobStore.get

    def get(self: BlobStore, key: str) -> bytes:
        reads.append(key)
        return real_get(self, key)

    # The page plan names the timeline's latest entries: the years they fall in are read.
    state = BuildCache(project).state()
    assert state is not None and state.site is not None
    shown = latest_entries(state.site.timeline, load_config(project).paging.timeline)
    monkeypatch.setattr(BlobStore, "get", get)
    victim = sorted((project / "content" / "briefs").glob("*.md"))[7]
    victim.write_text(victim.read_text() + "\nOne more sentence.\n")
    result = cached_build(project, tmp_path / "warm")
    assert (result.mode, result.pages) == ("updated", 1)
    # The brief, its parts, its node and its body as they were; then what its page shows:
    # each related brief's node and brief (for its card) and each cited source's node and
    # entry (for the structured data), and the timeline's latest years. Not the 80 briefs,
    # 80 bodies, 80 parts and 80 nodes.
    sources = frontmatter.load(victim)["sources"]
    assert isinstance(sources, list)
    cited = len(sources)
    assert 0 < len(reads) <= 4 + 2 * RELATED_LIMIT + 2 * cited + len(shown)


def test_a_rendered_body_is_kept_by_its_text_place_and_url() -> None:
    body = Body("Said [[putin]].\n", "content/briefs/a.md", 4)
    key = body_key(body, "/briefs/a/")
    assert key == body_key(Body("Said [[putin]].\n", "content/briefs/a.md", 4), "/briefs/a/")
    others = {
        body_key(Body("Said [[putin]]!\n", "content/briefs/a.md", 4), "/briefs/a/"),
        body_key(Body("Said [[putin]].\n", "content/briefs/b.md", 4), "/briefs/a/"),
        body_key(Body("Said [[putin]].\n", "content/briefs/a.md", 5), "/briefs/a/"),
        body_key(body, "/briefs/b/"),
        # The parts cannot run together: a path ending in a digit, a line starting one.
        body_key(Body("Said [[putin]].\n", "content/briefs/a.md1", 4), "/briefs/a/"),
    }
    assert key not in others and len(others) == 5
    assert len(key) == 32  # not the text: the saved state holds 13,000 of these at 10k


def test_what_each_page_read_packs_and_unpacks_in_order() -> None:
    rng = random.Random(4)
    keys = [(kind, str(n)) for kind in ("brief", "actor", "brief-page") for n in range(30)]
    deps = {
        f"page-{rng.randint(0, 10**6)}/index.html": frozenset(rng.sample(keys, rng.randint(0, 9)))
        for _ in range(200)
    }
    deps["empty.html"] = frozenset()
    again = unpack_deps(pack_deps(deps))
    assert again == deps
    assert list(again) == list(deps)  # the order pages are removed and checked in


def test_what_each_page_read_is_unpacked_only_where_asked() -> None:
    rng = random.Random(5)
    keys = [(kind, str(n)) for kind in ("brief", "actor", "brief-page") for n in range(30)]
    deps = {
        f"page-{n}/index.html": frozenset(rng.sample(keys, rng.randint(0, 9))) for n in range(200)
    }
    reads = PageReads(pack_deps(deps))
    assert dict(reads) == deps and list(reads) == list(deps)
    # As a full build packs them, page by page as the workers send them back.
    packer = ReadsPacker()
    for page, read in deps.items():
        packer.add(page, read)
    assert dict(packer.reads()) == deps and list(packer.reads()) == list(deps)
    pages = [*deps, "new/index.html"]
    for _ in range(20):
        changed = set(rng.sample(keys, rng.randint(0, 4))) | {("brief", "never-read")}
        # The pages a warm build renders again: never rendered, or read a changed key.
        expected = [p for p in pages if p not in deps or deps[p] & changed]
        assert dirty_pages(reads, pages, changed) == expected
        assert dirty_pages(deps, pages, changed) == expected
        # Those pages rendered again, read anew (new keys among them); one page gone.
        for page in expected:
            deps[page] = reads[page] = frozenset(rng.sample(keys, 3)) | {("tag", page)}
        gone = rng.choice(list(deps))
        del deps[gone], reads[gone]
        pages.remove(gone)
        assert dict(reads) == deps and list(reads) == list(deps)
        # Packed again, every other page's numbers as they were: the same pages and keys.
        reads = PageReads(reads.pack())
        assert dict(reads) == deps and list(reads) == list(deps)


def test_a_save_begun_early_writes_the_same_state_and_blobs(
    project: Project, tmp_path: Path
) -> None:
    rebuilder = Rebuilder(project.root, project.out, drafts=False)
    rebuilder.full()
    assert rebuilder.site is not None
    whole, whole_store = io.BytesIO(), BlobStore(tmp_path / "whole.sqlite")
    used = save(rebuilder, whole, whole_store)
    # Half the briefs' nodes written first, as a cold build does while its pages render,
    # with an object of no stored class among them (left to the save).
    early, early_store = io.BytesIO(), BlobStore(tmp_path / "early.sqlite")
    saver = Saver(early_store)
    nodes = list(rebuilder.site.briefs.values())
    steps = list(saver.steps([*nodes[: len(nodes) // 2], rebuilder.site.urls], per_step=1))
    assert len(steps) == len(nodes) // 2 + 1
    assert len(saver.done) > len(nodes) // 2  # each node with its brief and body
    assert save(rebuilder, early, early_store, saver) == used
    assert early.getvalue() == whole.getvalue()
    assert early_store.keys() == whole_store.keys()


def test_an_early_save_abandoned_leaves_the_store_as_it_was(
    project: Project, tmp_path: Path
) -> None:
    cached_build(project.root, project.out)
    store = BlobStore(project.root / CACHE_DIR / "bodies.sqlite")
    keys = store.keys()
    brief = project.root / "content/briefs/sanctions.md"
    brief.write_text(brief.read_text() + "\nA new line, so new blobs.\n")
    rebuilder = Rebuilder(project.root, project.out, drafts=False)
    rebuilder.full()
    assert rebuilder.site is not None
    saver = Saver(store)
    for _ in saver.steps(rebuilder.site.briefs.values()):
        pass
    saver.flush()  # as every 500 objects: written, not committed
    assert store.keys() > keys
    saver.abandon()
    assert store.keys() == keys
    store.close()


class WatchedSaver(Saver):
    """A saver that counts the objects it wrote early and whether it was abandoned."""

    early = 0
    abandoned = False

    def key(self, obj: object) -> str:
        WatchedSaver.early += 1
        return super().key(obj)

    def abandon(self) -> None:
        WatchedSaver.abandoned = True
        super().abandon()


def test_a_cold_build_that_fails_while_saving_early_keeps_the_last_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    generate(project, 200)  # enough pages for the workers, and the early save
    out = project / "site"
    cached_build(project, out, jobs=2)
    cache = project / CACHE_DIR
    state, keys = (cache / "build.pickle").read_bytes(), BlobStore(cache / "bodies.sqlite").keys()
    page = out / "index.html"
    shown = page.read_bytes()
    # A new template (a full build) that fails on the actors' pages, rendered by the workers
    # while this process writes the nodes of the new site to the store.
    (project / "templates").mkdir()
    (project / "templates" / "actor.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ node.nope }}{% endblock %}"
    )
    brief = next((project / "content" / "briefs").glob("*.md"))
    brief.write_text(brief.read_text() + "\nA new line, so new blobs.\n")
    monkeypatch.setattr("briefgen.cache.Saver", WatchedSaver)
    with pytest.raises(TemplateError):
        cached_build(project, out, jobs=2)
    assert WatchedSaver.early > 0 and WatchedSaver.abandoned
    assert (cache / "build.pickle").read_bytes() == state
    assert BlobStore(cache / "bodies.sqlite").keys() == keys
    assert page.read_bytes() == shown
