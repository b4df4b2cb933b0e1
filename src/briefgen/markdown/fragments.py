"""Short Markdown texts that belong to a body's document: a brief's key judgments.

A key judgment is written in front matter but read as part of its brief: its
mentions and citations count like the body's, its citations take the numbers the
body gave their sources (a source first cited in a judgment gets the next number),
and its ids never collide with the body's. Each text is rendered by the reference
parser (they are a sentence or two) with the body's numbering carried on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..model import Body, Location
from ..paths import Url
from .document import DocState, Rendered
from .renderer import MarkdownRenderer


def render_after(
    renderer: MarkdownRenderer,
    body: Rendered,
    texts: Sequence[tuple[Body, Sequence[str]]],
    doc_url: Url,
) -> tuple[Rendered, ...]:
    """Each text rendered as a continuation of ``body``'s document.

    ``texts`` holds each text's Body (its ``first_line`` the file line it starts on)
    and the file's lines from there, which place what the text holds at its column.
    """
    numbers: dict[str, int] = {}
    for citation in body.citations:
        numbers.setdefault(citation.source_id, citation.number)
    occurrences: dict[str, int] = dict(Counter(c.source_id for c in body.citations))
    ids = set(body.ids)
    out = []
    for text, lines in texts:
        doc = DocState(text, doc_url, list(lines), renderer.lookup)
        doc.numbers, doc.occurrences, doc.ids = numbers, occurrences, ids
        known = set(ids)
        env: dict[str, Any] = {"briefgen": doc}
        tokens = renderer.md.parse(text.text, env)
        html: str = renderer.md.renderer.render(tokens, renderer.md.options, env)
        if env.get("footnotes", {}).get("list") or doc.statements:
            first = Location(text.path, text.first_line + 1, 1)
            what = "a footnote" if env.get("footnotes", {}).get("list") else "an attributed quote"
            doc.problem(
                first,
                f"a key judgment cannot hold {what}",
                "keep it to a sentence or two with citations; put the rest in the body",
            )
        out.append(
            Rendered(
                html=html,
                mentions=tuple(doc.mentions),
                citations=tuple(doc.citations),
                statements=(),
                links=tuple(doc.links),
                ids=frozenset(ids - known),
                diagnostics=tuple(doc.diagnostics),
            )
        )
    return tuple(out)
