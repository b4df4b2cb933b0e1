"""Pauses of Python's cycle collector where the build makes millions of objects.

The collector's passes go over every object it tracks, and the heap of a 10,000-brief
build grows to millions of them while the content is read, the bodies come back from
the Markdown workers and the graph is built: each full pass went over all of them
again. Those objects live to the end of the build and hold few cycles, so the collector
waits until they are made (the cycles made meanwhile are collected after).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cycle collector while millions of lasting objects are made.

    It holds no cycles worth collecting then, and its repeated passes over the
    growing heap made loading a 10,000-brief state take 5.6 s instead of 3.5 s.
    ``freeze``: what was made meanwhile lives on (a loaded state), so it is moved out of
    the collector's sight before it runs again; otherwise the first collection after
    loading a 10,000-brief state went over its 240,000 objects, 0.19 s.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
