"""Dates as they are known: EDTF (ISO 8601-2) read with the ``edtf`` library.

The only module that imports ``edtf``. An event's ``date`` may be exact (``2017-01-17``,
``2017-01``, ``2017``, read as before by ``fields``), approximate (``2017-01~``),
uncertain (``2016?``), both (``2016-12%``), an interval (``2017-01-23/2017-01-24``), or
an interval still going (``2011-03/..``) or whose end is not known (``2011-03/``). It
becomes a ``PartialDate`` whose year, month and day are the earliest date the writer
wrote, so timelines sort it by its earliest possible date and group it under that month.

A brief's own ``date`` and ``updated`` stay exact days: they order the archive, the
feeds and the sitemap, and are the ``datePublished`` of its structured data, none of
which can say "about January 2017" (see the README).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from .fields import FieldReader
from .model import PartialDate

# What briefgen reads of EDTF: a start, then optionally '/' and an end, '..' or nothing.
# Start and end: a year, month or day (four-digit year), then one mark ~ ? or %.
_PART = r"\d{4}(?:-\d{2}(?:-\d{2})?)?[~?%]?"
_EDTF = re.compile(rf"(?P<start>{_PART})(?:(?P<slash>/)(?P<end>{_PART}|\.\.)?)?")
# What tells a value written as EDTF from a date written another way (14/07/2015):
# a mark ~ ? %, an open end '..', a slash after an ISO year, month or day, or one first.
_MARKS = re.compile(r"[~?%]|\.\.|^/|^\d{4}(?:-\d{2}){0,2}[~?%]?/(?:\d{4}(?:-\d{2}){0,2}[~?%]?)?$")

EXAMPLE = "2017-01~ (about January 2017), 2016? (uncertain), 2017-01-23/2017-01-24, 2011-03/.."
"""The forms briefgen reads, for messages."""


def _part(text: str) -> tuple[PartialDate, str]:
    """A start or end (``2017-01~``): the date and its mark."""
    mark = text[-1] if text[-1] in "~?%" else ""
    numbers = [int(n) for n in text.rstrip("~?%").split("-")] + [0, 0]
    return PartialDate(numbers[0], numbers[1], numbers[2]), mark


@functools.lru_cache(maxsize=4096)
def read(text: str) -> PartialDate | tuple[str, str]:
    """An EDTF date as briefgen reads it, or (problem, fix).

    The library decides what is valid EDTF (a real day, a month from 01 to 12); the
    forms it reads that briefgen does not place on a timeline (seasons, unspecified
    digits ``201X``, an open start) are refused with the forms that are read. The
    library's parser takes about 4 ms a date, and a briefing repeats its dates: each
    text is read once a process (the answer is immutable).
    """
    # The library's grammar takes 60 ms to import: only for a date with EDTF marks.
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        parse_edtf(text)
    except (EDTFParseException, TypeError, ValueError, IndexError):
        return f"'{text}' is not a date in EDTF", f"write e.g. {EXAMPLE}"
    match = _EDTF.fullmatch(text)
    # A "month" above 12 is an EDTF season (2017-21, spring 2017): no timeline month.
    months = re.findall(r"\d{4}-(\d{2})", text)
    if match is None or any(int(month) > 12 for month in months):
        return (
            f"'{text}' is EDTF that briefgen does not place on a timeline",
            f"use a year, month or day with ~ ? or %, or an interval: {EXAMPLE}",
        )
    start, mark = _part(match["start"])
    if not match["slash"]:
        return PartialDate(start.year, start.month, start.day, qualifier=mark)
    if match["end"] == ".." or not match["end"]:
        return PartialDate(
            start.year, start.month, start.day, qualifier=mark, open_end=match["end"] or "/"
        )
    end, end_mark = _part(match["end"])
    if _last_day(end) < _first_day(start):
        return (
            f"the interval '{text}' ends before it starts",
            f"write the earlier date first: {match['end']}/{match['start']}",
        )
    return PartialDate(
        start.year,
        start.month,
        start.day,
        qualifier=mark,
        end=(end.year, end.month, end.day),
        end_qualifier=end_mark,
    )


def _first_day(date: PartialDate) -> tuple[int, int, int]:
    return date.year, date.month or 1, date.day or 1


def _last_day(date: PartialDate) -> tuple[int, int, int]:
    return date.year, date.month or 12, date.day or 31


def event_date(fields: FieldReader, key: str) -> PartialDate | None:
    """An event's date: exact as ``fields.partial_date`` reads it, or EDTF; required.

    YAML gives ``2017-01-17`` as text here (front_matter keeps timestamps as text) and
    ``2017-01~`` as text too; a number (``date: 2016``) is read as its digits.
    """
    value = fields.data.get(key)
    text = str(value).strip() if value is not None else ""
    if not _MARKS.search(text):
        return fields.partial_date(key)
    found = read(text)
    if isinstance(found, PartialDate):
        return found
    message, fix = found
    fields.problem(fields.where(key), message, fix)
    return None


def exact_day(fields: FieldReader, key: str, *, required: bool = False) -> dt.date | None:
    """A date that must be an exact day (a brief's ``date`` and ``updated``), read by
    ``fields.date``; EDTF is refused with the reason and the day to write instead."""
    value = fields.data.get(key)
    text = str(value).strip() if value is not None else ""
    if not _MARKS.search(text):
        return fields.date(key, required=required)
    found = read(text)
    start = found.iso if isinstance(found, PartialDate) else ""
    example = (start + "-01-01"[len(start) - 4 :]) if start else "2017-01-17"
    fields.problem(
        fields.where(key),
        f"a brief's '{key}' must be an exact day, not the EDTF date '{text}'",
        f"write {key}: {example} "
        f"(the day {'the brief is as of' if key == 'date' else 'it was revised'}); "
        "an approximate or uncertain date belongs on an event",
    )
    return None


def optional_partial(fields: FieldReader, key: str) -> PartialDate | None:
    """A day, month or year that may be left out (a role's ``from``, an actor's ``died``)."""
    if fields.data.get(key) is None:
        return None
    return fields.partial_date(key)
