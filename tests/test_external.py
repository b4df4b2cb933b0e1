"""External link checking, only ever against a server this test starts on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefgen.config import CheckConfig
from briefgen.external import ExternalChecker

from .conftest import Project


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, body: bool) -> None:
        server = self.server
        path = self.path
        with server.lock:
            server.hits[path] += 1
            hits = server.hits[path]
            server.active += 1
            server.peak = max(server.peak, server.active)
        try:
            status, headers = 200, {}
            if path == "/moved":
                status, headers = 301, {"Location": "/ok"}
            elif path == "/missing":
                status = 404
            elif path == "/gone":
                status = 410
            elif path == "/busy" and hits == 1:
                status, headers = 429, {"Retry-After": "1"}
            elif path == "/flaky" and hits == 1:
                status = 500
            elif path == "/down":
                status = 503
            elif path == "/slow":
                time.sleep(1.5)
            elif path == "/no-head" and not body:
                status = 405
            elif path.startswith("/delay"):
                time.sleep(0.3)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            if body:
                self.wfile.write(b"ok")
        finally:
            with server.lock:
                server.active -= 1

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0

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


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


FAST = CheckConfig(timeout=0.5, retries=2, concurrency=8, per_host=2)


def test_each_kind_of_answer(server: _Server, tmp_path: Path) -> None:
    base = server.base
    dead = f"http://127.0.0.1:{closed_port()}/"
    urls = [
        f"{base}/{p}"
        for p in ("ok", "moved", "missing", "gone", "busy", "flaky", "slow", "no-head", "down")
    ]
    started = time.monotonic()
    results = ExternalChecker(FAST, tmp_path / "links.json").check([*urls, dead])
    found = {url.rsplit("/", 1)[-1] or "closed": (r.ok, r.reason) for url, r in results.items()}
    assert found == {
        "ok": (True, "ok"),
        "moved": (True, "ok"),
        "missing": (False, "HTTP 404"),
        "gone": (False, "HTTP 410"),
        "busy": (True, "ok"),
        "flaky": (True, "ok"),
        "slow": (False, "timed out after 0.5 s"),
        "no-head": (True, "ok"),
        "down": (False, "HTTP 503"),
        "closed": (False, "connection refused"),
    }
    assert results[f"{base}/moved"].final_url == f"{base}/ok"
    assert results[f"{base}/moved"].permanent
    # Retry-After was honoured: the second try of /busy came at least a second later.
    assert server.hits["/busy"] == 2
    assert server.hits["/flaky"] == 2
    assert server.hits["/down"] == 3, "503 is tried again, retries times"
    assert server.hits["/missing"] == 2, "HEAD, then GET to confirm"
    assert time.monotonic() - started >= 1.0
    assert time.monotonic() - started < 20


def test_per_host_limit(server: _Server) -> None:
    urls = [f"{server.base}/delay{i}" for i in range(8)]
    results = ExternalChecker(CheckConfig(per_host=2, concurrency=8, timeout=5)).check(urls)
    assert all(r.ok for r in results.values())
    assert server.peak <= 2


def test_cache_keeps_good_links_only(server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "links.json"
    urls = [f"{server.base}/ok", f"{server.base}/gone"]
    ExternalChecker(FAST, cache).check(urls)
    ExternalChecker(FAST, cache).check(urls)
    assert server.hits["/ok"] == 1, "a good link is taken from the cache the second time"
    assert server.hits["/gone"] == 4, "a broken link is checked again (HEAD and GET, twice)"
    expired = CheckConfig(timeout=0.5, retries=0, cache_hours=0)
    ExternalChecker(expired, cache).check(urls)
    assert server.hits["/ok"] == 2


def test_skip_patterns(server: _Server) -> None:
    settings = CheckConfig(skip=(r"/missing$",), timeout=0.5, retries=0)
    results = ExternalChecker(settings).check([f"{server.base}/missing", f"{server.base}/ok"])
    assert list(results) == [f"{server.base}/ok"]
    assert server.hits["/missing"] == 0


def test_gone_source_names_the_source_file(project: Project, server: _Server) -> None:
    path = "content/sources/ft-2017-01-17.md"
    text = (project.root / path).read_text()
    project.write(
        path,
        text.replace(
            "published: 2017-01-17\n", f"published: 2017-01-17\nurl: {server.base}/gone\n"
        ),
    )
    project.write("briefgen.toml", 'title = "T"\n[check]\ntimeout = 1\nretries = 0\n')
    assert project.cli("build").exit_code == 0
    result = project.cli("check", "--external")
    assert result.exit_code == 1
    assert (
        f"content/sources/ft-2017-01-17.md:5:6: error: broken link to {server.base}/gone (HTTP 410)"
        in result.stderr
    )
    assert result.stderr.count("content/sources/ft-2017-01-17.md:5:6") == 1, (
        "said once, not per page"
    )
    assert (project.root / ".briefgen-cache" / "links.json").is_file()


def test_works_inside_a_running_event_loop(server: _Server) -> None:
    import asyncio

    async def inside() -> bool:
        results = ExternalChecker(FAST).check([f"{server.base}/ok"])
        return results[f"{server.base}/ok"].ok

    # The loop runs on a thread of the test's own: this one may already have one
    # (Playwright's, when browser tests share the worker).
    found: list[bool] = []
    thread = threading.Thread(target=lambda: found.append(asyncio.run(inside())))
    thread.start()
    thread.join(timeout=30)
    assert found == [True]
