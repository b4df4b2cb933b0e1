"""The process pool: a parallel build writes exactly what a serial one does."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.generate import generate
from briefgen import build as build_module
from briefgen.build import build
from briefgen.config import load_config
from briefgen.errors import ContentError
from briefgen.load import assemble, load_tree
from briefgen.markdown import RenderCache
from briefgen.markdown.cache import body_key
from briefgen.parallel import chunks, fork_map, in_child
from briefgen.rebuild import Rebuilder
from briefgen.render import TemplateError

from .test_rebuild import tree


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("generated") / "project"
    generate(project, 200)
    return project


def test_parallel_build_is_byte_identical_to_serial(generated: Path, tmp_path: Path) -> None:
    serial = build(generated, tmp_path / "serial", jobs=1)
    parallel = build(generated, tmp_path / "parallel", jobs=2)
    assert serial.pages == parallel.pages > 200
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


def test_markdown_rendered_in_workers_gives_the_same_site_and_problems(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every body rendered in forked workers (whatever the project's size), then the graph."""
    project = tmp_path / "project"
    shutil.copytree(generated, project)
    # A warning the Markdown stage finds, so its position must come back from a worker intact.
    brief = next((project / "content" / "briefs").glob("*.md"))
    original = brief.read_text()
    brief.write_text(original + "\nSee [[no-such-actor-here]].\n")
    monkeypatch.setattr(build_module, "MARKDOWN_PARALLEL_MIN", 1)
    with pytest.raises(ContentError) as serial_error:
        build(project, tmp_path / "serial", jobs=1)
    with pytest.raises(ContentError) as parallel_error:
        build(project, tmp_path / "parallel", jobs=2)
    assert parallel_error.value.diagnostics == serial_error.value.diagnostics
    assert "no-such-actor-here" in parallel_error.value.diagnostics[0].format()
    brief.write_text(original)
    serial = build(project, tmp_path / "serial", jobs=1)
    parallel = build(project, tmp_path / "parallel", jobs=2)
    assert serial.pages == parallel.pages
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


def test_prerender_renders_every_body_into_the_cache(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "MARKDOWN_PARALLEL_MIN", 1)
    files = build_module.load_files(generated)
    content, _ = assemble(files.values())
    config = load_config(generated)
    cache = RenderCache()
    build_module.prerender(content, config.urls, cache, jobs=2)
    bodies = len(content.briefs) + len(content.actors) + len(content.sources) + len(content.pages)
    assert len(cache.bodies) == bodies
    brief = content.briefs[0]
    url = config.urls.brief(brief.id)
    assert cache.bodies[body_key(brief.body, url)] == cache.renderer_for(cache.lookup).render(  # type: ignore[arg-type]
        brief.body, url
    )


def test_template_error_in_a_worker_is_reported(generated: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(generated, project)
    (project / "templates").mkdir()
    (project / "templates" / "actor.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ node.nope }}{% endblock %}"
    )
    with pytest.raises(TemplateError) as caught:
        build(project, tmp_path / "out", jobs=2)
    assert (
        caught.value.diagnostics[0]
        .format()
        .startswith("templates/actor.html:1:1: error: template error")
    )
    assert not (tmp_path / "out").exists()


def _square(offset: int, item: int) -> int:
    return offset + item * item


def test_fork_map_covers_every_item_once() -> None:
    items = list(range(103))
    results = sorted(r for chunk in fork_map(_square, 1, items, jobs=2) for r in chunk)
    assert results == sorted(1 + i * i for i in items)
    assert [len(c) for c in chunks(items, 4)] == [26, 26, 26, 25]


def _after_flag(flag: Path, item: int) -> int:
    # Bounded: a parent that never does its work fails the test instead of hanging it.
    for _ in range(1000):
        if flag.exists():
            return item
        time.sleep(0.01)
    raise TimeoutError(f"{flag} never appeared")


def test_fork_map_does_the_parents_work_while_the_workers_run(tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    done: list[int] = []

    def work() -> Iterator[None]:
        for step in range(3):
            done.append(step)
            if step == 1:
                flag.touch()  # the workers can finish only after this step
            yield

    results = [
        r
        for chunk in fork_map(_after_flag, flag, range(20), jobs=2, meanwhile=work())
        for r in chunk
    ]
    assert sorted(results) == list(range(20))
    assert done[:2] == [0, 1]
    # Without workers there is no waiting to fill: the work is left to the caller.
    left = work()
    assert [
        r for chunk in fork_map(_after_flag, flag, range(5), jobs=1, meanwhile=left) for r in chunk
    ] == list(range(5))
    assert next(left) is None and done[-1] == 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_is_told_every_page(generated: Path, tmp_path: Path, jobs: int) -> None:
    calls: list[tuple[int, int]] = []
    result = build(
        generated,
        tmp_path / "out",
        jobs=jobs,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls, "a build of hundreds of pages reports progress"
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    total = calls[-1][1]
    assert calls[-1] == (total, total)
    assert total >= result.pages


_UNDER_A_SERVERS_HANDLER = """
import signal
from briefgen.parallel import fork_map

def double(shared, item):
    return item * shared

# The preview server's SIGTERM handler schedules a stop on its event loop and returns.
signal.signal(signal.SIGTERM, lambda *_: None)
for _ in range(20):
    chunks = fork_map(double, 2, list(range(40)), jobs=2)
    assert sorted(x for chunk in chunks for x in chunk) == [i * 2 for i in range(40)]
print("done")
"""


def test_a_pool_ends_under_a_sigterm_handler_that_does_not_exit() -> None:
    # Workers inherited such a handler, so the pool's SIGTERM at its end left them running
    # and `briefgen serve` hung in its first build about half the time.
    process = subprocess.Popen(
        [sys.executable, "-c", _UNDER_A_SERVERS_HANDLER],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("a pool of forked workers never ended") from None
    assert out.strip() == "done"


def test_files_read_in_workers_are_the_files_read_here(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("briefgen.load.LOAD_PARALLEL_MIN", 10)
    (generated / "content" / "briefs" / "broken.md").write_text("---\ntitle: [\n---\nText.\n")
    try:
        serial = load_tree(generated)
        parallel = load_tree(generated, jobs=2)
    finally:
        (generated / "content" / "briefs" / "broken.md").unlink()
    assert parallel == serial
    assert [f.path for f in serial] == sorted(f.path for f in serial)
    assert any(f.diagnostics and f.entry is None for f in parallel)  # problems come back too


def test_the_preview_keeps_the_pieces_of_pages_its_workers_made(
    generated: Path, tmp_path: Path
) -> None:
    """The preview's first build is parallel; its rebuilds reuse the brief cards and
    timeline entries the workers made, as if this process had made them."""
    serial = Rebuilder(generated, tmp_path / "serial", drafts=False, jobs=1)
    serial.full()
    kept = Rebuilder(generated, tmp_path / "kept", drafts=False, jobs=2, keep_fragments=True)
    kept.full()
    plain = Rebuilder(generated, tmp_path / "plain", drafts=False, jobs=2)
    plain.full()
    assert serial.renderer and kept.renderer and plain.renderer
    made, gathered = serial.renderer.fragments, kept.renderer.fragments
    assert len(made.pieces) > 200 and gathered.pieces == made.pieces
    assert gathered.readers == made.readers
    assert plain.renderer.fragments.pieces == {}  # briefgen build: nothing sent back
    # This process notes nothing it makes itself: a long preview would hold every key.
    assert serial.renderer.fragments.made == [] and gathered.made == []
    assert tree(tmp_path / "kept") == tree(tmp_path / "serial")


def _where(offset: int) -> tuple[int, int]:
    return os.getpid(), offset + 1


def _fails_in_a_child(parent: int) -> int:
    if os.getpid() != parent:
        raise RuntimeError("only in the child")
    return 7


def test_in_child_runs_in_another_process_while_this_one_goes_on() -> None:
    result = in_child(_where, 41)
    here = os.getpid()
    pid, value = result()
    assert value == 42 and pid != here


def test_in_child_falls_back_to_this_process_when_the_child_fails() -> None:
    assert in_child(_fails_in_a_child, os.getpid())() == 7
