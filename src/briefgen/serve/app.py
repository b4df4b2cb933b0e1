"""The preview's tornado application: the site, livereload's script and socket, and whom it answers.

The only module that imports livereload (and, with server.py, tornado, which it runs on).
"""

from __future__ import annotations

import html.parser
import ipaddress
from html import escape
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.handlers import StaticFileHandler as LiveStaticFileHandler
from livereload.server import LiveScriptInjector
from tornado import httputil, ioloop, web
from tornado.escape import url_unescape

from ..headers import HeaderRules, preview_policy

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
        """The path the site is served under: base_url's; replaced when a build with a
        new base_url succeeds (one string, swapped at once)."""
        self.headers = headers
        """The site's production headers (netlify.toml's), replaced when the file changes."""
        self.error_page: tuple[str, tuple[str, ...]] | None = None
        """When set, every page request gets this error page instead, with its inline
        stylesheets (which its policy allows by hash); one value, swapped at once."""
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

    @property
    def error_html(self) -> str | None:
        return None if self.error_page is None else self.error_page[0]

    def show_error(self, html: str | None) -> None:
        """Serve this error page in place of every page (None: serve the site again)."""
        self.error_page = None if html is None else (html, _inline_styles(html))

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
        if request.path in ("/livereload", "/livereload.js"):
            return super().find_handler(request, **kwargs)
        # The site's routes are chosen here, not by fixed rules: base_url may change
        # while the server runs, and the site is then served under its new path at once.
        base = preview.base_path
        if request.path.startswith(base):
            rest = url_unescape(request.path[len(base) :], encoding=None, plus=False)
            files = {"path": str(preview.out), "default_filename": "index.html"}
            return self.get_handler_delegate(request, _SiteFiles, files, path_args=[rest])
        if base != "/" and request.path == "/":
            return self.get_handler_delegate(request, _Redirect, {"url": base})
        text = f"this preview serves the site under {base}"
        return self.get_handler_delegate(request, _Refusal, {"status": 404, "text": text})


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
        error_page = self.preview.error_page
        if error_page is not None and _is_page(path):
            page, styles = error_page
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_site_headers(styles)
            self.finish(page)
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
    """The tornado application: livereload's socket and script, and the site under its base path.

    The site's own routes follow ``preview.base_path`` request by request (see
    ``_PreviewApp.find_handler``).
    """
    handlers: list[Any] = [
        (r"/livereload", _ReloadSocket, {"preview": preview}),
        (r"/livereload\.js", _ReloadScript),
    ]
    return _PreviewApp(preview, handlers, transforms=[_Injector], log_function=_quiet_log)
