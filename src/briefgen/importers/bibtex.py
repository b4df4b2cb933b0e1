"""BibTeX and BibLaTeX, read by bibtexparser (2.x): never parsed by hand here.

bibtexparser splits the file into entries, authors into names and names into
parts; LaTeX (``M{\\"u}ller``, ``{\\'e}``) is decoded to Unicode by pylatexenc, the
decoder bibtexparser itself uses, after the names are split, so that a name in
braces (``{World Bank}``, a corporate author) stays one name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock
from bibtexparser.model import Entry as BibEntry
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

from ..errors import Diagnostic, error
from . import Entry

# BibTeX and BibLaTeX entry types and their CSL types.
_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "manual": "report",
    "report": "report",
    "techreport": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "misc": "document",
    "unpublished": "manuscript",
    "dataset": "dataset",
    "legislation": "legislation",
    "legal": "legislation",
    "jurisdiction": "legal_case",
    "newspaper": "article-newspaper",
}
# Plain fields: BibTeX name -> CSL name (the first one present wins).
_FIELDS = (
    ("title", "title"),
    ("journaltitle", "container-title"),
    ("journal", "container-title"),
    ("booktitle", "container-title"),
    ("volume", "volume"),
    ("number", "issue"),
    ("issue", "issue"),
    ("pages", "page"),
    ("publisher", "publisher"),
    ("institution", "publisher"),
    ("organization", "publisher"),
    ("school", "publisher"),
    ("location", "publisher-place"),
    ("address", "publisher-place"),
    ("isbn", "ISBN"),
    ("doi", "DOI"),
    ("url", "URL"),
    ("langid", "language"),
    ("language", "language"),
    ("abstract", "abstract"),
    ("note", "note"),
    ("annotation", "note"),
)
_LATEX = LatexNodes2Text()
# An ISO date or its start: 2017, 2017-01, 2017-01-17 (BibLaTeX's date and urldate fields).
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def _text(value: str) -> str:
    """LaTeX decoded to Unicode text, on one line ('{Trump}' -> 'Trump', '--' -> an en dash)."""
    return " ".join(_LATEX.latex_to_text(value).split())


def _name(parts: middlewares.NameParts) -> dict[str, str]:
    """A CSL name from bibtexparser's parts; a name wholly in braces is a body's name."""
    if len(parts.last) == 1 and not (parts.first or parts.von or parts.jr):
        last = parts.last[0]
        if last.startswith("{") and last.endswith("}"):
            return {"literal": _text(last[1:-1])}
    name: dict[str, str] = {"family": _text(" ".join(parts.last))}
    if parts.first:
        name["given"] = _text(" ".join(parts.first))
    if parts.von:
        name["non-dropping-particle"] = _text(" ".join(parts.von))
    if parts.jr:
        name["suffix"] = _text(" ".join(parts.jr))
    if not parts.first and not parts.von and not parts.jr:
        return {"literal": name["family"]}
    return name


def _date(value: str) -> dict[str, Any] | None:
    found = _ISO.match(value.strip())
    if not found:
        return None
    return {"date-parts": [[int(part) for part in found.groups() if part]]}


def _item(entry: BibEntry) -> dict[str, Any]:
    fields = {key.lower(): value for key, value in entry.fields_dict.items()}
    item: dict[str, Any] = {
        "id": entry.key,
        "type": _TYPES.get(entry.entry_type.lower(), "document"),
    }
    for bib, csl in _FIELDS:
        value = fields.get(bib)
        if value is not None and csl not in item and isinstance(value.value, str):
            item[csl] = _text(value.value)
    for role in ("author", "editor"):
        names = fields.get(role)
        if names is not None and isinstance(names.value, list):
            item[role] = [_name(parts) for parts in names.value]
    issued = _date(fields["date"].value) if "date" in fields else None
    if issued is None and "year" in fields:
        year = _ISO.match(str(fields["year"].value).strip())
        if year:
            parts = [int(year[1])]
            month = fields.get("month")
            if month is not None and isinstance(month.value, int):
                parts.append(month.value)
                day = fields.get("day")
                if day is not None and str(day.value).strip().isdigit():
                    parts.append(int(str(day.value).strip()))
            issued = {"date-parts": [parts]}
    if issued:
        item["issued"] = issued
    if "urldate" in fields and (accessed := _date(str(fields["urldate"].value))):
        item["accessed"] = accessed
    return item


def read(file: Path, text: str) -> tuple[list[Entry], list[Diagnostic]]:
    """The entries of a BibTeX or BibLaTeX file; duplicate keys and unreadable entries reported."""
    shown = file.as_posix()
    library = bibtexparser.parse_string(  # type: ignore[attr-defined]
        text,
        append_middleware=[
            middlewares.MonthIntMiddleware(True),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    entries = [Entry(e.key, (e.start_line or 0) + 1, _item(e)) for e in library.entries]
    problems: list[Diagnostic] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            problems.append(
                error(
                    shown,
                    line,
                    1,
                    f"citation key '{block.key}' is used twice; this entry is not imported",
                    "give each entry its own key, then import again",
                )
            )
        elif isinstance(block, ParsingFailedBlock):
            problems.append(
                error(
                    shown,
                    line,
                    1,
                    f"entry cannot be read: {block.error}",
                    "fix the entry's braces and commas, or export the file again",
                )
            )
    return entries, problems
