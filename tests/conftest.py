"""Shared fixtures: projects in temporary folders, the built example site, tool checks."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from briefgen.build import BuildResult, build
from briefgen.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    """Skip a test whose tool is missing, except in CI, where a missing tool is a failure."""
    if not available:
        if IN_CI:
            pytest.fail(f"{reason}; CI must provide it (see .ci/run)")
        pytest.skip(reason)


class Project:
    """A briefgen project in a temporary folder, made from the base fixture."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / "site"

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def build(self, *, drafts: bool = False, strict: bool = False) -> BuildResult:
        return build(self.root, self.out, drafts=drafts, strict=strict)

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(main, [*args, "--project", str(self.root)])

    def page(self, rel: str) -> str:
        return (self.out / rel).read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of tests/fixtures/base: a small, valid project."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "base", root)
    return Project(root)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository's own example briefing, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("example") / "site"
    build(REPO, out, strict=True)
    yield out


# Debian's chromium by default; BRIEFGEN_CHROMIUM names another (e.g. a CI runner's Chrome).
CHROMIUM = os.environ.get("BRIEFGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, driven by Playwright; never a downloaded browser."""
    require(
        Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
        "Debian's chromium is not installed (apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extras install it
        require(False, "playwright is not installed")
        raise
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()
