"""``briefgen import``: bibliography entries written as content/sources/<id>.md.

Each entry's CSL-JSON item is mapped field by field onto a source's front matter
(the README's table, read backwards). A new id gets a new file; an id that exists
is compared, and only with ``update`` are the imported fields rewritten, keeping
the writer's reliability, body and every field the import does not have. Each
file is read back with the source reader before it is written, so an import
never leaves a file the build would refuse.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import languages
from ..errors import Diagnostic, error
from ..fields import _WEB_URL
from ..front_matter import parse_file
from ..model import SOURCE_KINDS, SourceKind
from ..paths import MAX_SEGMENT, is_valid_id, slugify
from ..readers import DOI_PATTERN, DOI_PREFIX, read_source
from . import Entry, read_bibliography

SOURCES = Path("content") / "sources"
# A date as front matter takes it bare: YYYY, YYYY-MM or YYYY-MM-DD.
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
# The tag a language name stands for, as languages.language proposes it.
_MEANT = re.compile(r"did you mean '([^']+)', the tag for")

KINDS: dict[str, SourceKind] = {
    "article-newspaper": "news",
    "article-magazine": "news",
    "report": "report",
    "article-journal": "article",
    "paper-conference": "report",
    "thesis": "report",
    "standard": "report",
    "personal_communication": "statement",
    "interview": "transcript",
    "broadcast": "transcript",
    "hearing": "transcript",
    "speech": "speech",
    "legislation": "law",
    "bill": "law",
    "legal_case": "law",
    "regulation": "law",
    "treaty": "treaty",
    "book": "book",
    "chapter": "book",
    "dataset": "dataset",
}
"""CSL types and the source kind each is imported as; any other type is ``other``."""
assert set(KINDS.values()) <= set(SOURCE_KINDS)

IMPORTED = (
    "title",
    "publication",
    "authors",
    "editors",
    "published",
    "url",
    "doi",
    "accessed",
    "kind",
    "language",
    "volume",
    "issue",
    "pages",
    "publisher",
    "place",
    "isbn",
)
"""The fields an import writes, in the order it writes them."""

_TEXTS = (
    ("container-title", "publication"),
    ("volume", "volume"),
    ("issue", "issue"),
    ("page", "pages"),
    ("publisher", "publisher"),
    ("publisher-place", "place"),
)


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would do)."""

    lines: list[str] = field(default_factory=list)
    """What to tell the writer, one line each."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Entries not imported, each with why."""
    written: list[str] = field(default_factory=list)
    """Files written (none in a dry run)."""
    planned: list[str] = field(default_factory=list)
    """Files written, or in a dry run to be written."""


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value).split()) if value is not None else ""


def _name(name: Mapping[str, Any]) -> str | dict[str, str]:
    """A CSL name as a source writes it: ``Family, Given``, or a body's name whole."""
    literal = _text(name.get("literal", ""))
    family = " ".join(
        part
        for part in (_text(name.get("non-dropping-particle", "")), _text(name.get("family", "")))
        if part
    )
    given = " ".join(
        part
        for part in (_text(name.get("given", "")), _text(name.get("dropping-particle", "")))
        if part
    )
    if _text(name.get("suffix", "")) and given:
        given = f"{given}, {_text(name['suffix'])}"
    if not family and not literal:
        literal = given
        given = ""
    if literal or not given:
        shown = literal or family
        # A body's name with a comma would be read as Family, Given: keep it a literal.
        return {"literal": shown} if "," in shown else shown
    if "," in family:
        return {"family": family, "given": given}
    return f"{family}, {given}"


def _date(value: Any, *, full: bool = False) -> str:
    """A CSL date as YYYY-MM-DD, YYYY-MM or YYYY ('' when it has none, or not full enough)."""
    if not isinstance(value, Mapping):
        return ""
    parts = value.get("date-parts")
    if not parts or not isinstance(parts, list) or not parts[0]:
        raw = _text(value.get("raw", "") or value.get("literal", ""))
        pieces = raw.split("-")[:3] if raw[:4].isdigit() else []
        parts = [[int(p) for p in pieces if p.isdigit()]] if pieces else []
    if not parts or not parts[0]:
        return ""
    try:
        numbers = [int(p) for p in parts[0][:3]]
        dt.date(
            numbers[0], numbers[1] if len(numbers) > 1 else 1, numbers[2] if len(numbers) > 2 else 1
        )
    except (TypeError, ValueError):
        return ""
    if full and len(numbers) < 3:
        return ""
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])


def front_matter(item: Mapping[str, Any], notes: list[str]) -> dict[str, Any]:
    """The source fields of one CSL-JSON item; ``notes`` hears what could not be kept."""
    data: dict[str, Any] = {"title": _text(item.get("title", ""))}
    for csl, key in _TEXTS:
        if value := _text(item.get(csl, "")):
            data[key] = value
    for csl, key in (("author", "authors"), ("editor", "editors")):
        names = item.get(csl)
        if isinstance(names, list) and names:
            data[key] = [_name(n) for n in names if isinstance(n, Mapping)]
    if published := _date(item.get("issued")):
        data["published"] = published
    url = _text(item.get("URL", ""))
    if url and _WEB_URL.fullmatch(url):
        data["url"] = url
    elif url:
        notes.append(f"URL '{url}' is not a web address: left out")
    doi = DOI_PREFIX.sub("", _text(item.get("DOI", "")), count=1)
    if doi and DOI_PATTERN.fullmatch(doi):
        data["doi"] = doi
    elif doi:
        notes.append(f"DOI '{doi}' is not a DOI: left out")
    if accessed := _date(item.get("accessed"), full=True):
        data["accessed"] = accessed
    data["kind"] = KINDS.get(_text(item.get("type", "")), "other")
    tag = _text(item.get("language", ""))
    if tag:
        found = languages.language(tag)
        meant = _MEANT.search(found.hint) if isinstance(found, languages.Unknown) else None
        if isinstance(found, languages.Language):
            data["language"] = found.tag
        elif meant:
            # BibLaTeX's langid is a name ('english'): take the tag it names.
            data["language"] = meant[1]
            notes.append(f"language '{tag}' is written as its tag, '{meant[1]}'")
        else:
            notes.append(f"language '{tag}' is not a language tag: left out")
    if isbn := _text(item.get("ISBN", "")):
        data["isbn"] = isbn.split()[0]
    return {key: data[key] for key in IMPORTED if key in data and data[key] != []}


def body_of(item: Mapping[str, Any]) -> str:
    """The entry's note, then its abstract, as the source's body."""
    parts = [str(item.get(key, "")).strip() for key in ("note", "abstract")]
    return "\n\n".join(part for part in parts if part)


def _yaml(value: Any) -> str:
    """A front-matter value in YAML: dates bare, everything else as JSON (which YAML reads)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _is_date(value):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _is_date(value: str) -> bool:
    return bool(_DATE.fullmatch(value))


def head_of(data: Mapping[str, Any]) -> str:
    """Front matter: ``---``, one ``key: value`` line each, ``---``."""
    return "\n".join(["---", *(f"{key}: {_yaml(value)}" for key, value in data.items()), "---"])


def render_file(data: Mapping[str, Any], body: str) -> str:
    """A new source file: front matter, a blank line, the body."""
    return head_of(data) + "\n" + (f"\n{body.strip()}\n" if body.strip() else "")


# A top-level front-matter key at the start of a line: `title:`, `published :`.
_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)\s*:")


def _rewritten(text: str, changes: Mapping[str, Any]) -> str:
    """The file with the front-matter lines of ``changes`` replaced (a key's continuation
    lines with it) and new keys added last; every other line, comments included, and the
    body kept byte for byte."""
    lines = text.splitlines(keepends=True)
    out: list[str] = [lines[0]]
    done: set[str] = set()
    skipping = False
    for index, line in enumerate(lines[1:], 1):
        if line.rstrip("\r\n") in ("---", "..."):
            out.extend(
                f"{key}: {_yaml(value)}\n" for key, value in changes.items() if key not in done
            )
            out.extend(lines[index:])
            return "".join(out)
        key = _KEY_LINE.match(line)
        if key:
            skipping = key[1] in changes
            if skipping:
                out.append(f"{key[1]}: {_yaml(changes[key[1]])}\n")
                done.add(key[1])
                continue
        elif skipping and (line[:1] in (" ", "\t", "-") or not line.strip()):
            continue  # a continuation line of a replaced value
        else:
            skipping = False
        out.append(line)
    return "".join(out)


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _comparable(v) for k, v in value.items()}
    return value


def source_id(key: str, item: Mapping[str, Any]) -> str:
    """The id a citation key gives: the key slugified; a key that is a URI (Zotero's item
    ids) or none gives way to author, year and title."""
    if key and "/" not in key and ":" not in key:
        return slugify(key)[:MAX_SEGMENT].strip("-")
    authors = item.get("author") or []
    first = authors[0] if authors and isinstance(authors[0], Mapping) else {}
    who = _text(first.get("family", "") or first.get("literal", ""))
    year = _date(item.get("issued"))[:4]
    words = _text(item.get("title", "")).split()[:3]
    return slugify(" ".join([who, year, *words]))[:MAX_SEGMENT].strip("-")


def _checked(text: str, rel: str, entry_id: str) -> list[Diagnostic]:
    """What the build would say about a file before it is written."""
    found: list[Diagnostic] = []
    parsed = parse_file(text, rel, found)
    if parsed is not None:
        read_source(entry_id, parsed, found)
    return found


def import_file(
    project: Path, file: Path, *, update: bool = False, dry_run: bool = False
) -> Outcome:
    """Import a bibliography into ``project``'s content/sources/."""
    shown = file.as_posix()
    outcome = Outcome()
    entries, problems = read_bibliography(file, shown)
    outcome.problems.extend(problems)
    seen: dict[str, Entry] = {}
    folder = project / SOURCES
    for entry in entries:
        label = f"{shown}:{entry.line}" if entry.line else f"{shown} (entry '{entry.key}')"
        where = (shown, entry.line, 1 if entry.line else 0)
        title = _text(entry.item.get("title", ""))
        if not title:
            outcome.problems.append(
                error(
                    *where,
                    f"entry '{entry.key or '?'}' has no title; it is not imported",
                    "give it a title in your reference manager and export again",
                )
            )
            continue
        new_id = source_id(entry.key, entry.item)
        if not is_valid_id(new_id):
            outcome.problems.append(
                error(
                    *where,
                    f"entry '{entry.key}' gives no usable id; it is not imported",
                    "give it a citation key of letters and digits",
                )
            )
            continue
        if new_id in seen:
            first = seen[new_id]
            same = "is used twice" if first.key == entry.key else f"gives the id '{new_id}' too"
            outcome.problems.append(
                error(
                    *where,
                    f"citation key '{entry.key}' {same} (first for the entry "
                    f"{'on line ' + str(first.line) if first.line else repr(first.key)}); "
                    "this entry is not imported",
                    "give each entry its own key, then import again",
                )
            )
            continue
        seen[new_id] = entry
        if new_id != entry.key:
            outcome.lines.append(f"{label}: citation key '{entry.key}' becomes the id '{new_id}'")
        notes: list[str] = []
        data = front_matter(entry.item, notes)
        outcome.lines.extend(f"{label}: {note}" for note in notes)
        _place(
            project, folder / f"{new_id}.md", new_id, data, entry, label, update, dry_run, outcome
        )
    outcome.problems.sort(key=lambda d: (d.path, d.line))
    return outcome


def _place(
    project: Path,
    target: Path,
    new_id: str,
    data: dict[str, Any],
    entry: Entry,
    label: str,
    update: bool,
    dry_run: bool,
    outcome: Outcome,
) -> None:
    """Write one entry's file, or compare it with the file already there."""
    rel = target.relative_to(project).as_posix()
    if not target.exists():
        text = render_file(data, body_of(entry.item))
        verb = "would write" if dry_run else "new"
        _write(target, rel, new_id, text, f"{rel}: {verb}, from {label}", dry_run, outcome)
        return
    found: list[Diagnostic] = []
    old = target.read_text(encoding="utf-8")
    parsed = parse_file(old, rel, found)
    if parsed is None:
        outcome.problems.extend(found)
        return
    existing = dict(parsed.data)
    changed = [key for key in data if _comparable(existing.get(key)) != _comparable(data[key])]
    if not changed:
        outcome.lines.append(f"{rel}: unchanged")
        return
    if not update:
        outcome.lines.append(
            f"{rel}: differs from {label} in {', '.join(changed)}; kept as it is "
            "(import with --update to rewrite the imported fields)"
        )
        return
    kept = [key for key in existing if key not in data]
    text = _rewritten(old, {key: data[key] for key in changed})
    verb = "would update" if dry_run else "updated"
    message = f"{rel}: {verb} {', '.join(changed)} from {label}"
    message += f"; kept {', '.join(kept)} and the body" if kept else "; kept the body"
    _write(target, rel, new_id, text, message, dry_run, outcome)


def _write(
    target: Path, rel: str, new_id: str, text: str, message: str, dry_run: bool, outcome: Outcome
) -> None:
    problems = _checked(text, rel, new_id)
    if problems:
        outcome.problems.extend(problems)
        return
    outcome.lines.append(message)
    outcome.planned.append(rel)
    if dry_run:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    outcome.written.append(rel)
