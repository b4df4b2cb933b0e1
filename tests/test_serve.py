"""The preview server as a writer runs it: real process, real HTTP, 127.0.0.1 only."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tornado import httpclient, ioloop, websocket

from briefgen.rebuild import Rebuild
from briefgen.serve import PreviewServer, is_loopback

from .conftest import Project
from .serving import ServeProcess


@pytest.fixture
def server(project: Project, tmp_path: Path) -> Iterator[ServeProcess]:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = ServeProcess(project.root, tmpdir)
    yield process
    process.stop()


def get(url: str, path: str) -> tuple[int, bytes]:
    """A raw GET: the path is sent exactly as written (no normalisation of '..')."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def site_folder(tmp_path: Path) -> Path:
    (folder,) = (tmp_path / "tmp").glob("briefgen-serve-*")
    return folder / "site"


def test_serves_pages_with_the_reload_script(server: ServeProcess) -> None:
    status, body = get(server.url, "/briefs/invitation/")
    assert status == 200
    assert b"livereload.js?port=" in body
    assert b"Russia invites the US to Astana" in body
    status, script = get(server.url, "/livereload.js")
    assert status == 200 and b"LiveReload" in script


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/%2e%2e/%2e%2e/pyproject.toml",
        "//etc/passwd",
        "/briefs/../../../etc/passwd",
        "/%2Fetc%2Fpasswd",
    ],
)
def test_path_traversal_is_not_found(server: ServeProcess, path: str) -> None:
    status, body = get(server.url, path)
    assert status == 404
    assert b"root:" not in body and b"[project]" not in body


def test_symlink_out_of_the_folder_is_not_found(server: ServeProcess, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    (site_folder(tmp_path) / "leak.txt").symlink_to(secret)
    status, body = get(server.url, "/leak.txt")
    assert status == 404
    assert b"do not serve" not in body


def test_missing_page_gets_the_site_404(server: ServeProcess) -> None:
    status, body = get(server.url, "/no/such/page/")
    assert status == 404
    assert b"Page not found" in body


def test_edit_rebuilds_in_one_line_and_serves_new_text(
    server: ServeProcess, project: Project
) -> None:
    start = len(server.lines)
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(path.read_text().replace("was misread", "was, he said, misread"))
    line = server.wait_for(
        r"content/briefs/sanctions\.md changed: \d+ written \(incremental\) in \d+ ms", after=start
    )
    assert "written" in line
    assert b"was, he said, misread" in get(server.url, "/briefs/sanctions/")[1]


def test_brief_in_a_new_year_subfolder_appears(server: ServeProcess, project: Project) -> None:
    start = len(server.lines)
    text = (project.root / "content/briefs/sanctions.md").read_text()
    project.write("content/briefs/2015/roadmap-2.md", text.replace("title: ", "title: Roadmap ", 1))
    # inotify may report only the new folder: its files are read all the same.
    server.wait_for(r"content/briefs/2015(/roadmap-2\.md)? changed", after=start)
    status, page = get(server.url, "/briefs/roadmap-2/")
    assert status == 200 and b"Roadmap " in page


def test_burst_of_saves_is_one_rebuild(server: ServeProcess, project: Project) -> None:
    start = len(server.lines)
    for name in ("invitation", "sanctions"):
        path = project.root / f"content/briefs/{name}.md"
        path.write_text(path.read_text() + "\nMore.\n")
    server.wait_for(r"changed: ", after=start)
    time.sleep(0.6)
    rebuilds = [line for line in server.lines[start:] if "changed: " in line]
    assert len(rebuilds) == 1, rebuilds
    assert "invitation.md" in rebuilds[0] and "sanctions.md" in rebuilds[0]


def test_content_error_shows_error_page_then_recovers(
    server: ServeProcess, project: Project
) -> None:
    path = project.root / "content/briefs/sanctions.md"
    good = path.read_text()
    start = len(server.lines)
    path.write_text(good.replace("[[Trump]]", "[[Trumpp]]"))
    server.wait_for(r"build failed", after=start)
    status, body = get(server.url, "/briefs/invitation/")
    assert status == 500
    assert b"content/briefs/sanctions.md:8:" in body
    assert b"unknown actor &#39;Trumpp&#39;" in body
    assert b"livereload.js?port=" in body, "the error page must reload itself once fixed"
    start = len(server.lines)
    path.write_text(good)
    server.wait_for(r"changed: ", after=start)
    status, body = get(server.url, "/briefs/invitation/")
    assert status == 200


def test_websocket_accepts_only_its_own_origin(server: ServeProcess) -> None:
    parts = urlsplit(server.url)
    ws_url = f"ws://{parts.netloc}/livereload"

    async def connect(origin: str) -> bool:
        request = httpclient.HTTPRequest(ws_url, headers={"Origin": origin}, request_timeout=5)
        try:
            connection = await websocket.websocket_connect(request)
        except httpclient.HTTPClientError:
            return False
        connection.close()
        return True

    def attempt(origin: str) -> bool:
        # In a thread of its own: Playwright may hold an event loop on this one.
        result: list[bool] = []

        def run() -> None:
            loop = ioloop.IOLoop(make_current=False)
            try:
                result.append(loop.run_sync(lambda: connect(origin), timeout=10))
            finally:
                loop.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=20)
        return result == [True]

    assert attempt(f"http://{parts.netloc}") is True
    assert attempt("http://evil.example") is False


def test_ctrl_c_stops_and_removes_the_temporary_folder(project: Project, tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = ServeProcess(project.root, tmpdir)
    assert list(tmpdir.glob("briefgen-serve-*"))
    assert not (project.root / "site").exists(), "serve never builds into site/"
    assert process.stop() == 0
    assert list(tmpdir.iterdir()) == []
    assert "stopped" in process.lines


def test_port_in_use_is_a_clear_error(project: Project) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "briefgen",
                "serve",
                "--project",
                str(project.root),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ},
        )
    assert run.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
    ],
)
def test_non_loopback_hosts_are_recognised(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_second_edit_soon_after_a_reload_is_not_dropped(
    server: ServeProcess, project: Project
) -> None:
    path = project.root / "content/briefs/sanctions.md"
    start = len(server.lines)
    path.write_text(path.read_text().replace("was misread", "was first misread"))
    server.wait_for(r"sanctions\.md changed", after=start)
    start = len(server.lines)
    path.write_text(path.read_text().replace("was first misread", "was then misread"))
    server.wait_for(r"sanctions\.md changed", after=start)
    assert b"was then misread" in get(server.url, "/briefs/sanctions/")[1]


def test_a_crash_inside_briefgen_reaches_the_page_and_the_server_stays_up(project: Project) -> None:
    lines: list[str] = []
    server = PreviewServer(project.root, port=0, echo=lines.append)
    try:
        server.start()

        def crash() -> Rebuild:
            raise RuntimeError("boom in the graph")

        server._run(crash)
        assert server.preview.error_html is not None
        assert "briefgen crashed while building" in server.preview.error_html
        assert "RuntimeError: boom in the graph" in server.preview.error_html
        assert "Traceback" in server.preview.error_html
        server.rebuild([project.root / "content/briefs/sanctions.md"])
        assert server.preview.error_html is None, "a good rebuild clears the error page"
    finally:
        server.close()
