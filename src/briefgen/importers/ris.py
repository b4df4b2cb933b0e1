"""RIS, read by rispy (a maintained RIS reader) rather than by hand: RIS has a dozen
tag variants for one field (TI/T1, AU/A1, PY/Y1/DA) that rispy already maps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import rispy

from ..errors import Diagnostic, error
from . import Entry

# RIS reference types and their CSL types.
_TYPES = {
    "NEWS": "article-newspaper",
    "MGZN": "article-magazine",
    "JOUR": "article-journal",
    "EJOUR": "article-journal",
    "RPRT": "report",
    "BOOK": "book",
    "EBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "THES": "thesis",
    "DATA": "dataset",
    "AGGR": "dataset",
    "STAT": "legislation",
    "BILL": "bill",
    "CASE": "legal_case",
    "GOVDOC": "report",
    "ELEC": "webpage",
    "BLOG": "post-weblog",
    "SOUND": "song",
    "VIDEO": "motion_picture",
    "HEAR": "hearing",
    "PCOMM": "personal_communication",
    "UNPB": "manuscript",
    "GEN": "document",
}
# A RIS date: 2017/01/17/, 2017/01//, 2017-01-17 or 2017.
_DATE = re.compile(r"(\d{4})(?:[/-](\d{1,2})?)?(?:[/-](\d{1,2})?)?")
# Where each reference starts: its TY tag at the start of a line.
_START = re.compile(r"^\s*TY  - ", re.MULTILINE)


def _date(value: str) -> dict[str, Any] | None:
    found = _DATE.match(value.strip())
    if not found:
        return None
    parts = [int(part) for part in found.groups() if part]
    return {"date-parts": [parts]}


def _name(text: str) -> dict[str, str]:
    """``Luhn, Alec`` -> family and given; a name without a comma is a body's, kept whole."""
    family, comma, given = text.partition(",")
    if comma and family.strip() and given.strip():
        return {"family": family.strip(), "given": given.strip().rstrip(",")}
    return {"literal": text.strip()}


def _first(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value:
            return str(value).strip()
    return ""


def _item(record: dict[str, Any], index: int) -> dict[str, Any]:
    kind = str(record.get("type_of_reference", "GEN")).upper()
    item: dict[str, Any] = {
        "id": _first(record, "id", "label") or f"entry-{index}",
        "type": _TYPES.get(kind, "document"),
    }
    texts = (
        ("title", ("title", "primary_title")),
        ("container-title", ("secondary_title", "journal_name", "alternate_title3")),
        ("volume", ("volume",)),
        ("issue", ("number",)),
        ("publisher", ("publisher",)),
        ("publisher-place", ("place_published",)),
        ("DOI", ("doi",)),
        ("URL", ("urls", "url")),
        ("language", ("language",)),
        ("abstract", ("abstract", "notes_abstract")),
        ("note", ("notes", "note")),
    )
    for csl, keys in texts:
        if value := _first(record, *keys):
            item[csl] = value
    if kind in ("BOOK", "EBOOK") and (isbn := _first(record, "issn")):
        item["ISBN"] = isbn
    start, end = _first(record, "start_page"), _first(record, "end_page")
    if start:
        item["page"] = f"{start}-{end}" if end else start
    authors = [*record.get("authors", []), *record.get("first_authors", [])]
    if authors:
        item["author"] = [_name(name) for name in authors]
    if editors := record.get("secondary_authors", []):
        item["editor"] = [_name(name) for name in editors]
    issued = _date(_first(record, "date")) or _date(_first(record, "year", "publication_year"))
    if issued:
        item["issued"] = issued
    if accessed := _date(_first(record, "access_date")):
        item["accessed"] = accessed
    return item


def read(file: Path, text: str) -> tuple[list[Entry], list[Diagnostic]]:
    """The references of a RIS file, each with the line of its TY tag."""
    try:
        records = rispy.loads(text)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        return [], [
            error(file.as_posix(), 1, 1, f"not a RIS file rispy can read: {exc}", "export RIS")
        ]
    starts = [text.count("\n", 0, m.start()) + 1 for m in _START.finditer(text)]
    entries: list[Entry] = []
    for index, record in enumerate(records, 1):
        item = _item(record, index)
        line = starts[index - 1] if index <= len(starts) else 0
        key = _first(record, "id", "label")
        entries.append(Entry(key, line, item))
    return entries, []
