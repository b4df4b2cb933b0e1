"""EDTF dates (dates.py): what each form reads as, how it is said, how it sorts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.dates import read
from briefgen.graph import group_timeline
from briefgen.model import PartialDate
from briefgen.paths import Url
from briefgen.site import TimelineEntry

from .conftest import Project


@pytest.mark.parametrize(
    ("text", "label", "iso"),
    [
        ("2017-01~", "c. January 2017", "2017-01"),
        ("2016?", "2016 (uncertain)", "2016"),
        ("2016-12%", "c. December 2016 (uncertain)", "2016-12"),
        ("2017-01-23/2017-01-24", "23\u201324 January 2017", "2017-01-23"),
        ("2017-01-23/2017-02-04", "23 January \u2013 4 February 2017", "2017-01-23"),
        ("2016-12/2017-02", "December 2016 \u2013 February 2017", "2016-12"),
        ("2017-01/2017-03", "January\u2013March 2017", "2017-01"),
        ("2015/2017", "2015\u20132017", "2015"),
        ("2016?/2017~", "2016 (uncertain) \u2013 c. 2017", "2016"),
        ("2011-03/..", "since March 2011", "2011-03"),
        ("2011-03/", "from March 2011", "2011-03"),
    ],
)
def test_an_edtf_date_is_said_in_words(text: str, label: str, iso: str) -> None:
    date = read(text)
    assert isinstance(date, PartialDate)
    assert (date.label, date.iso, date.edtf) == (label, iso, text)
    assert not date.exact


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2017-13~", "'2017-13~' is not a date in EDTF"),
        ("2017-02-30?", "'2017-02-30?' is not a date in EDTF"),
        ("2017-01-24/2017-01-23", "the interval '2017-01-24/2017-01-23' ends before it starts"),
        ("../2017", "'../2017' is EDTF that briefgen does not place on a timeline"),
        ("2017-21/..", "'2017-21/..' is EDTF that briefgen does not place on a timeline"),
    ],
)
def test_what_is_not_read_says_why(text: str, problem: str) -> None:
    found = read(text)
    assert isinstance(found, tuple)
    assert found[0] == problem


def test_exact_dates_keep_their_look() -> None:
    for date, label in [
        (PartialDate(2017, 1, 17), "17 January 2017"),
        (PartialDate(2016, 9), "September 2016"),
        (PartialDate(2015), "2015"),
    ]:
        assert date.exact and date.label == label and date.edtf == date.iso


def test_dates_sort_by_their_earliest_day() -> None:
    """c. January 2017 sorts with January 2017; an interval by its start."""

    def entry(date: PartialDate, title: str) -> TimelineEntry:
        return TimelineEntry(date, title, Url("/b/"), "b", (), (), False)

    dates = ["2017-01-23/2017-01-24", "2017-01~", "2016?", "2017-01-20", "2011-03/..", "2017-02"]
    entries = []
    for text in dates:
        parsed = read(text) if not text.endswith("-20") else PartialDate(2017, 1, 20)
        assert isinstance(parsed, PartialDate)
        entries.append(entry(parsed, text))
    groups = group_timeline(entries)
    order = [e.title for g in groups for m in g.months for e in m.entries]
    assert order == [
        "2011-03/..",
        "2016?",
        "2017-01~",
        "2017-01-20",
        "2017-01-23/2017-01-24",
        "2017-02",
    ]
    assert [m.label for g in groups for m in g.months] == [
        "March 2011",
        "During 2016",
        "January 2017",
        "February 2017",
    ]


def test_edtf_events_show_in_words_and_as_ranges(project: Project) -> None:
    """YAML reads 2017-01-17 and 2017-01~ alike (both as text); quoted or not, the same."""
    project.write(
        "content/briefs/invitation.md",
        """
        ---
        title: Russia invites the US to Astana
        date: 2017-01-17
        summary: Lavrov invited the incoming administration.
        actors: [russia]
        events:
          - {date: 2017-01-23/2017-01-24, title: Astana talks}
          - {date: "2016-12~", title: Aleppo falls}
          - {date: 2011-03/.., title: War in Syria}
          - {date: 2017-01-17, title: Press conference}
        ---
        Text [@ft-2017-01-17].
        """,
    )
    project.build(strict=True)
    page = project.page("briefs/invitation/index.html")
    assert '<li id="event-1" class="timeline-event timeline-range">' in page
    assert '<time datetime="2017-01-23">23\u201324 January 2017</time>' in page
    assert '<time datetime="2016-12">c. December 2016</time>' in page
    assert '<time datetime="2011-03">since March 2011</time>' in page
    assert '<li id="event-4" class="timeline-event">' in page
    timeline = project.page("timeline/index.html")
    assert timeline.index("since March 2011") < timeline.index("c. December 2016")
    assert timeline.index("c. December 2016") < timeline.index("Press conference")
    csv = project.page("data/events.csv")
    assert "2016-12~,Aleppo falls" in csv and "2011-03/..,War in Syria" in csv
    assert "2017-01-17,Press conference" in csv


_DAYS = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2999, 12, 31))


@st.composite
def _part(draw: st.DrawFn) -> tuple[str, dt.date, int]:
    """A start or end as written (a day, month or year, maybe marked), its first day, and
    how precise it is (3 day, 2 month, 1 year)."""
    day = draw(_DAYS)
    precision = draw(st.sampled_from([1, 2, 3]))
    text = day.isoformat()[: {1: 4, 2: 7, 3: 10}[precision]]
    first = dt.date(day.year, day.month if precision > 1 else 1, day.day if precision > 2 else 1)
    return text + draw(st.sampled_from(["", "~", "?", "%"])), first, precision


@given(_part(), st.one_of(st.none(), _part(), st.sampled_from(["..", ""])))
@settings(max_examples=150, deadline=None)
def test_every_written_edtf_date_round_trips(
    start: tuple[str, dt.date, int], end: tuple[str, dt.date, int] | str | None
) -> None:
    """What is read says the same EDTF back, sorts by its start, and is said in words."""
    text = start[0] if end is None else f"{start[0]}/{end if isinstance(end, str) else end[0]}"
    found = read(text)
    if isinstance(end, tuple) and end[1] < start[1] and end[2] == 3 and start[2] == 3:
        assert isinstance(found, tuple) and "ends before it starts" in found[0]
        return
    if not isinstance(found, PartialDate):
        # Only an end before the start is refused.
        assert isinstance(end, tuple) and "ends before it starts" in found[0]
        return
    assert found.edtf == text
    assert (found.year, found.month or 1, found.day or 1) == (
        start[1].year,
        start[1].month,
        start[1].day,
    )
    assert found.label and "{" not in found.label
