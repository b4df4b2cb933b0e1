"""The preview server as a writer runs it: real process, real HTTP, 127.0.0.1 only."""

from __future__ import annotations

import ctypes
import http.client
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tornado import httpclient, ioloop, websocket

from briefgen.rebuild import Rebuild
from briefgen.render import THEME
from briefgen.serve import PreviewServer, is_loopback

from .conftest import REPO, Project
from .serving import ServeProcess


@pytest.fixture
def server(project: Project, tmp_path: Path) -> Iterator[ServeProcess]:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = ServeProcess(project.root, tmpdir)
    yield process
    process.stop()


def fetch(url: str, path: str, host: str | None = None) -> tuple[int, Message, bytes]:
    """Status, headers and body of a raw GET: the path is sent exactly as written.

    ``host``: the Host header a browser would send (by default the server's own).
    """
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": host} if host is not None else {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def get(url: str, path: str, host: str | None = None) -> tuple[int, bytes]:
    """Status and body of a raw GET."""
    status, _, body = fetch(url, path, host)
    return status, body


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

    async def connect(origin: str, host: str) -> bool:
        headers = {"Origin": origin, "Host": host}
        request = httpclient.HTTPRequest(ws_url, headers=headers, request_timeout=5)
        try:
            connection = await websocket.websocket_connect(request)
        except httpclient.HTTPClientError:
            return False
        connection.close()
        return True

    def attempt(origin: str, host: str = parts.netloc) -> bool:
        # In a thread of its own: Playwright may hold an event loop on this one.
        result: list[bool] = []

        def run() -> None:
            loop = ioloop.IOLoop(make_current=False)
            try:
                result.append(loop.run_sync(lambda: connect(origin, host), timeout=10))
            finally:
                loop.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=20)
        return result == [True]

    assert attempt(f"http://{parts.netloc}") is True
    assert attempt(f"http://localhost:{parts.port}") is True, "one of its own names"
    assert attempt("http://evil.example") is False
    assert attempt(f"http://evil.example:{parts.port}") is False
    assert attempt("null") is False
    # A DNS-rebinding page: its own name points at 127.0.0.1, so Host and Origin agree.
    rebound = f"evil.example:{parts.port}"
    assert attempt(f"http://{rebound}", host=rebound) is False


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


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",  # a DNS-rebinding page: its name resolves to 127.0.0.1
        "evil.example",
        "127.0.0.1.evil.example:{port}",
        "localhost:1",  # one of our names, another port
        "",
    ],
)
def test_forged_host_is_refused(server: ServeProcess, host: str) -> None:
    port = urlsplit(server.url).port
    status, headers, body = fetch(server.url, "/briefs/invitation/", host=host.format(port=port))
    assert status == 421
    assert headers["Content-Type"].startswith("text/plain")
    assert f"answers only to 127.0.0.1:{port}".encode() in body
    assert b"Russia invites" not in body
    assert get(server.url, "/livereload.js", host=host.format(port=port))[0] == 421


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])
def test_its_own_names_are_served(server: ServeProcess, name: str) -> None:
    port = urlsplit(server.url).port
    status, body = get(server.url, "/briefs/invitation/", host=f"{name}:{port}")
    assert status == 200
    assert b"Russia invites the US to Astana" in body
    # The reload script is told the name the page was reached by.
    assert f"host={name.lower()}".encode() in body


def test_odd_paths_get_a_clean_4xx_and_nothing_in_the_terminal(server: ServeProcess) -> None:
    cases = {
        "/%00": 404,
        "/briefs/%00/": 404,
        "/livereload.js/%00": 404,
        "/%ff": 400,  # not UTF-8
        "/%c3%28": 400,
        "/" + "a" * 300: 404,  # longer than a file name may be
        "/" + "a" * 9000: 414,
        "/" + "a/" * 40000: 414,  # beyond tornado's own limit on a request's head
        "/..%5c..%5cpyproject.toml": 404,
        "/..\\..\\pyproject.toml": 404,
        "/%2e%2e/%2e%2e/pyproject.toml": 404,
        "/%": 404,
    }
    # The start's last line: the search index, made in the background after the first build.
    server.wait_for(r"search index updated")
    time.sleep(0.2)
    before = len(server.lines)
    got = {path: get(server.url, path) for path in cases}
    assert {path: status for path, (status, _) in got.items()} == cases
    assert all(b"Traceback" not in body and b"[project]" not in body for _, body in got.values())
    assert b"Page not found" in got["/%00"][1], "the site's own 404 page"
    time.sleep(0.3)
    assert server.lines[before:] == []
    assert get(server.url, "/briefs/invitation/")[0] == 200, "the server is still up"


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def test_headers_are_netlify_toml_s(project: Project, tmp_path: Path) -> None:
    shutil.copy(REPO / "netlify.toml", project.root / "netlify.toml")
    production = tomllib.loads((REPO / "netlify.toml").read_text())
    (every_page,) = [rule["values"] for rule in production["headers"] if rule["for"] == "/*"]
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    server = ServeProcess(project.root, tmpdir)
    try:
        port = urlsplit(server.url).port
        for path in ("/briefs/invitation/", "/no/such/page/", "/livereload.js"):
            _, sent, _ = fetch(server.url, path)
            for name, value in every_page.items():
                if name != "Content-Security-Policy":
                    assert sent[name] == value, (path, name)
            # The same policy, but for plain HTTP and with the reload socket allowed.
            expected = directives(every_page["Content-Security-Policy"])
            del expected["upgrade-insecure-requests"]
            expected["connect-src"].append(f"ws://127.0.0.1:{port}/livereload")
            assert directives(sent["Content-Security-Policy"]) == expected
        # Assets are not fingerprinted in the preview: never cached, whatever production says.
        status, css, _ = fetch(server.url, "/assets/style.css")
        assert status == 200 and css["Cache-Control"] == "no-store"
        assert css["X-Content-Type-Options"] == "nosniff"
        # An edit to netlify.toml reaches the next answer.
        start = len(server.lines)
        netlify = project.root / "netlify.toml"
        netlify.write_text(netlify.read_text().replace('"DENY"', '"SAMEORIGIN"'))
        server.wait_for(r"netlify\.toml changed: the preview sends its new headers", after=start)
        assert fetch(server.url, "/")[1]["X-Frame-Options"] == "SAMEORIGIN"
        # A mistake in it is reported, and the last good headers stay.
        start = len(server.lines)
        netlify.write_text(
            netlify.read_text().replace("[[headers]]\n  for", "[[headers]]\n  fro", 1)
        )
        line = server.wait_for(r"^netlify\.toml:\d+:1: error:", after=start)
        assert "a [[headers]] rule needs 'for', a path starting with '/' (missing)" in line
        server.wait_for(
            r"netlify\.toml has problems: the preview sends the ones it had", after=start
        )
        assert fetch(server.url, "/")[1]["X-Frame-Options"] == "SAMEORIGIN"
    finally:
        server.stop()


def test_without_netlify_toml_the_theme_s_headers_are_sent(server: ServeProcess) -> None:
    _, headers, _ = fetch(server.url, "/briefs/invitation/")
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_content_deleted_and_restored_is_watched_again(
    server: ServeProcess, project: Project, tmp_path: Path
) -> None:
    content = project.root / "content"
    backup = tmp_path / "content-backup"
    shutil.copytree(content, backup)
    start = len(server.lines)
    shutil.rmtree(content)
    server.wait_for(
        r"^content/ is gone: showing the last good build until it is back$", after=start
    )
    status, body = get(server.url, "/briefs/sanctions/")
    assert status == 200 and b"was misread" in body, "the last good site stays up"
    start = len(server.lines)
    shutil.copytree(backup, content)
    server.wait_for(r"^content/ is back: rebuilding everything$", after=start)
    server.wait_for(r"^content/ changed: \d+ written \(all pages\)", after=start)
    start = len(server.lines)
    path = content / "briefs/sanctions.md"
    path.write_text(path.read_text().replace("was misread", "was, once more, misread"))
    server.wait_for(r"content/briefs/sanctions\.md changed: ", after=start)
    assert b"was, once more, misread" in get(server.url, "/briefs/sanctions/")[1]


def test_templates_and_static_made_after_start_are_watched(
    server: ServeProcess, project: Project
) -> None:
    base = (THEME / "templates" / "base.html").read_text()
    start = len(server.lines)
    project.write("templates/base.html", base.replace("</body>", "<p>first mark</p></body>"))
    server.wait_for(r"^templates/ changed: \d+ written \(all pages\)", after=start)
    assert b"first mark" in get(server.url, "/briefs/sanctions/")[1]
    start = len(server.lines)
    project.write("templates/base.html", base.replace("</body>", "<p>second mark</p></body>"))
    server.wait_for(r"templates/base\.html changed: ", after=start)
    assert b"second mark" in get(server.url, "/briefs/sanctions/")[1]
    start = len(server.lines)
    project.write("static/notes.txt", "first")
    server.wait_for(r"^static/ changed: ", after=start)
    assert get(server.url, "/notes.txt") == (200, b"first")
    start = len(server.lines)
    project.write("static/notes.txt", "second")
    server.wait_for(r"static/notes\.txt changed: ", after=start)
    assert get(server.url, "/notes.txt") == (200, b"second")


def test_config_replaced_by_renaming_is_still_watched(
    server: ServeProcess, project: Project
) -> None:
    """Many editors save by writing a new file and renaming it over the old one."""
    config = project.root / "briefgen.toml"
    for title in ("Renamed Briefing", "Renamed Again"):
        start = len(server.lines)
        fresh = project.root / ".briefgen.toml.swp"
        fresh.write_text(config.read_text().replace(config.read_text().split('"')[1], title))
        fresh.replace(config)
        server.wait_for(r"briefgen\.toml changed: \d+ written \(all pages\)", after=start)
        assert title.encode() in get(server.url, "/")[1]


def test_content_replaced_at_once_is_watched_again(
    server: ServeProcess, project: Project, tmp_path: Path
) -> None:
    """Deleted and made again between two looks (a checkout): the new folder is watched."""
    content = project.root / "content"
    backup = tmp_path / "content-backup"
    shutil.copytree(content, backup)
    start = len(server.lines)
    shutil.rmtree(content)
    shutil.copytree(backup, content)
    server.wait_for(r"^content/ changed: \d+ written \(all pages\)", after=start)
    time.sleep(0.5)  # let any trailing rebuild of the burst finish
    start = len(server.lines)
    path = content / "briefs/sanctions.md"
    path.write_text(path.read_text().replace("was misread", "was, again, misread"))
    server.wait_for(r"content/briefs/sanctions\.md changed: ", after=start)
    assert b"was, again, misread" in get(server.url, "/briefs/sanctions/")[1]


_TGKILL = {"x86_64": 234, "aarch64": 131}
"""The tgkill system call's number: a signal to one chosen thread of a process."""


def test_ctrl_c_stops_whichever_thread_receives_it(project: Project, tmp_path: Path) -> None:
    """The kernel hands Ctrl-C to any thread; when watchfiles' thread got it, the server slept on."""
    number = _TGKILL.get(platform.machine())
    if number is None or not sys.platform.startswith("linux"):
        pytest.skip("tgkill's number is known here for Linux on x86_64 and aarch64 only")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = ServeProcess(project.root, tmpdir)
    pid = process.process.pid
    others = [int(task.name) for task in Path(f"/proc/{pid}/task").iterdir()]
    others.remove(pid)
    assert others, "the watcher runs in threads of its own"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(number, pid, others[-1], signal.SIGINT) == 0
    assert process.process.wait(timeout=10) == 0
    assert process.stop() == 0 and "stopped" in process.lines
    assert list(tmpdir.iterdir()) == []


def test_base_url_change_moves_the_site_to_its_new_path(
    server: ServeProcess, project: Project
) -> None:
    config = project.root / "briefgen.toml"
    original = config.read_text()
    start = len(server.lines)
    config.write_text(original.replace('"https://example.org/"', '"https://example.org/x/"'))
    line = server.wait_for(r"base_url changed", after=start)
    assert line == (f"base_url changed: the preview moved from / to {server.url.rstrip('/')}/x/"), (
        line
    )
    status, body = get(server.url, "/x/briefs/invitation/")
    assert status == 200
    assert b'href="/x/' in body and b'href="/briefs/' not in body
    assert get(server.url, "/briefs/invitation/")[0] == 404
    status, headers, _ = fetch(server.url, "/")
    assert status in (301, 302) and headers["Location"] == "/x/"
    # And back again.
    start = len(server.lines)
    config.write_text(original)
    server.wait_for(r"base_url changed: the preview moved from /x/ to ", after=start)
    status, body = get(server.url, "/briefs/invitation/")
    assert status == 200 and b'href="/x/' not in body
    assert get(server.url, "/x/briefs/invitation/")[0] == 404
