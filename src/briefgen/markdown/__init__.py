"""Markdown to HTML, plus what the text mentions, cites, quotes and links to.

The only package that imports markdown-it-py (the reference) and markdown-it-pyrs
(``fast.py``: the same result for plain prose, faster). Three plugins extend CommonMark:

- ``[[actor]]`` / ``[[actor|text]]``: a mention, resolved by id, name or alias
  (``syntax.py``, ``resolve.py``);
- ``[@source]``, ``[@source, para. 3]``, ``[@a; @b]``: Pandoc-style citations,
  numbered in order of first citation within the document (same modules);
- a blockquote whose last paragraph is ``-- [[actor]] [@source]``: a statement,
  rendered as a figure with its attribution (``statements.py``); one that nearly
  is (a list item, another dash) gets a warning with the form meant.

Any other ``[[``, ``]]`` or ``[@`` outside code is an error at its column, so
none reaches a page as text; in tables, ``|`` inside ``[[...]]`` stays in its
cell, and text in cells beyond the header's or a code span cut by a ``|`` is an
error rather than lost (``tables.py``).

Rendering returns the HTML together with everything it found (mentions,
citations, statements, links, element ids and diagnostics), so later stages
never parse HTML again.
"""

from __future__ import annotations

from .cache import RenderCache
from .document import Link, Lookup, Rendered
from .renderer import MarkdownRenderer

__all__ = ["Link", "Lookup", "MarkdownRenderer", "RenderCache", "Rendered"]
