"""Raw HTML that the site's Content-Security-Policy will block, found at its line.

Raw HTML in Markdown passes through to the page as the writer wrote it (it is the
writer's own site). But the published site, and the preview, send a strict policy:
only the site's own scripts, stylesheets, images and frames, and no inline code or
style. Whatever the policy would block works nowhere, so each such thing gets a
warning at its file and line (and ``--strict`` fails) instead of breaking silently
after the deploy.

Tags are read with the standard library's HTML parser, one raw-HTML token at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..errors import warning
from .document import DocState, doc_state

_POLICY = "the site's Content-Security-Policy"
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "poster", "xlink:href"})
_FRAMES = frozenset({"iframe", "frame", "embed", "object"})
_MEDIA = frozenset({"img", "video", "audio", "source", "track", "input"})


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str
    attrs: tuple[tuple[str, str], ...]


class _TagReader(HTMLParser):
    """Collects the start tags of one fragment of HTML, with their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[_Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(_Tag(tag, tuple((k, v or "") for k, v in attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _tags(fragment: str) -> list[_Tag]:
    reader = _TagReader()
    reader.feed(fragment)
    reader.close()
    return reader.tags


def _elsewhere(url: str) -> bool:
    """True for a URL on another site (a scheme with a host, or ``//host``); data: is allowed."""
    url = url.strip().lower()
    return url.startswith(("//", "http://", "https://"))


def _is_javascript(url: str) -> bool:
    # Browsers ignore whitespace and control characters inside the scheme.
    squeezed = "".join(c for c in url if c > " ").lower()
    return squeezed.startswith("javascript:")


def _problems(tag: _Tag) -> list[tuple[str, str, str]]:
    """(what to find on the line, message, hint) for each thing the policy blocks."""
    found: list[tuple[str, str, str]] = []
    attrs = dict(tag.attrs)
    if tag.name == "script":
        src = attrs.get("src", "")
        if not src:
            found.append(
                (
                    "<script",
                    f"inline <script> will not run: {_POLICY} allows only the site's script files",
                    "move the code into a file under static/assets/",
                )
            )
        elif _elsewhere(src):
            found.append(
                (
                    src,
                    f"script from another site '{src}' will not load: {_POLICY} allows only "
                    "the site's own scripts",
                    "save a copy under static/assets/",
                )
            )
    if tag.name == "style":
        found.append(
            (
                "<style",
                f"<style> element is ignored: {_POLICY} allows only the site's stylesheets",
                "put the rules in your own stylesheet, static/assets/style.css",
            )
        )
    if tag.name in _FRAMES:
        src = attrs.get("src", "") or attrs.get("data", "")
        if _elsewhere(src):
            found.append(
                (
                    src,
                    f"<{tag.name}> of another site '{src}' will not load: {_POLICY} allows "
                    "only the site's own pages in frames",
                    "link to it instead",
                )
            )
    if tag.name in _MEDIA and _elsewhere(attrs.get("src", "")):
        src = attrs["src"]
        found.append(
            (
                src,
                f"<{tag.name}> from another site '{src}' will not load: {_POLICY} allows "
                "only the site's own files",
                "save a copy under static/ and link to it",
            )
        )
    for name, value in tag.attrs:
        if name.startswith("on"):
            found.append(
                (
                    name,
                    f"inline event handler '{name}' will not run: {_POLICY} forbids inline code",
                    "remove it",
                )
            )
        elif name == "style":
            found.append(
                (
                    "style=",
                    f"inline style '{value}' is ignored: {_POLICY} forbids inline styles",
                    "use a class and a rule in your own stylesheet, static/assets/style.css",
                )
            )
        elif name in _URL_ATTRIBUTES and _is_javascript(value):
            found.append(
                (
                    value,
                    f"'javascript:' URL will not run: {_POLICY} forbids inline code",
                    "remove it",
                )
            )
    return found


def _warn(doc: DocState, lines: Sequence[int] | None, needle: str, message: str, hint: str) -> None:
    start, end = (lines[0], lines[1]) if lines else (0, len(doc.lines))
    line, col = start, 0
    for index in range(start, min(end, len(doc.lines))):
        found = doc.lines[index].find(needle)
        if found >= 0:
            line, col = index, found
            break
    where_line = doc.body.first_line + line + 1
    doc.diagnostics.append(warning(doc.body.path, where_line, col + 1, message, hint))


def _check(doc: DocState, fragment: str, lines: Sequence[int] | None) -> None:
    for tag in _tags(fragment):
        for needle, message, hint in _problems(tag):
            _warn(doc, lines, needle, message, hint)


def raw_html(state: StateCore) -> None:
    """Warn about each piece of raw HTML (or Markdown image) the policy would block."""
    doc = doc_state(state.env)
    if doc.excerpt or ("<" not in doc.body.text and "](" not in doc.body.text):
        return
    for block in state.tokens:
        if block.type == "html_block":
            _check(doc, block.content, block.map)
        elif block.type == "inline" and block.children:
            for token in block.children:
                _inline(doc, token, block)


def _inline(doc: DocState, token: Token, block: Token) -> None:
    if token.type == "html_inline":
        _check(doc, token.content, block.map)
    elif token.type == "image":
        src = str(token.attrs.get("src", ""))
        if _elsewhere(src):
            _warn(
                doc,
                block.map,
                src,
                f"image from another site '{src}' will not load: {_POLICY} allows only "
                "the site's own files",
                "save a copy under static/ and link to it",
            )
