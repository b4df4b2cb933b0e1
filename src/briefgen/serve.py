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
import html.parser
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
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.handlers import StaticFileHandler as LiveStaticFileHandler
from livereload.server import LiveScriptInjector
from tornado import httpserver, httputil, ioloop, netutil, web

from .config import CONFIG_FILE, load_config
from .errors import BriefgenError, ConfigError, error
from .headers import (
    NETLIFY_FILE,
    THEME_HEADERS,
    HeaderRules,
    parse_header_rules,
    preview_policy,
    read_header_rules,
)
from .parallel import default_jobs
from .rebuild import Rebuild, Rebuilder
from .render import THEME, render_error_page

DEBOUNCE_MS = 50
"""A burst of saves closer together than this becomes one rebuild."""
MAX_WAIT_MS = 400
"""The longest a rebuild waits for a burst to end."""
POLL_MS = 300
"""How often the watcher looks whether a watched folder appeared, vanished or was replaced."""
MAX_PATH = 8192
"""Longer request paths get 414: no page of a site has one."""
MAX_HEAD_BYTES = 256 * 1024
"""Request heads up to this size get an answer (tornado drops longer ones without a word)."""

# What is injected into every page: livereload.js from this server, told the host and port
# it was reached on (it opens its WebSocket there). A file, not an inline script, so the
# site's Content-Security-Policy need not allow inline scripts.
_SCRIPT = '<script src="/livereload.js?port={port}&amp;host={host}"></script>'


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values this server answers: its loopback names and ``--host``, with the port."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host}
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:  # browsers leave the default port out
        hosts |= names
    return frozenset(h.lower() for h in hosts)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


class Preview:
    """The state one preview server shares between its watcher thread and its event loop."""

    def __init__(self, out: Path, base_path: str, headers: HeaderRules) -> None:
        self.out = out
        self.base_path = base_path
        self.headers = headers
        """The site's production headers (netlify.toml's), replaced when the file changes."""
        self.error_html: str | None = None
        """When set, every page request gets this error page instead."""
        self.error_styles: tuple[str, ...] = ()
        """The error page's inline stylesheets, which its policy allows by hash."""
        self.waiters: set[_ReloadSocket] = set()
        self.loop: ioloop.IOLoop | None = None
        self.port = 0
        self.hosts: frozenset[str] = frozenset()
        """Every ``Host`` header this server answers (see ``allows``)."""
        self.any_address = False
        """True when listening on 0.0.0.0 or ::, where any IP address may reach it."""

    def listen_on(self, host: str, port: int) -> None:
        self.port = port
        self.hosts = allowed_hosts(host, port)
        self.any_address = _is_ip(host) and ipaddress.ip_address(host).is_unspecified

    def allows(self, netloc: str) -> bool:
        """True for a ``Host`` (or an Origin's host) this server was started for.

        Any other name may be a DNS-rebinding page: a name that its owner points at
        127.0.0.1, so that the browser treats this server as the attacker's site.
        An IP address cannot be rebound, so on 0.0.0.0 any IP with the port is fine.
        """
        netloc = netloc.lower()
        if netloc in self.hosts:
            return True
        if not self.any_address:
            return False
        name, port = httputil.split_host_and_port(netloc)
        return (port or 80) == self.port and _is_ip(name)

    def show_error(self, html: str | None) -> None:
        """Serve this error page in place of every page (None: serve the site again)."""
        self.error_styles = () if html is None else _inline_styles(html)
        self.error_html = html

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


class _StyleText(html.parser.HTMLParser):
    """Collects the text of every ``<style>`` element of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.styles: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._inside = True
            self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = self._inside and tag != "style"

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.styles[-1] += data


def _inline_styles(page: str) -> tuple[str, ...]:
    # The error page is the preview's own, rendered by render.py; the stdlib's parser
    # reads it here because selectolax belongs to the link checker.
    parser = _StyleText()
    parser.feed(page)
    parser.close()
    return tuple(parser.styles)


class _PreviewApp(web.Application):
    """Answers only the host names it was started for, and only sensible paths."""

    def __init__(self, preview: Preview, handlers: list[Any], **settings: Any) -> None:
        self.preview = preview
        super().__init__(handlers, **settings)

    def find_handler(self, request: httputil.HTTPServerRequest, **kwargs: Any) -> Any:
        preview = self.preview
        if not preview.allows(request.host):
            names = ", ".join(sorted(preview.hosts, key=lambda h: (not h.startswith("127."), h)))
            message = f"this preview server answers only to {names}"
            return self.get_handler_delegate(request, _Refusal, {"status": 421, "text": message})
        if len(request.path) > MAX_PATH:
            text = f"paths longer than {MAX_PATH} characters are refused"
            return self.get_handler_delegate(request, _Refusal, {"status": 414, "text": text})
        return super().find_handler(request, **kwargs)


def _quiet_log(handler: web.RequestHandler) -> None:
    """Requests are not logged: the terminal is for the writer's build messages."""


class _PreviewHandler(web.RequestHandler):
    """What every answer of the preview carries: the site's headers, adapted to the preview."""

    @property
    def preview(self) -> Preview:
        return cast(_PreviewApp, self.application).preview

    def set_default_headers(self) -> None:
        # Called again when an error clears the headers, so 404s carry them too.
        self.set_header("Cache-Control", "no-store")
        self.set_site_headers()

    def set_site_headers(self, inline_styles: tuple[str, ...] = ()) -> None:
        """The production headers of this path, the policy adapted to the preview."""
        path = self.request.path
        base = self.preview.base_path
        site_path = "/" + path[len(base) :] if path.startswith(base) else path
        origin = f"http://{self.request.host}"
        for name, value in self.preview.headers.for_preview(site_path).items():
            if name.lower() == "content-security-policy":
                value = preview_policy(value, origin, inline_styles=inline_styles)
            self.set_header(name, value)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # A refused request is answered; only a bug (not an HTTPError) is worth a traceback.
        if not isinstance(value, web.HTTPError):
            super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(f"{status_code} {self._reason}\n")


class _Refusal(_PreviewHandler):
    """A short plain answer to a request this server will not serve."""

    def initialize(self, status: int, text: str) -> None:
        self.status = status
        self.text = text

    def prepare(self) -> None:
        self.set_status(self.status)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(f"{self.status} {self._reason}: {self.text}\n")


class _ReloadScript(_PreviewHandler, LiveReloadJSHandler):  # type: ignore[misc]
    """livereload.js, with the site's headers."""


class _Redirect(_PreviewHandler, web.RedirectHandler):
    """From / to a sub-path base, with the site's headers."""


class _ReloadSocket(LiveReloadHandler):  # type: ignore[misc]
    """livereload's WebSocket, accepting only pages served by this server."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def check_origin(self, origin: str) -> bool:
        # The Host was checked before this handler was chosen; the Origin names the page
        # that opens the socket, and must be one of ours too.
        parts = urlsplit(origin)
        return parts.scheme == "http" and self.preview.allows(parts.netloc)

    def on_message(self, message: Any) -> None:
        super().on_message(message)
        # livereload keeps its sockets in one class-wide set; keep ours per server.
        if self in LiveReloadHandler.waiters:
            LiveReloadHandler.waiters.discard(self)
            self.preview.waiters.add(self)

    def on_close(self) -> None:
        self.preview.waiters.discard(self)
        super().on_close()


class _SiteFiles(_PreviewHandler, LiveStaticFileHandler):  # type: ignore[misc]
    """Serves the output folder and nothing outside it; shows the error page while a build fails."""

    async def get(self, path: str, include_body: bool = True) -> None:
        if "\x00" in path:  # no file has a NUL in its name
            raise web.HTTPError(404)
        error_html = self.preview.error_html
        if error_html is not None and _is_page(path):
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_site_headers(self.preview.error_styles)
            self.finish(error_html)
            return
        served = super().get(path, include_body)
        if served is not None:
            await served

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        # Anything that leaves the folder is "not found", whether by "..",
        # an absolute path or a symlink: resolve first, then compare.
        real_root = Path(root).resolve()
        try:
            real = Path(root, path).resolve()
        except (OSError, ValueError):  # a name too long, a NUL, a symlink loop
            raise web.HTTPError(404) from None
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
    """Adds the reload script to every HTML answer, pointing it at the host it came from."""

    def __init__(self, request: httputil.HTTPServerRequest) -> None:
        super().__init__(request)
        # The Host was checked against this server's names before any handler ran.
        host, port = httputil.split_host_and_port(request.host.lower())
        tag = _SCRIPT.format(port=port or 80, host=escape(host))
        self.script = tag.encode("ascii")


def make_app(preview: Preview) -> web.Application:
    """The tornado application: livereload's socket and script, and the site under its base path."""
    base = preview.base_path
    handlers: list[Any] = [
        (r"/livereload", _ReloadSocket, {"preview": preview}),
        (r"/livereload\.js", _ReloadScript),
        (
            rf"{re.escape(base)}(.*)",
            _SiteFiles,
            {"path": str(preview.out), "default_filename": "index.html"},
        ),
    ]
    if base != "/":
        handlers.append((r"/", _Redirect, {"url": base}))
    not_here = f"this preview serves the site under {base}"
    return _PreviewApp(
        preview,
        handlers,
        transforms=[_Injector],
        log_function=_quiet_log,
        default_handler_class=_Refusal,
        default_handler_args={"status": 404, "text": not_here},
    )


def _theme_headers() -> HeaderRules:
    """The headers the theme is made for, sent when a project has no netlify.toml."""
    return parse_header_rules(THEME_HEADERS.read_text(encoding="utf-8"), "theme defaults")


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
        self.preview = Preview(self.folder / "site", config.urls.base_path, _theme_headers())
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
        self.preview.show_error(None)
        path = "*"
        if report.css_only and not recovered:
            path = "/" + next(c for c in report.changed if c.endswith(".css")).rsplit("/", 1)[-1]
        self.preview.reload_soon(path)

    def rebuild(self, changed: Iterable[Path]) -> None:
        """Bring the preview up to date after a burst of changes (runs in the watcher thread)."""
        changed = set(changed)
        if self.project / NETLIFY_FILE in changed:
            self._load_headers(reload=True)
        if self.content_gone:
            return  # the last build stays up; content/'s return rebuilds everything
        paths = {p for p in changed if self.rebuilder.affects_site(p.resolve())}
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
        self.preview.loop = ioloop.IOLoop.current()
        self.http = httpserver.HTTPServer(make_app(self.preview), max_header_size=MAX_HEAD_BYTES)
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
