"""A process pool for the build's two costly stages: Markdown bodies and pages.

Workers are forked after the parent has built what they need (the actor
lookup, or the site graph and compiled templates), so they share it through
copy-on-write memory instead of pickling it. The hand-off is the one piece of
module state in briefgen: ``_SHARED`` holds the parent's object only while a
pool runs, and is cleared when it ends.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_SHARED: Any = None
"""What forked workers read; set only while ``fork_map`` runs."""


def default_jobs() -> int:
    """Worker processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_IN_WORKER = False
"""True in a worker of ``fork_map``'s pool (set once, at its start; never in the parent)."""


def in_worker() -> bool:
    """Whether this process is a forked worker of ``fork_map``, which ends with its task
    (``fork_map`` runs the task in the calling process itself where fork is unavailable)."""
    return _IN_WORKER


def _start_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True
    # A worker collects its own cycles (Markdown's and Jinja's), whether or not its
    # parent's collector was paused when it forked (see collector.py).
    gc.enable()
    # A worker inherits its parent's signal handlers: the preview server's SIGTERM handler
    # only schedules a stop on an event loop the worker never runs, so the pool's SIGTERM at
    # its end would leave the worker running and the build waiting for it forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(task: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    func, chunk = task
    return [func(_SHARED, item) for item in chunk]


def chunks(items: Sequence[T], count: int) -> list[Sequence[T]]:
    """``items`` cut into about ``count`` runs of neighbours, in order."""
    size = max(1, -(-len(items) // count))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _next_chunk(
    results: Any, meanwhile: Iterator[object] | None
) -> tuple[Any, Iterator[object] | None]:
    """The next chunk to finish, doing steps of ``meanwhile`` until one has; with what is
    left of ``meanwhile`` (None once it is done: then it only waits)."""
    while meanwhile is not None:
        try:
            return results.next(timeout=0), meanwhile
        except multiprocessing.TimeoutError:
            if next(meanwhile, _DONE) is _DONE:
                meanwhile = None
    return results.next(), None


_DONE = object()


def fork_map(
    func: Callable[[S, T], R],
    shared: S,
    items: Sequence[T],
    *,
    jobs: int,
    pieces_per_job: int = 8,
    meanwhile: Iterator[object] | None = None,
) -> Iterator[list[R]]:
    """Apply ``func(shared, item)`` to every item in forked workers; yield results by chunk.

    Chunks come back as they finish (not in order); each chunk's results are
    in the order of its items. With one job, or where fork is unavailable, it
    runs in this process.

    ``meanwhile``: work for this process while it would wait for the workers, one step
    (one ``next``) at a time whenever no chunk is ready; what it has not done when the
    last chunk is in is left to the caller. Unused without workers.
    """
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for piece in chunks(items, max(1, pieces_per_job)):
            yield [func(shared, item) for item in piece]
        return
    global _SHARED
    _SHARED = shared
    try:
        context = multiprocessing.get_context("fork")
        # The workers inherit the parent's objects out of the cycle collector's sight: its
        # passes over them in each worker cost time and copied the pages they touched
        # (a cold build at 10,000 briefs: 0.95x the user time, 3 runs paired).
        gc.freeze()
        try:
            pool = context.Pool(processes=jobs, initializer=_start_worker)
        finally:
            gc.unfreeze()
        try:
            tasks = [(func, piece) for piece in chunks(items, jobs * pieces_per_job)]
            results = pool.imap_unordered(_call, tasks)
            for _ in tasks:
                chunk, meanwhile = _next_chunk(results, meanwhile)
                yield chunk
            # Let the workers finish and exit by themselves: the SIGTERM that terminate()
            # sends can reach a worker before it has reset its handler.
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    finally:
        _SHARED = None


def in_child(func: Callable[[T], R], arg: T) -> Callable[[], R]:
    """Start ``func(arg)`` in a forked child process, while this one goes on; what this
    returns waits for the child and gives its result. Where fork is unavailable, or the
    child fails, ``func(arg)`` runs in this process then instead.

    The returned function must be called (a child whose result nobody reads waits on
    its pipe until this process ends).
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return lambda: func(arg)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, which coverage does not follow
        code = 1
        try:
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            data = pickle.dumps(func(arg), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def result() -> R:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return func(arg)
        found: R = pickle.loads(data)
        return found

    return result
