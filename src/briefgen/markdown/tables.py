"""GFM tables in which ``[[actor|text]]`` keeps its ``|``.

markdown-it's table rule splits a row at every unescaped ``|`` before any inline
rule runs, so ``| by [[iaea|the Agency]] |`` became two cells. This rule runs the
library's own table rule on a copy of the source in which each ``|`` inside a
well-formed ``[[...]]`` of the rows is replaced by ``TABLE_PIPE``, a character
of the same length that never occurs in the source, so every offset (and every
column reported later) stays what it was. The mention rule reads ``TABLE_PIPE``
as ``|``; the resolver puts ``|`` back in whatever else holds one (code spans).

The library drops the cells of a row beyond the header's without a word, and
splits a code span at a ``|`` inside it: both are reported here, at the column
of the first dropped cell or of the pipe, so no text leaves a page silently.
"""

from __future__ import annotations

import re

from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table

from ..model import Location
from .document import TABLE_PIPE, doc_state

# A mention on one line with a "|" in it: "[[", no bracket, "|", no bracket, "]]".
_PIPED_MENTION = re.compile(r"\[\[[^\[\]\n]*\|[^\[\]\n]*\]\]")
# A table's delimiter row (its indentation cut): pipes, dashes, colons and spaces only.
_DELIMITER_ROW = re.compile(r"[|:-][|:\- \t]*")
_BACKTICKS = re.compile(r"`+")


def _protect(match: re.Match[str]) -> str:
    return match[0].replace("|", TABLE_PIPE)


def table_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's table rule, with the pipes of mentions kept inside their cell."""
    src = state.src
    if start_line + 2 > end_line:
        return False
    # This rule is tried at the start of every block: rule out most of them cheaply.
    first = state.bMarks[start_line + 1] + state.tShift[start_line + 1]
    if src[first : first + 1] not in ("|", "-", ":"):
        return False
    if not _DELIMITER_ROW.fullmatch(src[first : state.eMarks[start_line + 1]]):
        return False
    begin = state.bMarks[start_line]
    # The rows run at most to the next blank line; protecting a little further is harmless.
    blank = src.find("\n\n", begin)
    end = len(src) if blank < 0 else blank
    if "[[" not in src[begin:end]:
        return _table(state, start_line, end_line, silent)
    state.src = src[:begin] + _PIPED_MENTION.sub(_protect, src[begin:end]) + src[end:]
    try:
        return _table(state, start_line, end_line, silent)
    finally:
        state.src = src


def _table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The library's rule, then a check of the rows it read (when not silent)."""
    tokens = len(state.tokens)
    if not table(state, start_line, end_line, silent):
        return False
    if not silent and len(state.tokens) > tokens:
        _check_rows(state, start_line, state.line)
    return True


def _pipes(text: str) -> list[int]:
    """Where the cells of a row split: each "|" not after a backslash (as the library splits)."""
    return [i for i, ch in enumerate(text) if ch == "|" and (i == 0 or text[i - 1] != "\\")]


def _cells(text: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of a trimmed row, the empty cells outside its end pipes cut."""
    cuts = _pipes(text)
    bounds = list(zip([-1, *cuts], [*cuts, len(text)], strict=True))
    cells = [(a + 1, b) for a, b in bounds]
    if cells and cells[0][0] == cells[0][1]:
        cells.pop(0)
    if cells and cells[-1][0] == cells[-1][1]:
        cells.pop()
    return cells


def row_cells(row: str) -> int:
    """How many cells the table rule reads in a row (a ``|`` inside a mention kept in its cell)."""
    return len(_cells(_PIPED_MENTION.sub(_protect, row.strip())))


def _split_code(text: str) -> tuple[int, int, int] | None:
    """A code span that a cell's "|" splits: (its start, its end, the pipe); None if none does.

    As CommonMark reads a line: a run of backticks (not after a backslash) opens a
    span that the next run of the same length closes.
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    index = 0
    while index < len(runs):
        start, run_end = runs[index]
        size = run_end - start
        if start and text[start - 1] == "\\":
            index += 1
            continue
        close = next((j for j in range(index + 1, len(runs)) if runs[j][1] - runs[j][0] == size), 0)
        if not close:
            index += 1
            continue
        pipes = _pipes(text[run_end : runs[close][0]])
        if pipes:
            return start, runs[close][1], run_end + pipes[0]
        index = close + 1
    return None


def _quoted(text: str) -> str:
    text = text.strip().replace(TABLE_PIPE, "|")
    return text if len(text) <= 40 else text[:39] + "\u2026"


def _check_rows(state: StateBlock, header: int, end: int) -> None:
    """Report code spans cut by a "|" and text in cells beyond the header's."""
    doc = doc_state(state.env)
    src = state.src
    columns = 0
    for line in (header, *range(header + 2, end)):
        begin = state.bMarks[line] + state.tShift[line]
        raw = src[begin : state.eMarks[line]]
        text = raw.strip()
        offset = begin + (len(raw) - len(raw.lstrip())) - (src.rfind("\n", 0, begin) + 1)

        def where(pos: int, line: int = line, offset: int = offset) -> Location:
            return Location(doc.body.path, doc.body.first_line + line + 1, offset + pos + 1)

        cells = _cells(text)
        if line == header:
            columns = len(cells)
        code = _split_code(text)
        if code is not None:
            start, stop, pipe = code
            doc.problem(
                where(pipe),
                f"the '|' in the code span '{_quoted(text[start:stop])}' ends the table cell",
                "write \\| for a '|' inside code in a table",
            )
            continue
        extra = [cell for cell in cells[columns:] if text[cell[0] : cell[1]].strip()]
        if line != header and extra:
            first = extra[0][0]
            first += len(text[first : extra[0][1]]) - len(text[first : extra[0][1]].lstrip())
            dropped = text[first:].rstrip()
            if dropped.endswith("|") and not dropped.endswith("\\|"):
                dropped = dropped[:-1]
            doc.problem(
                where(first),
                f"this row has {len(cells)} cells, the header {columns}: "
                f"'{_quoted(dropped)}' would not be shown",
                "write \\| for a literal '|', or add a column to the header",
            )
