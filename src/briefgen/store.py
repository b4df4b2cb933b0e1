"""A content-addressed store of blobs on disk: a warm build's rendered bodies.

One SQLite file, one table of ``key -> bytes``, where the key is a digest of the
bytes: a blob written twice is stored once, and a key can never point at changed
content. A blob may name others it holds by key (a brief's node names its body): those
live as long as it does (``keep_only``). The warm build's state (state.py) keeps its
rendered bodies and its briefs' and actors' nodes here, so that loading the state reads
only what the edit touches.
In issue 10's prototype SQLite read one body in about 46 µs and wrote 10,000 in 0.27 s
inside one transaction. Each read checks the blob against its key, so a damaged file
can make a warm build start over (cache.py), never render a wrong page.

A connection is not carried across ``fork()`` (SQLite forbids it): a process that
finds the store opened by another process id opens its own.

A build's own scratch store (``BlobStore.scratch_store``) holds the HTML of the bodies it
rendered, so that it never holds them all (markdown/spilled.py); it lives in a folder of
its own under the system's temporary folder and is deleted with the last object using it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_SCHEMA = 4
"""The tables' shape (``PRAGMA user_version``); a file of another shape is started anew."""


GARBAGE = 0.05
"""How much the store may grow with blobs no state names before ``collect`` deletes them."""


def digest(data: bytes) -> str:
    """The key a blob is stored under."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class MissingBlob(LookupError):
    """A key the store does not hold (the store was deleted or changed under the state)."""


class BlobStore:
    """Reads and writes one store file; made on first use."""

    def __init__(self, path: Path, *, scratch: bool = False) -> None:
        self.path = path
        self.scratch = scratch
        """Written by one build, deleted after it: never synced to disk, and written by
        several processes at once (its write-ahead log lets them read while one writes)."""
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self.made: dict[str, object] = {}
        """What was made of its blobs, by key (state.py's stand-ins): everything naming one
        key, in the state or inside another blob, shares one object, read once."""

    @classmethod
    def scratch_store(cls, parent: Path | None = None) -> BlobStore:
        """A new, empty store in a folder of its own in ``parent`` (else the system's
        temporary folder), deleted when the store object is (or when this process ends),
        by the process that made it, never by a forked worker."""
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
            remove_stale_scratch(parent)
        folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))
        store = cls(folder / "bodies.sqlite", scratch=True)
        weakref.finalize(store, _remove_scratch, folder, os.getpid())
        # Made here, before any worker forks: two workers making it at once could find
        # the file locked while the other changes its journal, and fail.
        store._db().execute("PRAGMA journal_mode=WAL")
        return store

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                connection = self._open()
            except sqlite3.DatabaseError:
                # Not a database any more (damaged, or overwritten): it is only a cache,
                # and a state that needs a body it held is not used (see state.load).
                for suffix in ("", "-journal"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                connection = self._open()
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        # A build waits for another one's writes rather than failing at once.
        # The preview builds in one thread and updates in another: SQLite here is built
        # serialized (``sqlite3.threadsafety`` is 3), so one connection serves them both.
        connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            # Deleted bodies give their space back, so the file stays the size of what
            # the last build uses (set before the table is made; ignored after).
            if self.scratch:
                connection.execute("PRAGMA synchronous=OFF")  # deleted after the build
            else:
                connection.execute("PRAGMA auto_vacuum=FULL")
                connection.execute("PRAGMA synchronous=NORMAL")
            if connection.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA:
                self._start_anew(connection)
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    @staticmethod
    def _start_anew(connection: sqlite3.Connection) -> None:
        """Make the tables of this shape, dropping a store of an earlier briefgen (only a
        cache); under a write lock, checked again, so two builds never both do it."""
        connection.execute("BEGIN IMMEDIATE")
        try:
            if connection.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA:
                for table in ("blobs", "names"):
                    connection.execute(f"DROP TABLE IF EXISTS {table}")
                # A table with row ids: a blob of a few kilobytes lives in overflow pages
                # that SQLite reads far faster from one than from a table without them
                # (a body of 8 kB: 8 µs against 23 to read, 10 against 28 to write).
                connection.execute("CREATE TABLE blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
                # What each blob names, apart: going over every key and what it names
                # (``keep_only``) reads this small table, not every blob's pages.
                connection.execute(
                    "CREATE TABLE names (key TEXT PRIMARY KEY, refs TEXT NOT NULL) WITHOUT ROWID"
                )
                connection.execute(f"PRAGMA user_version={_SCHEMA}")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise

    def get(self, key: str) -> bytes:
        row = self._db().execute("SELECT data FROM blobs WHERE key = ?", (key,)).fetchone()
        # A blob that does not match its key (a damaged file left by an earlier build) is
        # as good as missing; a scratch store is this build's own, read moments later.
        if row is None or (not self.scratch and digest(row[0]) != key):
            raise MissingBlob(key)
        data: bytes = row[0]
        return data

    def keys(self) -> set[str]:
        return {key for (key,) in self._db().execute("SELECT key FROM names")}

    def put(self, blobs: Iterable[tuple[str, bytes, str]], *, commit: bool = True) -> None:
        """Store ``(key, data, refs)`` (keys from ``digest``; ``refs``: the keys of the blobs
        it names, space-separated); ones already there are kept. ``commit=False`` leaves
        the transaction open for more (one commit, one sync to disk, for a whole state's
        blobs: a commit per 500 blobs took 1.1 s of a 10,000-brief cold build)."""
        db = self._db()
        rows = list(blobs)
        try:
            db.executemany(
                "INSERT OR IGNORE INTO blobs (key, data) VALUES (?, ?)",
                ((key, data) for key, data, _ in rows),
            )
            db.executemany(
                "INSERT OR IGNORE INTO names (key, refs) VALUES (?, ?)",
                ((key, refs) for key, _, refs in rows),
            )
        except BaseException:
            db.rollback()
            raise
        if commit:
            db.commit()

    def clear(self) -> None:
        """Empty the store (one found damaged: the full build that follows fills it again,
        where writing over what is there would keep a damaged blob under its key)."""
        try:
            db = self._db()
            with db:
                db.execute("DELETE FROM blobs")
                db.execute("DELETE FROM names")
        except sqlite3.Error:  # beyond reading: start with no file
            self.close()
            for suffix in ("", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def rollback(self) -> None:
        """Drop what was put since the last commit."""
        self._db().rollback()

    def collect(self, keys: set[str], slack: float = GARBAGE, live: int | None = None) -> int:
        """``keep_only(keys)`` once the store holds more than ``slack`` beyond the blobs in
        use at the last collection (``live``, as that call returned it; None: collect now,
        after a full build, say); how many blobs are in use after it, the ``live`` of the
        next call. Going over every key took 0.1 s of a 10,000-brief warm build, for the
        three or four blobs an edit leaves behind; the keys a state names leave out the
        blobs those name (46,000 keys for 54,000 blobs in use), so they are no measure."""
        count: int = self._db().execute("SELECT count(*) FROM names").fetchone()[0]
        if live is not None and count <= max(live, len(keys)) * (1 + slack):
            return live
        return count - self.keep_only(keys)

    def keep_only(self, keys: set[str]) -> int:
        """Delete every blob but those of ``keys`` and those they name, however deep; how
        many were deleted."""
        db = self._db()
        refs = dict(db.execute("SELECT key, refs FROM names"))
        kept: set[str] = set()
        waiting = list(keys)
        while waiting:
            key = waiting.pop()
            if key not in kept:
                kept.add(key)
                waiting += refs.get(key, "").split()
        gone = [(key,) for key in refs.keys() - kept]
        with db:
            db.executemany("DELETE FROM blobs WHERE key = ?", gone)
            db.executemany("DELETE FROM names WHERE key = ?", gone)
        return len(gone)

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


SCRATCH_PREFIX = "briefgen-bodies-"
"""A scratch store's folder is named this, then the id of the process that made it."""


def remove_stale_scratch(parent: Path) -> None:
    """Delete the scratch folders in ``parent`` whose process is gone (a build killed
    before it could delete its own)."""
    for folder in parent.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # alive, another user's: not ours to delete
            continue


def _remove_scratch(folder: Path, owner: int) -> None:
    """Delete a scratch store's folder, in the process that made it only (a forked worker
    holds a copy of the store object, and must leave the folder to its parent)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def spill_each(
    items: Sequence[T],
    store: BlobStore,
    done: Callable[[T], bool],
    data: Callable[[T], bytes],
    made: Callable[[T, BlobStore, str], Any],
) -> list[Any]:
    """Each item written to ``store`` as ``data`` gives it, under its digest, and made into
    its stand-in by ``made``; those ``done`` already stay as they are. One transaction."""
    blobs: dict[str, bytes] = {}
    found: list[Any] = []
    for item in items:
        if done(item):
            found.append(item)
            continue
        written = data(item)
        key = digest(written)
        blobs[key] = written
        found.append(made(item, store, key))
    if blobs:
        store.put((key, written, "") for key, written in blobs.items())
    return found
