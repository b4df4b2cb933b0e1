"""Sources checked for completeness: warnings for ``briefgen check`` and ``build --strict``.

A source nobody can find again, one dated after a brief that cites it, one accessed
in the future, and two sources claiming one URL (or DOI) are each a warning at the
line to fix. "Today" comes from ``today()`` alone, which the ``BRIEFGEN_TODAY``
environment variable overrides (YYYY-MM-DD), so that tests are deterministic.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError, Diagnostic, error, warning
from .model import Location, PartialDate, Source
from .site import Site

TODAY_VARIABLE = "BRIEFGEN_TODAY"


def today() -> dt.date:
    """The day the checks take as today: ``BRIEFGEN_TODAY`` when set, else the clock's."""
    fixed = os.environ.get(TODAY_VARIABLE, "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            message = f"{TODAY_VARIABLE} must be a date written YYYY-MM-DD, not '{fixed}'"
            hint = f"set {TODAY_VARIABLE}=2026-12-01, or unset it to use the clock's date"
            raise ConfigError([error(TODAY_VARIABLE, 0, 0, message, hint)]) from None
    return dt.date.today()


def _at(source: Source, where: Location | None) -> Location:
    """Where to point for a source: the field's line, else the file's first line."""
    return where or Location(source.body.path, 1, 1)


TIME_ZONES = dt.timedelta(days=1)
"""How much later than a brief a source may be dated without a warning: front-matter dates
carry no time zone, and one calendar day apart may be the same moment (Moscow and New York)."""


def _after(issued: PartialDate, day: dt.date) -> bool:
    """True when ``issued`` is certainly after ``day``: its first possible day (the 1st of a
    month or of January for a month or a year) is more than a day after it."""
    earliest = dt.date(issued.year, issued.month or 1, issued.day or 1)
    return earliest > day + TIME_ZONES


@functools.lru_cache(maxsize=65536)
def _same_url(url: str) -> str:
    """A URL as two sources would share it: scheme and host in lower case, no trailing '/'."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _findable(source: Source) -> list[Diagnostic]:
    if source.url or source.doi or source.publisher or source.publication:
        return []
    if source.url_where is not None or source.doi_where is not None:
        return []  # written but wrong: that error says what to fix
    where = _at(source, None)
    return [
        warning(
            where.path,
            where.line,
            where.col,
            f"source '{source.id}' has no url, doi, publisher or publication to find it by",
            "add url: https://... (or doi: 10.xxxx/..., or publisher: ...) so readers "
            "can find the document",
        )
    ]


def _dates(
    site: Site,
    source: Source,
    citing: Sequence[str],
    now: dt.date,
    date_of: Callable[[str], dt.date],
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if source.issued is not None:
        # ``citing`` is in site order, newest first: the briefs dated before the source are
        # at its end, so the check stops at the first brief from there that is not (looking
        # at each citing brief took 30 of a 43 ms preview rebuild at 10,000 briefs).
        later = []
        for brief_id in reversed(citing):
            if brief_id not in site.briefs:
                continue
            if not _after(source.issued, date_of(brief_id)):
                break
            later.append(brief_id)
        later.reverse()
        if later:
            first = site.briefs[later[0]].brief
            more = f" (and {len(later) - 1} more)" if len(later) > 1 else ""
            where = _at(source, source.published_where)
            found.append(
                warning(
                    where.path,
                    where.line,
                    where.col,
                    f"source '{source.id}' is published {source.issued.iso}, after the brief "
                    f"'{first.id}' ({first.date.isoformat()}) that cites it{more}",
                    "check the date: a brief cannot cite what was published later; "
                    "or set the brief's date to when it was written",
                )
            )
    if source.accessed is not None and source.accessed > now:
        where = _at(source, source.accessed_where)
        found.append(
            warning(
                where.path,
                where.line,
                where.col,
                f"'accessed' ({source.accessed.isoformat()}) is in the future",
                "write the day the document was read, today or earlier, as YYYY-MM-DD",
            )
        )
    return found


def _url_key(source: Source) -> str:
    return _same_url(source.url) if source.url else ""


def _doi_key(source: Source) -> str:
    return source.doi.lower()


def _claimed_twice(sources: list[Source]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for what, value in (("url", _url_key), ("doi", _doi_key)):
        first: dict[str, Source] = {}
        for source in sources:
            key = value(source)
            if not key:
                continue
            owner = first.setdefault(key, source)
            if owner is source:
                continue
            at = _at(source, source.url_where if what == "url" else source.doi_where)
            shown = source.url if what == "url" else source.doi
            found.append(
                warning(
                    at.path,
                    at.line,
                    at.col,
                    f"{what} {shown} is also the {what} of source '{owner.id}' "
                    f"({owner.body.path}): probably the same document",
                    f"keep one of the two sources and cite it in place of '{source.id}'",
                )
            )
    return found


def source_warnings(
    site: Site,
    now: dt.date | None = None,
    date_of: Callable[[str], dt.date] | None = None,
    citing: Mapping[str, Sequence[str]] | None = None,
    entries: Mapping[str, Source] | None = None,
) -> list[Diagnostic]:
    """Every source check's warnings for a resolved site, in source order.

    A warm build's briefs and nodes wait in the store (see state.py), so what the checks
    need can come without reading them: ``date_of`` gives a brief's date by id,
    ``citing`` the briefs citing each source, in site order (newest first, as a source's
    node lists them), and ``entries`` each source as read; by default, from the nodes.
    """
    now = now or today()
    date_of = date_of or (lambda brief_id: site.briefs[brief_id].brief.date)
    if citing is None:
        citing = {key: [c.brief_id for c in node.citing] for key, node in site.sources.items()}
    if entries is None:
        entries = {key: node.source for key, node in site.sources.items()}
    sources = [entries[key] for key in sorted(site.sources)]
    found: list[Diagnostic] = []
    for source in sources:
        found.extend(_findable(source))
        found.extend(_dates(site, source, citing.get(source.id, ()), now, date_of))
    found.extend(_claimed_twice(sources))
    return found
