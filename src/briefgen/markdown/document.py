"""What the Markdown stage takes in (a Lookup), gives back (Rendered), and keeps per document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token

from ..errors import Diagnostic, did_you_mean, error
from ..model import Body, Citation, Location, Mention, Statement, fold_name
from ..paths import Urls
from ..pickling import by_fields

TABLE_PIPE = "\x00"
"""Stands for a ``|`` inside ``[[...]]`` in a table row (see ``tables.py``).

markdown-it turns NUL into U+FFFD before parsing, so it never occurs in the source.
"""

NOTES_OPEN = (
    '<section class="footnotes" aria-label="Notes">\n'
    '<h2 class="notes-heading">Notes</h2>\n<ol class="footnotes-list">\n'
)
"""How the notes at the end of a page open: the footnote plugin's markup is an
``<hr />`` and a section without a heading, which the Nu HTML Checker flags; a
headed section reads better too."""


@by_fields
@dataclass(frozen=True, slots=True)
class Lookup:
    """What the Markdown stage needs to resolve mentions and citations."""

    actor_keys: Mapping[str, tuple[str, ...]]
    """Lowercased id, name or alias -> the actor ids it may mean."""
    actor_names: Mapping[str, str]
    """Actor id -> display name."""
    source_titles: Mapping[str, str]
    """Source id -> title, for the tooltip of citation markers."""
    urls: Urls
    """Builds actor URLs and puts root-relative links under the base path."""

    def resolve_actor(self, target: str) -> tuple[str | None, str | None, str | None]:
        """(actor id, message, hint) for what a writer wrote; the id is None when it fails.

        An id always means that actor; otherwise a name or alias (in any case)
        must mean exactly one actor.
        """
        key = fold_name(target)
        if key in self.actor_names:
            return key, None, None
        ids = self.actor_keys.get(key, ())
        if len(ids) == 1:
            return ids[0], None, None
        if len(ids) > 1:
            names = ", ".join(f"'{i}'" for i in ids)
            return None, f"ambiguous actor '{target}': it may mean {names}", "write the id instead"
        hint = None
        nearest = did_you_mean(key, self.actor_keys)
        if nearest:
            guess = nearest.split("'")[1]
            hint = f"did you mean '{self.actor_keys[guess][0]}'?"
        return None, f"unknown actor '{target}'", hint or "add it under content/actors/"


@by_fields
@dataclass(frozen=True, slots=True)
class Link:
    """A link or image written in Markdown."""

    href: str
    """As it appears in the HTML (root-relative links already under the base path)."""
    where: Location


@dataclass(frozen=True, slots=True)
class Rendered:
    """The result of rendering one Markdown body.

    Pickled with its mentions and citations as plain tuples, made into objects again
    in one loop: each of the million small objects of 13,000 bodies pickled by its own
    ``__reduce__`` (``pickling.by_fields``) cost more than the rest. A cold build's
    Markdown workers send every body back to the parent, and the warm build's store
    keeps them: pickling 13,000 bodies took 3.2 s and unpickling them 3.5 s; now 0.7 s
    and 1.8 s.
    """

    html: str
    mentions: tuple[Mention, ...]
    citations: tuple[Citation, ...]
    """Every citation, in document order."""
    statements: tuple[Statement, ...]
    links: tuple[Link, ...]
    """Every link and image, for the link checker to point back at the Markdown."""
    ids: frozenset[str]
    """Element ids the HTML defines (headings, citation markers, statements)."""
    diagnostics: tuple[Diagnostic, ...]

    @property
    def cited_sources(self) -> tuple[str, ...]:
        """Cited source ids in reference-number order."""
        return tuple(dict.fromkeys(c.source_id for c in self.citations))

    @property
    def mentioned(self) -> tuple[str, ...]:
        """The actor id of each mention, in order (repeats kept)."""
        return tuple(m.actor_id for m in self.mentions)

    def first_numbers(self) -> dict[str, int]:
        """Each cited source's number at its first citation, in the order first cited."""
        numbers: dict[str, int] = {}
        for citation in self.citations:
            numbers.setdefault(citation.source_id, citation.number)
        return numbers

    def citations_of(self, source_id: str) -> tuple[Citation, ...]:
        """Every citation of ``source_id``, in order."""
        return tuple(c for c in self.citations if c.source_id == source_id)

    def __reduce__(self) -> tuple[Any, ...]:
        rows = mention_rows(self.mentions), citation_rows(self.citations)
        rest = (self.statements, self.links, self.ids, self.diagnostics)
        return _rendered, (self.html, *rows, *rest)


MentionRow = tuple[str, str, int, int]
"""A mention as plain values: actor id, path, line, column."""
CitationRow = tuple[str, int, str, str, int, str, int, int]
"""A citation as plain values: source id, number, anchor, locator, credibility, path,
line, column."""


def mention_rows(mentions: Sequence[Mention]) -> tuple[MentionRow, ...]:
    """Mentions as plain values, to pickle or pack (``mentions_of`` makes them again)."""
    return tuple((m.actor_id, w.path, w.line, w.col) for m in mentions for w in (m.where,))


def citation_rows(citations: Sequence[Citation]) -> tuple[CitationRow, ...]:
    """Citations as plain values, to pickle or pack (``citations_of`` makes them again)."""
    return tuple(
        (c.source_id, c.number, c.anchor, c.locator, c.credibility, w.path, w.line, w.col)
        for c in citations
        for w in (c.where,)
    )


def mentions_of(rows: Sequence[MentionRow]) -> tuple[Mention, ...]:
    return tuple(Mention(actor, Location(path, line, col)) for actor, path, line, col in rows)


def citations_of(rows: Sequence[CitationRow]) -> tuple[Citation, ...]:
    return tuple(
        Citation(source, number, anchor, locator, Location(path, line, col), credibility)
        for source, number, anchor, locator, credibility, path, line, col in rows
    )


def _rendered(
    html: str,
    mentions: Sequence[MentionRow],
    citations: Sequence[CitationRow],
    statements: tuple[Statement, ...],
    links: tuple[Link, ...],
    ids: frozenset[str],
    diagnostics: tuple[Diagnostic, ...],
) -> Rendered:
    """A body as ``Rendered.__reduce__`` pickled it."""
    return Rendered(
        html,
        mentions_of(mentions),
        citations_of(citations),
        statements,
        links,
        ids,
        diagnostics,
    )


@dataclass
class DocState:
    """Per-document bookkeeping, kept in markdown-it's env while one body renders."""

    body: Body
    doc_url: str
    lines: list[str]
    lookup: Lookup
    excerpt: bool = False
    """True while a statement is rendered for another page: no ids, links go to the brief."""
    cursors: dict[int, tuple[int, int]] = field(default_factory=dict)
    cell_cursors: dict[int, int] = field(default_factory=dict)
    """File line index -> where the search for the next table cell on it starts."""
    numbers: dict[str, int] = field(default_factory=dict)
    occurrences: dict[str, int] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    statements: list[tuple[Statement, list[Token]]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def locate(self, raw: str, block: Sequence[int] | None) -> Location:
        """Where ``raw`` was written: searched in the block's source lines, in order."""
        start, end = (block[0], block[1]) if block else (0, len(self.lines))
        line, col = self.cursors.get(start, (start, 0))
        for index in range(line, min(end, len(self.lines))):
            found = self.lines[index].find(raw, col if index == line else 0)
            if found >= 0:
                self.cursors[start] = (index, found + len(raw))
                return Location(self.body.path, self.body.first_line + index + 1, found + 1)
        return Location(self.body.path, self.body.first_line + start + 1, 1)

    def line_start(self, block: Token, start: int, cell: bool) -> int | None:
        """The column (0-based) where the line of an inline block's source at ``start`` begins.

        The inline source of a paragraph, a list item, a quote or a footnote holds
        one line per file line, each the end of its file line (markers and
        indentation are cut from the front only). A table cell or an ATX heading
        with closing hashes is not at the end of its line: its text is searched
        for, cells from the end of the previous cell on the row. None when the
        line cannot be found.
        """
        if not block.map:
            return None
        index = block.map[0] + (block.content.count("\n", 0, start) if start else 0)
        if index >= len(self.lines):
            return None
        end = block.content.find("\n", start)
        written = block.content[start : None if end < 0 else end]
        if cell:
            # The table rule dropped the backslash of every "\\|" in the cell.
            written = written.replace("|", "\\|").replace(TABLE_PIPE, "|")
        line = self.lines[index].rstrip()
        text = written.rstrip()
        if not cell and line.endswith(text):
            return len(line) - len(text)
        found = line.find(text, self.cell_cursors.get(index, 0) if cell else 0)
        if found < 0:
            return None
        if cell:
            self.cell_cursors[index] = found + len(text)
        return found

    def problem(self, where: Location, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error(where.path, where.line, where.col, message, hint))


def doc_state(env: Mapping[str, Any]) -> DocState:
    """The DocState of the document being rendered."""
    state = env["briefgen"]
    assert isinstance(state, DocState)
    return state
