"""Bibliographies read into CSL-JSON items: one module per format, each owning its library.

``read_bibliography`` picks the reader by the file's ending; every reader returns
``Entry`` values (a CSL-JSON item and where it was written) and the problems it
found, so that ``importing`` maps and writes them the same way whatever the format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, error


@dataclass(frozen=True, slots=True)
class Entry:
    """One reference of a bibliography file, as a CSL-JSON item."""

    key: str
    """The citation key as written ('' when the entry has none)."""
    line: int
    """1-based line where the entry starts; 0 when the format does not say (CSL-JSON)."""
    item: dict[str, Any]
    """CSL-JSON: ``title``, ``author``, ``issued``, ``DOI`` ..."""


Reader = Callable[[Path, str], tuple[list[Entry], list[Diagnostic]]]


def _readers() -> dict[str, Reader]:
    from . import bibtex, csljson, ris

    return {
        ".json": csljson.read,
        ".bib": bibtex.read,
        ".bibtex": bibtex.read,
        ".ris": ris.read,
    }


def read_bibliography(file: Path, shown: str) -> tuple[list[Entry], list[Diagnostic]]:
    """The entries of a CSL-JSON, BibTeX/BibLaTeX or RIS file; problems name ``shown``."""
    reader = _readers().get(file.suffix.lower())
    if reader is None:
        return [], [
            error(
                shown,
                0,
                0,
                f"'{file.name}' is not a bibliography briefgen reads",
                "export CSL JSON (.json), BibTeX (.bib) or RIS (.ris) from your reference manager",
            )
        ]
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [error(shown, 1, 1, f"file is not UTF-8 text ({exc.reason})", "export as UTF-8")]
    except OSError as exc:
        return [], [error(shown, 0, 0, f"cannot read it ({exc.strerror})")]
    return reader(file, text)
