"""check --external: the site's own absolute URLs are checked on disk, never fetched; a dead
external link is reported once per place it was written. Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from .conftest import Project


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        with self.server.lock:
            self.server.paths.append(self.path)
        self.send_response(410 if self.path == "/gone" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.paths: list[str] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    instance = _Server()
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()


def set_up(project: Project, base_url: str, source_url: str) -> None:
    """The site at base_url; the Haaretz source (cited by both briefs) at source_url."""
    project.write(
        "briefgen.toml",
        f'title = "T"\nbase_url = "{base_url}"\n[check]\ntimeout = 1\nretries = 0\n',
    )
    path = "content/sources/haaretz-2017-01-17.md"
    text = (project.root / path).read_text()
    project.write(path, text.replace("reliability: B\n", f"reliability: B\nurl: {source_url}\n"))


def test_own_urls_are_checked_on_disk_and_a_dead_source_is_said_once(
    project: Project, server: _Server
) -> None:
    set_up(project, f"{server.base}/vienna/", f"{server.base}/gone")
    brief = "content/briefs/sanctions.md"
    text = (project.root / brief).read_text()
    project.write(brief, text + f"\nSee [the old page]({server.base}/vienna/briefs/astana/).\n")
    assert project.cli("build").exit_code == 0
    canonical = f'<link rel="canonical" href="{server.base}/vienna/briefs/invitation/">'
    assert canonical in project.page("briefs/invitation/index.html")

    result = project.cli("check", "--external")
    assert result.exit_code == 1
    assert [p for p in server.paths if p.startswith("/vienna")] == [], "own pages are not fetched"
    assert "/gone" in server.paths, "the source on another path of the same host is fetched"
    assert result.stderr.splitlines() == [
        f"briefs/sanctions/index.html: broken link to {server.base}/vienna/briefs/astana/ (no such file)",
        f"content/briefs/sanctions.md:10:20: error: broken link to {server.base}/vienna/briefs/astana/ (no such file)",
        f"sources/haaretz-2017-01-17/index.html and 2 other pages: broken link to {server.base}/gone (HTTP 410)",
        f"content/sources/haaretz-2017-01-17.md:7:6: error: broken link to {server.base}/gone (HTTP 410)",
    ]
    assert result.stdout.endswith(": 2 broken, 0 warnings\n")

    report = json.loads(project.cli("check", "--external", "--format", "json").stdout)
    (gone,) = [p for p in report["broken"] if p["external"]]
    assert gone["page"] == "sources/haaretz-2017-01-17/index.html"
    assert gone["other_pages"] == ["briefs/invitation/index.html", "briefs/sanctions/index.html"]


def test_an_unreachable_base_url_is_never_fetched(
    project: Project, server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(project, "https://example.org/vienna/", f"{server.base}/ok")
    sent: list[str] = []
    send = httpx.AsyncHTTPTransport.handle_async_request

    async def recording(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> Any:
        sent.append(str(request.url))
        if request.url.host != "127.0.0.1":
            raise httpx.ConnectError("this test reaches 127.0.0.1 only", request=request)
        return await send(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", recording)
    assert project.cli("build").exit_code == 0
    assert '<link rel="canonical" href="https://example.org/vienna/">' in project.page("index.html")
    result = project.cli("check", "--external")
    assert result.exit_code == 0, result.output
    assert sent == [f"{server.base}/ok"], "only the source's own URL left the machine"
    assert "and 1 external URLs: 0 broken" in result.stdout
