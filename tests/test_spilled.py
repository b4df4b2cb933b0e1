"""Bodies whose HTML waits in the build's scratch store: the same as in memory, everywhere."""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bench.generate import generate
from briefgen import build as build_module
from briefgen import load as load_module
from briefgen.build import build, full_build
from briefgen.cache import cached_build
from briefgen.load import load_tree
from briefgen.markdown import RenderCache, Rendered
from briefgen.markdown.cache import body_key
from briefgen.markdown.spilled import (
    SpilledRendered,
    findings,
    made_again,
    spill,
    spill_all,
    with_findings,
)
from briefgen.model import Body, Citation, Location, Mention
from briefgen.rebuild import Rebuilder
from briefgen.store import SCRATCH_PREFIX, BlobStore
from briefgen.texts import SpilledBody, spill_texts

from .test_rebuild import tree

BODY = Rendered(
    html="<p>Lavrov — “yes”.</p>\n",
    mentions=(Mention("sergei-lavrov", Location("content/briefs/a.md", 7, 3)),),
    citations=(),
    statements=(),
    links=(),
    ids=frozenset({"cite-1"}),
    diagnostics=(),
)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scratch stores made in a folder of the test's own, to see them come and go."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_spilled_body_reads_its_html_from_the_store_and_equals_the_plain_one(
    scratch: Path,
) -> None:
    store = BlobStore.scratch_store()
    spilled = spill(BODY, store)
    assert isinstance(spilled, SpilledRendered)
    assert spilled.html == BODY.html
    assert spilled.mentions == BODY.mentions and spilled.ids == BODY.ids
    assert spilled == BODY and hash(spilled) == hash(BODY)
    assert BODY == spilled  # noqa: SIM300 - the plain one on the left: the reflected comparison
    other = Rendered(**{**{f: getattr(BODY, f) for f in BODY.__dataclass_fields__}, "html": "x"})
    assert spilled != other and other != spilled
    # What only the link checker and key judgments read waits in the store too.
    assert spilled.ids == BODY.ids and spilled.links == BODY.links
    assert pickle.loads(store.get(spilled.spilled_key)) == (BODY.html, BODY.links, BODY.ids)


def test_a_spilled_body_pickles_as_the_plain_one(scratch: Path) -> None:
    spilled = spill(BODY, BlobStore.scratch_store())
    copy = pickle.loads(pickle.dumps(spilled))
    assert type(copy) is Rendered
    assert copy == BODY


def test_findings_changed_keep_the_html_in_the_store(scratch: Path) -> None:
    store = BlobStore.scratch_store()
    (spilled,) = spill_all([BODY], store)
    more = with_findings(spilled, ids=frozenset({"cite-1", "judgment-1"}))
    assert isinstance(more, SpilledRendered) and more.spilled_key != spilled.spilled_key
    assert more.html == BODY.html and more.ids == {"cite-1", "judgment-1"}
    fewer = with_findings(spilled, mentions=())
    assert isinstance(fewer, SpilledRendered) and fewer.spilled_key == spilled.spilled_key
    assert fewer.mentions == () and fewer.html == BODY.html
    copied = replace(spilled, diagnostics=())
    assert type(copied) is Rendered and copied == BODY
    plain = with_findings(BODY, ids=frozenset())
    assert type(plain) is Rendered and plain.html == BODY.html


A = "content/briefs/a.md"
CITED = Rendered(
    html="<p>Lavrov<sup>1</sup> and Tillerson<sup>2</sup><sup>1</sup>.</p>\n",
    mentions=(
        Mention("sergei-lavrov", Location(A, 7, 3)),
        Mention("rex-tillerson", Location(A, 7, 40)),
        Mention("sergei-lavrov", Location(A, 912, 1)),
    ),
    citations=(
        Citation("tass", 1, "cite-1-1", "para. 3", Location(A, 7, 12), 2),
        Citation("reuters", 2, "cite-2-1", "", Location(A, 7, 55)),
        Citation("tass", 1, "cite-1-2", "", Location(A, 300, 70000)),
    ),
    statements=(),
    links=(),
    ids=frozenset({"cite-1-1", "cite-2-1", "cite-1-2"}),
    diagnostics=(),
)


def test_a_spilled_body_reads_its_mentions_and_citations_as_the_plain_one_does(
    scratch: Path,
) -> None:
    store = BlobStore.scratch_store()
    spilled = spill(CITED, store)
    assert spilled.mentions == CITED.mentions and spilled.citations == CITED.citations
    assert (
        spilled.mentioned == CITED.mentioned == ("sergei-lavrov", "rex-tillerson", "sergei-lavrov")
    )
    assert spilled.cited_sources == CITED.cited_sources == ("tass", "reuters")
    assert spilled.first_numbers() == CITED.first_numbers() == {"tass": 1, "reuters": 2}
    for source in ("tass", "reuters", "nobody"):
        assert spilled.citations_of(source) == CITED.citations_of(source)
    assert [c.anchor for c in spilled.citations_of("tass")] == ["cite-1-1", "cite-1-2"]
    assert spilled == CITED and hash(spilled) == hash(CITED)
    # What a worker sends its parent makes the same body again, with no objects between.
    again = made_again(pickle.loads(pickle.dumps(findings(spilled))), store)
    assert isinstance(again, SpilledRendered) and again == CITED
    assert again.citations == CITED.citations
    assert pickle.loads(pickle.dumps(again)) == CITED
    # Packed findings changed stay packed; a body differing only there is not equal.
    fewer = with_findings(spilled, citations=CITED.citations[:2])
    assert isinstance(fewer, SpilledRendered) and fewer.spilled_key == spilled.spilled_key
    assert fewer.citations == CITED.citations[:2] and fewer != spilled and spilled != fewer
    assert fewer.mentions == CITED.mentions


def test_spilled_bodies_with_equal_findings_are_equal_however_they_were_packed(
    scratch: Path,
) -> None:
    """marshal writes a string met twice once only when it is the same object: equal
    findings may pack to different bytes, and must still compare equal."""
    store = BlobStore.scratch_store()
    shared = "sergei-lavrov"
    one = replace(BODY, mentions=(Mention(shared, BODY.mentions[0].where),) * 2)
    apart = "".join(["sergei-", "lavrov"])
    other = replace(
        BODY,
        mentions=(Mention(shared, BODY.mentions[0].where), Mention(apart, BODY.mentions[0].where)),
    )
    assert one == other
    a, b = spill(one, store), spill(other, store)
    assert isinstance(a, SpilledRendered) and isinstance(b, SpilledRendered)
    assert a.spilled_key == b.spilled_key
    assert a == b and hash(a) == hash(b)
    assert spill(pickle.loads(pickle.dumps(a)), store) == a


def test_the_parent_indexes_its_pieces_by_what_they_read_whoever_renders(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked page workers skip the index (they never rebuild); the process that goes on
    to rebuild (the preview's) has it, also where fork is unavailable and the pages are
    rendered in it."""
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 1)
    forked = full_build(generated, tmp_path / "forked", jobs=2, keep_fragments=True)
    assert forked.renderer.fragments.indexing and forked.renderer.fragments.readers
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    here = full_build(generated, tmp_path / "here", jobs=2, keep_fragments=True)
    assert here.renderer.fragments.indexing
    assert here.renderer.fragments.readers == forked.renderer.fragments.readers


def test_a_spilled_text_is_the_text_and_keeps_its_key(scratch: Path) -> None:
    body = Body("Lavrov — “yes”.\n", "content/briefs/a.md", 4)
    (spilled,) = spill_texts([body], BlobStore.scratch_store())
    assert isinstance(spilled, SpilledBody)
    assert spilled.text == body.text and spilled.path == body.path and spilled.first_line == 4
    assert spilled == body and hash(spilled) == hash(body)
    assert body == spilled  # the plain one on the left: the reflected comparison
    assert spilled != Body("Lavrov.\n", "content/briefs/a.md", 4)
    # Rendered bodies are kept by the same key, wherever the text is.
    assert body_key(spilled, "/briefs/a/") == body_key(body, "/briefs/a/")
    assert body_key(spilled, "/briefs/a/") != body_key(body, "/briefs/b/")
    assert type(pickle.loads(pickle.dumps(spilled))) is Body
    moved = replace(spilled, first_line=5)
    assert type(moved) is Body and moved.text == body.text


def test_the_scratch_store_goes_with_its_last_user_never_with_a_worker(scratch: Path) -> None:
    store = BlobStore.scratch_store()
    spill(BODY, store)
    (folder,) = scratch.iterdir()
    pid = os.fork()
    if pid == 0:  # a forked worker drops its copy of the store: the parent's folder stays
        del store
        gc.collect()
        os._exit(0)
    os.waitpid(pid, 0)
    assert folder.is_dir()
    del store
    gc.collect()
    assert not folder.exists()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("spilled") / "project"
    generate(project, 120)
    return project


def test_files_read_in_workers_send_their_texts_through_the_store(
    generated: Path, monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    """The loading workers write each entry's Markdown to the store: the files the parent
    gets are the files read in memory, their texts read back from the store."""
    plain = load_tree(generated)
    monkeypatch.setattr(load_module, "LOAD_PARALLEL_MIN", 1)
    store = BlobStore.scratch_store()
    spilled = load_tree(generated, jobs=2, spill=lambda: store, spill_from=1)
    assert [f.path for f in spilled] == [f.path for f in plain]
    entries = [f.entry for f in spilled if f.entry is not None]
    assert len(entries) > 120 and all(type(e.body) is SpilledBody for e in entries)
    assert spilled == plain
    assert [f.entry.body.text for f in spilled if f.entry] == [
        f.entry.body.text for f in plain if f.entry
    ]
    # Below its threshold nothing is spilled, and no store is asked for.
    asked: list[BlobStore] = []

    def give() -> BlobStore:
        asked.append(store)
        return store

    kept = load_tree(generated, jobs=2, spill=give, spill_from=10**6)
    assert not asked and kept == plain
    assert all(type(f.entry.body) is Body for f in kept if f.entry)


def test_spilled_builds_write_what_builds_in_memory_write(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    """Serial and parallel, with the Markdown in workers: the same bytes, no store left."""
    monkeypatch.setattr(build_module, "SPILL_MIN", 10**9)
    build(generated, tmp_path / "memory", jobs=1)
    monkeypatch.setattr(build_module, "SPILL_MIN", 1)
    monkeypatch.setattr(build_module, "MARKDOWN_PARALLEL_MIN", 1)
    cache = RenderCache()
    made = full_build(generated, tmp_path / "parallel", jobs=2, cache=cache)
    assert cache.bodies and all(type(b) is SpilledRendered for b in cache.bodies.values())
    entries = [f.entry for f in made.files.values() if f.entry is not None]
    assert entries and all(type(entry.body) is SpilledBody for entry in entries)
    assert made.site.briefs  # the build's objects still read their HTML from the store
    assert any(scratch.iterdir())
    del made, cache, entries
    gc.collect()
    assert not any(scratch.iterdir())
    build(generated, tmp_path / "serial", jobs=1)
    expected = tree(tmp_path / "memory")
    assert tree(tmp_path / "parallel") == expected
    assert tree(tmp_path / "serial") == expected


def test_warm_builds_and_the_preview_go_on_from_spilled_bodies(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    """The saved state holds the texts and HTML themselves; the preview's updates render in
    memory, a new name or alias rendering every body again."""
    project = tmp_path / "project"
    shutil.copytree(generated, project)
    monkeypatch.setattr(build_module, "SPILL_MIN", 1)
    monkeypatch.setattr(build_module, "MARKDOWN_PARALLEL_MIN", 1)
    cached_build(project, tmp_path / "warm", jobs=2)
    preview = Rebuilder(project, tmp_path / "preview", drafts=False, fingerprint=True, jobs=2)
    # As the preview server does: its first build in one thread, its updates in another.
    first = threading.Thread(target=preview.full)
    first.start()
    first.join()
    assert preview.site is not None
    brief = sorted((project / "content" / "briefs").glob("*.md"))[3]
    brief.write_text(brief.read_text() + "\nOne more line.\n")
    actor = sorted((project / "content" / "actors").glob("*.md"))[0]
    # A new alias changes the lookup every body is rendered against.
    text = actor.read_text()
    if "aliases: [" in text:
        text = text.replace("aliases: [", "aliases: [Someone New, ", 1)
    else:
        text = text.replace("\n---\n", "\naliases: [Someone New]\n---\n", 1)
    actor.write_text(text)
    gc.collect()  # the state's save held no scratch store: only the preview's is left
    assert len(list(scratch.iterdir())) == 1
    assert cached_build(project, tmp_path / "warm", jobs=2).mode == "updated"
    preview.update([brief, actor])
    # The update rendered every body again (a new alias), in memory: no new scratch store.
    assert preview.cache.spill is None
    gc.collect()
    assert len(list(scratch.iterdir())) == 1
    monkeypatch.setattr(build_module, "SPILL_MIN", 10**9)
    build(project, tmp_path / "clean", jobs=1)
    expected = tree(tmp_path / "clean")
    assert tree(tmp_path / "warm") == expected
    assert tree(tmp_path / "preview") == expected


def test_a_cached_build_keeps_its_scratch_in_the_cache_folder_and_clears_a_dead_ones(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    """On the project's disk (the system's temporary folder may be memory); a folder a
    killed build left there goes with the next build, one a live build uses stays."""
    project = tmp_path / "project"
    shutil.copytree(generated, project)
    monkeypatch.setattr(build_module, "SPILL_MIN", 1)
    cache_folder = project / ".briefgen-cache"
    cache_folder.mkdir()
    dead = cache_folder / f"{SCRATCH_PREFIX}{os.getpid() + 10**6}-x"
    dead.mkdir()  # no process has this id (ids stay below 2**22 on Linux)
    alive = cache_folder / f"{SCRATCH_PREFIX}{os.getppid()}-y"
    alive.mkdir()
    made: list[Path] = []
    real = BlobStore.scratch_store.__func__  # type: ignore[attr-defined]

    def noting(cls: type[BlobStore], parent: Path | None = None) -> BlobStore:
        store: BlobStore = real(cls, parent)
        made.append(store.path.parent)
        return store

    monkeypatch.setattr(BlobStore, "scratch_store", classmethod(noting))
    cached_build(project, tmp_path / "site", jobs=1)
    assert made and all(folder.parent == cache_folder for folder in made)
    assert not any(scratch.iterdir())  # nothing in the system's temporary folder
    gc.collect()
    assert not dead.exists() and alive.is_dir()
    assert not any(folder.exists() for folder in made)
