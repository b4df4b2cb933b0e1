"""Site settings read from briefgen.toml into a frozen Config.

Errors name the bad key and its line; unknown keys are errors with a "did you
mean" so that a typo never silently falls back to a default.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .errors import ConfigError, Diagnostic, did_you_mean, error
from .paths import Urls, base_path_of
from .pickling import by_fields

CONFIG_FILE = "briefgen.toml"

# tomllib reports positions only inside its message: "... (at line 3, column 7)".
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@by_fields
@dataclass(frozen=True, slots=True)
class CheckConfig:
    """Settings of the link checker: the ``[check]`` table of briefgen.toml."""

    skip: tuple[str, ...] = ()
    """Regular expressions; external URLs matching any of them are not checked."""
    cache_hours: int = 24
    """How long a good external link stays good in .briefgen-cache/links.json."""
    timeout: float = 10.0
    """Seconds one try of an external URL may take in all (HEAD, GET, redirects)."""
    concurrency: int = 8
    """External requests at once."""
    per_host: int = 2
    """External requests at once to one host."""
    retries: int = 2
    """Further tries after a 429, a 5xx, a timeout or a refused connection."""
    max_seconds: float = 120.0
    """Seconds the whole external check may take; URLs left are reported as not checked.

    Without it, the worst case of the other defaults (20 URLs on one host that
    times out: 10 rounds of 3 tries of 10 s) is over five minutes."""


@by_fields
@dataclass(frozen=True, slots=True)
class PagingConfig:
    """How long listing pages grow: the ``[paging]`` table of briefgen.toml."""

    briefs: int = 50
    """Briefs on each page of the brief index (``/briefs/``, ``/briefs/page/2/``, ...)."""
    timeline: int = 50
    """The latest entries the timeline's overview (``/timeline/``) shows; each year has a page."""


@by_fields
@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Full-text search with Pagefind: the ``[search]`` table of briefgen.toml."""

    enabled: bool = True
    """Index the built site and give every page a search box and the site a /search/ page."""


@by_fields
@dataclass(frozen=True, slots=True)
class DataConfig:
    """The open data exports under /data/: the ``[data]`` table of briefgen.toml."""

    enabled: bool = True
    """Whether ``briefgen build`` writes /data/ and each actor's timeline.json."""


@by_fields
@dataclass(frozen=True, slots=True)
class FeedsConfig:
    """Atom feeds: the ``[feeds]`` table of briefgen.toml."""

    enabled: bool = True
    """Write the site's feed and one per actor, tag and source (needs a base_url with a host)."""
    entries: int = 20
    """The newest briefs each feed carries."""


@by_fields
@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """What the actor network page draws: the ``[network]`` table of briefgen.toml."""

    actors: int = 60
    """The most-mentioned actors (with at least one tie) drawn."""
    ties: int = 150
    """The strongest ties among them drawn; the table lists the same."""


@by_fields
@dataclass(frozen=True, slots=True)
class LintConfig:
    """Which checks of key judgments run: the ``[lint]`` table of briefgen.toml.

    Each finds a warning (so ``--strict`` fails on it); ``false`` turns it off.
    """

    weak_evidence: bool = True
    """A key judgment resting only on sources graded E or F or information graded 5 or 6."""
    uncited_judgment: bool = True
    """A key judgment citing no source."""
    estimative_language: bool = True
    """A likelihood word off the ICD 203 scale ("probably", "may well") in a key judgment."""
    likelihood_with_confidence: bool = True
    """Likelihood and confidence stated in one sentence of a key judgment."""


@by_fields
@dataclass(frozen=True, slots=True)
class SitemapConfig:
    """The sitemap and robots.txt: the ``[sitemap]`` table of briefgen.toml."""

    enabled: bool = True
    """Write sitemap.xml, and robots.txt unless static/ has one (needs a base_url with a host)."""


@dataclass(frozen=True, slots=True)
class Config:
    """The site's settings; passed explicitly to every stage that needs it."""

    title: str
    """The site's name, shown in the masthead and in every page title."""
    base_url: str = "/"
    """Where the site is published, e.g. ``https://example.org/briefing/``."""
    language: str = "en"
    """The ``lang`` of every page."""
    description: str = ""
    """One sentence about the site, for the home page and its meta description."""
    latest: int = 10
    """How many briefs the home page lists."""
    check: CheckConfig = CheckConfig()
    """The link checker's settings."""
    paging: PagingConfig = PagingConfig()
    """Page sizes of the brief index and the timeline overview."""
    search: SearchConfig = SearchConfig()
    """Full-text search."""
    feeds: FeedsConfig = FeedsConfig()
    """The Atom feeds."""
    sitemap: SitemapConfig = SitemapConfig()
    """sitemap.xml and robots.txt."""
    data: DataConfig = DataConfig()
    """The open data exports."""
    network: NetworkConfig = NetworkConfig()
    """The actor network page."""
    lint: LintConfig = LintConfig()
    """The checks of key judgments."""
    citation_style: str = ""
    """A CSL style for reference entries: a packaged style's name (``apa``) or the path of a
    ``.csl`` file in the project; '' for briefgen's house style (see csl.py)."""

    @property
    def urls(self) -> Urls:
        """URL builder for this site's base path."""
        return Urls(base_path_of(self.base_url))

    @property
    def origin(self) -> str:
        """``https://host`` of an absolute base_url; '' when base_url is only a path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    @property
    def absolute_base(self) -> str:
        """base_url with a trailing slash, for canonical links ('' when base_url is a path)."""
        if not re.match(r"https?://", self.base_url):
            return ""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"


# What each setting must be: text, a whole number, a number, or a list of text.
_FIELDS: dict[str, str] = {
    "title": "text",
    "base_url": "text",
    "language": "text",
    "description": "text",
    "latest": "whole",
    "citation_style": "text",
}
_CHECK_FIELDS: dict[str, str] = {
    "skip": "texts",
    "cache_hours": "whole",
    "timeout": "number",
    "concurrency": "whole",
    "per_host": "whole",
    "retries": "whole",
    "max_seconds": "number",
}
_PAGING_FIELDS: dict[str, str] = {"briefs": "whole", "timeline": "whole"}
_SEARCH_FIELDS: dict[str, str] = {"enabled": "yes/no"}
_FEEDS_FIELDS: dict[str, str] = {"enabled": "yes/no", "entries": "whole"}
_SITEMAP_FIELDS: dict[str, str] = {"enabled": "yes/no"}
_DATA_FIELDS: dict[str, str] = {"enabled": "yes/no"}
_NETWORK_FIELDS: dict[str, str] = {"actors": "whole", "ties": "whole"}
_LINT_FIELDS: dict[str, str] = {
    "weak_evidence": "yes/no",
    "uncited_judgment": "yes/no",
    "estimative_language": "yes/no",
    "likelihood_with_confidence": "yes/no",
}
# A value to propose when a number of seconds is wrong: its default.
_EXAMPLES = {
    key: f"e.g. {key} = {getattr(CheckConfig(), key):g}"
    for key, kind in _CHECK_FIELDS.items()
    if kind == "number"
}
_EXAMPLES.update({key: f"e.g. {key} = {getattr(NetworkConfig(), key)}" for key in _NETWORK_FIELDS})
_KINDS = {
    "text": "text",
    "whole": "a whole number",
    "number": "a number",
    "texts": "a list of text",
    "yes/no": "true or false",
}


def _fits(value: Any, kind: str) -> bool:
    if kind == "yes/no":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "text":
        return isinstance(value, str)
    if kind == "whole":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _key_line(text: str, key: str, table: str = "") -> int:
    """The 1-based line where a key is set (in ``[table]`` when given), or 0 when not found."""
    # `key = value`, or a table header `[key]`, after blanks of the same line only.
    pattern = re.compile(rf"^[ \t]*({re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])", re.MULTILINE)
    start = 0
    if table:
        # Keys of two tables may share a name (`enabled`): look below the table's header.
        header = re.search(rf"^[ \t]*\[\s*{re.escape(table)}\s*\]", text, re.MULTILINE)
        start = header.end() if header else 0
    match = pattern.search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def setting_at(text: str, key: str) -> tuple[int, int]:
    """Where the value of a top-level setting is written: (line, column), (0, 0) if nowhere."""
    line = _key_line(text, key)
    return (line, _value_col(text, line)) if line else (0, 0)


def _value_col(text: str, line: int) -> int:
    """The 1-based column where the value of a ``key = value`` line starts (1 when unknown)."""
    if line < 1:
        return 1
    found = re.match(r"[^=]*=\s*", text.splitlines()[line - 1])
    return found.end() + 1 if found else 1


# A path segment: RFC 3986's pchar: unreserved characters, %-encoded octets, sub-delims, ':', '@'.
_PCHAR = "-._~!$&'()*+,;=:@"
_PIECE = rf"[A-Za-z0-9{re.escape(_PCHAR)}]|%[0-9A-Fa-f]{{2}}"
_SEGMENT = re.compile(rf"(?:{_PIECE})*")


# A host name written without a scheme: dotted labels or localhost, then an optional port.
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|localhost)(?::\d+)?")


def _clean_segment(segment: str) -> str:
    """A segment a URL can carry: spaces become hyphens, other characters are %-encoded."""
    return quote(unquote(re.sub(r"\s+", "-", segment.strip())), safe=_PCHAR)


def _listed(items: list[str]) -> str:
    """``a, b and c``."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def check_base_url(value: str) -> tuple[str, str, str]:
    """base_url ending with '/'; what is wrong with it ('' when nothing); a value that would do.

    It is an http(s) URL with a host, or a path starting with '/'; either way its
    path is clean: no spaces, no '.' or '..' segments, no query, no fragment.
    """
    parts = urlsplit(value)
    wrong: list[str] = []
    origin = ""
    if parts.scheme in ("http", "https") and value.startswith(f"{parts.scheme}://"):
        if not parts.hostname:
            wrong.append("has no host")
        elif parts.username is not None:
            wrong.append("has a user name in it")
        try:
            port = f":{parts.port}" if parts.port is not None else ""
        except ValueError:
            wrong.append("has a port that is not a number")
            port = ""
        origin = f"{parts.scheme}://{parts.hostname or 'example.org'}{port}"
    elif not value.startswith("/") or value.startswith("//"):
        wrong.append("is neither an http(s) URL nor a path starting with '/'")
        scheme = "http" if parts.scheme.lower() == "http" else "https"
        origin = f"{scheme}://{parts.hostname}" if parts.hostname else ""
        head, _, rest = value.partition("/")
        if not parts.hostname and _HOST.fullmatch(head):
            # 'example.org/briefing' or 'localhost:8000': a host written without its scheme.
            scheme = "http" if head.startswith("localhost") else "https"
            origin, parts = f"{scheme}://{head}", urlsplit("/" + rest)
        elif not parts.hostname:
            parts = urlsplit("/" + value.split("://")[-1].lstrip("/"))
    unclean: list[str] = []
    if parts.query or "?" in value:
        unclean.append("a query ('?')")
    if parts.fragment or "#" in value:
        unclean.append("a fragment ('#')")
    segments = parts.path.split("/")[1:] if parts.path else [""]
    kept: list[str] = []
    for index, segment in enumerate(segments):
        if segment in (".", ".."):
            unclean.append(f"a '{segment}' segment")
            if segment == ".." and kept:
                kept.pop()
        elif segment == "":
            if index < len(segments) - 1:
                unclean.append("an empty segment ('//')")
        else:
            if any(c.isspace() for c in segment):
                unclean.append("a space")
            elif not _SEGMENT.fullmatch(segment):
                unclean.append(f"the character '{re.sub(_PIECE, '', segment)[0]}' (not %-encoded)")
            kept.append(_clean_segment(segment))
    if unclean:
        wrong.append(f"is not a clean URL path: it has {_listed(list(dict.fromkeys(unclean)))}")
    fixed = origin + "/" + "".join(f"{s}/" for s in kept if s)
    if wrong:
        return value, "; ".join(wrong), fixed
    normal = origin + (parts.path or "/")
    return normal if normal.endswith("/") else normal + "/", "", normal


def _read_table(
    raw: dict[str, Any],
    fields: dict[str, str],
    text: str,
    path: str,
    problems: list[Diagnostic],
    tables: tuple[str, ...] = (),
    prefix: str = "",
) -> dict[str, Any]:
    """Typed values of one TOML table; every unknown key or wrong type is a problem."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = _key_line(text, key, prefix.rstrip("."))
        kind = fields.get(key)
        if key in tables:
            continue
        if kind is None:
            hint = did_you_mean(key, [*fields, *tables])
            problems.append(error(path, line, 1, f"unknown setting '{prefix}{key}'", hint))
        elif not _fits(value, kind):
            message = f"'{prefix}{key}' must be {_KINDS[kind]}, not {_as_toml(value)}"
            hint = None
            if kind == "yes/no":
                # "true" in quotes, or yes/1: say what TOML's own words are.
                meant = str(value).strip().lower() not in ("false", "no", "off", "0")
                hint = f"write {key} = {'true' if meant else 'false'}"
                hint += ", without quotes" if isinstance(value, str) else ""
            if kind == "whole" and prefix == "network.":
                hint = _EXAMPLES[key]
            problems.append(error(path, line, 1, message, hint))
        elif kind == "number" and not (math.isfinite(value) and value > 0):
            # TOML allows nan and inf, and neither bounds a wait.
            message = f"'{prefix}{key}' must be a finite number of seconds above 0, not {value!r}"
            problems.append(error(path, line, 1, message, _EXAMPLES.get(key)))
        elif kind == "whole" and value < (least := 0 if key == "retries" else 1):
            hint = "e.g. entries = 20, the default" if prefix + key == "feeds.entries" else None
            if prefix == "network.":
                hint = _EXAMPLES[key]
            problems.append(error(path, line, 1, f"'{prefix}{key}' must be at least {least}", hint))
        else:
            values[key] = tuple(value) if kind == "texts" else value
    return values


def _table(
    raw: dict[str, Any], name: str, text: str, path: str, problems: list[Diagnostic]
) -> dict[str, Any]:
    """The sub-table ``[name]`` ({} when absent); anything but a table is a problem."""
    table = raw.get(name, {})
    if isinstance(table, dict):
        return table
    hint = f"write [{name}] on a line of its own, with its settings on the lines below"
    if name == "search" and isinstance(table, bool):
        hint = f"write [search] on a line of its own, and enabled = {_as_toml(table)} below it"
    problems.append(error(path, _key_line(text, name), 1, f"'{name}' must be a table", hint))
    return {}


def _as_toml(value: object) -> str:
    """A value as it is written in TOML, for messages (``true``, not Python's ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "[" + ", ".join(_as_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def parse_config(text: str, path: str = CONFIG_FILE) -> Config:
    """Parse the text of briefgen.toml; raise ConfigError listing every problem."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line, col = (int(found[1]), int(found[2])) if found else (0, 0)
        message = _TOML_POSITION.sub("", str(exc)).strip()
        hint = None
        if message == "Cannot overwrite a value" and line:
            # tomllib points past the value set a second time; say which key, and where first.
            key = text.splitlines()[line - 1].split("=", 1)[0].strip()
            first = _key_line(text, key)
            if key and first and first != line:
                message = f"'{key}' is set twice, on lines {first} and {line}"
                line, col, hint = line, 1, "keep one of the two"
        raise ConfigError([error(path, line, col, f"invalid TOML: {message}", hint)]) from None

    problems: list[Diagnostic] = []
    values = _read_table(
        raw,
        _FIELDS,
        text,
        path,
        problems,
        tables=("check", "paging", "search", "feeds", "sitemap", "data", "network", "lint"),
    )
    check_raw = _table(raw, "check", text, path, problems)
    check = _read_table(check_raw, _CHECK_FIELDS, text, path, problems, prefix="check.")
    paging_raw = _table(raw, "paging", text, path, problems)
    paging = _read_table(paging_raw, _PAGING_FIELDS, text, path, problems, prefix="paging.")
    search_raw = _table(raw, "search", text, path, problems)
    search = _read_table(search_raw, _SEARCH_FIELDS, text, path, problems, prefix="search.")
    feeds_raw = _table(raw, "feeds", text, path, problems)
    feeds = _read_table(feeds_raw, _FEEDS_FIELDS, text, path, problems, prefix="feeds.")
    sitemap_raw = _table(raw, "sitemap", text, path, problems)
    sitemap = _read_table(sitemap_raw, _SITEMAP_FIELDS, text, path, problems, prefix="sitemap.")
    data_raw = _table(raw, "data", text, path, problems)
    data = _read_table(data_raw, _DATA_FIELDS, text, path, problems, prefix="data.")
    network_raw = _table(raw, "network", text, path, problems)
    network = _read_table(network_raw, _NETWORK_FIELDS, text, path, problems, prefix="network.")
    lint_raw = _table(raw, "lint", text, path, problems)
    lint = _read_table(lint_raw, _LINT_FIELDS, text, path, problems, prefix="lint.")
    for pattern in check.get("skip", ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            line = _key_line(text, "skip")
            problems.append(
                error(path, line, 1, f"check.skip pattern '{pattern}' is invalid: {exc}")
            )
    if "title" not in raw:
        problems.append(error(path, 1, 1, "missing setting 'title'", 'add title = "My briefing"'))
    if isinstance(values.get("base_url"), str):
        base_url, wrong, fix = check_base_url(values["base_url"])
        if wrong:
            line = _key_line(text, "base_url")
            message = f"base_url '{values['base_url']}' {wrong}"
            hint = f'write base_url = "{fix}"'
            if "has no host" in wrong:
                hint = f'name the host, e.g. base_url = "{fix}"'
            problems.append(error(path, line, _value_col(text, line), message, hint))
        values["base_url"] = base_url
    if problems:
        raise ConfigError(problems)
    return Config(
        **values,
        check=CheckConfig(**check),
        paging=PagingConfig(**paging),
        search=SearchConfig(**search),
        feeds=FeedsConfig(**feeds),
        sitemap=SitemapConfig(**sitemap),
        data=DataConfig(**data),
        network=NetworkConfig(**network),
        lint=LintConfig(**lint),
    )


def enclosing_project(folder: Path) -> str | None:
    """The nearest folder above ``folder`` holding briefgen.toml, as a path from the current
    folder (``../..``); None when there is none."""
    try:
        here = folder.resolve()
        cwd = Path.cwd()
    except OSError:
        return None
    for parent in here.parents:
        if (parent / CONFIG_FILE).is_file():
            return Path(os.path.relpath(parent, cwd)).as_posix()
    return None


def inside_project_hint(folder: Path) -> str | None:
    """For a folder without briefgen.toml inside a project (content/briefs/, say): where the
    project is and how to build it. A project inside content/ would be of no use."""
    root = enclosing_project(folder)
    if root is None:
        return None
    if folder == Path():
        return (
            f"you are inside the project at {root}; run briefgen from there "
            f"or pass --project {root}"
        )
    return f"'{folder.as_posix()}' is inside the project at {root}: pass --project {root}"


def load_config(project: Path) -> Config:
    """Read briefgen.toml from a project folder."""
    file = project / CONFIG_FILE
    if not file.is_file():
        raise ConfigError(
            [
                error(
                    CONFIG_FILE,
                    0,
                    0,
                    f"no {CONFIG_FILE} in '{project}'",
                    inside_project_hint(project)
                    or "run briefgen in a project folder or pass --project DIR",
                )
            ]
        )
    return parse_config(read_settings(file, CONFIG_FILE))


def style_files(project: Path) -> list[Path]:
    """The .csl file ``citation_style`` names in the project, if it names one ([] otherwise,
    and when briefgen.toml cannot be read: the build says why)."""
    try:
        style = load_config(project).citation_style
    except ConfigError:
        return []
    if not style.endswith(".csl") and "/" not in style:
        return []
    return [project / style]


def read_settings(file: Path, shown: str) -> str:
    """The text of a settings file (briefgen.toml, netlify.toml); ConfigError naming ``shown``."""
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([error(shown, 1, 1, f"file is not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise ConfigError([error(shown, 0, 0, f"cannot read it ({exc.strerror})")]) from None
