"""The preview's watcher: inotify (through watchfiles) in a thread, re-armed as folders come and go.

The only module that imports watchfiles.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from ..config import CONFIG_FILE
from ..headers import NETLIFY_FILE
from ..render import THEME

DEBOUNCE_MS = 50
"""A burst of saves closer together than this becomes one rebuild."""
MAX_WAIT_MS = 400
"""The longest a rebuild waits for a burst to end."""
POLL_MS = 300
"""How often the watcher looks whether a watched folder appeared, vanished or was replaced."""

_SOURCES = (CONFIG_FILE, "content", "templates", "static", NETLIFY_FILE)
"""What the watcher looks for at the top of the project (NETLIFY_FILE: the headers)."""
_FOLDERS = frozenset({"content", "templates", "static"})


@dataclass(frozen=True, slots=True)
class Layout:
    """Which of the project's top-level sources exist, each with its inode.

    inotify watches a folder, not a name: a folder deleted and made again (a
    ``git checkout``, a restore from backup) or a file replaced by renaming
    (how many editors save) is a new inode that nobody watches. Comparing
    layouts tells the watcher when to watch again.
    """

    inodes: tuple[tuple[str, int | None], ...]
    """Each name of _SOURCES with its inode, None when it is missing (or not a folder)."""

    @classmethod
    def of(cls, project: Path) -> Layout:
        found: list[tuple[str, int | None]] = []
        for name in _SOURCES:
            try:
                stat = (project / name).stat()
            except OSError:
                found.append((name, None))
                continue
            is_folder = (stat.st_mode & 0o170000) == 0o040000
            found.append((name, stat.st_ino if is_folder == (name in _FOLDERS) else None))
        return cls(tuple(found))

    def has(self, name: str) -> bool:
        return dict(self.inodes)[name] is not None

    def roots(self, project: Path) -> list[Path]:
        """What to watch: the sources that exist, and the theme."""
        return [project / name for name, inode in self.inodes if inode is not None] + [THEME]

    def changed(self, other: Layout) -> list[str]:
        """The names that appeared, vanished or were replaced between two layouts."""
        return [name for (name, a), (_, b) in zip(self.inodes, other.inodes, strict=True) if a != b]


class Watcher(threading.Thread):
    """Watches the project with inotify (through watchfiles) and hands each burst of changes on.

    Every POLL_MS it also compares the project's layout (a few ``stat`` calls):
    when a watched folder vanishes, comes back or first appears, it watches
    again and hands the names on to ``on_layout`` once the new watch is armed,
    so nothing saved meanwhile is missed.
    """

    def __init__(
        self,
        project: Path,
        on_changes: Callable[[set[Path]], None],
        on_layout: Callable[[list[str], Layout], None],
    ) -> None:
        super().__init__(name="briefgen-watcher", daemon=True)
        self.project = project
        self.on_changes = on_changes
        self.on_layout = on_layout
        self.stop_event = threading.Event()
        self.layout = Layout.of(project)
        self.pending: list[str] = []
        """Names whose change is handed on once the next watch is armed."""

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self._watch()
            except OSError:  # a folder vanished while being watched again: look again
                self.pending = sorted(
                    {*self.pending, *self.layout.changed(Layout.of(self.project))}
                )
                self.layout = Layout.of(self.project)
                self.stop_event.wait(POLL_MS / 1000)

    def _watch(self) -> None:
        """Watch the sources that exist now, until they change or the server stops."""
        roots = self.layout.roots(self.project)
        folders = {root for root in roots if root.name in _FOLDERS and root.parent == self.project}
        for changes in watchfiles.watch(
            *roots,
            debounce=MAX_WAIT_MS,
            step=DEBOUNCE_MS,
            stop_event=self.stop_event,
            rust_timeout=POLL_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            # No filter of watchfiles' own: which files count is decided by the same rule
            # as the build's (Rebuilder.affects_site), so the preview sees what a build sees.
            watch_filter=None,
        ):
            if self.pending:  # the watch is armed: now rebuild what changed unwatched
                names, self.pending = self.pending, []
                self.on_layout(names, self.layout)
            paths = {Path(path) for _, path in changes}
            now = Layout.of(self.project)
            # A change to a watched folder itself: deleted, or deleted and made again.
            replaced = [p.name for p in paths & folders]
            names = sorted({*self.layout.changed(now), *replaced})
            if names:
                self.layout, self.pending = now, names
                return  # watch again; this burst is part of the change
            if paths:
                self.on_changes(paths)

    def stop(self) -> None:
        self.stop_event.set()
