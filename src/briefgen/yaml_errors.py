"""Front-matter mistakes in a writer's words: what went wrong in the YAML, and the fix.

PyYAML's own words ("mapping values are not allowed in this context", "could
not find expected ':'") describe its parser, not the writer's text. These
functions turn the common ones into one plain sentence and a fix that works,
and tell the front matter that was never closed from a YAML mistake. They read
only text and line numbers: load.py, the one module that knows YAML, calls them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line of front matter a writer means as YAML: blank, a comment, indented (a value
# going on, a nested key), a list item, or "key:" with a key of letters, digits, _ and -.
_YAML_LINE = re.compile(r"\s*(#.*)?|\s+\S.*|-(\s.*)?|[\w-]+:(\s.*)?|\.\.\.|---\s*")
# Marks only Markdown text has: a mention, a citation, emphasis, a quote.
_MARKDOWN = re.compile(r"\[\[|\[@|\*\*|^>\s")
# "key: value" (optionally as a list item), the value being the rest of the line.
_KEY_VALUE = re.compile(r"(\s*(?:-\s+)?[\w-]+):\s+(.*?)\s*")


@dataclass(frozen=True, slots=True)
class Plain:
    """A YAML problem said plainly."""

    line: int
    """0-based line within the front matter where the mistake is."""
    col: int
    """0-based column."""
    message: str
    hint: str | None


def text_after_yaml(lines: list[str], *, any_text: bool = False) -> tuple[int, int] | None:
    """Where front matter runs into the Markdown text: (last YAML line, first text line).

    Shape, not parse: a blank line followed by lines that are not ``key: value``
    (prose, a heading, a key with spaces such as ``The deal: signed.``) is what
    the body of a brief looks like. 0-based lines; None when there is none.
    ``any_text`` takes even one such line as text: for a file with no closing
    line at all, where it cannot be a slip inside closed front matter.
    """
    last_yaml = -1
    after_blank = False
    for number, line in enumerate(lines):
        if not line.strip():
            after_blank = last_yaml >= 0
            continue
        if line.lstrip().startswith("#"):  # a comment, or a Markdown heading: either way
            continue
        if after_blank and not _YAML_LINE.fullmatch(line):
            rest = [text for text in lines[number:] if text.strip()]
            # One stray line may be a YAML slip in closed front matter; more lines, or
            # Markdown's own marks, are the body.
            if any_text or len(rest) >= 2 or _MARKDOWN.search(line):
                return last_yaml, number
            return None
        after_blank = False
        last_yaml = number
    return None


def quoted(value: str) -> str:
    """A YAML scalar in quotes: double quotes unless the value has some, then single."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def plain(
    problem: str,
    line: int,
    col: int,
    context_line: int | None,
    lines: list[str],
    offset: int = 0,
) -> Plain | None:
    """The common PyYAML problems in a writer's words; None for the others.

    ``line`` and ``col`` are where PyYAML noticed the problem, ``context_line``
    where the construct it was reading started (0-based, in the front matter);
    ``offset`` is the file line of the front matter's first line, for messages.
    """
    text = lines[line] if 0 <= line < len(lines) else ""
    if "tab" in problem or "\t" in text[: col + 1]:
        return Plain(
            line,
            max(text.find("\t"), 0),
            "a tab in the indentation: YAML indents with spaces only",
            "replace the tab with spaces",
        )
    if "mapping values are not allowed" in problem:
        pair = _KEY_VALUE.fullmatch(text)
        if pair and col > len(pair[1]):
            key = pair[1].strip()
            return Plain(
                line,
                col,
                "a value with ': ' in it must be in quotes",
                f"write {key}: {quoted(pair[2])}",
            )
        return Plain(
            line,
            col,
            f"line {offset + line + 1} is indented under a value that is not a mapping",
            "indent the keys of one mapping alike",
        )
    if "could not find expected ':'" in problem:
        culprit = context_line if context_line is not None else line
        return Plain(
            culprit,
            0,
            f"line {offset + culprit + 1} is not 'key: value'",
            "write key: value; a list item starts with '- '; "
            "a value going on over more lines is indented",
        )
    if "did not find expected '-' indicator" in problem:
        started = (
            f" that starts on line {offset + context_line + 1}" if context_line is not None else ""
        )
        return Plain(
            line,
            col,
            f"line {offset + line + 1} breaks the list{started}",
            "start each item with '- ', and indent an item's other keys under its first key",
        )
    if "did not find expected key" in problem:
        return Plain(
            line,
            col,
            f"unexpected text on line {offset + line + 1}",
            "a value that starts with a quote must end with it: quote the whole value, "
            "or check the line's indentation",
        )
    return None
