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
    if last_open <= start or tokens[last_open].type != "paragraph_open":
        return
    inline = tokens[last_open + 1]
    parts = [t for t in inline.children or [] if not (t.type == "text" and not t.content.strip())]
    if len(parts) < 2 or parts[0].type != "text" or not _DASH.fullmatch(parts[0].content):
        return
    mention = parts[1]
    if mention.type != "mention":
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
