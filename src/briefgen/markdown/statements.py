"""Attributed quotes: a blockquote whose last paragraph is ``-- [[actor]] [@source]``.

Such a blockquote becomes ``<figure class="statement">`` with the quote and a
``<figcaption>`` attribution, and is returned as a Statement for the actor's
and the source's pages. Between the actor and the citation a few words may
describe the speaker (``-- [[lavrov]], at a press conference, [@ft]``), and
punctuation may follow the citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from ..errors import warning
from ..model import Location, Statement
from .document import DocState, doc_state

# The dash that opens an attribution: two hyphens, an em dash or an en dash.
_DASH = re.compile(r"\s*(--|\u2014|\u2013)\s*")
# What may follow the citation: punctuation only.
_TRAILING = re.compile(r"[\s.,;:!?)\]]*")
# A dash that is not one of the above: one hyphen, three or more, a figure dash,
# a horizontal bar, a minus sign, a Unicode hyphen.
_NEAR_DASH = re.compile(r"\s*(-|-{3,}|[\u2010\u2011\u2012\u2015\u2212])\s*")
# Where the text of a line starts inside a quote: after the ">" markers and spaces.
_QUOTE_PREFIX = re.compile(r"[\s>]*")
_FORM = "quote attribution should be '-- [[actor]] [@source]'"


def statements(state: StateCore) -> None:
    """Turn every attributed blockquote of the document into a statement figure."""
    doc = doc_state(state.env)
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        if tokens[index].type == "blockquote_open":
            _statement_at(doc, tokens, index)
        index += 1


def _warn(doc: DocState, where: Location, message: str, hint: str) -> None:
    doc.diagnostics.append(warning(where.path, where.line, where.col, message, hint))


def _statement_at(doc: DocState, tokens: list[Token], start: int) -> None:
    """Make the blockquote opening at ``start`` a statement if its last paragraph attributes it."""
    level = tokens[start].level
    close = next(
        i
        for i in range(start + 1, len(tokens))
        if tokens[i].type == "blockquote_close" and tokens[i].level == level
    )
    last_open = close - 3
    if tokens[close - 1].type == "bullet_list_close":
        _list_near_miss(doc, tokens, start, close)
        return
    if last_open <= start or tokens[last_open].type != "paragraph_open":
        return
    inline = tokens[last_open + 1]
    parts = _parts(inline)
    if any(t.type == "syntax_error" for t in parts):
        return  # the broken mention or citation is reported; advice on the rest would mislead
    if len(parts) < 2 or parts[0].type != "text" or not _DASH.fullmatch(parts[0].content):
        _paragraph_near_miss(doc, inline, parts, alone=last_open == start + 1)
        return
    mention = parts[1]
    if mention.type != "mention":
        _paragraph_near_miss(doc, inline, parts, alone=last_open == start + 1)
        return
    where: Location = mention.meta["where"]
    rest = parts[2:]
    citations = [t for t in rest if t.type == "citation"]
    others = [t for t in rest if t.type not in ("citation", "text")]
    if others:
        _warn(doc, where, f"{_FORM}: it names more than the speaker", "attribute one actor")
        return
    if len(citations) != 1:
        hint = "add the source that reports the quote, e.g. [@source-id, para. 2]"
        if citations:
            hint = "cite one source in the attribution"
        _warn(doc, where, _FORM, hint)
        return
    citation = citations[0]
    after = rest[rest.index(citation) + 1 :]
    if any(t.type != "text" or not _TRAILING.fullmatch(t.content) for t in after):
        _warn(
            doc,
            where,
            f"{_FORM}: only punctuation may follow the citation",
            "move the words before it",
        )
        return
    if last_open == start + 1:
        _warn(
            doc,
            where,
            "the quote has no text before its attribution",
            "put the quoted words above it",
        )
        return
    resolved = citation.meta.get("resolved") or [None]
    if mention.meta.get("id") is None or resolved[0] is None:
        return  # the unknown actor or source is already reported

    parts[0].content = "\u2014 "
    number = len(doc.statements) + 1
    anchor = f"statement-{number}"
    doc.ids.add(anchor)
    quoted = tokens[start + 1 : last_open]
    rebuilt = [
        Token("statement_open", "figure", 1, attrs={"class": "statement", "id": anchor}),
        tokens[start],
        *quoted,
        tokens[close],
        Token("attribution_open", "figcaption", 1),
        inline,
        Token("attribution_close", "figcaption", -1),
        Token("statement_close", "figure", -1),
    ]
    tokens[start : close + 1] = rebuilt
    first = resolved[0]
    statement = Statement(
        str(mention.meta["id"]), first.source_id, first.locator, "", anchor, where
    )
    doc.statements.append((statement, [_for_excerpt(t) for t in quoted]))


def _parts(inline: Token) -> list[Token]:
    """An inline block's tokens, blank text left out."""
    return [t for t in inline.children or [] if not (t.type == "text" and not t.content.strip())]


def _speaker_then_source(parts: Sequence[Token], words: bool) -> bool:
    """Whether ``parts`` are a mention, words (if allowed), one citation, then punctuation."""
    if not parts or parts[0].type != "mention":
        return False
    cited = [i for i, t in enumerate(parts) if t.type == "citation"]
    if len(cited) != 1 or any(t.type not in ("text", "citation") for t in parts[1:]):
        return False
    between, after = parts[1 : cited[0]], parts[cited[0] + 1 :]
    if not words and any(not _TRAILING.fullmatch(t.content) for t in between):
        return False
    return all(_TRAILING.fullmatch(t.content) for t in after)


def _near_miss(doc: DocState, block: Token, why: str, hint: str, row: int = 0) -> None:
    """Warn that line ``row`` of ``block`` (paragraph or list item) was meant as an attribution."""
    if not block.map or block.map[0] + row >= len(doc.lines):
        return
    line = doc.lines[block.map[0] + row]
    col = _QUOTE_PREFIX.match(line)
    start = col.end() if col else 0
    written = line[start:].rstrip()
    where = Location(doc.body.path, doc.body.first_line + block.map[0] + row + 1, start + 1)
    _warn(doc, where, f"'{written}' looks like a quote's attribution but {why}", hint)


def _write(fix: str) -> str:
    return f"write '{' '.join(fix.split())}'"


def _list_near_miss(doc: DocState, tokens: Sequence[Token], start: int, close: int) -> None:
    """A quote ending in a one-item list "- [[actor]] [@source]": one hyphen made it a list."""
    level = tokens[close - 1].level
    opening = max(
        i
        for i in range(start, close)
        if tokens[i].type == "bullet_list_open" and tokens[i].level == level
    )
    items = [
        t for t in tokens[opening:close] if t.type == "list_item_open" and t.level == level + 1
    ]
    blocks = tokens[opening + 2 : close - 2]
    if (
        opening == start + 1
        or tokens[opening].markup != "-"
        or len(items) != 1
        or [t.type for t in blocks] != ["paragraph_open", "inline", "paragraph_close"]
        or not _speaker_then_source(_parts(blocks[1]), words=True)
    ):
        return
    _near_miss(doc, items[0], "is a list item", _write(f"-- {blocks[1].content}"))


def _paragraph_near_miss(doc: DocState, inline: Token, parts: list[Token], alone: bool) -> None:
    """The last paragraph of a quote nearly is an attribution: say what it lacks.

    ``alone``: the paragraph is all the quote holds, so it cannot be an attribution,
    unless its last line is one that the missing blank quote line joined to the quote.
    """
    if not parts:
        return
    breaks = [i for i, t in enumerate(parts) if t.type == "softbreak"]
    if breaks:
        # "> Words.\n> -- [[actor]] [@source]": no blank quote line, so one paragraph.
        last = parts[breaks[-1] + 1 :]
        if (
            last
            and last[0].type == "text"
            and _DASH.fullmatch(last[0].content)
            and _speaker_then_source(last[1:], words=True)
        ):
            hint = "put a line with only '>' above it, to end the quoted paragraph"
            _near_miss(doc, inline, "is part of the quoted paragraph", hint, len(breaks))
        return
    if alone:
        return
    first = parts[0]
    dash = _DASH.fullmatch(first.content) if first.type == "text" else None
    near = _NEAR_DASH.fullmatch(first.content) if first.type == "text" else None
    rest = parts[1:] if dash or near else parts
    if near and _speaker_then_source(rest, words=True):
        written = near[1]
        why = f"starts with '{written}', not '--'"
        _near_miss(doc, inline, why, _write(_dashed(inline, rest)))
    elif not (dash or near) and _speaker_then_source(rest, words=False):
        _near_miss(doc, inline, "has no dash", _write(_dashed(inline, rest)))
    elif dash and _speaker_then_source(rest[::-1], words=False) and len(rest) == 2:
        citation, mention = rest
        fix = f"-- {mention.meta['raw']} {citation.meta['raw']}"
        _near_miss(doc, inline, "cites the source before the speaker", _write(fix))


def _dashed(inline: Token, rest: Sequence[Token]) -> str:
    """The attribution as written from its mention on, after '--'."""
    raw = str(rest[0].meta["raw"])
    found = inline.content.find(raw)
    return "-- " + (inline.content[found:] if found >= 0 else raw)


def _for_excerpt(token: Token) -> Token:
    """A copy fit for another page: no element ids, no footnote markers."""
    copy = token.copy()
    copy.attrs = {k: v for k, v in token.attrs.items() if k != "id"}
    if token.children:
        copy.children = [c for c in token.children if c.type != "footnote_ref"]
    return copy


def render_tag(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    token = tokens[idx]
    return f"</{token.tag}>\n" if token.nesting < 0 else f"<{token.tag}>"


def render_statement_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    return f'<figure class="statement" id="{tokens[idx].attrs["id"]}">\n'
