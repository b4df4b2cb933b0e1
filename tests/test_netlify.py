"""The deploy: netlify.toml, the _redirects file, fingerprinted assets, CSP in a browser, CI."""

from __future__ import annotations

import fnmatch
import functools
import http.server
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO, require

NETLIFY = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))


def headers_for(path: str) -> dict[str, str]:
    """The headers netlify.toml gives a path (later rules add to earlier ones)."""
    found: dict[str, str] = {}
    for rule in NETLIFY["headers"]:
        if fnmatch.fnmatch(path, rule["for"]):
            found.update(rule["values"])
    return found


def test_build_settings() -> None:
    build = NETLIFY["build"]
    assert build["publish"] == "site"
    assert "pip install ." in build["command"]
    assert "briefgen build --strict --check" in build["command"]
    assert build["environment"]["PYTHON_VERSION"].startswith("3.")


def test_security_headers_on_every_page_and_forever_cache_on_assets() -> None:
    page = headers_for("/briefs/astana-invitation/")
    csp = page["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    )
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"]
    assert "camera=()" in page["Permissions-Policy"]
    assert "Cache-Control" not in page
    asset = headers_for("/assets/style.0123456789.css")
    assert asset["Cache-Control"] == "public, max-age=31536000, immutable"


def test_every_asset_name_carries_its_fingerprint(example_site: Path) -> None:
    assets = sorted(p.name for p in (example_site / "assets").iterdir())
    assert assets, "the theme ships assets"
    assert all(len(name.split(".")) == 3 and len(name.split(".")[1]) == 10 for name in assets)


def test_redirects_file_is_valid_and_leads_to_pages(example_site: Path) -> None:
    lines = [
        line.split()
        for line in (example_site / "_redirects").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ["/briefs/astana/", "/briefs/astana-invitation/", "301"] in lines
    for source, target, status in lines:
        assert source.startswith("/") and status == "301"
        assert (example_site / target.lstrip("/") / "index.html").is_file()
        assert not (example_site / source.lstrip("/") / "index.html").exists(), (
            "a page would shadow it"
        )


def test_ci_workflow_runs_the_tests_and_the_checked_build() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "make test" in runs
    assert any("briefgen build --strict --check" in run for run in runs)
    assert "pull_request" in workflow[True]  # YAML reads the key `on` as true


class _NetlifyLikeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site with the headers netlify.toml gives each path."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        for key, value in headers_for(self.path.split("?")[0]).items():
            self.send_header(key, value)
        super().end_headers()


@pytest.fixture(scope="module")
def netlify_like(example_site: Path) -> Iterator[str]:
    handler = functools.partial(_NetlifyLikeHandler, directory=str(example_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


_RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/briefs/astana-invitation/",
        "/actors/sergei-lavrov/",
        "/sources/ft-2017-01-17/",
        "/timeline/",
        "/actors/network/",
        "/data/",
    ],
)
def test_theme_satisfies_the_csp(browser: Any, netlify_like: str, path: str) -> None:
    page = browser.new_page()
    page.add_init_script(_RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(netlify_like + path, timeout=15000)
    assert (
        response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    )
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.masthead')).borderTopStyle")
        == "solid"
    )
    assert page.evaluate("window.cspViolations") == []
    assert [m for m in console if "Content Security Policy" in m] == []
    # The policy is really enforced: an inline script is refused.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.ran") is None
    assert any("script-src" in v for v in page.evaluate("window.cspViolations"))
    page.close()


def test_linkchecker_finds_no_broken_link(netlify_like: str) -> None:
    """An independent cross-check: LinkChecker (PyPI) crawls the served example site."""
    linkchecker = Path(sys.executable).with_name("linkchecker")
    require(linkchecker.is_file(), "linkchecker is not installed (it is a test extra)")
    run = subprocess.run(
        [
            str(linkchecker),
            "--no-status",
            "--no-warnings",
            "--threads",
            "4",
            netlify_like + "/",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "0 errors found" in run.stdout
