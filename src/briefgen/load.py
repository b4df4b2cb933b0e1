"""Read content/ into the model, collecting every problem instead of stopping at the first.

The only module that knows YAML and python-frontmatter. Two traps are handled
here: python-frontmatter's ``parse`` strips the text, which would shift every
line number, so we split with its handler and measure where the body starts;
and YAML would turn ``2017-01-17`` into a ``datetime.date`` (and crash on
``2017-02-30``), so our loader keeps dates as text and ``fields`` checks them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from .errors import Diagnostic, error
from .fields import FieldReader, KeyPath
from .model import (
    ACTOR_KINDS,
    SOURCE_KINDS,
    Actor,
    Body,
    Brief,
    Content,
    Event,
    Location,
    Page,
    Source,
)
from .paths import RESERVED_PAGE_IDS, is_valid_id, slugify

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves timestamps as text, so that dates are checked by us."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_HANDLER = YAMLHandler()

BRIEF_KEYS = ("title", "date", "summary", "actors", "sources", "tags", "draft", "events", "aliases")
EVENT_KEYS = ("date", "title", "actors", "sources")
ACTOR_KEYS = ("name", "kind", "role", "affiliation", "aliases", "links")
SOURCE_KEYS = (
    "title",
    "publication",
    "authors",
    "published",
    "url",
    "accessed",
    "kind",
    "reliability",
    "language",
)
PAGE_KEYS = ("title", "summary")
_PLACEHOLDER_DATE = dt.date(1, 1, 1)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A content file split into front matter data and body, with a way to locate values."""

    data: dict[str, Any]
    body: Body
    locate: Callable[[KeyPath, bool], Location]


def _mark_positions(
    node: yaml.Node,
    path: KeyPath,
    values: dict[KeyPath, yaml.Mark],
    keys: dict[KeyPath, yaml.Mark],
    duplicates: list[tuple[str, yaml.Mark]],
) -> None:
    """Record where every value and key of a YAML node tree starts."""
    values[path] = node.start_mark
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if (*path, key) in keys:
                duplicates.append((key, key_node.start_mark))
            keys[(*path, key)] = key_node.start_mark
            _mark_positions(value_node, (*path, key), values, keys, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _mark_positions(item, (*path, index), values, keys, duplicates)


def parse_file(text: str, path: str, diagnostics: list[Diagnostic]) -> Parsed | None:
    """Split a content file into YAML data and Markdown body; None when it cannot be read."""
    text = text.removeprefix("\ufeff")
    opening = _HANDLER.FM_BOUNDARY.match(text) if _HANDLER.FM_BOUNDARY else None
    if opening is None:
        diagnostics.append(
            error(path, 1, 1, "missing front matter", "start the file with a line '---', then YAML")
        )
        return None
    try:
        front, body = _HANDLER.split(text)
    except ValueError:
        diagnostics.append(
            error(path, 1, 1, "front matter is not closed", "add a line '---' after the YAML")
        )
        return None
    front_line = text.count("\n", 0, opening.end())
    body_line = text.count("\n", 0, len(text) - len(body))

    def at(mark: yaml.Mark) -> Location:
        return Location(path, front_line + mark.line + 1, mark.column + 1)

    try:
        loader = _Loader(front)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = at(mark) if mark else Location(path, 1, 1)
        message = f"invalid YAML in front matter: {exc.problem}"
        if exc.context and exc.context_mark:
            opened = at(exc.context_mark)
            message += f", {exc.context} at line {opened.line}, column {opened.col}"
        diagnostics.append(error(path, loc.line, loc.col, message))
        return None
    except yaml.YAMLError as exc:
        diagnostics.append(error(path, 1, 1, f"invalid YAML in front matter: {exc}"))
        return None
    if not isinstance(data, dict):
        diagnostics.append(
            error(
                path, 2, 1, "front matter must be a mapping of keys to values", "write key: value"
            )
        )
        return None

    values: dict[KeyPath, yaml.Mark] = {}
    keys: dict[KeyPath, yaml.Mark] = {}
    duplicates: list[tuple[str, yaml.Mark]] = []
    if node is not None:
        _mark_positions(node, (), values, keys, duplicates)
    for key, mark in duplicates:
        loc = at(mark)
        diagnostics.append(
            error(path, loc.line, loc.col, f"duplicate key '{key}'", "keep only one of them")
        )

    def locate(key_path: KeyPath, at_key: bool) -> Location:
        table = keys if at_key else values
        while key_path:
            if key_path in table:
                return at(table[key_path])
            if key_path in values:
                return at(values[key_path])
            key_path = key_path[:-1]
        return Location(path, 1, 1)

    return Parsed(data, Body(body, path, body_line), locate)


def _reader(parsed: Parsed, diagnostics: list[Diagnostic]) -> FieldReader:
    return FieldReader(parsed.data, parsed.locate, parsed.body.path, diagnostics)


def read_brief(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Brief:
    """A Brief from its parsed file; problems are added to diagnostics."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(BRIEF_KEYS, "brief")
    events = []
    for item in fields.mappings("events"):
        item.check_keys(EVENT_KEYS, "event")
        when = item.partial_date("date")
        title = item.text("title", required=True, example="Talks open in Astana")
        if when is not None:
            events.append(
                Event(when, title, item.refs("actors"), item.refs("sources"), item.where())
            )
    aliases = fields.strings("aliases")
    for index, alias in enumerate(aliases):
        if not alias.startswith("/") or alias.startswith("//") or any(c.isspace() for c in alias):
            listed = isinstance(parsed.data.get("aliases"), list)
            where = fields.where("aliases", index) if listed else fields.where("aliases")
            message = f"alias '{alias}' must be a path on this site, starting with '/'"
            fields.problem(where, message, "write the former URL's path, e.g. /briefs/old-name/")
    tags = fields.strings("tags")
    for index, tag in enumerate(tags):
        if not slugify(tag):
            where = (
                fields.where("tags", index)
                if isinstance(parsed.data.get("tags"), list)
                else fields.where("tags")
            )
            fields.problem(
                where, f"tag '{tag}' has no letters or digits to make a URL of", "use a word"
            )
    return Brief(
        id=entry_id,
        title=fields.text("title", required=True, example="Russia invites the US to Astana"),
        date=fields.date("date", required=True) or _PLACEHOLDER_DATE,
        summary=fields.text("summary", required=True, example="One or two sentences."),
        actors=fields.refs("actors"),
        sources=fields.refs("sources"),
        tags=tuple(t for t in tags if slugify(t)),
        draft=fields.boolean("draft"),
        events=tuple(events),
        aliases=tuple(a for a in aliases if a.startswith("/") and not a.startswith("//")),
        body=parsed.body,
    )


def read_actor(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Actor:
    """An Actor from its parsed file."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(ACTOR_KEYS, "actor")
    return Actor(
        id=entry_id,
        name=fields.text("name", required=True, example="Sergei Lavrov"),
        kind=fields.choice("kind", ACTOR_KINDS, "person") or "person",
        role=fields.text("role"),
        affiliation=fields.ref("affiliation"),
        aliases=fields.strings("aliases"),
        links=fields.links("links"),
        body=parsed.body,
        name_where=fields.where("name"),
    )


def read_source(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Source:
    """A Source from its parsed file."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(SOURCE_KEYS, "source")
    reliability = fields.text("reliability")
    if reliability and reliability not in "ABCDEF":
        fields.problem(
            fields.where("reliability"),
            f"'reliability' must be one letter from A to F, not '{reliability}'",
            "A completely reliable ... F cannot be judged",
        )
        reliability = ""
    return Source(
        id=entry_id,
        title=fields.text("title", required=True, example="Russia invites Trump team to talks"),
        publication=fields.text("publication"),
        authors=fields.strings("authors"),
        published=fields.date("published"),
        url=fields.url("url"),
        accessed=fields.date("accessed"),
        kind=fields.choice("kind", SOURCE_KINDS, "news") or "news",
        reliability=reliability,
        language=fields.text("language"),
        body=parsed.body,
        url_where=fields.where("url") if "url" in parsed.data else None,
    )


def read_page(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Page:
    """A free Page from its parsed file."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(PAGE_KEYS, "page")
    if entry_id in RESERVED_PAGE_IDS:
        diagnostics.append(
            error(
                parsed.body.path,
                1,
                1,
                f"page id '{entry_id}' is taken by a section of the site",
                f"rename the file, e.g. to '{entry_id}-page.md'",
            )
        )
    return Page(
        id=entry_id,
        title=fields.text("title", required=True, example="About this briefing"),
        summary=fields.text("summary"),
        body=parsed.body,
    )


Entry = Brief | Actor | Source | Page

READERS: dict[str, Callable[[str, Parsed, list[Diagnostic]], Entry]] = {
    "briefs": read_brief,
    "actors": read_actor,
    "sources": read_source,
    "pages": read_page,
}
"""The content folders and how each one's files are read."""


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One content file as read: the entry (None when unreadable) and its problems."""

    path: str
    """Relative to the project folder, forward slashes."""
    folder: str
    """briefs, actors, sources or pages."""
    entry: Entry | None
    diagnostics: tuple[Diagnostic, ...]


def content_folder(project: Path, file: Path) -> str | None:
    """The content folder a ``*.md`` file belongs to, or None for any other file."""
    try:
        rel = file.relative_to(project / "content")
    except ValueError:
        return None
    if len(rel.parts) != 2 or rel.suffix != ".md" or rel.parts[0] not in READERS:
        return None
    return rel.parts[0]


def load_file(project: Path, file: Path) -> LoadedFile | None:
    """Read one content file; None when it is not a content file."""
    folder = content_folder(project, file)
    if folder is None:
        return None
    rel = file.relative_to(project).as_posix()
    diagnostics: list[Diagnostic] = []
    entry: Entry | None = None
    entry_id = file.stem
    if not is_valid_id(entry_id):
        diagnostics.append(
            error(
                rel,
                1,
                1,
                f"invalid id '{entry_id}': ids are lowercase letters, digits and hyphens",
                f"rename the file to '{slugify(entry_id) or 'entry'}.md'",
            )
        )
    else:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            diagnostics.append(error(rel, 1, 1, f"file is not UTF-8 text ({exc.reason})"))
        except OSError as exc:
            what = "is a folder, not a file" if file.is_dir() else f"cannot be read: {exc.strerror}"
            diagnostics.append(error(rel, 1, 1, f"'{file.name}' {what}", "move or rename it"))
        else:
            parsed = parse_file(text, rel, diagnostics)
            if parsed is not None:
                entry = READERS[folder](entry_id, parsed, diagnostics)
    return LoadedFile(rel, folder, entry, tuple(diagnostics))


def content_files(project: Path) -> list[Path]:
    """Every content file of a project, folder by folder, in name order."""
    return [
        file for folder in READERS for file in sorted((project / "content" / folder).glob("*.md"))
    ]


def assemble(files: Iterable[LoadedFile]) -> tuple[Content, list[Diagnostic]]:
    """Content from loaded files, in the order a full load gives (folder, then name)."""
    ordered = sorted(files, key=lambda f: f.path)
    entries: dict[str, list[Any]] = {folder: [] for folder in READERS}
    diagnostics: list[Diagnostic] = []
    for loaded in ordered:
        diagnostics.extend(loaded.diagnostics)
        if loaded.entry is not None:
            entries[loaded.folder].append(loaded.entry)
    content = Content(
        briefs=tuple(entries["briefs"]),
        actors=tuple(entries["actors"]),
        sources=tuple(entries["sources"]),
        pages=tuple(entries["pages"]),
    )
    return content, diagnostics


def load_content(project: Path) -> tuple[Content, list[Diagnostic]]:
    """Read every brief, actor, source and page under ``project/content``."""
    loaded = (load_file(project, file) for file in content_files(project))
    return assemble(f for f in loaded if f is not None)


def yaml_field(key: str, value: str | dt.date) -> str:
    """One front-matter line ``key: value`` for a file briefgen writes (``briefgen new``).

    PyYAML quotes what needs quoting (``Lavrov: "no"``, ``yes``, ``#1``) and leaves
    plain text plain; the width keeps a long title on one line.
    """
    text: str = yaml.safe_dump({key: value}, allow_unicode=True, width=1_000_000)
    return text.rstrip("\n")
