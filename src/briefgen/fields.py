"""Typed reading of front-matter values, with a diagnostic for every bad one.

The loader hands over the YAML data and a way to locate any value; a
``FieldReader`` turns it into typed values for the model and records each
problem (unknown key, wrong type, unreal date) with its line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from .errors import Diagnostic, did_you_mean, error
from .model import Location, PartialDate, Ref

KeyPath = tuple[str | int, ...]
"""Where a value sits in the front matter: ``("events", 0, "date")``."""

Locate = Callable[[KeyPath, bool], Location]
"""Finds a value (or, with True, its key) in the file."""

# A calendar date as writers type it: four-digit year, two-digit month, two-digit day.
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A month: four-digit year, two-digit month.
_MONTH = re.compile(r"(\d{4})-(\d{2})")
# A year alone: four digits (events known only to the year).
_YEAR = re.compile(r"\d{4}")
# Numbers separated by slashes or dots, day and month in an order we cannot know: 14/07/2015.
_NUMERIC = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")

# Dates as people write them, read by the standard library (English month names, as
# strptime reads them in the C locale): 14 July 2015, 14 Jul 2015, July 14, 2015, 2015/07/14.
_WRITTEN_DAYS = (
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y-%m-%d",
)
# Months as people write them: July 2015, Jul 2015, 2015/07.
_WRITTEN_MONTHS = ("%B %Y", "%b %Y", "%Y/%m", "%Y-%m")
# A URL we can link to: http or https, then a host.
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
"""What link previews show (OpenGraph readers do not take SVG)."""

_WEB_URL = re.compile(r"https?://[^\s/]+\S*")

C = TypeVar("C", bound=str)


def _describe(value: object) -> str:
    """A short, quoted rendering of a bad value for messages."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _read_as(value: str, forms: Sequence[str]) -> dt.date | None:
    for form in forms:
        try:
            return dt.datetime.strptime(value, form).date()
        except ValueError:
            continue
    return None


def _proposal(key: str, value: str, *, months: bool) -> str | None:
    """The fix for a date written another way: ``14 July 2015`` -> ``write date: 2015-07-14``.

    Numbers with slashes or dots are read both ways; when both are real dates
    (``03/07/2015``), both are offered rather than guessing the order.
    """
    text = " ".join(value.split())
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        a, b, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        readings = []
        for day, month in ((a, b), (b, a)):
            try:
                readings.append(dt.date(year, month, day).isoformat())
            except ValueError:
                continue
        readings = list(dict.fromkeys(readings))
        if len(readings) == 2:
            return f"write {key}: {readings[0]} or {key}: {readings[1]}, whichever is meant"
        return f"write {key}: {readings[0]}" if readings else None
    full = _read_as(text, _WRITTEN_DAYS)
    if full is not None:
        return f"write {key}: {full.isoformat()}"
    if months:
        first = _read_as(text, _WRITTEN_MONTHS)
        if first is not None:
            return f"write {key}: {first.isoformat()[:7]}"
    return None


class FieldReader:
    """Reads one front-matter mapping (or one nested mapping inside it)."""

    def __init__(
        self,
        data: Mapping[str, Any],
        locate: Locate,
        path: str,
        diagnostics: list[Diagnostic],
        prefix: KeyPath = (),
    ) -> None:
        self.data = data
        self.locate = locate
        self.path = path
        self.diagnostics = diagnostics
        self.prefix = prefix

    def where(self, *key: str | int, at_key: bool = False) -> Location:
        """The location of a value (or its key) under this reader's mapping."""
        return self.locate((*self.prefix, *key), at_key)

    def problem(self, loc: Location, message: str, hint: str | None = None) -> None:
        """Record an error at a location."""
        self.diagnostics.append(error(loc.path, loc.line, loc.col, message, hint))

    def check_keys(self, allowed: Iterable[str], what: str) -> None:
        """Every key must be one the format knows; propose the nearest otherwise."""
        known = list(allowed)
        for key in self.data:
            if key not in known:
                hint = did_you_mean(str(key), known) or "known keys: " + ", ".join(known)
                self.problem(self.where(str(key), at_key=True), f"unknown {what} key '{key}'", hint)

    def _missing(self, key: str, example: str) -> None:
        loc = self.where(at_key=True) if self.prefix else Location(self.path, 1, 1)
        self.problem(loc, f"missing required key '{key}'", f"add {key}: {example}")

    def text(self, key: str, *, required: bool = False, example: str = "...") -> str:
        """A single line or paragraph of text; numbers are taken as text."""
        if key not in self.data or self.data[key] is None:
            if required:
                self._missing(key, example)
            return ""
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(self.where(key), f"'{key}' must be text, not {_describe(value)}")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(self.where(key), f"'{key}' must not be empty", f"add {key}: {example}")
        return text

    def url(self, key: str) -> str:
        """A web address (http or https)."""
        value = self.text(key)
        if value and not _WEB_URL.fullmatch(value):
            self.problem(
                self.where(key),
                f"'{key}' must be a web address, not '{value}'",
                "start it with https://",
            )
            return ""
        return value

    def image(self, key: str) -> str:
        """A link-preview image: a path under static/, as the site serves it (``images/x.png``).

        Returned without a leading '/'; '' when absent or wrong (each mistake reported).
        """
        raw = self.data.get(key)
        if raw is not None and not isinstance(raw, str):
            self.problem(
                self.where(key),
                f"'{key}' must be one path under static/, not {_describe(raw)}",
                f"write one path, e.g. {key}: images/preview.png",
            )
            return ""
        value = self.text(key)
        if not value:
            return ""
        where = self.where(key)
        name = value.rsplit("/", 1)[-1]
        example = f"images/{name}" if "." in name else "images/preview.png"
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", value):
            self.problem(
                where,
                f"'{key}' must be a path under static/, not the address '{value}'",
                f"save the image in static/, e.g. static/{example}, and write {key}: {example}",
            )
            return ""
        path = value.lstrip("/")
        if any(part in ("", ".", "..") for part in path.split("/")):
            self.problem(
                where,
                f"{key} '{value}' is not a clean path under static/",
                f"write the path from static/, e.g. {key}: {example}",
            )
            return ""
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in IMAGE_TYPES:
            shown = ", ".join(IMAGE_TYPES[:-1]) + " or " + IMAGE_TYPES[-1]
            self.problem(
                where,
                f"{key} '{value}' is not an image a link preview can show",
                f"use a {shown} file",
            )
            return ""
        return path

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        """A full date written YYYY-MM-DD."""
        if key not in self.data or self.data[key] is None:
            if required:
                self._missing(key, "2017-01-17")
            return None
        value = str(self.data[key]).strip()
        if _FULL_DATE.fullmatch(value):
            return self._real_date(key, value)
        self.problem(
            self.where(key),
            f"'{key}' must be a date written YYYY-MM-DD, not '{value}'",
            _proposal(key, value, months=False),
        )
        return None

    def _real_date(self, key: str, value: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            self.problem(self.where(key), f"'{value}' is not a real date ({exc})")
            return None

    def partial_date(self, key: str, *, required: bool = True) -> PartialDate | None:
        """A date written YYYY-MM-DD, a month written YYYY-MM or a year written YYYY."""
        if key not in self.data or self.data[key] is None:
            if required:
                self._missing(key, "2017-01-17, or a month: 2017-01, or a year: 2017")
            return None
        value = str(self.data[key]).strip()
        if _YEAR.fullmatch(value):
            return PartialDate(int(value))
        month = _MONTH.fullmatch(value)
        if month:
            if 1 <= int(month[2]) <= 12:
                return PartialDate(int(month[1]), int(month[2]))
            self.problem(self.where(key), f"'{value}' is not a real month")
            return None
        if _FULL_DATE.fullmatch(value):
            full = self._real_date(key, value)
            return PartialDate.of(full) if full else None
        self.problem(
            self.where(key),
            f"'{key}' must be written YYYY-MM-DD, YYYY-MM or YYYY, not '{value}'",
            _proposal(key, value, months=True),
        )
        return None

    def boolean(self, key: str, default: bool = False) -> bool:
        """true or false."""
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(self.where(key), f"'{key}' must be true or false, not {_describe(value)}")
            return default
        return value

    def _items(self, key: str) -> Sequence[Any]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            # `tags: syria` is a common slip for a one-item list; take it as one.
            return (value,)
        if not isinstance(value, list):
            self.problem(self.where(key), f"'{key}' must be a list, not {_describe(value)}")
            return ()
        return value

    def strings(self, key: str, *, comma_list: bool = False) -> tuple[str, ...]:
        """A list of text items (a single text is taken as a list of one).

        With ``comma_list``, a single text with commas is reported as a list
        written without brackets (tags); without it, commas belong to the text
        (an author written ``Luhn, Alec``).
        """
        listed = self._comma_list(key) if comma_list else None
        if listed is not None:
            return listed
        return tuple(text for text, _ in self.located_strings(key))

    def located_strings(self, key: str) -> tuple[tuple[str, Location], ...]:
        """The items of a list of text, each with where it is written."""
        single = isinstance(self.data.get(key), str)
        result: list[tuple[str, Location]] = []
        for index, item in enumerate(self._items(key)):
            where = self.where(key) if single else self.where(key, index)
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.problem(where, f"items of '{key}' must be text, not {_describe(item)}")
            elif str(item).strip():
                result.append((str(item).strip(), where))
            else:
                # An empty item is a slip (a stray comma, an emptied name): say so, drop nothing.
                self.problem(where, f"empty item in '{key}'", "delete it, or write the text")
        return tuple(result)

    def _comma_list(self, key: str) -> tuple[str, ...] | None:
        """The items of ``key: a, b`` (one text with commas, a list without brackets); reported."""
        value = self.data.get(key)
        if not isinstance(value, str) or "," not in value:
            return None
        items = tuple(item.strip() for item in value.split(",") if item.strip())
        self.problem(
            self.where(key),
            f"'{key}' is one text, '{value.strip()}', not a list",
            f"write a list: [{', '.join(items)}]",
        )
        return items

    def refs(self, key: str, what: str = "ids", hint: str | None = None) -> tuple[Ref, ...]:
        """A list of ids (or names), each with where it was written; bad items are reported."""
        single = isinstance(self.data.get(key), str)
        # Names may hold commas ('Luhn, Alec'); ids never do.
        listed = self._comma_list(key) if what == "ids" else None
        if listed is not None:
            # Read as meant, so the ids are still checked and no false "unknown" follows.
            return tuple(Ref(item, self.where(key)) for item in listed)
        refs = []
        for index, item in enumerate(self._items(key)):
            where = self.where(key) if single else self.where(key, index)
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.problem(where, f"items of '{key}' must be {what}, not {_describe(item)}", hint)
            elif str(item).strip():
                refs.append(Ref(str(item).strip(), where))
        return tuple(refs)

    def ref(self, key: str) -> Ref | None:
        """A single id."""
        text = self.text(key)
        return Ref(text, self.where(key)) if text else None

    def choice(self, key: str, choices: Sequence[C], default: C | None) -> C | None:
        """One of a fixed set of words."""
        if key not in self.data or self.data[key] is None:
            return default
        value = str(self.data[key]).strip()
        for option in choices:
            if value == option:
                return option
        hint = did_you_mean(value.lower(), choices) or "one of: " + ", ".join(choices)
        self.problem(
            self.where(key), f"'{key}' must be one of {', '.join(choices)}, not '{value}'", hint
        )
        return default

    def links(self, key: str) -> tuple[tuple[str, str], ...]:
        """A mapping of label to web address."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            self.problem(
                self.where(key),
                f"'{key}' must be a mapping of label to URL, not {_describe(value)}",
                "write e.g. wikipedia: https://en.wikipedia.org/wiki/...",
            )
            return ()
        nested = FieldReader(value, self.locate, self.path, self.diagnostics, (*self.prefix, key))
        for label in value:
            if not str(label).strip():
                nested.problem(
                    nested.where(str(label), at_key=True),
                    f"a link in '{key}' has an empty label",
                    "write the label before the ':', e.g. wikipedia: https://...",
                )
        pairs = ((str(label), nested.url(str(label))) for label in value if str(label).strip())
        return tuple((label, url) for label, url in pairs if url)

    def mappings(self, key: str) -> list[FieldReader]:
        """A list of mappings, each read by its own FieldReader."""
        readers: list[FieldReader] = []
        for index, item in enumerate(self._items(key)):
            if not isinstance(item, Mapping):
                self.problem(
                    self.where(key, index),
                    f"items of '{key}' must be mappings, not {_describe(item)}",
                )
                continue
            readers.append(
                FieldReader(
                    item, self.locate, self.path, self.diagnostics, (*self.prefix, key, index)
                )
            )
        return readers
