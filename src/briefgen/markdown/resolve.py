"""A core rule that resolves what the inline rules found, in document order.

Mentions become actor ids, citations get their numbers and anchors, links
written from the site root go under the base path, and headings get ids made
from their visible text (mentions included) that never collide with each other
or with the ids the built-in theme puts on every page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..errors import did_you_mean
from ..model import Citation, Location, Mention
from ..paths import slugify
from .document import TABLE_PIPE, DocState, Link, doc_state

THEME_IDS = frozenset(
    {
        "main",
        "latest-heading",
        "events-heading",
        "references-heading",
        "consulted-heading",
        "related-heading",
        "mentioned-heading",
        "statements-heading",
        "with-heading",
        "timeline-heading",
        "cited-heading",
        "quotes-heading",
        "judgments-heading",
    }
)
"""Ids the built-in templates give elements of every page they render."""

# Ids numbered by briefgen: reference entries, citation markers, events,
# statements, footnotes and their markers, timeline years, actor kinds and key judgments.
_NUMBERED_ID = re.compile(
    r"(ref-\d+|cite-\d+-\d+|event-\d+|statement-\d+|fn\d+|fnref\d+(:\d+)?|year-\d+"
    r"|kind-[a-z]+|judgment-\d+)"
)


def resolve(state: StateCore) -> None:
    """Resolve every inline token of the document, then give headings their ids."""
    doc = doc_state(state.env)
    notes: Mapping[int, Mapping[str, Any]] = state.env.get("footnotes", {}).get("list", {})
    walk = _Walk(doc, notes)
    cell = False
    for block in state.tokens:
        if block.type in ("th_open", "td_open"):
            cell = True
        elif block.type == "html_block":
            _html_block(doc, block)
        elif block.type == "inline":
            if block.children:
                walk.start(block, cell)
                walk.run(block.children, 0, in_alt=False)
            cell = False
    _heading_ids(doc, state.tokens)


_PLAIN = frozenset({"text", "code_inline", "softbreak"})
"""Inline tokens with nothing to resolve (their pipes restored in table cells)."""


class _Walk:
    """Resolves the tokens of one inline block, including image descriptions and inline notes.

    One per document, pointed at each inline block in turn.
    """

    __slots__ = ("block", "cell", "doc", "last", "notes", "starts")

    def __init__(self, doc: DocState, notes: Mapping[int, Mapping[str, Any]]) -> None:
        self.doc, self.notes = doc, notes
        self.block = Token("inline", "", 0)
        """The inline block being resolved."""
        self.cell = False
        """Whether it is a table cell."""
        self.last = 0
        """Offset in the block source of the last token placed; nested text is found after it."""
        self.starts: dict[int, int | None] = {}
        """Offset in the block source of a line's start -> its column in the file."""

    def start(self, block: Token, cell: bool) -> None:
        self.block, self.cell, self.last, self.starts = block, cell, 0, {}
        if cell:
            # Place every cell in order, so that equal cells on a row are told apart.
            self.starts[0] = self.doc.line_start(block, 0, cell)

    def where(self, pos: int, raw: str) -> Location:
        """The file line and column of offset ``pos`` of the block's source."""
        src = self.block.content
        start = src.rfind("\n", 0, pos) + 1
        column = self.starts.get(start, -1)
        if column == -1:
            column = self.starts[start] = self.doc.line_start(self.block, start, self.cell)
        if column is None or not self.block.map:
            return self.doc.locate(raw.split("\n")[0], self.block.map)
        offset = pos - start
        if self.cell:
            offset += src.count("|", start, pos)  # each was written "\\|"
        line = self.block.map[0] + (src.count("\n", 0, start) if start else 0)
        body = self.doc.body
        return Location(body.path, body.first_line + line + 1, column + offset + 1)

    def run(self, children: list[Token], base: int, in_alt: bool) -> None:
        """Resolve ``children``, whose source starts at offset ``base`` of the block's."""
        depth, autolink = 0, False
        for token in children:
            kind = token.type
            if kind in _PLAIN:  # most tokens: dealt with first, as cheaply as possible
                if autolink:
                    self._address_shown(token.content)
                if self.cell and kind != "softbreak":
                    token.content = token.content.replace(TABLE_PIPE, "|")
            elif kind == "mention" or kind == "citation":
                self.last = base + token.meta["pos"]
                token.meta["in_link"] = depth > 0
                if kind == "mention":
                    self._mention(token, base, in_alt)
                else:
                    self._citation(token, base, in_alt)
            elif kind == "syntax_error":
                self.last = base + token.meta["pos"]
                where = self.where(self.last, token.meta["raw"])
                self.doc.problem(where, token.meta["message"], token.meta["hint"])
            elif kind == "link_open" or kind == "image":
                if kind == "link_open":
                    depth += 1
                    autolink = token.markup == "autolink"
                elif token.children:
                    self.run(token.children, self._nested("![", token.content), in_alt=True)
                attr = "href" if kind == "link_open" else "src"
                written = str(token.attrs.get(attr, ""))
                token.attrs[attr] = self.doc.lookup.urls.site_link(written)
                link = Link(str(token.attrs[attr]), self.doc.locate(written, self.block.map))
                self.doc.links.append(link)
            elif kind == "link_close":
                depth, autolink = depth - 1, False
            elif kind == "footnote_ref":
                note = self.notes.get(token.meta.get("id", -1), {})
                if "tokens" in note:  # an inline note, ^[...], parsed from its own source
                    self.run(note["tokens"], self._nested("^[", note["content"]), in_alt)

    def _address_shown(self, text: str) -> None:
        """An address written <like-this> is shown as written: its brackets would be text."""
        found = _BARE_MARKER.search(text)
        if found:
            where = self.doc.locate(text, self.block.map)
            mark = found[0]
            self.doc.problem(
                Location(where.path, where.line, where.col + found.start()),
                f"'{mark}' in the address <{text}> would show on the page",
                f"give the link its own text: [text](<{text}>)",
            )

    def _nested(self, opener: str, content: str) -> int:
        """Where the text of an image description or inline note starts in the block's source."""
        found = self.block.content.find(opener + content, self.last)
        return self.last if found < 0 else found + len(opener)

    def _mention(self, token: Token, base: int, in_alt: bool) -> None:
        doc, raw = self.doc, str(token.meta["raw"])
        where = self.where(base + token.meta["pos"], raw)
        actor_id, message, hint = doc.lookup.resolve_actor(str(token.meta["target"]))
        token.meta["id"] = actor_id
        token.meta["where"] = where
        if actor_id is None:
            if "\n" in raw:
                # Most likely a "[[" left open and closed by a "]]" lines later.
                ends = "it runs over a line break to the next ']]': close it where you meant"
                hint = f"{ends}; {hint}"
            doc.problem(where, message or "", hint)
        else:
            doc.mentions.append(Mention(actor_id, where))
        if in_alt:
            # An image description is plain text: the mention shows its words, unlinked.
            token.type = "text"
            token.content = raw if actor_id is None else _mention_text(doc, token)

    def _citation(self, token: Token, base: int, in_alt: bool) -> None:
        doc, raw = self.doc, str(token.meta["raw"])
        pos = base + token.meta["pos"]
        if in_alt:
            doc.problem(
                self.where(pos, raw),
                f"citation '{raw}' in an image's description: a description is plain text",
                f"put it after the image: ![...](...) {raw}",
            )
            token.type, token.content = "text", raw
            return
        resolved: list[Citation | None] = []
        problems = token.meta.get("problems") or [None] * len(token.meta["items"])
        for (source_id, locator, credibility), offset, problem in zip(
            token.meta["items"], token.meta["offsets"], problems, strict=True
        ):
            where = self.where(pos + offset, raw[offset:])
            if problem is not None:  # credibility miswritten: "cred. 7", "crd. 2"
                at = self.where(pos + problem.offset, raw[problem.offset :])
                doc.problem(at, problem.message, problem.hint)
            if source_id not in doc.lookup.source_titles:
                hint = did_you_mean(source_id, doc.lookup.source_titles)
                doc.problem(
                    where, f"unknown source '{source_id}'", hint or "add it under content/sources/"
                )
                resolved.append(None)
                continue
            number = doc.numbers.setdefault(source_id, len(doc.numbers) + 1)
            occurrence = doc.occurrences[source_id] = doc.occurrences.get(source_id, 0) + 1
            anchor = f"cite-{number}-{occurrence}"
            citation = Citation(source_id, number, anchor, locator, where, credibility)
            doc.citations.append(citation)
            doc.ids.add(citation.anchor)
            resolved.append(citation)
        token.meta["resolved"] = resolved


def _mention_text(doc: DocState, token: Token) -> str:
    return str(token.meta["label"] or doc.lookup.actor_names[token.meta["id"]])


# Raw HTML whose text is not shown as text, or is code: comments, scripts, styles, <pre>.
_HTML_NOT_TEXT = re.compile(r"<!--.*?-->|<(script|style|pre|textarea)\b.*?</\1\s*>", re.S | re.I)
# A whole mention or citation if it is closed on its line, else the marker alone.
_MARKERS = re.compile(r"\[\[[^\]\n]*\]\]|\[@[^\]\n]*\]|\[\[|\]\]|\[@")
_BARE_MARKER = re.compile(r"\[\[|\]\]|\[@")
_LITERALS = {"[[": "&#91;&#91;", "]]": "&#93;&#93;", "[@": "&#91;@"}


def _html_block(doc: DocState, block: Token) -> None:
    """Mentions and citations are not read in raw HTML: say so rather than publish them."""
    if not block.map:
        return
    text = _HTML_NOT_TEXT.sub(lambda m: " " * len(m[0]), block.content)
    rows = block.content.split("\n")
    for found in _MARKERS.finditer(text):
        row = text.count("\n", 0, found.start())
        col = found.start() - (text.rfind("\n", 0, found.start()) + 1)
        line = block.map[0] + row
        # An HTML block keeps its lines whole, only its indentation may be cut.
        source = doc.lines[line] if line < len(doc.lines) else ""
        col += len(source.rstrip()) - len(rows[row].rstrip())
        mark = found[0][:2]
        doc.problem(
            Location(doc.body.path, doc.body.first_line + line + 1, col + 1),
            f"'{found[0]}' inside raw HTML is not read as Markdown",
            "leave a blank line between the HTML tags and the Markdown text, "
            f"or write {_LITERALS[mark]} for a literal '{mark}'",
        )


def heading_base(text: str) -> str:
    """The id a heading showing ``text`` gets when no earlier heading took it."""
    base = slugify(text) or "section"
    if base in THEME_IDS or _NUMBERED_ID.fullmatch(base):
        base += "-section"
    return base


def visible_text(doc: DocState, children: Sequence[Token]) -> str:
    """A heading's text as a reader sees it, mentions shown by their text."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "mention" and child.meta.get("id"):
            parts.append(child.meta["label"] or doc.lookup.actor_names[child.meta["id"]])
        elif child.type == "softbreak":
            parts.append(" ")
    return "".join(parts)


def _heading_ids(doc: DocState, tokens: Sequence[Token]) -> None:
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in ("h2", "h3", "h4"):
            continue
        inline = tokens[index + 1]
        base = heading_base(visible_text(doc, inline.children or []))
        slug, counter = base, 1
        while slug in doc.ids:
            counter += 1
            slug = f"{base}-{counter}"
        doc.ids.add(slug)
        token.attrs["id"] = slug
