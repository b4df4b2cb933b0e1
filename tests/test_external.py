"""External link checking, only ever against a server this test starts on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
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
            elif path == "/busy-long":
                status, headers = 429, {"Retry-After": "100000"}
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
            elif path.startswith("/sleep"):
                time.sleep(1.0)
            elif path == "/to-javascript":
                status, headers = 302, {"Location": "javascript:alert(1)"}
            elif path == "/to-mailto":
                status, headers = 302, {"Location": "mailto:desk@example.org"}
            elif path == "/no-location":
                status = 302
            elif path == "/loop-a":
                status, headers = 302, {"Location": "/loop-b"}
            elif path == "/loop-b":
                status, headers = 302, {"Location": "/loop-a"}
            elif path == "/bad-request":
                status = 400
            elif path == "/not-implemented" and not body:
                status = 501
            elif path in ("/trickle-body", "/huge") and not body:
                status = 405  # so that the checker asks again with GET
            elif path == "/trickle-body":
                self._trickle_body()
                return
            elif path == "/huge":
                self._huge_body()
                return
            elif path == "/trickle-head":
                self._trickle_head()
                return
            elif path == "/hang-up":
                self.close_connection = True
                return  # no answer at all
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

    # Each misbehaviour ends by itself (a few seconds at most), whatever the client does.
    def _trickle_body(self) -> None:
        """A status line at once, then a body of one byte every 50 ms."""
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(60):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)

    def _trickle_head(self) -> None:
        """The status line, then a header line every 100 ms: each read is quick, the answer never."""
        with contextlib.suppress(OSError):
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for i in range(30):
                self.wfile.write(f"X-Slow-{i}: still here\r\n".encode())
                self.wfile.flush()
                time.sleep(0.1)

    def _huge_body(self) -> None:
        """A 256 MB body, counting what actually left the server."""
        chunk = b"x" * 65536
        self.send_response(200)
        self.send_header("Content-Length", str(len(chunk) * 4096))
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(4096):
                self.wfile.write(chunk)
                with self.server.lock:
                    self.server.sent += len(chunk)

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
        self.sent = 0
        """Bytes of the huge body written so far."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def _serving() -> Iterator[_Server]:
    instance = _Server()
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    try:
        yield instance
    finally:
        instance.shutdown()
        instance.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    with _serving() as instance:
        yield instance


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


NO_RETRY = CheckConfig(timeout=0.5, retries=0)
# For counting requests: a generous timeout, so that a busy machine does not add retries.
PATIENT = CheckConfig(timeout=5, retries=2)


def test_redirects_to_other_schemes_are_broken_links_not_crashes(server: _Server) -> None:
    urls = [f"{server.base}/to-javascript", f"{server.base}/to-mailto", f"{server.base}/ok"]
    results = ExternalChecker(PATIENT).check(urls)
    assert (results[urls[0]].ok, results[urls[0]].reason) == (
        False,
        "redirects to 'javascript:alert(1)', which is not an http(s) URL",
    )
    assert (results[urls[1]].ok, results[urls[1]].reason) == (
        False,
        "redirects to 'mailto:desk@example.org', which is not an http(s) URL",
    )
    assert results[urls[2]].ok, "the other URLs of the run are still checked"
    assert server.hits["/to-javascript"] == 2, "HEAD, then GET to confirm; never tried again"


def test_a_redirect_without_location_is_broken(server: _Server) -> None:
    url = f"{server.base}/no-location"
    result = ExternalChecker(PATIENT).check([url])[url]
    assert (result.ok, result.reason) == (False, "HTTP 302 without a Location header")
    assert server.hits["/no-location"] == 2, "HEAD, then GET; not tried again"


def test_a_redirect_loop_is_one_failure(server: _Server) -> None:
    url = f"{server.base}/loop-a"
    result = ExternalChecker(PATIENT).check([url])[url]
    assert (result.ok, result.reason) == (
        False,
        f"too many redirects (a loop back to {server.base}/loop-a)",
    )
    # a, b, a, b for HEAD and again for GET; before, httpx went round 20 times, 3 tries of it.
    assert server.hits["/loop-a"] + server.hits["/loop-b"] == 8


def test_a_400_is_not_tried_again(server: _Server) -> None:
    url = f"{server.base}/bad-request"
    result = ExternalChecker(PATIENT).check([url])[url]
    assert (result.ok, result.reason) == (False, "HTTP 400")
    assert server.hits["/bad-request"] == 2, "HEAD, then GET; retries are for 429, 5xx, timeouts"


def test_a_501_to_head_is_asked_again_with_get(server: _Server) -> None:
    url = f"{server.base}/not-implemented"
    result = ExternalChecker(PATIENT).check([url])[url]
    assert result.ok
    assert server.hits["/not-implemented"] == 2


def test_a_trickling_body_is_not_read(server: _Server) -> None:
    url = f"{server.base}/trickle-body"
    started = time.monotonic()
    result = ExternalChecker(NO_RETRY).check([url])[url]
    assert result.ok, "the status line says it all"
    assert time.monotonic() - started < 1.5, "the server trickles for 3 s"


def test_timeout_bounds_the_whole_answer_not_each_read(server: _Server) -> None:
    url = f"{server.base}/trickle-head"
    started = time.monotonic()
    result = ExternalChecker(NO_RETRY).check([url])[url]
    assert (result.ok, result.reason) == (False, "timed out after 0.5 s")
    assert time.monotonic() - started < 1.5, "the server trickles its headers for 3 s"


def test_a_huge_body_is_not_downloaded(server: _Server) -> None:
    url = f"{server.base}/huge"
    started = time.monotonic()
    result = ExternalChecker(NO_RETRY).check([url])[url]
    assert result.ok
    assert time.monotonic() - started < 2
    time.sleep(0.2)  # the server notices the closed connection
    assert server.sent < 16 * 2**20, f"{server.sent} bytes of a 256 MB body were sent"


def test_the_whole_run_is_bounded_and_says_what_was_not_checked(server: _Server) -> None:
    slow = [f"{server.base}/sleep{i:02}" for i in range(20)]
    with _serving() as other:
        quick = f"{other.base}/ok"
        heard: list[str] = []
        settings = CheckConfig(
            timeout=5, per_host=2, concurrency=3, max_seconds=1.5
        )  # two for the slow host, one left
        started = time.monotonic()
        checker = ExternalChecker(settings, progress=heard.append, progress_every=0.5)
        results = checker.check([*slow, quick])
        took = time.monotonic() - started
    assert took < 2.5, f"the run took {took:.1f} s for a bound of 1.5 s"
    assert results[quick].ok, "a slow host does not hold back the others"
    done = [u for u in slow if results[u].ok]
    unchecked = [u for u in slow if results[u].unchecked]
    assert len(done) == 2, "two at once, one second each: two answers in 1.5 s"
    assert sorted(done + unchecked) == slow, "every URL is either checked or named"
    assert {results[u].reason for u in unchecked} == {
        "not checked within check.max_seconds = 1.5 (raise it, or run again:"
        " links found good are cached)"
    }
    host = server.base.removeprefix("http://")
    assert any(f"waiting for {host}: " in line and " of 20 URLs left" in line for line in heard)
    assert heard[0].startswith("after 0.5 s: "), heard


def test_unchecked_links_are_warnings_naming_the_url(project: Project, server: _Server) -> None:
    path = "content/sources/ft-2017-01-17.md"
    text = (project.root / path).read_text()
    project.write(
        path,
        text.replace(
            "published: 2017-01-17\n", f"published: 2017-01-17\nurl: {server.base}/sleep\n"
        ),
    )
    project.write("briefgen.toml", 'title = "T"\n[check]\ntimeout = 5\nmax_seconds = 0.5\n')
    assert project.cli("build").exit_code == 0
    result = project.cli("check", "--external")
    assert result.exit_code == 0, "not checked is not broken"
    reason = (
        "not checked within check.max_seconds = 0.5 (raise it, or run again:"
        " links found good are cached)"
    )
    # Said once for the pages that share the link (the source's page and the brief's).
    page = "sources/ft-2017-01-17/index.html and 1 other page"
    assert f"{page}: warning: link to {server.base}/sleep {reason}" in result.stderr
    assert f"{path}:5:6: warning: link to {server.base}/sleep {reason}" in result.stderr
    assert "waiting for" not in result.output, "no progress when not on a terminal"


def test_a_crashing_redirect_is_reported_by_the_command(project: Project, server: _Server) -> None:
    path = "content/sources/ft-2017-01-17.md"
    text = (project.root / path).read_text()
    url = f"{server.base}/to-javascript"
    project.write(
        path, text.replace("published: 2017-01-17\n", f"published: 2017-01-17\nurl: {url}\n")
    )
    project.write("briefgen.toml", 'title = "T"\n[check]\ntimeout = 1\n')
    assert project.cli("build").exit_code == 0
    result = project.cli("check", "--external", "--format", "json")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "redirects to 'javascript:alert(1)', which is not an http(s) URL" in result.stdout


def test_an_invalid_url_is_a_broken_link(server: _Server) -> None:
    urls = [f"{server.base}/ok", "http://127.0.0.1:abc/"]
    results = ExternalChecker(FAST).check(urls)
    assert results[urls[0]].ok
    assert (results[urls[1]].ok, results[urls[1]].reason) == (
        False,
        "invalid URL (Invalid port: 'abc')",
    )


def test_an_unexpected_error_becomes_the_reason(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = httpx.AsyncClient.send

    async def failing(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        if request.url.path == "/gone":
            raise RuntimeError("something nobody foresaw")
        return await send(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", failing)
    urls = [f"{server.base}/ok", f"{server.base}/gone"]
    results = ExternalChecker(FAST).check(urls)
    assert results[urls[0]].ok
    assert (results[urls[1]].ok, results[urls[1]].reason) == (
        False,
        "RuntimeError: something nobody foresaw",
    )


def test_a_dropped_connection_is_reported_not_retried(server: _Server) -> None:
    url = f"{server.base}/hang-up"
    result = ExternalChecker(PATIENT).check([url])[url]
    assert (result.ok, result.reason) == (
        False,
        "RemoteProtocolError: Server disconnected without sending a response.",
    )
    assert server.hits["/hang-up"] == 1, "retries are for 429, 5xx, timeouts, refusals"


def test_other_schemes_are_warned_about_not_fetched() -> None:
    url = "ftp://127.0.0.1/report.pdf"
    result = ExternalChecker(FAST).check([url])[url]
    assert (result.ok, result.unchecked) == (False, True)
    assert result.reason == "not checked (only http and https links are checked)"


def test_progress_names_the_host_with_most_urls_left() -> None:
    a, b = "http://127.0.0.1:1", "http://127.0.0.1:2"
    urls = [f"{a}/{i}" for i in range(5)] + [f"{b}/{i}" for i in range(3)]

    waiting = [f"{a}/{i}" for i in range(1, 5)] + [f"{b}/2"]
    assert ExternalChecker._progress_line(urls, waiting, 10.0) == (
        "after 10 s: 3 of 8 URLs checked; waiting for 127.0.0.1:1: 4 of 5 URLs left"
        " (and 1 other host)"
    )


def test_a_pause_past_the_bound_ends_at_once(server: _Server) -> None:
    # /busy asks for a second's pause; the run has less than that left.
    url = f"{server.base}/busy"
    started = time.monotonic()
    result = ExternalChecker(CheckConfig(timeout=5, max_seconds=0.8)).check([url])[url]
    assert time.monotonic() - started < 0.7, "no waiting for a pause the run cannot afford"
    assert result.unchecked
    assert server.hits["/busy"] == 1


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_progress_on_a_terminal_only(
    project: Project, server: _Server, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    from briefgen import cli, external

    # What a terminal would show: CliRunner's streams are not terminals, so say they are.
    real = cli.ProgressBar.for_stream

    def as_terminal(stream: Any, *, enabled: bool = True) -> cli.ProgressBar | None:
        return cli.ProgressBar(stream) if enabled else None

    monkeypatch.setattr(cli.ProgressBar, "for_stream", as_terminal)
    monkeypatch.setattr(external, "PROGRESS_EVERY", 0.3)
    path = "content/sources/ft-2017-01-17.md"
    text = (project.root / path).read_text()
    project.write(
        path,
        text.replace(
            "published: 2017-01-17\n", f"published: 2017-01-17\nurl: {server.base}/sleep\n"
        ),
    )
    project.write("briefgen.toml", 'title = "T"\n[check]\ntimeout = 5\n')
    assert project.cli("build").exit_code == 0
    result = project.cli("check", "--external", "--format", fmt)
    assert result.exit_code == 0, result.output
    host = server.base.removeprefix("http://")
    line = f"after 0.3 s: 0 of 1 URLs checked; waiting for {host}: 1 of 1 URLs left"
    if fmt == "text":
        assert line in result.stderr.splitlines()
    else:
        assert "waiting for" not in result.output, "JSON output stays machine-readable"
    monkeypatch.setattr(cli.ProgressBar, "for_stream", real)
    (project.root / ".briefgen-cache" / "links.json").unlink()  # so that it is fetched again
    assert "waiting for" not in project.cli("check", "--external").output, (
        "not on a terminal: no progress"
    )


def test_a_pause_past_the_bound_says_the_server_asked_for_it(
    tmp_path: Path, server: _Server
) -> None:
    # It said "not checked within check.max_seconds = 6 (raise it...)" after 0 s: raising
    # max_seconds was no fix for a server asking for a day's pause.
    url = f"{server.base}/busy-long"
    settings = CheckConfig(max_seconds=6, timeout=5)
    result = ExternalChecker(settings, tmp_path / "links.json").check([url])[url]
    assert result.unchecked
    assert result.reason == (
        "not checked: the server answered HTTP 429 and asked for a pause of 100000 s "
        "(Retry-After), past check.max_seconds = 6 (run again later: links found good are cached)"
    )
    assert server.hits["/busy-long"] == 1
