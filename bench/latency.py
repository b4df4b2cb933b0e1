"""Save-to-visible latency of a preview server, measured from outside over HTTP.

What a writer feels is the time from saving a file to the page showing the change,
the server's watcher, debounce and rebuild all included. So ``measure_latency``
starts the server as a writer does (``briefgen serve`` or ``hugo server``), lets it
finish its first build, then for each edit writes one brief's file with a unique
marker word in it (in the body, or in the title), notes the time, and fetches the
brief's page over HTTP every few milliseconds until the marker is in it (for a
title edit, then the brief index too, which lists the title): the latency is the
time from the write to the response that shows the last of them.

Everything is bounded: the first build and each edit have a deadline, the number of
edits is fixed, and the server's whole process group is stopped at the end, also on
an error or Ctrl-C. Requests go to 127.0.0.1 only, whatever address a server prints;
the servers are started bound to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bench.timing import tree_cpu_seconds

LOOPBACK = "127.0.0.1"
POLL_EVERY = 0.005
"""Seconds between two requests for a page that does not show the edit yet (at least)."""

STALL = 20.0
"""Seconds without any CPU use after which a server still in its first build is hung."""

T = TypeVar("T")


class Stalled(RuntimeError):
    """The server used no CPU for ``STALL`` seconds before it was ready: it is hung."""


# ---------------------------------------------------------------------------
# What a server prints when it is ready.


@dataclass(frozen=True, slots=True)
class Address:
    """Where a started server serves the site: a port on 127.0.0.1 and the site's base path."""

    port: int
    base: str
    """The site's path on the server, starting and ending with ``/``."""

    def url(self, path: str) -> str:
        """The path to request for ``path`` (relative to the site, e.g. ``briefs/x/``)."""
        return self.base + path.lstrip("/")


# `briefgen serve` prints "serving http://127.0.0.1:8000/briefing/ (Ctrl-C to stop)"
# once its first build is done: the port, then the base path up to the next space.
_BRIEFGEN_READY = re.compile(r"^serving http://127\.0\.0\.1:(\d+)(/\S*)")
# `hugo server` prints "Web Server is available at http://127.0.0.1:1313/ (bind address
# 127.0.0.1)" after its first build: any host (it echoes --baseURL), the port, the path.
_HUGO_READY = re.compile(r"Web Server is available at https?://[^/\s]+:(\d+)(/\S*)")


def _address(found: re.Match[str] | None) -> Address | None:
    if found is None:
        return None
    base = found.group(2)
    return Address(int(found.group(1)), base if base.endswith("/") else base + "/")


def briefgen_ready(line: str) -> Address | None:
    """The address in ``briefgen serve``'s "serving ..." line, None for any other line."""
    return _address(_BRIEFGEN_READY.search(line.strip()))


def hugo_ready(line: str) -> Address | None:
    """The address in ``hugo server``'s "Web Server is available at ..." line, else None."""
    return _address(_HUGO_READY.search(line))


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now (for ``hugo server --port``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------------
# The edits.


def marker(tag: str, kind: str, number: int) -> str:
    """A word found nowhere in a generated corpus: ``zqservebody0003x``.

    Fixed width and closed by a letter, so no marker is a prefix of another.
    """
    return f"zq{tag}{kind}{number:04d}x"


def edit_body(text: str, word: str) -> str:
    """The brief's text with a sentence holding ``word`` added at the end of its body."""
    return text.rstrip("\n") + f"\n\nEdited for the benchmark: {word}.\n"


# The `title:` line of YAML front matter, at the start of a line, with its value.
_TITLE = re.compile(r"^title:[ \t]*(?P<value>\S.*)$", re.MULTILINE)


def edit_title(text: str, word: str) -> str:
    """The brief's text with ``word`` put first in its front matter's title.

    The title may be double-quoted (as ``bench/generate.py`` and ``bench/peers.py``
    write it), single-quoted or plain; the word goes inside the quotes.
    """
    if not text.startswith("---\n"):
        raise ValueError("no front matter (the file does not start with ---)")
    end = text.find("\n---\n", 3)
    head = text[: end + 1] if end >= 0 else ""
    found = _TITLE.search(head)
    if found is None:
        raise ValueError("no title: line in the front matter")
    value = found.group("value")
    edited = f"{value[0]}{word} {value[1:]}" if value[0] in "\"'" else f"{word} {value}"
    return text[: found.start("value")] + edited + text[found.end("value") :]


def spread(items: Sequence[T], count: int, offset: int = 0) -> list[T]:
    """``count`` items picked evenly through ``items``, distinct while there are enough.

    Deterministic, so two runs edit the same briefs; ``offset`` shifts the picks (a body
    edit and a title edit then touch different briefs).
    """
    if not items:
        return []
    step = max(1, len(items) // count) if count else 1
    return [items[(offset + index * step) % len(items)] for index in range(count)]


# ---------------------------------------------------------------------------
# A server, started and stopped as a whole process group.


@dataclass(slots=True)
class Server:
    """A preview server process: its output lines as they come, and when the last came."""

    name: str
    command: list[str]
    cwd: Path
    ready: Callable[[str], Address | None]
    """Reads one output line; the address once the line says the first build is done."""
    lines: list[str] = field(default_factory=list)
    last_output: float = 0.0
    process: subprocess.Popen[str] | None = None
    hangs: list[str] = field(default_factory=list)
    """Each first build that hung (and was started again)."""
    grace: float = 10.0
    """Seconds stop() gives each signal before the next, stronger one."""
    stall: float = STALL
    """Seconds without CPU use, before the first build is done, that count as a hang."""

    def output(self, last: int = 15) -> str:
        return "\n".join(self.lines[-last:])

    def start(self, deadline: float) -> Address:
        """Start it and wait (at most ``deadline`` seconds) for its first build."""
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            # A session of its own: stop() signals the server and everything it started.
            start_new_session=True,
        )
        # Each start reads into a list of its own: a stopped attempt's last words must not
        # land in the next one's output.
        self.lines = []
        threading.Thread(target=self._read, args=(self.process, self.lines), daemon=True).start()
        until = time.perf_counter() + deadline
        seen = 0
        cpu, busy_at = -1.0, time.perf_counter()
        while time.perf_counter() < until:
            for line in self.lines[seen:]:
                address = self.ready(line)
                if address is not None:
                    return address
            seen = len(self.lines)
            if self.process.poll() is not None:
                time.sleep(0.1)  # let the reader take the last lines
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode} before serving:\n"
                    + self.output()
                )
            # A build always uses some CPU; none for a while is a hang (a forked worker
            # that never ends, say), not a slow build.
            used = tree_cpu_seconds(self.process.pid)
            if used > cpu:
                cpu, busy_at = used, time.perf_counter()
            elif time.perf_counter() - busy_at > self.stall:
                raise Stalled(
                    f"{self.name} used no CPU for {self.stall:g} s in its first build (hung):\n"
                    + self.output()
                )
            time.sleep(0.02)
        raise RuntimeError(
            f"{self.name} did not finish its first build within {deadline:.0f} s:\n" + self.output()
        )

    def _read(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            self.last_output = time.perf_counter()

    def wait_quiet(self, since: float, quiet: float, deadline: float) -> None:
        """Wait until it printed something after ``since``, then nothing for ``quiet`` seconds.

        Both servers print a line when a rebuild ends; a page can show an edit before
        then, and the next edit must not land in the middle of this rebuild.
        """
        until = time.perf_counter() + deadline
        while time.perf_counter() < until:
            last = self.last_output
            if last > since and time.perf_counter() - last >= quiet:
                return
            time.sleep(0.02)

    def stop(self) -> None:
        """Ctrl-C to the process group, then SIGTERM, then SIGKILL, ``grace`` s apart at most.

        A server can ignore Ctrl-C (started with SIGINT ignored) or hang before it
        handles signals at all (in its first build): the group ends either way.
        """
        process = self.process
        if process is None:
            return
        for stopping in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if process.poll() is not None:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, stopping)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=self.grace)

    @contextlib.contextmanager
    def running(self, deadline: float, attempts: int = 3) -> Iterator[Address]:
        """The server, started; stopped on leaving, whatever happens (Ctrl-C included).

        A server that hangs in its first build is stopped and started again, up to
        ``attempts`` times in all; each hang is kept in ``hangs`` for the report.
        """
        try:
            for attempt in range(1, attempts + 1):
                try:
                    address = self.start(deadline)
                    break
                except Stalled as hung:
                    self.hangs.append(str(hung).split(":\n", 1)[0])
                    self.stop()
                    if attempt == attempts:
                        raise
            yield address
        finally:
            self.stop()


# ---------------------------------------------------------------------------
# Polling over HTTP.


def fetch(port: int, path: str, timeout: float = 10.0) -> bytes:
    """The body of ``GET path`` from 127.0.0.1:``port`` (b"" when the request fails)."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cache-Control": "no-cache"})
        return connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return b""
    finally:
        connection.close()


def wait_visible(port: int, paths: Sequence[str], word: str, until: float) -> float | None:
    """When every one of ``paths`` showed ``word`` (perf_counter), or None past ``until``."""
    wanted = word.encode("utf-8")
    for path in paths:
        while True:
            asked = time.perf_counter()
            if wanted in fetch(port, path, timeout=max(1.0, until - asked)):
                break
            if time.perf_counter() > until:
                return None
            # Every few ms, but never fetching more than half the time: a brief index of
            # several MB polled back to back would slow the rebuild it is waiting for.
            time.sleep(max(POLL_EVERY, time.perf_counter() - asked))
    return time.perf_counter()


# ---------------------------------------------------------------------------
# The measurement.


@dataclass(frozen=True, slots=True)
class Spread:
    """Median, min and max of a few latencies, in seconds."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread | None:
        if not values:
            return None
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass(slots=True)
class Latency:
    """One server's save-to-visible latencies, seconds, in the order of the edits."""

    name: str
    body: list[float] = field(default_factory=list)
    title: list[float] = field(default_factory=list)
    failure: str | None = None
    hangs: list[str] = field(default_factory=list)
    """Each time the server hung in its first build and was started again."""

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True, slots=True)
class Site:
    """How to find briefs on a server: their files, and a brief id's page."""

    briefs: Sequence[Path]
    """The brief files, sorted; a brief's id is its file name's stem."""
    page: Callable[[str], str]
    """A brief id to its page's path relative to the site (``briefs/ID/``)."""
    index: str = "briefs/"
    """The page that lists the briefs by title."""


def measure_latency(
    server: Server,
    site: Site,
    edits: int,
    *,
    tag: str = "serve",
    start_deadline: float = 300.0,
    deadline: float = 120.0,
    quiet: float = 0.5,
    say: Callable[[str], None] = print,
) -> Latency:
    """``edits`` body edits then ``edits`` title edits, each of another brief, timed.

    The edits stay in the files (each edit is of another brief). The first edit that
    is not visible within ``deadline`` seconds ends the measurement as a failure.
    """
    result = Latency(server.name)
    # A word of this measurement only, so an earlier run's edit in the same files cannot
    # make an edit look visible before the server has done anything.
    tag += f"{time.time_ns() // 1_000_000 % 100_000:05d}"
    try:
        with server.running(start_deadline) as address:
            listed = fetch(address.port, address.url(site.index)).decode("utf-8", "replace")
            # A title shows on the index only if the brief is on it (it may be paged).
            on_index = [b for b in site.briefs if f"{site.page(b.stem)}" in listed]
            if not on_index:
                result.failure = f"no brief is linked from {address.url(site.index)}"
                return result
            plans = [("body", b, edit_body) for b in spread(site.briefs, edits)] + [
                ("title", b, edit_title) for b in spread(on_index, edits, offset=1)
            ]
            for number, (kind, brief, edit) in enumerate(plans, start=1):
                word = marker(tag, kind, number)
                paths = [address.url(site.page(brief.stem))]
                if kind == "title":
                    paths.append(address.url(site.index))
                original = brief.read_text(encoding="utf-8")
                if word in original:
                    raise ValueError(f"{brief.name} already holds the marker {word}")
                text = edit(original, word)
                brief.write_text(text, encoding="utf-8")
                saved = time.perf_counter()
                seen = wait_visible(address.port, paths, word, saved + deadline)
                if seen is None:
                    result.failure = (
                        f"the {kind} edit of {brief.name} was not visible at "
                        f"{' and '.join(paths)} within {deadline:g} s"
                    )
                    return result
                (result.body if kind == "body" else result.title).append(seen - saved)
                say(f"  {server.name}: {kind} edit of {brief.name} visible in {fmt(seen - saved)}")
                server.wait_quiet(saved, quiet, deadline)
    except (RuntimeError, OSError, ValueError) as problem:
        result.failure = " ".join(str(problem).split())[:500]
    finally:
        result.hangs = list(server.hangs)
    return result


def fmt(seconds: float) -> str:
    """``85 ms`` or ``4.58 s``."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
