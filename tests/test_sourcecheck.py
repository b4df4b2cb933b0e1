"""The source checks: warnings at the line to fix, with "today" fixed by BRIEFGEN_TODAY."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest

from bench.generate import generate
from briefgen.build import graph_of, load_files
from briefgen.config import load_config
from briefgen.errors import ConfigError
from briefgen.sourcecheck import TIME_ZONES, TODAY_VARIABLE, source_warnings, today

from .conftest import Project

FT = "content/sources/ft-2017-01-17.md"


def _warnings(project: Project) -> list[str]:
    index, _ = graph_of(
        load_files(project.root).values(), load_config(project.root), drafts=False, strict=False
    )
    return [d.format() for d in source_warnings(index.site)]


def _ft(project: Project, extra: str, published: str = "2017-01-17") -> None:
    project.write(
        FT,
        "---\ntitle: Russia invites US to Syrian peace talks\npublication: Financial Times\n"
        f"published: {published}\n{extra}---\n",
    )


def test_today_comes_from_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_VARIABLE, "2020-02-29")
    assert today() == dt.date(2020, 2, 29)
    monkeypatch.delenv(TODAY_VARIABLE)
    assert today() == dt.date.today()
    monkeypatch.setenv(TODAY_VARIABLE, "1 Dec 2026")
    with pytest.raises(ConfigError) as caught:
        today()
    assert caught.value.format() == (
        "BRIEFGEN_TODAY: error: BRIEFGEN_TODAY must be a date written YYYY-MM-DD, not "
        "'1 Dec 2026' (set BRIEFGEN_TODAY=2026-12-01, or unset it to use the clock's date)"
    )


def test_accessed_is_in_the_future_only_after_today(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TODAY_VARIABLE, "2026-12-01")
    _ft(project, "accessed: 2026-12-01\n")
    assert _warnings(project) == []
    _ft(project, "accessed: 2026-12-02\n")
    assert _warnings(project) == [
        f"{FT}:5:11: warning: 'accessed' (2026-12-02) is in the future (write the day the "
        "document was read, today or earlier, as YYYY-MM-DD)"
    ]


@pytest.mark.parametrize(
    ("published", "warned"),
    [
        ("2017-01-18", False),  # a day later: the same moment in another time zone
        ("2017-01-19", True),
        ("2017-01", False),  # January: perhaps before the 16th
        ("2017-02", True),
        ("2017", False),
        ("2018", True),
    ],
)
def test_published_after_a_citing_brief(project: Project, published: str, warned: bool) -> None:
    # The fixture's briefs are dated 16 and 17 January 2017 and both cite the FT.
    _ft(project, "", published)
    found = _warnings(project)
    assert bool(found) == warned, found
    if warned:
        assert found == [
            f"{FT}:4:12: warning: source 'ft-2017-01-17' is published {published}, after the "
            "brief 'invitation' (2017-01-17) that cites it (check the date: a brief cannot cite "
            "what was published later; or set the brief's date to when it was written)"
        ]


def test_a_url_or_doi_claimed_twice(project: Project) -> None:
    _ft(project, "url: https://example.org/a/\ndoi: 10.1000/ABC\n")
    haaretz = project.root / "content/sources/haaretz-2017-01-17.md"
    haaretz.write_text(
        haaretz.read_text().replace(
            "reliability: B\n", "reliability: B\nurl: https://EXAMPLE.org/a\ndoi: 10.1000/abc\n"
        )
    )
    assert _warnings(project) == [
        "content/sources/haaretz-2017-01-17.md:7:6: warning: url https://EXAMPLE.org/a is also "
        f"the url of source 'ft-2017-01-17' ({FT}): probably the same document (keep one of the "
        "two sources and cite it in place of 'haaretz-2017-01-17')",
        "content/sources/haaretz-2017-01-17.md:8:6: warning: doi 10.1000/abc is also the doi of "
        f"source 'ft-2017-01-17' ({FT}): probably the same document (keep one of the two "
        "sources and cite it in place of 'haaretz-2017-01-17')",
    ]


def test_a_source_to_find_by_its_publisher_or_doi_alone_is_fine(project: Project) -> None:
    project.write(FT, "---\ntitle: Notes\npublisher: Self\n---\n")
    assert _warnings(project) == []
    project.write(FT, "---\ntitle: Notes\ndoi: 10.1000/x\n---\n")
    assert _warnings(project) == []
    project.write(FT, "---\ntitle: Notes\n---\n")
    assert _warnings(project) == [
        f"{FT}:1:1: warning: source 'ft-2017-01-17' has no url, doi, publisher or publication "
        "to find it by (add url: https://... (or doi: 10.xxxx/..., or publisher: ...) so "
        "readers can find the document)"
    ]


def test_briefgen_check_reports_the_source_checks(project: Project) -> None:
    assert project.cli("build").exit_code == 0
    project.write(FT, "---\ntitle: Notes\n---\n")
    result = project.cli("check")
    assert result.exit_code == 0
    assert f"{FT}:1:1: warning: source 'ft-2017-01-17' has no url" in result.stderr
    assert ": 0 broken, 1 warning" in result.stdout
    strict = project.cli("build", "--strict")
    assert strict.exit_code == 1
    assert f"{FT}:1:1: warning: source 'ft-2017-01-17' has no url" in strict.stderr


def test_published_after_many_citing_briefs_is_found_from_the_oldest_end(
    tmp_path: Path,
) -> None:
    """The check looks at a source's citing briefs from the oldest until one is not
    earlier than the source: the same warnings as looking at every one of them."""
    project = tmp_path / "project"
    generate(project, 200, seed=3)
    rng = random.Random(3)
    for path in sorted((project / "content" / "sources").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        day = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 3650))
        shown = rng.choice([day.isoformat(), day.isoformat()[:7], str(day.year)])
        path.write_text(re.sub(r"(?m)^published: .*$", f"published: {shown}", text))
    files = load_files(project).values()
    index, _ = graph_of(files, load_config(project), drafts=False, strict=False)
    site = index.site
    found = source_warnings(site)
    assert found == source_warnings(
        site, date_of=lambda b: site.briefs[b].brief.date, citing=index.citing
    )
    # Every citing brief looked at, as the check did before.
    expected = 0
    for node in site.sources.values():
        issued = node.source.issued
        later = [
            c.brief_id
            for c in node.citing
            if issued is not None
            and dt.date(issued.year, issued.month or 1, issued.day or 1)
            > site.briefs[c.brief_id].brief.date + TIME_ZONES
        ]
        if later:
            expected += 1
            more = f" (and {len(later) - 1} more)" if len(later) > 1 else ""
            message = next(d.message for d in found if f"source '{node.source.id}' is" in d.message)
            assert message.endswith(
                f"'{later[0]}' ({site.briefs[later[0]].brief.date}) that cites it{more}"
            )
    dated = [d for d in found if "is published" in d.message]
    assert len(dated) == expected and any("more)" in d.message for d in dated)
