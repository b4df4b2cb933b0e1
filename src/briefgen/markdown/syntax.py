"""Inline rules that recognise mentions and citations, and how resolved ones render.

Every unescaped ``[[``, ``]]`` and ``[@`` the inline parser reaches is either a
mention, a citation, or a ``syntax_error`` token that the resolver reports at its
column: none of them reaches a page as literal text. Escapes (``\\[[``, ``\\[@``,
``\\]]``) are consumed by markdown-it's escape rule before these rules run, and
code spans by its backticks rule, so both stay literal and silent.

Each token records ``pos``, its offset in the inline source, from which the
resolver computes the file line and column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from ..grades import CredibilityProblem, split_credibility
from .document import TABLE_PIPE, doc_state

# One citation inside [@...; @...]: "@", the id (anything up to a space, comma,
# semicolon or bracket), then optionally a comma and a locator such as "para. 3".
_CITE_ITEM = re.compile(r"@(?P<id>[^\s,;\]]+)\s*(?:,\s*(?P<locator>[^;\]]*?))?\s*")
# A locator that is really a second source: "@" then an id ("[@a, @b]").
_SOURCE_IN_LOCATOR = re.compile(r"@[^\s,;\]]")
# A comma where a semicolon should separate two sources: ", @b".
_COMMA_BEFORE_SOURCE = re.compile(r",(?=\s*@[^\s,;\]])")
# What a writer may have meant in one part of a malformed citation: the "@" with
# spaces after it, or missing before an id.
_LOOSE_ITEM = re.compile(r"@?\s*(?P<rest>[^\s,;\]@][^;\]]*)")
# A locator written without its comma ("[@ft para. 3]", "[@ft cred. 2]"): a locator
# term (or credibility's "cred.") or a number.
_BARE_LOCATOR = re.compile(
    r"(?P<id>[^\s,;\]]+)\s+(?P<locator>(?:(?:p|pp|para|paras|ch|sec|fig|vol|no|col|line|page|cred)s?"
    r"\.?|\u00a7)?\s*\d[^;\]]*)",
    re.I,
)

LITERAL_MENTION = "write \\[[ for a literal '[['"
LITERAL_CITATION = "write \\[@ for a literal '[@'"
_CITATION_FORMS = "write [@source-id] or [@source-id, para. 3], several as [@a; @b]"


def _quote(src: str, start: int, limit: int) -> str:
    """The bad text from ``start``: up to the end of its line, at most 40 characters."""
    end = src.find("\n", start, limit)
    end = limit if end < 0 else end
    text = src[start:end].rstrip().replace(TABLE_PIPE, "|")
    return text if len(text) <= 40 else text[:39] + "\u2026"


def _one_line(text: str) -> str:
    """Text as quoted in a message: on one line, with the pipes of table cells."""
    return " ".join(text.replace(TABLE_PIPE, "|").split())


def _error(state: StateInline, length: int, message: str, hint: str) -> None:
    """Push a syntax error for the ``length`` characters at the current position."""
    token = state.push("syntax_error", "", 0)
    raw = state.src[state.pos : state.pos + length].replace(TABLE_PIPE, "|")
    token.meta = {"raw": raw, "pos": state.pos, "message": message, "hint": hint}
    state.pos += length


def bracket_rule(state: StateInline, silent: bool) -> bool:
    """Mentions, citations and stray ``]]``: one rule, so other brackets cost one call."""
    if silent:
        # While a link label is scanned, let the brackets count as brackets,
        # so that [text [[actor]]](url) stays a link.
        return False
    pair = state.src[state.pos : state.pos + 2]
    if pair == "[[":
        return mention_rule(state)
    if pair == "[@":
        return citation_rule(state)
    if pair == "]]":
        return close_rule(state)
    return False


def mention_rule(state: StateInline) -> bool:
    """``[[target]]`` or ``[[target|text]]``; a ``[[`` that is neither is an error.

    A mention may run over a line break (editors wrap long lines); its words are
    joined by single spaces.
    """
    src, pos, limit = state.src, state.pos, state.posMax
    if pos + 2 > limit:
        return False
    if src.startswith("[[[", pos) and pos + 3 <= limit:
        # "[[[actor]]](url)": a link whose text is a mention; the link rule takes
        # the first bracket, or leaves it as text and this rule runs at the next.
        return False
    close = src.find("]]", pos + 2, limit)
    inner = src[pos + 2 : close] if close >= 0 else src[pos + 2 : limit]
    if close >= 0 and "[" not in inner and "]" not in inner:
        if not inner.strip():
            _error(
                state,
                close + 2 - pos,
                f"empty mention '{_one_line(src[pos : close + 2])}'",
                f"put an actor's id inside, e.g. [[actor-id]]; {LITERAL_MENTION}",
            )
            return True
        raw = src[pos : close + 2]
        if TABLE_PIPE in inner:
            inner, raw = inner.replace(TABLE_PIPE, "|"), raw.replace(TABLE_PIPE, "|")
        target, label = mention_parts(inner)
        token = state.push("mention", "", 0)
        token.meta = {
            "target": target,
            "label": label,
            "raw": raw,
            "pos": pos,
        }
        state.pos = close + 2
        return True
    single = src.find("]", pos + 2, limit)
    opened = src.find("[", pos + 2, limit)
    if single >= 0 and (opened < 0 or single < opened) and "\n" not in src[pos:single]:
        bad = src[pos : single + 1].replace(TABLE_PIPE, "|")
        message = f"mention '{bad}' is closed with one ']'"
    else:
        message = f"unclosed mention '{_quote(src, pos, opened if opened >= 0 else limit)}'"
    _error(state, 2, message, f"close it with ']]'; {LITERAL_MENTION}")
    return True


def close_rule(state: StateInline) -> bool:
    """A ``]]`` that closes nothing is an error, not text."""
    src, pos = state.src, state.pos
    if pos + 2 > state.posMax:
        return False
    escaped = src.rfind("\\[[", 0, pos)
    if escaped >= 0 and "]]" not in src[escaped + 3 : pos]:
        return False  # it closes a literal "\[[": literal too, as the writer meant
    _error(
        state,
        2,
        "']]' closes no mention",
        "open the mention with '[[', or write \\]] for a literal ']]'",
    )
    return True


def citation_rule(state: StateInline) -> bool:
    """``[@id]``, ``[@id, locator]``, ``[@a; @b]``; anything else after ``[@`` is an error.

    A citation may run over a line break, like a mention.
    """
    src, pos, limit = state.src, state.pos, state.posMax
    if pos + 2 > limit:
        return False
    close = src.find("]", pos + 2, limit)
    opened = src.find("[", pos + 2, limit)
    if close < 0 or 0 <= opened < close:
        bad = _quote(src, pos, opened if opened >= 0 else limit)
        _error(state, 2, f"unclosed citation '{bad}'", f"close it with ']'; {LITERAL_CITATION}")
        return True
    raw = src[pos : close + 1]
    items, offsets, problems = citation_parts(raw)
    if items:
        token = state.push("citation", "", 0)
        token.meta = {
            "items": items,
            "raw": raw,
            "pos": pos,
            "offsets": offsets,
            "problems": problems,
        }
        state.pos = close + 1
        return True
    if not raw[2:-1].strip():
        message = f"empty citation '{_one_line(raw)}'"
        hint = "put a source id after '@', e.g. [@source-id]"
    else:
        fixed = _fix_citation(_one_line(raw))
        message = f"malformed citation '{_one_line(raw)}'"
        hint = f"write '{fixed}'" if fixed else _CITATION_FORMS
    _error(state, close + 1 - pos, message, f"{hint}; {LITERAL_CITATION}")
    return True


def citation_items(raw: str) -> tuple[list[tuple[str, str, int]], list[int]]:
    """The (source id, locator, credibility) of each item of a citation written ``raw``,
    from ``[@`` to ``]``; credibility is 0 when not given (``grades.split_credibility``).

    With each, the offset in ``raw`` of its ``@``. Both empty when it is malformed.
    """
    items, offsets, _ = citation_parts(raw)
    return items, offsets


def citation_parts(
    raw: str,
) -> tuple[list[tuple[str, str, int]], list[int], list[CredibilityProblem | None]]:
    """``citation_items``, and each item's mistake in writing credibility (its offset in
    ``raw``), or None."""
    items: list[tuple[str, str, int]] = []
    offsets: list[int] = []
    problems: list[CredibilityProblem | None] = []
    start = 1
    for part in raw[1:-1].split(";"):
        lead = len(part) - len(part.lstrip())
        match = _CITE_ITEM.fullmatch(part.strip())
        locator = match["locator"] if match else None
        if not match or (locator and "@" in locator and _SOURCE_IN_LOCATOR.search(locator)):
            return [], [], []
        credibility, problem = 0, None
        if locator:
            locator, credibility, problem = split_credibility(locator)
            if problem is not None:
                at = start + lead + match.start("locator") + problem.offset
                problem = CredibilityProblem(at, problem.message, problem.hint)
        items.append((match["id"], locator or "", credibility))
        offsets.append(start + lead)
        problems.append(problem)
        start += len(part) + 1
    return items, offsets, problems


def mention_parts(inner: str) -> tuple[str, str]:
    """The target and the text of a mention whose inside (between the brackets) is ``inner``."""
    # "\\|" is how the pipe was escaped in tables before it needed no escape.
    target, _, label = inner.replace("\\|", "|").partition("|")
    return " ".join(target.split()), " ".join(label.split())


def _fix_citation(raw: str) -> str | None:
    """What a malformed citation probably meant, if a small change makes it valid.

    Spaces after "@" are dropped, a missing "@" is added, a locator gets the
    comma it lacks ("[@a p. 3]"), and a source written where a locator goes
    ("[@a, @b]") becomes a second citation.
    """
    inner = _COMMA_BEFORE_SOURCE.sub(";", raw[1:-1])
    parts = []
    for part in inner.split(";"):
        loose = _LOOSE_ITEM.fullmatch(part.strip())
        if not loose:
            return None
        rest = loose["rest"].strip()
        bare = _BARE_LOCATOR.fullmatch(rest)
        if bare:
            rest = f"{bare['id']}, {bare['locator']}"
        if not _CITE_ITEM.fullmatch("@" + rest):
            return None
        parts.append("@" + rest)
    fixed = "[" + "; ".join(parts) + "]"
    return None if fixed == raw else fixed


def render_syntax_error(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    # Never published: the error fails the build. Shown as written for previews of the HTML.
    return escape(str(tokens[idx].meta["raw"]))


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
    parts = []
    for (source_id, locator, _), citation in zip(
        meta["items"], meta.get("resolved", ()), strict=False
    ):
        if citation is None:
            parts.append(escape(f"@{source_id}"))
            continue
        number = str(citation.number)
        title = escape(doc.lookup.source_titles[source_id], quote=True)
        href = f"#ref-{citation.number}"
        if meta.get("in_link"):
            # No link inside a link, but the reference list still links back here.
            link = number if doc.excerpt else f'<span id="{citation.anchor}">{number}</span>'
        elif doc.excerpt:
            link = f'<a href="{doc.doc_url}{href}" title="{title}">{number}</a>'
        else:
            link = (
                f'<a href="{href}" id="{citation.anchor}" class="cite" title="{title}" '
                f'aria-label="Reference {number}">{number}</a>'
            )
        parts.append(link + (f", {escape(locator)}" if locator else ""))
    return f'<span class="citation">[{"; ".join(parts)}]</span>'
