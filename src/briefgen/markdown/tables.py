"""GFM tables in which ``[[actor|text]]`` keeps its ``|``.

markdown-it's table rule splits a row at every unescaped ``|`` before any inline
rule runs, so ``| by [[iaea|the Agency]] |`` became two cells. This rule runs the
library's own table rule on a copy of the source in which each ``|`` inside a
well-formed ``[[...]]`` of the rows is replaced by ``TABLE_PIPE``, a character
of the same length that never occurs in the source, so every offset (and every
column reported later) stays what it was. The mention rule reads ``TABLE_PIPE``
as ``|``; the resolver puts ``|`` back in whatever else holds one (code spans).
"""

from __future__ import annotations

import re

from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table

from .document import TABLE_PIPE

# A mention on one line with a "|" in it: "[[", no bracket, "|", no bracket, "]]".
_PIPED_MENTION = re.compile(r"\[\[[^\[\]\n]*\|[^\[\]\n]*\]\]")
# A table's delimiter row (its indentation cut): pipes, dashes, colons and spaces only.
_DELIMITER_ROW = re.compile(r"[|:-][|:\- \t]*")


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
        return table(state, start_line, end_line, silent)
    state.src = src[:begin] + _PIPED_MENTION.sub(_protect, src[begin:end]) + src[end:]
    try:
        return table(state, start_line, end_line, silent)
    finally:
        state.src = src
