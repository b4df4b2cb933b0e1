"""The W3C Nu HTML Checker (npm package vnu-jar, on the installed Java) finds no errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO, require

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.vnu
def test_example_site_has_no_html_errors(example_site: Path) -> None:
    require(shutil.which("java") is not None, "java is not installed")
    require(VNU.is_file(), "vnu.jar missing: run `npm install` (make test does)")
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--skip-non-html",
            str(example_site),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages]
    assert errors == []
    assert run.returncode == 0
