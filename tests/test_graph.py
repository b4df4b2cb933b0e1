"""The graph stage: backlinks, references, co-mentions, related briefs, timelines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefgen.graph import group_timeline
from briefgen.load import load_content
from briefgen.model import PartialDate
from briefgen.paths import Url, Urls
from briefgen.site import Site, TimelineEntry
from briefgen.siteindex import build_graph

from .conftest import Project


def graph(project: Project) -> tuple[Site, list[str]]:
    content, problems = load_content(project.root)
    assert problems == []
    site, diagnostics = build_graph(content, Urls("/"))
    return site, [d.format() for d in diagnostics]


def test_actors_gather_front_matter_mentions_statements_and_events(project: Project) -> None:
    site, problems = graph(project)
    assert problems == []
    invitation = site.briefs["invitation"]
    # Front matter, mentions and statements, listed as the actors index lists them:
    # by kind, people by last name, states by name.
    assert invitation.actors == ("sergei-lavrov", "donald-trump", "russia")
    assert site.actors["sergei-lavrov"].briefs == ("invitation", "sanctions")  # newest first
    assert list(site.briefs) == ["invitation", "sanctions"]


def test_references_number_by_first_citation(project: Project) -> None:
    site, _ = graph(project)
    refs = site.briefs["invitation"].references
    assert [(r.source_id, r.number, len(r.citations)) for r in refs] == [
        ("haaretz-2017-01-17", 1, 3),
        ("ft-2017-01-17", 2, 1),
    ]


def test_uncited_front_matter_source_is_listed_without_number(project: Project) -> None:
    project.write(
        "content/briefs/sanctions.md",
        """
        ---
        title: Lavrov on sanctions
        date: 2017-01-16
        summary: S.
        sources: [ft-2017-01-17]
        ---
        [[sergei-lavrov]] spoke [@haaretz-2017-01-17].
        """,
    )
    site, _ = graph(project)
    refs = site.briefs["sanctions"].references
    assert [(r.source_id, r.number) for r in refs] == [
        ("haaretz-2017-01-17", 1),
        ("ft-2017-01-17", None),
    ]
    citing = {c.brief_id: c.citations for c in site.sources["ft-2017-01-17"].citing}
    assert citing["sanctions"] == ()  # listed in front matter, cited nowhere in the body


def test_statements_reach_actor_and_source(project: Project) -> None:
    site, _ = graph(project)
    (quoted,) = site.actors["sergei-lavrov"].statements
    assert quoted.brief_id == "invitation"
    assert quoted.url == "/briefs/invitation/#statement-1"
    assert quoted.statement.source_id == "haaretz-2017-01-17"
    assert site.sources["haaretz-2017-01-17"].statements == (quoted,)


def test_co_mentions_count_shared_briefs(project: Project) -> None:
    site, _ = graph(project)
    assert site.actors["sergei-lavrov"].co_mentions == (("donald-trump", 2), ("russia", 1))
    assert site.actors["russia"].affiliation is None
    assert site.actors["sergei-lavrov"].affiliation == "russia"
    assert site.actors["russia"].members == ("sergei-lavrov",)


def test_related_briefs_share_actors(project: Project) -> None:
    project.write(
        "content/briefs/unrelated.md",
        "---\ntitle: U\ndate: 2017-01-10\nsummary: S.\nactors: [russia]\n---\n",
    )
    site, _ = graph(project)
    assert site.briefs["invitation"].related == ("sanctions", "unrelated")
    assert site.briefs["unrelated"].related == ("invitation",)


def test_timeline_is_in_date_order_grouped_by_year_and_month(project: Project) -> None:
    project.write(
        "content/briefs/older.md",
        """
        ---
        title: Older
        date: 2016-12-30
        summary: S.
        events:
          - {date: 2016-09, title: September ceasefire, actors: [russia]}
          - {date: 2016-12-29, title: December ceasefire}
          - {date: 2016, title: Talks through the year}
        ---
        """,
    )
    site, _ = graph(project)
    flat = [
        (year.year, month.label, entry.date.iso, entry.title)
        for year in site.timeline
        for month in year.months
        for entry in month.entries
    ]
    assert flat == [
        # Known only to the year: first in its year, under a heading of its own.
        (2016, "During 2016", "2016", "Talks through the year"),
        (2016, "September 2016", "2016-09", "September ceasefire"),
        (2016, "December 2016", "2016-12-29", "December ceasefire"),
        (2016, "December 2016", "2016-12-30", "Older"),
        (2017, "January 2017", "2017-01-16", "Lavrov on sanctions"),
        (2017, "January 2017", "2017-01-17", "Russia invites the US to Astana"),
        (2017, "January 2017", "2017-01-23", "Astana talks open"),
    ]
    russia = site.actors["russia"].timeline
    assert [e.title for y in russia for m in y.months for e in m.entries] == [
        "September ceasefire",
        "Astana talks open",
    ]


def test_tags_merge_spellings_with_one_slug(project: Project) -> None:
    project.write(
        "content/briefs/sanctions.md",
        "---\ntitle: T\ndate: 2017-01-16\nsummary: S.\ntags: [Syria, sanctions]\n---\n[[Trump]]\n",
    )
    site, _ = graph(project)
    assert list(site.tags) == ["diplomacy", "sanctions", "syria"]
    assert site.tags["syria"].briefs == ("invitation", "sanctions")


def test_unused_actor_and_source_are_warnings(project: Project) -> None:
    project.write("content/actors/rex-tillerson.md", "---\nname: Rex Tillerson\n---\n")
    # With a publication: a source with nothing to find it by is a warning of its own.
    project.write("content/sources/tass.md", "---\ntitle: TASS report\npublication: TASS\n---\n")
    _, problems = graph(project)
    assert problems == [
        "content/actors/rex-tillerson.md:1:1: warning: actor 'rex-tillerson' is not mentioned"
        " in any brief (mention it as [[rex-tillerson]] or delete the file)",
        "content/sources/tass.md:1:1: warning: source 'tass' is not cited in any brief"
        " (cite it as [@tass] or delete the file)",
    ]


def test_alias_equal_to_another_actors_id_is_a_warning(project: Project) -> None:
    project.write(
        "content/actors/donald-trump.md", "---\nname: Donald Trump\naliases: [Trump, russia]\n---\n"
    )
    _, problems = graph(project)
    assert problems == [
        "content/actors/donald-trump.md:3:18: warning: 'russia' of actor 'donald-trump' is the id of"
        " another actor, so [[russia]] always means 'russia' (remove 'russia' or write [[donald-trump]])"
    ]


def test_no_unused_warnings_while_a_file_fails_to_load(project: Project) -> None:
    """sanctions.md mentions Lavrov and Trump: while it cannot be read, they are not unused."""
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(
        path.read_text().replace("title: Lavrov on sanctions", "title: Lavrov: sanctions")
    )
    project.remove("content/briefs/invitation.md")
    result = project.cli("build")
    assert result.exit_code == 1
    problems = [
        line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line
    ]
    assert problems == [
        "content/briefs/sanctions.md:2:14: error: invalid YAML in front matter: a value with ': '"
        ' in it must be in quotes (write title: "Lavrov: sanctions")'
    ]


def test_a_year_only_event_is_shown_on_the_timeline_page(project: Project) -> None:
    path = project.root / "content/briefs/sanctions.md"
    path.write_text(
        path.read_text().replace(
            "tags: [sanctions]",
            "tags: [sanctions]\nevents:\n  - {date: 2015, title: Year of talks}",
        )
    )
    project.build()
    page = project.page("timeline/index.html")
    assert "During 2015" in page
    assert '<time datetime="2015">2015</time>' in page
    assert page.index("During 2015") < page.index("Year of talks") < page.index("January 2017")


_dates = st.builds(
    PartialDate,
    st.integers(2015, 2017),
    st.integers(0, 2),
    st.integers(0, 2),
    st.sampled_from(["", "~", "?", "%"]),
    st.sampled_from([(), (2017, 1, 0), (2017, 2, 3)]),
    st.sampled_from(["", "~"]),
    st.sampled_from(["", "..", "/"]),
)


@given(st.lists(st.tuples(_dates, st.booleans(), st.sampled_from(["a", "b"])), max_size=30))
def test_the_timeline_is_in_the_order_of_its_dates(
    items: list[tuple[PartialDate, bool, str]],
) -> None:
    entries = [
        TimelineEntry(date, title, Url(f"/x/{n}/"), "x", (), (), is_brief)
        for n, (date, is_brief, title) in enumerate(items)
    ]
    grouped = [e for year in group_timeline(entries) for m in year.months for e in m.entries]
    # As the dates themselves compare (order=True), events before briefs, then by title.
    assert grouped == sorted(entries, key=lambda e: (e.date, not e.is_brief, e.title))
