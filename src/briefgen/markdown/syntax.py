"""Inline rules that recognise mentions and citations, and how resolved ones render."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from .document import doc_state

# One citation inside [@...; @...]: "@", the id (anything up to a space, comma,
# semicolon or bracket), then optionally a comma and a locator such as "para. 3".
_CITE_ITEM = re.compile(r"@(?P<id>[^\s,;\]]+)\s*(?:,\s*(?P<locator>[^;\]]*?))?\s*")


def mention_rule(state: StateInline, silent: bool) -> bool:
    """``[[target]]`` or ``[[target|text]]``."""
    if silent:
        # While a link label is scanned, let the brackets count as brackets,
        # so that [text [[actor]]](url) stays a link.
        return False
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    end = src.find("]]", pos + 2)
    if end < 0 or end + 2 > state.posMax:
        return False
    inner = src[pos + 2 : end]
    if not inner.strip() or "[" in inner:
        return False
    target, _, label = inner.partition("|")
    token = state.push("mention", "", 0)
    token.meta = {
        "target": " ".join(target.split()),
        "label": " ".join(label.split()),
        "raw": src[pos : end + 2],
    }
    state.pos = end + 2
    return True


def citation_rule(state: StateInline, silent: bool) -> bool:
    """``[@id]``, ``[@id, locator]``, ``[@a; @b]``; anything else after ``[@`` is malformed."""
    if silent:
        return False
    src, pos = state.src, state.pos
    if not src.startswith("[@", pos):
        return False
    end = src.find("]", pos + 2)
    if end < 0 or end + 1 > state.posMax or "\n" in src[pos:end]:
        return False
    items: list[tuple[str, str]] = []
    for part in src[pos + 1 : end].split(";"):
        match = _CITE_ITEM.fullmatch(part.strip())
        if not match:
            items = []
            break
        items.append((match["id"], " ".join((match["locator"] or "").split())))
    token = state.push("citation", "", 0)
    token.meta = {"items": items, "raw": src[pos : end + 1], "malformed": not items}
    state.pos = end + 1
    return True


def render_mention(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    lookup = doc_state(env).lookup
    meta = tokens[idx].meta
    actor_id = meta.get("id")
    if actor_id is None:
        return f'<span class="mention unresolved">{escape(str(meta["raw"]))}</span>'
    text = escape(meta["label"] or lookup.actor_names[actor_id])
    if meta.get("in_link"):
        return text  # a link inside a link is not HTML
    return f'<a class="mention" href="{lookup.urls.actor(actor_id)}">{text}</a>'


def render_citation(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    doc = doc_state(env)
    meta = tokens[idx].meta
    if meta.get("malformed"):
        return escape(str(meta["raw"]))
    parts = []
    for (source_id, locator), citation in zip(
        meta["items"], meta.get("resolved", ()), strict=False
    ):
        if citation is None:
            parts.append(escape(f"@{source_id}"))
            continue
        number = str(citation.number)
        title = escape(doc.lookup.source_titles[source_id], quote=True)
        href = f"#ref-{citation.number}"
        if meta.get("in_link"):
            link = number
        elif doc.excerpt:
            link = f'<a href="{doc.doc_url}{href}" title="{title}">{number}</a>'
        else:
            link = (
                f'<a href="{href}" id="{citation.anchor}" class="cite" title="{title}" '
                f'aria-label="Reference {number}">{number}</a>'
            )
        parts.append(link + (f", {escape(locator)}" if locator else ""))
    return f'<span class="citation">[{"; ".join(parts)}]</span>'
