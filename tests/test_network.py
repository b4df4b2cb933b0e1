"""The actor network page: deterministic, bounded on a large site, and its settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.generate import generate
from briefgen.build import build, graph_of, load_files
from briefgen.config import NetworkConfig, load_config, parse_config
from briefgen.errors import ConfigError
from briefgen.rebuild import Rebuilder
from briefgen.render import SiteRenderer

from .conftest import REPO, Project
from .test_rebuild import tree

PAGE = "actors/network/index.html"


def test_two_builds_give_the_same_bytes_serial_or_parallel(tmp_path: Path) -> None:
    build(REPO, tmp_path / "a", jobs=1)
    build(REPO, tmp_path / "b", jobs=2)
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    outputs = [rel for rel in a if rel.startswith("data/") or rel == PAGE]
    assert len(outputs) == 15
    assert [rel for rel in outputs if a[rel] != b.get(rel)] == []


def _circles(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a id="actor-([a-z0-9-]+)" class="node kind-(\w+)"', html)


def test_settings_bound_what_is_drawn(project: Project) -> None:
    project.write(
        "content/actors/angela-merkel.md", "---\nname: Angela Merkel\nkind: person\n---\n"
    )
    project.write(
        "content/briefs/berlin.md",
        """
        ---
        title: Berlin
        date: 2017-01-19
        summary: Merkel met Lavrov.
        ---

        [[Angela Merkel]] met [[sergei-lavrov]] and [[Russia]] [@ft-2017-01-17].
        """,
    )
    project.build()
    everyone = _circles(project.page(PAGE))
    assert len(everyone) == 4
    config = project.root / "briefgen.toml"
    config.write_text(config.read_text() + "\n[network]\nactors = 2\nties = 1\n")
    project.build()
    html = project.page(PAGE)
    # The two most-mentioned actors (Lavrov in 3 briefs; Trump and Russia in 2, the tie
    # going by id), their one tie, and the others listed to link to.
    assert sorted(actor for actor, _ in _circles(html)) == ["donald-trump", "sergei-lavrov"]
    assert html.count("<line ") == 1 and html.count("<tr><td>") == 1
    assert "the 2 most-mentioned of 4 actors" in html
    assert 'id="actor-angela-merkel"' in html and 'id="actor-russia"' in html


def test_an_edit_redraws_the_page_only_when_ties_or_cards_change(
    project: Project, tmp_path: Path
) -> None:
    rebuilder = Rebuilder(project.root, tmp_path / "preview")
    rebuilder.full()
    deps = rebuilder.deps[PAGE]
    assert not any(kind == "brief-page" or kind == "brief" for kind, _ in deps)
    before = (rebuilder.out / PAGE).read_text()
    path = project.root / "content/actors/russia.md"
    path.write_text(path.read_text().replace("kind: state", "kind: organisation"))
    rebuilder.update([path])
    after = (rebuilder.out / PAGE).read_text()
    assert ("russia", "state") in _circles(before)
    assert ("russia", "organisation") in _circles(after)


def test_a_thousand_actors_stay_readable_and_small(tmp_path: Path) -> None:
    project = tmp_path / "large"
    counts = generate(project, 10000)
    assert counts["actors"] == 1000
    # Keep one brief in five: a thousand actors, with a graph quicker to make.
    for at, brief in enumerate(sorted((project / "content" / "briefs").rglob("*.md"))):
        if at % 5:
            brief.unlink()
    config = load_config(project)
    index, _ = graph_of(load_files(project).values(), config, drafts=False, strict=False)
    site = index.site
    assert len(site.actors) == 1000
    html = SiteRenderer(site, config, project).render(PAGE).html
    size = len(html.encode())
    assert size < 300 * 1024, f"the network page is {size / 1024:.0f} KB"
    assert len(_circles(html)) <= NetworkConfig().actors
    assert html.count("<line ") == NetworkConfig().ties
    listed = re.findall(r'<li id="actor-', html)
    with_ties = sum(1 for node in site.actors.values() if node.co_mentions)
    assert len(listed) + len(_circles(html)) == with_ties > 500


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[network]\nactors = 0\n", "'network.actors' must be at least 1"),
        ("[network]\nties = 1.5\n", "'network.ties' must be a whole number, not 1.5"),
        ("[data]\nenabled = 1\n", "'data.enabled' must be true or false, not 1"),
    ],
)
def test_bad_settings_are_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config('title = "T"\n' + text)
    assert message in str(raised.value.diagnostics[0].message)


def test_settings_default_and_read() -> None:
    config = parse_config('title = "T"\n[data]\nenabled = false\n[network]\nactors = 9\n')
    assert config.data.enabled is False
    assert (config.network.actors, config.network.ties) == (9, 150)
