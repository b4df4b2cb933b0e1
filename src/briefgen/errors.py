"""Diagnostics a writer sees, and the exceptions that carry them to the command line.

Every message names the file, line and column, quotes the bad value and, where
there is one, proposes a fix: ``content/briefs/x.md:4:3: error: unknown actor
'lavrof' (did you mean 'sergei-lavrov'?)``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from .pickling import by_fields


class Severity(enum.Enum):
    """How bad a diagnostic is; warnings fail the build only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@by_fields
@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem found in a writer's files."""

    path: str
    """The file, relative to the project folder, with forward slashes."""
    line: int
    """1-based line in the file, front matter included (0 when not tied to a line)."""
    col: int
    """1-based column (0 when not tied to a column)."""
    severity: Severity
    """Error or warning."""
    message: str
    """What is wrong, with the bad value quoted."""
    hint: str | None = None
    """A proposed fix, printed in parentheses after the message."""

    def format(self) -> str:
        """Render as ``path:line:col: severity: message (hint)``."""
        where = self.path
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        text = f"{where}: {self.severity.value}: {self.message}"
        text = f"{text} ({self.hint})" if self.hint else text
        # One problem, one line: a quoted multi-line value must not break the line.
        return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def error(path: str, line: int, col: int, message: str, hint: str | None = None) -> Diagnostic:
    """Shorthand for an error diagnostic."""
    return Diagnostic(path, line, col, Severity.ERROR, message, hint)


def warning(path: str, line: int, col: int, message: str, hint: str | None = None) -> Diagnostic:
    """Shorthand for a warning diagnostic."""
    return Diagnostic(path, line, col, Severity.WARNING, message, hint)


SIMILARITY_CUTOFF = 0.75
"""How alike a misspelling and a proposal must be (1 - edits / length of the longer).

A typo or two in a word passes (``titel`` -> ``title``, ``summery`` -> ``summary``);
a different word that shares letters does not (``author`` is not ``actors``,
``update`` is not ``date``): a weak proposal is worse than none.
"""


def did_you_mean(
    value: str, candidates: Iterable[str], cutoff: float = SIMILARITY_CUTOFF
) -> str | None:
    """Propose the nearest candidate to a misspelt value, or None when none is close.

    Edits are counted with transpositions as one (optimal string alignment), so
    swapped letters (``darft``) count as one slip, and one slip is always close
    (``hzz`` -> ``hz``); a candidate that begins with
    the value, or that it begins with, is proposed too (``alias`` -> ``aliases``,
    ``newspaper`` -> ``news``).
    """
    folded = value.lower()
    best: tuple[float, str] | None = None
    for candidate in candidates:
        other = candidate.lower()
        score = OSA.normalized_similarity(folded, other)
        shorter, longer = sorted((folded, other), key=len)
        one_slip = len(longer) >= 3 and OSA.distance(folded, other) <= 1
        if one_slip or (len(shorter) >= 4 and longer.startswith(shorter)):
            score = max(score, cutoff)
        if score >= cutoff and (best is None or score > best[0]):
            best = (score, candidate)
    return f"did you mean '{best[1]}'?" if best else None


class BriefgenError(Exception):
    """A failure that the command line reports without a traceback.

    Like click's exceptions, it knows its own exit code and formats its own
    message, but it does not depend on click: the core never imports the CLI.
    """

    exit_code = 1

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__(self.format())

    def format(self) -> str:
        """All diagnostics, one per line."""
        return "\n".join(d.format() for d in self.diagnostics)

    def __reduce__(self) -> tuple[type[BriefgenError], tuple[tuple[Diagnostic, ...]]]:
        # Rebuilt from its diagnostics when it crosses from a worker process.
        return (type(self), (self.diagnostics,))


class ContentError(BriefgenError):
    """The content has errors (or warnings under --strict): exit code 1."""

    exit_code = 1


class ConfigError(BriefgenError):
    """briefgen.toml or the command's options are wrong: exit code 2."""

    exit_code = 2


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def unreadable(path: str, exc: OSError, what: str) -> Diagnostic:
    """The error for an input file (a template, a static file) that cannot be read."""
    reason = exc.strerror or str(exc)
    return error(path, 0, 0, f"cannot read this {what} ({reason})", "check that it is readable")
