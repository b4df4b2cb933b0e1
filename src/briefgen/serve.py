"""The preview server: build into a temporary folder, watch the project, reload open pages.

The only module that imports livereload (and tornado, which it runs on).
livereload does what it does well: serve files, inject its script into pages
and tell them to reload over its WebSocket. We own the rest, because the
package's own server has faults writers would feel: it polls every file every
800 ms, rebuilds once per saved file, drops a change that comes within 3 s of a
reload, runs builds on its event loop (pages hang meanwhile), only logs
exceptions, and accepts WebSocket connections from any origin. Here,
``watchfiles`` (inotify) notices changes in a thread, a burst of saves becomes
one rebuild, the build runs in that thread, and only the reload message goes
through the event loop. A failed build replaces every open page with an error
page until the writer fixes it.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import re
import shutil
import signal
import socket
import tempfile
import threading
import traceback
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.handlers import StaticFileHandler as LiveStaticFileHandler
from livereload.server import LiveScriptInjector
from tornado import httpserver, ioloop, netutil, web

from .config import CONFIG_FILE, load_config
from .errors import BriefgenError, ConfigError, error
from .parallel import default_jobs
from .rebuild import Rebuild, Rebuilder
from .render import THEME, render_error_page

DEBOUNCE_MS = 50
"""A burst of saves closer together than this becomes one rebuild."""
MAX_WAIT_MS = 400
"""The longest a rebuild waits for a burst to end."""

# What is injected into every page: load livereload.js from this server, on whatever
# host and port it was reached (livereload.js then opens its WebSocket there).
_SCRIPT = (
    b"<script>(function(){var s=document.createElement('script');"
    b"var p=window.location.port||(window.location.protocol=='https:'?443:80);"
    b"s.src='//'+window.location.hostname+':'+p+'/livereload.js?port='+p;"
    b"document.head.appendChild(s);})();</script>"
)


class Preview:
    """The state one preview server shares between its watcher thread and its event loop."""

    def __init__(self, out: Path, base_path: str) -> None:
        self.out = out
        self.base_path = base_path
        self.error_html: str | None = None
        """When set, every page request gets this error page instead."""
        self.waiters: set[_ReloadSocket] = set()
        self.loop: ioloop.IOLoop | None = None

    def reload(self, path: str = "*") -> None:
        """Tell open pages to reload (or, for a stylesheet, to swap it). Event loop only."""
        message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for waiter in list(self.waiters):
            try:
                waiter.write_message(message)
            except Exception:  # a closed socket: forget it
                self.waiters.discard(waiter)

    def reload_soon(self, path: str = "*") -> None:
        """Ask the event loop to reload pages; safe to call from any thread."""
        if self.loop is not None:
            self.loop.add_callback(self.reload, path)


class _ReloadSocket(LiveReloadHandler):  # type: ignore[misc]
    """livereload's WebSocket, accepting only pages served by this server."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def check_origin(self, origin: str) -> bool:
        return bool(urlsplit(origin).netloc == self.request.host)

    def on_message(self, message: Any) -> None:
        super().on_message(message)
        # livereload keeps its sockets in one class-wide set; keep ours per server.
        if self in LiveReloadHandler.waiters:
            LiveReloadHandler.waiters.discard(self)
            self.preview.waiters.add(self)

    def on_close(self) -> None:
        self.preview.waiters.discard(self)
        super().on_close()


class _SiteFiles(LiveStaticFileHandler):  # type: ignore[misc]
    """Serves the output folder and nothing outside it; shows the error page while a build fails."""

    def initialize(self, path: str, default_filename: str, preview: Preview) -> None:
        super().initialize(path=path, default_filename=default_filename)
        self.preview = preview

    async def get(self, path: str, include_body: bool = True) -> None:
        if self.preview.error_html is not None and _is_page(path):
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.preview.error_html)
            return
        await super().get(path, include_body)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        # Anything that leaves the folder is "not found", whether by "..",
        # an absolute path or a symlink: resolve first, then compare.
        real_root = Path(root).resolve()
        real = Path(root, path).resolve()
        if real != real_root and real_root not in real.parents:
            raise web.HTTPError(404)
        result: str = super().get_absolute_path(root, path)
        return result

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        not_found = self.preview.out / "404.html"
        if status_code == 404 and not_found.is_file():
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(not_found.read_bytes())
            return
        super().write_error(status_code, **kwargs)


def _is_page(path: str) -> bool:
    """True for a request that would return an HTML page."""
    name = path.rsplit("/", 1)[-1]
    return name == "" or name.endswith(".html") or "." not in name


class _Injector(LiveScriptInjector):  # type: ignore[misc]
    script = _SCRIPT


def make_app(preview: Preview) -> web.Application:
    """The tornado application: livereload's socket and script, and the site under its base path."""
    base = preview.base_path
    handlers: list[Any] = [
        (r"/livereload", _ReloadSocket, {"preview": preview}),
        (r"/livereload\.js", LiveReloadJSHandler),
        (
            rf"{re.escape(base)}(.*)",
            _SiteFiles,
            {"path": str(preview.out), "default_filename": "index.html", "preview": preview},
        ),
    ]
    if base != "/":
        handlers.append((r"/", web.RedirectHandler, {"url": base}))
    return web.Application(handlers, transforms=[_Injector])


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


def watched_paths(project: Path) -> list[Path]:
    """What a change to means a rebuild: the config, content, templates, static files, the theme."""
    candidates = [
        project / CONFIG_FILE,
        project / "content",
        project / "templates",
        project / "static",
        THEME,
    ]
    return [p for p in candidates if p.exists()]


class Watcher(threading.Thread):
    """Watches the project with inotify (through watchfiles) and hands each burst of changes on."""

    def __init__(self, paths: list[Path], on_changes: Callable[[set[Path]], None]) -> None:
        super().__init__(name="briefgen-watcher", daemon=True)
        self.paths = paths
        self.on_changes = on_changes
        self.stop_event = threading.Event()

    def run(self) -> None:
        for changes in watchfiles.watch(
            *self.paths,
            debounce=MAX_WAIT_MS,
            step=DEBOUNCE_MS,
            stop_event=self.stop_event,
            rust_timeout=1000,
            raise_interrupt=False,
            # No filter of watchfiles' own: which files count is decided by the same rule
            # as the build's (Rebuilder.affects_site), so the preview sees what a build sees.
            watch_filter=None,
        ):
            self.on_changes({Path(path) for _, path in changes})

    def stop(self) -> None:
        self.stop_event.set()


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
        self.rebuilder = Rebuilder(self.project, self.folder / "site", drafts=drafts)
        self.preview = Preview(self.folder / "site", config.urls.base_path)
        try:
            self.sockets = bind(host, port)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.port = int(self.sockets[0].getsockname()[1])
        self.watcher = Watcher(watched_paths(self.project), self.rebuild)
        self.http: httpserver.HTTPServer | None = None

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
        self.preview.error_html = render_error_page(title, problems, trace)
        self.preview.reload_soon("*")

    def _run(self, step: Callable[[], Rebuild]) -> None:
        try:
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
        recovered = self.preview.error_html is not None
        self.preview.error_html = None
        path = "*"
        if report.css_only and not recovered:
            path = "/" + next(c for c in report.changed if c.endswith(".css")).rsplit("/", 1)[-1]
        self.preview.reload_soon(path)

    def rebuild(self, changed: Iterable[Path]) -> None:
        """Bring the preview up to date after a burst of changes (runs in the watcher thread)."""
        paths = {p for p in changed if self.rebuilder.affects_site(p.resolve())}
        if paths:
            self._run(lambda: self.rebuilder.update(paths))

    def start(self, open_browser: bool = False) -> None:
        """First build, then listen and watch. Returns at once; the caller runs the event loop."""
        # The first build may fork workers: no other thread runs yet. Later rebuilds run
        # beside the event loop's thread, where forking is unsafe, so they use one process.
        self.rebuilder.jobs = default_jobs()
        self._run(lambda: self.rebuilder.full())
        self.rebuilder.jobs = 1
        self.preview.loop = ioloop.IOLoop.current()
        self.http = httpserver.HTTPServer(make_app(self.preview))
        self.http.add_sockets(self.sockets)
        self.watcher.start()
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
    previous = signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    try:
        server.start(open_browser)
        loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave the folder behind.
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, previous)
        try:
            server.close()
        finally:
            signal.signal(signal.SIGINT, interrupt)
        echo("stopped")
