"""CSL-JSON, as Zotero's "Export Collection → CSL JSON" and Better BibTeX write it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, error
from . import Entry


def _line_of_ids(text: str) -> dict[str, int]:
    """The line of each ``"id": "..."`` in the file, so problems can name a line."""
    lines: dict[str, int] = {}
    decoder = json.JSONDecoder()
    for number, line in enumerate(text.splitlines(), 1):
        found = line.find('"id"')
        if found < 0:
            continue
        rest = line[found + 4 :].lstrip().removeprefix(":").lstrip()
        try:
            value, _ = decoder.raw_decode(rest)
        except json.JSONDecodeError:
            continue
        lines.setdefault(str(value), number)
    return lines


def read(file: Path, text: str) -> tuple[list[Entry], list[Diagnostic]]:
    """The items of a CSL-JSON file (a list of items, or one item)."""
    shown = file.as_posix()
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [error(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]
    items = data if isinstance(data, list) else [data]
    lines = _line_of_ids(text)
    entries: list[Entry] = []
    problems: list[Diagnostic] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(
                error(shown, 0, 0, f"item {index + 1} is not a CSL-JSON object", "export CSL JSON")
            )
            continue
        key = str(item.get("id", "") or item.get("citation-key", "") or "")
        entries.append(Entry(key, lines.get(key, 0), item))
    return entries, problems
