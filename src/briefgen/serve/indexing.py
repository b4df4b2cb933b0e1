"""The preview's search index, kept up to date in the background.

Indexing a large site takes seconds (tens of them at 10,000 briefs), and a
save must show in the browser within a fraction of one: so the preview never
indexes during a rebuild. Its first build and every rebuild that changed what
the index holds ask this thread for a new index; it waits for the saves to
settle (``DEBOUNCE``), indexes the pages as they then are into a folder of its
own, and swaps the new bundle in (outputs/search.py ``reindex``). Until then
the search page searches the last complete index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from ..errors import BriefgenError
from ..outputs.search import reindex

DEBOUNCE = 0.5
"""Seconds without a new request before indexing starts: a burst of saves indexes once."""


class BackgroundIndexer(threading.Thread):
    """Re-indexes ``site`` for search when asked, one run at a time, never blocking the asker."""

    def __init__(
        self,
        site: Path,
        echo: Callable[[str], None],
        swapping: AbstractContextManager[object],
    ) -> None:
        super().__init__(name="briefgen-search-index", daemon=True)
        self.site = site
        self.echo = echo
        self.swapping = swapping
        """Held while the new bundle is swapped in, so no rebuild replaces the site meanwhile."""
        self._asked = threading.Condition()
        self._last_ask = 0.0
        self._pending = False
        self._stopping = False
        self.runs = 0
        """Indexings finished, for tests and the report."""

    def request(self) -> None:
        """Ask for a new index of the site as it will be once saves settle."""
        with self._asked:
            self._pending = True
            self._last_ask = time.monotonic()
            self._asked.notify()

    def stop(self) -> None:
        with self._asked:
            self._stopping = True
            self._asked.notify()

    def _next(self) -> bool:
        """Wait for a request and for the saves after it to settle; False when stopping."""
        with self._asked:
            while not self._stopping:
                if self._pending:
                    quiet = time.monotonic() - self._last_ask
                    if quiet >= DEBOUNCE:
                        self._pending = False
                        return True
                    self._asked.wait(DEBOUNCE - quiet)
                else:
                    self._asked.wait()
            return False

    def run(self) -> None:
        while self._next():
            try:
                done = reindex(self.site, self.swapping)
            except BriefgenError as exc:
                why = "; ".join(d.message for d in exc.diagnostics)
                self.echo(f"search index not updated: {why}")
                continue
            except OSError as exc:
                # The site was replaced under it: the rebuild that did so asked again.
                self.echo(f"search index not updated: {exc}")
                continue
            self.runs += 1
            self.echo(f"search index updated: {done.pages} pages in {done.seconds:.1f} s")
