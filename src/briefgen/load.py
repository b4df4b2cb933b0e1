"""Read content/ into the model, collecting every problem instead of stopping at the first.

The only module that knows YAML and python-frontmatter. Two traps are handled
here: python-frontmatter's ``parse`` strips the text, which would shift every
line number, so we split with its handler and measure where the body starts;
and YAML would turn ``2017-01-17`` into a ``datetime.date`` (and crash on
``2017-02-30``), so our loader keeps dates as text and ``fields`` checks them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from frontmatter.default_handlers import YAMLHandler

from . import languages
from .errors import Diagnostic, did_you_mean, error, warning
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
    Ref,
    Source,
)
from .paths import (
    CONTENT_FOLDERS,
    MAX_SEGMENT,
    RESERVED_BRIEF_IDS,
    RESERVED_PAGE_IDS,
    ContentPath,
    content_files,
    content_path,
    is_valid_id,
    slugify,
)
from .yaml_errors import plain, text_after_yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves timestamps as text, so that dates are checked by us.

    Keys are kept as the writer typed them (``true:`` is the key ``'true'``, not
    ``True``; ``null:`` is ``'null'``, not ``None``), so that a message quotes the key
    as written and none is dropped.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "a key must be a plain word, not a list or mapping",
                    key_node.start_mark,
                )
            mapping[str(key_node.value)] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            value: int = super().construct_yaml_int(node)
        except ValueError:
            # Python refuses to convert integers of more than 4,300 digits.
            digits = sum(c.isdigit() for c in str(node.value))
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a number of {digits} digits is too long to read "
                f"(put it in quotes to keep it as text)",
                node.start_mark,
            ) from None
        return value


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_HANDLER = YAMLHandler()

BRIEF_KEYS = (
    "title",
    "date",
    "updated",
    "summary",
    "authors",
    "actors",
    "sources",
    "tags",
    "draft",
    "events",
    "aliases",
)
EVENT_KEYS = ("date", "title", "actors", "sources")
ACTOR_KEYS = ("name", "sort_name", "kind", "role", "affiliation", "aliases", "links")
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


def _first_alias(front: str, root: yaml.Node | None) -> yaml.Mark | None:
    """Where the first alias is used, or None when the front matter has none.

    An alias makes two places share one node; walking such a tree expands every
    alias again, so ten lines of nested aliases ("billion laughs") would take
    gigabytes. The walk below visits each node once and stops at the first one met
    twice; only then are the events parsed again to find where the alias was written.
    """
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            for event in yaml.parse(front, Loader=_BaseLoader):
                if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                    return cast(yaml.Mark, event.start_mark)
            return node.start_mark
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def parse_file(text: str, path: str, diagnostics: list[Diagnostic]) -> Parsed | None:
    """Split a content file into YAML data and Markdown body; None when it cannot be read."""
    text = text.removeprefix("\ufeff")
    opening = _HANDLER.FM_BOUNDARY.match(text) if _HANDLER.FM_BOUNDARY else None
    if opening is None:
        diagnostics.append(
            error(path, 1, 1, "missing front matter", "start the file with a line '---', then YAML")
        )
        return None
    front_line = text.count("\n", 0, opening.end())
    try:
        front, body = _HANDLER.split(text)
    except ValueError:
        lines = text[opening.end() :].splitlines()
        end = text_after_yaml(lines, any_text=True)
        last = (
            end[0] if end else max((n for n, line in enumerate(lines) if line.strip()), default=-1)
        )
        diagnostics.append(
            error(
                path,
                1,
                1,
                "front matter is not closed",
                f"add a line '---' after line {front_line + last + 1}",
            )
        )
        return None
    body_line = text.count("\n", 0, len(text) - len(body))
    front_lines = front.splitlines()
    ran_on = text_after_yaml(front_lines)
    closing_line = text.count("\n", 0, opening.end() + len(front)) + 1

    def never_closed(last_yaml: int, first_text: int) -> Diagnostic:
        # The body's '---' rule was taken as the end of the front matter.
        return error(
            path,
            front_line + first_text + 1,
            1,
            f"front matter is not closed: the text from line {front_line + first_text + 1} "
            f"on was read as YAML, up to the '---' on line {closing_line}",
            f"add a line '---' after line {front_line + last_yaml + 1}",
        )

    def at(mark: yaml.Mark) -> Location:
        return Location(path, front_line + mark.line + 1, mark.column + 1)

    try:
        loader = _Loader(front)
        try:
            node = loader.get_single_node()
            alias = _first_alias(front, node)
            if alias is not None:
                loc = at(alias)
                diagnostics.append(
                    error(
                        path,
                        loc.line,
                        loc.col,
                        "anchors and aliases ('&name', '*name') are not allowed in front matter",
                        "write the value out in full",
                    )
                )
                return None
            data = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if ran_on is not None and (mark is None or mark.line >= ran_on[1]):
            diagnostics.append(never_closed(*ran_on))
            return None
        said = plain(
            exc.problem or "",
            mark.line if mark else 0,
            mark.column if mark else 0,
            exc.context_mark.line if exc.context_mark else None,
            front_lines,
            front_line,
        )
        if said is not None:
            where = Location(path, front_line + said.line + 1, said.col + 1)
            message = f"invalid YAML in front matter: {said.message}"
            diagnostics.append(error(path, where.line, where.col, message, said.hint))
            return None
        loc = at(mark) if mark else Location(path, 1, 1)
        message = f"invalid YAML in front matter: {exc.problem}"
        if exc.context and exc.context_mark:
            opened = at(exc.context_mark)
            message += f", {exc.context} at line {opened.line}, column {opened.col}"
        diagnostics.append(error(path, loc.line, loc.col, message))
        return None
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses (a control character, a stray byte-order mark).
        line = front_line + front.count("\n", 0, exc.position) + 1
        col = exc.position - front.rfind("\n", 0, exc.position)
        diagnostics.append(
            error(
                path,
                line,
                col,
                f"character U+{exc.character:04X} is not allowed in front matter",
                "delete it",
            )
        )
        return None
    except yaml.YAMLError as exc:
        diagnostics.append(error(path, 1, 1, f"invalid YAML in front matter: {exc}"))
        return None
    if ran_on is not None:  # read without error, but the text became keys
        diagnostics.append(never_closed(*ran_on))
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

    _check_controls(body, path, body_line, diagnostics)
    return Parsed(data, Body(body, path, body_line), locate)


# Characters no page may carry: C0 controls but tab, line feed and carriage return;
# DEL; C1 controls. A NUL usually means the file is not text at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_REPORTS = 5


def _check_controls(body: str, path: str, first_line: int, diagnostics: list[Diagnostic]) -> None:
    """An error for each line of the body holding a control character (a few at most)."""
    reported = 0
    last_line = -1
    for match in _CONTROL.finditer(body):
        line = body.count("\n", 0, match.start())
        if line == last_line:
            continue
        last_line = line
        if reported == _MAX_CONTROL_REPORTS:
            diagnostics.append(
                error(
                    path, first_line + line + 1, 1, "more control characters follow", "delete them"
                )
            )
            return
        reported += 1
        col = match.start() - body.rfind("\n", 0, match.start())
        diagnostics.append(
            error(
                path,
                first_line + line + 1,
                col,
                f"control character U+{ord(match.group()):04X} in the text",
                "delete it; if the file is not text, move it out of content/",
            )
        )


def _reader(parsed: Parsed, diagnostics: list[Diagnostic]) -> FieldReader:
    return FieldReader(parsed.data, parsed.locate, parsed.body.path, diagnostics)


def _first_of_each(refs: Iterable[Ref]) -> list[Ref]:
    """Refs without repeats: a name written twice is one author."""
    first: dict[str, Ref] = {}
    for ref in refs:
        first.setdefault(ref.id, ref)
    return list(first.values())


def read_brief(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Brief:
    """A Brief from its parsed file; problems are added to diagnostics."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(BRIEF_KEYS, "brief")
    if entry_id in RESERVED_BRIEF_IDS:
        diagnostics.append(
            error(
                parsed.body.path,
                1,
                1,
                f"brief id '{entry_id}' is taken by the pages of the brief index (/briefs/page/2/)",
                f"rename the file, e.g. to '{entry_id}-brief.md'",
            )
        )
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
        listed = isinstance(parsed.data.get("aliases"), list)
        where = fields.where("aliases", index) if listed else fields.where("aliases")
        if not alias.startswith("/") or alias.startswith("//") or any(c.isspace() for c in alias):
            message = f"alias '{alias}' must be a path on this site, starting with '/'"
            fields.problem(where, message, "write the former URL's path, e.g. /briefs/old-name/")
        elif "?" in alias or "#" in alias:
            path = alias.split("#")[0].split("?")[0]
            message = f"alias '{alias}' has a query or fragment, which no redirect can match"
            fields.problem(where, message, f"write only its path, '{path}'")
    tags = fields.strings("tags", comma_list=True)
    for index, tag in enumerate(tags):
        where = (
            fields.where("tags", index)
            if isinstance(parsed.data.get("tags"), list)
            else fields.where("tags")
        )
        if not slugify(tag):
            fields.problem(
                where, f"tag '{tag}' has no letters or digits to make a URL of", "use a word"
            )
        elif len(slugify(tag)) > MAX_SEGMENT:
            message = (
                f"tag '{tag}' makes a URL segment of {len(slugify(tag))} characters, "
                f"over the limit of {MAX_SEGMENT}"
            )
            fields.problem(where, message, "shorten the tag")
    date = fields.date("date", required=True)
    updated = fields.date("updated")
    if date is not None and updated is not None and updated < date:
        fields.problem(
            fields.where("updated"),
            f"'updated' ({updated.isoformat()}) is before 'date' ({date.isoformat()})",
            "'updated' is the day the brief was last revised: on or after its date",
        )
        updated = None
    authors = fields.refs(
        "authors", "names", "write each author as text, e.g. authors: [Astana Watch desk]"
    )
    return Brief(
        id=entry_id,
        title=fields.text("title", required=True, example="Russia invites the US to Astana"),
        date=date or _PLACEHOLDER_DATE,
        updated=updated,
        authors=tuple(_first_of_each(authors)),
        summary=fields.text("summary", required=True, example="One or two sentences."),
        actors=fields.refs("actors"),
        sources=fields.refs("sources"),
        tags=tuple(t for t in tags if 0 < len(slugify(t)) <= MAX_SEGMENT),
        draft=fields.boolean("draft"),
        events=tuple(events),
        aliases=tuple(a for a in aliases if a.startswith("/") and not a.startswith("//")),
        body=parsed.body,
    )


def read_actor(entry_id: str, parsed: Parsed, diagnostics: list[Diagnostic]) -> Actor:
    """An Actor from its parsed file."""
    fields = _reader(parsed, diagnostics)
    fields.check_keys(ACTOR_KEYS, "actor")
    aliases = fields.located_strings("aliases")
    return Actor(
        id=entry_id,
        name=fields.text("name", required=True, example="Sergei Lavrov"),
        sort_name=fields.text("sort_name"),
        kind=fields.choice("kind", ACTOR_KINDS, "person") or "person",
        role=fields.text("role"),
        affiliation=fields.ref("affiliation"),
        aliases=tuple(alias for alias, _ in aliases),
        links=fields.links("links"),
        body=parsed.body,
        name_where=fields.where("name"),
        aliases_where=tuple(where for _, where in aliases),
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
    language, language_name = fields.text("language"), ""
    if language:
        known = languages.language(language)
        if isinstance(known, languages.Language):
            language, language_name = known.tag, known.name
        else:
            fields.problem(fields.where("language"), known.message, known.hint)
            language = ""
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
        language=language,
        body=parsed.body,
        url_where=fields.where("url") if "url" in parsed.data else None,
        language_name=language_name,
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
assert tuple(READERS) == CONTENT_FOLDERS


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One file under content/ as read: the entry (None when unreadable) and its problems."""

    path: str
    """Relative to the project folder, forward slashes."""
    folder: str
    """briefs, actors, sources or pages; '' for a file in no content folder."""
    entry: Entry | None
    diagnostics: tuple[Diagnostic, ...]
    entry_id: str = ""
    """The id its file name gives, valid or not; '' for a file that is not an entry."""


def _not_an_entry(where: ContentPath) -> Diagnostic:
    """Why a file under content/ is not read: its folder, or its ending."""
    if where.folder and where.section is None:
        hint = did_you_mean(where.folder, READERS) or (
            "the content folders are " + ", ".join(READERS)
        )
        # One message per folder, however many files it holds: assemble drops repeats.
        return error(
            f"content/{where.folder}/", 0, 0, f"unknown content folder '{where.folder}'", hint
        )
    name = where.rel.rsplit("/", 1)[-1]
    if where.markdown:
        return error(
            where.rel,
            1,
            1,
            f"'{name}' is not in a content folder, so it is not read",
            "move it into content/briefs/, content/actors/, content/sources/ or content/pages/",
        )
    return warning(
        where.rel,
        0,
        0,
        f"'{name}' is not a Markdown file (.md), so it is not part of the site",
        "move it out of content/; images and downloads go in static/",
    )


def load_file(project: Path, file: Path) -> LoadedFile | None:
    """Read one file under content/; None when it is skipped (outside content/, a dotfile...)."""
    where = content_path(project, file)
    if where is None:
        return None
    if where.section is None or not where.markdown:
        return LoadedFile(where.rel, "", None, (_not_an_entry(where),))
    folder, rel, entry_id = where.section, where.rel, where.entry_id
    diagnostics: list[Diagnostic] = []
    entry: Entry | None = None
    if len(entry_id) > MAX_SEGMENT:
        message = (
            f"id '{entry_id}' is {len(entry_id)} characters long, over the limit of {MAX_SEGMENT}"
        )
        diagnostics.append(error(rel, 1, 1, message, "rename the file to a shorter name"))
    # An invalid id is reported by assemble, which sees the other files (and collisions).
    elif is_valid_id(entry_id):
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
    return LoadedFile(rel, folder, entry, tuple(diagnostics), entry_id)


def _id_problems(files: list[LoadedFile]) -> tuple[list[Diagnostic], set[str]]:
    """Invalid file names and ids used twice in one folder; the paths whose entry is dropped."""
    diagnostics: list[Diagnostic] = []
    dropped: set[str] = set()
    taken: dict[tuple[str, str], str] = {}
    for loaded in files:
        if loaded.folder and is_valid_id(loaded.entry_id):
            key = (loaded.folder, loaded.entry_id)
            if key in taken:
                dropped.add(loaded.path)
                diagnostics.append(
                    error(
                        loaded.path,
                        1,
                        1,
                        f"{loaded.folder[:-1]} id '{loaded.entry_id}' is already taken by "
                        f"{taken[key]}",
                        "the id is the file name, whatever the subfolder: rename one of the two",
                    )
                )
            else:
                taken[key] = loaded.path
    for loaded in files:
        if loaded.folder and not is_valid_id(loaded.entry_id):
            proposal = slugify(loaded.entry_id) or "entry"
            other = taken.get((loaded.folder, proposal))
            hint = (
                f"the proposed name '{proposal}.md' is taken by {other}: "
                "merge the two files or choose another name"
                if other
                else f"rename the file to '{proposal}.md'"
            )
            message = (
                f"invalid id '{loaded.entry_id}': ids are lowercase letters, digits and hyphens"
            )
            diagnostics.append(error(loaded.path, 1, 1, message, hint))
    return diagnostics, dropped


def assemble(files: Iterable[LoadedFile]) -> tuple[Content, list[Diagnostic]]:
    """Content from loaded files, in the order a full load gives (path order)."""
    ordered = sorted(files, key=lambda f: f.path)
    entries: dict[str, list[Any]] = {folder: [] for folder in READERS}
    diagnostics, dropped = _id_problems(ordered)
    for loaded in ordered:
        diagnostics.extend(loaded.diagnostics)
        if loaded.entry is not None and loaded.path not in dropped:
            entries[loaded.folder].append(loaded.entry)
    content = Content(
        briefs=tuple(entries["briefs"]),
        actors=tuple(entries["actors"]),
        sources=tuple(entries["sources"]),
        pages=tuple(entries["pages"]),
    )
    return content, list(dict.fromkeys(diagnostics))


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
