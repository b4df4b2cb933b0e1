"""The grading scales of analytic tradecraft, and the credibility a citation carries.

- The Admiralty code (NATO STANAG 2511, AJP-2.1): a source's reliability, A to F
  (``model.RELIABILITY``), and the credibility of one piece of information, 1 to 6.
  Together they make the combined grade a reader sees: ``B2``, a usually reliable
  source reporting information that is probably true.
- The US Intelligence Community's estimative language (ICD 203): seven likelihood
  terms, each with its probability band, and three levels of confidence, which is
  stated apart from likelihood.

A citation carries credibility as one more comma-separated part after its locator:
``[@wire-2017-01-24, para. 3, cred. 2]`` (``split_credibility``). No I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from .model import RELIABILITY

CREDIBILITY: dict[int, str] = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}
"""The Admiralty (NATO) grading of a piece of information's credibility."""

WEAK_RELIABILITY = frozenset("EF")
"""Grades a key judgment may not rest on alone: unreliable, or cannot be judged."""
WEAK_CREDIBILITY = frozenset({5, 6})
"""Likewise for information: improbable, or its truth cannot be judged."""


@dataclass(frozen=True, slots=True)
class Term:
    """One step of the ICD 203 likelihood scale."""

    term: str
    """The words a writer uses: ``very likely``."""
    low: int
    """The band's lower end, in per cent."""
    high: int
    """The band's upper end, in per cent."""

    @property
    def band(self) -> str:
        """``80\u201395 %`` (an en dash)."""
        return f"{self.low}\u2013{self.high} %"

    @property
    def label(self) -> str:
        """``Very likely``."""
        return self.term[:1].upper() + self.term[1:]


LIKELIHOOD: tuple[Term, ...] = (
    Term("almost no chance", 1, 5),
    Term("very unlikely", 5, 20),
    Term("unlikely", 20, 45),
    Term("roughly even chance", 45, 55),
    Term("likely", 55, 80),
    Term("very likely", 80, 95),
    Term("almost certain", 95, 99),
)
"""ICD 203's likelihood terms, least likely first, with their probability bands."""
TERMS: dict[str, Term] = {term.term: term for term in LIKELIHOOD}

CONFIDENCE: tuple[str, ...] = ("low", "moderate", "high")
"""ICD 203's confidence levels: how good the evidence and reasoning are."""

OFF_SCALE: dict[str, str] = {
    "almost certainly": "",  # the scale's own term, as an adverb
    "probably": "likely",
    "probable": "likely",
    "highly probable": "very likely",
    "highly likely": "very likely",
    "nearly certain": "almost certain",
    "certainly": "almost certain",
    "definitely": "almost certain",
    "highly improbable": "very unlikely",
    "highly unlikely": "very unlikely",
    "improbable": "unlikely",
    "doubtful": "unlikely",
    "remote": "almost no chance",
    "even odds": "roughly even chance",
    "fifty-fifty": "roughly even chance",
    "may well": "likely",
    "could well": "likely",
    "possibly": "roughly even chance",
    "perhaps": "roughly even chance",
    "maybe": "roughly even chance",
    "might": "roughly even chance",
    "conceivably": "unlikely",
}
"""Words of likelihood that are not on the scale, and the scale's nearest term.

ICD 203 lists some of them as alternatives (``probable``, ``highly improbable``,
``remote``); a desk that writes to the scale writes the one term. The vaguer ones
(``may well``, ``possibly``) are placed where readers most often put them. An empty
proposal marks a spelling of a scale term, which is not reported.
"""

# A phrase of OFF_SCALE as whole words, longest first so "highly likely" wins over "likely".
_OFF_SCALE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(OFF_SCALE, key=len, reverse=True)) + r")\b",
    re.I,
)
# A scale term as whole words, longest first ("very unlikely" before "unlikely").
_ON_SCALE = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in sorted(TERMS, key=len, reverse=True)) + r")\b",
    re.I,
)
# Confidence stated in words: "high confidence", "we are confident", "with moderate confidence".
_CONFIDENCE_WORDS = re.compile(r"\b(?:confiden(?:ce|t|tly))\b", re.I)


def off_scale_phrases(text: str) -> list[tuple[int, str, str]]:
    """(offset, phrase as written, nearest scale term) for each likelihood word off the scale."""
    found = []
    for match in _OFF_SCALE.finditer(text):
        nearest = OFF_SCALE[match[0].lower()]
        if nearest:
            found.append((match.start(), match[0], nearest))
    return found


def scale_term_in(text: str) -> tuple[int, str] | None:
    """The first likelihood term of the scale (or off it) in ``text``: (offset, as written)."""
    found = [m for m in (_ON_SCALE.search(text), _OFF_SCALE.search(text)) if m is not None]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return first.start(), first[0]


def confidence_in(text: str) -> tuple[int, str] | None:
    """Where ``text`` states confidence in words: (offset, as written), or None."""
    found = _CONFIDENCE_WORDS.search(text)
    return (found.start(), found[0]) if found else None


def grade(reliability: str, credibility: int) -> str:
    """The combined grade: ``B2``; the reliability alone without credibility; '' for neither."""
    if not reliability:
        return f"?{credibility}" if credibility else ""
    return f"{reliability}{credibility}" if credibility else reliability


def grade_label(reliability: str, credibility: int) -> str:
    """The grade in words, for readers and screen readers.

    ``Grade B2: source usually reliable, information probably true``.
    """
    parts = []
    if reliability:
        parts.append(f"source {RELIABILITY[reliability].lower()}")
    else:
        parts.append("source not graded")
    if credibility:
        parts.append(f"information {CREDIBILITY[credibility].lower()}")
    return f"Grade {grade(reliability, credibility)}: {', '.join(parts)}"


def is_weak(reliability: str, credibility: int) -> bool:
    """Whether a citation is of a source graded E or F, or of information graded 5 or 6."""
    return reliability in WEAK_RELIABILITY or credibility in WEAK_CREDIBILITY


# Writing credibility: "cred." then its grade ("cred. 2"; the space may be left out).
_CREDIBILITY = re.compile(r"cred\.\s*(?P<grade>\d+)", re.I)
# A part that may be credibility misspelt: a word, perhaps a dot or colon, then a number.
_MAYBE_CREDIBILITY = re.compile(r"(?P<word>[^\W\d_]+)\s*[.:]?\s*(?P<grade>\d+)")
# A part ending in credibility without the comma before it: "para. 3 cred. 2".
_CREDIBILITY_AT_END = re.compile(r"\s(?P<cred>cred\.?\s*\d+)\s*$", re.I)
_LOCATOR_TERMS = frozenset(
    {
        *("p", "pp", "para", "paras", "ch", "sec", "fig", "vol", "no", "col", "line", "page"),
        *("art", "n", "l", "s", "c", "ps", "chs", "secs", "figs", "vols", "nos", "cols"),
        *("lines", "pages", "arts"),
    }
)
"""Words a locator starts with, never taken for a misspelt ``cred.``."""


@dataclass(frozen=True, slots=True)
class CredibilityProblem:
    """A mistake in writing credibility, at ``offset`` in what was written after the id."""

    offset: int
    message: str
    hint: str


def _misspelt(word: str) -> bool:
    """Whether a word before a number is ``cred`` misspelt ("crd", "cedr", "credibility")."""
    folded = word.lower()
    if folded in _LOCATOR_TERMS:
        return False
    return folded.startswith("cred") or OSA.distance(folded, "cred") <= 1


_SCALE_HINT = (
    "1 confirmed, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged"
)


def split_credibility(written: str) -> tuple[str, int, CredibilityProblem | None]:
    """A citation item's locator without its credibility, the credibility (0: none),
    and the first mistake in writing it.

    ``written`` is what follows the item's first comma, as written (``para. 3, cred. 2``);
    a problem's offset counts from its start. The locator comes back with runs of
    spaces (and line breaks) made one space, as locators are shown.
    """
    parts: list[tuple[int, str]] = []
    start = 0
    for piece in written.split(","):
        parts.append((start + len(piece) - len(piece.lstrip()), piece.strip()))
        start += len(piece) + 1
    credibility, first_at, problem = 0, -1, None
    kept: list[str] = []
    for offset, part in parts:
        found = _CREDIBILITY.fullmatch(part)
        if found is None:
            near = _MAYBE_CREDIBILITY.fullmatch(part)
            end = _CREDIBILITY_AT_END.search(part)
            if problem is None and near and _misspelt(near["word"]):
                problem = CredibilityProblem(
                    offset,
                    f"'{' '.join(part.split())}' is not how credibility is written",
                    f"write 'cred. {near['grade']}'",
                )
            elif problem is None and end:
                head = " ".join(part[: end.start()].split())
                cred = " ".join(end["cred"].split())
                problem = CredibilityProblem(
                    offset + end.start("cred"),
                    f"'{cred}' needs a comma before it",
                    f"write '{head}, {cred}'",
                )
            kept.append(part)
            continue
        value = int(found["grade"])
        if credibility or first_at >= 0:
            if problem is None:
                problem = CredibilityProblem(
                    offset,
                    f"credibility is given twice ('{' '.join(part.split())}' after "
                    f"'cred. {credibility or '?'}')",
                    "keep one of the two",
                )
            continue
        first_at = offset
        if not 1 <= value <= 6:
            if problem is None:
                problem = CredibilityProblem(
                    offset,
                    f"credibility '{' '.join(part.split())}' is not on the scale of 1 to 6",
                    f"write cred. 1 to cred. 6: {_SCALE_HINT}",
                )
            continue
        credibility = value
    if first_at < 0 and problem is None:
        return " ".join(written.split()), 0, None  # no credibility: the locator as before
    locator = " ".join(", ".join(p for p in kept if p).split())
    return locator, credibility, problem


SCALES = {
    "reliability": RELIABILITY,
    "credibility": CREDIBILITY,
    "likelihood": LIKELIHOOD,
    "confidence": CONFIDENCE,
}
"""The scales, as the legend page (``/grades/``) lists them."""
