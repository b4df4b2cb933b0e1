"""``briefgen serve``: the first build, the HTTP server, the watcher and the rebuilds."""

from __future__ import annotations

import contextlib
import errno
import gc
import ipaddress
import shutil
import signal
import socket
import tempfile
import threading
import traceback
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

from tornado import httpserver, ioloop, netutil
from tornado.platform.asyncio import BaseAsyncIOLoop

from ..config import CONFIG_FILE, load_config
from ..errors import BriefgenError, ConfigError, error
from ..headers import NETLIFY_FILE, read_header_rules, theme_header_rules
from ..parallel import default_jobs
from ..rebuild import Rebuild, Rebuilder
from ..render import render_error_page
from .app import MAX_HEAD_BYTES, Preview, make_app
from .indexing import BackgroundIndexer
from .watch import Layout, Watcher


def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets; a port in use is a clear error."""
    try:
        return netutil.bind_sockets(port, host, reuse_port=False)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                [
                    error(
                        "--port",
                        0,
                        0,
                        f"port {port} on {host} is already in use",
                        "stop the other server, choose another --port, or use --port 0",
                    )
                ]
            ) from None
        raise ConfigError(
            [error("--host", 0, 0, f"cannot listen on {host}:{port}: {exc.strerror}")]
        ) from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


FREEZE_MIN = 2000
"""Pages from which the first build's objects are frozen out of the cycle collector."""


class PreviewServer:
    """Everything ``briefgen serve`` runs: first build, HTTP server, watcher, rebuilds."""

    def __init__(
        self,
        project: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        drafts: bool = True,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.project = project.resolve()
        self.host = host
        self.echo = echo
        config = load_config(self.project)
        self.folder = Path(tempfile.mkdtemp(prefix="briefgen-serve-"))
        self.rebuilder = Rebuilder(
            self.project, self.folder / "site", drafts=drafts, search_now=False, keep_fragments=True
        )
        self.building = threading.Lock()
        """Held by each build and rebuild, and by the search indexer while it swaps a bundle in."""
        self.indexer = BackgroundIndexer(self.folder / "site", echo, self.building)
        self.preview = Preview(self.folder / "site", config.urls.base_path, theme_header_rules())
        self._load_headers()
        try:
            self.sockets = bind(host, port)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.port = int(self.sockets[0].getsockname()[1])
        self.preview.listen_on(host, self.port)
        self.watcher = Watcher(self.project, self.rebuild, self.relayout)
        self.http: httpserver.HTTPServer | None = None
        self.content_gone = False
        """True while content/ is missing: the last build stays up, nothing is rebuilt."""

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.preview.base_path}"

    def _report_failure(self, exc: BaseException, title: str, trace: str = "") -> None:
        if isinstance(exc, BriefgenError):
            problems = [d.format() for d in exc.diagnostics]
        else:
            problems = [f"{type(exc).__name__}: {exc}"]
        for line in problems:
            self.echo(line)
        if trace:
            self.echo(trace.rstrip())
        self.preview.show_error(render_error_page(title, problems, trace))
        self.preview.reload_soon("*")

    def _run(self, step: Callable[[], Rebuild]) -> None:
        try:
            with self.building:
                report = step()
        except BriefgenError as exc:
            count = len(exc.diagnostics)
            self._report_failure(exc, f"{count} problem{'s' * (count != 1)} in the last change")
            self.echo(f"build failed; fix and save to reload (serving {self.url})")
            return
        except Exception as exc:  # a bug in briefgen: show it, keep serving
            self._report_failure(exc, "briefgen crashed while building", traceback.format_exc())
            return
        for warning in report.diagnostics:
            self.echo(warning.format())
        self.echo(report.summary())
        if report.search_stale:
            self.indexer.request()
        self._follow_base_url()
        recovered = self.preview.error_html is not None
        self.preview.show_error(None)
        path = "*"
        if report.css_only and not recovered:
            path = "/" + next(c for c in report.changed if c.endswith(".css")).rsplit("/", 1)[-1]
        self.preview.reload_soon(path)

    def _follow_base_url(self) -> None:
        """After a build with a new base_url, serve the site under its new path."""
        config = self.rebuilder.config
        if config is None or config.urls.base_path == self.preview.base_path:
            return
        old = self.preview.base_path
        self.preview.base_path = config.urls.base_path
        self.echo(f"base_url changed: the preview moved from {old} to {self.url}")

    def rebuild(self, changed: Iterable[Path]) -> None:
        """Bring the preview up to date after a burst of changes (runs in the watcher thread)."""
        changed = set(changed)
        if self.project / NETLIFY_FILE in changed:
            self._load_headers(reload=True)
        if self.content_gone:
            return  # the last build stays up; content/'s return rebuilds everything
        paths = {p for p in map(self.rebuilder.absolute, changed) if self.rebuilder.affects_site(p)}
        if paths:
            self._run(lambda: self.rebuilder.update(paths))

    def relayout(self, names: list[str], layout: Layout) -> None:
        """A source appeared, vanished or was replaced (runs in the watcher thread)."""
        if NETLIFY_FILE in names:
            self._load_headers(reload=True)
        shown = [name if name == CONFIG_FILE else f"{name}/" for name in names]
        shown = [name for name in shown if name != NETLIFY_FILE]
        if not shown:
            return
        if not layout.has("content"):
            if not self.content_gone:
                self.content_gone = True
                self.echo("content/ is gone: showing the last good build until it is back")
            return
        if self.content_gone:
            self.content_gone = False
            self.echo("content/ is back: rebuilding everything")
        self._run(lambda: self.rebuilder.full(shown))

    def _load_headers(self, *, reload: bool = False) -> None:
        """Read the headers production sends; on a mistake, say so and keep the last good ones."""
        try:
            self.preview.headers = read_header_rules(self.project)
        except ConfigError as exc:
            for diagnostic in exc.diagnostics:
                self.echo(diagnostic.format())
            kept = "the ones it had" if reload else "the theme's defaults"
            self.echo(f"{NETLIFY_FILE} has problems: the preview sends {kept} until they are fixed")
            return
        if reload:
            self.echo(f"{NETLIFY_FILE} changed: the preview sends its new headers")
            self.preview.reload_soon("*")

    def start(self, open_browser: bool = False) -> None:
        """First build, then listen and watch. Returns at once; the caller runs the event loop."""
        # The first build may fork workers: no other thread runs yet. Later rebuilds run
        # beside the event loop's thread, where forking is unsafe, so they use one process.
        self.rebuilder.jobs = default_jobs()
        self._run(lambda: self.rebuilder.full())
        self.rebuilder.jobs = 1
        if len(self.rebuilder.deps) >= FREEZE_MIN:
            # The first build leaves millions of long-lived objects; a full collection
            # walking them all paused a rebuild for 0.8 s at 10,000 briefs. Frozen, they
            # are left out of collections; what later rebuilds drop is still freed.
            gc.freeze()
        self.preview.loop = ioloop.IOLoop.current()
        self.http = httpserver.HTTPServer(make_app(self.preview), max_header_size=MAX_HEAD_BYTES)
        self.http.add_sockets(self.sockets)
        self.watcher.start()
        self.indexer.start()
        if not is_loopback(self.host):
            self.echo(
                f"warning: listening on {self.host}, not only this machine: "
                "anyone who can reach it can read the drafts"
            )
        self.echo(f"serving {self.url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(self.url)

    def close(self) -> None:
        """Stop watching and serving, and remove the temporary folder."""
        self.watcher.stop()
        if self.watcher.is_alive():
            self.watcher.join(timeout=5)
        self.indexer.stop()
        if self.indexer.is_alive():
            self.indexer.join(timeout=5)
        if self.http is not None:
            self.http.stop()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def serve(
    project: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    drafts: bool = True,
    open_browser: bool = False,
    echo: Callable[[str], None] = print,
) -> None:
    """Run the preview until Ctrl-C (or SIGTERM), then clean up."""
    server = PreviewServer(project, host=host, port=port, drafts=drafts, echo=echo)
    loop = ioloop.IOLoop.current()
    asyncio_loop = cast(BaseAsyncIOLoop, loop).asyncio_loop
    previous = signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    try:
        server.start(open_browser)
        # The kernel hands a signal to any thread, often one of watchfiles'; Python's own
        # handler then waits for the main thread to wake, which an idle event loop never
        # does. asyncio's handlers wake it through its own pipe, whichever thread is hit.
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            asyncio_loop.add_signal_handler(stop_signal, loop.stop)
        loop.start()
    except KeyboardInterrupt:  # Ctrl-C during the first build
        pass
    finally:
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            asyncio_loop.remove_signal_handler(stop_signal)
        # A second Ctrl-C must not cut the clean-up short and leave the folder behind.
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, previous)
        try:
            server.close()
        finally:
            signal.signal(signal.SIGINT, interrupt)
        echo("stopped")
