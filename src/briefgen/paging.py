"""Listing pages that stay small: the brief index and each tag's briefs cut into pages,
the timeline into years.

Pure: given the resolved site and the page size, which pages exist and what
each shows. ``render`` turns these into pages; each page is handed exactly the
briefs or the year it shows, so it reads (and depends on) nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .paths import Url, Urls
from .site import MonthGroup, TimelineEntry, YearGroup


@dataclass(frozen=True, slots=True)
class PagerItem:
    """One place in a pager's row of page numbers."""

    number: int
    """The page number; 0 for an ellipsis standing for the pages left out."""
    url: Url
    """'' for an ellipsis."""
    current: bool


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page of a paged listing stands among its pages."""

    number: int
    """This page, from 1."""
    count: int
    """How many pages there are."""
    first: int
    """The 1-based position of the first item shown on this page."""
    last: int
    """The position of the last item shown."""
    total: int
    """Items over all pages."""
    items: tuple[PagerItem, ...]
    """The page numbers to show, with ellipses for long gaps."""
    prev: Url | None
    """The page before (newer briefs); None on the first page."""
    next: Url | None
    """The page after (older briefs); None on the last page."""


def page_numbers(current: int, count: int, around: int = 2) -> list[int]:
    """The page numbers a pager shows: the first, the last and ``around`` on each side of
    ``current``, with 0 where a gap of two or more pages is left out.

    A gap of a single page shows that page instead of an ellipsis, which would take
    the same room and hide it.
    """
    shown = sorted(
        {1, count, *range(current - around, current + around + 1)} & set(range(1, count + 1))
    )
    numbers: list[int] = []
    for number in shown:
        if numbers and number - numbers[-1] == 2:
            numbers.append(number - 1)
        elif numbers and number - numbers[-1] > 2:
            numbers.append(0)
        numbers.append(number)
    return numbers


def brief_windows(ids: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """The brief ids on each page of the index, in site order (newest first); one page at least."""
    return [tuple(ids[start : start + size]) for start in range(0, len(ids), size)] or [()]


def pager(
    urls: Urls,
    number: int,
    count: int,
    size: int,
    total: int,
    page_url: Callable[[int], Url] | None = None,
) -> Pager:
    """The pager of page ``number`` of the brief index, or of the listing whose pages
    ``page_url`` gives (a tag's)."""
    url = page_url or urls.briefs_page
    items = tuple(
        PagerItem(n, url(n) if n else Url(""), n == number) for n in page_numbers(number, count)
    )
    return Pager(
        number=number,
        count=count,
        first=min(total, (number - 1) * size + 1),
        last=min(total, number * size),
        total=total,
        items=items,
        prev=url(number - 1) if number > 1 else None,
        next=url(number + 1) if number < count else None,
    )


@dataclass(frozen=True, slots=True)
class YearSummary:
    """A year of the timeline, as the overview lists it."""

    year: int
    url: Url
    events: int
    briefs: int


def year_summary(urls: Urls, group: YearGroup) -> YearSummary:
    events, briefs = group.counts
    return YearSummary(group.year, urls.timeline_year(group.year), events, briefs)


def latest_entries(timeline: Sequence[YearGroup], count: int) -> tuple[YearGroup, ...]:
    """The last ``count`` entries of the timeline, grouped by year and month, in date order."""
    kept: list[YearGroup] = []
    left = count
    for group in reversed(timeline):
        months: list[MonthGroup] = []
        for month in reversed(group.months):
            if left <= 0:
                break
            entries: tuple[TimelineEntry, ...] = month.entries[-left:]
            left -= len(entries)
            months.append(MonthGroup(month.label, entries))
        if months:
            kept.append(YearGroup(group.year, tuple(reversed(months))))
        if left <= 0:
            break
    return tuple(reversed(kept))
