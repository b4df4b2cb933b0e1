"""The configured markdown-it parser and the function that renders one body."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from ..errors import ConfigError, error
from ..model import Body, Statement
from ..paths import Url
from ..texts import in_memory
from .document import NOTES_OPEN, DocState, Lookup, Rendered
from .fast import FastPath
from .rawhtml import raw_html
from .resolve import resolve
from .statements import render_statement_open, render_tag, statements
from .syntax import (
    bracket_rule,
    render_citation,
    render_mention,
    render_syntax_error,
)
from .tables import table_rule

PATH_VARIABLE = "BRIEFGEN_MARKDOWN"
"""Set to ``reference`` to render every body with markdown-it-py alone (for debugging)."""
PATHS = ("fast", "reference")


def chosen_path(environ: Mapping[str, str]) -> str:
    """The Markdown path the environment asks for: ``fast`` (the default) or ``reference``."""
    path = environ.get(PATH_VARIABLE, "") or "fast"
    if path not in PATHS:
        raise ConfigError(
            [
                error(
                    PATH_VARIABLE,
                    0,
                    0,
                    f"unknown Markdown path '{path}'",
                    "set it to 'fast' or 'reference', or leave it unset",
                )
            ]
        )
    return path


class MarkdownRenderer:
    """Renders Markdown bodies against one site's actors and sources.

    By default plain prose goes through markdown-it-pyrs (``fast.py``), with exactly
    the same result; ``path="reference"`` (or ``BRIEFGEN_MARKDOWN=reference``)
    renders everything with markdown-it-py, the definition of correct.
    """

    def __init__(self, lookup: Lookup, path: str | None = None) -> None:
        self.lookup = lookup
        self.path = chosen_path({PATH_VARIABLE: path} if path else os.environ)
        md = MarkdownIt("commonmark", {"typographer": False, "xhtmlOut": False})
        md.enable(["table", "strikethrough"])
        md.use(footnote_plugin)
        md.inline.ruler.before("link", "briefgen_brackets", bracket_rule)
        md.block.ruler.at("table", table_rule, {"alt": ["paragraph", "reference"]})
        md.core.ruler.after("inline", "briefgen_resolve", resolve)
        md.core.ruler.push("briefgen_statements", statements)
        md.core.ruler.push("briefgen_raw_html", raw_html)
        md.add_render_rule("mention", render_mention)
        md.add_render_rule("citation", render_citation)
        md.add_render_rule("syntax_error", render_syntax_error)
        md.add_render_rule("statement_open", render_statement_open)
        md.add_render_rule("statement_close", render_tag)
        md.add_render_rule("attribution_open", render_tag)
        md.add_render_rule("attribution_close", render_tag)
        md.add_render_rule("footnote_block_open", _render_notes_open)
        md.add_render_rule("footnote_caption", _render_note_number)
        self.md = md
        self.fast = FastPath(md, lookup)

    def render(self, body: Body, doc_url: Url) -> Rendered:
        """Render one body; ``doc_url`` is the URL of the page it appears on."""
        body = in_memory(body)
        if self.path == "fast":
            fast = self.render_fast(body, doc_url)
            if fast is not None:
                return fast[0]
        return self.render_reference(body, doc_url)

    def render_fast(self, body: Body, doc_url: Url) -> tuple[Rendered, int] | None:
        """The fast path, and how many lines markdown-it-pyrs rendered; None when it declines."""
        draft = self.fast.render(body, doc_url)
        if draft is None:
            return None
        return self._finish(draft.doc, draft.env, draft.html), draft.fast_lines

    def render_reference(self, body: Body, doc_url: Url) -> Rendered:
        """The reference path: markdown-it-py with the briefgen plugins, the whole body."""
        doc = DocState(body, doc_url, body.text.split("\n"), self.lookup)
        env: dict[str, Any] = {"briefgen": doc}
        tokens = self.md.parse(body.text, env)
        html = self.md.renderer.render(tokens, self.md.options, env)
        return self._finish(doc, env, html)

    def _finish(self, doc: DocState, env: dict[str, Any], html: str) -> Rendered:
        """The result, with each statement's quote rendered for the actor's and source's pages."""
        doc.excerpt = True
        statements = tuple(
            Statement(
                s.actor_id,
                s.source_id,
                s.locator,
                self.md.renderer.render(quoted, self.md.options, env),
                s.anchor,
                s.where,
            )
            for s, quoted in doc.statements
        )
        return Rendered(
            html=html,
            mentions=tuple(doc.mentions),
            citations=tuple(doc.citations),
            statements=statements,
            links=tuple(doc.links),
            ids=frozenset(doc.ids),
            diagnostics=tuple(doc.diagnostics),
        )


def _render_notes_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    return NOTES_OPEN


def _render_note_number(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    # A bare superscript numeral: the plugin's "[1]" looks exactly like a citation marker.
    # A note referred to twice keeps its one number (the plugin would write "1:1").
    return str(tokens[idx].meta["id"] + 1)
