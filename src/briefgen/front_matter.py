"""Split a content file into front matter and body, keeping every value's line and column.

The only module that knows YAML and python-frontmatter. Two traps are handled
here: python-frontmatter's ``parse`` strips the text, which would shift every
line number, so we split with its handler and measure where the body starts;
and YAML would turn ``2017-01-17`` into a ``datetime.date`` (and crash on
``2017-02-30``), so our loader keeps dates as text and ``fields`` checks them.
Hostile front matter (nested aliases, huge numbers, control characters) is
refused at its line, in time and memory proportional to its size.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import yaml
from frontmatter.default_handlers import YAMLHandler

from .errors import Diagnostic, error
from .fields import KeyPath
from .model import (
    Body,
    Location,
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


@dataclass(frozen=True, slots=True)
class Parsed:
    """A content file split into front matter data and body, with a way to locate values."""

    data: dict[str, Any]
    body: Body
    locate: Callable[[KeyPath, bool], Location]
    lines: tuple[str, ...] = ()
    """The file's lines, as written (to place what is found inside a front-matter value)."""


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


_DEFAULT_TAGS: dict[type[yaml.Node], str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}


def _explicit_tag(loader: _Loader, node: yaml.Node) -> str | None:
    """The tag written on a node (``!!float``, ``!custom``), or None when it has none."""
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style  # None from the Python parser, "" from the C one
        implicit: str = loader.resolve(yaml.ScalarNode, node.value, (plain, not plain))
    else:
        implicit = _DEFAULT_TAGS.get(type(node), "")
    if node.tag == implicit:
        return None
    return str(node.tag).replace("tag:yaml.org,2002:", "!!")


def _refused(
    front: str, root: yaml.Node | None, loader: _Loader
) -> tuple[yaml.Mark, str, str] | None:
    """The first thing front matter may not use, as (where, message, fix); None when clean.

    An alias makes two places share one node; walking such a tree expands every
    alias again, so ten lines of nested aliases ("billion laughs") would take
    gigabytes. The walk below visits each node once and stops at the first one met
    twice; only then are the events parsed again to find where the alias was written.
    A tag (``!!float abc``, ``!!timestamp 17 January``) would make PyYAML convert a
    value in its own way, or fail with a traceback: front matter needs none.
    """
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            mark: yaml.Mark = node.start_mark
            for event in yaml.parse(front, Loader=_BaseLoader):
                if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                    mark = cast(yaml.Mark, event.start_mark)
                    break
            message = "anchors and aliases ('&name', '*name') are not allowed in front matter"
            return mark, message, "write the value out in full"
        seen.add(id(node))
        tag = _explicit_tag(loader, node)
        if tag is not None:
            return (
                node.start_mark,
                f"tags such as '{tag}' are not allowed in front matter",
                f"remove '{tag}'; write a date as YYYY-MM-DD, and put a value in quotes "
                "to keep it as text",
            )
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
        stripped = text.lstrip()
        if stripped.startswith("---"):
            blank = text.count("\n", 0, len(text) - len(stripped))
            diagnostics.append(
                error(
                    path,
                    1,
                    1,
                    f"the front matter's opening '---' is on line {blank + 1}, not on the first",
                    f"delete the {blank} blank line{'s' * (blank != 1)} above it",
                )
            )
            return None
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
            refused = _refused(front, node, loader)
            if refused is not None:
                refused_at, message, hint = refused
                loc = at(refused_at)
                diagnostics.append(error(path, loc.line, loc.col, message, hint))
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
    return Parsed(data, Body(body, path, body_line), locate, tuple(text.split("\n")))


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


def yaml_field(key: str, value: str | dt.date) -> str:
    """One front-matter line ``key: value`` for a file briefgen writes (``briefgen new``).

    PyYAML quotes what needs quoting (``Lavrov: "no"``, ``yes``, ``#1``) and leaves
    plain text plain; the width keeps a long title on one line.
    """
    text: str = yaml.safe_dump({key: value}, allow_unicode=True, width=1_000_000)
    return text.rstrip("\n")
