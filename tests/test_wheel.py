"""briefgen outside this repository: a wheel of this checkout in a fresh virtual environment.

The wheel and its dependencies come from the package index, so this is slow (about a
minute); it builds one virtual environment per test session, in a temporary folder far
from the repository, and runs everything from the venv's own ``bin/briefgen``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import pytest

from briefgen import __version__

from .conftest import REPO, require

pytestmark = pytest.mark.slow

# pip's words when it cannot reach the package index: outside CI the test is skipped then.
_OFFLINE = re.compile(
    r"No matching distribution|Could not find a version|NewConnectionError|"
    r"Temporary failure in name resolution|Network is unreachable|ConnectTimeout"
)


def _pip(python: Path | str, *args: str, cwd: Path) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        require(not _OFFLINE.search(output), f"pip cannot reach the package index: {output[-300:]}")
        raise AssertionError(f"pip {' '.join(args)} failed:\n{output}")


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding briefgen from a wheel of this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    wheels = work / "wheels"
    _pip(sys.executable, "wheel", str(REPO), "--no-deps", "--quiet", "-w", str(wheels), cwd=work)
    (wheel,) = wheels.glob(f"briefgen-{__version__}-*.whl")
    env = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=120)
    _pip(env / "bin/python", "install", "--quiet", str(wheel), cwd=work)
    return env


def _environment(venv: Path) -> dict[str, str]:
    """The writer's shell with the venv first on PATH and nothing of this repository."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin/briefgen"), *args],
        cwd=cwd,
        env=_environment(venv),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _read_lines(stream: Sequence[str] | None, into: list[str]) -> None:
    for line in stream or ():
        into.append(line.rstrip("\n"))


def _fetch(url: str) -> tuple[int, str]:
    # Only 127.0.0.1, with a timeout: the loop that calls this is bounded too.
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def test_a_wheel_in_a_fresh_venv_inits_builds_and_serves(
    venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    writer = tmp_path_factory.mktemp("writer")
    assert REPO not in writer.parents

    started = _run(
        venv, writer, "init", "briefing", "--title", "Vienna Watch", "--base-url", "/vienna/"
    )
    assert started.returncode == 0, started.stderr
    project = writer / "briefing"
    assert (project / "content/briefs/astana-invitation.md").is_file()

    brief = _run(venv, writer, "new", "brief", "Talks in Vienna", "--project", "briefing")
    assert brief.returncode == 0, brief.stderr
    assert brief.stdout == "briefing/content/briefs/talks-in-vienna.md\n"
    page = _run(venv, project, "new", "page", "Über uns")
    assert page.returncode == 0, page.stderr
    assert page.stdout == "content/pages/uber-uns.md\n"

    built = _run(venv, project, "build", "--strict", "--check")
    assert built.returncode == 0, built.stderr
    # No warning; only the note that a site without a host gets no feeds.
    assert built.stderr == (
        "note: base_url '/vienna/' names no host, so Atom feeds and sitemap.xml and robots.txt "
        "are not written: they need absolute URLs "
        '(set base_url = "https://your.host/" in briefgen.toml)\n'
    )
    assert built.stdout.splitlines()[-1].endswith(": 0 broken, 0 warnings")

    # The code, the theme and the starter came from the venv's site-packages.
    where = subprocess.run(
        [str(venv / "bin/python"), "-c", "import briefgen.render as r; print(r.THEME)"],
        cwd=writer,
        env=_environment(venv),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theme = Path(where.stdout.strip())
    assert venv in theme.parents and "site-packages" in theme.parts
    assert REPO not in theme.parents
    (css,) = (project / "site/assets").glob("style.*.css")
    assert css.read_bytes() == (theme / "static/style.css").read_bytes()

    server = subprocess.Popen(
        [str(venv / "bin/briefgen"), "serve", "--port", "0"],
        cwd=project,
        env=_environment(venv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(server.stdout, lines), daemon=True)
    reader.start()
    try:
        url = ""
        deadline = time.monotonic() + 60
        while not url and time.monotonic() < deadline and server.poll() is None:
            found = [re.search(r"serving (http://127\.0\.0\.1:\d+/\S*)", line) for line in lines]
            url = next((m.group(1) for m in found if m), "")
            time.sleep(0.05)
        assert url.endswith("/vienna/"), "\n".join(lines)
        status, home = _fetch(url)
        assert status == 200
        assert "<title>Vienna Watch</title>" in home
        stylesheet = re.search(r'href="(/vienna/assets/style[^"]*\.css)"', home)
        assert stylesheet, home
        status, served_css = _fetch(url.removesuffix("/vienna/") + stylesheet.group(1))
        assert status == 200
        assert served_css.encode() == (theme / "static/style.css").read_bytes()
        status, draft = _fetch(url + "briefs/talks-in-vienna/")
        assert status == 200 and "Talks in Vienna" in draft, "the preview shows drafts"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        reader.join(timeout=10)
    assert server.returncode == 0, "\n".join(lines)
