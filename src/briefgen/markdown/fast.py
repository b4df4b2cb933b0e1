"""The fast path: plain prose rendered by markdown-it-pyrs, everything else by the reference.

markdown-it-py with the briefgen plugins (``renderer.py``) is the definition of
correct; this module only makes the common case cheaper without changing a byte.

A body is cut into pieces at blank lines followed by a line that starts in column
one with something that cannot continue the block above (not a space, a list
marker or a digit): nothing in CommonMark carries across such a cut once fences,
HTML blocks of kinds 1 to 5, link reference definitions and footnotes, the
things that do, are ruled out for the whole body (it then takes the reference
path). A piece is *plain* when, outside its well-formed one-line mentions and
citations (all of which resolve), it holds none of the characters where the two
parsers may differ or where briefgen's plugins act: code, emphasis, raw HTML,
escapes, entities, links, images, table pipes, quotes (statements), tabs and
control characters. Consecutive plain pieces are rendered together by
markdown-it-pyrs with each mention and citation swapped for a placeholder
character, which the resolved HTML then replaces; the other pieces are parsed
and rendered by the reference parser with the same per-document state (citation
numbers, statement numbers, ids), their lines counted from where they sit in the
file. Whenever a plain piece's output is not what the swap assumes (an indented
code block, a heading holding more than text), it is rendered by the reference
instead; whenever anything is reported or two headings want the same id, the
whole body is.

``tests/test_markdown_fast.py`` renders the example site, every fixture, a
generated corpus and fuzzed Markdown both ways and requires identical results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it_pyrs import MarkdownIt as RustMarkdownIt

from ..model import Body, Citation, Location, Mention, Statement
from .document import NOTES_OPEN, DocState, Lookup
from .resolve import heading_base, visible_text
from .syntax import citation_parts, mention_parts, render_citation, render_mention
from .tables import row_cells

PLACEHOLDER = "\ue000"
"""Stands for one mention or citation in what markdown-it-pyrs parses.

A private-use character: text to both parsers, neither punctuation nor space,
and refused wherever a writer wrote it, so each one in the output is one of ours.
"""

# What sends the whole body to the reference path: a carriage return or NUL
# (normalised by markdown-it-py), inline notes ("^["), fences, and HTML blocks that
# run over blank lines (comments, processing instructions, declarations, pre,
# script, style, textarea).
_WHOLE_BODY = re.compile(r"\r|\x00|\^\[|```|~~~|<(?:[!?]|/?(?:pre|script|style|textarea)\b)", re.I)
# Whitespace other than the space: markdown-it-py strips it from the ends of
# paragraphs and lines (Python's str.strip), markdown-it-pyrs keeps it.
_UNICODE_SPACES = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# In a line of a plain piece: a one-line mention, a one-line citation, or a
# character that makes the piece not plain (brackets outside those two,
# backticks, HTML, quotes, emphasis, escapes, entities, images, pipes, tabs,
# control characters, other spaces, the placeholder itself).
_SCAN = re.compile(
    r"\[\[(?P<mention>[^\[\]]*)\]\]|\[@[^\[\]]*\]|\[\^(?P<note>[A-Za-z0-9-]+)\]|(?P<pipe>\|)"
    "|[\\[\\]`<>*_~\\\\&!\x00-\x1f\x7f" + _UNICODE_SPACES + PLACEHOLDER + "]"
)
# A delimiter row of a table without a "|": dashes, colons and spaces.
_ALIGNMENT_ROW = re.compile(r"[ \t]*[:-][:\- \t]*")
# A line that, after a blank line, may still belong to the block above: indented
# (a list item's next paragraph, code), a list marker, or an ordered list's number.
_CONTINUES = frozenset(" \t-*+0123456789")
# A heading in markdown-it-pyrs' output; h2 to h4 get ids, as in resolve.py.
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)


@dataclass(frozen=True, slots=True)
class _Meaning:
    """What a mention or citation written one way means (the same wherever it is written)."""

    actor_id: str | None
    """For a mention, the actor; None for a citation."""
    label: str
    """For a mention, the text written after '|' ('' if none)."""
    items: tuple[tuple[str, str, int], ...]
    """For a citation, its (source id, locator, credibility) triples."""
    offsets: tuple[int, ...]
    """For a citation, where each item's '@' is in what was written."""
    note: str = ""
    """For a footnote marker, its label."""


@dataclass(frozen=True, slots=True)
class _Span:
    """One mention or citation of a plain piece."""

    line: int
    """0-based line in the body."""
    col: int
    """0-based column of its first bracket."""
    raw: str
    """As written."""
    meaning: _Meaning


@dataclass(frozen=True, slots=True)
class _Group:
    """Consecutive pieces rendered the same way: lines ``start`` to ``end`` of the body."""

    start: int
    end: int
    spans: tuple[_Span, ...] | None
    """The mentions and citations when the pieces are plain; None for the reference."""
    quote: int = 0
    """For an attributed quote (a piece of its own): how many lines the quote takes."""


@dataclass(frozen=True, slots=True)
class _Notes:
    """The footnotes of a body, defined at its end."""

    numbers: dict[str, tuple[int, int]]
    """Label -> (number, markers placed so far), by first use; the markers count up."""
    notes: tuple[tuple[str, int, int, tuple[_Span, ...]], ...]
    """Each note's label, line, where its text starts, and the mentions and citations in it.

    In the file's order, which is the order the reference resolves them in.
    """


@dataclass(frozen=True, slots=True)
class FastDraft:
    """A body rendered by the fast path, before its statements are rendered for other pages."""

    html: str
    doc: DocState
    env: dict[str, Any]
    fast_lines: int
    """How many of the body's lines markdown-it-pyrs rendered."""


class FastPath:
    """Renders bodies with markdown-it-pyrs where that is exact, with the reference elsewhere."""

    def __init__(self, md: MarkdownIt, lookup: Lookup) -> None:
        self.md = md
        self.lookup = lookup
        """The reference parser, with the briefgen plugins."""
        renderer = md.renderer
        assert isinstance(renderer, RendererHTML)
        self.renderer = renderer
        """The reference's renderer, whose rules render mentions and citations."""
        self.meanings: dict[str, _Meaning | None] = {}
        """What each mention and citation written so far means; None if it is not plain."""
        self.mentions: dict[tuple[str, str], str] = {}
        """The HTML of a resolved mention, by actor id and text."""
        self.rust = RustMarkdownIt("commonmark").enable_many(["table", "strikethrough"])

    def render(self, body: Body, doc_url: str) -> FastDraft | None:
        """The body rendered piece by piece; None when it must take the reference path whole."""
        if _WHOLE_BODY.search(body.text):
            return None
        lines = body.text.split("\n")
        start = _notes_start(lines)
        # Link reference definitions, and notes anywhere but at the end, are the reference's.
        if any("]:" in line for line in lines[:start]):
            return None
        groups = self._groups(lines[:start])
        notes = self._notes(lines, start, groups)
        if notes is None or all(group.spans is None for group in groups):
            return None  # notes it cannot place, or nothing to gain
        doc = DocState(body, doc_url, lines, self.lookup)
        env: dict[str, Any] = {"briefgen": doc, _NOTES: dict(notes.numbers)}
        html: list[str] = []
        bases: list[str] = []
        fast_lines = 0
        for group in groups:
            part = None
            if group.quote:
                part = self._statement(doc, env, body, group)
            elif group.spans is not None:
                part = self._plain(doc, env, body, group, group.spans, bases)
            if part is None:
                part = self._reference(doc, env, body, lines, group, bases)
            else:
                fast_lines += group.end - group.start
            html.append(part)
        if notes.notes:
            part = self._notes_html(doc, env, body, lines, notes)
            if part is None:
                return None
            html.append(part)
            fast_lines += len(lines) - start
        # A problem must be reported in the reference's order, and a heading whose id
        # takes a number may depend on ids the reference finds in another order.
        if doc.diagnostics or len(set(bases)) != len(bases):
            return None
        doc.body, doc.lines = body, lines
        return FastDraft("".join(html), doc, env, fast_lines)

    def _plain(
        self,
        doc: DocState,
        env: dict[str, Any],
        body: Body,
        group: _Group,
        spans: Sequence[_Span],
        bases: list[str],
    ) -> str | None:
        """Plain pieces by markdown-it-pyrs; None (``doc`` untouched) if the swap fails."""
        lines = doc.lines[group.start : group.end]
        html = self.rust.render(_swap(lines, group.start, spans), xhtml=False)
        parts = html.split(PLACEHOLDER)
        if len(parts) != len(spans) + 1 or "<pre>" in html:
            return None  # a placeholder in an indented code block (or lost)
        shown: list[str] = []
        for found in _HEADING.finditer(html):
            if found[1] not in "234":
                continue
            inner = found[2]
            if "<" in inner:
                return None  # a hard break: the reference reads the heading's text
            first = html.count(PLACEHOLDER, 0, found.start(2))
            pieces = inner.split(PLACEHOLDER)
            words = [pieces[0]]
            for span, piece in zip(spans[first:], pieces[1:], strict=False):
                meaning = span.meaning
                if meaning.actor_id is not None:
                    words.append(meaning.label or self.lookup.actor_names[meaning.actor_id])
                words.append(piece)
            # As resolve.py reads a heading: its text, mentions by their words, no citations.
            shown.append(unescape("".join(words)).replace("\n", " "))
        out = [parts[0]]
        for span, part in zip(spans, parts[1:], strict=True):
            out.append(self._resolve(doc, env, body, span)[0])
            out.append(part)
        rendered = "".join(out)
        if not shown:
            return rendered
        ids = []
        for text in shown:
            base = heading_base(text)
            bases.append(base)
            slug, counter = base, 1
            while slug in doc.ids:
                counter += 1
                slug = f"{base}-{counter}"
            doc.ids.add(slug)
            ids.append(slug)
        numbered = iter(ids)
        return _OPEN_H2_TO_H4.sub(lambda m: f'<h{m[1]} id="{next(numbered)}">', rendered)

    def _reference(
        self,
        doc: DocState,
        env: dict[str, Any],
        body: Body,
        lines: list[str],
        group: _Group,
        bases: list[str],
    ) -> str:
        """Pieces by the reference parser, their lines counted from where they are in the file."""
        piece = lines[group.start : group.end]
        text = "\n".join(piece)
        doc.body = Body(text, body.path, body.first_line + group.start)
        doc.lines, doc.cursors, doc.cell_cursors = piece, {}, {}
        tokens = self.md.parse(text, env)
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and token.tag in ("h2", "h3", "h4"):
                bases.append(heading_base(visible_text(doc, tokens[index + 1].children or [])))
        html: str = self.md.renderer.render(tokens, self.md.options, env)
        doc.body, doc.lines = body, lines
        return html

    def _resolve(
        self, doc: DocState, env: dict[str, Any], body: Body, span: _Span
    ) -> tuple[str, Token | None]:
        """Record a span as resolve.py does, and render it with the reference's own rules.

        With the HTML, a citation's token, from which statements render it again.
        """
        meaning, line = span.meaning, body.first_line + span.line + 1
        if meaning.note:
            # As the footnote plugin numbers markers: by first use, "fnref1:1" for the second.
            number, uses = env[_NOTES][meaning.note]
            env[_NOTES][meaning.note] = (number, uses + 1)
            suffix = f":{uses}" if uses else ""
            html = (
                f'<sup class="footnote-ref"><a href="#fn{number}" id="fnref{number}{suffix}">'
                f"{number}</a></sup>"
            )
            return html, None
        actor_id = meaning.actor_id
        if actor_id is not None:
            doc.mentions.append(Mention(actor_id, Location(body.path, line, span.col + 1)))
            key = (actor_id, meaning.label)
            known = self.mentions.get(key)
            if known is None:
                token = Token("mention", "", 0, meta={"id": actor_id, "label": meaning.label})
                known = render_mention(self.renderer, [token], 0, self.md.options, env)
                self.mentions[key] = known
            return known, None
        resolved: list[Citation | None] = []
        for (source_id, locator, credibility), offset in zip(
            meaning.items, meaning.offsets, strict=True
        ):
            where = Location(body.path, line, span.col + offset + 1)
            number = doc.numbers.setdefault(source_id, len(doc.numbers) + 1)
            occurrence = doc.occurrences[source_id] = doc.occurrences.get(source_id, 0) + 1
            anchor = f"cite-{number}-{occurrence}"
            citation = Citation(source_id, number, anchor, locator, where, credibility)
            doc.citations.append(citation)
            doc.ids.add(citation.anchor)
            resolved.append(citation)
        meta = {"items": meaning.items, "resolved": resolved}
        token = Token("citation", "", 0, meta=meta)
        return render_citation(self.renderer, [token], 0, self.md.options, env), token

    def _groups(self, lines: Sequence[str]) -> list[_Group]:
        """The body's pieces, consecutive plain ones together and consecutive others together."""
        cuts = [
            index
            for index in range(1, len(lines))
            if lines[index]
            and lines[index][0] not in _CONTINUES
            and not lines[index - 1].strip(" \t")
        ]
        groups: list[_Group] = []
        for start, end in zip([0, *cuts], [*cuts, len(lines)], strict=True):
            statement = self._quote(lines, start, end)
            if statement is not None:
                groups.append(statement)
                continue
            spans = self._plain_spans(lines, start, end)
            if groups and not groups[-1].quote and (groups[-1].spans is None) == (spans is None):
                last = groups.pop()
                joined = None if spans is None or last.spans is None else last.spans + spans
                groups.append(_Group(last.start, end, joined))
            else:
                groups.append(_Group(start, end, spans))
        return groups

    def _quote(self, lines: Sequence[str], start: int, end: int) -> _Group | None:
        """A piece that is an attributed quote in the plainest form, or None.

        Quoted paragraphs of plain lines, each line "> " and a letter or a mention or
        citation; a line ">" after each paragraph; "> -- [[actor]] [@source]"; then
        blank lines only.
        """
        last = end
        while last > start and not lines[last - 1].strip(" \t"):
            last -= 1
        if last - start < 3 or lines[last - 2] != ">" or lines[start] == ">":
            return None
        attribution = _ATTRIBUTION.fullmatch(lines[last - 1])
        if attribution is None:
            return None
        spans: list[_Span] = []
        for index in range(start, last - 2):
            line = lines[index]
            if line == ">":
                if lines[index - 1] == ">":
                    return None
                continue
            if not (line.startswith("> ") and (line[2:3].isalpha() or line[2:4] in _OPENERS)):
                return None
            found = self._plain_spans(lines, index, index + 1, skip=2)
            if found is None:
                return None
            spans += found
        tail = self._plain_spans(lines, last - 1, last, skip=5)
        if tail is None or len(tail) != 2 or any(span.meaning.note for span in spans):
            return None
        return _Group(start, end, (*spans, *tail), last - 2 - start)

    def _statement(
        self, doc: DocState, env: dict[str, Any], body: Body, group: _Group
    ) -> str | None:
        """An attributed quote rendered as statements.py renders it; None to leave it to it."""
        assert group.spans is not None
        spans, (speaker, source) = group.spans[:-2], group.spans[-2:]
        lines = doc.lines[group.start : group.start + group.quote]
        swapped = _swap(lines, group.start, spans).split("\n")
        quote = self.rust.render("\n".join(line[2:] for line in swapped), xhtml=False)
        if not _PARAGRAPHS.fullmatch(quote) or quote.count(PLACEHOLDER) != len(spans):
            return None
        parts = quote.split(PLACEHOLDER)
        page, excerpt = [parts[0]], [parts[0]]
        for span, part in zip(spans, parts[1:], strict=True):
            html, token = self._resolve(doc, env, body, span)
            page += [html, part]
            if token is not None:
                doc.excerpt = True
                html = render_citation(self.renderer, [token], 0, self.md.options, env)
                doc.excerpt = False
            excerpt += [html, part]
        who, _ = self._resolve(doc, env, body, speaker)
        cited, token = self._resolve(doc, env, body, source)
        assert speaker.meaning.actor_id is not None and token is not None
        first = token.meta["resolved"][0]
        number = len(doc.statements) + 1
        anchor = f"statement-{number}"
        doc.ids.add(anchor)
        line = body.first_line + speaker.line + 1
        where = Location(body.path, line, speaker.col + 1)
        statement = Statement(
            speaker.meaning.actor_id, first.source_id, first.locator, "", anchor, where
        )
        # The quote as other pages show it, as a token that renders to exactly that.
        doc.statements.append((statement, [Token("html_block", "", 0, content="".join(excerpt))]))
        return (
            f'<figure class="statement" id="{anchor}">\n<blockquote>\n{"".join(page)}'
            f"</blockquote>\n<figcaption>\u2014 {who} {cited}</figcaption>\n</figure>\n"
        )

    def _plain_spans(
        self, lines: Sequence[str], start: int, end: int, skip: int = 0
    ) -> tuple[_Span, ...] | None:
        """The mentions and citations of lines ``start`` to ``end``; None unless they are plain.

        ``skip``: how many characters at the start of each line were already read.
        A table (a "|" outside mentions, or a row like ":--") is plain only as a
        piece of its own, with no skip, each of its lines starting with "|":
        markdown-it-py ends a table at a line that starts another block (a list
        item, say) and wants a "|" in the header, markdown-it-pyrs does neither.
        """
        spans = []
        table = False
        for index in range(start, end):
            line = lines[index]
            if ":" in line and _ALIGNMENT_ROW.fullmatch(line):
                table = True  # markdown-it-pyrs makes "a" over ":-" a table, without a "|"
            for found in _SCAN.finditer(line, skip):
                raw = found[0]
                if found["pipe"]:
                    table = True
                    continue
                if len(raw) == 1:
                    return None
                if raw in self.meanings:
                    meaning = self.meanings[raw]
                else:
                    meaning = self.meanings[raw] = self._meaning(
                        raw, found["mention"], found["note"]
                    )
                if meaning is None or (meaning.note and line[found.end() : found.end() + 1] == "("):
                    return None  # "[^1](x)" is a link to the reference
                spans.append(_Span(index, found.start(), raw, meaning))
        rows = lines[start:end]
        if table and (skip or any(row.strip(" \t") and row[0] != "|" for row in rows)):
            return None
        if table and _extra_cells(rows):
            return None  # the reference reports the cells it drops
        return tuple(spans)

    def _meaning(self, raw: str, inner: str | None, note: str | None) -> _Meaning | None:
        """What a one-line mention or citation means; None if it is reported or not resolved."""
        if note is not None:
            return _Meaning(None, "", (), (), note)
        if inner is not None:
            if not inner.strip():
                return None
            target, label = mention_parts(inner)
            actor_id = self.lookup.resolve_actor(target)[0]
            return None if actor_id is None else _Meaning(actor_id, label, (), ())
        items, offsets, problems = citation_parts(raw)
        if not items or any(problems):
            return None  # a credibility written wrong is reported by the reference
        if any(source not in self.lookup.source_titles for source, _, _ in items):
            return None
        return _Meaning(None, "", tuple(items), tuple(offsets))

    def _notes(self, lines: Sequence[str], start: int, groups: Sequence[_Group]) -> _Notes | None:
        """The notes defined from line ``start`` on, numbered as the plugin numbers them.

        None unless every marker is in a plain piece, every note is defined once on
        one plain line, and every note is used.
        """
        defined: dict[str, tuple[int, int]] = {}
        for index in range(start, len(lines)):
            found = _NOTE.match(lines[index])
            if found is None:
                continue
            if found["label"] in defined:
                return None
            defined[found["label"]] = (index, found.end())
        numbers: dict[str, tuple[int, int]] = {}
        for group in groups:
            if group.spans is None or group.quote:
                if any("[^" in line for line in lines[group.start : group.end]):
                    return None
                continue
            for span in group.spans:
                label = span.meaning.note
                if label and label not in numbers:
                    if label not in defined:
                        return None
                    numbers[label] = (len(numbers) + 1, 0)
        if set(numbers) != set(defined):
            return None
        notes: list[tuple[str, int, int, tuple[_Span, ...]]] = []
        for label, (index, skip) in defined.items():
            spans = self._plain_spans(lines, index, index + 1, skip)
            if spans is None or any(span.meaning.note for span in spans):
                return None
            notes.append((label, index, skip, spans))
        return _Notes(numbers, tuple(notes))

    def _notes_html(
        self, doc: DocState, env: dict[str, Any], body: Body, lines: Sequence[str], notes: _Notes
    ) -> str | None:
        """The notes section, as the footnote plugin with renderer.py's markup renders it."""
        texts = [
            _swap([lines[index]], index, spans)[skip:] for _, index, skip, spans in notes.notes
        ]
        html = self.rust.render("\n\n".join(texts), xhtml=False)
        count = sum(len(spans) for *_, spans in notes.notes)
        if not _PARAGRAPHS.fullmatch(html) or html.count(PLACEHOLDER) != count:
            return None
        paragraphs = html.split("</p>\n")[:-1]
        if len(paragraphs) != len(texts):
            return None
        items: dict[int, str] = {}
        uses = env[_NOTES]
        for (label, _, _, spans), paragraph in zip(notes.notes, paragraphs, strict=True):
            parts = paragraph.split(PLACEHOLDER)
            out = [parts[0]]
            for span, part in zip(spans, parts[1:], strict=True):
                out += [self._resolve(doc, env, body, span)[0], part]
            number, used = uses[label]
            back = "".join(
                f' <a href="#fnref{number}{f":{k}" if k else ""}" class="footnote-backref">'
                "\u21a9\ufe0e</a>"
                for k in range(used)
            )
            items[number] = (
                f'<li id="fn{number}" class="footnote-item">{"".join(out)}{back}</p>\n</li>\n'
            )
        return NOTES_OPEN + "".join(items[n] for n in sorted(items)) + "</ol>\n</section>\n"


# An attribution in its plainest form: "> -- ", a one-line mention, one space, a
# one-line citation, nothing after.
_ATTRIBUTION = re.compile(r"> -- \[\[[^\[\]]*\]\] \[@[^\[\]]*\]")
# A quoted line may start with a mention or a citation.
_OPENERS = frozenset({"[[", "[@"})
# markdown-it-pyrs' output for quoted paragraphs of text only.
_PARAGRAPHS = re.compile(r"(?:<p>[^<]*</p>\n)+")
# An opening h2, h3 or h4 tag in markdown-it-pyrs' output (text never holds "<").
_OPEN_H2_TO_H4 = re.compile(r"<h([234])>")


def _swap(lines: Sequence[str], start: int, spans: Sequence[_Span]) -> str:
    """The lines with each span replaced by the placeholder."""
    out = list(lines)
    for span in reversed(spans):  # from the end, so earlier columns stay valid
        line = out[span.line - start]
        out[span.line - start] = line[: span.col] + PLACEHOLDER + line[span.col + len(span.raw) :]
    return "\n".join(out)


_NOTES = "briefgen_fast_notes"
"""Where the numbers of the notes are kept in the env while a body renders."""
# A footnote defined on one line: "[^label]: " and the note's text.
_NOTE = re.compile(r"\[\^(?P<label>[A-Za-z0-9-]+)\]: (?=\S)")


def _extra_cells(rows: Sequence[str]) -> bool:
    """Whether a row may have more cells than its table's header: more than a row above it."""
    fewest = None
    for row in rows:
        if row.strip(" \t"):
            count = row_cells(row)
            if fewest is not None and count > fewest:
                return True
            fewest = count if fewest is None else min(fewest, count)
    return False


def _notes_start(lines: Sequence[str]) -> int:
    """Where the notes at the end of a body start (after a blank line); its length if none."""
    start = index = len(lines)
    while index > 0:
        line = lines[index - 1]
        if line.strip(" \t"):
            if not _NOTE.match(line):
                break
            start = index - 1
        index -= 1
    if start < len(lines) and (start == 0 or lines[start - 1].strip(" \t")):
        return len(lines)  # not after a blank line: leave the "]:" to refuse the body
    return start
