"""A core rule that resolves what the inline rules found, in document order.

Mentions become actor ids, citations get their numbers and anchors, links
written from the site root go under the base path, and headings get ids made
from their visible text (mentions included) that never collide with each other
or with the ids the built-in theme puts on every page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..errors import did_you_mean
from ..model import Citation, Mention
from ..paths import slugify
from .document import DocState, Link, doc_state

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
    }
)
"""Ids the built-in templates give elements of every page they render."""

# Ids numbered by briefgen: reference entries, citation markers, events,
# statements, footnotes and their markers, timeline years and actor kinds.
_NUMBERED_ID = re.compile(
    r"(ref-\d+|cite-\d+-\d+|event-\d+|statement-\d+|fn\d+|fnref\d+(:\d+)?|year-\d+|kind-[a-z]+)"
)


def resolve(state: StateCore) -> None:
    """Resolve every inline token of the document, then give headings their ids."""
    doc = doc_state(state.env)
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type == "mention":
                _mention(doc, token, block.map)
            elif token.type == "citation":
                _citation(doc, token, block.map)
            if token.type in ("mention", "citation"):
                token.meta["in_link"] = depth > 0
            if token.type in ("link_open", "image"):
                attr = "href" if token.type == "link_open" else "src"
                written = str(token.attrs.get(attr, ""))
                token.attrs[attr] = doc.lookup.urls.site_link(written)
                doc.links.append(_link(doc, str(token.attrs[attr]), written, block.map))
    _heading_ids(doc, state.tokens)


def _link(doc: DocState, href: str, written: str, block: Sequence[int] | None) -> Link:
    return Link(href, doc.locate(written, block))


def _mention(doc: DocState, token: Token, block: Sequence[int] | None) -> None:
    where = doc.locate(str(token.meta["raw"]), block)
    actor_id, message, hint = doc.lookup.resolve_actor(str(token.meta["target"]))
    token.meta["id"] = actor_id
    token.meta["where"] = where
    if actor_id is None:
        doc.problem(where, message or "", hint)
    else:
        doc.mentions.append(Mention(actor_id, where))


def _citation(doc: DocState, token: Token, block: Sequence[int] | None) -> None:
    raw = str(token.meta["raw"])
    where = doc.locate(raw, block)
    if token.meta["malformed"]:
        doc.problem(
            where,
            f"malformed citation '{raw}'",
            "write [@source-id] or [@source-id, para. 3], several as [@a; @b]; "
            "write \\[@ for a literal '[@'",
        )
        return
    resolved: list[Citation | None] = []
    for source_id, locator in token.meta["items"]:
        if source_id not in doc.lookup.source_titles:
            hint = did_you_mean(source_id, doc.lookup.source_titles)
            doc.problem(
                where, f"unknown source '{source_id}'", hint or "add it under content/sources/"
            )
            resolved.append(None)
            continue
        number = doc.numbers.setdefault(source_id, len(doc.numbers) + 1)
        occurrence = doc.occurrences[source_id] = doc.occurrences.get(source_id, 0) + 1
        citation = Citation(source_id, number, f"cite-{number}-{occurrence}", locator, where)
        doc.citations.append(citation)
        doc.ids.add(citation.anchor)
        resolved.append(citation)
    token.meta["resolved"] = resolved


def _visible_text(doc: DocState, children: Sequence[Token]) -> str:
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
        base = slugify(_visible_text(doc, inline.children or [])) or "section"
        if base in THEME_IDS or _NUMBERED_ID.fullmatch(base):
            base += "-section"
        slug, counter = base, 1
        while slug in doc.ids:
            counter += 1
            slug = f"{base}-{counter}"
        doc.ids.add(slug)
        token.attrs["id"] = slug
