"""A brief's key judgments: read from front matter, rendered with the body, and checked.

A key judgment is a mapping in the brief's ``key_judgments`` list::

    key_judgments:
      - text: Russia will keep the talks in its own hands [@ft-2017-01-17, para. 4, cred. 2].
        likelihood: very likely    # a term of the ICD 203 scale (grades.LIKELIHOOD)
        confidence: moderate       # low | moderate | high

Its text is Markdown whose mentions and citations count like the body's (the
reference numbers are shared: ``markdown/fragments.py``). The checks, each a
warning that ``[lint]`` in briefgen.toml can turn off, are those of ICD 203 and
the Admiralty code: a judgment citing no source, one resting only on weak
evidence (sources graded E or F, information graded 5 or 6), a likelihood word
off the scale, and likelihood and confidence stated in one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .config import LintConfig
from .errors import Diagnostic, did_you_mean, warning
from .fields import FieldReader
from .front_matter import Parsed
from .grades import (
    CONFIDENCE,
    OFF_SCALE,
    TERMS,
    confidence_in,
    grade,
    is_weak,
    off_scale_phrases,
    scale_term_in,
)
from .markdown import Rendered
from .markdown.fragments import render_after
from .markdown.renderer import MarkdownRenderer
from .markdown.spilled import with_findings
from .model import Body, Brief, KeyJudgment, Location
from .paths import Url
from .site import Judgment

JUDGMENT_KEYS = ("text", "likelihood", "confidence")
_EXAMPLE = "Russia will keep the talks in its own hands [@source-id, cred. 2]"


def read_key_judgments(fields: FieldReader, parsed: Parsed) -> tuple[KeyJudgment, ...]:
    """The brief's ``key_judgments``; every mistake is reported at its line."""
    judgments = []
    for item in fields.mappings("key_judgments"):
        item.check_keys(JUDGMENT_KEYS, "judgment")
        text = item.text("text", required=True, example=_EXAMPLE)
        likelihood = _likelihood(item)
        confidence = _confidence(item)
        if not text:
            continue
        raw = item.data["text"]
        body, lines = _placed(str(raw), item.where("text"), parsed.lines)
        judgments.append(KeyJudgment(body, lines, likelihood, confidence, item.where()))
    return tuple(judgments)


def _likelihood(item: FieldReader) -> str:
    value = item.data.get("likelihood")
    if value is None:
        item.problem(
            item.where(at_key=True),
            "missing required key 'likelihood'",
            "add likelihood: with a term of the ICD 203 scale, e.g. likelihood: likely",
        )
        return ""
    term = " ".join(str(value).lower().split())
    if term in TERMS:
        return term
    nearest = OFF_SCALE.get(term) or None
    hint = f"did you mean '{nearest}'?" if nearest else did_you_mean(term, TERMS)
    scale = ", ".join(TERMS)
    item.problem(
        item.where("likelihood"),
        f"'likelihood' must be a term of the ICD 203 scale, not '{value}'",
        hint or f"the terms: {scale}",
    )
    return ""


def _confidence(item: FieldReader) -> str:
    if item.data.get("confidence") is None:
        item.problem(
            item.where(at_key=True),
            "missing required key 'confidence'",
            "add confidence: low, moderate or high",
        )
        return ""
    value = " ".join(str(item.data["confidence"]).lower().split())
    if value in _CONFIDENCE_WORDS:
        item.problem(
            item.where("confidence"),
            f"'confidence' must be low, moderate or high, not '{item.data['confidence']}'",
            f"did you mean '{_CONFIDENCE_WORDS[value]}'?",
        )
        return ""
    return item.choice("confidence", CONFIDENCE, None) or ""


_CONFIDENCE_WORDS = {"medium": "moderate", "mid": "moderate", "average": "moderate"}
"""Words for a confidence level that ICD 203 spells otherwise."""


def _placed(value: str, where: Location, lines: Sequence[str]) -> tuple[Body, tuple[str, ...]]:
    """The judgment's Markdown and the file lines it is written on.

    A plain value folded over several lines, or a block (``|`` or ``>``), is given to
    Markdown line for line as written, so what it holds is placed at its own line and
    column; any other (a quoted one) is taken as YAML read it, on its first line.
    """
    first = where.line - 1
    if 0 <= first < len(lines):
        head = lines[first][where.col - 1 :]
        block = head[:1] in ("|", ">")  # a block's text starts on the next line
        start = first + 1 if block else first
        segments = [] if block else [head.strip()]
        index = start + len(segments)
        joined, kept, indent = value.strip(), value.rstrip("\n"), 0
        while len(segments) < 200:
            if segments and (" ".join(segments) == joined or "\n".join(segments) == kept):
                placed = tuple(lines[start : start + len(segments)])
                return Body("\n".join(segments), where.path, start), placed
            if index >= len(lines) or not lines[index].strip():
                break
            line = lines[index]
            if block:  # a block keeps what is indented past its first line's indentation
                indent = indent if segments else len(line) - len(line.lstrip(" "))
                segments.append(line[indent:].rstrip())
            else:
                segments.append(line.strip())
            index += 1
    written = value.strip()
    return Body(written, where.path, first), tuple(lines[first : first + 1])


def render_judgments(
    renderer: MarkdownRenderer, brief: Brief, body: Rendered, url: Url
) -> tuple[Rendered, tuple[Rendered, ...]]:
    """The body together with its judgments (their mentions, citations, links and ids
    added, for the references and backlinks), and each judgment rendered."""
    if not brief.key_judgments:
        return body, ()
    texts = [(j.text, j.lines) for j in brief.key_judgments]
    rendered = render_after(renderer, body, texts, url)
    merged = with_findings(
        body,
        mentions=(*body.mentions, *(m for r in rendered for m in r.mentions)),
        citations=(*body.citations, *(c for r in rendered for c in r.citations)),
        links=(*body.links, *(link for r in rendered for link in r.links)),
        ids=body.ids.union(*(r.ids for r in rendered)),
    )
    return merged, rendered


def judgments_of(
    brief: Brief,
    rendered: Sequence[Rendered],
    reliability: Mapping[str, str],
    lint: LintConfig,
    found: list[Diagnostic],
) -> tuple[Judgment, ...]:
    """What the brief's box shows of each judgment; its problems, and the checks' warnings,
    are added to ``found``."""
    out = []
    for number, (judgment, done) in enumerate(zip(brief.key_judgments, rendered, strict=True), 1):
        found.extend(done.diagnostics)
        found.extend(check(number, judgment, done, reliability, lint))
        term = TERMS.get(judgment.likelihood)
        out.append(
            Judgment(
                html=done.html,
                likelihood=term.label if term else "",
                band=term.band if term else "",
                confidence=judgment.confidence,
                citations=done.citations,
                anchor=f"judgment-{number}",
            )
        )
    return tuple(out)


# A mention or a citation, blanked before words are looked for: "[[Probably Corp]]".
_MARKUP = re.compile(r"\[\[[^\]]*\]\]|\[@[^\]]*\]")
# The end of a sentence: ., ! or ? and a space (or the end).
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def check(
    number: int,
    judgment: KeyJudgment,
    rendered: Rendered,
    reliability: Mapping[str, str],
    lint: LintConfig,
) -> list[Diagnostic]:
    """The warnings of one key judgment (``number`` counts from 1), as ``lint`` allows."""
    found: list[Diagnostic] = []
    start = _place(judgment, 0)
    what = f"key judgment {number}"
    citations = rendered.citations
    if lint.uncited_judgment and not citations and not rendered.diagnostics:
        found.append(
            warning(
                start.path,
                start.line,
                start.col,
                f"{what} cites no source",
                "cite what it rests on, e.g. [@source-id, cred. 2]",
            )
        )
    graded = [(c, reliability.get(c.source_id, "")) for c in citations]
    if lint.weak_evidence and graded and all(is_weak(r, c.credibility) for c, r in graded):
        shown = ", ".join(
            dict.fromkeys(
                f"{c.source_id} {grade(r, c.credibility) or 'ungraded'}" for c, r in graded
            )
        )
        found.append(
            warning(
                start.path,
                start.line,
                start.col,
                f"{what} rests only on sources graded E or F or information graded 5 or 6 "
                f"({shown})",
                "cite a source graded A to D for information graded 1 to 4 as well, "
                "or leave the judgment out",
            )
        )
    text = _MARKUP.sub(lambda m: " " * len(m[0]), judgment.text.text)
    if lint.estimative_language:
        for offset, phrase, nearest in off_scale_phrases(text):
            at = _place(judgment, offset)
            term = TERMS[nearest]
            found.append(
                warning(
                    at.path,
                    at.line,
                    at.col,
                    f"'{phrase}' in {what} is not a term of the ICD 203 likelihood scale",
                    f"write '{nearest}' ({term.band}), the scale's nearest term",
                )
            )
    if lint.likelihood_with_confidence:
        begin = 0
        for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
            sentence = text[begin:end]
            said, sure = scale_term_in(sentence), confidence_in(sentence)
            if said is not None and sure is not None:
                at = _place(judgment, begin + sure[0])
                found.append(
                    warning(
                        at.path,
                        at.line,
                        at.col,
                        f"{what} states likelihood ('{said[1]}') and confidence "
                        f"('{sure[1]}') in one sentence",
                        "ICD 203 keeps them apart: give confidence in 'confidence:' "
                        "(or a sentence of its own) and leave the likelihood here",
                    )
                )
            begin = end
    return found


def _place(judgment: KeyJudgment, offset: int) -> Location:
    """Where the character at ``offset`` of a judgment's text is written in the file."""
    text = judgment.text
    row = text.text.count("\n", 0, offset)
    start = text.text.rfind("\n", 0, offset) + 1
    end = text.text.find("\n", start)
    segment = text.text[start : None if end < 0 else end]
    line = judgment.lines[row] if row < len(judgment.lines) else ""
    found = line.rfind(segment) if segment else -1
    if found < 0:
        return Location(text.path, text.first_line + row + 1, 1)
    return Location(text.path, text.first_line + row + 1, found + offset - start + 1)
