"""One small invalid project per failure case, with the messages it must print.

Each folder under tests/fixtures/errors/ holds only the files that differ from
tests/fixtures/base/, an ``expected.txt`` with the exact diagnostic lines, and
optionally ``options`` (extra command-line options).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.cli import main

from .conftest import FIXTURES

CASES = sorted(p.name for p in (FIXTURES / "errors").iterdir() if p.is_dir())
EXIT_CODES = {
    "bad-config": 2,
    "bad-template": 2,
    "template-missing-include": 2,
    "template-arithmetic": 2,
    "bad-quote": 0,
    "load-alias-collision": 0,
    "load-stray-file": 0,
    "write-base-url": 2,
    "ext-check-seconds": 2,
    "paging-config": 2,
    "paging-config-type": 2,
    "paging-config-not-table": 2,
    "search-config-type": 2,
    "search-config-unknown": 2,
    "search-config-not-table": 2,
    "search-csp-without-wasm": 0,
    "feeds-config-type": 2,
    "feeds-config-entries": 2,
    "feeds-config-not-table": 2,
    "sitemap-config-type": 2,
    "data-config": 2,
    "data-config-not-table": 2,
    "network-config": 2,
    "lint-config": 2,
    "lint-off": 0,
    "csl-unknown-style": 2,
    "csl-missing-file": 2,
    "csl-invalid-file": 2,
    "csl-not-a-style": 2,
    "source-checks": 0,
}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("way", ["cached", "no-cache"])
@pytest.mark.parametrize("case", CASES)
def test_error_case(case: str, way: str, tmp_path: Path) -> None:
    """Cached and uncached builds see the same inputs and report the same lines."""
    project = tmp_path / "project"
    out = tmp_path / "out"
    shutil.copytree(FIXTURES / "base", project)
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--project", str(project), "--out", str(out)])
    assert first.exit_code == 0, first.output
    before = _snapshot(out)

    case_dir = FIXTURES / "errors" / case
    shutil.copytree(
        case_dir,
        project,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("expected.txt", "options"),
    )
    options = (case_dir / "options").read_text().split() if (case_dir / "options").exists() else []
    if way == "no-cache":
        options.append("--no-cache")
    result = runner.invoke(main, ["build", "--project", str(project), "--out", str(out), *options])

    expected = (case_dir / "expected.txt").read_text(encoding="utf-8").splitlines()
    printed = [
        line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line
    ]
    assert printed == expected
    assert result.exit_code == EXIT_CODES.get(case, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert _snapshot(out) == before, "a failed build must leave the previous site untouched"
        assert "failed:" in result.stderr.splitlines()[-1]
