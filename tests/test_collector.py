"""Pauses of the cycle collector: restored after, and never carried into the workers."""

from __future__ import annotations

import gc

from briefgen.collector import collector_paused
from briefgen.parallel import fork_map


def _collecting(shared: None, item: int) -> bool:
    return gc.isenabled()


def test_the_collector_runs_again_after_a_pause_as_it_did_before() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves the outer one paused
    assert gc.isenabled()
    try:
        with collector_paused():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()


def test_a_frozen_pause_moves_what_it_made_out_of_the_collectors_sight() -> None:
    before = gc.get_freeze_count()
    try:
        with collector_paused(freeze=True):
            made = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= before + len(made)
    finally:
        gc.unfreeze()


def test_workers_forked_during_a_pause_collect_their_own_cycles() -> None:
    with collector_paused():
        found = [r for chunk in fork_map(_collecting, None, range(8), jobs=2) for r in chunk]
    assert found == [True] * 8
