"""Bodies whose HTML waits in the build's scratch store: the same as in memory, everywhere."""

from __future__ import annotations

import gc
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
from briefgen.build import build, full_build
from briefgen.cache import cached_build
from briefgen.markdown import RenderCache, Rendered
from briefgen.markdown.cache import body_key
from briefgen.markdown.spilled import (
    SpilledBody,
    SpilledRendered,
    spill,
    spill_all,
    spill_texts,
    with_findings,
)
from briefgen.model import Body, Location, Mention
from briefgen.rebuild import Rebuilder
from briefgen.store import SCRATCH_PREFIX, BlobStore

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
