"""briefgen init and briefgen new: what they write, what they refuse, and that it builds."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from briefgen import __version__
from briefgen.cli import main
from briefgen.config import load_config
from briefgen.load import load_content
from briefgen.model import ACTOR_KINDS, SOURCE_KINDS
from briefgen.paths import MAX_SEGMENT
from briefgen.readers import ACTOR_KEYS, BRIEF_KEYS, PAGE_KEYS, SOURCE_KEYS
from briefgen.scaffold import STARTER

from .conftest import REPO


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, the current one, as a writer's shell would have it."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def started(here: Path) -> Path:
    """A project made by `briefgen init briefing`."""
    result = run("init", "briefing")
    assert result.exit_code == 0, result.output
    return here / "briefing"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _strict_build(project: Path, *extra: str) -> Result:
    return run("build", "--project", str(project), "--strict", "--check", *extra)


# --- init ----------------------------------------------------------------------------------


def test_init_writes_every_starter_file_and_says_what_next(here: Path) -> None:
    result = run("init", "briefing")
    assert result.exit_code == 0, result.output
    targets = [f.target for f in STARTER]
    assert sorted(_snapshot(here / "briefing")) == sorted(targets)
    assert result.stdout.splitlines() == [
        f"wrote a briefgen {__version__} project into briefing/:",
        *(f"  {t}" for t in targets),
        "next: cd briefing && briefgen serve --open  (README.md says what goes where)",
    ]
    assert {".gitignore", ".github/workflows/briefing.yml", "netlify.toml", "README.md"} <= set(
        targets
    )


def test_init_in_the_current_folder(here: Path) -> None:
    result = run("init")
    assert result.exit_code == 0, result.output
    assert (here / "briefgen.toml").is_file()
    assert (
        result.stdout.splitlines()[0]
        == f"wrote a briefgen {__version__} project into the current folder:"
    )
    assert result.stdout.splitlines()[-1] == (
        "next: briefgen serve --open  (README.md says what goes where)"
    )


def test_the_starter_builds_strict_and_checked_with_no_warning(started: Path) -> None:
    result = _strict_build(started)
    assert result.exit_code == 0, result.output
    # No warning, no broken link; only the note that a site without a host gets no feeds.
    assert result.stderr == (
        "note: base_url '/' names no host, so Atom feeds and sitemap.xml and robots.txt are "
        "not written: they need absolute URLs "
        '(set base_url = "https://your.host/" in briefgen.toml)\n'
    )
    assert result.stdout.splitlines()[-1].endswith(": 0 broken, 0 warnings")


def test_the_starter_shows_every_syntax(started: Path) -> None:
    assert _strict_build(started).exit_code == 0
    site = started / "site"

    def page(rel: str) -> HTMLParser:
        return HTMLParser((site / rel).read_text(encoding="utf-8"))

    brief = page("briefs/astana-invitation/index.html")
    mentions = [(a.attributes["href"], a.text()) for a in brief.css("a.mention")]
    assert ("/actors/sergei-lavrov/", "Russia's foreign minister") in mentions, "[[id|text]]"
    # [[Lavrov]] and [[Moscow]]: aliases standing for the ids, shown with the actor's name.
    source = (started / "content/briefs/astana-invitation.md").read_text(encoding="utf-8")
    assert "[[Lavrov]]" in source and "[[Moscow]]" in source
    assert ("/actors/russia/", "Russia") in mentions
    citations = [c.text() for c in brief.css("span.citation")]
    assert "[1, para. 1]" in citations, "a citation with a locator"
    assert "[1, para. 2; 1, para. 3]" in citations, "several citations at once"
    speakers = [a.text() for a in brief.css("figure.statement figcaption a.mention")]
    assert speakers == ["Sergei Lavrov"], "an attributed quote"
    notes = [li.text() for li in brief.css("section.footnotes li.footnote-item")]
    assert len(notes) == 1 and "who translated them" in notes[0], "a footnote"

    actor = page("actors/sergei-lavrov/index.html").text()
    assert "We expect the new administration to accept this invitation" in actor, "statement"
    timeline = page("timeline/index.html").text()
    assert "Syria talks scheduled to open in Astana" in timeline, "an event"


def test_init_fills_in_title_base_url_and_version(here: Path) -> None:
    result = run("init", "vienna", "--title", 'Vienna  "Watch"\n', "--base-url", "/vienna/")
    assert result.exit_code == 0, result.output
    config = load_config(here / "vienna")
    assert (config.title, config.base_url) == ('Vienna "Watch"', "/vienna/")
    readme = (here / "vienna/README.md").read_text(encoding="utf-8")
    assert readme.startswith('# Vienna "Watch"\n')
    assert f"pip install briefgen=={__version__}" in readme
    built = _strict_build(here / "vienna")
    assert built.exit_code == 0, built.output
    home = (here / "vienna/site/index.html").read_text(encoding="utf-8")
    assert 'href="/vienna/assets/style.' in home


def test_deploy_files_install_this_version_and_run_the_strict_checked_build(started: Path) -> None:
    netlify = tomllib.loads((started / "netlify.toml").read_text(encoding="utf-8"))
    ours = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
    assert netlify["headers"] == ours["headers"], "the same security headers as briefgen's own"
    assert netlify["build"] == {
        "command": f"pip install briefgen=={__version__} && briefgen build --strict --check",
        "publish": "site",
        "environment": {"PYTHON_VERSION": "3.11"},
    }
    workflow = yaml.safe_load((started / ".github/workflows/briefing.yml").read_text("utf-8"))
    steps = [step.get("run") for step in workflow["jobs"]["build"]["steps"]]
    assert steps[-2:] == [f"pip install briefgen=={__version__}", "briefgen build --strict --check"]
    ignored = (started / ".gitignore").read_text(encoding="utf-8").split()
    assert {"site/", ".briefgen-cache/"} <= set(ignored)


def test_init_refuses_a_folder_that_is_not_empty(here: Path) -> None:
    (here / "notes").mkdir()
    (here / "notes/ideas.txt").write_text("keep me\n", encoding="utf-8")
    (here / "notes/README.md").write_text("mine\n", encoding="utf-8")
    result = run("init", "notes")
    assert result.exit_code == 2
    assert result.stderr == (
        "notes: error: the folder is not empty (it holds README.md, ideas.txt) "
        "(name a new folder, or pass --force to add only the missing starter files)\n"
    )
    assert sorted(_snapshot(here / "notes")) == ["README.md", "ideas.txt"], "nothing written"


def test_init_refuses_an_existing_project(started: Path) -> None:
    before = _snapshot(started)
    result = run("init", "briefing")
    assert result.exit_code == 2
    assert result.stderr == (
        "briefing: error: already a briefgen project (briefgen.toml is there) "
        '(add a brief with briefgen new brief "Title", '
        "or pass --force to add only the missing starter files)\n"
    )
    assert _snapshot(started) == before


def test_force_writes_only_the_missing_files_and_lists_the_kept_ones(here: Path) -> None:
    (here / "repo/.git").mkdir(parents=True)
    (here / "repo/README.md").write_text("# Our briefing\n", encoding="utf-8")
    (here / "repo/.gitignore").write_text("*.bak\n", encoding="utf-8")
    result = run("init", "repo", "--force")
    assert result.exit_code == 0, result.output
    assert (here / "repo/README.md").read_text(encoding="utf-8") == "# Our briefing\n"
    assert (here / "repo/.gitignore").read_text(encoding="utf-8") == "*.bak\n"
    assert "kept .gitignore, README.md: already there (briefgen never overwrites a file)" in (
        result.stdout.splitlines()
    )
    assert "  README.md" not in result.stdout.splitlines()
    assert "  netlify.toml" in result.stdout.splitlines()
    assert (here / "repo/content/briefs/astana-invitation.md").is_file()
    again = run("init", "repo", "--force")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[1].startswith("kept briefgen.toml, content/briefs/")


def test_a_folder_holding_only_git_counts_as_empty(here: Path) -> None:
    (here / "cloned/.git").mkdir(parents=True)
    result = run("init", "cloned")
    assert result.exit_code == 0, result.output
    assert (here / "cloned/briefgen.toml").is_file()


def test_init_refuses_a_file_as_its_folder(here: Path) -> None:
    (here / "briefing.txt").write_text("", encoding="utf-8")
    result = run("init", "briefing.txt")
    assert result.exit_code == 2
    assert result.stderr == (
        "briefing.txt: error: is a file, not a folder "
        "(name a new folder, e.g. briefgen init my-briefing)\n"
    )


def test_init_names_the_file_in_the_way_of_its_folder(here: Path) -> None:
    (here / "notes.txt").write_text("", encoding="utf-8")
    result = run("init", "notes.txt/briefing")
    assert result.exit_code == 2
    assert result.stderr.startswith("notes.txt: error: is a file, not a folder")


def test_a_refused_write_exits_2_as_in_build_and_names_the_file(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = Path.open

    def refuse(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "x" in mode:  # only what init writes; it still reads its starter files
            raise PermissionError(13, "Permission denied", str(path))
        return opened(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = run("init", "briefing")
    assert result.exit_code == 2
    assert result.stderr == (
        "briefing/briefgen.toml: error: cannot write it (Permission denied) "
        "(check the folder's permissions and the free space on its disk)\n"
    )


def test_force_reports_a_file_where_a_folder_must_go(here: Path) -> None:
    (here / "odd").mkdir()
    (here / "odd/content").write_text("not a folder\n", encoding="utf-8")
    result = run("init", "odd", "--force")
    assert result.exit_code == 2
    assert result.stderr == "odd/content: error: is a file, not a folder (move or rename it)\n"


def test_force_writes_nothing_when_a_file_is_in_the_way(here: Path) -> None:
    (here / "p").mkdir()
    (here / "p/.github").write_text("", encoding="utf-8")
    (here / "p/content").write_text("", encoding="utf-8")
    result = run("init", "p", "--force")
    assert result.exit_code == 2
    assert result.stderr == (
        "p/.github: error: is a file, not a folder (move or rename it)\n"
        "p/content: error: is a file, not a folder (move or rename it)\n"
    )
    assert sorted(p.name for p in (here / "p").iterdir()) == [".github", "content"]


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        # The same check as briefgen.toml's base_url, and each proposal is accepted there.
        (
            "example.org",
            "'example.org' is neither an http(s) URL nor a path starting with '/' (write e.g. --base-url https://example.org/)",
        ),
        (
            "vienna/",
            "'vienna/' is neither an http(s) URL nor a path starting with '/' (write e.g. --base-url /vienna/)",
        ),
        (
            "ftp://example.org/",
            "'ftp://example.org/' is neither an http(s) URL nor a path starting with '/' (write e.g. --base-url https://example.org/)",
        ),
        (
            "HTTPS://example.org/",
            "'HTTPS://example.org/' is neither an http(s) URL nor a path starting with '/' (write e.g. --base-url https://example.org/)",
        ),
        (
            "localhost:8000",
            "'localhost:8000' is neither an http(s) URL nor a path starting with '/' (write e.g. --base-url http://localhost:8000/)",
        ),
        (
            "https:///briefing/",
            "'https:///briefing/' has no host (write e.g. --base-url https://example.org/briefing/)",
        ),
        (
            "https://example.org/my briefing/",
            "'https://example.org/my briefing/' is not a clean URL path: it has a space "
            "(write e.g. --base-url https://example.org/my-briefing/)",
        ),
    ],
)
def test_init_checks_the_base_url(here: Path, base_url: str, message: str) -> None:
    result = run("init", "briefing", "--base-url", base_url)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--base-url': {message}"
    assert not (here / "briefing").exists()


@pytest.mark.parametrize("base_url", ["https://example.org", "http://localhost:8000/b/", "/"])
def test_init_takes_good_base_urls(here: Path, base_url: str) -> None:
    result = run("init", "briefing", "--base-url", base_url)
    assert result.exit_code == 0, result.output
    kept = load_config(here / "briefing").base_url
    assert kept == (base_url if base_url.endswith("/") else base_url + "/")


def test_init_refuses_an_empty_title(here: Path) -> None:
    result = run("init", "briefing", "--title", "  ")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--title': the title is empty "
        '(write e.g. --title "Astana Watch")'
    )


# --- new -----------------------------------------------------------------------------------


def _new(project: Path, *args: str) -> Result:
    """`briefgen new ... --project DIR` with DIR as the writer types it, from the current folder."""
    return run("new", *args, "--project", str(project.relative_to(Path.cwd())))


def test_new_brief_is_a_dated_draft_that_builds(started: Path) -> None:
    result = _new(started, "brief", "Lavrov on the Geneva talks")
    assert result.exit_code == 0, result.output
    assert result.stdout == "briefing/content/briefs/lavrov-on-the-geneva-talks.md\n"
    assert result.stderr == (
        "brief 'lavrov-on-the-geneva-talks' is a draft: briefgen serve shows it, "
        "briefgen build leaves it out until you delete the line 'draft: true'\n"
    )
    content, problems = load_content(started)
    assert problems == []
    brief = next(b for b in content.briefs if b.id == "lavrov-on-the-geneva-talks")
    assert brief.title == "Lavrov on the Geneva talks"
    assert brief.summary == brief.title, "a stand-in until the writer writes one"
    assert brief.date in {dt.date.today(), dt.date.today() - dt.timedelta(days=1)}
    assert brief.draft
    built = _strict_build(started, "--drafts")
    assert built.exit_code == 0, built.output
    assert (started / "site/briefs/lavrov-on-the-geneva-talks/index.html").is_file()
    assert _strict_build(started).exit_code == 0, "left out of a build without --drafts"
    assert not (started / "site/briefs/lavrov-on-the-geneva-talks").exists()


def test_new_actor_in_cyrillic_and_its_expected_warning(started: Path) -> None:
    result = _new(started, "actor", "Владимир Путин")
    assert result.exit_code == 0, result.output
    assert result.stdout == "briefing/content/actors/vladimir-putin.md\n"
    assert result.stderr == (
        "mention actor 'vladimir-putin' in a brief as [[vladimir-putin]]; until then, build "
        "warns \"actor 'vladimir-putin' is not mentioned in any brief\" (and --strict fails): "
        "that is expected\n"
    )
    unused = _strict_build(started)
    assert unused.exit_code == 1
    assert unused.stderr.splitlines()[0] == (
        "content/actors/vladimir-putin.md:1:1: warning: actor 'vladimir-putin' is not "
        "mentioned in any brief (mention it as [[vladimir-putin]] or delete the file)"
    )
    brief = started / "content/briefs/astana-invitation.md"
    brief.write_text(
        brief.read_text(encoding="utf-8") + "\n[[Владимир Путин]] said nothing.\n", "utf-8"
    )
    assert _strict_build(started).exit_code == 0
    profile = (started / "site/actors/vladimir-putin/index.html").read_text(encoding="utf-8")
    assert "<h1>Владимир Путин</h1>" in profile


def test_new_source_and_its_expected_warning(started: Path) -> None:
    result = _new(started, "source", "Russia invites US to Syrian peace talks")
    assert result.exit_code == 0, result.output
    assert result.stdout == "briefing/content/sources/russia-invites-us-to-syrian-peace-talks.md\n"
    assert "build warns \"source 'russia-invites-us-to-syrian-peace-talks' is not cited" in (
        result.stderr
    )
    uncited = _strict_build(started)
    assert uncited.exit_code == 1
    assert (
        "content/sources/russia-invites-us-to-syrian-peace-talks.md:1:1: warning: source "
        "'russia-invites-us-to-syrian-peace-talks' is not cited in any brief (cite it as "
        "[@russia-invites-us-to-syrian-peace-talks] or delete the file)"
    ) in uncited.stderr.splitlines()
    # Its url is still a comment: a source nobody can find again is a warning too.
    assert (
        "content/sources/russia-invites-us-to-syrian-peace-talks.md:1:1: warning: source "
        "'russia-invites-us-to-syrian-peace-talks' has no url, doi, publisher or publication "
        "to find it by (add url: https://... (or doi: 10.xxxx/..., or publisher: ...) so "
        "readers can find the document)"
    ) in uncited.stderr.splitlines()
    source = started / "content/sources/russia-invites-us-to-syrian-peace-talks.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("# url: https://...", "url: https://ft.com/x"),
        "utf-8",
    )
    brief = started / "content/briefs/astana-invitation.md"
    brief.write_text(
        brief.read_text(encoding="utf-8")
        + "\nSee also [@russia-invites-us-to-syrian-peace-talks, p. 1].\n",
        "utf-8",
    )
    assert _strict_build(started).exit_code == 0


def test_new_page_builds_and_is_linked(here: Path) -> None:
    assert run("init", "vienna", "--base-url", "https://example.org/vienna/").exit_code == 0
    result = _new(here / "vienna", "page", "About this briefing")
    assert result.exit_code == 0, result.output
    assert result.stdout == "vienna/content/pages/about-this-briefing.md\n"
    assert result.stderr == (
        "page 'about-this-briefing' is published at /vienna/about-this-briefing/ "
        "and listed in every page's menu\n"
    )
    built = _strict_build(here / "vienna")
    assert built.exit_code == 0, built.output
    assert built.stderr == ""
    assert (here / "vienna/site/about-this-briefing/index.html").is_file()


def test_new_in_the_current_folder_prints_a_path_to_open(
    started: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(started)
    result = run("new", "brief", "Talks open")
    assert result.exit_code == 0, result.output
    assert result.stdout == "content/briefs/talks-open.md\n"
    assert Path(result.stdout.strip()).is_file()


TRICKY_TITLES = (
    'Lavrov: "no deal"',
    "yes",
    "2017-01-17",
    "#1 priority",
    "? a question: or a key",
    "Titles: - a list",
    "It's [[not]] a mention",
    "Peace & war: a # sign",
    "Сергей Лавров о санкциях",
    "A title\nwith a line break",
)


def test_new_titles_come_back_as_typed(started: Path) -> None:
    for title in TRICKY_TITLES:
        for kind in ("brief", "page"):
            result = _new(started, kind, title)
            assert result.exit_code == 0, result.output
    content, problems = load_content(started)
    assert problems == []
    expected = {" ".join(title.split()) for title in TRICKY_TITLES}
    assert {p.title for p in content.pages} == expected
    assert {b.title for b in content.briefs if b.draft} == expected
    built = _strict_build(started, "--drafts")
    assert built.exit_code == 0, built.output
    shown = {
        h1.text()
        for page in content.pages
        for h1 in HTMLParser((started / "site" / page.id / "index.html").read_text("utf-8")).css(
            "h1"
        )
    }
    assert shown == expected


def test_new_refuses_to_overwrite_and_proposes_an_id(started: Path) -> None:
    before = (started / "content/actors/sergei-lavrov.md").read_bytes()
    result = _new(started, "actor", "Сергей Лавров")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "briefing/content/actors/sergei-lavrov.md: error: actor 'sergei-lavrov' exists "
        "already; briefgen never overwrites a file (pass another id, e.g. --id sergei-lavrov-2)\n"
    )
    assert (started / "content/actors/sergei-lavrov.md").read_bytes() == before
    chosen = _new(started, "actor", "Сергей Лавров", "--id", "sergei-lavrov-2")
    assert chosen.exit_code == 0, chosen.output
    assert chosen.stdout == "briefing/content/actors/sergei-lavrov-2.md\n"
    third = _new(started, "actor", "Sergei Lavrov")
    assert third.stderr.endswith("(pass another id, e.g. --id sergei-lavrov-3)\n")


def test_new_sees_ids_in_subfolders(started: Path) -> None:
    # The id is the file name, whatever the subfolder, for new as for build.
    (started / "content/briefs/2016").mkdir()
    (started / "content/briefs/2016/sanctions-eu.md").write_text(
        "---\ntitle: Sanctions\ndate: 2016-01-01\nsummary: EU sanctions.\n---\n\nText.\n",
        encoding="utf-8",
    )
    (started / "content/briefs/2016/sanctions-eu-2.md").write_text("", encoding="utf-8")
    before = _snapshot(started)
    result = _new(started, "brief", "Sanctions EU")
    assert result.exit_code == 2
    assert result.stderr == (
        "briefing/content/briefs/2016/sanctions-eu.md: error: brief 'sanctions-eu' exists "
        "already; briefgen never overwrites a file (pass another id, e.g. --id sanctions-eu-3)\n"
    )
    assert _snapshot(started) == before
    (started / "content/briefs/2016/sanctions-eu-2.md").unlink()
    assert _new(started, "brief", "Sanctions EU", "--id", "sanctions-eu-3").exit_code == 0


def test_new_actor_sees_the_names_of_actors_in_subfolders(started: Path) -> None:
    (started / "content/actors/people").mkdir()
    (started / "content/actors/sergei-lavrov.md").rename(
        started / "content/actors/people/sergei-lavrov.md"
    )
    before = _snapshot(started)
    alias = _new(started, "actor", "Lavrov")
    assert alias.exit_code == 2
    assert alias.stderr.startswith(
        "briefing/content/actors/lavrov.md: error: 'Lavrov' already stands for actor "
        "'sergei-lavrov' (briefing/content/actors/people/sergei-lavrov.md)"
    )
    assert _snapshot(started) == before


def test_new_actor_may_not_take_over_a_name_already_in_use(started: Path) -> None:
    before = _snapshot(started)
    alias = _new(started, "actor", "Lavrov")
    assert alias.exit_code == 2
    assert alias.stderr == (
        "briefing/content/actors/lavrov.md: error: 'Lavrov' already stands for actor "
        "'sergei-lavrov' (briefing/content/actors/sergei-lavrov.md): an actor with the id "
        "'lavrov' would take over every [[Lavrov]] (mention that actor as [[Lavrov]], or pass "
        "another id for a new one, e.g. --id lavrov-2)\n"
    )
    named_as_an_id = _new(started, "actor", "Russia", "--id", "russian-empire")
    assert named_as_an_id.exit_code == 2
    assert named_as_an_id.stderr == (
        "briefing/content/actors/russian-empire.md: error: 'Russia' is the id of actor 'russia' "
        "(briefing/content/actors/russia.md), so [[Russia]] can only mean that actor (mention "
        "it as [[russia]]; a different actor needs another name)\n"
    )
    assert _snapshot(started) == before


def test_new_actor_advice_is_advice_that_works(started: Path) -> None:
    before = _snapshot(started)
    # 'Russia' is the id of actor 'russia': no other id would help, the name must differ.
    again = _new(started, "actor", "Russia")
    assert again.exit_code == 2
    assert again.stderr == (
        "briefing/content/actors/russia.md: error: actor 'russia' exists already; briefgen "
        "never overwrites a file (mention it as [[russia]]; a different actor needs a name "
        "other than 'Russia', which is the id of actor 'russia', e.g. briefgen new actor "
        '"Russia 2")\n'
    )
    # Both refusals at once: the name is what must change, so that is what is said.
    both = _new(started, "actor", "Russia", "--id", "lavrov")
    assert both.stderr.endswith("a different actor needs another name)\n")
    assert _snapshot(started) == before
    followed = _new(started, "actor", "Russia 2")
    assert followed.exit_code == 0, followed.output
    # A name that is fine with another id is told the id, and the id proposed is free.
    (started / "content/actors/lavrov-2.md").write_text(
        "---\nname: Lavrov Two\nkind: person\n---\n", encoding="utf-8"
    )
    alias = _new(started, "actor", "Lavrov")
    assert alias.stderr.endswith("e.g. --id lavrov-3)\n")
    assert _new(started, "actor", "Lavrov", "--id", "lavrov-3").exit_code == 0


def test_new_actor_sharing_a_name_is_told_to_write_ids(started: Path) -> None:
    result = _new(started, "actor", "Sergei Lavrov", "--id", "sergei-lavrov-junior")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        "that is expected; 'Sergei Lavrov' is also a name of actor 'sergei-lavrov', so a "
        "mention [[Sergei Lavrov]] is ambiguous: write [[sergei-lavrov-junior]] or "
        "[[sergei-lavrov]]\n"
    )
    brief = started / "content/briefs/astana-invitation.md"
    brief.write_text(brief.read_text("utf-8") + "\n[[Sergei Lavrov]] again.\n", "utf-8")
    built = _strict_build(started)
    assert (
        "error: ambiguous actor 'Sergei Lavrov': it may mean 'sergei-lavrov-junior', "
        "'sergei-lavrov' (write the id instead)"
    ) in built.stderr


@pytest.mark.parametrize(
    ("args", "param", "message"),
    [
        (
            ("brief", ""),
            "TITLE",
            'the title is empty (write e.g. briefgen new brief "Russia invites the US to Astana")',
        ),
        (
            ("actor", "   "),
            "TITLE",
            'the title is empty (write e.g. briefgen new actor "Sergei Lavrov")',
        ),
        (
            ("brief", "?!…"),
            "TITLE",
            "'?!…' has no letters or digits to make an id of "
            "(pass one with --id, e.g. --id my-brief)",
        ),
        (
            ("page", "Timeline"),
            "TITLE",
            "the id 'timeline' is taken by a section of the site "
            "(pass another with --id, e.g. --id timeline-page)",
        ),
        (
            ("brief", "Page"),
            "TITLE",
            "the id 'page' is taken by the pages of the brief index "
            "(pass another with --id, e.g. --id page-brief)",
        ),
        (
            ("page", "About", "--id", "404"),
            "--id",
            "the id '404' is taken by a section of the site "
            "(pass another with --id, e.g. --id 404-page)",
        ),
        (
            ("source", "FT", "--id", "FT 17 January"),
            "--id",
            "'FT 17 January' is not an id: ids are lowercase letters, digits and hyphens "
            "(e.g. --id ft-17-january)",
        ),
    ],
)
def test_new_refuses_what_it_cannot_name(
    started: Path, args: tuple[str, ...], param: str, message: str
) -> None:
    before = _snapshot(started)
    result = _new(started, *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '{param}': {message}"
    assert _snapshot(started) == before


def test_a_long_title_gives_an_id_cut_at_a_hyphen_that_builds(started: Path) -> None:
    title = "word " * 60
    result = _new(started, "brief", title)
    assert result.exit_code == 0, result.output
    entry_id = Path(result.stdout.strip()).stem
    assert entry_id == "-".join(["word"] * 40)  # 199 characters: a 41st word would pass 200
    assert len(entry_id) <= MAX_SEGMENT
    again = _new(started, "brief", title)
    assert again.exit_code == 2
    proposal = again.stderr.rsplit("--id ", 1)[1].rstrip(")\n")
    assert len(proposal) <= MAX_SEGMENT
    assert _new(started, "brief", title, "--id", proposal).exit_code == 0
    built = run("build", "--project", str(started), "--drafts")
    assert built.exit_code == 0, built.output


def test_new_refuses_an_id_over_the_limit(started: Path) -> None:
    before = _snapshot(started)
    given = "-".join(["word"] * 41)
    result = _new(started, "brief", "Talks", "--id", given)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--id': '{given}' is 204 characters long, over the limit "
        f"of {MAX_SEGMENT} for an id (e.g. --id {'-'.join(['word'] * 40)})"
    )
    assert _snapshot(started) == before


def test_new_outside_a_project(here: Path) -> None:
    result = run("new", "brief", "Talks open")
    assert result.exit_code == 2
    assert result.stderr == (
        "briefgen.toml: error: not a briefgen project: there is no briefgen.toml in the "
        "current folder (run briefgen init to start one, or pass --project DIR)\n"
    )
    elsewhere = run("new", "brief", "Talks open", "--project", "notes")
    assert elsewhere.exit_code == 2
    assert elsewhere.stderr == (
        "notes/briefgen.toml: error: not a briefgen project: there is no briefgen.toml in "
        "'notes' (run briefgen init notes to start one, or pass --project DIR)\n"
    )
    assert list(here.iterdir()) == []


def test_new_and_build_inside_a_project_point_at_it(
    started: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(started)
    monkeypatch.chdir(started / "content/briefs")
    result = run("new", "brief", "Talks open")
    assert result.exit_code == 2
    assert result.stderr == (
        "briefgen.toml: error: not a briefgen project: there is no briefgen.toml in the "
        "current folder (you are inside the project at ../..; run briefgen from there or "
        "pass --project ../..)\n"
    )
    built = run("build")
    assert built.exit_code == 2
    assert built.stderr.startswith(
        "briefgen.toml: error: no briefgen.toml in '.' (you are inside the project at ../..; "
        "run briefgen from there or pass --project ../..)\n"
    )
    assert run("build", "--no-cache").stderr == built.stderr
    monkeypatch.chdir(started.parent)
    given = run("new", "brief", "Talks open", "--project", "briefing/content")
    assert given.stderr.endswith(
        "('briefing/content' is inside the project at briefing: pass --project briefing)\n"
    )
    assert _snapshot(started) == before
    followed = run("new", "brief", "Talks open", "--project", "briefing")
    assert followed.exit_code == 0, followed.output


def test_new_knows_only_four_kinds(started: Path) -> None:
    result = _new(started, "event", "Talks open")
    assert result.exit_code == 2
    assert "Invalid value for '{brief|actor|source|page}': 'event' is not one of" in (result.stderr)


def test_a_title_starting_with_a_dash_goes_after_double_dash(started: Path) -> None:
    project = str(started.relative_to(Path.cwd()))
    result = run("new", "--project", project, "brief", "--", "-30 % in a day")
    assert result.exit_code == 0, result.output
    assert result.stdout == "briefing/content/briefs/30-in-a-day.md\n"
    content, problems = load_content(started)
    assert problems == []
    assert "-30 % in a day" in {b.title for b in content.briefs}


def test_the_readme_pins_this_version() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pinned = set(re.findall(r"pip install briefgen==([\w.]+)", readme))
    assert pinned == {__version__}, "the README's install advice names another version"


@pytest.mark.parametrize(
    ("kind", "keys"),
    [("brief", BRIEF_KEYS), ("actor", ACTOR_KEYS), ("source", SOURCE_KEYS), ("page", PAGE_KEYS)],
)
def test_new_files_suggest_only_real_keys_and_values(
    started: Path, kind: str, keys: tuple[str, ...]
) -> None:
    result = _new(started, kind, "Suggested")
    assert result.exit_code == 0, result.output
    text = (Path.cwd() / result.stdout.strip()).read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    written = re.findall(r"^(\w+):", front, re.MULTILINE)
    suggested = re.findall(r"^# (\w+):", front, re.MULTILINE)
    assert suggested, "the optional keys are shown as comments"
    assert set(written) | set(suggested) <= set(keys)
    # Every choice a comment lists is one briefgen accepts.
    choices = re.findall(r"^kind: \w+ +# (.*)$", front, re.MULTILINE)
    assert len(choices) == (kind in ("actor", "source"))
    for choice in choices:
        listed = [w.split()[0] for w in choice.split(" | ")]
        assert set(listed) == set(ACTOR_KINDS if kind == "actor" else SOURCE_KINDS)
